"""The daily deadline job by hand: in-app notifications and the e-mail digest.

The schedule (``legalcase/schedule.py``) runs it every day at 07:00 Beijing time in
the workers; this command is for a day to run again or a given date. Running it twice
on a day notifies and mails nothing new; a digest whose sending failed is tried again
by the next run.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from legalcase.services.notifications import deadlines_daily


class Command(BaseCommand):
    help = "Notify users of deadlines overdue or due within 7 days and e-mail the daily digest."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run for, YYYY-MM-DD (default: today)")

    def handle(self, *args, date: str | None, **options):
        try:
            today = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(f"--date: expected YYYY-MM-DD, got {date!r}") from None
        counts = deadlines_daily(today=today)
        self.stdout.write(
            "users {users}, new notifications {notifications}, e-mails sent {emails}, "
            "e-mails failed {email_failures}".format(**counts)
        )
        if counts["email_failures"]:
            self.stderr.write("some digests failed; the next run tries them again")
