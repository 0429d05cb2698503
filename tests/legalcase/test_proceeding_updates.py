"""Updating a proceeding, scheduling hearings, and the fee and pre-suit preservation deadlines (issue 7)."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from legalcase.models import Deadline, EventKind, Hearing, Proceeding, Role
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db
D = dt.date


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def record(user, matter, **body):
    return api(user).post(f"/api/v1/matters/{matter.pk}/proceedings/", body, format="json")


def patch(user, proceeding_id, **body):
    return api(user).patch(f"/api/v1/proceedings/{proceeding_id}/", body, format="json")


def current(matter, kind) -> Deadline | None:
    return Deadline.objects.filter(matter=matter, kind=kind, superseded_at__isnull=True).first()


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


def test_a_fee_notice_gives_the_fee_deadline_and_a_later_notice_moves_it(counsel):
    matter = make_matter(overdue_since=D(2025, 3, 3))
    created = record(counsel, matter, kind="first_instance", filed_on="2026-09-21", fee_notice_received_on="2026-09-24")
    assert created.status_code == 201, created.content
    assert created.json()["fee_notice_received_on"] == "2026-09-24"
    # 7 days from 09-24 is 10-01, National Day (10-01 to 10-07): the first working day after is 10-08.
    fee = current(matter, "fee_payment")
    assert fee.due_on == D(2026, 10, 8) and fee.rule == "fee.payment@2007"
    assert fee.computed_from == {"notice_received_on": "2026-09-24"}

    response = patch(counsel, created.json()["id"], fee_notice_received_on="2026-11-02")
    assert response.status_code == 200, response.content
    assert current(matter, "fee_payment").due_on == D(2026, 11, 9)
    fee.refresh_from_db()
    assert fee.superseded_at is not None


def test_closing_the_proceeding_drops_its_open_fee_deadline(counsel):
    matter = make_matter()
    proceeding = record(counsel, matter, kind="first_instance", fee_notice_received_on="2026-11-02").json()
    assert current(matter, "fee_payment") is not None
    assert patch(counsel, proceeding["id"], closed_on="2026-11-20", outcome="调解结案").status_code == 200
    assert current(matter, "fee_payment") is None


def test_a_pre_suit_preservation_lapses_unless_suit_follows_within_thirty_days(counsel):
    matter = make_matter(overdue_since=D(2025, 3, 3))
    created = record(counsel, matter, kind="pre_suit_preservation", measures_taken_on="2026-04-01")
    assert created.status_code == 201, created.content
    # 30 days from 04-01 is 05-01, Labour Day: moved past the holiday to Wed 05-06.
    lapse = current(matter, "pre_suit_preservation_lapse")
    assert lapse.due_on == D(2026, 5, 6) and lapse.status == "open"

    suit = record(counsel, matter, kind="first_instance", filed_on="2026-04-20")
    assert suit.status_code == 201
    lapse.refresh_from_db()
    assert lapse.status == "done" and "2026-04-20" in lapse.status_reason
    closed = matter.events.filter(kind=EventKind.DEADLINE_CLOSED, new__kind="pre_suit_preservation_lapse")
    assert closed.count() == 1


def test_a_suit_filed_after_the_lapse_leaves_the_deadline_open(counsel):
    matter = make_matter(overdue_since=D(2025, 3, 3))
    record(counsel, matter, kind="pre_suit_preservation", measures_taken_on="2026-04-01")
    record(counsel, matter, kind="first_instance", filed_on="2026-05-07")
    assert current(matter, "pre_suit_preservation_lapse").status == "open"


def test_a_filing_date_given_later_interrupts_limitation(counsel):
    matter = make_matter(overdue_since=D(2025, 3, 3))
    proceeding = record(counsel, matter, kind="first_instance").json()
    assert current(matter, "limitation").status == "open"
    response = patch(counsel, proceeding["id"], filed_on="2026-06-01", case_number="(2026)沪0115民初48213号")
    assert response.status_code == 200
    assert response.json()["case_number"] == "（2026）沪0115民初48213号"
    assert current(matter, "limitation").status == "done"
    event = matter.events.get(kind=EventKind.PROCEEDING_UPDATED)
    assert event.new["filed_on"] == "2026-06-01" and event.old["filed_on"] is None


def test_a_phone_change_is_recorded_without_the_number(counsel):
    matter = make_matter()
    proceeding = record(counsel, matter, kind="first_instance", contact_phone="021-12345678").json()
    patch(counsel, proceeding["id"], contact_phone="021-87654321", judge="李法官")
    event = matter.events.get(kind=EventKind.PROCEEDING_UPDATED)
    assert "87654321" not in str(event.new) + str(event.old) and event.new["judge"] == "李法官"
    assert event.note


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"accepted_on": "2026-05-01"}, "accepted_on"),  # filed 2026-06-01
        ({"closed_on": "2026-05-01"}, "closed_on"),
        ({"measures_taken_on": "2026-05-01"}, "measures_taken_on"),  # not a preservation
        ({"case_number": "京0105民初1234号 补充说明"}, "case_number"),
        ({"filed_on": "2026-13-01"}, "filed_on"),
        ({"kind": "appeal"}, None),  # not an updatable field: ignored by the API's serializer
    ],
)
def test_a_bad_update_is_refused_and_changes_nothing(counsel, body, field):
    matter = make_matter()
    proceeding = record(counsel, matter, kind="first_instance", filed_on="2026-06-01").json()
    before = Proceeding.objects.values().get(pk=proceeding["id"])
    response = patch(counsel, proceeding["id"], **body)
    if field is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 400 and field in response.json()
    assert Proceeding.objects.values().get(pk=proceeding["id"]) == before
    assert not matter.events.filter(kind=EventKind.PROCEEDING_UPDATED).exists()


def test_update_and_hearings_follow_the_roles_table(counsel):
    firm = make_firm()
    matter = make_matter(firm=firm)
    proceeding = record(counsel, matter, kind="first_instance").json()
    at = "2026-05-12T09:30:00+08:00"
    hearing = {"at": at, "place": "第三法庭"}
    url = f"/api/v1/proceedings/{proceeding['id']}/hearings/"
    assert patch(make_user(Role.MANAGER), proceeding["id"], judge="x").status_code == 403
    assert api(make_user(Role.MANAGER)).post(url, hearing, format="json").status_code == 403
    other = make_user(Role.LAWYER, firm=make_firm())
    assert patch(other, proceeding["id"], judge="x").status_code == 404
    assert api(other).post(url, hearing, format="json").status_code == 404
    assert not Hearing.objects.exists()
    lawyer = make_user(Role.LAWYER, firm=firm)
    response = api(lawyer).post(url, hearing, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["hearings"][0]["place"] == "第三法庭"
    assert matter.events.get(kind=EventKind.HEARING_ADDED).actor == lawyer


def test_a_hearing_needs_a_time_with_its_zone(counsel):
    matter = make_matter()
    proceeding = record(counsel, matter, kind="first_instance").json()
    url = f"/api/v1/proceedings/{proceeding['id']}/hearings/"
    response = api(counsel).post(url, {"place": "第三法庭"}, format="json")
    assert response.status_code == 400 and "at" in response.json()
    assert not Hearing.objects.exists()
