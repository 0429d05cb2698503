#!/usr/bin/env python
"""The asset managers' dashboard over a million matters: Fasu's figures beside the same SQL run raw.

Issue 9: "all figures come from aggregate queries ... it must stay usable at 1,000,000
matters". This script

1. prepares its own PostgreSQL database (``fasu_bench_dashboard`` unless ``DATABASE_URL``
   says otherwise; loopback only) exactly as ``bench/matter_list.py`` does: ``--matters``
   matters with debts, debtors, guarantors, firms and current assignments through COPY,
   reused when it already holds that many;
2. adds once, in SQL (``INSERT ... SELECT`` with a fixed seed), what the dashboard reads
   beyond that: five portfolios over five sixths of the debts; recoveries on matters
   from judgment on (one or two each, within the last two years) with the matters'
   running totals; a first filing per assigned matter from litigation on (5-85 days
   after the assignment) and a preservation on one in ten; a confirmed judgment
   60-200 days after the filing from judgment on; asset leads, freezes of deposits
   (expiring within the next year), 失信, 限高 and auctions on matters in enforcement;
3. times, warm, ``--runs`` times each: every table of ``dashboard_figures`` for counsel
   (the whole book), the page's full set, a lawyer's own scorecard, and a filtered
   board (one portfolio); beside each, the very SQL Django sent (captured) replayed
   with psycopg2 in the same run: the floor for that query plan without the ORM.

Measured 2026-11-22 on the 2-core machine (PostgreSQL on the same machine, other work
running beside it), 1,000,000 matters, 737,348 assignments, 825,351 recoveries, 766,388
proceedings, 495,206 rulings, 483,430 enforcement actions; median of 2 warm runs:

| figure | queries | ms | raw SQL ms |
|---|---|---|---|
| recoveries by month | 1 | 296 | 279 |
| the four tables over matters (one GROUP BY) | 1 | 3,214 | 3,415 |
| lapsing (counts + 20 a band) | 4 | 13 | 4 |
| firm scorecards, all firms | 9 | 15,253 | 14,881 |
| whole board, counsel | 18 | 16,412 | 21,020 |
| whole board, one portfolio | 18 | 12,094 | 12,514 |
| a lawyer's own scorecard | 9 | 7,291 | 7,676 |

Django adds nothing measurable: the time is the plans'. The scorecards dominate (two
correlated first-date subqueries per assignment, about 2.5 s each; joins of 0.8 million
recoveries and 0.7 million assignments through matters, 2.5 s; the claim of distinct
matters per firm, 2.7 s). The whole board is over the 2 s budget at this size: a
summary table refreshed by a job (or materialised views) is the next step.

What worked (issue 19 item 5, ``services.kpi``), measured 2026-12-07 on a copy of the
integrator's 1,000,000-matter database with this script's facts plus ``KPI_FACTS``:
1,000,000 contacts, 100,000 promises, 142,857 delivered demands, 799,624 costs, 450,098
tasks, 5,000 complaints, 333,333 plans, 184,337 invoices over the last 400 days; 825,351
recoveries, half voluntary. "This month" was 2026-12-01 to 12-07 (7,651 recoveries, about
17,500 contacts); "this year" 2026-01-01 to 12-07 (401,818 recoveries). The machine's load
average was 8 to 15 on its 2 cores (other sessions' tests and benches): median of 3 runs,
cold figures (what the first viewer of a new range waits for; the schedule keeps this
month's and every range viewed that day):

| figure | queries | ms | raw SQL ms |
|---|---|---|---|
| staff, this month | 8 | 731 | 907 |
| by channel, this month | 1 | 353 | 299 |
| by strategy, this month | 2 | 124 | 84 |
| cost to collect, this month | 7 | 587 | 537 |
| the four, one portfolio, this month | 17 | 6,169 | 4,832 |
| staff, this year | 8 | 2,342 | 1,303 |
| by channel, this year | 1 | 4,422 | 4,905 |
| by strategy, this year | 2 | 2,835 | 3,284 |
| cost to collect, this year | 7 | 10,582 | 11,960 |
| whole board, a viewer (kept, with the four) | 16 | 509 | 374 |
| the page /dashboard/, a viewer | - | 683 | - |

The range tables are indexed reads of the range's rows (``received_on``, ``occurred_on``,
``incurred_on``, ``issued_on``, ``done_at``): a week is under a second each; a year is
seconds (the channel of 400,000 recoveries is two index lookups each), and a portfolio
filter joins every matter to its debt (matters owned, and the scope of each table): both
are for the schedule to keep, not for a viewer to wait for.

The channel, strategy and cost tables summed from day rows (``DashboardDay``, 0041),
measured 2026-12-07 10:55-11:05 UTC on a fresh copy of the integrator's database with the
same facts (the full test suite ran beside it with ``-n 2``: load average 5.4 to 7.6 on the
2 cores), median of 3 runs, a range nobody viewed (no snapshot), its past days built:

| figure | queries | ms | raw SQL ms |
|---|---|---|---|
| building a year of day rows (once; 43,595 rows) | - | 18,600 | - |
| the schedule's day refresh, nothing new | 9 | 10 | - |
| by channel, this year | 12 | 117 | 73 |
| by strategy, this year | 13 | 72 | 43 |
| cost to collect, this year | 13 | 78 | 67 |
| the three, one portfolio, this month | 37 | 248 | 121 |
| the three, one portfolio, this year | 37 | 245 | 208 |
| whole board, a viewer of a new year range | 89 | 2,169 | 2,161 |

Each read recomputes today's day (its facts still arrive), most of the queries above. The
viewer's board still computes the staff table from the dated rows (about 1 s for a year,
warm: contacts, promises and the owners' recoveries are a quarter to a third of a second
each) and reads the as-of-today tables (lapsing, broken promises) live.

Run on demand; not part of the test suite:

    .venv/bin/python bench/dashboard.py                    # 1,000,000 matters
    .venv/bin/python bench/dashboard.py --matters 100000 --runs 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import matter_list  # noqa: E402  (the shared set-up: environment, database, COPY fill)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fasu_bench_dashboard"
BUDGET_SECONDS = 2.0  # the whole board for counsel from cold: a page a manager waits for
PORTFOLIOS = (
    "2024年第一批不良资产包",
    "2024年第二批不良资产包",
    "2025年信用卡资产包",
    "2025年消费贷资产包",
    "2026年第一批资产包",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--matters", type=int, default=1_000_000, help="matters in the database (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each figure (default 5)")
    parser.add_argument("--refill", action="store_true", help="empty and fill again even if the count matches")
    parser.add_argument("--only", default="", help="time only the figures whose label contains this text")
    return parser.parse_args()


FACTS = (
    # Portfolios over five sixths of the debts.
    "UPDATE legalcase_debt d SET portfolio_id = p.id FROM "
    "(SELECT id, row_number() OVER (ORDER BY id) AS n FROM legalcase_portfolio) p WHERE p.n = d.id %% 6",
    # Recoveries from judgment on, within the last two years, all to principal (enough for the figures).
    "INSERT INTO legalcase_recovery (matter_id, amount, received_on, source, reference, allocated_costs, "
    "allocated_interest, allocated_principal, request_digest, reason, created_at) "
    "SELECT m.id, r.amount, %(today)s::date - (random() * 700)::int, 'enforcement', '', 0, 0, r.amount, '', '', now() "
    "FROM legalcase_matter m JOIN legalcase_debt d ON d.id = m.debt_id "
    "CROSS JOIN LATERAL generate_series(1, 1 + (m.id %% 2)) n "
    "CROSS JOIN LATERAL (SELECT round((d.principal * (0.02 + random() * 0.15))::numeric, 2) AS amount) r "
    "WHERE m.stage IN ('judgment', 'enforcement', 'enforcement_terminated', 'settled', 'closed') AND n.n > 0",
    "UPDATE legalcase_matter m SET recovered_principal = s.total FROM "
    "(SELECT matter_id, sum(amount) AS total FROM legalcase_recovery GROUP BY matter_id) s WHERE m.id = s.matter_id",
    # A first filing per assigned matter from litigation on; a preservation on one in ten.
    "INSERT INTO legalcase_proceeding (matter_id, kind, case_number, filed_on, judge, clerk, contact_phone, outcome, "
    "created_at) SELECT a.matter_id, CASE WHEN m.stage = 'arbitration' THEN 'arbitration' ELSE 'first_instance' END, "
    "'', (a.started_at AT TIME ZONE 'Asia/Shanghai')::date + 5 + (random() * 80)::int, '', '', '', '', now() "
    "FROM legalcase_assignment a JOIN legalcase_matter m ON m.id = a.matter_id "
    "WHERE m.stage NOT IN ('intake', 'pre_litigation', 'preservation')",
    "INSERT INTO legalcase_proceeding (matter_id, kind, case_number, filed_on, judge, clerk, contact_phone, outcome, "
    "created_at) SELECT a.matter_id, 'preservation', '', "
    "(a.started_at AT TIME ZONE 'Asia/Shanghai')::date + 3 + (random() * 30)::int, '', '', '', '', now() "
    "FROM legalcase_assignment a WHERE a.matter_id %% 10 = 3",
    # A confirmed judgment 60-200 days after the filing, from judgment on.
    "INSERT INTO legalcase_ruling (matter_id, reading, kind, decided_on, confirmed, confirmed_at, corrections, created_at) "
    "SELECT p.matter_id, '{}', 'judgment', p.filed_on + 60 + (random() * 140)::int, true, now(), '{}', now() "
    "FROM legalcase_proceeding p JOIN legalcase_matter m ON m.id = p.matter_id "
    "WHERE p.kind = 'first_instance' AND m.stage IN ('judgment', 'enforcement', 'enforcement_terminated', 'settled', "
    "'closed')",
    # Enforcement: asset leads, freezes expiring within a year, 失信, 限高, auctions.
    "INSERT INTO legalcase_asset (matter_id, owner_id, kind, description, identifier, source, found_on, note, created_at) "
    "SELECT m.id, d.debtor_id, 'bank_account', '某银行 尾号' || lpad((m.id %% 10000)::text, 4, '0'), '', 'court_search', "
    "%(today)s::date - (random() * 600)::int, '', now() FROM legalcase_matter m JOIN legalcase_debt d ON d.id = m.debt_id "
    "WHERE m.stage IN ('enforcement', 'enforcement_terminated') AND m.id %% 2 = 0",
    "INSERT INTO legalcase_enforcementaction (matter_id, kind, court, case_number, started_on, expires_on, expiry_stated, "
    "rank, status, note, created_at) SELECT m.id, 'freeze_deposit', '', '', s.on, s.on + 365, false, 'first', 'active', "
    "'', now() FROM legalcase_matter m CROSS JOIN LATERAL (SELECT %(today)s::date - (random() * 360)::int AS on) s "
    "WHERE m.stage = 'enforcement'",
    "INSERT INTO legalcase_enforcementaction (matter_id, kind, court, case_number, started_on, expiry_stated, rank, "
    "status, note, created_at, listing_ground) SELECT m.id, k.kind, '', '', %(today)s::date - (random() * 500)::int, "
    "false, '', 'active', '', now(), CASE WHEN k.kind = 'dishonest_listing' THEN 2 END FROM legalcase_matter m "
    "JOIN (VALUES ('dishonest_listing', 3), ('consumption_restriction', 2), ('auction', 20)) k(kind, every) "
    "ON m.id %% k.every = 0 WHERE m.stage IN ('enforcement', 'enforcement_terminated')",
)
# (A LATERAL subquery naming no outer column runs once: each names m.id, so that every row gets its own day.)
# What the "what worked" tables read (services.kpi): contacts, promises, demands, costs, tasks,
# complaints, plans and firm invoices, spread over the last 400 days, recorded by the in-house
# users (the matters' owners where the row has one).
STAFF = "(SELECT array_agg(id ORDER BY id) AS ids FROM legalcase_user WHERE role IN ('counsel', 'manager', 'admin'))"
KPI_FACTS = (
    # Two contacts on every other matter; one in ten inbound; overrides and guidance warnings now and then.
    "INSERT INTO legalcase_contact (matter_id, channel, direction, party_id, third_party_name, third_party_relation, "
    "third_party_purpose, contact_point, contact_point_digest, occurred_at, occurred_on, outcome, note, warnings, "
    "override_rule, override_reason, request_digest, created_at, created_by_id) "
    "SELECT m.id, (ARRAY['phone', 'sms', 'letter', 'visit', 'email'])[1 + (m.id + n.n) %% 5], "
    "CASE WHEN (m.id + n.n) %% 10 = 0 THEN 'inbound' ELSE 'outbound' END, NULL, '', '', '', '', '', "
    "(s.on + time '10:00') AT TIME ZONE 'Asia/Shanghai', s.on, 'no_answer', '', "
    "CASE WHEN m.id %% 100 = 0 THEN '[{\"rule\": \"calls_per_party@2026\"}]'::jsonb ELSE '[]'::jsonb END, "
    "CASE WHEN m.id %% 500 = 0 THEN 'contact_hours@2026' ELSE '' END, '', '', now(), "
    "coalesce(m.owner_id, st.ids[1 + m.id %% array_length(st.ids, 1)]) "
    "FROM legalcase_matter m CROSS JOIN " + STAFF + " st CROSS JOIN generate_series(1, 2) n "
    "CROSS JOIN LATERAL (SELECT %(today)s::date - (random() * 400 + 0 * m.id)::int AS on) s WHERE m.id %% 2 = 0",
    # A promise on one contact in ten, due 7-30 days later: kept, broken, or open when not yet due.
    "INSERT INTO legalcase_promise (matter_id, contact_id, amount, promised_on, due_on, status, paid_amount) "
    "SELECT c.matter_id, c.id, 1000, c.occurred_on, c.occurred_on + 7 + (c.id %% 24)::int, "
    "CASE WHEN c.occurred_on + 7 + (c.id %% 24)::int >= %(today)s::date THEN 'open' "
    "WHEN c.id %% 3 = 0 THEN 'kept' ELSE 'broken' END, 0 FROM legalcase_contact c WHERE c.id %% 10 = 0",
    # A delivered letter on one debt in seven.
    "INSERT INTO legalcase_demandrecord (debt_id, date, channel, delivered, delivered_on, note, created_at) "
    "SELECT m.debt_id, s.on - 3, 'letter', true, s.on, '', now() FROM legalcase_matter m "
    "CROSS JOIN LATERAL (SELECT %(today)s::date - (random() * 400 + 0 * m.id)::int AS on) s WHERE m.id %% 7 = 0",
    # Court fees on matters from litigation on; lawyer fees (left out of the costs) on a few.
    "INSERT INTO legalcase_cost (matter_id, kind, amount, incurred_on, recoverable, note, created_at) "
    "SELECT m.id, CASE WHEN m.id %% 11 = 0 THEN 'lawyer_fee' ELSE 'acceptance_fee' END, 50 + m.id %% 900, "
    "%(today)s::date - (random() * 400)::int, true, '', now() FROM legalcase_matter m "
    "WHERE m.stage NOT IN ('intake', 'pre_litigation')",
    # Two tasks on every fourth matter, for its owner: due within 200 days back to 30 ahead, half done.
    "INSERT INTO legalcase_task (matter_id, title, action, due_on, assignee_id, owner_role, status, note, done_at, "
    "created_at, stage) SELECT m.id, '跟进', '', s.due, m.owner_id, '', CASE WHEN (m.id + n.n) %% 2 = 0 AND s.due <= "
    "%(today)s::date THEN 'done' ELSE 'open' END, '', CASE WHEN (m.id + n.n) %% 2 = 0 AND s.due <= %(today)s::date "
    "THEN (s.due + (m.id %% 7)::int - 3 + time '15:00') AT TIME ZONE 'Asia/Shanghai' END, now(), '' "
    "FROM legalcase_matter m CROSS JOIN generate_series(1, 2) n "
    "CROSS JOIN LATERAL (SELECT %(today)s::date - 200 + (random() * 230 + 0 * m.id)::int AS due) s "
    "WHERE m.id %% 4 = 0 AND m.owner_id IS NOT NULL",
    "INSERT INTO legalcase_complaint (matter_id, kind, source, received_on, summary, status, resolution, created_at, "
    "created_by_id) SELECT m.id, CASE WHEN m.id %% 400 = 0 THEN 'dispute' ELSE 'complaint' END, 'debtor', "
    "%(today)s::date - (random() * 400)::int, '', 'resolved', '', now(), st.ids[1] FROM legalcase_matter m "
    "CROSS JOIN " + STAFF + " st WHERE m.id %% 200 = 0",
    "INSERT INTO legalcase_playbook (name, product, version, auto_start, created_at, updated_at) "
    "SELECT p.name, 'credit_card', 1, false, now(), now() FROM (VALUES ('信用卡早期催收'), ('诉前调解'), ('分期协商')) p(name)",
    "INSERT INTO legalcase_playbookversion (playbook_id, version, steps, created_at) "
    "SELECT id, 1, '[]'::jsonb, now() FROM legalcase_playbook",
    # A plan on every third matter, started within 400 days; one in two ended 30-120 days later.
    "INSERT INTO legalcase_plan (matter_id, playbook_version_id, start_on, started_at, ended_at, end_reason) "
    "SELECT m.id, v.ids[1 + m.id %% 3], s.on, now(), CASE WHEN m.id %% 2 = 0 THEN "
    "(s.on + 30 + (m.id %% 90)::int + time '18:00') AT TIME ZONE 'Asia/Shanghai' END, "
    "CASE WHEN m.id %% 2 = 0 THEN 'stopped' ELSE '' END FROM legalcase_matter m "
    "CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM legalcase_playbookversion) v "
    "CROSS JOIN LATERAL (SELECT %(today)s::date - (random() * 400 + 0 * m.id)::int AS on) s WHERE m.id %% 3 = 0",
    # An invoice on every fourth assignment: approved, paid, submitted or rejected.
    "INSERT INTO legalcase_feeinvoice (assignment_id, firm_id, number, amount, issued_on, description, status, "
    "rejection_reason, paid_amount, submitted_at) SELECT a.id, a.firm_id, 'B' || a.id, 500 + a.id %% 3000, "
    "%(today)s::date - (random() * 400)::int, '', (ARRAY['approved', 'paid', 'submitted', 'rejected'])[1 + a.id %% 4], "
    "'', 0, now() FROM legalcase_assignment a WHERE a.id %% 4 = 0",
)
KPI_TABLES = (
    "legalcase_contact", "legalcase_promise", "legalcase_demandrecord", "legalcase_cost", "legalcase_task",
    "legalcase_complaint", "legalcase_plan", "legalcase_feeinvoice",
)  # fmt: skip
FACT_TABLES = (
    "legalcase_debt", "legalcase_matter", "legalcase_recovery", "legalcase_proceeding", "legalcase_ruling",
    "legalcase_asset", "legalcase_enforcementaction", "legalcase_assignment", "legalcase_portfolio",
)  # fmt: skip


def add_facts(today) -> None:
    """What the dashboard reads beyond the matter-list fill, once, in SQL."""
    from django.db import connection

    from legalcase.models import Portfolio, Recovery

    if Recovery.objects.exists():
        print("dashboard facts already present: not adding")
        return
    started = time.perf_counter()
    for name in PORTFOLIOS:
        Portfolio.objects.get_or_create(name=name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.2026)")
        for sql in FACTS:
            step = time.perf_counter()
            cursor.execute(sql, {"today": today})
            print(f"  {cursor.rowcount:>10,} rows  {time.perf_counter() - step:6.1f} s  {sql[:70]}")
        for table in FACT_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    print(f"facts added in {time.perf_counter() - started:.1f} s")


def add_kpi_facts(today) -> None:
    """What the "what worked" tables read beyond ``add_facts``, once, in SQL."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.1119)")
        for sql in KPI_FACTS:
            table = sql.split()[2]
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # a step done by an earlier run is not redone
            if cursor.fetchone()[0]:
                print(f"  {table} already filled: not adding")
                continue
            step = time.perf_counter()
            cursor.execute(sql, {"today": today})
            print(f"  {cursor.rowcount:>10,} rows  {time.perf_counter() - step:6.1f} s  {sql[:70]}", flush=True)
        # The dashboard fill's recoveries all come from enforcement: half become voluntary payments,
        # so that the channel attribution (two subqueries a recovery) has work to do.
        cursor.execute(
            "UPDATE legalcase_recovery SET source = 'voluntary' WHERE id %% 2 = 0 AND source = 'enforcement' "
            "AND NOT EXISTS (SELECT 1 FROM legalcase_recovery WHERE source = 'voluntary')",
            {},
        )
        print(f"  {cursor.rowcount:>10,} recoveries made voluntary")
        for table in (*KPI_TABLES, "legalcase_recovery"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    print(f"what-worked facts added in {time.perf_counter() - started:.1f} s")


def timed(function, runs: int) -> tuple[float, float, list[str]]:
    """Median and best wall time of ``function()`` over ``runs`` warm runs, and the SQL of one run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()  # warm-up, and the SQL it sends
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times), [query["sql"] for query in captured.captured_queries]


def raw(queries: list[str], runs: int) -> float:
    """Median time of the same SQL through psycopg2 alone, all rows fetched."""
    from django.db import connection

    times = []
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        reads = [sql for sql in queries if sql.lstrip().upper().startswith(("SELECT", "WITH"))]  # never replay a write
        for _ in range(runs):
            started = time.perf_counter()
            for sql in reads:
                cursor.execute(sql)
                cursor.fetchall()
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def viewer_board(user, today):
    """The board as a freshly started process reads it: a new connection, nothing cached."""
    from django.core.cache import cache
    from django.db import connection

    from legalcase.services.dashboard import dashboard_figures

    cache.clear()
    connection.close()
    return dashboard_figures(user=user, today=today)


def viewer_page(user):
    """GET /dashboard/ through Django's test client on a new connection: the page a manager waits for."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    cache.clear()
    connection.close()
    client = Client()
    client.force_login(user)
    response = client.get("/dashboard/", HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, response.status_code
    return response


def viewer_range(user, today, period):
    """The four range tables as a viewer of a range nobody viewed yet gets them: the snapshot gone, day rows kept."""
    from django.db import connection

    from legalcase.models import DashboardSnapshot
    from legalcase.services.dashboard import dashboard_figures

    DashboardSnapshot.objects.filter(scope__contains="from=").delete()
    connection.close()
    return dashboard_figures(user=user, today=today, period=period)


def main() -> None:
    args = parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    url = matter_list.configure_environment()
    matter_list.ensure_database(url)
    import django

    django.setup()
    from django.conf import settings
    from django.utils import timezone

    from legalcase.models import Matter, Portfolio, User
    from legalcase.services import dashboard as board
    from legalcase.services import kpi
    from legalcase.services.dashboard import Filters, dashboard_figures, dashboard_refresh

    matter_list.prepare(args.matters, args.refill)
    today = timezone.localdate()
    add_facts(today)
    add_kpi_facts(today)
    counsel = User.objects.get(username="counsel1")
    lawyer = User.objects.get(username="lawyer1")
    matters = Matter.objects.all()
    portfolio = Portfolio.objects.order_by("id").first()
    month, year = kpi.month_period(today), kpi.Period(start=today.replace(month=1, day=1), end=today)
    cases = [
        ("recoveries by month", lambda: board.recoveries_by_month(matters, today=today)),
        ("rates by portfolio", lambda: board.recovery_rates(matters, by="portfolio")),
        ("rates by creditor", lambda: board.recovery_rates(matters, by="creditor")),
        ("rates by firm", lambda: board.recovery_rates(matters, by="firm")),
        ("matters by stage", lambda: board.matters_by_stage(matters)),
        ("lapsing (counts + 20 a band)", lambda: board.lapsing_freezes(counsel, matters, today=today)),
        ("firm scorecards (all firms)", lambda: board.firm_scorecards(matters)),
        ("whole board, counsel", lambda: dashboard_figures(user=counsel, today=today, fresh=True)),
        ("whole board, one portfolio", lambda: dashboard_figures(user=counsel, filters=Filters(portfolio=portfolio.pk), today=today, fresh=True)),
        ("lawyer's own scorecard", lambda: dashboard_figures(user=lawyer, today=today, fresh=True)),
        # What worked (services.kpi), this month and this year: indexed reads of the range's rows.
        ("range: staff, this month", lambda: kpi.staff_figures(matters, period=month, today=today)),
        ("range: by channel, this month", lambda: kpi.recovery_by_channel(matters, period=month)),
        ("range: by strategy, this month", lambda: kpi.recovery_by_strategy(matters, period=month)),
        ("range: cost to collect, this month", lambda: kpi.cost_to_collect(matters, period=month)),
        ("range: four tables, one portfolio", lambda: [kpi.range_part(part, Matter.objects.filter(debt__portfolio_id=portfolio.pk), period=month, today=today) for part in kpi.RANGE_PARTS]),
        ("range: staff, this year", lambda: kpi.staff_figures(matters, period=year, today=today)),
        ("range: by channel, this year", lambda: kpi.recovery_by_channel(matters, period=year)),
        ("range: by strategy, this year", lambda: kpi.recovery_by_strategy(matters, period=year)),
        ("range: cost to collect, this year", lambda: kpi.cost_to_collect(matters, period=year)),
        # The same tables summed from their day rows (DashboardDay, built once below): a range
        # nobody viewed yet, from cold (no snapshot); today's day is computed at each read.
        ("days: by channel, this year", lambda: kpi.range_from_days("channels", period=year, today=today)),
        ("days: by strategy, this year", lambda: kpi.range_from_days("strategies", period=year, today=today)),
        ("days: cost to collect, this year", lambda: kpi.range_from_days("costs", period=year, today=today)),
        ("days: three tables, one portfolio, month", lambda: [kpi.range_from_days(part, period=month, today=today, portfolio=portfolio.pk) for part in kpi.DAY_TABLES]),
        ("days: three tables, one portfolio, year", lambda: [kpi.range_from_days(part, period=year, today=today, portfolio=portfolio.pk) for part in kpi.DAY_TABLES]),
        ("days: a viewer's year (the four, cold)", lambda: viewer_range(counsel, today, year)),
        # What a viewer gets: the figures the schedule kept in the database (DashboardSnapshot),
        # read by a process that has nothing in memory (a new connection, an empty cache).
        ("whole board, a viewer (kept)", lambda: viewer_board(counsel, today)),
        ("the page /dashboard/, a viewer", lambda: viewer_page(counsel)),
    ]  # fmt: skip
    settings.DASHBOARD_CACHE_SECONDS = max(settings.DASHBOARD_CACHE_SECONDS, 600)
    started = time.perf_counter()
    refreshed = dashboard_refresh(today=today)
    print(f"  the schedule's refresh (every 5 min): {time.perf_counter() - started:.1f} s, {refreshed}", flush=True)
    if any(args.only in case[0] for case in cases if case[0].startswith("days:")):
        from legalcase.models import DashboardDay

        DashboardDay.objects.all().delete()
        started = time.perf_counter()
        built = kpi.days_compute(year.start, today, today=today)
        print(f"  building a year of day rows (once): {time.perf_counter() - started:.1f} s, {built:,} rows", flush=True)
        started = time.perf_counter()
        recomputed = kpi.days_refresh(today=today)
        print(f"  the schedule's day refresh, nothing new: {time.perf_counter() - started:.2f} s, {recomputed} days")
    rows = []
    for label, function in [case for case in cases if args.only in case[0]]:
        median, best, queries = timed(function, args.runs)
        floor = raw(queries, args.runs)
        rows.append((label, len(queries), median, best, floor))
        print(f"  {label:32} {median * 1000:9.0f} ms  (raw {floor * 1000:.0f} ms)", flush=True)
    print()
    print(f"{Matter.objects.count():,} matters, {args.runs} warm runs each, PostgreSQL on this machine")
    print(f"{'figure':32} {'queries':>7} {'median ms':>10} {'best ms':>8} {'raw SQL ms':>11} {'ratio':>6}")
    for label, count, median, best, floor in rows:
        print(
            f"{label:32} {count:7} {median * 1000:10.0f} {best * 1000:8.0f} {floor * 1000:11.0f} {median / floor:6.2f}"
        )
    measured = {row[0]: row[2] for row in rows}
    for label in ("whole board, a viewer (kept)", "the page /dashboard/, a viewer"):
        if label in measured:
            verdict = "within" if measured[label] < BUDGET_SECONDS else "OVER"
            print(f"{label}: {measured[label]:.3f} s, {verdict} the {BUDGET_SECONDS:.0f} s budget")
    if "whole board, counsel" in measured:
        print(f"computing the whole board (the schedule's work, not a viewer's): {measured['whole board, counsel']:.1f} s")


if __name__ == "__main__":
    main()
