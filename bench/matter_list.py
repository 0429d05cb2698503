#!/usr/bin/env python
"""The matter list with a million matters: Fasu's API and page beside the raw SQL.

DESIGN.md, Budgets: "matter list with 1M matters: p95 under 100 ms with 10 concurrent
clients (2 cores)". This script

1. creates the PostgreSQL database if missing and runs ``manage.py migrate``;
2. fills it with ``--matters`` matters (debts, debtors, guarantors, creditors, firms,
   users, assignments) through COPY, using ``legalcase.demo``'s generators, unless it
   already holds exactly that many; then VACUUM ANALYZE and a CHECKPOINT;
3. starts gunicorn on 127.0.0.1 (config/gunicorn.py, DEBUG=0) and signs in counsel1 twice: an
   API token (``POST /api/v1/auth/token/``, or ``token_issue`` if the API is not there)
   and a browser session (Django's SessionStore);
4. sends a bounded number of requests per scenario from 10 client threads and prints
   p50/p95/max per scenario, beside the time of the same SQL run raw with psycopg2.

Everything stays on loopback addresses. Run on demand; not part of the test suite:

    python bench/matter_list.py                 # 1,000,000 matters
    python bench/matter_list.py --matters 100000 --requests 200
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import json
import math
import os
import random
import runpy
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONFIG = ROOT / "config" / "gunicorn.py"
OUT = ROOT / "bench" / "out"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fasu_bench"
LOOPBACK = {"127.0.0.1", "localhost", "::1", ""}
PASSWORD = "bench-pass-2026"
SEED = 2026
CHUNK = 50_000
TARGET_P95_MS = 100.0

# Stages of a mature portfolio (a national card centre's books, roughly).
STAGE_WEIGHTS = {
    "intake": 8,
    "pre_litigation": 12,
    "preservation": 3,
    "arbitration": 4,
    "litigation": 18,
    "judgment": 10,
    "enforcement": 20,
    "enforcement_terminated": 12,
    "settled": 5,
    "closed": 8,
}
EXTRA_FIRMS = ("浙江衡平律师事务所", "四川蜀信律师事务所")
COURT_STAGES = {"litigation", "judgment", "enforcement", "enforcement_terminated"}
SCENARIOS = (
    ("first page", {}),
    ("stage=enforcement", {"stage": "enforcement"}),
    ("q=张伟", {"q": "张伟"}),
    ("ordering=-claim_total", {"ordering": "-claim_total"}),
    # Once sorts across two tables (seconds a request at scale); now stored columns with
    # indexes (Matter.outstanding_total, Matter.limitation_expires_on). The bench fills no
    # deadlines, so every limitation date is none.
    ("ordering=-outstanding_total", {"ordering": "-outstanding_total"}),
    ("ordering=limitation_expires_on", {"ordering": "limitation_expires_on"}),
    ("ordering=-limitation_expires_on", {"ordering": "-limitation_expires_on"}),
)
# Scenarios slow enough to take fewer requests (SLOW_REQUESTS); none since the sorts are columns.
SLOW_SCENARIOS: set[str] = set()
SLOW_REQUESTS = 20
# Searches by what users know; "{...}" is filled from a row of the filled database (search_scenarios).
SEARCH_SCENARIOS = (
    ("q=identity number", "{id_number}"),
    ("q=phone (+86, dashes)", "{phone}"),
    ("q=last 4 digits", "{last4}"),
    ("q=guarantor name", "{guarantor}"),
    ("q=case number", "{case_number}"),
    ("q=6 chars of a matter number", "{number_part}"),
)
# Proceedings with a case number for one matter in this many (the court stages').
PROCEEDING_EVERY = 3


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--matters", type=int, default=1_000_000, help="matters in the database (default 1,000,000)")
    parser.add_argument("--requests", type=int, default=300, help="measured requests per scenario (default 300)")
    parser.add_argument("--clients", type=int, default=10, help="concurrent client threads (default 10)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: config/gunicorn.py's)")
    parser.add_argument("--port", type=int, default=0, help="server port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--sql-runs", type=int, default=50, help="raw SQL repetitions per scenario (default 50)")
    parser.add_argument("--refill", action="store_true", help="empty and fill again even if the count matches")
    parser.add_argument("--fill-only", action="store_true", help="prepare the database, measure nothing")
    parser.add_argument("--only", default="", help="measure only the scenarios whose name contains this text")
    parser.add_argument(
        "--app",
        default="config.wsgi:application",
        help="the WSGI application to serve (default config.wsgi:application); another module on PYTHONPATH "
        "that patches Fasu before importing it lets a candidate change be measured without editing the code",
    )
    return parser.parse_args()


# --- Set-up -------------------------------------------------------------------------


def configure_environment() -> str:
    url = os.environ.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        sys.exit(f"bench: DATABASE_URL must be a postgres:// URL (COPY), got scheme {parsed.scheme!r}")
    if (parsed.hostname or "") not in LOOPBACK:
        sys.exit(f"bench: the database must be on a loopback address, not {parsed.hostname!r}")
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(60))
    # Fixed, so that the digests COPYed by one run are found by the next (SECRET_KEY is new each run).
    os.environ.setdefault("SEARCH_DIGEST_KEYS", "bench-search-digest-key-2026")
    # Fixed too: the rows COPYed by one run are encrypted under it (legalcase.crypto).
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "YmVuY2gtZmllbGQta2V5LWJlbmNoLWZpZWxkLWtleS0=")
    # Several gunicorn processes share one cache, as on several hosts (README, CACHE_URL):
    # sessions are then read from it. Another Redis database than the tests' (15).
    os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/14")
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    os.environ["HTTPS"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return url


def ensure_database(url: str) -> None:
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
    admin.close()


# --- Filling ------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


class Table:
    """Rows of one table, buffered as COPY text and sent in chunks."""

    def __init__(self, name: str, columns: tuple[str, ...]):
        self.name, self.columns, self.buffer, self.rows = name, columns, io.StringIO(), 0

    def add(self, *values) -> None:
        self.buffer.write("\t".join(map(_cell, values)))
        self.buffer.write("\n")
        self.rows += 1

    def flush(self, cursor) -> None:
        self.buffer.seek(0)
        cursor.copy_expert(f"COPY {self.name} ({', '.join(self.columns)}) FROM STDIN", self.buffer)
        self.buffer = io.StringIO()


DEBT_FIELDS = (
    "product", "account_number", "contract_number", "contract_date", "amounts_as_of", "principal", "interest",
    "penalty_interest", "compound_interest", "late_fees", "fees", "annual_interest_rate", "penalty_rate",
    "compound_rate", "day_count", "overdue_since", "matured_on", "last_payment_date",
)  # fmt: skip
PARTY_FIELDS = ("kind", "name", "id_number", "gender", "birth_date", "phone", "address")


def fill(matters: int) -> None:
    """Empty the core tables and COPY ``matters`` generated matters into them."""
    from django.db import connection, transaction

    from legalcase import demo
    from legalcase.models import Creditor, LawFirm, MatterNumberCounter, User
    from legalcase.crypto import encrypt
    from legalcase.search import digest, exact_digest
    from legalcase.services.matter_counts import matter_counts_recount

    started = time.perf_counter()
    tables = [
        "legalcase_assignment", "legalcase_matterevent", "legalcase_matter", "legalcase_guarantee",
        "legalcase_debt", "legalcase_party", "legalcase_creditor", "legalcase_matternumbercounter",
        "legalcase_apitoken", "legalcase_loginfailure", "django_session", "legalcase_searchkey",
        "legalcase_proceeding",
    ]  # fmt: skip
    with connection.cursor() as cursor:
        # CASCADE also empties other apps' rows that point at matters or users.
        cursor.execute(f"TRUNCATE {', '.join(tables)}, legalcase_user, legalcase_lawfirm RESTART IDENTITY CASCADE")

    with transaction.atomic():
        creditors = [
            Creditor.objects.create(name=c.name, uscc=c.uscc, address=c.address, representative=c.representative)
            for c in demo.CREDITORS
        ]
        card_creditor, loan_creditor = creditors[0], creditors[1]
        firms = [LawFirm.objects.create(name=name) for name in demo.FIRMS + EXTRA_FIRMS]
        counsel = []
        for n in range(1, 6):
            counsel.append(_user(User, f"counsel{n}", "counsel"))
        for n, firm in enumerate(firms, start=1):
            _user(User, f"lawyer{n}", "lawyer", firm=firm)
        _user(User, "manager1", "manager")
        _user(User, "admin", "admin")

    rng = random.Random(SEED)
    stages = demo.Weighted(STAGE_WEIGHTS.items())
    firm_by_province = {
        "广东省": 2,
        "福建省": 2,
        "上海市": 1,
        "江苏省": 1,
        "安徽省": 1,
        "浙江省": 3,
        "四川省": 4,
        "重庆市": 4,
    }
    # Personal data goes in encrypted, with its digests and last four, as the ORM writes it.
    party = Table("legalcase_party", ("id", "uscc", "created_at", *PARTY_FIELDS, "id_number_digest"))
    debt = Table(
        "legalcase_debt",
        ("id", "creditor_id", "original_creditor_id", "debtor_id", *DEBT_FIELDS, "account_digest", "account_last4"),
    )
    encrypted = {"id_number", "phone", "address", "account_number"}

    def stored(name: str, value):
        return encrypt(value) if name in encrypted and value else value
    guarantee = Table(
        "legalcase_guarantee",
        ("id", "debt_id", "guarantor_id", "guarantee_type", "guarantee_period_ends_on", "guarantor_name", "matter_id"),
    )
    matter = Table(
        "legalcase_matter",
        (
            "id",
            "number",
            "debt_id",
            "debtor_name",
            "stage",
            "closing_reason",
            "owner_id",
            "assigned_firm_id",
            "created_at",
            "stage_changed_at",
            "claim_total",
        ),
    )
    assignment = Table(
        "legalcase_assignment", ("id", "matter_id", "firm_id", "started_at", "started_by_id", "ended_at", "ended_by_id")
    )
    search_key = Table("legalcase_searchkey", ("party_id", "kind", "digest"))
    proceeding = Table(
        "legalcase_proceeding",
        ("matter_id", "kind", "case_number", "judge", "clerk", "contact_phone", "outcome", "created_at"),
    )

    def add_party(party_id: int, created_at, person: dict) -> None:
        party.add(
            party_id, "", created_at, *(stored(f, person[f]) for f in PARTY_FIELDS),
            exact_digest("id_number", person["id_number"]),
        )
        for kind in ("id_number", "phone"):
            if person[kind]:
                search_key.add(party_id, kind, digest(kind, person[kind]))
    taken: set[str] = set()
    recent: list[tuple[int, str, str]] = []  # (party id, province, name) of recent debtors, some borrow twice
    party_id = guarantee_id = assignment_id = 0
    numbers: dict[int, int] = {}
    first_day = dt.datetime(2023, 1, 1, 9, 0, tzinfo=dt.UTC)
    span = (dt.datetime(2026, 11, 1, tzinfo=dt.UTC) - first_day).total_seconds()

    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # psycopg2's own, for copy_expert
        # COPY without firing the foreign-key triggers row by row: the rows are built consistent.
        cursor.execute("SET session_replication_role = replica")
        for matter_id in range(1, matters + 1):
            created_at = first_day + dt.timedelta(seconds=span * (matter_id - 1) / matters)
            if recent and rng.random() < 0.04:
                debtor_id, province, debtor_name = recent[rng.randrange(len(recent))]
            else:
                person = demo.person(rng, taken=taken)
                party_id += 1
                debtor_id, province, debtor_name = party_id, demo.area_of(person).province, person["name"]
                add_party(party_id, created_at, person)
                recent.append((debtor_id, province, debtor_name))
                if len(recent) > 2000:
                    recent.pop(0)
            is_card = rng.random() < 0.65
            terms = demo.card_debt(rng, serial=matter_id) if is_card else demo.loan_debt(rng, serial=matter_id)
            debt.add(
                matter_id,
                (card_creditor if is_card else loan_creditor).pk,
                None,
                debtor_id,
                *(stored(f, terms[f]) for f in DEBT_FIELDS),
                exact_digest("account", terms["account_number"]),
                terms["account_number"][-4:],
            )
            if not is_card and rng.random() < 0.45:
                person = demo.person(rng, taken=taken)
                party_id += 1
                guarantee_id += 1
                add_party(party_id, created_at, person)
                terms_g = demo.guarantee(rng, terms)
                guarantee.add(
                    guarantee_id, matter_id, party_id, terms_g["guarantee_type"], terms_g["guarantee_period_ends_on"],
                    person["name"], matter_id,  # the debt's id is its matter's
                )  # fmt: skip
            stage = stages.draw(rng)
            year = created_at.year
            numbers[year] = numbers.get(year, 0) + 1
            owner_id = counsel[rng.randrange(len(counsel))].pk if rng.random() < 0.9 else None
            firm_id = None
            if (
                stage not in ("intake", "pre_litigation")
                and rng.random() < 0.9
                or stage == "pre_litigation"
                and rng.random() < 0.15
            ):
                firm_id = firms[firm_by_province.get(province, 0)].pk
                assignment_id += 1
                assignment.add(assignment_id, matter_id, firm_id, created_at, owner_id, None, None)
            changed = created_at + dt.timedelta(days=rng.randint(0, 300))
            matter.add(
                matter_id,
                f"FS-{year}-{numbers[year]:06d}",
                matter_id,
                debtor_name,
                stage,
                demo.draw_closing_reason(rng) if stage == "closed" else "",
                owner_id,
                firm_id,
                created_at,
                changed,
                sum(terms[f] for f in ("principal", "interest", "penalty_interest", "compound_interest", "late_fees", "fees")),
            )
            if stage in COURT_STAGES and matter_id % PROCEEDING_EVERY == 0:
                case = f"（{year}）沪0115民初{matter_id}号"
                proceeding.add(matter_id, "first_instance", case, "", "", "", "", created_at)
            if matter_id % CHUNK == 0 or matter_id == matters:
                for table in (party, debt, guarantee, matter, assignment, search_key, proceeding):
                    table.flush(cursor)
                rate = matter_id / (time.perf_counter() - started)
                print(f"\r  filled {matter_id:,} of {matters:,} matters ({rate:,.0f}/s)", end="", flush=True)
        cursor.execute("SET session_replication_role = DEFAULT")
        for table in (
            "legalcase_party",
            "legalcase_debt",
            "legalcase_guarantee",
            "legalcase_matter",
            "legalcase_assignment",
            "legalcase_searchkey",
            "legalcase_proceeding",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 1))"
            )
    MatterNumberCounter.objects.bulk_create([MatterNumberCounter(year=y, last=n) for y, n in numbers.items()])
    # The COPY ran with the triggers off: the kept matter counts are recounted, as the daily job repairs them.
    matter_counts_recount()
    print(
        f"\r  filled {matters:,} matters, {party_id:,} parties, {guarantee_id:,} guarantees, "
        f"{assignment_id:,} assignments in {time.perf_counter() - started:.1f} s"
    )


def _user(User, username: str, role: str, firm=None):
    user = User(username=username, role=role, firm=firm, is_staff=role == "admin", is_superuser=role == "admin")
    user.set_password(PASSWORD)
    user.save()
    return user


def prepare(matters: int, refill: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    from legalcase.demo import CREDITORS
    from legalcase.models import Creditor, Matter

    print("migrating ...")
    call_command("migrate", verbosity=0, interactive=False)
    present = Matter.objects.count()
    marked = Creditor.objects.filter(uscc=CREDITORS[0].uscc).exists()
    if present == matters and marked and not refill:
        print(f"database already holds {matters:,} matters: not refilling")
    else:
        name = connection.settings_dict["NAME"]
        if present and "bench" not in name:
            sys.exit(f"bench: refusing to empty database {name!r} (its name does not contain 'bench')")
        print(f"filling {matters:,} matters (database held {present:,}) ...")
        fill(matters)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # VACUUM sets the visibility map too, so counts can use index-only scans as in production.
        for table in (
            "legalcase_party",
            "legalcase_debt",
            "legalcase_matter",
            "legalcase_guarantee",
            "legalcase_searchkey",
            "legalcase_proceeding",
            "legalcase_creditor",
            "legalcase_user",
            "legalcase_lawfirm",
            "django_session",
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        # What the VACUUM dirtied is written now, not by a checkpoint in the middle of a scenario.
        cursor.execute("CHECKPOINT")
    print(f"VACUUM ANALYZE and CHECKPOINT done in {time.perf_counter() - started:.1f} s")


def search_scenarios() -> list[tuple[str, dict]]:
    """The searches of SEARCH_SCENARIOS, with values taken from matters near the middle of the table."""
    from legalcase.models import Guarantee, Matter, Proceeding

    middle = Matter.objects.order_by("-id").values_list("id", flat=True).first() // 2
    matter = Matter.objects.select_related("debt__debtor").filter(id__gte=middle).order_by("id").first()
    debtor = matter.debt.debtor
    phone = debtor.phone
    guarantee = Guarantee.objects.select_related("guarantor").filter(debt_id__gte=middle).order_by("debt_id").first()
    case = Proceeding.objects.filter(matter_id__gte=middle).order_by("matter_id").first()
    values = {
        "id_number": debtor.id_number,
        "phone": f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}",
        "last4": matter.debt.account_number[-4:],
        "guarantor": guarantee.guarantor.name if guarantee else "张伟",
        "case_number": (case.case_number if case else "（2025）沪0115民初1号").replace("（", "(").replace("）", ")"),
        "number_part": matter.number[-6:],
    }
    return [(name, {"q": template.format(**values)}) for name, template in SEARCH_SCENARIOS]


# --- Server and credentials ---------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


ACCESS_LOG = OUT / "access.log"


def config_workers() -> int:
    """The workers ``config/gunicorn.py`` starts (one per core, or ``WEB_CONCURRENCY``), as production runs."""
    return runpy.run_path(str(GUNICORN_CONFIG))["workers"]


def start_server(port: int, workers: int, app: str) -> subprocess.Popen:
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        sys.exit(f"bench: gunicorn is missing: {sys.executable} -m pip install -r requirements.txt")
    OUT.mkdir(parents=True, exist_ok=True)
    log = open(OUT / "gunicorn.log", "ab")
    ACCESS_LOG.write_text("")
    command = [
        sys.executable, "-m", "gunicorn", app, "--config", str(GUNICORN_CONFIG),
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--timeout", "60", "--log-level", "warning",
        # %(D)s: microseconds from the worker reading the request to the response sent.
        "--access-logfile", str(ACCESS_LOG), "--access-logformat", "%(m)s %(U)s%(q)s %(s)s %(D)s",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"bench: gunicorn exited with {server.returncode}; see {OUT / 'gunicorn.log'}")
        try:
            status, _ = request(port, "/api/v1/", {})
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("bench: gunicorn did not answer within 30 s")


def request(port: int, path: str, headers: dict, method: str = "GET", body: bytes | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def api_token(port: int) -> tuple[str, str]:
    """counsel1's API key: from the token endpoint, or made directly while the API is missing."""
    body = json.dumps({"username": "counsel1", "password": PASSWORD}).encode()
    status, answer = request(port, "/api/v1/auth/token/", {"Content-Type": "application/json"}, "POST", body)
    if status == 200:
        return json.loads(answer)["token"], "POST /api/v1/auth/token/"
    from legalcase.authentication import token_issue
    from legalcase.models import User

    key, _ = token_issue(user=User.objects.get(username="counsel1"))
    return key, f"token_issue (the token endpoint answered {status})"


