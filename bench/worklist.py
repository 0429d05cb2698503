#!/usr/bin/env python
"""The worklist with a million matters: its API and page beside the raw SQL.

ISSUE19 "Speed": "a worklist page at 1,000,000 matters: p95 under 200 ms with 10
clients". Run it on a copy of the bench database, never on ``fasu_bench`` itself:

    createdb -h 127.0.0.1 -U postgres -T fasu_bench fasu_bench_worklist
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fasu_bench_worklist python bench/worklist.py

This script

1. migrates the copy (``bench/matter_list.py``'s set-up; it refuses to refill a database
   whose count does not match) and, once, adds what a worklist ranks by, in SQL inside
   the database: a score for every open matter (``MatterScore``, rules kind, one of five
   reasons), a review with a recommendation for about 20% (``DebtorReview``, and the matter's
   copy of it), an open promise to pay for about 5% (a promise-to-pay ``Contact`` and its ``Promise``), with
   ``Matter.promise_due_on`` filled by the same statement as migration 0039, and two open
   tasks on about 5%;
2. serves the app with gunicorn (``config/gunicorn.py``: a sync worker per core, DEBUG=0) and sends the scenarios from 10
   client threads to the API and to the page, as counsel1 and as lawyer1 (an outside
   firm: about 27% of the matters);
3. prints p50/p95/max per scenario beside the same SQL replayed with psycopg2, and the
   in-process CPU per request (``time.process_time`` around a Django test ``Client``
   call), which the machine's load hardly changes; and ``uptime`` before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import matter_list  # noqa: E402  (the shared set-up and measuring helpers)

TARGET_P95_MS = 200.0
# Reasons as the score job words them (its own words may differ; the worklist shows the first).
REASONS = (
    '[{"code": "recent_payment", "text": "近90日有还款记录", "effect": "+"}]',
    '[{"code": "promise_broken", "text": "承诺还款已违约2次", "effect": "−"}]',
    '[{"code": "overdue_long", "text": "逾期已超过3年", "effect": "−"}]',
    '[{"code": "assets_found", "text": "已查到可供执行的财产", "effect": "+"}]',
    '[{"code": "contact_reached", "text": "近30日联系到债务人", "effect": "+"}]',
)
RECOMMENDATIONS = ("negotiate", "settle_with_reduction", "sue", "sue", "sue", "arbitrate", "payment_order", "sell", "write_off")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="measured requests per scenario (default 200)")
    parser.add_argument("--clients", type=int, default=10, help="concurrent client threads (default 10)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: config/gunicorn.py's)")
    parser.add_argument("--sql-runs", type=int, default=20, help="raw SQL repetitions per scenario (default 20)")
    parser.add_argument("--cpu-runs", type=int, default=20, help="in-process requests per scenario for CPU (default 20)")
    parser.add_argument("--only", default="", help="measure only the scenarios whose name contains this text")
    parser.add_argument("--fill-only", action="store_true", help="prepare the database, measure nothing")
    return parser.parse_args()


def fill_worklist_facts() -> None:
    """Scores, reviews, promises and tasks, once (skipped when reviews are there).

    Scores alone do not count: a schedule run against the copied database (a development
    server's in-process worker) leaves some, which once kept every other fact out.
    """
    from django.db import connection

    from legalcase.models import DebtorReview

    if DebtorReview.objects.exists():
        print("scores, reviews, promises and tasks already there: not adding")
        return
    reasons = "CASE m.id % 5 " + " ".join(f"WHEN {i} THEN '{text}'::jsonb" for i, text in enumerate(REASONS)) + " END"
    recommendation = (
        f"(ARRAY[{', '.join(repr(r) for r in RECOMMENDATIONS)}])[1 + ((m.id * 7) % {len(RECOMMENDATIONS)})]"
    )
    steps = [
        ("scores left by anything else", "DELETE FROM legalcase_matterscore"),
        (
            "scores for every open matter",
            f"""INSERT INTO legalcase_matterscore (matter_id, value, kind, computed_at, reasons)
                SELECT m.id, ((m.id * 2654435761) % 10000) / 10000.0, 'rules', now(), {reasons}
                FROM legalcase_matter m WHERE m.stage <> 'closed'""",
        ),
        (
            "reviews for 20% (a recommendation on 90% of them)",
            f"""INSERT INTO legalcase_debtorreview (matter_id, ability_to_pay, willingness, employment, assets_known,
                    willingness_facts, recommendation, recommendation_reason, screening, created_at, updated_at, reviewed_at)
                SELECT m.id, 'unknown', 'unknown', '', '', '',
                       CASE WHEN m.id % 50 < 9 THEN {recommendation} ELSE '' END, '批量评估', '{{}}'::jsonb, now(), now(), now()
                FROM legalcase_matter m WHERE m.id % 5 = 2""",
        ),
        (
            "Matter.recommendation (migration 0044's statement)",
            """UPDATE legalcase_matter SET recommendation = r.recommendation
               FROM legalcase_debtorreview r WHERE r.matter_id = legalcase_matter.id AND r.recommendation <> ''""",
        ),
        (
            "open promises to pay for 5% (a contact each)",
            """WITH made AS (
                   INSERT INTO legalcase_contact (channel, direction, third_party_name, third_party_relation,
                       third_party_purpose, contact_point, occurred_at, occurred_on, outcome, note, warnings,
                       override_rule, override_reason, request_digest, created_at, created_by_id, matter_id,
                       contact_point_digest)
                   SELECT 'phone', 'outbound', '', '', '', '', now() - interval '3 days', current_date - 3,
                          'promise_to_pay', '', '[]'::jsonb, '', '', '', now(), 1, m.id, ''
                   FROM legalcase_matter m WHERE m.stage <> 'closed' AND m.id % 20 = 7
                   RETURNING id, matter_id)
               INSERT INTO legalcase_promise (matter_id, contact_id, amount, promised_on, due_on, status, paid_amount)
               SELECT matter_id, id, 1000 + (matter_id % 50) * 100, current_date - 3,
                      current_date - 2 + ((matter_id * 7919) % 60)::int, 'open', 0
               FROM made""",
        ),
        (
            "Matter.promise_due_on (migration 0039's statement)",
            None,  # run through the ORM below
        ),
        (
            "two open tasks on 5%",
            """INSERT INTO legalcase_task (matter_id, title, action, due_on, owner_role, status, note, created_at, assignee_id, stage)
               SELECT m.id, t.title, '', current_date + (m.id % 10)::int, 'counsel', 'open', '', now(), m.owner_id, ''
               FROM legalcase_matter m CROSS JOIN (VALUES ('致电债务人'), ('寄送律师函')) AS t(title)
               WHERE m.stage <> 'closed' AND m.id % 20 = 11""",
        ),
    ]
    for label, sql in steps:
        started = time.perf_counter()
        if sql is None:
            fill_promise_due_on()
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        print(f"  {label}: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("legalcase_matterscore", "legalcase_debtorreview", "legalcase_promise", "legalcase_task", "legalcase_matter"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    print(f"  VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")


def fill_promise_due_on() -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("legalcase.migrations.0039_matter_promise_due_on")
    migration.fill_promise_due_on(apps, None)


def session_for(username: str) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from legalcase.models import User

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def token_for(username: str) -> str:
    from legalcase.authentication import token_issue
    from legalcase.models import User

    return token_issue(user=User.objects.get(username=username))[0]


def scenarios() -> list[tuple[str, str, dict]]:
    from legalcase.models import User

    owner = User.objects.get(username="counsel2").pk
    return [
        ("default (-score)", "counsel1", {}),
        ("recommendation=sue", "counsel1", {"recommendation": "sue"}),
        ("stage=enforcement", "counsel1", {"stage": "enforcement"}),
        ("ordering=promise_due_on", "counsel1", {"ordering": "promise_due_on"}),
        ("ordering=limitation_expires_on", "counsel1", {"ordering": "limitation_expires_on"}),
        ("ordering=-outstanding_total", "counsel1", {"ordering": "-outstanding_total"}),
        (f"owner={owner} (counsel2)", "counsel1", {"owner": owner}),
        ("firm lawyer (lawyer1)", "lawyer1", {}),
        ("firm lawyer, recommendation=sue", "lawyer1", {"recommendation": "sue"}),
    ]


def in_process_cpu(path: str, headers: dict, runs: int) -> tuple[float, float]:
    """Median CPU and wall ms of one request served in this process (Django's test Client, DEBUG=0)."""
    from django.test import Client

    extra = {"HTTP_HOST": "127.0.0.1"}
    client = Client()
    if "Authorization" in headers:
        extra["HTTP_AUTHORIZATION"] = headers["Authorization"]
    if "Cookie" in headers:
        name, _, value = headers["Cookie"].partition("=")
        client.cookies[name] = value
    client.get(path, **extra)
    cpu, wall = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(path, **extra)
        cpu.append((time.process_time() - cpu_started) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(cpu), statistics.median(wall)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    args = parse_args()
    url = matter_list.configure_environment()
    if url.rstrip("/").endswith("/fasu_bench"):
        sys.exit("bench: run on a copy of fasu_bench (createdb -T fasu_bench fasu_bench_NAME), never on it")
    sys.path.insert(0, str(matter_list.ROOT))
    os.chdir(matter_list.ROOT)
    import django

    django.setup()
    from django.core.management import call_command

    from legalcase.models import Matter

    print("migrating ...")
    call_command("migrate", verbosity=0, interactive=False)
    print(f"{Matter.objects.count():,} matters; adding the worklist's facts ...")
    fill_worklist_facts()
    if args.fill_only:
        return
    port = matter_list.free_port()
    args.workers = args.workers or matter_list.config_workers()
    print(f"starting gunicorn on 127.0.0.1:{port} with {args.workers} sync workers (DEBUG=0) ...")
    server = matter_list.start_server(port, args.workers, "config.wsgi:application")
    load_before = uptime()
    rows, details = [], []
    try:
        credentials = {name: (token_for(name), session_for(name)) for name in ("counsel1", "lawyer1")}
        for name, user, params in scenarios():
            if args.only not in name:
                continue
            token, cookie = credentials[user]
            query = ("?" + urlencode(params)) if params else ""
            for kind, path, headers in (
                ("API", f"/api/v1/worklists/{query}", {"Authorization": f"Token {token}", "Accept": "application/json"}),
                ("page", f"/worklist/{query}", {"Cookie": cookie, "Accept": "text/html"}),
            ):
                matter_list.load(port, path, headers, total=max(20, args.clients * 2), clients=args.clients)
                time.sleep(0.3)
                _, offset = matter_list.server_times(0)
                started = time.perf_counter()
                latencies, statuses, sample = matter_list.load(port, path, headers, total=args.requests, clients=args.clients)
                wall = time.perf_counter() - started
                time.sleep(0.3)
                worker_ms, _ = matter_list.server_times(offset)
                count = ""
                if kind == "API" and sample:
                    import json

                    data = json.loads(sample)
                    count = f"{data.get('count'):,}" + (" (est.)" if data.get("count_is_estimate") else "")
                cpu, solo = in_process_cpu(path, headers, args.cpu_runs)
                queries = matter_list.captured_sql(path, headers)
                totals, each = matter_list.time_sql(queries, args.sql_runs)
                rows.append((name, kind, statuses, count, len(latencies) / wall, latencies, worker_ms, cpu, solo, queries, totals))
                for sql, times in each.items():
                    details.append((name, kind, " ".join(sql.split())[:90], statistics.median(times)))
    finally:
        server.terminate()
        server.wait(timeout=30)
    load_after = uptime()
    report(args, rows, details, load_before, load_after)


def report(args, rows, details, load_before, load_after) -> None:
    pct = matter_list.percentile
    print()
    print(f"Worklist, {args.clients} clients, {args.requests} requests per scenario, gunicorn {args.workers} sync workers, {os.cpu_count()} CPUs")
    print(f"load before: {load_before}")
    print(f"load after:  {load_after}")
    header = (
        "scenario", "via", "status", "count", "req/s", "p50 ms", "p95 ms", "max ms", "worker p50", "worker p95",
        "cpu/req ms", "alone ms", "SQL q", "SQL p50 ms", "",
    )  # fmt: skip
    table = []
    for name, kind, statuses, count, rate, lat, worker, cpu, solo, queries, totals in rows:
        ok = set(statuses) == {200}
        verdict = ("ok" if pct(lat, 0.95) <= TARGET_P95_MS else "OVER") if ok else "-"
        table.append(
            (
                name, kind, ",".join(f"{c}x{n}" for c, n in sorted(statuses.items())), count, f"{rate:.0f}",
                f"{pct(lat, 0.5):.1f}", f"{pct(lat, 0.95):.1f}", f"{max(lat):.1f}",
                f"{pct(worker, 0.5):.1f}" if worker else "-", f"{pct(worker, 0.95):.1f}" if worker else "-",
                f"{cpu:.1f}", f"{solo:.1f}", str(len(queries)), f"{statistics.median(totals):.2f}" if totals else "-", verdict,
            )
        )  # fmt: skip
    matter_list.print_table(header, table)
    print(
        "p50/p95/max: as the 10 clients saw it. worker: gunicorn's own time per request. cpu/req: CPU of one request "
        "served in this process (Django test Client, DEBUG=0), median; alone: its wall time. SQL: the SELECTs of one "
        f"request replayed raw with psycopg2, median of {args.sql_runs} runs (the raw limit). Target: p95 under "
        f"{TARGET_P95_MS:.0f} ms."
    )
    print()
    print("Per query (raw, median ms):")
    matter_list.print_table(("scenario", "via", "query", "ms"), [(n, k, q, f"{ms:.2f}") for n, k, q, ms in details if ms >= 0.5])


if __name__ == "__main__":
    main()
