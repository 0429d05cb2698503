"""Job rows: claimed once, resumed after a dead worker, run through the real dramatiq worker."""

import datetime as dt
import threading

import dramatiq
import pytest
import time_machine
from django.conf import settings
from django.db import connection

from legalcase.jobs import JOB_KINDS, JobKind, JobLost, JobReporter, job_claim, job_create, job_run, jobs_requeue_stale
from legalcase.models import Job, JobStatus, Stage
from legalcase.services import matters_bulk_start
from tests.factories import make_firm, make_matter, make_user

CALLS: list[str] = []


def counting_handler(*, job, report):
    CALLS.append(str(job.pk))
    report(done=1, total=1)
    return {"ok": True}


def failing_handler(*, job, report):
    raise RuntimeError("the court's server said no")


@pytest.fixture
def test_kinds():
    JOB_KINDS["test_count"] = JobKind(handler="tests.workers.test_jobs.counting_handler")
    JOB_KINDS["test_fail"] = JobKind(handler="tests.workers.test_jobs.failing_handler")
    CALLS.clear()
    yield
    JOB_KINDS.pop("test_count")
    JOB_KINDS.pop("test_fail")


def queued_ids() -> list[str]:
    broker = dramatiq.get_broker()
    messages = []
    queue = broker.queues["default"]
    while not queue.empty():
        messages.append(dramatiq.Message.decode(queue.get_nowait()).args[0])
        queue.task_done()
    return messages


@pytest.mark.django_db
def test_a_job_is_enqueued_by_actor_name_only_after_commit(test_kinds, django_capture_on_commit_callbacks):
    queued_ids()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = job_create(kind="test_count", user=None, payload={})
        assert queued_ids() == []
    assert len(callbacks) == 1
    assert queued_ids() == [str(job.pk)]
    assert Job.objects.get(pk=job.pk).enqueued_at is not None


@pytest.mark.django_db
def test_a_job_runs_once_and_records_its_outcome(test_kinds):
    job = job_create(kind="test_count", user=None, payload={})
    finished = job_run(job_id=job.pk)
    assert finished.status == JobStatus.DONE and finished.result == {"ok": True}
    assert finished.attempts == 1 and finished.finished_at is not None
    assert job_run(job_id=job.pk) is None  # a duplicate message does nothing
    assert CALLS == [str(job.pk)]


@pytest.mark.django_db
def test_a_failing_job_is_marked_failed_with_the_error(test_kinds):
    job = job_create(kind="test_fail", user=None, payload={})
    finished = job_run(job_id=job.pk)
    assert finished.status == JobStatus.FAILED
    assert "the court's server said no" in finished.error


