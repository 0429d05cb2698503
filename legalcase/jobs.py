"""Background jobs: a database row is the truth, the broker only carries its id.

A service calls ``job_create``; after commit the row's id is sent to a dramatiq actor
by name (no app imports ``workers``). The actor calls ``job_run``, which claims the row
with a conditional UPDATE (so two workers never run it at once), runs the handler
registered for the job's kind, and records the outcome. A worker that dies leaves the
row ``running`` with a lease; ``jobs_requeue_stale`` sends it again once the lease has
run out, and gives up after ``MAX_ATTEMPTS``.

Giving up is never silent: a kind may name an ``on_give_up`` handler, called exactly
once, in the transaction that marks the job failed for good (its last attempt died, or
its handler raised), so the job's own items end as failed with the reason in Chinese
instead of staying pending (a batch chunk's matters, an import's unread rows).
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import dramatiq
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from legalcase.models import Job, JobStatus, User

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class JobKind:
    handler: str  # dotted path of ``handler(*, job, report) -> dict``
    actor: str = "run_job"
    queue: str = "default"
    # Dotted path of ``on_give_up(*, job, reason)``: settles the job's items when it fails for good.
    on_give_up: str = ""


JOB_KINDS: dict[str, JobKind] = {
    "matters_bulk": JobKind(
        handler="legalcase.services.matters_bulk_apply", on_give_up="legalcase.services.matters.matters_bulk_give_up"
    ),
    "escalations_import": JobKind(
        handler="legalcase.importing.escalations_import_run",
        on_give_up="legalcase.importing.escalations_import_give_up",
    ),
    "deadlines_recompute": JobKind(handler="legalcase.services.deadlines.deadlines_recompute_run"),
    "demand_tracking_import": JobKind(handler="legalcase.services.demands.tracking_import_run"),
}


def register_job_kind(
    kind: str, *, handler: str, actor: str = "run_job", queue: str = "default", on_give_up: str = ""
) -> None:
    """Let another app add a job kind (from its AppConfig.ready) without legalcase importing it."""
    JOB_KINDS[kind] = JobKind(handler=handler, actor=actor, queue=queue, on_give_up=on_give_up)


def gave_up_message(attempts: int = MAX_ATTEMPTS) -> str:
    """Why a job whose worker died on every attempt was stopped (shown to users)."""
    return f"工作进程在运行此任务时中断了 {attempts} 次，已停止重试"


# A path rooted at / in a message (an OSError names the file it could not open): users see
# only its last part, never where this host keeps files (API.md, "Operations at scale").
ROOTED_PATH = re.compile(r"(?<![\w.:/])/[^\s'\"/]+(?:/[^\s'\"/]+)*/?")


def without_paths(text: str) -> str:
    """``text`` with every rooted path cut to its last part."""
    return ROOTED_PATH.sub(lambda match: match.group(0).rstrip("/").rsplit("/", 1)[-1] or "…", text)


def failed_message(exc: BaseException) -> str:
    """Why a job whose handler raised was stopped: the class name (for support) and the
    message, which the services write in Chinese, with no path of this host in it."""
    return without_paths(f"{exc.__class__.__name__}: {exc}")


class JobLost(Exception):
    """The job's lease ran out and another worker claimed it; this worker must stop."""


def job_create(*, kind: str, user: User | None, payload: dict, total: int = 0) -> Job:
    """Create a pending job and enqueue it once the surrounding transaction commits."""
    if kind not in JOB_KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, created_by=user, payload=payload, progress_total=total)
    transaction.on_commit(lambda: job_enqueue(job_id=job.pk))
    return job


def job_enqueue(*, job_id: uuid.UUID) -> None:
    """Send the job's id to its actor, by name."""
    kind = Job.objects.values_list("kind", flat=True).get(pk=job_id)
    spec = JOB_KINDS[kind]
    Job.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
    if settings.JOBS_IN_PROCESS:
        start_in_process_worker()
    message = dramatiq.Message(
        queue_name=spec.queue, actor_name=spec.actor, args=(str(job_id),), kwargs={}, options={}
    )
    dramatiq.get_broker().enqueue(message)


def job_claim(*, job_id: uuid.UUID | str) -> uuid.UUID | None:
    """Atomically take the job for this worker; return the claim token, or None if it is not ours."""
    now = timezone.now()
    claim = uuid.uuid4()
    claimable = Q(status=JobStatus.PENDING) | Q(status=JobStatus.RUNNING, lease_expires_at__lt=now)
    taken = (
        Job.objects.filter(claimable, pk=job_id, attempts__lt=MAX_ATTEMPTS)
        .update(
            status=JobStatus.RUNNING,
            claim=claim,
            lease_expires_at=now + timedelta(seconds=settings.JOB_LEASE_SECONDS),
            attempts=F("attempts") + 1,
            started_at=now,
        )
    )
    return claim if taken == 1 else None


class JobReporter:
    """Handed to a job's handler: records progress and renews the lease while the claim holds."""

    def __init__(self, job: Job, claim: uuid.UUID):
        self.job, self.claim = job, claim

    def __call__(self, *, done: int, total: int | None = None, result: dict | None = None) -> None:
        now = timezone.now()
        fields: dict[str, Any] = {
            "progress_done": done,
            "lease_expires_at": now + timedelta(seconds=settings.JOB_LEASE_SECONDS),
        }
        if total is not None:
            fields["progress_total"] = total
        if result is not None:
            fields["result"] = result
        if Job.objects.filter(pk=self.job.pk, claim=self.claim, status=JobStatus.RUNNING).update(**fields) != 1:
            raise JobLost(str(self.job.pk))
        self.job.progress_done = done


