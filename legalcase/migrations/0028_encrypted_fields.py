"""Personal data encrypted at rest (issue 21, item 2): the columns become ciphertext-sized text
and gain their digests; 0029 encrypts the rows, 0030 adds the constraints on the digests."""

import legalcase.fields
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('legalcase', '0027_merge_dates'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='debt',
            name='debt_unique_account',
        ),
        migrations.RemoveConstraint(
            model_name='party',
            name='party_unique_id_number',
        ),
        migrations.RemoveConstraint(
            model_name='partyphone',
            name='partyphone_unique_number',
        ),
        migrations.RemoveIndex(
            model_name='debt',
            name='debt_account_number',
        ),
        migrations.AddField(
            model_name='debt',
            name='account_digest',
            field=legalcase.fields.DerivedCharField(blank=True, db_default='', default='', derive='digest:account', max_length=64, source='account_number', verbose_name='account number digest'),
        ),
        migrations.AddField(
            model_name='party',
            name='id_number_digest',
            field=legalcase.fields.DerivedCharField(blank=True, db_default='', default='', derive='digest:id_number', max_length=64, source='id_number', verbose_name='identity number digest'),
        ),
        migrations.AddField(
            model_name='partyphone',
            name='number_digest',
            field=legalcase.fields.DerivedCharField(blank=True, db_default='', default='', derive='digest:phone', max_length=64, source='number', verbose_name='number digest'),
        ),
        migrations.AlterField(
            model_name='asset',
            name='identifier',
            field=legalcase.fields.EncryptedCharField(blank=True, help_text='Account, certificate or plate number; shown masked.', max_length=100, verbose_name='identifier'),
        ),
        migrations.AlterField(
            model_name='asset',
            name='note',
            field=legalcase.fields.EncryptedTextField(blank=True, verbose_name='note'),
        ),
        # A generated column cannot become a stored one in place: drop it and add it again
        # (0029 fills it; 0030 indexes it again).
        migrations.RemoveIndex(
            model_name='debt',
            name='debt_account_last4',
        ),
        migrations.RemoveField(
            model_name='debt',
            name='account_last4',
        ),
        migrations.AddField(
            model_name='debt',
            name='account_last4',
            field=legalcase.fields.DerivedCharField(blank=True, db_default='', default='', derive='last4', max_length=4, source='account_number', verbose_name='last four digits'),
        ),
        migrations.AlterField(
            model_name='debt',
            name='account_number',
            field=legalcase.fields.EncryptedCharField(max_length=40, verbose_name='account number'),
        ),
        migrations.AlterField(
            model_name='demandrecord',
            name='note',
            field=legalcase.fields.EncryptedTextField(blank=True, verbose_name='note'),
        ),
        migrations.AlterField(
            model_name='party',
            name='address',
            field=legalcase.fields.EncryptedCharField(blank=True, max_length=300, verbose_name='address'),
        ),
        migrations.AlterField(
            model_name='party',
            name='habitual_residence',
            field=legalcase.fields.EncryptedCharField(blank=True, db_default='', default='', max_length=300, verbose_name='habitual residence'),
        ),
        migrations.AlterField(
            model_name='party',
            name='id_number',
            field=legalcase.fields.EncryptedCharField(blank=True, max_length=18, verbose_name='identity number'),
        ),
        migrations.AlterField(
            model_name='party',
            name='phone',
            field=legalcase.fields.EncryptedCharField(blank=True, max_length=20, verbose_name='phone'),
        ),
        migrations.AlterField(
            model_name='party',
            name='service_address',
            field=legalcase.fields.EncryptedCharField(blank=True, db_default='', default='', max_length=300, verbose_name='agreed service address'),
        ),
        migrations.AlterField(
            model_name='partyphone',
            name='number',
            field=legalcase.fields.EncryptedCharField(max_length=20, verbose_name='number'),
        ),
        migrations.AlterField(
            model_name='servicerecord',
            name='note',
            field=legalcase.fields.EncryptedTextField(blank=True, verbose_name='note'),
        ),
        migrations.AlterField(
            model_name='settlement',
            name='hardship',
            field=legalcase.fields.EncryptedTextField(blank=True, verbose_name='hardship notes'),
        ),
    ]
