"""The parties a ruling binds (RulingParty), and those of the rulings recorded before.

For each ruling already recorded, the operative part kept as ``text_excerpt`` is read
again (``rulings.bound_parties``) and the names matched to the matter's debtor and
guarantors, as ``ruling_record`` now does; a person corrects them by confirming again.
"""

import django.db.models.deletion
from django.db import migrations, models


def read_bound_parties(apps, schema_editor):
    from legalcase.rulings import bound_parties

    Ruling = apps.get_model("legalcase", "Ruling")
    RulingParty = apps.get_model("legalcase", "RulingParty")
    Guarantee = apps.get_model("legalcase", "Guarantee")
    rows = []
    for ruling in Ruling.objects.exclude(text_excerpt=None).select_related("matter__debt__debtor").iterator():
        debt = ruling.matter.debt
        parties = {debt.debtor.name: (debt.debtor, "debtor")}
        for guarantee in Guarantee.objects.filter(debt=debt).select_related("guarantor"):
            parties.setdefault(guarantee.guarantor.name, (guarantee.guarantor, "guarantor"))
        for item in bound_parties(ruling.text_excerpt) or ():
            if item["name"] in parties:
                party, role = parties[item["name"]]
                rows.append(
                    RulingParty(ruling=ruling, party=party, role=role, liability=item["liability"], limit=item["limit"])
                )
    RulingParty.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('legalcase', '0021_list_sort_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='RulingParty',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('debtor', 'Debtor'), ('guarantor', 'Guarantor')], max_length=16, verbose_name='role')),
                ('liability', models.CharField(choices=[('principal', 'Principal debtor (ordered to pay)'), ('joint', 'Joint and several (连带)'), ('supplementary', 'Supplementary, after the debtor (一般保证人的补充责任)'), ('several', 'Several (按份)'), ('limited', 'Limited to an amount')], max_length=16, verbose_name='liability')),
                ('limit', models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, verbose_name='limit')),
                ('party', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='legalcase.party', verbose_name='party')),
                ('ruling', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bound_parties', to='legalcase.ruling', verbose_name='ruling')),
            ],
            options={
                'verbose_name': 'party bound by a ruling',
                'verbose_name_plural': 'parties bound by a ruling',
                'ordering': ['id'],
                'constraints': [models.UniqueConstraint(fields=('ruling', 'party'), name='ruling_party_unique')],
            },
        ),
        migrations.RunPython(read_bound_parties, migrations.RunPython.noop),
    ]
