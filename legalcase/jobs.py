"""Background jobs: a database row is the truth, the broker only carries its id.

A service calls ``job_create``; after commit the row's id is sent to a dramatiq actor
by name (no app imports ``workers``). The actor calls ``job_run``, which claims the row
with a conditional UPDATE (so two workers never run it at once), runs the handler
registered for the job's kind, and records the outcome. A worker that dies leaves the
row ``running`` with a lease; ``jobs_requeue_stale`` sends it again once the lease has
run out, and gives up after ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

import logging
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


JOB_KINDS: dict[str, JobKind] = {
    "matters_bulk": JobKind(handler="legalcase.services.matters_bulk_apply"),
    "escalations_import": JobKind(handler="legalcase.importing.escalations_import_run"),
    "deadlines_recompute": JobKind(handler="legalcase.services.deadlines.deadlines_recompute_run"),
}


def register_job_kind(kind: str, *, handler: str, actor: str = "run_job", queue: str = "default") -> None:
    """Let another app add a job kind (from its AppConfig.ready) without legalcase importing it."""
    JOB_KINDS[kind] = JobKind(handler=handler, actor=actor, queue=queue)


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
        mine.update(status=JobStatus.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:2000], finished_at=timezone.now())
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
        updated = mine.update(status=JobStatus.FAILED, error=error[:2000], finished_at=timezone.now())
    else:
        updated = mine.update(
            status=JobStatus.DONE,
            result=result or {},
            progress_done=F("progress_total"),
            finished_at=timezone.now(),
            error="",
        )
    return updated == 1


def jobs_requeue_stale() -> int:
    """Send again what a lost message or a dead worker left behind; fail what died too often."""
    now = timezone.now()
    lease = timedelta(seconds=settings.JOB_LEASE_SECONDS)
    expired = Q(status=JobStatus.RUNNING, lease_expires_at__lt=now)
    Job.objects.filter(expired, attempts__gte=MAX_ATTEMPTS).update(
        status=JobStatus.FAILED,
        error=f"The worker stopped {MAX_ATTEMPTS} times while running this job.",
        finished_at=now,
    )
    stale = Job.objects.filter(
        expired | Q(status=JobStatus.PENDING, enqueued_at__lt=now - lease) | Q(status=JobStatus.PENDING, enqueued_at=None)
    )
    ids = list(stale.values_list("pk", flat=True)[:10_000])
    for job_id in ids:
        job_enqueue(job_id=job_id)
    return len(ids)


_worker_lock = threading.Lock()
_worker: dramatiq.Worker | None = None


def start_in_process_worker() -> None:
    """Start dramatiq's worker threads inside this process (first run: no broker configured).

    The worker's boot also starts the schedule (``legalcase.schedule``, through the
    ``workers`` app's middleware), which requeues stale jobs every minute and runs the
    daily deadline job, as the worker processes do when there is a broker.
    """
    global _worker
    with _worker_lock:
        if _worker is not None:
            return
        _worker = dramatiq.Worker(dramatiq.get_broker(), worker_threads=2, worker_timeout=200)
        _worker.start()


def stop_in_process_worker() -> None:
    """Stop the in-process worker (and with it the schedule); for tests and a clean exit."""
    global _worker
    with _worker_lock:
        if _worker is None:
            return
        _worker.stop()
        _worker = None
