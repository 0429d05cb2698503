#!/usr/bin/env python
"""A fault rehearsal: real workers on a real broker, killed with SIGKILL, and nothing lost or doubled.

Issue 15, "Exactly once under faults". Two runs on fresh databases, the same work in
each: first without faults (the reference time and outcome), then with ``--kills``
SIGKILLs of both worker processes at random moments.

What a run does:

1. A fresh PostgreSQL database (``DATABASE_URL``, default
   ``postgres://postgres@127.0.0.1:5432/fasu_bench_faults``; dropped and created again,
   only if its name contains ``bench``), ``migrate``, ``seed_demo --matters M`` and four
   exhibits per matter (as ``bench/batch.py``), its own storage folder.
2. Two worker processes (``manage.py rundramatiq --processes 1 --threads 2``, both
   queues) on Redis (``redis://127.0.0.1:6379/2`` by default, flushed) or, with
   ``--rabbitmq``, on RabbitMQ (``amqp://guest:guest@127.0.0.1:5672/fasu_bench_faults``,
   a vhost of its own, made with ``rabbitmqctl`` when missing, purged).
3. At once: a batch of ``--matters`` card matters with bundles
   (``complaint_credit_card``), an import of a ``--rows`` escalation file, and a bulk job
   assigning every seeded matter to a new firm.
4. With kills: at random moments (``--seed``), SIGKILL of each worker's whole process
   tree (the rundramatiq parent, its worker, its render children and the LibreOffice it
   started in a session of its own), then a restart. Meanwhile the bench calls
   ``jobs_requeue_stale`` every few seconds, as the schedule does; ``JOB_LEASE_SECONDS``
   is 45 so a dead worker's job is taken up again soon.
5. When every job has ended: the checks. Items processed exactly once (a batch matter
   done or failed with its reason; every import row counted once, the counts equal to
   the run without faults; every bulk matter assigned once or failed), nothing lost
   (pending, or done without its files), no duplicates (documents, bundles, timeline
   events, matters, debts, assignments), no orphans (stored files no row references, and
   rows whose file is missing) before and after ``storage_orphans_sweep``.

Run on demand; not part of the test suite (a few minutes a run on two cores):

    .venv/bin/python bench/faults.py                    # Redis
    .venv/bin/python bench/faults.py --rabbitmq
    .venv/bin/python bench/faults.py --s3               # files in a local S3 bucket, none on disk
    .venv/bin/python bench/faults.py --matters 20 --rows 500 --seed-matters 40 --kills 2   # a smoke run
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/fasu_bench_faults"
DEFAULT_REDIS = "redis://127.0.0.1:6379/2"
RABBIT_VHOST = "fasu_bench_faults"
DEFAULT_RABBITMQ = f"amqp://guest:guest@127.0.0.1:5672/{RABBIT_VHOST}"
LEASE_SECONDS = 45
REQUEUE_EVERY = 5.0
TEMPLATE = "complaint_credit_card"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rabbitmq", action="store_true", help="RabbitMQ instead of Redis as the broker")
    parser.add_argument(
        "--s3", action="store_true", help="store in a bucket of a local moto S3 server (bench/s3server.py), none on disk"
    )
    parser.add_argument("--broker-url", default=None, help="override the broker URL")
    parser.add_argument("--matters", type=int, default=200, help="matters in the batch (card matters)")
    parser.add_argument("--seed-matters", type=int, default=500, help="demo matters seeded (the bulk job takes all)")
    parser.add_argument("--rows", type=int, default=5000, help="rows of the import file")
    parser.add_argument("--kills", type=int, default=5, help="SIGKILLs of the workers in the faulty run")
    parser.add_argument("--seed", type=int, default=15, help="random seed of the kill moments")
    parser.add_argument("--only-kills", action="store_true", help="skip the run without faults")
    parser.add_argument("--timeout", type=float, default=3600, help="give up waiting after this many seconds")
    return parser.parse_args()


# --- Processes ----------------------------------------------------------------------------


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (read from /proc: LibreOffice runs in a session of its own)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, pending = [], [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def start_workers(environment: dict, log_path: Path) -> list[subprocess.Popen]:
    command = [
        sys.executable, str(ROOT / "manage.py"), "rundramatiq",
        "--processes", "1", "--threads", "2", "--queues", "default", "pdf",
    ]
    log = open(log_path, "ab")
    return [
        subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        for _ in range(2)
    ]


def kill_workers(workers: list[subprocess.Popen]) -> int:
    """SIGKILL every process of every worker's tree; return how many died."""
    victims = []
    for worker in workers:
        victims += [worker.pid, *descendants(worker.pid)]
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for worker in workers:
        try:
            os.killpg(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        worker.wait()
    return len(victims)


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        try:
            os.killpg(worker.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for worker in workers:
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            kill_workers([worker])


# --- Broker and storage -------------------------------------------------------------------


def prepare_broker(url: str) -> None:
    if url.startswith("redis"):
        import redis

        redis.Redis.from_url(url).flushdb()
        return
    vhost = url.rsplit("/", 1)[1]
    if vhost and shutil.which("rabbitmqctl"):
        listed = subprocess.run(["rabbitmqctl", "-q", "list_vhosts"], capture_output=True, text=True).stdout.split()
        if vhost not in listed:
            subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True)
            subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True)
    import dramatiq

    import workers.actors  # noqa: F401  (declares the queues)

    dramatiq.get_broker().flush_all()


