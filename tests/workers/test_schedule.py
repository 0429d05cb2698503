"""The schedule: each tick of each entry runs once across schedulers, a missed tick runs on the next start."""

import datetime as dt
import os
import threading
import time
from zoneinfo import ZoneInfo

import dramatiq
import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from legalcase.jobs import JOB_KINDS, JobKind, job_run, start_in_process_worker, stop_in_process_worker
from legalcase.models import Deadline, Job, JobStatus, Notification, ScheduledRun
from legalcase.schedule import (
    ENTRIES,
    SCHEDULE,
    Entry,
    entry_latest_tick,
    entry_next_tick,
    schedule_due,
    schedule_runs_prune,
    schedule_tick_take,
    scheduler_start,
    scheduler_stop,
)
from tests.evidence.conftest import evidence_storage  # noqa: F401  (private storage in a temp dir)
from tests.factories import make_matter, make_user
from workers.middleware import ScheduleMiddleware, schedules

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Entries whose handler has not landed yet (none now).
NOT_YET_DEPLOYED: set[str] = set()


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def runs(entry: str) -> list[dt.datetime]:
    return sorted(t.astimezone(SHANGHAI) for t in ScheduledRun.objects.filter(entry=entry).values_list("tick", flat=True))


def resolvable(entries=SCHEDULE) -> list[Entry]:
    out = []
    for entry in entries:
        try:
            entry.resolve()
        except ImportError:
            continue
        out.append(entry)
    return out


def queued_ids() -> list[str]:
    queue = dramatiq.get_broker().queues["default"]
    ids = []
    while not queue.empty():
        ids.append(dramatiq.Message.decode(queue.get_nowait()).args[0])
        queue.task_done()
    return ids


def wait_for(condition, seconds: float = 20) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return False


# --- The table --------------------------------------------------------------------------


@pytest.mark.parametrize("entry", SCHEDULE, ids=lambda e: e.name)
def test_each_entry_resolves_to_a_callable_and_is_a_job_kind(entry):
    try:
        handler = entry.resolve()
    except ImportError:
        if entry.name in NOT_YET_DEPLOYED:
            pytest.skip(f"{entry.handler} is not deployed yet")
        raise
    assert callable(handler)
    assert JOB_KINDS[entry.job_kind].handler == "legalcase.schedule.scheduled_job_run"


def test_the_table_holds_the_periodic_work_at_its_times_in_beijing_time():
    when = {entry.name: entry.cron for entry in SCHEDULE}
    assert when == {
        "jobs_requeue": "* * * * *",
        "deadlines_daily": "0 7 * * *",
        "dashboard_refresh": "*/5 * * * *",
        "matter_counts_compact": "*/10 * * * *",
        "matter_counts_recount": "45 3 * * *",
        "evidence_verify": "0 2 * * *",
        "storage_orphans_sweep": "30 3 * * *",
        "retention_anonymise": "30 1 * * *",
        "court_mail": "*/10 * * * *",
        "schedule_prune": "0 4 * * *",
        "promises_daily": "15 7 * * *",
        "scores_daily": "30 5 * * *",
        "scores_retrain": "0 5 * * sun",
    }
    # 07:00 in Shanghai is 23:00 UTC the day before.
    after = dt.datetime(2026, 3, 1, 22, 0, tzinfo=dt.UTC)
    assert entry_next_tick(ENTRIES["deadlines_daily"], now=after) == dt.datetime(2026, 3, 1, 23, 0, tzinfo=dt.UTC)


def test_the_latest_tick_is_the_last_one_at_or_before_now():
    daily, minute, five = ENTRIES["deadlines_daily"], ENTRIES["jobs_requeue"], ENTRIES["dashboard_refresh"]
    assert entry_latest_tick(daily, now=at(2026, 3, 2, 6, 59, 59)) == at(2026, 3, 1, 7, 0)
    assert entry_latest_tick(daily, now=at(2026, 3, 2, 7, 0)) == at(2026, 3, 2, 7, 0)
    assert entry_latest_tick(daily, now=at(2026, 3, 2, 23, 59)) == at(2026, 3, 2, 7, 0)
    assert entry_latest_tick(minute, now=at(2026, 3, 2, 9, 15, 42)) == at(2026, 3, 2, 9, 15)
    assert entry_latest_tick(five, now=at(2026, 3, 2, 9, 14, 59)) == at(2026, 3, 2, 9, 10)


# --- Exactly once -----------------------------------------------------------------------


