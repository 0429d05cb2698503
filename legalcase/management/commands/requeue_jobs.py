import time

from django.core.management.base import BaseCommand

from legalcase.jobs import jobs_requeue_stale


class Command(BaseCommand):
    help = "Send again the jobs that a lost message or a dead worker left behind."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds (0: once)")

    def handle(self, *args, every: int, **options):
        while True:
            count = jobs_requeue_stale()
            self.stdout.write(f"requeued {count} job(s)")
            if every <= 0:
                return
            time.sleep(every)