def session_cookie() -> str:
    """A signed-in session for counsel1, made the way django.contrib.auth.login makes one."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from importlib import import_module

    from legalcase.models import User

    user = User.objects.get(username="counsel1")
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


# --- Measuring ----------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def server_times(offset: int) -> tuple[list[float], int]:
    """Worker-side request times (ms) logged by gunicorn since ``offset``, and the new offset."""
    with open(ACCESS_LOG, "rb") as log:
        log.seek(offset)
        lines = log.read().decode("utf-8", "replace").splitlines()
        offset = log.tell()
    return [int(line.rsplit(" ", 1)[1]) / 1000 for line in lines if line.strip()], offset


def load(port: int, path: str, headers: dict, *, total: int, clients: int) -> tuple[list[float], dict[int, int], bytes]:
    """Send ``total`` requests from ``clients`` threads, each on its own connection (kept alive
    when the server allows it); return the latencies in ms, the status counts and one body.

    gunicorn's sync workers close the connection after each response; http.client then
    reconnects, which on loopback costs a few tenths of a millisecond."""
    remaining = iter(range(total))
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    sample: list[bytes] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if next(remaining, None) is None:
                    break
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={**headers, "Connection": "keep-alive"})
                response = conn.getresponse()
                body = response.read()
                status = response.status
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                status, body = 0, b""
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
                if not sample and status == 200:
                    sample.append(body)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, sample[0] if sample else b""


def captured_sql(path: str, headers: dict) -> list[str]:
    """The SQL one request to ``path`` runs, captured by serving it in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    extra = {"HTTP_HOST": "127.0.0.1"}
    if "Authorization" in headers:
        extra["HTTP_AUTHORIZATION"] = headers["Authorization"]
    client = Client()
    if "Cookie" in headers:
        name, _, value = headers["Cookie"].partition("=")
        client.cookies[name] = value
    client.get(path, **extra)  # once to warm caches and connections
    with CaptureQueriesContext(connection) as captured:
        client.get(path, **extra)
    return [query["sql"] for query in captured.captured_queries]


