#!/usr/bin/env python
"""The rehearsal on several hosts (issue 21, item 5): a scripted day, verified exactly once.

Beside ``bench/faults.py`` (which kills workers; this one does not): the same machinery
as production on more than one host, all on loopback.

- two ``gunicorn`` processes on two ports (two "hosts"), reached through a small
  round-robin client (``RoundRobin``: each request goes to the next host);
- two dramatiq worker processes (``rundramatiq``, default + pdf queues), both running
  the schedule (``workers.middleware.ScheduleMiddleware``), on RabbitMQ (the default
  here) or Redis (``--redis``);
- Redis as the cache (``CACHE_URL``), PostgreSQL;
- ``STORAGE_BACKEND=s3`` against a moto server on loopback (``bench/s3server.py``), and
  ``STORAGE_ROOT`` an empty folder that must stay empty.

The day, through the API only: escalations (some sent twice, as a retrying client does),
evidence uploads, a batch of filings with bundles (converting while the recoveries come
in), recoveries from 20 concurrent writers (each request sent twice with its
``Idempotency-Key``), and the schedule's ticks, taken
by both workers' schedulers as they start and every minute after. Then the checks
(``verify``): every row, job, object and timeline event once, nothing lost, every tick
run once, nothing on local disk. It prints a table of what was checked with counts, and
the wall time of each phase.

    .venv/bin/python bench/rehearsal.py                          # RabbitMQ, 200 escalations
    .venv/bin/python bench/rehearsal.py --redis --escalations 40 --batch 10   # a smoke run

``tests/test_rehearsal.py`` (marker ``rehearsal``) runs a small day of it in CI, through
``rehearse()``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import itertools
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/fasu_bench_rehearsal"
RABBIT_VHOST = "fasu_bench_rehearsal"
DEFAULT_RABBITMQ = f"amqp://guest:guest@127.0.0.1:5672/{RABBIT_VHOST}"
DEFAULT_REDIS_BROKER = "redis://127.0.0.1:6379/6"
DEFAULT_CACHE = "redis://127.0.0.1:6379/6"
PORTS = (8106, 8107)
SERIAL_BASE = 700_000  # account numbers of the day's escalations, away from seed_demo's


@dataclass
class Sizes:
    escalations: int = 200
    repeats: int = 20  # escalations sent a second time (idempotent: 200, no new row)
    uploads: int = 2  # evidence files per matter
    batch: int = 50  # matters in the batch (with bundles)
    writers: int = 20
    recoveries: int = 10  # per writer, each sent twice
    gunicorn_workers: int = 2
    threads: int = 4


@dataclass
class Report:
    checks: list[tuple[str, object, object, bool]] = field(default_factory=list)
    times: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    per_host: dict[str, int] = field(default_factory=dict)  # requests each host answered

    def check(self, what: str, expected, actual) -> None:
        self.checks.append((what, expected, actual, expected == actual))

    @property
    def failed(self) -> list[tuple]:
        return [row for row in self.checks if not row[3]]

    def table(self) -> str:
        width = max(len(row[0]) for row in self.checks)
        lines = [f"{'check'.ljust(width)}  {'expected':>10}  {'actual':>10}  ok", "-" * (width + 30)]
        for what, expected, actual, ok in self.checks:
            lines.append(f"{what.ljust(width)}  {str(expected):>10}  {str(actual):>10}  {'yes' if ok else 'NO'}")
        lines.append("")
        lines += [f"{phase:<28} {seconds:7.1f} s" for phase, seconds in self.times.items()]
        lines += self.notes
        return "\n".join(lines)


# --- The hosts -------------------------------------------------------------------------------


class Cluster:
    """Two gunicorn "hosts" and two worker processes on one environment; ``stop()`` ends them."""

    def __init__(self, environment: dict, *, ports=PORTS, sizes: Sizes, logs: Path):
        self.environment = environment
        self.ports = ports
        self.sizes = sizes
        self.logs = logs
        self.servers: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    def _spawn(self, command: list[str], log_name: str) -> subprocess.Popen:
        log = open(self.logs / log_name, "wb")
        return subprocess.Popen(
            command, cwd=ROOT, env=self.environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start(self, *, timeout: float = 120) -> None:
        python = sys.executable
        gunicorn = str(Path(python).parent / "gunicorn")
        for number, port in enumerate(self.ports, start=1):
            self.servers.append(
                self._spawn(
                    [
                        gunicorn, "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
                        "--workers", str(self.sizes.gunicorn_workers), "--threads", str(self.sizes.threads),
                        "--worker-class", "gthread", "--timeout", "120",
                        # Longer than the client's pauses: a kept-alive connection the server
                        # closes as the client reuses it is a reset POST (a proxy's job in production).
                        "--keep-alive", "120",
                    ],
                    f"rehearsal-host{number}.log",
                )
            )
        for number in (1, 2):
            self.workers.append(
                self._spawn(
                    [
                        python, str(ROOT / "manage.py"), "rundramatiq",
                        "--processes", "1", "--threads", "2", "--queues", "default", "pdf",
                    ],
                    f"rehearsal-worker{number}.log",
                )
            )
        import requests

        deadline = time.monotonic() + timeout
        for url in self.urls:
            while True:
                for process in self.servers + self.workers:
                    if process.poll() is not None:
                        raise RuntimeError(f"a rehearsal process exited with {process.returncode}; logs in {self.logs}")
                try:
                    if requests.get(f"{url}/login/", timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s; logs in {self.logs}")
                time.sleep(0.2)

    def stop(self) -> None:
        processes = self.servers + self.workers
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.servers, self.workers = [], []


class RoundRobin:
    """A client of several hosts: each request goes to the next one; one session per thread."""

    def __init__(self, urls: list[str], token: str):
        self.urls = urls
        self.token = token
        self._next = itertools.count()
        self._lock = threading.Lock()
        self._local = threading.local()
        self.per_host: Counter = Counter()

    def request(self, method: str, path: str, **kwargs):
        import requests

        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.headers["Authorization"] = f"Token {self.token}"
        with self._lock:
            url = self.urls[next(self._next) % len(self.urls)]
            self.per_host[url] += 1
        return session.request(method, f"{url}{path}", timeout=120, **kwargs)


# --- The day ---------------------------------------------------------------------------------


def escalation_payloads(count: int, *, seed: int = 21) -> list[dict]:
    """``count`` card escalations of valid debtors and creditors (legalcase.demo's generators)."""
    from legalcase import demo

    rng = random.Random(seed)
    taken: set[str] = set()
    creditor = demo.CREDITORS[0]
    payloads = []
    for number in range(count):
        debtor = demo.person(rng, taken=taken)
        debt = demo.card_debt(rng, serial=SERIAL_BASE + number)
        payloads.append(
            {
                "creditor": {"name": creditor.name, "uscc": creditor.uscc},
                "product": "credit_card",
                "account_number": debt["account_number"],
                "contract_number": debt["contract_number"],
                "contract_date": debt["contract_date"].isoformat(),
                "debtor": {
                    "name": debtor["name"],
                    "id_number": debtor["id_number"],
                    "gender": debtor["gender"],
                    "birth_date": debtor["birth_date"].isoformat(),
                    "phone": debtor["phone"],
                    "address": debtor["address"],
                },
                "amounts": {
                    "as_of": debt["amounts_as_of"].isoformat(),
                    **{
                        key: str(debt[key])
                        for key in ("principal", "interest", "penalty_interest", "compound_interest", "late_fees", "fees")
                    },
                },
                "overdue_since": debt["overdue_since"].isoformat(),
                "demands": [{"date": debt["amounts_as_of"].isoformat(), "channel": "sms", "delivered": True}],
            }
        )
    return payloads


def exhibit(number: int) -> bytes:
    """A small one-page PDF, different for every upload (so a mix-up of files shows)."""
    import batch as batch_bench

    return batch_bench.exhibit_pdf(number)


@dataclass
class Day:
    matters: list[int] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    evidence: dict[int, str] = field(default_factory=dict)  # id -> sha256 sent
    batch_id: int | None = None
    recovery_ids: set[int] = field(default_factory=set)
    recovery_keys: int = 0
    recovered: dict[int, int] = field(default_factory=dict)  # matter -> cents sent
    retries_same: int = 0
    started_at: object = None


def wait_for(condition, *, timeout: float, what: str, every: float = 0.25) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not done within {timeout:.0f} s")
        time.sleep(every)


def run_day(client: RoundRobin, *, sizes: Sizes, template: str, report: Report, timeout: float) -> Day:
    from django.utils import timezone

    from legalcase.models import Job

    day = Day(started_at=timezone.now())
    pool = ThreadPoolExecutor(max(sizes.writers, 8))
    try:
        # 1. Escalations, some sent twice.
        started = time.perf_counter()
        payloads = escalation_payloads(sizes.escalations)
        sends = payloads + payloads[: sizes.repeats]
        answers = list(pool.map(lambda body: client.request("POST", "/api/v1/escalations/", json=body), sends))
        for answer in answers:
            day.statuses[answer.status_code] += 1
            if answer.status_code not in (200, 201):
                report.notes.append(f"escalation answered {answer.status_code}: {answer.text[:200]}")
        by_account = {}
        for body, answer in zip(sends, answers, strict=True):
            if answer.status_code in (200, 201):
                by_account.setdefault(body["account_number"], set()).add(answer.json()["id"])
        day.matters = sorted(next(iter(ids)) for ids in by_account.values())
        report.check("escalations answered 201 (new matter)", sizes.escalations, day.statuses[201])
        report.check("escalations sent again answered 200", sizes.repeats, day.statuses[200])
        report.check("escalations: distinct matters answered", sizes.escalations, len(day.matters))
        report.check("escalations: repeats answered the same matter", 0, sum(len(ids) > 1 for ids in by_account.values()))
        report.times["escalations"] = time.perf_counter() - started

        # 2. Evidence uploads.
        started = time.perf_counter()
        # Made first, one by one: reportlab's font subsetting is not safe across threads.
        work = [(matter, n, exhibit(matter * 10 + n)) for matter in day.matters for n in range(sizes.uploads)]

        def upload(item):
            matter, n, data = item
            answer = client.request(
                "POST",
                f"/api/v1/matters/{matter}/evidence/",
                files={"file": (f"证据{n + 1}.pdf", data, "application/pdf")},
                data={"kind": "contract", "title": f"证据{n + 1}"},
            )
            return data, answer

        for data, answer in pool.map(upload, work):
            if answer.status_code == 201:
                day.evidence[answer.json()["id"]] = hashlib.sha256(data).hexdigest()
            else:
                report.notes.append(f"upload answered {answer.status_code}: {answer.text[:200]}")
        report.check("evidence uploads answered 201", len(work), len(day.evidence))
        report.times["evidence uploads"] = time.perf_counter() - started

        # 3. A batch of filings with bundles, converting while the recoveries come in.
        batch_started = time.perf_counter()
        answer = client.request(
            "POST", "/api/v1/batches/", json={"matters": day.matters[: sizes.batch], "template": template, "bundle": True}
        )
        if answer.status_code != 202:
            raise RuntimeError(f"the batch answered {answer.status_code}: {answer.text[:300]}")
        day.batch_id = answer.json()["id"]

        # 4. Recoveries from concurrent writers on the same matters (each request sent twice).
        started = time.perf_counter()
        received_on = timezone.localdate().isoformat()
        targets = day.matters[: max(1, min(len(day.matters), sizes.writers // 2))]
        lock = threading.Lock()

        def writer(number: int):
            for n in range(sizes.recoveries):
                matter = targets[(number + n) % len(targets)]
                cents = 100 + number * 7 + n
                body = {
                    "amount": f"{cents // 100}.{cents % 100:02d}",
                    "received_on": received_on,
                    "source": "voluntary",
                    "reference": f"writer {number} #{n}",
                }
                key = f"rehearsal-{number}-{n}-{uuid.uuid4().hex[:8]}"
                first = client.request("POST", f"/api/v1/matters/{matter}/recoveries/", json=body, headers={"Idempotency-Key": key})
                again = client.request("POST", f"/api/v1/matters/{matter}/recoveries/", json=body, headers={"Idempotency-Key": key})
                with lock:
                    if first.status_code == 201:
                        day.recovery_keys += 1
                        day.recovery_ids.add(first.json()["id"])
                        day.recovered[matter] = day.recovered.get(matter, 0) + cents
                    else:
                        report.notes.append(f"recovery answered {first.status_code}: {first.text[:200]}")
                    if again.status_code == 200 and first.status_code == 201 and again.json()["id"] == first.json()["id"]:
                        day.retries_same += 1

        list(pool.map(writer, range(sizes.writers)))
        wanted = sizes.writers * sizes.recoveries
        report.check("recoveries answered 201", wanted, day.recovery_keys)
        report.check("recovery retries answered 200, same id", wanted, day.retries_same)
        report.times[f"recoveries ({sizes.writers} writers)"] = time.perf_counter() - started

        # The batch, polled through the hosts to its end.
        def batch_done() -> bool:
            return client.request("GET", f"/api/v1/batches/{day.batch_id}/").json()["status"] == "done"

        wait_for(batch_done, timeout=timeout, what="the batch")
        report.times[f"batch ({sizes.batch} matters, bundles)"] = time.perf_counter() - batch_started

        # 5. Every other job (bundles, scheduled ticks) ends.
        started = time.perf_counter()
        wait_for(
            lambda: not Job.objects.filter(status__in=("pending", "running")).exists(), timeout=timeout, what="the jobs"
        )
        report.times["remaining jobs"] = time.perf_counter() - started
    finally:
        pool.shutdown(wait=True)
    return day


# --- The checks ------------------------------------------------------------------------------


def bucket_keys(s3: dict) -> set[str]:
    import boto3

    bucket = boto3.resource(
        "s3",
        endpoint_url=s3["S3_ENDPOINT_URL"],
        aws_access_key_id=s3["S3_ACCESS_KEY"],
        aws_secret_access_key=s3["S3_SECRET_KEY"],
        region_name=s3["S3_REGION"],
    ).Bucket(s3["S3_BUCKET"])
    return {item.key for item in bucket.objects.all()}


def local_files(*folders: Path) -> list[Path]:
    return [path for folder in folders if folder.exists() for path in folder.rglob("*") if path.is_file()]


def extra(queryset, *fields) -> int:
    """Rows beyond the first of each group: the duplicates."""
    from django.db.models import Count

    grouped = queryset.values(*fields).annotate(n=Count("id")).filter(n__gt=1)
    return sum(row["n"] - 1 for row in grouped)


def verify(
    client: RoundRobin, day: Day, *, sizes: Sizes, s3: dict, storage_root: Path, worker_logs: list[Path], report: Report
) -> None:
    from decimal import Decimal

    from django.db.models import Sum
    from filer.models import File as FilerFile

    from evidence.models import EvidenceBundle, EvidenceItem
    from legalcase.models import Debt, EventKind, Job, Matter, MatterEvent, ScheduledRun
    from legalcase.models.enforcement import Recovery
    from legalcase.schedule import ENTRIES, schedule_due
    from templates_docx.models import Batch, GeneratedDocument

    matters = Matter.objects.filter(pk__in=day.matters)
    report.check("matters (rows)", sizes.escalations, matters.count())
    report.check("debts per account, duplicates", 0, extra(Debt.objects.all(), "creditor_id", "account_number"))
    report.check("matter-opened events per matter", sizes.escalations,
                 MatterEvent.objects.filter(matter__in=matters, kind=EventKind.CREATED).count())

    items = EvidenceItem.objects.filter(matter__in=matters)
    report.check("evidence rows", sizes.escalations * sizes.uploads, items.count())
    report.check("evidence rows whose sha256 is the one sent", len(day.evidence),
                 sum(1 for pk, sha in items.values_list("pk", "sha256") if day.evidence.get(pk) == sha))
    report.check("evidence-added events", items.count(),
                 MatterEvent.objects.filter(matter__in=matters, kind=EventKind.EVIDENCE_ADDED).count())
    sample = sorted(day.evidence)[:: max(1, len(day.evidence) // 10)]
    same = 0
    for pk in sample:
        answer = client.request("GET", f"/api/v1/evidence/{pk}/download/")
        same += answer.status_code == 200 and hashlib.sha256(answer.content).hexdigest() == day.evidence[pk]
    report.check("evidence downloads byte for byte (sample, both hosts)", len(sample), same)

    recoveries = Recovery.objects.filter(matter__in=matters, reverses__isnull=True)
    report.check("recovery rows", day.recovery_keys, recoveries.count())
    report.check("recovery ids answered, distinct", day.recovery_keys, len(day.recovery_ids))
    report.check("recovery-recorded events", day.recovery_keys,
                 MatterEvent.objects.filter(matter__in=matters, kind=EventKind.RECOVERY_RECORDED).count())
    sums = {row["matter"]: row["total"] for row in recoveries.values("matter").annotate(total=Sum("amount"))}
    report.check("matters whose recovered sum is what was sent", len(day.recovered),
                 sum(1 for matter, cents in day.recovered.items() if sums.get(matter) == Decimal(cents) / 100))

    batch = Batch.objects.get(pk=day.batch_id)
    counts = batch.counts()
    in_batch = list(batch.items.values_list("matter_id", flat=True))
    report.check("batch items done", sizes.batch, counts["done"])
    report.check("batch items failed or pending", 0, counts["failed"] + counts["pending"])
    report.check("batch filings per matter, duplicates", 0,
                 extra(GeneratedDocument.objects.filter(matter_id__in=in_batch), "matter_id"))
    report.check("batch bundles per matter, duplicates", 0,
                 extra(EvidenceBundle.objects.filter(matter_id__in=in_batch), "matter_id"))
    report.check("document-generated events per matter, duplicates", 0,
                 extra(MatterEvent.objects.filter(matter_id__in=in_batch, kind=EventKind.DOCUMENT_REQUESTED), "matter_id"))
    answer = client.request("GET", f"/api/v1/batches/{day.batch_id}/download/")
    import zipfile

    manifest = 0
    if answer.status_code == 200:
        with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
            manifest = len(archive.read("manifest.csv").decode("utf-8-sig").strip().splitlines()) - 1
    report.check("batch ZIP manifest rows", sizes.batch, manifest)

    jobs = Job.objects.filter(created_at__gte=day.started_at)
    statuses = Counter(jobs.values_list("status", flat=True))
    report.check("jobs not done (pending, running, failed)", 0, sum(n for status, n in statuses.items() if status != "done"))
    report.check("jobs run more than once (attempts > 1)", 0, jobs.filter(attempts__gt=1).count())
    report.notes.append(f"jobs by kind: {dict(Counter(jobs.values_list('kind', flat=True)))}")

    runs = ScheduledRun.objects.all()
    scheduled = Job.objects.filter(kind__startswith="scheduled_")
    ticks = Counter((job.payload["entry"], job.payload["tick"]) for job in scheduled)
    report.check("schedule entries whose latest tick ran", len(ENTRIES), len(set(runs.values_list("entry", flat=True))))
    report.check("scheduled ticks with a job", runs.count(), runs.filter(job__isnull=False).count())
    report.check("scheduled ticks run twice", 0, sum(n - 1 for n in ticks.values() if n > 1))
    report.check("scheduled jobs done", scheduled.count(), scheduled.filter(status="done").count())
    # A third scheduler, late, finds every tick due when the day began taken.
    late = schedule_due(now=day.started_at, taken_by="rehearsal driver")
    report.check("ticks a late third scheduler takes", 0, len(late))
    ready = sum(path.read_text(errors="replace").count("Worker process is ready for action") for path in worker_logs)
    report.check("worker processes that booted (each schedules)", 2, ready)
    takers = Counter(runs.values_list("taken_by", flat=True))
    report.notes.append(f"ticks taken: {runs.count()} by {len(takers)} scheduler(s) {dict(takers)}")

    keys = bucket_keys(s3)
    rows = {f"filer_private/{name}" for name in FilerFile.objects.values_list("file", flat=True)}
    report.check("file rows without their object", 0, len(rows - keys))
    report.check("objects without a row (filer_private)", 0, len({k for k in keys if k.startswith("filer_private/")} - rows))
    report.notes.append(f"objects in the bucket: {len(keys)} ({len(rows)} filer files)")
    report.check("files on local disk under STORAGE_ROOT", 0, len(local_files(storage_root)))
    # Nor in the default folder (var/storage) of a process that missed the setting.
    since = day.started_at.timestamp() - 60
    report.check("files written under var/storage", 0,
                 sum(1 for path in local_files(ROOT / "var" / "storage") if path.stat().st_mtime >= since))
    report.per_host = dict(client.per_host)
    report.notes.append(f"requests per host: {report.per_host}")


# --- One rehearsal ---------------------------------------------------------------------------


def rehearse(
    *,
    environment: dict,
    token: str,
    sizes: Sizes,
    template: str,
    s3: dict,
    storage_root: Path,
    logs: Path,
    ports=PORTS,
    timeout: float = 1800,
) -> Report:
    """Start the hosts and workers on ``environment``, run the day, check it; returns the report.

    The database named by ``environment["DATABASE_URL"]`` is also this process's (the
    checks read it), migrated, with the user of ``token`` and the template ``template``.
    """
    report = Report()
    # The hosts' and workers' own temporary folder, so what they leave there is theirs alone.
    temp = Path(tempfile.mkdtemp(prefix="rehearsal-tmp-", dir=logs))
    environment = {**environment, "TMPDIR": str(temp)}
    cluster = Cluster(environment, ports=ports, sizes=sizes, logs=logs)
    started = time.perf_counter()
    try:
        cluster.start()
        report.times["hosts and workers up"] = time.perf_counter() - started
        client = RoundRobin(cluster.urls, token)
        day = run_day(client, sizes=sizes, template=template, report=report, timeout=timeout)
        started = time.perf_counter()
        verify(
            client, day, sizes=sizes, s3=s3, storage_root=storage_root, report=report,
            worker_logs=[logs / "rehearsal-worker1.log", logs / "rehearsal-worker2.log"],
        )
        report.times["checks"] = time.perf_counter() - started
    finally:
        cluster.stop()
    # LibreOffice's profiles (fasu-lo-*) are kept for a process's life and hold no data.
    left = sorted(path.name for path in temp.iterdir() if not path.name.startswith("fasu-lo-"))
    report.check("temporary files or folders left behind", 0, len(left))
    if left:
        report.notes.append(f"left in the temporary folder: {left[:10]}")
    shutil.rmtree(temp, ignore_errors=True)
    return report


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", action="store_true", help="Redis instead of RabbitMQ as the broker")
    parser.add_argument("--broker-url", default=None)
    for name, default in vars(Sizes()).items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=default)
    parser.add_argument("--timeout", type=float, default=1800)
    return parser.parse_args()


def main() -> None:
    import faults

    args = parse_args()
    sizes = Sizes(**{name: getattr(args, name) for name in vars(Sizes())})
    broker = args.broker_url or (DEFAULT_REDIS_BROKER if args.redis else DEFAULT_RABBITMQ)
    scratch = Path(tempfile.mkdtemp(prefix="fasu-bench-rehearsal-"))
    logs = ROOT / "bench" / "out"
    logs.mkdir(exist_ok=True)
    storage_root = scratch / "storage"
    storage_root.mkdir()
    environment = dict(os.environ)
    environment.setdefault("DATABASE_URL", DEFAULT_DATABASE)
    environment.update(
        BROKER_URL=broker,
        CACHE_URL=os.environ.get("CACHE_URL", DEFAULT_CACHE),
        DEBUG="1",
        STORAGE_ROOT=str(storage_root),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    from s3server import S3Server

    # SIGTERM ends the run through the finally blocks below: hosts, workers and S3 server stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    s3_server = S3Server().start()
    try:
        s3 = s3_server.environment(bucket="fasu-rehearsal")
        environment.update(s3)
        os.environ.update(environment)
        import django

        django.setup()
        import logging

        logging.getLogger("pika").setLevel(logging.CRITICAL)
        from django.core.cache import cache
        from django.core.management import call_command
        from django.db import connections

        import batch as batch_bench

        started = time.perf_counter()
        connections.close_all()
        batch_bench.fresh_database(environment["DATABASE_URL"])
        faults.prepare_broker(broker)
        cache.clear()
        call_command("migrate", verbosity=0)
        call_command("seed_demo", matters=10, verbosity=0, stdout=io.StringIO())  # its users (counsel1)
        from legalcase.authentication import token_issue
        from legalcase.models import User

        token, _ = token_issue(user=User.objects.get(username="counsel1"))
        connections.close_all()
        print(f"fresh database, migrated and seeded in {time.perf_counter() - started:.0f} s; broker {broker.split('@')[-1]}")
        report = rehearse(
            environment=environment, token=token, sizes=sizes, template="complaint_credit_card",
            s3=s3, storage_root=storage_root, logs=logs, timeout=args.timeout,
        )
    finally:
        s3_server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    print(report.table())
    print(f"\n{'ALL CHECKS PASSED' if not report.failed else f'{len(report.failed)} CHECKS FAILED'}")
    sys.exit(1 if report.failed else 0)


if __name__ == "__main__":
    main()
