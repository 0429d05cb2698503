"""Install the 诉讼材料递交清单, the cover sheet of a filing sent by post: the one filing that
prints the forum's recorded address (issue 16).

``templates_install_defaults`` adds each shipped template not installed yet.
"""

from django.db import migrations


def install(apps, schema_editor):
    from templates_docx.services import templates_install_defaults

    templates_install_defaults(apps.get_model("templates_docx", "DocumentTemplate"))


class Migration(migrations.Migration):
    dependencies = [("templates_docx", "0011_payout_account")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
