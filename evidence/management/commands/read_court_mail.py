"""Read the court mailbox now (as the schedule does every ten minutes): ``manage.py read_court_mail``."""

from __future__ import annotations

import imaplib

from django.core.management.base import BaseCommand, CommandError

from evidence.court_mail import court_mail_read


class Command(BaseCommand):
    help = "Read the court notices in the court mailbox (COURT_MAIL_*), each message once."

    def handle(self, *args, **options):
        try:
            result = court_mail_read()
        except (imaplib.IMAP4.error, OSError) as exc:
            raise CommandError(f"cannot read the court mailbox: {exc}") from None
        if "skipped" in result:
            self.stdout.write(f"not read: {result['skipped']}")
            return
        self.stdout.write(
            f"{result['messages']} new messages, {result['new_notices']} new notices "
            f"({result['notices']} in all), {result['refused']} refused"
        )
