"""Install the settlement agreement (和解协议) and the transfer notice (债权转让通知书).

``templates_install_defaults`` adds each shipped template not installed yet and a new
version of each whose file changed.
"""

from django.db import migrations


def install(apps, schema_editor):
    from templates_docx.services import templates_install_defaults

    templates_install_defaults(apps.get_model("templates_docx", "DocumentTemplate"))


class Migration(migrations.Migration):
    dependencies = [
        ("templates_docx", "0005_enforcement_application_amounts"),
        ("legalcase", "0017_settlements_transfers_fees_audit"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