def time_sql(queries: list[str], runs: int) -> tuple[list[float], dict[str, list[float]]]:
    """Run the SELECTs of a request with psycopg2 directly; per run total and per query times (ms)."""
    from django.db import connection

    # A UNION of parenthesised SELECTs (a search's ids, legalcase.pagination.matter_ids) is one too.
    selects = [sql for sql in queries if sql.lstrip(" (").upper().startswith("SELECT")]
    totals: list[float] = []
    each: dict[str, list[float]] = {sql: [] for sql in selects}
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        for _ in range(runs):
            run_total = 0.0
            for sql in selects:
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                elapsed = (time.perf_counter() - started) * 1000
                each[sql].append(elapsed)
                run_total += elapsed
            totals.append(run_total)
    return totals, each


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def describe(sql: str) -> str:
    """A short name for a captured query."""
    flat = " ".join(sql.split())
    upper = flat.upper()
    if "RELTUPLES" in upper:
        return "estimate (pg_class.reltuples)"
    if "COUNT(" in upper and "LEGALCASE_MATTER" in upper:
        return "count(*) of matters"
    if ") UNION " in upper and 'FROM "LEGALCASE_MATTER"' in upper:
        return "ids of a search (UNION)"
    if "LEGALCASE_MATTERCOUNT" in upper:
        return "kept count"
    if 'FROM "LEGALCASE_MATTER"' in upper and "LIMIT" in upper:
        return "page of matters"
    if "DJANGO_SESSION" in upper:
        return "session"
    if "LEGALCASE_APITOKEN" in upper:
        return "token"
    if 'FROM "LEGALCASE_USER"' in upper:
        return "user"
    return flat[:60]


