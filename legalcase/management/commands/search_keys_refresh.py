"""Digest every party's identity number and phones again (after SEARCH_DIGEST_KEYS or SECRET_KEY changed)."""

import time

from django.core.management.base import BaseCommand

from legalcase.services.search import party_keys_refresh_all


class Command(BaseCommand):
    help = "Rebuild the search digests of identity numbers and phones; safe to run again and to stop half-way."

    def handle(self, *args, **options):
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"\r{done:,} / {total:,} parties", ending="")
            self.stdout.flush()

        changed = party_keys_refresh_all(progress=progress)
        self.stdout.write(f"\r{changed:,} search keys added or removed in {time.perf_counter() - started:.1f} s")
