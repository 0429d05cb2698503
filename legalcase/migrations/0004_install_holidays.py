"""Install the State Council holiday schedules from the ``chinesecalendar`` package.

Rows already present (an administrator's edits) are left alone; reversing removes
nothing, since the table may have been edited since.
"""

from django.db import migrations


def install_holidays(apps, schema_editor):
    import chinese_calendar

    Holiday = apps.get_model("legalcase", "Holiday")
    existing = set(Holiday.objects.values_list("date", flat=True))
    rows = [
        Holiday(date=day, is_rest_day=True, name=str(name or "")[:100])
        for day, name in chinese_calendar.holidays.items()
        if day not in existing
    ] + [
        # 调休: a weekend day that is a working day.
        Holiday(date=day, is_rest_day=False, name=str(name or "")[:100])
        for day, name in chinese_calendar.workdays.items()
        if day.weekday() >= 5 and day not in existing
    ]
    Holiday.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("legalcase", "0003_intake_deadlines")]

    operations = [migrations.RunPython(install_holidays, migrations.RunPython.noop)]