@pytest.mark.django_db
def test_an_unknown_kind_is_refused_and_nothing_is_stored():
    with pytest.raises(ValueError):
        job_create(kind="no_such_kind", user=None, payload={})
    assert Job.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_row_claim_it_once(test_kinds, postgres_only):
    job = job_create(kind="test_count", user=None, payload={})
    workers = 8
    barrier = threading.Barrier(workers)
    claims: list = []

    def worker():
        try:
            barrier.wait()
            claims.append(job_claim(job_id=job.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([c for c in claims if c is not None]) == 1
    assert Job.objects.get(pk=job.pk).attempts == 1


@pytest.mark.django_db(transaction=True)
def test_several_workers_running_one_job_run_the_handler_once(test_kinds):
    job = job_create(kind="test_count", user=None, payload={})

    def worker():
        try:
            job_run(job_id=job.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert CALLS == [str(job.pk)]
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_taken_up_again_when_its_lease_runs_out(test_kinds):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
    with time_machine.travel(start, tick=False):
        job = job_create(kind="test_count", user=None, payload={})
        dead_claim = job_claim(job_id=job.pk)  # worker A claims, then dies
        assert dead_claim is not None
        queued_ids()
        assert jobs_requeue_stale() == 0  # the lease still holds
        assert job_run(job_id=job.pk) is None
    lease = dt.timedelta(seconds=settings.JOB_LEASE_SECONDS + 1)
    with time_machine.travel(start + lease, tick=False):
        assert jobs_requeue_stale() == 1
        assert queued_ids() == [str(job.pk)]
        finished = job_run(job_id=job.pk)  # worker B
    assert finished.status == JobStatus.DONE and finished.attempts == 2
    # Worker A, if it wakes up, may no longer report: its claim is gone.
    with pytest.raises(JobLost):
        JobReporter(job, dead_claim)(done=1)


@pytest.mark.django_db
def test_a_job_that_killed_its_worker_three_times_fails(test_kinds):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
    job = job_create(kind="test_count", user=None, payload={})
    for attempt in range(3):
        with time_machine.travel(start + attempt * dt.timedelta(hours=1), tick=False):
            assert job_claim(job_id=job.pk) is not None
    with time_machine.travel(start + dt.timedelta(hours=4), tick=False):
        jobs_requeue_stale()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "3" in job.error
    assert CALLS == []


@pytest.mark.django_db
def test_a_pending_job_whose_message_was_lost_is_sent_again(test_kinds):
    job = job_create(kind="test_count", user=None, payload={})  # on_commit never ran: message lost
    queued_ids()
    assert jobs_requeue_stale() == 1
    assert queued_ids() == [str(job.pk)]


@pytest.mark.django_db(transaction=True)
def test_the_dramatiq_worker_runs_a_bulk_job_end_to_end():
    counsel = make_user("counsel")
    firm = make_firm()
    matters = [make_matter() for _ in range(3)]
    broker = dramatiq.get_broker()
    broker.flush_all()
    job = matters_bulk_start(
        user=counsel, action="assign_firm", matter_ids=[m.pk for m in matters], firm_id=firm.pk
    )
    worker = dramatiq.Worker(broker, worker_threads=1)
    worker.start()
    try:
        broker.join("default", timeout=20_000)
        worker.join()
    finally:
        worker.stop()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert all(m.assigned_firm_id == firm.pk for m in type(matters[0]).objects.filter(pk__in=[m.pk for m in matters]))


@pytest.mark.django_db
def test_a_bulk_move_reports_the_matters_it_could_not_move():
    counsel = make_user("counsel")
    movable, stuck = make_matter(stage=Stage.INTAKE), make_matter(stage=Stage.CLOSED)
    job = matters_bulk_start(user=counsel, action="move_stage", matter_ids=[movable.pk, stuck.pk], to="litigation")
    finished = job_run(job_id=job.pk)
    assert finished.status == JobStatus.DONE
    assert finished.result["failed"] == 1 and finished.result["errors"][0]["matter"] == stuck.pk
    movable.refresh_from_db()
    stuck.refresh_from_db()
    assert (movable.stage, stuck.stage) == ("litigation", "closed")


@pytest.mark.django_db
def test_a_bulk_job_only_takes_matters_the_user_can_see():
    firm = make_firm()
    lawyer = make_user("lawyer", firm=firm)
    mine, other = make_matter(firm=firm), make_matter()
    job = matters_bulk_start(user=lawyer, action="move_stage", matter_ids=[mine.pk, other.pk], to="litigation")
    assert job.payload["matter_ids"] == [mine.pk]


@pytest.mark.django_db
def test_a_bulk_action_the_role_may_not_take_is_refused_and_no_job_is_stored():
    from django.core.exceptions import PermissionDenied

    manager = make_user("manager")
    matter = make_matter()
    with pytest.raises(PermissionDenied):
        matters_bulk_start(user=manager, action="move_stage", matter_ids=[matter.pk], to="litigation")
    assert Job.objects.count() == 0


@pytest.mark.django_db
def test_the_requeue_command_sends_lost_jobs_again(test_kinds):
    from io import StringIO

    from django.core.management import call_command

    job = job_create(kind="test_count", user=None, payload={})
    queued_ids()
    out = StringIO()
    call_command("requeue_jobs", stdout=out)
    assert "requeued 1 job(s)" in out.getvalue()
    assert queued_ids() == [str(job.pk)]
