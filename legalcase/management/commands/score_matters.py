"""Score every open matter's recovery likelihood now (the schedule does it daily)."""

import datetime as dt
import time

from django.core.management.base import BaseCommand

from legalcase.services.scoring import score_all


class Command(BaseCommand):
    help = (
        "Compute the recovery likelihood of every matter not closed with the active model "
        "(the rule-based score without one). Nothing automatic reads the scores."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, help="the scoring day (YYYY-MM-DD); default today")

    def handle(self, *args, today=None, **options):
        started = time.perf_counter()

        def report(*, done: int, total: int | None = None, result=None):
            self.stdout.write(f"  {done:,} / {total:,} matters scored ({time.perf_counter() - started:.1f} s)")

        timings: dict = {}
        outcome = score_all(today, report=report, timings=timings)
        model = f"model v{outcome['model']}" if outcome["model"] else "no model"
        self.stdout.write(
            f"{outcome['scored']:,} matters scored ({outcome['kind']}, {model}) in {time.perf_counter() - started:.1f} s "
            f"(facts {timings['features']:.1f} s, predict {timings['predict']:.1f} s, write {timings['write']:.1f} s); "
            f"{outcome['removed']:,} scores of closed matters removed."
        )
