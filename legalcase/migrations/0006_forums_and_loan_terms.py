# Courts and arbitration commissions (Forum), a matter's forum, and the loan terms the complaint forms ask for.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('legalcase', '0005_evidence_event_kinds'),
    ]

    operations = [
        migrations.AddField(
            model_name='debt',
            name='branch',
            field=models.CharField(blank=True, db_default='', default='', max_length=200, verbose_name='issuing or lending branch'),
        ),
        migrations.AddField(
            model_name='debt',
            name='disbursed_on',
            field=models.DateField(blank=True, null=True, verbose_name='disbursed or card issued on'),
        ),
        migrations.AddField(
            model_name='debt',
            name='loan_amount',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, verbose_name='loan amount or credit limit'),
        ),
        migrations.AddField(
            model_name='debt',
            name='repayment_method',
            field=models.CharField(blank=True, choices=[('equal_installment', 'Equal instalments of principal and interest'), ('equal_principal', 'Equal instalments of principal'), ('bullet', 'Principal and interest at maturity'), ('monthly_interest', 'Interest monthly, principal at maturity'), ('quarterly_interest', 'Interest quarterly, principal at maturity'), ('yearly_interest', 'Interest yearly, principal at maturity'), ('other', 'Other repayment method')], db_default='', default='', max_length=24, verbose_name='repayment method'),
        ),
        migrations.AddField(
            model_name='debt',
            name='term_ends_on',
            field=models.DateField(blank=True, null=True, verbose_name='agreed maturity'),
        ),
        migrations.AlterField(
            model_name='matterevent',
            name='kind',
            field=models.CharField(choices=[('created', 'Matter opened'), ('stage_changed', 'Stage changed'), ('owner_changed', 'Owner changed'), ('firm_assigned', 'Firm assigned'), ('firm_unassigned', 'Assignment ended'), ('debtor_revealed', 'Personal data revealed'), ('updated', 'Matter updated'), ('evidence_added', 'Evidence added'), ('evidence_downloaded', 'Evidence downloaded'), ('evidence_tampered', 'Evidence file changed or missing'), ('deadline_closed', 'Deadline closed'), ('forum_set', 'Court or arbitration commission set')], max_length=32, verbose_name='kind'),
        ),
        migrations.CreateModel(
            name='Forum',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('court', 'Court'), ('arbitration', 'Arbitration commission')], max_length=16, verbose_name='kind')),
                ('name', models.CharField(max_length=200, unique=True, verbose_name='name')),
                ('level', models.CharField(blank=True, choices=[('supreme', "Supreme People's Court"), ('high', "High people's court"), ('intermediate', "Intermediate people's court"), ('basic', "Basic people's court"), ('special', "Special people's court")], help_text='Courts only.', max_length=16, verbose_name='level')),
                ('region', models.CharField(help_text='Province and city, e.g. 上海市浦东新区.', max_length=100, verbose_name='region')),
                ('address', models.CharField(blank=True, max_length=300, verbose_name='address')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
            ],
            options={
                'verbose_name': 'court or arbitration commission',
                'verbose_name_plural': 'courts and arbitration commissions',
                'ordering': ['name'],
                'indexes': [models.Index(fields=['name'], name='forum_name_prefix', opclasses=['varchar_pattern_ops']), models.Index(fields=['active', 'kind', 'name'], name='forum_active_kind_name')],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind', 'court'), ('level', ''), _connector='OR'), name='forum_level_only_for_courts')],
            },
        ),
        migrations.AddField(
            model_name='matter',
            name='forum',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='matters', to='legalcase.forum', verbose_name='court or arbitration commission'),
        ),
    ]
