"""seed_demo as a new user meets it: progress while it runs, timelines dated as the story
happened, notifications already computed, the tour's matters, and deadlines as exact as
when every service recomputed its matter at once."""

import contextlib
import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from legalcase.demo import seed_demo
from legalcase.demo.tour import demo_tour
from legalcase.models import (
    ALLOWED_MOVES,
    Deadline,
    Matter,
    MatterEvent,
    Notification,
    Proceeding,
    Recovery,
    Settlement,
    Stage,
    User,
)
from legalcase.services.deadlines import deadlines_recompute_all
from legalcase.services.notifications import scope_matters

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_prints_its_progress_the_tour_and_the_time_it_took(seeded):
    lines = seeded.splitlines()
    counted = [line for line in lines if line.startswith("演示数据：案件 ")]
    assert counted == [f"演示数据：案件 {n}/300 …" for n in range(30, 301, 30)]
    assert lines.index(counted[-1]) < lines.index("演示数据：律师费、资产包转让与和解 …")
    done = next(line for line in lines if line.startswith("演示数据：完成"))
    assert re.fullmatch(r"演示数据：完成，用时 \d+ 秒。", done)
    # The tour: a full court record, a breached settlement, a sold debt, each printed with its link.
    stops = demo_tour()
    assert len(stops) == 3
    for stop in stops:
        assert f"{stop.number}  /matters/{stop.matter_id}/  {stop.shows}" in seeded
    rich, breached, sold = (Matter.objects.get(pk=stop.matter_id) for stop in stops)
    assert rich.stage == Stage.ENFORCEMENT
    assert rich.rulings.filter(confirmed=True).exists() and rich.proceedings.filter(kind="first_instance").exists()
    assert rich.enforcement_actions.filter(renews__isnull=False).exists() and rich.recoveries.exists()
    assert breached.settlements.get().status == Settlement.Status.BREACHED
    assert sold.debt.original_creditor is not None and sold.debt.creditor.name == "华东明远资产管理有限公司"


def test_seed_demo_dates_every_timeline_entry_when_it_happened_in_the_story(seeded):
    now = timezone.now()
    first, last = MatterEvent.objects.order_by("at").first().at, MatterEvent.objects.order_by("at").last().at
    assert last - first > dt.timedelta(days=365)
    assert not MatterEvent.objects.filter(at__gt=now).exists()
    # Escalations are spread out too, each the matter's first entry.
    created = list(Matter.objects.values_list("created_at", flat=True))
    assert max(created) - min(created) > dt.timedelta(days=365)
    for matter in Matter.objects.all():
        events = list(matter.events.order_by("at", "id"))
        assert events[0].kind == "created" and events[0].at == matter.created_at, matter.number
        # In the order of time, the stage moves are a path the stage table allows.
        stage = Stage.INTAKE
        for event in events:
            if event.kind == "stage_changed":
                assert event.new["stage"] in ALLOWED_MOVES[stage], matter.number
                stage = event.new["stage"]
        assert stage == matter.stage
        moves = [event.at for event in events if event.kind == "stage_changed"]
        assert matter.stage_changed_at == max(moves, default=matter.created_at)
        # In office hours, China time.
        for event in events:
            local = timezone.localtime(event.at)
            assert dt.time(8, 0) <= local.time() <= dt.time(18, 0) or local.date() == timezone.localdate(now)
    # Entries that record a day are on that day (today's at the latest).
    today = timezone.localdate(now)
    for event in MatterEvent.objects.filter(kind="proceeding_recorded"):
        filed = dt.date.fromisoformat(event.new["filed_on"])
        assert timezone.localdate(event.at) == min(filed, today)
        assert Proceeding.objects.get(pk=event.new["proceeding"]).filed_on == filed
    for event in MatterEvent.objects.filter(kind="recovery_recorded"):
        received = Recovery.objects.get(pk=event.new["recovery"]).received_on
        assert timezone.localdate(event.at) == min(received, today)
    # A deadline closed by a filing is closed on the filing day, after the matter was escalated.
    for event in MatterEvent.objects.filter(kind="deadline_closed", new__has_key="proceeding"):
        filed = Proceeding.objects.get(pk=event.new["proceeding"]).filed_on
        assert timezone.localdate(event.at) == filed