def stored_names() -> set[str]:
    """The names of every file in the private (evidence) storage, local folder or bucket alike."""
    from evidence.services import private_storage
    from legalcase.files import stored_names as names

    return set(names(private_storage()))


def local_files(root: Path) -> int:
    """Files on local disk under STORAGE_ROOT (none with --s3)."""
    return sum(1 for path in root.rglob("*") if path.is_file()) if root.exists() else 0


# --- One run ------------------------------------------------------------------------------


def setup(args, environment: dict) -> None:
    from django.core.management import call_command
    from django.db import connections

    import batch as batch_bench

    connections.close_all()
    batch_bench.fresh_database(environment["DATABASE_URL"])
    storage = Path(environment["STORAGE_ROOT"])
    shutil.rmtree(storage, ignore_errors=True)
    storage.mkdir(parents=True)
    if environment.get("STORAGE_BACKEND") == "s3":
        from legalcase.files import file_storage

        file_storage().bucket.objects.all().delete()
    prepare_broker(environment["BROKER_URL"])
    call_command("migrate", verbosity=0)
    call_command("seed_demo", matters=args.seed_matters, verbosity=0)
    from legalcase.models import User

    batch_bench.add_exhibits(User.objects.get(username="counsel1"))


def run(args, environment: dict, *, kills: int, label: str, import_file: Path) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db.models import Q

    from legalcase.importing import escalations_import_start
    from legalcase.jobs import jobs_requeue_stale
    from legalcase.models import Job, LawFirm, Matter, User
    from legalcase.services import matters_bulk_start
    from templates_docx.batches import batch_request

    started = time.perf_counter()
    setup(args, environment)
    counsel = User.objects.get(username="counsel1")
    card = list(
        Matter.objects.filter(debt__product="credit_card").order_by("pk").values_list("pk", flat=True)[: args.matters]
    )
    if len(card) < args.matters:
        sys.exit(f"only {len(card)} card matters seeded: raise --seed-matters")
    everyone = list(Matter.objects.order_by("pk").values_list("pk", flat=True))
    firm = LawFirm.objects.create(name="故障演练律师事务所")
    print(f"[{label}] {len(everyone)} matters seeded with 4 exhibits each in {time.perf_counter() - started:.0f} s")

    log_path = ROOT / "bench" / "out" / f"faults-{label}.log"
    log_path.unlink(missing_ok=True)
    workers = start_workers(environment, log_path)
    time.sleep(8)  # the workers import Django and connect to the broker
    rng = random.Random(args.seed)
    started = time.perf_counter()
    batch = batch_request(user=counsel, matter_ids=card, template_code=TEMPLATE, bundle=True)
    import_job = escalations_import_start(
        user=counsel, upload=SimpleUploadedFile("故障演练.csv", import_file.read_bytes())
    )
    bulk_job = matters_bulk_start(user=counsel, action="assign_firm", matter_ids=everyone, firm_id=firm.pk)
    kill_at = started + rng.uniform(4, 20) if kills else None
    killed, victims, last_requeue = 0, 0, time.perf_counter()
    try:
        while True:
            now = time.perf_counter()
            unfinished = Job.objects.filter(Q(status="pending") | Q(status="running")).count()
            pending_items = batch.items.filter(status="pending").count()
            if not unfinished and not pending_items:
                break
            if now - started > args.timeout:
                print(f"[{label}] TIMEOUT: {unfinished} jobs and {pending_items} batch items still open")
                break
            if kill_at is not None and now >= kill_at:
                victims += kill_workers(workers)
                killed += 1
                print(f"[{label}] kill {killed} at {now - started:.1f} s: {victims} processes so far")
                time.sleep(1)
                workers = start_workers(environment, log_path)
                kill_at = now + rng.uniform(6, 25) if killed < kills else None
            if now - last_requeue >= REQUEUE_EVERY:
                jobs_requeue_stale()
                last_requeue = now
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
    finally:
        stop_workers(workers)
    figures = audit(
        batch=batch,
        import_job=import_job,
        bulk_job=bulk_job,
        firm=firm,
        rows=args.rows,
    )
    figures["local files"] = local_files(Path(environment["STORAGE_ROOT"]))
    figures.update(elapsed=elapsed, kills=killed, victims=victims)
    return figures


