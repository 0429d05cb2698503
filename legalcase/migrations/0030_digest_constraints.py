"""The unique constraints and indexes of the digests, once 0029 has filled them."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('legalcase', '0029_encrypt_existing_rows'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='debt',
            index=models.Index(fields=['account_last4'], name='debt_account_last4'),
        ),
        migrations.AddIndex(
            model_name='debt',
            index=models.Index(fields=['account_digest'], name='debt_account_digest'),
        ),
        migrations.AddConstraint(
            model_name='debt',
            constraint=models.UniqueConstraint(fields=('creditor', 'account_digest'), name='debt_unique_account_digest'),
        ),
        migrations.AddConstraint(
            model_name='party',
            constraint=models.UniqueConstraint(condition=models.Q(('id_number_digest', ''), _negated=True), fields=('id_number_digest',), name='party_unique_id_number_digest'),
        ),
        migrations.AddConstraint(
            model_name='partyphone',
            constraint=models.UniqueConstraint(fields=('party', 'number_digest'), name='partyphone_unique_number_digest'),
        ),
    ]