def main() -> None:
    args = parse_args()
    url = configure_environment()
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    ensure_database(url)
    import django

    # The in-process requests that capture SQL meet WhiteNoise without collected static files.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    prepare(args.matters, args.refill)
    if args.fill_only:
        return
    if args.app != "config.wsgi:application":
        # The same patches apply here, so the SQL captured below is the candidate's.
        import importlib

        importlib.import_module(args.app.split(":")[0])

    port = args.port or free_port()
    args.workers = args.workers or config_workers()
    print(f"starting gunicorn {args.app} on 127.0.0.1:{port} with {args.workers} sync workers (DEBUG=0) ...")
    server = start_server(port, args.workers, args.app)
    try:
        token, token_source = api_token(port)
        cookie = session_cookie()
        print(f"API token from {token_source}; page session from SessionStore")
        rows, details, missing = [], [], []
        explains = []
        for name, params in (*SCENARIOS, *search_scenarios()):
            if args.only not in name:
                continue
            query = ("?" + urlencode(params)) if params else ""
            for kind, path, headers in (
                ("API", f"/api/v1/matters/{query}", {"Authorization": f"Token {token}", "Accept": "application/json"}),
                ("page", f"/{query}", {"Cookie": cookie, "Accept": "text/html"}),
            ):
                requests = min(args.requests, SLOW_REQUESTS) if name in SLOW_SCENARIOS else args.requests
                warm = args.clients if name in SLOW_SCENARIOS else max(20, args.clients * 2)
                load(port, path, headers, total=warm, clients=args.clients)  # warm every worker
                time.sleep(0.5)
                _, offset = server_times(0)
                started, cpu = time.perf_counter(), time.process_time()
                latencies, statuses, sample = load(port, path, headers, total=requests, clients=args.clients)
                wall, cpu = time.perf_counter() - started, time.process_time() - cpu
                time.sleep(0.5)
                worker_ms, _ = server_times(offset)
                if set(statuses) != {200}:
                    missing.append(f"{kind} {path}: statuses {statuses}")
                count = ""
                if kind == "API" and sample:
                    data = json.loads(sample)
                    count = f"{data.get('count'):,}" + (" (est.)" if data.get("count_is_estimate") else "")
                queries = captured_sql(path, headers)
                totals, each = time_sql(queries, min(args.sql_runs, 5) if name in SLOW_SCENARIOS else args.sql_runs)
                rows.append(
                    (
                        name, kind, path, statuses, count, len(latencies) / wall,
                        percentile(latencies, 0.5), percentile(latencies, 0.95), max(latencies),
                        percentile(worker_ms, 0.5) if worker_ms else 0.0, percentile(worker_ms, 0.95) if worker_ms else 0.0,
                        cpu * 1000 / len(latencies),
                        len(queries), percentile(totals, 0.5) if totals else 0.0, percentile(totals, 0.95) if totals else 0.0,
                    )
                )  # fmt: skip
                for sql, times in each.items():
                    details.append((name, kind, describe(sql), statistics.median(times), percentile(times, 0.95)))
                    if "LEGALCASE_MATTER" in sql.upper() and statistics.median(times) > 5:
                        explains.append(f"-- {name} / {kind}: {describe(sql)}\n{sql}\n\n{explain(sql)}\n")
        report(args, rows, details, missing, explains)
    finally:
        server.terminate()
        server.wait(timeout=30)