def audit(*, batch, import_job, bulk_job, firm, rows: int) -> dict:
    """What the database and the storage say after the run."""
    from datetime import timedelta

    from django.db.models import Count
    from filer.models import File as FilerFile

    from evidence.models import EvidenceBundle
    from evidence.sweep import storage_orphans_sweep
    from legalcase.models import Assignment, Debt, DemandRecord, EventKind, Job, Matter, MatterEvent
    from templates_docx.models import GeneratedDocument

    def extra(queryset, *fields) -> int:
        """Rows beyond the first of each group: the duplicates."""
        grouped = queryset.values(*fields).annotate(n=Count("id")).filter(n__gt=1)
        return sum(row["n"] - 1 for row in grouped)

    batch_matters = list(batch.items.values_list("matter_id", flat=True))
    counts = batch.counts()
    done_without_files = sum(
        1
        for item in batch.items.filter(status="done").select_related("document", "bundle")
        if not item.document_id or not item.document.docx_file_id or not item.bundle_id or not item.bundle.file_id
        or len(item.files) != 3
    )
    reasons = Counter(batch.items.filter(status="failed").values_list("error", flat=True))
    failed_without_reason = batch.items.filter(status="failed", error="").count()
    import_job.refresh_from_db()
    bulk_job.refresh_from_db()
    import_counted = sum(import_job.result.get(key, 0) for key in ("created", "updated", "unchanged", "rejected"))
    assigned = set(
        Assignment.objects.filter(firm=firm).values_list("matter_id", flat=True)
    )
    bulk_failed = {error["matter"] for error in bulk_job.result.get("errors", [])}
    bulk_lost = len([pk for pk in bulk_job.payload["matter_ids"] if pk not in assigned and pk not in bulk_failed])
    duplicates = {
        "documents": extra(GeneratedDocument.objects.filter(matter_id__in=batch_matters), "matter_id"),
        "bundles": extra(EvidenceBundle.objects.filter(matter_id__in=batch_matters), "matter_id"),
        "document events": extra(
            MatterEvent.objects.filter(matter_id__in=batch_matters, kind=EventKind.DOCUMENT_REQUESTED), "matter_id"
        ),
        "matters (created events)": extra(MatterEvent.objects.filter(kind=EventKind.CREATED), "matter_id"),
        "debts": extra(Debt.objects.all(), "creditor_id", "account_number"),
        "matters per debt": extra(Matter.objects.all(), "debt_id"),
        "demand records": extra(DemandRecord.objects.all(), "debt_id", "date", "channel"),
        "assignments": extra(Assignment.objects.filter(firm=firm), "matter_id"),
        "assignment events": extra(
            MatterEvent.objects.filter(kind=EventKind.FIRM_ASSIGNED, new__firm_id=firm.pk), "matter_id"
        ),
    }
    on_disk = stored_names()
    rows_files = set(FilerFile.objects.values_list("file", flat=True))
    orphans_before = len(on_disk - rows_files)
    rows_without_file = len(rows_files - on_disk)
    swept = storage_orphans_sweep(older_than=timedelta(0))
    orphans_after = len(stored_names() - rows_files)
    return {
        "batch": counts,
        "batch lost": counts["pending"] + done_without_files,
        "batch failed reasons": dict(reasons),
        "failed without reason": failed_without_reason,
        "import": {key: import_job.result.get(key) for key in ("created", "updated", "unchanged", "rejected")},
        "import status": import_job.status,
        "import lost": rows - import_counted if import_job.status == "done" else rows,
        "bulk": (bulk_job.status, len(assigned), bulk_job.result.get("failed")),
        "bulk lost": bulk_lost,
        "duplicates": duplicates,
        "orphans before sweep": orphans_before,
        "orphans swept": len(swept.removed),
        "orphans after sweep": orphans_after,
        "rows without file": rows_without_file,
        "jobs": dict(Counter(Job.objects.values_list("status", flat=True))),
        "attempts": dict(Counter(Job.objects.values_list("attempts", flat=True))),
    }


