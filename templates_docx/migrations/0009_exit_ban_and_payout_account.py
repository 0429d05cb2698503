"""Install the 限制出境申请书 and the 执行款账户确认书 (LEGAL_RULES Part 2 B.7), and the new
versions of the filings issue 17 corrected (parties bound by the instrument, the transfer
notice's claim as at the transfer date, signature blocks, no bare labels).

``templates_install_defaults`` adds each shipped template not installed yet and a new
version of each whose file changed.
"""

from django.db import migrations


def install(apps, schema_editor):
    from templates_docx.services import templates_install_defaults

    templates_install_defaults(apps.get_model("templates_docx", "DocumentTemplate"))


class Migration(migrations.Migration):
    dependencies = [
        ("templates_docx", "0008_batch_item_bundle_error"),
        ("legalcase", "0022_ruling_bound_parties"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