@pytest.mark.django_db
def test_two_schedulers_one_after_the_other_take_a_tick_once():
    now = at(2026, 3, 2, 7, 0, 3)
    first = schedule_due(now=now, taken_by="host-a:1")
    second = schedule_due(now=now, taken_by="host-b:1")
    assert {run.entry for run in first} == {entry.name for entry in resolvable()}
    assert second == []
    daily = ScheduledRun.objects.get(entry="deadlines_daily")
    assert daily.tick == at(2026, 3, 2, 7, 0) and daily.taken_by == "host-a:1"
    assert Job.objects.filter(kind="scheduled_deadlines_daily").count() == 1
    # Taking the same tick directly is refused too, and stores nothing.
    assert schedule_tick_take(entry=ENTRIES["deadlines_daily"], tick=at(2026, 3, 2, 7, 0), taken_by="host-c:1") is None
    assert ScheduledRun.objects.count() == len(first) and Job.objects.count() == len(first)


@pytest.mark.django_db(transaction=True)
def test_schedulers_racing_for_one_tick_run_it_once(postgres_only):
    now = at(2026, 3, 2, 7, 0, 1)
    racers = 8
    barrier = threading.Barrier(racers)
    taken: dict[str, list] = {}
    errors: list[BaseException] = []

    def scheduler(name: str):
        try:
            barrier.wait()
            taken[name] = schedule_due(now=now, entries=[ENTRIES["deadlines_daily"], ENTRIES["jobs_requeue"]], taken_by=name)
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler, args=(f"host-{i}:1",)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    winners = [run for runs_ in taken.values() for run in runs_]
    assert sorted(run.entry for run in winners) == ["deadlines_daily", "jobs_requeue"]
    assert ScheduledRun.objects.filter(entry="deadlines_daily").count() == 1
    assert ScheduledRun.objects.filter(entry="jobs_requeue").count() == 1
    assert Job.objects.filter(kind="scheduled_deadlines_daily").count() == 1
    assert Job.objects.filter(kind="scheduled_jobs_requeue").count() == 1


@pytest.mark.django_db
def test_an_entry_whose_code_is_missing_is_skipped_and_nothing_is_stored():
    ghost = Entry("ghost", "* * * * *", "evidence.services.no_such_service")
    assert schedule_due(now=at(2026, 3, 2, 9, 0), entries=[ghost]) == []
    assert ScheduledRun.objects.count() == 0 and Job.objects.count() == 0


# --- Missed ticks -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_missed_tick_runs_once_on_the_next_start():
    with time_machine.travel(at(2026, 3, 2, 7, 0, 2), tick=False):
        schedule_due(taken_by="host-a:1")
    # Nothing runs from 08:00 on 2 March to 09:15 on 3 March; then a scheduler starts.
    with time_machine.travel(at(2026, 3, 3, 9, 15, 20), tick=False):
        taken = schedule_due(taken_by="host-a:2")
        assert schedule_due(taken_by="host-b:1") == []
    # The weekly retraining's latest tick (Sunday 1 March, 05:00) was taken on the 2nd already.
    assert {run.entry for run in taken} == {entry.name for entry in resolvable()} - {"scores_retrain"}
    assert runs("scores_retrain") == [at(2026, 3, 1, 5, 0)]
    assert runs("deadlines_daily") == [at(2026, 3, 2, 7, 0), at(2026, 3, 3, 7, 0)]
    assert runs("evidence_verify") == [at(2026, 3, 2, 2, 0), at(2026, 3, 3, 2, 0)]
    # The 1,395 missed minutes of the requeue are one run, not 1,395.
    assert runs("jobs_requeue") == [at(2026, 3, 2, 7, 0), at(2026, 3, 3, 9, 15)]
    assert runs("dashboard_refresh") == [at(2026, 3, 2, 7, 0), at(2026, 3, 3, 9, 15)]


@pytest.mark.django_db(transaction=True)
def test_a_starting_scheduler_catches_up_by_itself():
    with time_machine.travel(at(2026, 3, 2, 7, 0, 2), tick=False):
        schedule_due(taken_by="host-a:1")
    with time_machine.travel(at(2026, 3, 3, 9, 15, 20), tick=True):
        scheduler_start()
        try:
            assert wait_for(lambda: len(runs("deadlines_daily")) == 2)
        finally:
            scheduler_stop()
    assert runs("deadlines_daily") == [at(2026, 3, 2, 7, 0), at(2026, 3, 3, 7, 0)]
    run = ScheduledRun.objects.get(entry="deadlines_daily", tick=at(2026, 3, 3, 7, 0))
    assert run.taken_by.endswith(f":{os.getpid()}")
    assert run.job.kind == "scheduled_deadlines_daily"


