"""Demands after escalation: courier tracking, delivery by LEGAL_RULES Part 2 B.3, and limitation (API.md, "Collection desk").

The dates are hand-computed against the holiday table (chinesecalendar's years). The
debt fell overdue on 2022-10-08, so limitation first ends 2025-10-08 (a Wednesday in
2025's National Day rest, 10-01 to 10-08: the next working day is Thu 2025-10-09).
"""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from legalcase.models import Deadline, DeadlineKind, DemandRecord, DemandTracking, EventKind, Guarantee, Role
from tests.factories import make_firm, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db
D = dt.date
BEIJING = "+08:00"
OVERDUE = D(2022, 10, 8)
BASE_END = D(2025, 10, 9)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def limitation(matter) -> dt.date:
    row = Deadline.objects.get(matter=matter, kind=DeadlineKind.LIMITATION, superseded_at__isnull=True)
    return row.due_on


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


@pytest.fixture
def matter():
    return make_matter(overdue_since=OVERDUE)


def send(user, matter, **body):
    headers = {name: body.pop(name) for name in list(body) if name.startswith("HTTP_")}
    body = {
        "date": "2023-09-28",
        "channel": "letter",
        "address_kind": "domicile",
        "address": "北京市朝阳区建国路88号院3号楼",
        "courier": "ems",
        "waybill": "EA123456789CN",
        **body,
    }
    return api(user).post(f"/api/v1/matters/{matter.pk}/demands/", body, format="json", **headers)


def track(user, demand_id, status, at, note=""):
    return api(user).post(
        f"/api/v1/demands/{demand_id}/tracking/", {"status": status, "at": at, "note": note}, format="json"
    )


def test_a_letter_signed_for_on_a_public_holiday_interrupts_limitation_that_day(counsel, matter):
    from legalcase.services import matter_deadlines_recompute

    matter_deadlines_recompute(matter_id=matter.pk)
    assert limitation(matter) == BASE_END
    answer = send(counsel, matter)
    assert answer.status_code == 201, answer.json()
    demand = answer.json()
    assert (demand["delivered"], demand["tracking_status"], demand["tracking"]) == (False, "", [])
    assert limitation(matter) == BASE_END  # sent, not delivered: nothing moves

    track(counsel, demand["id"], "accepted", f"2023-09-28T16:00:00{BEIJING}")
    track(counsel, demand["id"], "in_transit", f"2023-09-29T08:00:00{BEIJING}")
    assert limitation(matter) == BASE_END
    # Mon 2023-10-02 is in 2023's National Day rest (09-29 to 10-06): signed that day all the same.
    answer = track(counsel, demand["id"], "signed", f"2023-10-02T10:15:00{BEIJING}", note="本人签收")
    assert answer.status_code == 201
    demand = answer.json()
    assert (demand["delivered"], demand["delivered_on"], demand["delivery_rule"]) == (
        True,
        "2023-10-02",
        "demand.delivery.signed@2021",
    )
    assert [event["status"] for event in demand["tracking"]] == ["accepted", "in_transit", "signed"]
    # 2023-10-02 + 3 years = Fri 2026-10-02, in 2026's National Day rest (10-01 to 10-07): Thu 2026-10-08.
    assert limitation(matter) == D(2026, 10, 8)


def test_a_letter_refused_at_the_agreed_service_address_delivers_on_the_refusal(counsel, matter):
    demand = send(counsel, matter, address_kind="service_address", date="2023-04-28").json()
    answer = track(counsel, demand["id"], "refused", f"2023-05-04T11:00:00{BEIJING}")
    assert answer.json()["delivered_on"] == "2023-05-04"
    assert answer.json()["delivery_rule"] == "demand.delivery.refused@2021"
    # 2023-05-04 + 3 years = Mon 2026-05-04, in 2026's Labour Day rest (05-01 to 05-05): Wed 2026-05-06.
    assert limitation(matter) == D(2026, 5, 6)


