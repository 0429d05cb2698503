"""seed_demo's deadlines as exact as when every service recomputed its matter at once, and
the day's notifications at a first start (the seeded demo's own tests are in test_commands)."""

import contextlib
import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from legalcase.demo import seed_demo
from legalcase.models import (
    ClaimTransfer,
    Deadline,
    Matter,
    Notification,
    Recovery,
    Settlement,
)

pytestmark = pytest.mark.django_db

DEFERRED_MATTERS = 30  # every stage in its share (20 reach them all): enforcement measures, recoveries, settlements, a transfer


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


@pytest.mark.slow  # two seedings of 30 matters
def test_deferred_recomputation_leaves_the_same_deadlines_as_recomputing_after_every_step(monkeypatch):
    with pytest.raises(_Undo), transaction.atomic():
        with monkeypatch.context() as patched:
            # As before deferral: every service recomputes its matter at once.
            patched.setattr("legalcase.demo.seeding.deadlines_deferred", contextlib.nullcontext)
            seed_demo(matters=DEFERRED_MATTERS, every_stage=True)
        step_by_step = _deadline_rows()
        # The deferred steps are there: enforcement measures, recoveries, settlements, a transfer.
        assert Deadline.objects.filter(enforcement_action__isnull=False, superseded_at__isnull=True).exists()
        assert Recovery.objects.exists() and Settlement.objects.exists()
        assert ClaimTransfer.objects.exists()
        raise _Undo
    assert not Matter.objects.exists()
    seed_demo(matters=DEFERRED_MATTERS, every_stage=True)
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
