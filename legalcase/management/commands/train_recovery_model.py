"""Fit the recovery likelihood model on the recorded outcomes now (the schedule does it weekly)."""

import datetime as dt
import time

from django.core.management.base import BaseCommand

from legalcase.services.scoring import SNAPSHOTS, train_recovery_model


class Command(BaseCommand):
    help = (
        "Fit a new recovery likelihood model (scikit-learn logistic regression) on past snapshots and make it "
        "the active one; with too little history the rule-based score is recorded instead. "
        "--score scores every open matter with it afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, help="the training day (YYYY-MM-DD); default today")
        parser.add_argument("--score", action="store_true", help="then score every open matter")

    def handle(self, *args, today=None, score=False, **options):
        started = time.perf_counter()

        def report(*, done: int, total: int | None = None, result=None):
            self.stdout.write(f"  snapshot {done} of {total or SNAPSHOTS} gathered ({time.perf_counter() - started:.1f} s)")

        model = train_recovery_model(today, report=report)
        self.stdout.write(
            f"model v{model.version} ({model.kind}): {model.sample_size:,} snapshots, {model.positives:,} recovered "
            f"within {model.horizon_days} days; AUC {model.auc or '—'} (baseline {model.baseline_auc or '—'}), "
            f"Brier {model.brier or '—'} (baseline {model.baseline_brier or '—'}) in {time.perf_counter() - started:.1f} s"
        )
        if model.note:
            self.stdout.write(f"  {model.note}")
        if score:
            from django.core.management import call_command

            call_command("score_matters", *([f"--today={today.isoformat()}"] if today else []), stdout=self.stdout)