def test_a_letter_returned_from_the_domicile_does_not_interrupt_limitation(counsel, matter):
    demand = send(counsel, matter, date="2023-04-28").json()
    answer = track(counsel, demand["id"], "returned", f"2023-05-10T09:00:00{BEIJING}", note="查无此人")
    assert answer.status_code == 201
    assert (answer.json()["delivered"], answer.json()["delivered_on"], answer.json()["tracking_status"]) == (
        False,
        None,
        "returned",
    )
    assert "法务复核" in answer.json()["flag"]  # flagged for counsel (B.3)
    assert limitation(matter) == BASE_END


# (status, address the letter went to, delivered?) for each courier status (B.3's table).
STATUS_CASES = [
    ("accepted", "service_address", False),
    ("in_transit", "service_address", False),
    ("signed", "workplace", True),
    ("refused", "service_address", True),
    ("refused", "domicile", False),
    ("returned", "service_address", True),
    ("returned", "habitual_residence", False),
]


def test_each_courier_status_and_address_decide_delivery(counsel):
    for status, address_kind, delivered in STATUS_CASES:
        matter = make_matter(overdue_since=OVERDUE)
        demand = send(counsel, matter, address_kind=address_kind, waybill=f"EA{status}{address_kind}").json()
        answer = track(counsel, demand["id"], status, f"2024-01-10T09:00:00{BEIJING}")
        assert answer.json()["delivered"] is delivered, (status, address_kind)
        # Delivered on Wed 2024-01-10: + 3 years = Sun 2027-01-10, a weekend (2027 unverified): Mon 2027-01-11.
        assert limitation(matter) == (D(2027, 1, 11) if delivered else BASE_END), (status, address_kind)


def test_a_repeated_event_adds_nothing_and_answers_200(counsel, matter):
    demand = send(counsel, matter).json()
    first = track(counsel, demand["id"], "signed", f"2023-10-02T10:15:00{BEIJING}")
    events = matter.events.count()
    again = track(counsel, demand["id"], "signed", "2023-10-02T02:15:00Z")  # the same moment in UTC
    assert (first.status_code, again.status_code) == (201, 200)
    assert DemandTracking.objects.filter(demand_id=demand["id"]).count() == 1
    assert matter.events.count() == events


BAD_EVENTS = [
    ({"status": "signed", "at": f"2023-09-27T10:00:00{BEIJING}"}, "at", "2023-09-28"),  # before the sending
    ({"status": "signed", "at": "2023-10-02T10:00:00"}, "at", "时区"),  # no offset
    ({"status": "lost", "at": f"2023-10-02T10:00:00{BEIJING}"}, "status", ""),
    ({"status": "signed", "at": f"2099-10-02T10:00:00{BEIJING}"}, "at", "晚于现在"),
    ({"status": "signed", "at": f"2023-10-02T10:00:00{BEIJING}", "where": "x"}, "where", ""),
]


def test_a_bad_event_is_refused_and_nothing_is_stored(counsel, matter):
    demand = send(counsel, matter).json()
    events = matter.events.count()
    for body, field, message in BAD_EVENTS:
        answer = api(counsel).post(f"/api/v1/demands/{demand['id']}/tracking/", body, format="json")
        assert answer.status_code == 400, body
        assert field in answer.json() and message in answer.json()[field][0], answer.json()
    assert not DemandTracking.objects.filter(demand_id=demand["id"]).exists()
    assert DemandRecord.objects.get(pk=demand["id"]).tracking_status == ""
    assert matter.events.count() == events


