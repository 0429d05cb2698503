"""Periodic work: the one schedule, and how it runs exactly once on any number of hosts.

``SCHEDULE`` is the whole table. Each entry names its handler by dotted path, resolved
only when it runs (like ``JOB_KINDS``), so this module imports no other app and nothing
that imports it back, and an entry whose code is not deployed yet is skipped, not fatal.

Who runs it: every dramatiq worker process serving the default queue starts a
scheduler when it boots (``workers.middleware.ScheduleMiddleware``), and so does the
in-process worker of a first run without a broker. APScheduler keeps the time: one cron trigger per entry, in
``settings.TIME_ZONE`` (Asia/Shanghai), coalescing ticks a sleeping process missed. When
an entry fires, ``schedule_due`` works out the entry's latest tick and inserts its
``ScheduledRun`` row; the unique (entry, tick) pair is the lock, so of all the
schedulers that wake for one tick exactly one inserts it, and in the same transaction
creates the job that does the work (``job_create``: a worker claims and runs it like
any other, and ``jobs_requeue_stale`` sends it again if its message is lost). A
scheduler starting up does the same for every entry at once: an entry whose latest tick
has no row missed it while nothing ran, and runs now, once, however many ticks were
missed (the handlers work out what is due themselves).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import socket
import threading
import uuid
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from legalcase.jobs import job_create, register_job_kind
from legalcase.models import Job, JobStatus, ScheduledRun

log = logging.getLogger(__name__)

JOB_KIND_PREFIX = "scheduled_"
# Runs (and the finished jobs they started) are kept this long for the operator.
KEEP_RUNS = dt.timedelta(days=14)


@dataclass(frozen=True)
class Entry:
    """One line of the schedule: ``handler`` runs as a job at every tick of ``cron``.

    ``cron`` is a five-field crontab line in ``settings.TIME_ZONE``; ``handler`` is the
    dotted path of a function taking no arguments, or only ``report`` (the job's
    ``JobReporter``, which shows progress and keeps the job's lease) when ``reports``.
    It returns a dict (the job's result), a count or None.
    """

    name: str
    cron: str
    handler: str
    reports: bool = False
    why: str = ""

    @property
    def job_kind(self) -> str:
        return f"{JOB_KIND_PREFIX}{self.name}"

    @cached_property
    def trigger(self) -> CronTrigger:
        return CronTrigger.from_crontab(self.cron, timezone=zoneinfo.ZoneInfo(settings.TIME_ZONE))

    def resolve(self) -> Callable[..., Any]:
        """The handler itself; ImportError when its code is not there."""
        handler = import_string(self.handler)
        if not callable(handler):
            raise ImportError(f"{self.handler} is not callable")
        return handler


SCHEDULE: tuple[Entry, ...] = (
    Entry(
        "jobs_requeue",
        "* * * * *",
        "legalcase.jobs.jobs_requeue_stale",
        why="send again what a lost message or a dead worker left behind",
    ),
    Entry(
        # Also brings settlement instalments up to the day (settlements_refresh_due).
        "deadlines_daily",
        "0 7 * * *",
        "legalcase.services.notifications.deadlines_daily",
        why="deadline notifications and the e-mail digest; settlement instalments refreshed",
    ),
    Entry(
        # Every 5 minutes, inside DASHBOARD_CACHE_SECONDS (600 by default): the kept
        # figures are replaced before they expire, so no viewer computes them.
        "dashboard_refresh",
        "*/5 * * * *",
        "legalcase.services.dashboard.dashboard_refresh",
        why="the dashboard's kept aggregates computed again",
    ),
    Entry(
        "matter_counts_compact",
        "*/10 * * * *",
        "legalcase.services.matter_counts.matter_counts_compact",
        why="the kept matter counts summed to a row per stage, firm and owner",
    ),
    Entry(
        "matter_counts_recount",
        "45 3 * * *",
        "legalcase.services.matter_counts.matter_counts_recount",
        why="the kept matter counts recounted from the matters; keys found off are logged",
    ),
    Entry(
        "evidence_verify",
        "0 2 * * *",
        "evidence.services.evidence_verify_all",
        reports=True,
        why="every evidence file re-hashed; changed or missing ones flagged",
    ),
    Entry(
        "storage_orphans_sweep",
        "30 3 * * *",
        "evidence.sweep.storage_orphans_sweep",
        why="stored files without a row, older than a day, removed",
    ),
    Entry(
        "retention_anonymise",
        "30 1 * * *",
        "legalcase.services.retention.retention_daily",
        reports=True,
        why="personal data of matters closed longer than RETENTION_DAYS anonymised, legal holds excepted (B.9)",
    ),
    Entry(
        "court_mail",
        "*/10 * * * *",
        "evidence.court_mail.court_mail_read_scheduled",
        why="court notices read from the court mailbox (COURT_MAIL_HOST), each message once",
    ),
    Entry(
        "promises_daily",
        "15 7 * * *",
        "legalcase.services.collection.promises_daily",
        why="promises to pay whose grace ran out without the money marked broken",
    ),
    Entry(
        "scores_daily",
        "30 5 * * *",
        "legalcase.services.scoring.scores_daily",
        reports=True,
        why="every open matter's recovery likelihood scored again (shown to people; nothing automatic reads it)",
    ),
    Entry(
        "scores_retrain",
        "0 5 * * sun",
        "legalcase.services.scoring.retrain_weekly",
        reports=True,
        why="the recovery likelihood model fitted again on the recorded outcomes (rules with too little history)",
    ),
    Entry(
        "schedule_prune",
        "0 4 * * *",
        "legalcase.schedule.schedule_runs_prune",
        why=f"runs older than {KEEP_RUNS.days} days and their finished jobs deleted",
    ),
)

ENTRIES: dict[str, Entry] = {entry.name: entry for entry in SCHEDULE}


def schedule_register_job_kinds() -> None:
    """Make each entry a job kind (called from an AppConfig.ready, in every process)."""
    for entry in SCHEDULE:
        register_job_kind(entry.job_kind, handler="legalcase.schedule.scheduled_job_run")


def scheduled_job_run(*, job: Job, report) -> dict:
    """The job handler of every entry: run the entry's handler and keep what it returned."""
    entry = ENTRIES[job.payload["entry"]]
    handler = entry.resolve()
    outcome = handler(report=report) if entry.reports else handler()
    if outcome is None:
        outcome = {}
    elif dataclasses.is_dataclass(outcome):
        outcome = dataclasses.asdict(outcome)
    elif not isinstance(outcome, dict):
        outcome = {"count": outcome}
    return {"entry": entry.name, "tick": job.payload["tick"], **outcome}


# --- Ticks ------------------------------------------------------------------------------

# How far back to look for an entry's latest tick, shortest first: the first window
# holding a tick gives it after a step or two, whatever the entry's period.
_LOOKBACK = tuple(dt.timedelta(**step) for step in ({"minutes": 1}, {"hours": 1}, {"days": 1}, {"days": 32}, {"days": 367}))
_AFTER = dt.timedelta(microseconds=1)


def entry_latest_tick(entry: Entry, *, now: dt.datetime) -> dt.datetime | None:
    """The entry's latest tick at or before ``now`` (None if it has none within a year)."""
    trigger = entry.trigger
    for back in _LOOKBACK:
        tick = trigger.get_next_fire_time(None, now - back)
        if tick is not None and tick <= now:
            while (following := trigger.get_next_fire_time(None, tick + _AFTER)) is not None and following <= now:
                tick = following
            return tick
    return None


def entry_next_tick(entry: Entry, *, now: dt.datetime) -> dt.datetime | None:
    """The entry's first tick after ``now``."""
    return entry.trigger.get_next_fire_time(None, now + _AFTER)


def schedule_tick_take(*, entry: Entry, tick: dt.datetime, taken_by: str = "") -> ScheduledRun | None:
    """Take one tick of one entry and create its job, once across all hosts; None if already taken.

    The run row goes in first, with ON CONFLICT DO NOTHING: a second scheduler's insert
    of the same (entry, tick) waits for the first transaction and then inserts nothing
    (no unique-violation error in the database's log every minute), so the row it finds
    carries another claim and it creates no job. The job is sent after commit.
    """
    claim = uuid.uuid4()
    with transaction.atomic():
        ScheduledRun.objects.bulk_create(
            [ScheduledRun(entry=entry.name, tick=tick, taken_by=taken_by[:200], claim=claim)], ignore_conflicts=True
        )
        run = ScheduledRun.objects.filter(entry=entry.name, tick=tick, claim=claim).first()
        if run is None:
            return None
        run.job = job_create(kind=entry.job_kind, user=None, payload={"entry": entry.name, "tick": tick.isoformat()})
        run.save(update_fields=["job"])
    return run


def schedule_due(
    *, now: dt.datetime | None = None, entries: Iterable[Entry] = SCHEDULE, taken_by: str = ""
) -> list[ScheduledRun]:
    """Take each entry's latest tick unless it is taken already; return the runs this call took.

    Called when an entry fires and, for every entry, when a scheduler starts: a latest
    tick with no row is one nobody ran (missed while no scheduler was up), so it runs
    now; older missed ticks are not run one by one.
    """
    now = now or timezone.now()
    taken = []
    for entry in entries:
        try:
            entry.resolve()
        except ImportError as exc:
            # Not deployed (yet): leave the tick free, so it runs once the code is there.
            log.error("schedule entry %s skipped: %s", entry.name, exc)
            continue
        tick = entry_latest_tick(entry, now=now)
        if tick is None or ScheduledRun.objects.filter(entry=entry.name, tick=tick).exists():
            continue
        run = schedule_tick_take(entry=entry, tick=tick, taken_by=taken_by)
        if run is not None:
            taken.append(run)
    return taken


def schedule_runs_prune(*, now: dt.datetime | None = None) -> dict:
    """Delete runs older than ``KEEP_RUNS`` and the jobs they started that finished well.

    A failed job stays for the operator (its run row goes; the job keeps its payload).
    An entry's latest run is always younger than a day, so catching up is unaffected.
    """
    cutoff = (now or timezone.now()) - KEEP_RUNS
    old = ScheduledRun.objects.filter(tick__lt=cutoff)
    with transaction.atomic():
        job_ids = list(old.filter(job__status=JobStatus.DONE).values_list("job_id", flat=True))
        runs, _ = old.delete()
        jobs, _ = Job.objects.filter(pk__in=job_ids).delete()
    return {"runs_deleted": runs, "jobs_deleted": jobs}


def schedule_status(*, now: dt.datetime | None = None) -> list[dict]:
    """Each entry with its cron line, latest run (and its job's state) and next tick, for the operator."""
    now = now or timezone.now()
    rows = []
    for entry in SCHEDULE:
        last = ScheduledRun.objects.filter(entry=entry.name).select_related("job").first()
        try:
            entry.resolve()
            resolved = True
        except ImportError:
            resolved = False
        rows.append(
            {
                "entry": entry.name,
                "cron": entry.cron,
                "handler": entry.handler,
                "resolved": resolved,
                "last_tick": last.tick if last else None,
                "last_taken_by": last.taken_by if last else "",
                "last_status": last.job.status if last and last.job else "",
                "next_tick": entry_next_tick(entry, now=now),
            }
        )
    return rows


# --- The scheduler of this process ---------------------------------------------------------

_lock = threading.Lock()
_scheduler: BackgroundScheduler | None = None


def _identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _fire(names: tuple[str, ...]) -> None:
    """An APScheduler job: take the due ticks of these entries (all of them when a scheduler starts)."""
    close_old_connections()
    try:
        schedule_due(entries=[ENTRIES[name] for name in names], taken_by=_identity())
    except Exception:  # the database may be away or not migrated yet: the next tick tries again
        log.exception("could not take the due ticks of %s", ", ".join(names))
    finally:
        connection.close()


def start_notifications(*, today: dt.date | None = None) -> int | None:
    """A first run without a broker computes today's notifications as it starts; None otherwise.

    The start's catch-up runs ``deadlines_daily`` only when its latest 07:00 tick was
    missed: a server restarted before 07:00, its previous day's run done, would show
    the day's overdue deadlines without notices until 07:00. This adds the missing
    notifications at once (no e-mail: the digest stays the daily job's, once a day).
    Worker processes behind a broker leave it to the daily job: there may be many.
    """
    if not settings.JOBS_IN_PROCESS:
        return None
    refresh = import_string("legalcase.services.notifications.notifications_refresh")
    return refresh(today=today)


def _catch_up(names: tuple[str, ...]) -> None:
    """The start's APScheduler job: the missed ticks, then today's notifications (first run)."""
    _fire(names)
    close_old_connections()
    try:
        start_notifications()
    except Exception:  # as for a tick: the database may be away; the daily job comes anyway
        log.exception("could not compute today's notifications at start")
    finally:
        connection.close()


def scheduler_start() -> BackgroundScheduler:
    """Start this process's scheduler (once per process); it first catches up on missed ticks."""
    global _scheduler
    with _lock:
        if _scheduler is not None:
            return _scheduler
        scheduler = BackgroundScheduler(
            timezone=zoneinfo.ZoneInfo(settings.TIME_ZONE),
            # One thread: the ticks of one process are taken one after another.
            executors={"default": ThreadPoolExecutor(1)},
            # A tick fired late (a busy or suspended process) still fires, once.
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        for entry in SCHEDULE:
            scheduler.add_job(_fire, entry.trigger, args=((entry.name,),), id=entry.name, name=entry.name)
        scheduler.add_job(
            _catch_up, args=(tuple(ENTRIES),), id="catch_up", name="catch up", next_run_time=timezone.now()
        )
        scheduler.start()
        _scheduler = scheduler
        return scheduler


def scheduler_stop() -> None:
    """Stop this process's scheduler (a worker shutting down, or a test cleaning up)."""
    global _scheduler
    with _lock:
        if _scheduler is None:
            return
        _scheduler.shutdown(wait=True)
        _scheduler = None
