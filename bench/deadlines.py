#!/usr/bin/env python
"""Recomputing the deadlines of a million matters: Fasu's engine beside the raw reads.

DESIGN.md, Budgets: "deadline scan: 1M matters in under 60 s". This script

1. prepares the database exactly as ``bench/matter_list.py`` does (``--matters``
   matters with debts, debtors, guarantors and assignments through COPY; reused when
   it already holds that many);
2. adds, once, the other facts the engine reads: delivered demand records for about a
   third of the debts (one to three each) and a confirmed ruling for the matters at
   judgment, enforcement, 终本 or settled stages, through COPY;
3. computes every matter's deadlines once if none are stored (timed: the first
   computation writes every row);
4. measures, each over every matter, with ``deadlines_recompute_all`` (the code the
   holiday-table job and ``manage.py recompute_deadlines`` run):
   - **steady**: nothing changed, every date is computed again and compared, nothing
     is written; once in one process and once with ``DEADLINE_PROCESSES`` (2);
   - **calendar**: the same with a holiday calendar that marks 2029 verified and adds
     rest days, so a share of the dates move or change their "verified" flag and
     are superseded by new rows; the rows this wrote are then taken back, so every
     run starts from the same state;
5. prints beside them the raw limit measured in the same run: the same reads of the
   same batches through psycopg2 alone, one process (no Django, no computing, nothing
   written).

Run on demand; not part of the test suite:

    .venv/bin/python bench/deadlines.py                  # 1,000,000 matters
    .venv/bin/python bench/deadlines.py --matters 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import matter_list  # noqa: E402  (the shared set-up: environment, database, COPY fill)

TARGET_SECONDS = 60.0
SEED = 7
RULING_STAGES = ("judgment", "enforcement", "enforcement_terminated", "settled")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--matters", type=int, default=1_000_000, help="matters in the database (default 1,000,000)")
    parser.add_argument("--batch", type=int, default=None, help="matters per transaction (default: the engine's)")
    parser.add_argument("--processes", type=int, default=None, help="processes (default: DEADLINE_PROCESSES, 2)")
    parser.add_argument("--refill", action="store_true", help="empty and fill again even if the count matches")
    return parser.parse_args()


def copy_rows(cursor, table: str, columns: tuple[str, ...], rows) -> int:
    buffer, count = io.StringIO(), 0
    for row in rows:
        buffer.write("\t".join(r"\N" if value is None else str(value) for value in row) + "\n")
        count += 1
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
    return count


def add_facts() -> None:
    """Delivered demands and confirmed rulings, once (the matter-list fill writes neither)."""
    from django.db import connection

    from legalcase.models import DemandRecord, Ruling

    if Ruling.objects.exists() or DemandRecord.objects.exists():
        print("demands and rulings already present: not adding")
        return
    started = time.perf_counter()
    rng = random.Random(SEED)
    now = dt.datetime.now(dt.UTC).isoformat()
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        cursor.execute(
            "SELECT m.id, m.debt_id, m.stage, d.overdue_since FROM legalcase_matter m "
            "JOIN legalcase_debt d ON d.id = m.debt_id ORDER BY m.id"
        )
        matters = cursor.fetchall()
        demands, rulings = [], []
        for matter_id, debt_id, stage, overdue_since in matters:
            if rng.random() < 0.33:
                for n in range(rng.randint(1, 3)):
                    day = overdue_since + dt.timedelta(days=30 + 200 * n + rng.randint(0, 60))
                    demands.append((debt_id, day, "letter", "true", "", now))
            if stage in RULING_STAGES:
                served = overdue_since + dt.timedelta(days=rng.randint(200, 700))
                appealable = rng.random() < 0.8
                rulings.append(
                    (matter_id, "{}", "judgment", appealable, served, served - dt.timedelta(days=10),
                     rng.choice((10, 10, 15, 30)), True, "{}", now, now)
                )  # fmt: skip
        count_demands = copy_rows(
            cursor,
            "legalcase_demandrecord",
            ("debt_id", "date", "channel", "delivered", "note", "created_at"),
            demands,
        )
        count_rulings = copy_rows(
            cursor,
            "legalcase_ruling",
            ("matter_id", "reading", "kind", "appealable", "served_on", "decided_on", "performance_days",
             "confirmed", "corrections", "created_at", "confirmed_at"),
            rulings,
        )  # fmt: skip
        cursor.execute("VACUUM (ANALYZE) legalcase_demandrecord")
        cursor.execute("VACUUM (ANALYZE) legalcase_ruling")
    print(
        f"added {count_demands:,} delivered demands and {count_rulings:,} confirmed rulings "
        f"in {time.perf_counter() - started:.1f} s"
    )


def vacuum_deadlines() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) legalcase_deadline")


def raw_reads(batch: int) -> tuple[float, int]:
    """The engine's reads, batch by batch, through psycopg2 alone: the floor for any recompute."""
    from django.db import connection

    queries = (
        "SELECT m.id, m.debt_id, d.matured_on, d.overdue_since, d.last_payment_date FROM legalcase_matter m "
        "JOIN legalcase_debt d ON d.id = m.debt_id WHERE m.id BETWEEN %(first)s AND %(last)s",
        "SELECT r.debt_id, r.date FROM legalcase_demandrecord r JOIN legalcase_matter m ON m.debt_id = r.debt_id "
        "WHERE m.id BETWEEN %(first)s AND %(last)s AND r.delivered",
        "SELECT g.debt_id, g.guarantor_id, g.guarantee_period_ends_on FROM legalcase_guarantee g "
        "JOIN legalcase_matter m ON m.debt_id = g.debt_id WHERE m.id BETWEEN %(first)s AND %(last)s ORDER BY g.id",
        "SELECT matter_id, kind, appealable, served_on, decided_on, performance_days FROM legalcase_ruling "
        "WHERE matter_id BETWEEN %(first)s AND %(last)s AND confirmed ORDER BY matter_id, confirmed_at, id",
        "SELECT matter_id, kind, fee_notice_received_on, measures_taken_on, closed_on FROM legalcase_proceeding "
        "WHERE matter_id BETWEEN %(first)s AND %(last)s AND ((fee_notice_received_on IS NOT NULL AND closed_on IS NULL) "
        "OR (kind = 'pre_suit_preservation' AND measures_taken_on IS NOT NULL)) ORDER BY matter_id, created_at, id",
        "SELECT matter_id, notice_received_on FROM legalcase_cost WHERE matter_id BETWEEN %(first)s AND %(last)s "
        "AND notice_received_on IS NOT NULL",
        "SELECT r.matter_id, r.received_on FROM legalcase_recovery r WHERE r.matter_id BETWEEN %(first)s AND %(last)s "
        "AND r.amount > 0 AND NOT EXISTS (SELECT 1 FROM legalcase_recovery c WHERE c.reverses_id = r.id)",
        "SELECT matter_id, id, kind, started_on, expires_on, expiry_stated, listing_ground, ends_on "
        "FROM legalcase_enforcementaction WHERE matter_id BETWEEN %(first)s AND %(last)s AND status = 'active'",
        "SELECT id, matter_id, kind, party_id, due_on, rule, verified_calendar, basis_digest, status, "
        "overridden_at, computed_on, enforcement_action_id, sequence FROM legalcase_deadline "
        "WHERE matter_id BETWEEN %(first)s AND %(last)s AND superseded_at IS NULL",
    )
    started, rows, last = time.perf_counter(), 0, 0
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        while True:
            cursor.execute("SELECT id FROM legalcase_matter WHERE id > %s ORDER BY id LIMIT %s", [last, batch])
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                break
            for sql in queries:
                cursor.execute(sql, {"first": ids[0], "last": ids[-1]})
                rows += len(cursor.fetchall())
            last = ids[-1]
    return time.perf_counter() - started, rows


