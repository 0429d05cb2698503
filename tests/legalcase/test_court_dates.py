"""Evidence and defence periods (举证期限, 答辩期) on a proceeding as deadlines (issue 20 item 2; LEGAL_RULES B.4)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404

from legalcase.models import Deadline, EventKind, MatterEvent, Proceeding, Role, holiday_calendar
from legalcase.periods import defence_period_end, evidence_period_end, summons_clear_days, summons_late
from legalcase.services import proceeding_court_dates_set, proceeding_record
from tests.factories import make_firm, make_forum, make_matter, make_user

pytestmark = pytest.mark.django_db
D = dt.date


def current(matter, kind):
    return Deadline.objects.filter(matter=matter, kind=kind, superseded_at__isnull=True).first()


@pytest.fixture
def proceeding():
    user = make_user(Role.COUNSEL)
    matter = make_matter(overdue_since=D(2025, 3, 3))
    with time_machine.travel(dt.datetime(2026, 1, 10, 10, tzinfo=dt.UTC)):
        return proceeding_record(
            user=user,
            matter_id=matter.pk,
            kind="first_instance",
            forum_id=make_forum("上海市测试浦东区人民法院").pk,
            filed_on=D(2026, 1, 5),
        )


def test_the_worked_examples_of_b4():
    calendar = holiday_calendar()
    # A complaint copy received 2026-02-03: 15 days to 02-18, inside the Spring Festival: 02-24.
    defence = defence_period_end(received_on=D(2026, 2, 3), calendar=calendar)
    assert (defence.on, defence.rule) == (D(2026, 2, 24), "court.defence_period@2024")
    # Without a PRC domicile 30 days: 2026-03-05, a Thursday.
    assert defence_period_end(received_on=D(2026, 2, 3), calendar=calendar, no_prc_domicile=True).on == D(2026, 3, 5)
    # An evidence notice received 2026-09-28 with 7 days (small claims): 10-05, National Day: 10-08.
    assert evidence_period_end(received_on=D(2026, 9, 28), days=7, calendar=calendar).on == D(2026, 10, 8)
    # 15 days (ordinary procedure): 10-13, a Tuesday.
    assert evidence_period_end(received_on=D(2026, 9, 28), days=15, calendar=calendar).on == D(2026, 10, 13)


def test_summons_clear_days_exclude_both_days():
    assert summons_clear_days(served_on=D(2026, 5, 1), hearing_on=D(2026, 5, 5)) == 3
    assert not summons_late(served_on=D(2026, 5, 1), hearing_on=D(2026, 5, 5))
    assert summons_late(served_on=D(2026, 5, 2), hearing_on=D(2026, 5, 5))
    assert not summons_late(served_on=None, hearing_on=D(2026, 5, 5))


def test_setting_the_court_dates_gives_deadlines_moved_off_rest_days_and_an_event(proceeding):
    user = proceeding.created_by
    proceeding_court_dates_set(
        user=user, proceeding=proceeding, evidence_due_on=D(2026, 10, 5), defence_due_on=D(2026, 2, 18)
    )
    evidence = current(proceeding.matter, "evidence_period")
    defence = current(proceeding.matter, "defence_period")
    assert (evidence.due_on, evidence.rule) == (D(2026, 10, 8), "court.evidence_period@2024")
    assert (defence.due_on, defence.rule) == (D(2026, 2, 24), "court.defence_period@2024")
    assert defence.computed_from["court"] == "上海市测试浦东区人民法院"
    event = MatterEvent.objects.get(matter=proceeding.matter, kind=EventKind.COURT_DATES_SET)
    assert event.old == {"proceeding": proceeding.pk, "evidence_due_on": None, "defence_due_on": None}
    assert event.new["defence_due_on"] == "2026-02-18"
    # Clearing one supersedes its deadline and leaves the other; leaving a date out keeps it.
    proceeding_court_dates_set(user=user, proceeding=proceeding.pk, defence_due_on=None)
    assert current(proceeding.matter, "defence_period") is None
    assert current(proceeding.matter, "evidence_period").pk == evidence.pk
    # A closed proceeding's dates are no longer deadlines.
    Proceeding.objects.filter(pk=proceeding.pk).update(closed_on=D(2026, 6, 1))
    from legalcase.services import matter_deadlines_recompute

    matter_deadlines_recompute(matter_id=proceeding.matter_id)
    assert current(proceeding.matter, "evidence_period") is None


def test_bad_court_dates_store_nothing(proceeding):
    user = proceeding.created_by
    with pytest.raises(ValidationError) as refused:
        proceeding_court_dates_set(user=user, proceeding=proceeding, evidence_due_on=D(2026, 1, 2))
    assert refused.value.message_dict["evidence_due_on"] == ["举证期限届满日不能早于起诉（申请）日期（2026-01-05）。"]
    with pytest.raises(ValidationError) as refused:
        proceeding_court_dates_set(user=user, proceeding=proceeding, defence_due_on="2026-02-18")
    assert refused.value.message_dict == {"defence_due_on": ["请填写日期（YYYY-MM-DD）。"]}
    outsider = make_user(Role.LAWYER, firm=make_firm("别家律师事务所"))
    with pytest.raises(Http404):
        proceeding_court_dates_set(user=outsider, proceeding=proceeding, evidence_due_on=D(2026, 5, 5))
    proceeding.refresh_from_db()
    assert (proceeding.evidence_due_on, proceeding.defence_due_on) == (None, None)
    assert not MatterEvent.objects.filter(kind=EventKind.COURT_DATES_SET).exists()
    assert not Deadline.objects.filter(kind__in=["evidence_period", "defence_period"]).exists()