def job_run(*, job_id: uuid.UUID | str) -> Job | None:
    """Claim and run a job; safe to call twice and from several workers at once."""
    claim = job_claim(job_id=job_id)
    if claim is None:
        return None
    job = Job.objects.get(pk=job_id)
    handler = import_string(JOB_KINDS[job.kind].handler)
    mine = Job.objects.filter(pk=job.pk, claim=claim, status=JobStatus.RUNNING)
    try:
        result = handler(job=job, report=JobReporter(job, claim))
    except JobLost:
        log.warning("job %s was taken over by another worker", job_id)
        return None
    except Exception as exc:
        log.exception("job %s failed", job_id)
        _fail(mine, error=failed_message(exc))
    else:
        mine.update(
            status=JobStatus.DONE,
            result=result or {},
            progress_done=F("progress_total"),
            finished_at=timezone.now(),
            error="",
        )
    job.refresh_from_db()
    return job


def job_finish(*, job_id: uuid.UUID | str, claim: uuid.UUID, result: dict | None = None, error: str = "") -> bool:
    """Record the outcome of a job this worker claimed with ``job_claim`` (done, or failed with
    ``error``); False when the claim no longer holds (another worker took the job over)."""
    mine = Job.objects.filter(pk=job_id, claim=claim, status=JobStatus.RUNNING)
    if error:
        updated = _fail(mine, error=error)
    else:
        updated = mine.update(
            status=JobStatus.DONE,
            result=result or {},
            progress_done=F("progress_total"),
            finished_at=timezone.now(),
            error="",
        )
    return updated == 1


def _fail(rows, *, error: str) -> int:
    """Mark the job in ``rows`` (a conditional queryset of one job) failed and run its kind's
    ``on_give_up`` in the same transaction: the update matches once, so the handler runs
    once, and a handler that raises leaves the job as it was, to be given up again later."""
    now = timezone.now()
    with transaction.atomic():
        job = rows.select_for_update().first()
        if job is None:
            return 0
        updated = rows.filter(pk=job.pk).update(status=JobStatus.FAILED, error=error[:2000], finished_at=now)
        if updated:
            job.status, job.error, job.finished_at = JobStatus.FAILED, error[:2000], now
            spec = JOB_KINDS.get(job.kind)
            if spec is not None and spec.on_give_up:
                import_string(spec.on_give_up)(job=job, reason=error)
    return updated


def jobs_requeue_stale() -> int:
    """Send again what a lost message or a dead worker left behind; give up what died too often.

    A job given up on is failed with a Chinese reason and its kind's ``on_give_up`` settles
    its items (``_fail``); one whose handler refuses to give up is logged and tried again
    at the next sweep.
    """
    now = timezone.now()
    lease = timedelta(seconds=settings.JOB_LEASE_SECONDS)
    expired = Q(status=JobStatus.RUNNING, lease_expires_at__lt=now)
    exhausted = Job.objects.filter(expired, attempts__gte=MAX_ATTEMPTS)
    for job_id, attempts in list(exhausted.values_list("pk", "attempts")[:10_000]):
        try:
            _fail(exhausted.filter(pk=job_id), error=gave_up_message(attempts))
        except Exception:
            log.exception("could not give up job %s", job_id)
    stale = Job.objects.filter(
        (expired & Q(attempts__lt=MAX_ATTEMPTS))
        | Q(status=JobStatus.PENDING, enqueued_at__lt=now - lease)
        | Q(status=JobStatus.PENDING, enqueued_at=None)
    )
    ids = list(stale.values_list("pk", flat=True)[:10_000])
    for job_id in ids:
        job_enqueue(job_id=job_id)
    return len(ids)


_worker_lock = threading.Lock()
_worker: dramatiq.Worker | None = None
# Set while the worker stops: a job enqueued then (by the schedule's catch-up, which the
# stop waits for) leaves its message for the next start instead of waiting for the lock
# the stop holds, which would wait for it in turn.
_stopping = threading.Event()


def start_in_process_worker() -> None:
    """Start dramatiq's worker threads inside this process (first run: no broker configured).

    The worker's boot also starts the schedule (``legalcase.schedule``, through the
    ``workers`` app's middleware), which requeues stale jobs every minute and runs the
    daily deadline job, as the worker processes do when there is a broker.
    """
    global _worker
    while not _worker_lock.acquire(timeout=0.1):
        if _stopping.is_set():
            return
    try:
        if _worker is not None or _stopping.is_set():
            return
        _worker = dramatiq.Worker(dramatiq.get_broker(), worker_threads=2, worker_timeout=200)
        _worker.start()
    finally:
        _worker_lock.release()


def stop_in_process_worker() -> None:
    """Stop the in-process worker (and with it the schedule); for tests and a clean exit."""
    global _worker
    _stopping.set()
    try:
        with _worker_lock:
            if _worker is None:
                return
            _worker.stop()
            _worker = None
    finally:
        _stopping.clear()
