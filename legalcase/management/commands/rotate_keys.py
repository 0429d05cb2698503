"""Encrypt again, under the first FIELD_ENCRYPTION_KEYS key, every value written under another."""

import time

from django.core.management.base import BaseCommand, CommandError

from legalcase import crypto
from legalcase.services.encryption import ROTATE_BATCH, keys_in_use, keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt personal data under the first key of FIELD_ENCRYPTION_KEYS, in batches; "
        "safe to stop and run again. Exits 0 when no older key is in use."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=ROTATE_BATCH, help="rows per transaction")
        parser.add_argument("--check", action="store_true", help="only count the rows under older keys")

    def handle(self, *args, batch: int, check: bool, **options):
        started = time.perf_counter()
        self.stdout.write(f"Writing key: {crypto.current_key_id()}")
        if not check:

            def progress(label: str, done: int, total: int) -> None:
                self.stdout.write(f"{label}: {done:,} / {total:,} rows re-encrypted")
                self.stdout.flush()

            try:
                rewritten = keys_rotate(batch=max(batch, 1), progress=progress)
            except crypto.DecryptionError as exc:
                raise CommandError(f"{exc}: add that key to FIELD_ENCRYPTION_KEYS (after the first) and run again") from None
            self.stdout.write(f"{rewritten:,} rows re-encrypted in {time.perf_counter() - started:.1f} s")
        left = keys_in_use()
        if left:
            listing = ", ".join(f"{label} {count:,}" for label, count in left.items())
            raise CommandError(f"rows under an older key: {listing}")
        self.stdout.write("No older key is in use.")
