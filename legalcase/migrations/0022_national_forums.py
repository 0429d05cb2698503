"""Install the national table of courts and arbitration commissions (legalcase.courts).

Rows already there (installed by 0007 or added by a user) keep their id, address and
level. Reversing removes only rows this added that no matter or proceeding uses and
that nobody edited (no address, still active).
"""

import importlib

from django.db import migrations


def install(apps, schema_editor):
    from legalcase.courts import load_forums

    load_forums(apps.get_model("legalcase", "Forum"))


def remove(apps, schema_editor):
    from legalcase.courts import national_forums

    earlier = {row[1] for row in importlib.import_module("legalcase.migrations.0007_install_forums").FORUMS}
    Forum = apps.get_model("legalcase", "Forum")
    names = [row.name for row in national_forums() if row.name not in earlier]
    Forum.objects.filter(
        name__in=names, address="", active=True, matters__isnull=True, proceedings__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("legalcase", "0021_list_sort_indexes")]

    operations = [migrations.RunPython(install, remove)]
