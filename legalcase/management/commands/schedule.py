"""``python manage.py schedule``: the periodic work, when each entry last ran and runs next.

The schedule itself runs inside the worker processes (``legalcase/schedule.py``); this
only shows it, in Beijing time, for the operator.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from legalcase.schedule import schedule_status


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "never"


class Command(BaseCommand):
    help = "List the schedule's entries with their last run (who took it, its job's state) and next tick."

    def handle(self, *args, **options):
        self.stdout.write(f"{'entry':<24}{'cron':<14}{'last tick':<18}{'taken by':<28}{'job':<14}next tick")
        for row in schedule_status():
            status = row["last_status"] or ("-" if row["resolved"] else "not deployed")
            self.stdout.write(
                f"{row['entry']:<24}{row['cron']:<14}{_local(row['last_tick']):<18}"
                f"{row['last_taken_by'] or '-':<28}{status:<14}{_local(row['next_tick'])}"
            )
