#!/usr/bin/env python
"""The matter page's collection log with 500 contacts: Fasu's page and section beside the raw queries.

Issue 18: "Report the page's speed for a matter with 500 contacts." This script

1. uses the database ``DATABASE_URL`` names (default: a fresh SQLite file under /tmp;
   a PostgreSQL one must have ``bench`` in its name), migrates it and makes one matter
   with 500 contacts over 100 days (every fifth a promise to pay, a complaint resolved),
   bulk-inserted: the rows the page reads, not the services' work;
2. signs counsel in with Django's test client and times, warm, ``--runs`` times each:
   the matter page (its shell: the sections load by HTMX after it), the collection
   section (25 contacts a page, the promises, complaints and the quick-entry form), its
   second page, and the Excel export of all 500;
3. beside them, the same rows read raw through the database cursor: the count and a
   page of 25 contacts joined to their party and recorder, and all 500 for the export.

Measured 2026-12-07 on the 2-core machine while other work ran beside it (load about 11),
median of 10 warm runs:

| what | SQLite ms | raw SQL ms | PostgreSQL ms | raw SQL ms |
|---|---|---|---|---|
| matter page (shell) | 69 | | 135 | |
| collection section, page 1 | 53 | 0.24 | 71 | 3.7 |
| collection section, page 2 | 70 | 0.21 | 54 | 2.7 |
| Excel export, all 500 | 378 | 7.5 | 235 | 5.6 |

The section sends 13 queries; its time is template rendering (the form and 25 rows; the
promises are capped at the latest 20, which took it from 187 ms to about 60 ms).

Run on demand; not part of the test suite:

    .venv/bin/python bench/contacts_page.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fasu_bench_contacts .venv/bin/python bench/contacts_page.py --runs 20
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='fasu-bench-contacts-')}/db.sqlite3"
    if url.startswith("postgres") and "bench" not in url.rsplit("/", 1)[-1]:
        raise SystemExit("refusing: a PostgreSQL bench database must have 'bench' in its name")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("STORAGE_ROOT", tempfile.mkdtemp(prefix="fasu-bench-storage-"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    matter, counsel = _fill(args.contacts)
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(counsel)
    section = f"/matters/{matter.pk}/collection/"

    def timed(fn) -> float:
        fn()  # warm
        samples = []
        for _ in range(args.runs):
            started = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - started) * 1000)
        return statistics.median(samples)

    def get(path: str):
        def run():
            response = client.get(path, HTTP_HX_REQUEST="true")
            assert response.status_code == 200, (path, response.status_code)
        return run

    page_sql = (
        "SELECT c.*, p.name, u.username FROM legalcase_contact c LEFT JOIN legalcase_party p ON p.id = c.party_id "
        "JOIN legalcase_user u ON u.id = c.created_by_id WHERE c.matter_id = %s ORDER BY c.occurred_at DESC, c.id DESC"
    )

    def raw(limit: int | None):
        def run():
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM legalcase_contact WHERE matter_id = %s", [matter.pk])
                cursor.fetchone()
                cursor.execute(page_sql + (f" LIMIT {limit}" if limit else ""), [matter.pk])
                cursor.fetchall()
        return run

    rows = [
        ("matter page (shell)", timed(get(f"/matters/{matter.pk}/")), None),
        ("collection section, page 1", timed(get(section)), timed(raw(25))),
        ("collection section, page 2", timed(get(section + "?page=2")), timed(raw(25))),
        ("Excel export, all contacts", timed(get(f"/matters/{matter.pk}/collection.xlsx")), timed(raw(None))),
    ]
    print(f"{connection.vendor}, {args.contacts} contacts, median of {args.runs} warm runs")
    print(f"{'what':32} {'Fasu ms':>9} {'raw SQL ms':>11}")
    for name, fasu, floor in rows:
        print(f"{name:32} {fasu:9.1f} {'' if floor is None else f'{floor:11.2f}'}")


def _fill(count: int):
    import datetime as dt
    import random
    from decimal import Decimal

    from django.utils import timezone

    from legalcase.identity import build_resident_id, build_uscc
    from legalcase.models import (
        AmountStatement, Complaint, Contact, Creditor, Debt, Party, PartyPhone, Promise, Role, User,
    )  # fmt: skip
    from legalcase.services import matter_open

    rng = random.Random(2026)
    counsel = User.objects.filter(username="bench-counsel").first()
    if counsel is None:
        counsel = User.objects.create_user(username="bench-counsel", password="x" * 20, role=Role.COUNSEL)
    n = Party.objects.count() + 1
    creditor = Creditor.objects.create(name=f"基准银行{n}", uscc=build_uscc(f"91110000MA{n:07d}"))
    debtor = Party.objects.create(
        name="基准债务人", id_number=build_resident_id(area_code="110105", birth_date=dt.date(1980, 1, 1), sequence=n),
        gender="male" if n % 2 else "female", birth_date=dt.date(1980, 1, 1), phone="13812345678",
    )
    PartyPhone.objects.create(party=debtor, number="13812345678")
    PartyPhone.objects.create(party=debtor, number="13987654321", position=2)
    debt = Debt.objects.create(
        creditor=creditor, debtor=debtor, product="credit_card", account_number=f"62258800{n:08d}",
        amounts_as_of=dt.date(2026, 1, 1), principal=Decimal("50000.00"), overdue_since=dt.date(2025, 6, 1),
    )
    AmountStatement.objects.create(debt=debt, **debt.statement_values())
    matter = matter_open(debt=debt, actor=counsel, owner=counsel)
    start = timezone.now() - dt.timedelta(days=100)
    outcomes = ["no_answer"] * 5 + ["refused", "hardship", "promise_to_pay", "other"]
    contacts = []
    for i in range(count):
        at = start + dt.timedelta(minutes=i * 288 + rng.randint(0, 60))
        contacts.append(Contact(
            matter=matter, channel="phone", direction="outbound", party=debtor,
            contact_point=rng.choice(["13812345678", "13987654321"]), occurred_at=at,
            occurred_on=timezone.localtime(at).date(), duration_seconds=rng.randint(0, 300),
            outcome="promise_to_pay" if i % 5 == 0 else rng.choice(outcomes), note=f"第{i + 1}次联系",
            created_by=counsel,
        ))  # fmt: skip
    Contact.objects.bulk_create(contacts, batch_size=500)
    Promise.objects.bulk_create([
        Promise(matter=matter, contact=c, amount=Decimal("1000.00"), promised_on=c.occurred_on,
                due_on=c.occurred_on + dt.timedelta(days=10), status="broken")
        for c in Contact.objects.filter(matter=matter, outcome="promise_to_pay")
    ])  # fmt: skip
    Complaint.objects.create(matter=matter, kind="complaint", source="debtor", received_on=dt.date(2026, 1, 5),
                             summary="电话过于频繁", status="resolved", resolution="已整改", created_by=counsel)
    return matter, counsel


if __name__ == "__main__":
    main()
