"""Install the enforcement application's new version: it claims the amounts from the calculators.

The shipped 强制执行申请书 now prints ``enforcement.*`` (principal and interest less
recoveries, the costs the debtor bears, 迟延履行 interest with its days, the total);
``templates_install_defaults`` adds a version for each shipped file whose bytes changed.
"""

from django.db import migrations


def install(apps, schema_editor):
    from templates_docx.services import templates_install_defaults

    templates_install_defaults(apps.get_model("templates_docx", "DocumentTemplate"))


class Migration(migrations.Migration):
    dependencies = [("templates_docx", "0004_template_products")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