def report(args, rows, details, missing, explains) -> None:
    print()
    print(
        f"Matter list, {args.matters:,} matters, {args.clients} clients, {args.requests} requests per scenario, "
        f"gunicorn {args.workers} sync workers, {os.cpu_count()} CPUs"
    )
    header = (
        "scenario", "via", "status", "count", "req/s", "p50 ms", "p95 ms", "max ms",
        "worker p50", "worker p95", "client cpu", "SQL q", "SQL p50", "SQL p95", "",
    )  # fmt: skip
    table = []
    for name, kind, _path, statuses, count, rate, p50, p95, top, w50, w95, ccpu, nq, s50, s95 in rows:
        status = ",".join(f"{code}x{n}" if len(statuses) > 1 else str(code) for code, n in sorted(statuses.items()))
        verdict = "ok" if p95 <= TARGET_P95_MS and set(statuses) == {200} else "OVER" if set(statuses) == {200} else "-"
        table.append(
            (
                name, kind, status, count, f"{rate:.0f}", f"{p50:.1f}", f"{p95:.1f}", f"{top:.1f}",
                f"{w50:.1f}", f"{w95:.1f}", f"{ccpu:.2f}", str(nq), f"{s50:.2f}", f"{s95:.2f}", verdict,
            )
        )  # fmt: skip
    print_table(header, table)
    print(
        f"p50/p95/max: as the clients saw it (ms). worker: gunicorn's own request time, without the wait for a free "
        f"worker. client cpu: the load generator's CPU per request (it shares the machine). SQL: the SELECTs one "
        f"request runs, replayed {args.sql_runs} times with psycopg2 on one connection. Target: p95 under "
        f"{TARGET_P95_MS:.0f} ms."
    )
    print()
    print("Per query (raw, ms):")
    print_table(
        ("scenario", "via", "query", "p50", "p95"), [(n, k, q, f"{a:.2f}", f"{b:.2f}") for n, k, q, a, b in details]
    )
    if missing:
        print()
        print("Endpoints that did not answer 200 (not built yet, or failing):")
        for line in missing:
            print("  " + line)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "matter_list_explain.txt").write_text(
        "\n".join(explains) or "no matter query above 5 ms\n", encoding="utf-8"
    )
    print()
    print(f"EXPLAIN (ANALYZE, BUFFERS) of every matter query above 5 ms: {OUT / 'matter_list_explain.txt'}")


def print_table(header: tuple, rows: list[tuple]) -> None:
    def width(text: str) -> int:
        return sum(2 if ord(char) > 0x2E80 else 1 for char in text)

    widths = [max(width(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell) + " " * (w - width(str(cell))) for cell, w in zip(row, widths)).rstrip())


if __name__ == "__main__":
    main()
