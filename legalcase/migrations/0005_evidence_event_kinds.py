# The evidence app writes additions, downloads and failed integrity checks to the timeline.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("legalcase", "0004_install_holidays"),
    ]

    operations = [
        migrations.AlterField(
            model_name="matterevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "Matter opened"),
                    ("stage_changed", "Stage changed"),
                    ("owner_changed", "Owner changed"),
                    ("firm_assigned", "Firm assigned"),
                    ("firm_unassigned", "Assignment ended"),
                    ("debtor_revealed", "Personal data revealed"),
                    ("updated", "Matter updated"),
                    ("evidence_added", "Evidence added"),
                    ("evidence_downloaded", "Evidence downloaded"),
                    ("evidence_tampered", "Evidence file changed or missing"),
                    ("deadline_closed", "Deadline closed"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
    ]
