"""Install the new version of the credit-card complaint whose 通知和催收 item lists each demand
with its courier, its delivery (only when delivered, by the rule of LEGAL_RULES Part 2 B.3)
and its proof's exhibit number (issue 18).

``templates_install_defaults`` adds a new version of each shipped template whose file changed.
"""

from django.db import migrations


def install(apps, schema_editor):
    from templates_docx.services import templates_install_defaults

    templates_install_defaults(apps.get_model("templates_docx", "DocumentTemplate"))


class Migration(migrations.Migration):
    dependencies = [
        ("templates_docx", "0011_payout_account"),
        ("legalcase", "0028_demand_delivery"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