def test_the_address_is_masked_in_every_answer_and_event(counsel, matter):
    created = send(counsel, matter).json()
    listed = api(counsel).get(f"/api/v1/matters/{matter.pk}/demands/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert created["address"] == rows[0]["address"] == "北京市朝阳区" + "*" * 10
    recorded = matter.events.get(kind=EventKind.DEMAND_RECORDED)
    assert recorded.new["address"] == created["address"]
    timeline = api(counsel).get(f"/api/v1/matters/{matter.pk}/events/").content.decode()
    assert "建国路" not in timeline


def test_another_firms_lawyer_gets_404_and_changes_nothing(matter):
    outsider = make_user(Role.LAWYER, firm=make_firm())
    assert api(outsider).get(f"/api/v1/matters/{matter.pk}/demands/").status_code == 404
    assert send(outsider, matter).status_code == 404
    counsel = make_user(Role.COUNSEL)
    demand = send(counsel, matter).json()
    assert track(outsider, demand["id"], "signed", f"2023-10-02T10:00:00{BEIJING}").status_code == 404
    patch = api(outsider).patch(f"/api/v1/demands/{demand['id']}/", {"delivered": True}, format="json")
    assert patch.status_code == 404
    assert DemandRecord.objects.get(pk=demand["id"]).delivered is False


BAD_DEMANDS = [
    ({"courier": "dhl"}, "courier"),
    ({"waybill": ""}, "waybill"),
    ({"channel": "phone"}, "courier"),
    ({"channel": "public_notice", "courier": "", "waybill": ""}, "channel"),
    ({"address_kind": ""}, "address_kind"),
    ({"date": "2099-01-01"}, "date"),
    ({"party": 999999}, "party"),
    ({"proof": 999999}, "proof"),
    ({"document": 999999}, "document"),
    ({"delivered": True}, "delivered"),
]


def test_a_bad_demand_is_refused_naming_the_field_and_nothing_is_stored(counsel, matter):
    for body, field in BAD_DEMANDS:
        answer = send(counsel, matter, **body)
        assert answer.status_code == 400, (body, answer.json())
        assert field in answer.json(), (body, answer.json())
    assert not DemandRecord.objects.filter(debt=matter.debt).exists()
    assert not matter.events.filter(kind=EventKind.DEMAND_RECORDED).exists()


def test_an_idempotency_key_replays_the_same_demand_and_refuses_another_body(counsel, matter):
    first = send(counsel, matter, HTTP_IDEMPOTENCY_KEY="k-1")
    again = send(counsel, matter, HTTP_IDEMPOTENCY_KEY="k-1")
    other = send(counsel, matter, waybill="EA000000002CN", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert again.json()["id"] == first.json()["id"] and other.json()["stage"] == "intake"
    assert DemandRecord.objects.filter(debt=matter.debt).count() == 1


def test_two_letters_on_one_day_to_the_debtor_and_a_guarantor_but_one_waybill_once(counsel, matter):
    guarantor = make_party("李四")
    Guarantee.objects.create(debt=matter.debt, guarantor=guarantor, guarantee_type="joint")
    assert send(counsel, matter).status_code == 201
    second = send(counsel, matter, party=guarantor.pk, waybill="EA987654321CN")
    assert second.status_code == 201 and second.json()["party"] == guarantor.pk
    again = send(counsel, matter, waybill="EA987654321CN")
    assert again.status_code == 400 and "waybill" in again.json()
    # A demand to the guarantor alone does not interrupt the debtor's limitation.
    track(counsel, second.json()["id"], "signed", f"2023-10-02T10:00:00{BEIJING}")
    assert limitation(matter) == BASE_END


def test_delivery_recorded_by_hand_and_withdrawn(counsel, matter):
    demand = send(counsel, matter, channel="sms", courier="", waybill="", address_kind="", address="").json()
    answer = api(counsel).patch(
        f"/api/v1/demands/{demand['id']}/", {"delivered": True, "delivered_on": "2023-10-09"}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["delivery_rule"] == "demand.delivery.recorded@2021"
    # Mon 2023-10-09 + 3 years = Fri 2026-10-09, a working day.
    assert limitation(matter) == D(2026, 10, 9)
    bad = api(counsel).patch(f"/api/v1/demands/{demand['id']}/", {"delivered_on": "2023-09-01"}, format="json")
    assert bad.status_code == 400 and "delivered_on" in bad.json()
    unknown = api(counsel).patch(f"/api/v1/demands/{demand['id']}/", {"waybill": "X"}, format="json")
    assert unknown.status_code == 400 and "waybill" in unknown.json()
    back = api(counsel).patch(f"/api/v1/demands/{demand['id']}/", {"delivered": False}, format="json")
    assert (back.json()["delivered"], back.json()["delivered_on"]) == (False, None)
    assert limitation(matter) == BASE_END
