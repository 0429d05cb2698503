"""Recompute every matter's deadlines now (the same work the holiday-table job does)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from legalcase.services.deadlines import RECOMPUTE_BATCH, deadlines_recompute_all


class Command(BaseCommand):
    help = "Recompute the deadlines of every matter; safe to run twice and to stop half-way."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=RECOMPUTE_BATCH, help="matters per transaction")
        parser.add_argument(
            "--processes", type=int, default=None, help="processes sharing the batches (default DEADLINE_PROCESSES)"
        )

    def handle(self, *args, batch: int, processes: int | None, **options):
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        processes = settings.DEADLINE_PROCESSES if processes is None else processes
        if processes < 1:
            raise CommandError("--processes must be at least 1")
        started = time.perf_counter()

        def progress(*, done: int, total: int) -> None:
            self.stdout.write(f"\r{done:,} / {total:,} matters", ending="")
            self.stdout.flush()

        counts = deadlines_recompute_all(batch=batch, processes=processes, progress=progress)
        self.stdout.write(
            f"\r{counts['matters']:,} matters in {time.perf_counter() - started:.1f} s: "
            f"{counts['created']:,} deadlines added, {counts['superseded']:,} superseded, "
            f"{counts['updated']:,} updated"
        )