# --- Through the job machinery -------------------------------------------------------------


@pytest.mark.django_db
def test_a_tick_runs_its_work_as_a_job_sent_after_commit(django_capture_on_commit_callbacks):
    counsel = make_user()
    Deadline.objects.create(matter=make_matter(owner=counsel), kind="appeal", due_on=dt.date(2026, 3, 1), rule="appeal@2024")
    queued_ids()
    with time_machine.travel(at(2026, 3, 2, 7, 0, 2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            [run] = schedule_due(entries=[ENTRIES["deadlines_daily"]], taken_by="host-a:1")
        assert queued_ids() == [str(run.job_id)]
        assert run.job.status == JobStatus.PENDING and run.job.created_by is None
        job = job_run(job_id=run.job_id)
    assert job.status == JobStatus.DONE, job.error
    assert job.result["entry"] == "deadlines_daily" and job.result["tick"] == "2026-03-02T07:00:00+08:00"
    assert job.result["notifications"] == 1 and job.result["users"] == 1
    note = Notification.objects.get(user=counsel)
    assert note.deadline.due_on == dt.date(2026, 3, 1)


def failing_sweep():
    raise RuntimeError("存储不可用")


def noop_handler(*, job, report):
    return {"ok": True}


@pytest.mark.django_db
def test_a_failing_entry_fails_its_job_with_the_reason(monkeypatch):
    entry = Entry("storage_orphans_sweep", "30 3 * * *", "tests.workers.test_schedule.failing_sweep")
    monkeypatch.setitem(ENTRIES, entry.name, entry)
    [run] = schedule_due(now=at(2026, 3, 2, 3, 30, 5), entries=[entry])
    job = job_run(job_id=run.job_id)
    assert job.status == JobStatus.FAILED and "存储不可用" in job.error
    # The tick stays taken: a failure is not retried by every scheduler.
    assert schedule_due(now=at(2026, 3, 2, 3, 31), entries=[entry]) == []


@pytest.mark.django_db
def test_the_orphan_sweep_entry_runs_as_a_job_and_keeps_what_it_saw(evidence_storage):
    young = evidence_storage / "young-orphan.bin"
    young.write_bytes(b"x")
    [run] = schedule_due(now=at(2026, 3, 2, 3, 30, 5), entries=[ENTRIES["storage_orphans_sweep"]])
    job = job_run(job_id=run.job_id)
    assert job.status == JobStatus.DONE, job.error
    assert job.result["removed"] == [] and job.result["kept_young"] == 1 and young.exists()


@pytest.mark.django_db
def test_the_requeue_entry_sends_lost_jobs_again():
    JOB_KINDS["test_noop"] = JobKind(handler="tests.workers.test_schedule.noop_handler")
    try:
        lost = Job.objects.create(kind="test_noop", payload={})  # its message never went
        [run] = schedule_due(now=at(2026, 3, 2, 9, 0, 1), entries=[ENTRIES["jobs_requeue"]])
        queued_ids()
        job = job_run(job_id=run.job_id)
        assert job.status == JobStatus.DONE and job.result["count"] == 1
        assert str(lost.pk) in queued_ids()
    finally:
        JOB_KINDS.pop("test_noop")


@pytest.mark.django_db
def test_old_runs_and_their_finished_jobs_are_pruned_failed_ones_kept():
    old_done, old_failed, recent = (
        schedule_tick_take(entry=ENTRIES["jobs_requeue"], tick=at(2026, 2, 1, 9, 0)),
        schedule_tick_take(entry=ENTRIES["jobs_requeue"], tick=at(2026, 2, 1, 9, 1)),
        schedule_tick_take(entry=ENTRIES["jobs_requeue"], tick=at(2026, 3, 1, 9, 0)),
    )
    Job.objects.filter(pk__in=[old_done.job_id, recent.job_id]).update(status=JobStatus.DONE)
    Job.objects.filter(pk=old_failed.job_id).update(status=JobStatus.FAILED)
    assert schedule_runs_prune(now=at(2026, 3, 2, 4, 0)) == {"runs_deleted": 2, "jobs_deleted": 1}
    assert list(ScheduledRun.objects.values_list("pk", flat=True)) == [recent.pk]
    assert set(Job.objects.values_list("pk", flat=True)) == {old_failed.job_id, recent.job_id}


# --- Who schedules ----------------------------------------------------------------------


def test_workers_of_the_default_queue_schedule_pdf_workers_and_the_test_suite_do_not(settings):
    from dramatiq.brokers.stub import StubBroker

    broker = StubBroker()
    broker.declare_queue("default")
    broker.declare_queue("pdf")
    everything, default, pdf = (
        dramatiq.Worker(broker),
        dramatiq.Worker(broker, queues={"default"}),
        dramatiq.Worker(broker, queues={"pdf"}),
    )
    assert not schedules(broker, everything)  # the suite's stub broker
    settings.JOBS_IN_PROCESS = True
    assert schedules(broker, everything) and schedules(broker, default) and not schedules(broker, pdf)
    assert any(isinstance(m, ScheduleMiddleware) for m in dramatiq.get_broker().middleware)


@pytest.mark.django_db(transaction=True)
def test_the_in_process_worker_starts_and_stops_the_schedule(settings):
    from legalcase import schedule

    with time_machine.travel(at(2026, 3, 2, 8, 0, 30), tick=False):
        schedule_due()  # every latest tick taken already: the start has nothing to catch up
    dramatiq.get_broker().flush_all()
    taken = ScheduledRun.objects.count()
    settings.JOBS_IN_PROCESS = True
    with time_machine.travel(at(2026, 3, 2, 8, 0, 40), tick=False):
        start_in_process_worker()
        try:
            assert schedule._scheduler is not None and schedule._scheduler.running
            jobs = {job.id: job for job in schedule._scheduler.get_jobs()}
            assert set(jobs) >= {entry.name for entry in SCHEDULE}
            assert jobs["deadlines_daily"].next_run_time == at(2026, 3, 3, 7, 0)
            assert jobs["jobs_requeue"].next_run_time == at(2026, 3, 2, 8, 1)
            assert wait_for(lambda: "catch_up" not in {job.id for job in schedule._scheduler.get_jobs()})
        finally:
            stop_in_process_worker()
            connection.close()
    assert schedule._scheduler is None
    assert ScheduledRun.objects.count() == taken


@pytest.mark.django_db(transaction=True)
def test_the_in_process_worker_runs_the_daily_job_and_the_requeue(settings, postgres_only):
    # PostgreSQL only: SQLite's in-memory test database locks whole tables between the
    # worker's threads and the scheduler's (a first run's file database waits instead).
    settings.JOBS_IN_PROCESS = True
    counsel = make_user()
    Deadline.objects.create(matter=make_matter(owner=counsel), kind="appeal", due_on=dt.date(2026, 3, 1), rule="appeal@2024")
    JOB_KINDS["test_noop"] = JobKind(handler="tests.workers.test_schedule.noop_handler")
    dramatiq.get_broker().flush_all()
    try:
        with time_machine.travel(at(2026, 3, 2, 8, 0), tick=True):
            lost = Job.objects.create(kind="test_noop", payload={})  # its message never went
            start_in_process_worker()
            try:
                assert wait_for(
                    lambda: Job.objects.filter(pk=lost.pk, status=JobStatus.DONE).exists()
                    and Job.objects.filter(kind="scheduled_deadlines_daily", status=JobStatus.DONE).exists()
                ), list(Job.objects.values_list("kind", "status", "error"))
            finally:
                stop_in_process_worker()
                connection.close()
    finally:
        JOB_KINDS.pop("test_noop")
    assert runs("deadlines_daily") == [at(2026, 3, 2, 7, 0)]
    assert Notification.objects.get(user=counsel).deadline.due_on == dt.date(2026, 3, 1)
    requeue = ScheduledRun.objects.get(entry="jobs_requeue").job
    assert requeue.status == JobStatus.DONE and requeue.result["count"] >= 1


@pytest.mark.django_db
def test_the_schedule_command_lists_entries_with_their_last_and_next_runs():
    from io import StringIO

    with time_machine.travel(at(2026, 3, 2, 7, 0, 2), tick=False):
        schedule_due(entries=[ENTRIES["deadlines_daily"]], taken_by="host-a:1")
        out = StringIO()
        call_command("schedule", stdout=out)
    lines = {line.split()[0]: line for line in out.getvalue().splitlines()[1:] if line.strip()}
    assert set(lines) == {entry.name for entry in SCHEDULE}
    assert "2026-03-02 07:00" in lines["deadlines_daily"] and "2026-03-03 07:00" in lines["deadlines_daily"]
    assert "host-a:1" in lines["deadlines_daily"] and "pending" in lines["deadlines_daily"]
    assert "never" in lines["evidence_verify"]
