from django.db import migrations


def install(apps, schema_editor):
    # The 质证意见 (cross_examination_opinion) joins the shipped templates.
    from templates_docx.services import templates_install_defaults

    templates_install_defaults(apps.get_model("templates_docx", "DocumentTemplate"))


class Migration(migrations.Migration):

    dependencies = [
        ('evidence', '0007_cross_examination'),
        ('templates_docx', '0011_payout_account'),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