def changed_calendar():
    """The installed calendar with 2029 made verified and a week of invented rest days."""
    from dataclasses import replace

    from legalcase.models import holiday_calendar

    calendar = holiday_calendar()
    extra = {dt.date(2029, 1, 1) + dt.timedelta(days=n) for n in range(0, 365, 9)}
    return replace(calendar, holidays=calendar.holidays | extra, verified_years=calendar.verified_years | {2029})


def take_back(since: dt.datetime) -> None:
    """Undo what a measured run wrote: drop its new rows and make the rows it superseded current."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM legalcase_deadline WHERE created_at >= %s", [since])
        cursor.execute("UPDATE legalcase_deadline SET superseded_at = NULL WHERE superseded_at >= %s", [since])


def timed(label: str, **kwargs) -> tuple[str, float, dict]:
    from legalcase.services.deadlines import deadlines_recompute_all

    shown = [0]

    def progress(*, done: int, total: int) -> None:
        if done - shown[0] >= total / 20 or done == total:  # every 5 %
            shown[0] = done
            print(f"\r  {label}: {done:,} / {total:,}", end="", flush=True)

    started = time.perf_counter()
    counts = deadlines_recompute_all(progress=progress, **kwargs)
    seconds = time.perf_counter() - started
    print(f"\r  {label}: {counts['matters']:,} matters in {seconds:.1f} s{' ' * 20}")
    return label, seconds, counts


def main() -> None:
    args = parse_args()
    url = matter_list.configure_environment()
    matter_list.ensure_database(url)
    import django

    django.setup()
    from django.conf import settings
    from django.utils import timezone

    from legalcase.models import Deadline
    from legalcase.services.deadlines import RECOMPUTE_BATCH

    batch = args.batch or RECOMPUTE_BATCH
    processes = args.processes or settings.DEADLINE_PROCESSES
    matter_list.prepare(args.matters, args.refill)
    add_facts()
    results = []
    if not Deadline.objects.filter(superseded_at__isnull=True).exists():
        results.append(timed("first computation (writes every row)", batch=batch, processes=processes))
        vacuum_deadlines()
    results.append(timed("steady, 1 process", batch=batch))
    results.append(timed(f"steady, {processes} processes", batch=batch, processes=processes))
    since = timezone.now()
    results.append(
        timed(f"calendar changed, {processes} processes", batch=batch, processes=processes, calendar=changed_calendar())
    )
    take_back(since)
    vacuum_deadlines()
    raw_seconds, raw_rows = raw_reads(batch)

    matters = results[-1][2]["matters"]
    print()
    print(f"{'run':40} {'seconds':>8} {'matters/s':>10} {'added':>10} {'superseded':>11} {'updated':>9}")
    for label, seconds, counts in results:
        print(
            f"{label:40} {seconds:8.1f} {counts['matters'] / seconds:10,.0f} {counts['created']:10,} "
            f"{counts['superseded']:11,} {counts['updated']:9,}"
        )
    print(f"{'raw reads, psycopg2 (same batches)':40} {raw_seconds:8.1f} {matters / raw_seconds:10,.0f}   ({raw_rows:,} rows)")
    steady = results[-2][1]  # the steady run with the production number of processes
    verdict = "within" if steady < TARGET_SECONDS * matters / 1_000_000 else "OVER"
    print(f"\nbudget: {TARGET_SECONDS:.0f} s per 1,000,000 matters; steady run {verdict} budget "
          f"({steady * 1_000_000 / matters:.1f} s per million)")  # fmt: skip
    print(json.dumps({"matters": matters, "results": {label: round(s, 2) for label, s, _ in results},
                      "raw_reads": round(raw_seconds, 2)}))  # fmt: skip


if __name__ == "__main__":
    main()
