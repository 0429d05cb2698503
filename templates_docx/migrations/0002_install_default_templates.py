"""Install the shipped filing templates (templates_docx/defaults), as API.md's "Operations" asks."""

from django.db import migrations


def install(apps, schema_editor):
    from templates_docx.services import templates_install_defaults

    templates_install_defaults(apps.get_model("templates_docx", "DocumentTemplate"))


def remove(apps, schema_editor):
    DocumentTemplate = apps.get_model("templates_docx", "DocumentTemplate")
    DocumentTemplate.objects.filter(uploaded_by__isnull=True, documents__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("templates_docx", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
