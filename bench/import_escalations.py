#!/usr/bin/env python
"""Bulk import of escalations into PostgreSQL, beside a raw COPY of the same rows.

Issue 3's target: 100,000 generated escalations in under 60 seconds on a 2-core machine.
This script

1. drops and recreates the PostgreSQL database (its name must contain ``bench``;
   loopback only) and runs ``manage.py migrate``;
2. writes ``--rows`` escalations drawn by ``legalcase.demo``'s generators (seed 2026) to
   a UTF-8-with-BOM CSV with API.md's Chinese headers (``bench/out/escalations.csv``);
3. times a read-and-validate pass alone (no database), then the real import
   (``legalcase.importing.escalations_import``, counting SQL statements), then a raw
   ``COPY`` of the same file into a scratch table of text columns;
4. prints escalations per second for each, the import's own CPU time and the load
   average (the machine may be shared: compare the import with the raw COPY and the
   validation pass of the same run).

The database is ``fasu_bench_import`` unless ``DATABASE_URL`` names another (its name
must contain ``bench``).

Run on demand; not part of the test suite:

    python bench/import_escalations.py               # 100,000 rows
    python bench/import_escalations.py --rows 5000
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/fasu_bench_import"
LOOPBACK = {"127.0.0.1", "localhost", "::1", ""}
SEED = 2026
TARGET_SECONDS = 60.0
HEADERS = (
    "债权人名称", "统一社会信用代码", "产品类型", "卡号", "合同编号", "合同日期", "姓名", "身份证号", "性别",
    "出生日期", "手机号", "住址", "本金", "利息", "罚息", "复利", "滞纳金", "手续费", "欠款截止日", "逾期日期",
    "到期日", "最后还款日", "最后催收日", "催收方式", "是否送达", "资产包",
)  # fmt: skip
CHANNELS = ("电话", "短信", "信函", "邮件", "上门", "公告")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="escalations to import (default 100,000)")
    return parser.parse_args()


def configure_environment() -> str:
    url = os.environ.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        sys.exit(f"bench: DATABASE_URL must be a postgres:// URL, got scheme {parsed.scheme!r}")
    if (parsed.hostname or "") not in LOOPBACK:
        sys.exit(f"bench: the database must be on a loopback address, not {parsed.hostname!r}")
    if "bench" not in parsed.path:
        sys.exit("bench: the database is dropped and recreated, so its name must contain 'bench'")
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(60))
    # Personal data is encrypted at rest; a fixed key for the scratch database.
    os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "YmVuY2gtZmllbGQta2V5LWJlbmNoLWZpZWxkLWtleS0=")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return url


def recreate_database(url: str) -> None:
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        host=parsed.hostname, port=parsed.port or 5432, user=parsed.username, password=parsed.password, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def write_rows(path: Path, rows: int) -> None:
    """``rows`` escalations of two creditors, 80% cards and 20% loans, most with a last demand."""
    from legalcase import demo

    rng = random.Random(SEED)
    taken: set[str] = set()
    creditors = [(c.name, c.uscc) for c in demo.CREDITORS[:2]]
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for serial in range(1, rows + 1):
            debtor = demo.person(rng, taken=taken)
            debt = demo.card_debt(rng, serial=serial) if rng.random() < 0.8 else demo.loan_debt(rng, serial=serial)
            name, uscc = creditors[serial % 2]
            demand = rng.random() < 0.7
            demand_date = debt["overdue_since"] + dt.timedelta(days=rng.randint(10, 200))
            writer.writerow(
                [
                    name,
                    uscc,
                    "信用卡" if debt["product"] == "credit_card" else "贷款",
                    debt["account_number"],
                    debt["contract_number"],
                    f"{debt['contract_date']:%Y/%-m/%-d}",
                    debtor["name"],
                    debtor["id_number"],
                    "男" if debtor["gender"] == "male" else "女",
                    debtor["birth_date"].isoformat(),
                    debtor["phone"],
                    debtor["address"],
                    f"{debt['principal']:,}",
                    debt["interest"],
                    debt["penalty_interest"],
                    debt["compound_interest"],
                    debt["late_fees"],
                    debt["fees"],
                    f"{debt['amounts_as_of']:%Y年%-m月%-d日}",
                    debt["overdue_since"].isoformat(),
                    debt["matured_on"].isoformat() if debt["matured_on"] else "",
                    debt["last_payment_date"].isoformat() if debt["last_payment_date"] else "",
                    demand_date.isoformat() if demand else "",
                    rng.choice(CHANNELS) if demand else "",
                    rng.choice(("是", "否")) if demand else "",
                    "",
                ]
            )


def main() -> None:
    args = parse_args()
    url = configure_environment()
    sys.path.insert(0, str(ROOT))
    recreate_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from legalcase.importing import EscalationFile, escalation_validate, escalations_import
    from legalcase.models import Role, User

    call_command("migrate", verbosity=0)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "escalations.csv"
    started = time.perf_counter()
    write_rows(path, args.rows)
    print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s ({path.stat().st_size >> 20} MB)")
    user = User.objects.create(username="bench-admin", role=Role.ADMIN, is_staff=True)

    started = time.perf_counter()
    with EscalationFile(path) as rows:
        invalid = sum(1 for _line, cells in rows if escalation_validate(cells, rows.labels)[0] is None)
    validate_seconds = time.perf_counter() - started

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    started, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):
        result = escalations_import(user=user, path=path)
    import_seconds = time.perf_counter() - started
    # The machine is shared: this process's own CPU time says what the import cost it.
    import_cpu = time.process_time() - cpu

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_import_raw")
        cursor.execute(f"CREATE TABLE bench_import_raw ({', '.join(f'c{i} text' for i in range(len(HEADERS)))})")
        started = time.perf_counter()
        with open(path, encoding="utf-8-sig") as stream:
            cursor.copy_expert("COPY bench_import_raw FROM STDIN WITH (FORMAT csv, HEADER true)", stream)
        copy_seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_import_raw")

    n = args.rows
    print(f"result: {result['created']:,} created, {result['updated']:,} updated, {result['unchanged']:,} unchanged, "
          f"{result['rejected']:,} rejected ({invalid:,} invalid in the validation pass)")
    print(f"{'step':<28}{'seconds':>10}{'rows/s':>12}")
    print(f"{'read + validate only':<28}{validate_seconds:>10.1f}{n / validate_seconds:>12,.0f}")
    print(f"{'import (escalations/s)':<28}{import_seconds:>10.1f}{n / import_seconds:>12,.0f}")
    print(f"{'  of which Python CPU':<28}{import_cpu:>10.1f}")
    print(f"{'raw COPY of the same rows':<28}{copy_seconds:>10.2f}{n / copy_seconds:>12,.0f}")
    print(f"SQL statements per row: {statements / n:.1f}; target {TARGET_SECONDS:.0f} s for 100,000 rows "
          f"({'met' if import_seconds * 100_000 / n <= TARGET_SECONDS else 'missed'} at this rate: "
          f"{import_seconds * 100_000 / n:.0f} s)")
    print("load average (1, 5, 15 min): " + ", ".join(f"{value:.2f}" for value in os.getloadavg()))


if __name__ == "__main__":
    main()
