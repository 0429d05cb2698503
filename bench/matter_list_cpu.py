#!/usr/bin/env python
"""The matter list's cost per request, in this process: CPU ms, wall ms and queries.

``bench/matter_list.py`` measures what ten clients see; on a shared two-core machine its
p95 moves with the neighbours' load. What one request costs moves far less: this script
serves the same scenarios (API and page, signed in as counsel1) through Django's test
client in this process, DEBUG=0, and prints per scenario the median CPU time of the
process (Python: middleware, ORM, rendering), the median wall time (CPU plus the SQL's
round trips), the queries per request and, beside them, the same SQL replayed raw with
psycopg2 (the floor the database sets), and the Python function calls per request
(cProfile's count: the same on every run of the same code and data, where CPU ms moved by
a fifth between runs on this machine; compare two versions by it). ``--profile NAME``
prints cProfile's top functions for the scenarios whose name contains NAME.

Run it against a filled database (bench/matter_list.py --fill-only fills one):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fasu_bench_copy python bench/matter_list_cpu.py
    python bench/matter_list_cpu.py --only 张伟 --profile 张伟
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import matter_list  # noqa: E402  (bench/matter_list.py: its scenarios and environment)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="measured requests per scenario (default 30)")
    parser.add_argument("--only", default="", help="only the scenarios whose name contains this text")
    parser.add_argument("--profile", default="", help="cProfile the scenarios whose name contains this text")
    parser.add_argument("--sort", default="tottime", help="cProfile sort key (default tottime)")
    parser.add_argument("--queries", action="store_true", help="print each query's raw time too")
    parser.add_argument("--via", choices=("both", "API", "page"), default="both")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if not os.environ.get("DATABASE_URL", "").strip():
        # It signs in (a token, a session): never against a default database by accident.
        sys.exit("bench: set DATABASE_URL to the filled database to measure (a copy of it: this writes a session)")
    matter_list.configure_environment()
    os.chdir(ROOT)
    import django

    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from legalcase.authentication import token_issue
    from legalcase.models import User

    user = User.objects.get(username="counsel1")
    token, _expires = token_issue(user=user)
    page_client = Client(HTTP_HOST="127.0.0.1")
    page_client.force_login(user)
    api_client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT="application/json")
    rows = []
    for name, params in (*matter_list.SCENARIOS, *matter_list.search_scenarios()):
        if args.only not in name:
            continue
        query = ("?" + urlencode(params)) if params else ""
        for kind, client, path in (("API", api_client, f"/api/v1/matters/{query}"), ("page", page_client, f"/{query}")):
            if args.via not in ("both", kind):
                continue
            for _ in range(3):  # warm caches, connections, the planner's statistics
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
                sql = [query["sql"] for query in captured.captured_queries]
            cpu, wall = [], []
            profiler = cProfile.Profile() if args.profile and args.profile in name else None
            for _ in range(args.requests):
                started, started_cpu = time.perf_counter(), time.process_time()
                if profiler:
                    profiler.enable()
                client.get(path)
                if profiler:
                    profiler.disable()
                cpu.append((time.process_time() - started_cpu) * 1000)
                wall.append((time.perf_counter() - started) * 1000)
            counter = cProfile.Profile()
            counter.enable()
            for _ in range(5):
                client.get(path)
            counter.disable()
            calls = pstats.Stats(counter).total_calls / 5
            totals, each = matter_list.time_sql(sql, 10)
            if args.queries:
                for text, times in each.items():
                    print(f"{name} / {kind}: {statistics.median(times):6.2f} ms  {' '.join(text.split())[:160]}")
            rows.append(
                (
                    name, kind, f"{statistics.median(cpu):.1f}", f"{statistics.median(wall):.1f}", f"{calls:,.0f}",
                    str(len(sql)),
                    f"{statistics.median(totals):.2f}" if totals else "-",
                )
            )  # fmt: skip
            if profiler:
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out).sort_stats(args.sort)
                stats.print_stats(os.environ.get("PROFILE_FILTER", ""), 40)
                if os.environ.get("PROFILE_CALLERS"):
                    stats.print_callers(os.environ["PROFILE_CALLERS"])
                if os.environ.get("PROFILE_CALLEES"):
                    stats.print_callees(os.environ["PROFILE_CALLEES"])
                print(f"--- cProfile {name} / {kind}, {args.requests} requests")
                print(out.getvalue())
                for query in sql:
                    print("   ", query[:300])
    load = os.getloadavg()
    print(f"Matter list in process (Django test client, DEBUG=0), median of {args.requests} requests; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")  # fmt: skip
    matter_list.print_table(("scenario", "via", "CPU ms", "wall ms", "Python calls", "queries", "raw SQL ms"), rows)


if __name__ == "__main__":
    main()
