"""Whose deadlines are whose (scopes), the date buckets, and the daily notification and digest job."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command

from legalcase.events import record_event
from legalcase.models import Deadline, DigestDelivery, EventKind, Notification, Role
from legalcase.services.notifications import (
    deadline_buckets,
    deadlines_daily,
    deadlines_for,
)
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 10)


def make_deadline(matter, days: int, *, kind: str = "appeal", **fields) -> Deadline:
    return Deadline.objects.create(
        matter=matter, kind=kind, due_on=TODAY + dt.timedelta(days=days), rule=f"{kind}@2024", **fields
    )


def ids(deadlines) -> set[int]:
    return {deadline.pk for deadline in deadlines}


# --- Scopes -----------------------------------------------------------------------------


def test_mine_holds_the_matters_a_counsel_owns_or_has_handled_and_no_others():
    counsel = make_user(Role.COUNSEL)
    owned, handled, other = make_matter(owner=counsel), make_matter(), make_matter()
    record_event(matter=handled, actor=counsel, kind=EventKind.UPDATED, note="电话联系法院")
    deadlines = [make_deadline(matter, 3) for matter in (owned, handled, other)]

    assert ids(deadlines_for(counsel, "mine", today=TODAY)) == {deadlines[0].pk, deadlines[1].pk}
    assert ids(deadlines_for(counsel, "all", today=TODAY)) == ids(deadlines)
    assert list(deadlines_for(counsel, "firm", today=TODAY)) == []


def test_a_lawyer_sees_only_the_firms_matters_in_every_scope_and_loses_them_on_unassignment():
    firm = make_firm()
    lawyer = make_user(Role.LAWYER, firm=firm)
    ours, handled_by_me, other_firms = make_matter(firm=firm), make_matter(firm=firm), make_matter(firm=make_firm())
    record_event(matter=handled_by_me, actor=lawyer, kind=EventKind.UPDATED, note="立案")
    record_event(matter=other_firms, actor=lawyer, kind=EventKind.UPDATED, note="以前承办")
    ours_d, handled_d, _other_d = (make_deadline(matter, 1) for matter in (ours, handled_by_me, other_firms))

    assert ids(deadlines_for(lawyer, "mine", today=TODAY)) == {handled_d.pk}
    assert ids(deadlines_for(lawyer, "firm", today=TODAY)) == {ours_d.pk, handled_d.pk}
    assert ids(deadlines_for(lawyer, "all", today=TODAY)) == {ours_d.pk, handled_d.pk}

    handled_by_me.assigned_firm = None
    handled_by_me.save(update_fields=["assigned_firm"])
    for scope in ("mine", "firm", "all"):
        assert handled_d.pk not in ids(deadlines_for(lawyer, scope, today=TODAY))


def test_superseded_deadlines_are_left_out():
    counsel = make_user(Role.COUNSEL)
    matter = make_matter(owner=counsel)
    old = make_deadline(matter, 2, superseded_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    current = make_deadline(matter, 5)
    assert ids(deadlines_for(counsel, "mine", today=TODAY)) == {current.pk}
    assert old.pk not in ids(deadlines_for(counsel, "all", today=TODAY))


def test_the_buckets_at_their_edges():
    counsel = make_user(Role.COUNSEL)
    matter = make_matter(owner=counsel)
    by_days = {days: make_deadline(matter, days) for days in (-1, 0, 7, 8, 30, 31)}
    make_deadline(matter, -3, status="done")
    buckets = deadline_buckets(deadlines_for(counsel, "mine", today=TODAY), today=TODAY)

    assert ids(buckets["overdue"]) == {by_days[-1].pk}
    assert ids(buckets["week"]) == {by_days[0].pk, by_days[7].pk}
    assert ids(buckets["month"]) == {by_days[8].pk, by_days[30].pk}


# --- The daily job ----------------------------------------------------------------------


@pytest.fixture
def owner_with_deadlines():
    counsel = make_user(Role.COUNSEL)
    counsel.email = "li@bank.example"
    counsel.save(update_fields=["email"])
    matter = make_matter(owner=counsel)
    deadlines = {
        "overdue": make_deadline(matter, -1, kind="enforcement_application"),
        "today": make_deadline(matter, 0),
        "week": make_deadline(matter, 7, kind="fee_payment"),
        "month": make_deadline(matter, 20, kind="performance_end"),  # a freeze renewal would get a 30-day reminder
        "later": make_deadline(matter, 31, kind="limitation"),
        "done": make_deadline(matter, -2, status="done"),
    }
    return counsel, matter, deadlines


def test_the_daily_job_notifies_overdue_and_due_within_7_days_once(owner_with_deadlines):
    counsel, matter, deadlines = owner_with_deadlines
    make_user(Role.COUNSEL)  # nothing due: no notifications, no mail

    first = deadlines_daily(today=TODAY)
    second = deadlines_daily(today=TODAY)

    notes = set(Notification.objects.filter(user=counsel).values_list("deadline_id", "kind"))
    assert notes == {
        (deadlines["overdue"].pk, "overdue"),
        (deadlines["today"].pk, "due_soon"),
        (deadlines["week"].pk, "due_soon"),
    }
    assert first["notifications"] == 3 and second["notifications"] == 0
    assert Notification.objects.count() == 3
    assert first["emails"] == 1 and second["emails"] == 0
    assert len(mail.outbox) == 1


def test_a_deadline_due_soon_yesterday_and_overdue_today_gets_the_overdue_notice_too(owner_with_deadlines):
    counsel, _matter, deadlines = owner_with_deadlines
    deadlines_daily(today=TODAY)
    deadlines_daily(today=TODAY + dt.timedelta(days=1))
    kinds = set(Notification.objects.filter(deadline=deadlines["today"]).values_list("kind", flat=True))
    assert kinds == {"due_soon", "overdue"}
    assert DigestDelivery.objects.filter(user=counsel).count() == 2
    assert len(mail.outbox) == 2


def test_a_lawyer_is_notified_of_the_firms_deadlines():
    firm = make_firm()
    lawyer = make_user(Role.LAWYER, firm=firm)
    ours = make_deadline(make_matter(firm=firm), 2)
    make_deadline(make_matter(firm=make_firm()), 2)
    deadlines_daily(today=TODAY)
    assert list(Notification.objects.filter(user=lawyer).values_list("deadline_id", flat=True)) == [ours.pk]


def test_inactive_users_are_not_notified(owner_with_deadlines):
    counsel, _matter, _deadlines = owner_with_deadlines
    counsel.is_active = False
    counsel.save(update_fields=["is_active"])
    deadlines_daily(today=TODAY)
    assert Notification.objects.count() == 0 and mail.outbox == []


def test_the_digest_lists_the_three_buckets_with_links_and_no_identity_or_phone_numbers(owner_with_deadlines):
    counsel, matter, deadlines = owner_with_deadlines
    deadlines_daily(today=TODAY)
    [message] = mail.outbox
    assert message.to == ["li@bank.example"]
    body = message.body
    assert matter.number in message.subject or matter.number in body
    for key in ("overdue", "today", "week", "month"):
        assert deadlines[key].due_on.isoformat() in body
    assert deadlines["later"].due_on.isoformat() not in body
    assert deadlines["done"].due_on.isoformat() not in body
    assert f"/matters/{matter.pk}/" in body
    assert "上诉期届满" in body  # the kind's Chinese label
    debtor = matter.debt.debtor
    assert debtor.id_number not in body and debtor.id_number[-4:] not in body
    assert debtor.phone not in body and debtor.phone[-4:] not in body
    assert debtor.name not in body
    assert not re.search(r"\d{17}[\dX]", body) and not re.search(r"1\d{10}", body)


def test_a_failed_send_is_retried_by_the_next_run(owner_with_deadlines):
    counsel, _matter, _deadlines = owner_with_deadlines
    with mock.patch("legalcase.services.notifications.send_mail", side_effect=OSError("smtp down")):
        failed = deadlines_daily(today=TODAY)
    assert failed["email_failures"] == 1 and failed["emails"] == 0
    assert not DigestDelivery.objects.filter(user=counsel, sent_at__isnull=False).exists()
    assert Notification.objects.filter(user=counsel).count() == 3  # the in-app notices still happened

    retried = deadlines_daily(today=TODAY)
    assert retried["emails"] == 1 and len(mail.outbox) == 1
    delivery = DigestDelivery.objects.get(user=counsel, day=TODAY)
    assert delivery.sent_at is not None and delivery.deadline_count == 4
    assert deadlines_daily(today=TODAY)["emails"] == 0 and len(mail.outbox) == 1


def test_a_user_without_an_email_address_gets_only_the_in_app_notices(owner_with_deadlines):
    counsel, _matter, _deadlines = owner_with_deadlines
    counsel.email = ""
    counsel.save(update_fields=["email"])
    counts = deadlines_daily(today=TODAY)
    assert counts["emails"] == 0 and mail.outbox == [] and counts["notifications"] == 3


def test_the_command_runs_for_a_given_date_and_prints_the_counts(owner_with_deadlines, capsys):
    call_command("deadlines_daily", "--date", TODAY.isoformat())
    out = capsys.readouterr().out
    assert "new notifications 3" in out and "e-mails sent 1" in out


def test_the_command_refuses_a_bad_date():
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("deadlines_daily", "--date", "2026-13-01")


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_one_digest(postgres_only, owner_with_deadlines):
    """Two threads run the job together: the delivery row's lock lets exactly one send."""
    import threading

    from django.db import connection

    counsel, _matter, _deadlines = owner_with_deadlines
    sent, barrier = [], threading.Barrier(2)

    def slow_send(*args, **kwargs):
        sent.append(args)
        return 1

    def run():
        try:
            barrier.wait()
            deadlines_daily(today=TODAY)
        finally:
            connection.close()

    with mock.patch("legalcase.services.notifications.send_mail", side_effect=slow_send):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(sent) == 1
    assert Notification.objects.filter(user=counsel).count() == 3