def test_seed_demo_leaves_notifications_for_what_is_due_and_deadlines_in_step(seeded):
    today = timezone.localdate()
    overdue = Deadline.objects.filter(superseded_at__isnull=True, status="open", due_on__lt=today)
    assert overdue.exists()
    counsel1 = User.objects.get(username="counsel1")
    notified = Notification.objects.filter(user=counsel1, kind="overdue")
    expected = overdue.filter(matter__in=scope_matters(counsel1, "mine"))
    assert set(notified.values_list("deadline_id", flat=True)) == set(expected.values_list("pk", flat=True))
    assert expected.count() > 10
    # The deadlines recomputed together at the end are those the facts give: nothing to change.
    assert deadlines_recompute_all() == {"matters": 300, "created": 0, "superseded": 0, "updated": 0}


def _deadline_rows() -> list[tuple]:
    """The current deadlines by natural keys (ids differ between two seedings)."""
    rows = Deadline.objects.filter(superseded_at__isnull=True).values_list(
        "matter__debt__account_number", "kind", "party__id_number", "enforcement_action__kind",
        "enforcement_action__started_on", "sequence", "due_on", "rule", "verified_calendar",
        "status", "status_reason", "basis_digest",
    )  # fmt: skip
    return sorted(rows, key=repr)


class _Undo(Exception):
    pass


def test_deferred_recomputation_leaves_the_same_deadlines_as_recomputing_after_every_step(monkeypatch):
    # 200 matters reach enforcement and settlements (the stages are drawn in table order first).
    with pytest.raises(_Undo), transaction.atomic():
        with monkeypatch.context() as patched:
            # As before deferral: every service recomputes its matter at once.
            patched.setattr("legalcase.demo.seeding.deadlines_deferred", contextlib.nullcontext)
            seed_demo(matters=200)
        step_by_step = _deadline_rows()
        # The deferred steps are there: enforcement measures, recoveries, settlements, a transfer.
        assert Deadline.objects.filter(enforcement_action__isnull=False, superseded_at__isnull=True).exists()
        assert Recovery.objects.exists() and Settlement.objects.exists()
        raise _Undo
    assert not Matter.objects.exists()
    seed_demo(matters=200)
    assert _deadline_rows() == step_by_step


def test_a_first_run_computes_todays_notifications_at_start_without_mail(settings, mailoutbox):
    from legalcase.models import DigestDelivery, Role, ScheduledRun
    from legalcase.schedule import ENTRIES, entry_latest_tick, start_notifications
    from tests.factories import make_matter, make_user

    counsel = make_user(Role.COUNSEL)
    counsel.email = "counsel@example.com"
    counsel.save(update_fields=["email"])
    matter = make_matter(owner=counsel)
    today = dt.date(2026, 6, 10)
    late = Deadline.objects.create(matter=matter, kind="appeal", due_on=today - dt.timedelta(days=2), rule="appeal@2024")
    soon = Deadline.objects.create(matter=matter, kind="fee_payment", due_on=today + dt.timedelta(days=3), rule="fee@2024")
    Deadline.objects.create(matter=matter, kind="limitation", due_on=today + dt.timedelta(days=90), rule="lim@2024")
    # The day's 07:00 tick was taken before the restart: the catch-up would run nothing.
    tick = entry_latest_tick(ENTRIES["deadlines_daily"], now=timezone.now())
    ScheduledRun.objects.create(entry="deadlines_daily", tick=tick)

    settings.JOBS_IN_PROCESS = False
    assert start_notifications(today=today) is None  # worker processes behind a broker: the daily job's
    assert not Notification.objects.exists()

    settings.JOBS_IN_PROCESS = True
    assert start_notifications(today=today) == 2
    notices = set(Notification.objects.filter(user=counsel).values_list("deadline_id", "kind"))
    assert notices == {(late.pk, "overdue"), (soon.pk, "due_soon")}
    assert start_notifications(today=today) == 0  # a second start adds nothing
    assert Notification.objects.count() == 2
    assert mailoutbox == [] and not DigestDelivery.objects.exists()