def show(label: str, figures: dict) -> None:
    print(f"\n== {label}: {figures['elapsed']:.1f} s, {figures['kills']} kills ({figures['victims']} processes) ==")
    batch = figures["batch"]
    print(f"batch: {batch['done']} done, {batch['failed']} failed, {batch['pending']} pending; lost {figures['batch lost']}")
    for reason, n in figures["batch failed reasons"].items():
        print(f"    {n} × {reason}")
    print(f"import ({figures['import status']}): {figures['import']}; lost {figures['import lost']}")
    status, assigned, failed = figures["bulk"]
    print(f"bulk ({status}): {assigned} assigned, {failed} failed; lost {figures['bulk lost']}")
    print(f"duplicates: {sum(figures['duplicates'].values())} {figures['duplicates']}")
    print(
        f"orphans: {figures['orphans before sweep']} files left by kills, {figures['orphans swept']} swept, "
        f"{figures['orphans after sweep']} left; rows without their file: {figures['rows without file']}"
    )
    print(f"jobs: {figures['jobs']}, attempts: {figures['attempts']}; files on local disk: {figures['local files']}")
    lost = figures["batch lost"] + figures["import lost"] + figures["bulk lost"] + figures["failed without reason"]
    print(
        f"LOST {lost}  DUPLICATED {sum(figures['duplicates'].values())}  "
        f"ORPHANED {figures['orphans after sweep'] + figures['rows without file']}"
    )


def main() -> None:
    args = parse_args()
    broker = args.broker_url or (DEFAULT_RABBITMQ if args.rabbitmq else DEFAULT_REDIS)
    scratch = Path(tempfile.mkdtemp(prefix="fasu-bench-faults-"))
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    environment = dict(os.environ)
    environment.setdefault("DATABASE_URL", DEFAULT_DATABASE)
    environment.update(
        BROKER_URL=broker,
        DEBUG="1",
        STORAGE_ROOT=str(scratch / "storage"),
        DJANGO_SETTINGS_MODULE="config.settings",
        JOB_LEASE_SECONDS=str(LEASE_SECONDS),
        EVIDENCE_CONVERT_SECONDS="40",
    )
    s3 = None
    if args.s3:
        from s3server import S3Server

        s3 = S3Server().start()
        environment.update(s3.environment(bucket="fasu-bench-faults"))
    os.environ.update(environment)
    import django

    django.setup()
    import logging

    import import_escalations

    # pika logs every reconnection of the bench's own idle broker connection at INFO.
    logging.getLogger("pika").setLevel(logging.CRITICAL)

    import_file = scratch / "import.csv"
    import_escalations.write_rows(import_file, args.rows)
    name = "rabbitmq" if broker.startswith("amqp") else "redis"
    runs = {}
    try:
        if not args.only_kills:
            runs["without kills"] = run(args, environment, kills=0, label=f"{name}-calm", import_file=import_file)
            show(f"{name}, without kills", runs["without kills"])
        runs["with kills"] = run(args, environment, kills=args.kills, label=f"{name}-kills", import_file=import_file)
        show(f"{name}, with {args.kills} kills", runs["with kills"])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if s3 is not None:
            s3.stop()
    if len(runs) == 2:
        calm, faulty = runs["without kills"], runs["with kills"]
        same = calm["import"] == faulty["import"] and calm["bulk"][1:] == faulty["bulk"][1:]
        print(
            f"\nelapsed: {calm['elapsed']:.1f} s without kills, {faulty['elapsed']:.1f} s with {faulty['kills']} kills; "
            f"import and bulk outcomes {'identical' if same else 'DIFFERENT'}"
        )


if __name__ == "__main__":
    main()
