"""The collection desk through the API: contacts, each conduct rule refusing, overrides, promises, complaints (issue 18)."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from filer import settings as filer_settings
from rest_framework.test import APIClient

from legalcase.models import (
    AuditAction,
    AuditEvent,
    Complaint,
    Contact,
    EventKind,
    Guarantee,
    PartyPhone,
    Promise,
    Role,
)
from legalcase.services.collection import contact_record, promises_daily
from legalcase.services.recoveries import recovery_body_digest, recovery_record, recovery_reverse
from tests.factories import make_firm, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db
# Wednesday 1 April 2026, 10:00 in Beijing.
NOW = dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def at(hour: int, minute: int = 0, day: int = 1) -> str:
    return f"2026-04-{day:02d}T{hour:02d}:{minute:02d}:00+08:00"


def body(matter, **over):
    data = {
        "channel": "phone",
        "direction": "outbound",
        "party": matter.debt.debtor_id,
        "contact_point": matter.debt.debtor.phone,
        "occurred_at": at(9, 30),
        "duration_seconds": 40,
        "outcome": "no_answer",
        "note": "",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def post(user, matter, **over):
    return api(user).post(f"/api/v1/matters/{matter.pk}/contacts/", body(matter, **over), format="json")


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


@pytest.fixture
def matter():
    return make_matter()


def refused(response, rule: str, before: int) -> dict:
    assert response.status_code == 409, response.content
    answer = response.json()
    assert answer["rule"] == rule
    assert set(answer) >= {"detail", "stage", "rule", "next_allowed_at"}
    assert Contact.objects.count() == before
    return answer


# --- Recording and masking ------------------------------------------------------------


def test_a_contact_is_recorded_and_its_number_answered_masked(counsel, matter):
    number = matter.debt.debtor.phone
    response = post(counsel, matter, outcome="hardship", note="失业中")
    assert response.status_code == 201, response.content
    answer = response.json()
    masked = number[:3] + "****" + number[-4:]
    assert answer["contact_point"] == masked
    assert answer["warnings"] == [] and answer["override"] is None and answer["promise"] is None
    listed = api(counsel).get(f"/api/v1/matters/{matter.pk}/contacts/").content.decode()
    assert number not in listed and masked in listed
    events = api(counsel).get(f"/api/v1/matters/{matter.pk}/events/?kind=contact_recorded").content.decode()
    assert number not in events and masked in events


def test_the_list_filters_by_party_outcome_and_day(counsel, matter):
    post(counsel, matter, occurred_at=at(9, 0))
    post(counsel, matter, outcome="refused", occurred_at="2026-03-30T11:00:00+08:00")
    url = f"/api/v1/matters/{matter.pk}/contacts/"
    assert api(counsel).get(url + "?outcome=refused").json()["count"] == 1
    assert api(counsel).get(url + "?since=2026-03-31").json()["count"] == 1
    assert api(counsel).get(url + f"?party={matter.debt.debtor_id}").json()["count"] == 2


def test_an_email_and_an_address_are_masked_too(counsel, matter):
    e = post(counsel, matter, channel="email", contact_point="zhangsan@example.com").json()
    assert e["contact_point"] == "z*******@example.com"
    v = post(counsel, matter, channel="letter", contact_point="北京市朝阳区建国路88号院3号楼").json()
    assert v["contact_point"].startswith("北京市朝阳区") and "建国路" not in v["contact_point"]


# --- Each binding rule refusing --------------------------------------------------------


def test_contact_hours_refuse_a_call_at_night_with_the_next_allowed_time(counsel, matter):
    answer = refused(post(counsel, matter, occurred_at=at(7, 59)), "contact_hours@2026", 0)
    assert answer["next_allowed_at"] == "2026-04-01T08:00:00+08:00"
    # 22:00 is already outside; the next chance is the next morning.
    answer = api(counsel).post(
        f"/api/v1/matters/{matter.pk}/contacts/check/", body(matter, occurred_at=at(22, 0)), format="json"
    ).json()
    assert answer["allowed"] is False and answer["next_allowed_at"] == "2026-04-02T08:00:00+08:00"


def test_a_creditor_narrows_the_hours(counsel, matter):
    creditor = matter.debt.creditor
    creditor.contact_window_start, creditor.contact_window_end = dt.time(9, 0), dt.time(21, 0)
    creditor.save(update_fields=["contact_window_start", "contact_window_end"])
    refused(post(counsel, matter, occurred_at=at(8, 30)), "contact_hours@2026", 0)
    assert post(counsel, matter, occurred_at=at(9, 0)).status_code == 201


def test_the_seventh_call_of_a_beijing_day_to_one_number_is_refused(counsel, matter):
    # 00:30 on 1 April in Beijing is 31 March in UTC: still the same Beijing day as 09:00.
    for minute in range(6):
        assert post(counsel, matter, occurred_at=at(8, minute)).status_code == 201
    answer = refused(post(counsel, matter, occurred_at=at(9, 0)), "calls_per_number@2026", 6)
    assert answer["next_allowed_at"] == "2026-04-02T08:00:00+08:00"
    # An SMS to the same number and an inbound call are not attempts of that kind.
    assert post(counsel, matter, channel="sms", occurred_at=at(9, 5)).status_code == 201
    assert post(counsel, matter, direction="inbound", occurred_at=at(9, 6)).status_code == 201


def test_a_third_party_needs_three_failed_attempts_first(counsel, matter):
    third = {"name": "李娜", "relation": "同事", "purpose": "locate"}
    refused(post(counsel, matter, party=None, third_party=third, contact_point="13900000000"), "third_party@2026", 0)
    for minute in range(3):
        post(counsel, matter, occurred_at=at(8, minute))
    assert post(counsel, matter, party=None, third_party=third, contact_point="13900000000").status_code == 201


def test_a_third_party_is_never_asked_to_pay(counsel, matter):
    PartyPhone.objects.filter(party=matter.debt.debtor).update(status="wrong")  # no valid number: 失联
    third = {"name": "李娜", "relation": "同事", "purpose": "collect"}
    refused(post(counsel, matter, party=None, third_party=third, contact_point="13900000000"), "third_party@2026", 0)
    third["purpose"] = "locate"
    assert post(counsel, matter, party=None, third_party=third, contact_point="13900000000").status_code == 201


def test_an_open_complaint_pauses_contacts_until_resolved(counsel, matter):
    response = api(counsel).post(
        f"/api/v1/matters/{matter.pk}/complaints/",
        {"kind": "complaint", "received_on": "2026-03-31", "source": "regulator", "summary": "投诉催收频繁"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["status"] == "open"
    answer = refused(post(counsel, matter), "contact_pause@2026", 0)
    assert answer["next_allowed_at"] is None
    # Inbound contacts pass: the debtor called.
    assert post(counsel, matter, direction="inbound").status_code == 201
    resolve = api(counsel).post(f"/api/v1/complaints/{response.json()['id']}/resolve/", {"resolution": "已核实整改"})
    assert resolve.status_code == 200 and resolve.json()["status"] == "resolved"
    again = api(counsel).post(f"/api/v1/complaints/{response.json()['id']}/resolve/", {"resolution": "再次"})
    assert again.status_code == 409 and again.json()["stage"] == matter.stage
    assert post(counsel, matter).status_code == 201


def test_a_number_marked_wrong_or_do_not_call_is_refused(counsel, matter):
    debtor = matter.debt.debtor
    PartyPhone.objects.create(party=debtor, number="13700000000", status="do_not_call", position=2)
    refused(post(counsel, matter, contact_point="13700000000"), "number_blocked@2026", 0)
    refused(post(counsel, matter, channel="sms", contact_point="137-0000-0000"), "number_blocked@2026", 0)


def test_a_wrong_number_outcome_marks_the_number_and_blocks_it(counsel, matter):
    debtor = matter.debt.debtor
    number = debtor.phone
    assert post(counsel, matter, outcome="wrong_number").status_code == 201
    assert PartyPhone.objects.get(party=debtor, number=number).status == "wrong"
    debtor.refresh_from_db()
    assert debtor.phone == ""
    refused(post(counsel, matter, contact_point=number, occurred_at=at(9, 40)), "number_blocked@2026", 1)


# --- Guidance, overrides, inbound --------------------------------------------------------


def test_calls_per_party_is_guidance_stored_with_a_warning(counsel, matter, settings):
    settings.CALLS_PER_PARTY_DAY = 2
    PartyPhone.objects.create(party=matter.debt.debtor, number="13700000001", position=2)
    post(counsel, matter, occurred_at=at(8, 0))
    post(counsel, matter, occurred_at=at(8, 1))
    response = post(counsel, matter, contact_point="13700000001", occurred_at=at(8, 2))
    assert response.status_code == 201
    assert [w["rule"] for w in response.json()["warnings"]] == ["calls_per_party@2026"]
    rules = {r["id"]: r for r in api(counsel).get("/api/v1/conduct-rules/").json()}
    assert rules["calls_per_party@2026"]["level"] == "guidance"
    assert rules["calls_per_party@2026"]["params"]["max_per_day"] == 2
    assert rules["calls_per_number@2026"]["params"]["max_per_day"] == 6
    assert len(rules) == 6 and all(r["source"] for r in rules.values())


def test_counsel_overrides_a_binding_rule_with_a_reason_audited(counsel, matter):
    response = post(counsel, matter, occurred_at="2026-03-31T22:30:00+08:00", override_reason="债务人书面同意晚间联系")
    assert response.status_code == 201, response.content
    assert response.json()["override"] == {
        "rule": "contact_hours@2026", "reason": "债务人书面同意晚间联系", "by": counsel.username,
    }
    audit = AuditEvent.objects.get(action=AuditAction.CONDUCT_OVERRIDDEN)
    assert audit.actor == counsel and audit.detail["rule"] == "contact_hours@2026"
    event = matter.events.get(kind=EventKind.CONTACT_RECORDED)
    assert event.new["override_rule"] == "contact_hours@2026"


@pytest.mark.parametrize("role", [Role.LAWYER, Role.MANAGER])
def test_an_override_by_anyone_else_is_403_and_stores_nothing(role):
    firm = make_firm()
    user = make_user(role, firm=firm if role == Role.LAWYER else None)
    matter = make_matter(firm=firm)
    response = post(user, matter, occurred_at="2026-03-31T23:00:00+08:00", override_reason="想打")
    assert response.status_code == 403
    assert not Contact.objects.exists() and not AuditEvent.objects.exists()
    # Without the override, the rule answers.
    refused(post(user, matter, occurred_at="2026-03-31T23:00:00+08:00"), "contact_hours@2026", 0)


def test_inbound_contacts_pass_at_any_hour(counsel, matter):
    assert post(counsel, matter, direction="inbound", occurred_at="2026-03-31T23:30:00+08:00").status_code == 201


def test_the_check_stores_nothing_and_may_look_ahead(counsel, matter):
    url = f"/api/v1/matters/{matter.pk}/contacts/check/"
    ahead = api(counsel).post(url, body(matter, occurred_at="2026-04-03T10:00:00+08:00"), format="json").json()
    assert ahead == {"allowed": True, "rule": None, "next_allowed_at": None, "warnings": [], "detail": ""}
    assert not Contact.objects.exists()
    future = post(counsel, matter, occurred_at="2026-04-03T10:00:00+08:00")
    assert future.status_code == 400 and "occurred_at" in future.json()


# --- Bad inputs ----------------------------------------------------------------------------


def test_bad_inputs_answer_400_naming_the_field_and_store_nothing(counsel, matter):
    other = make_matter()
    stranger = make_party("路人甲")
    cases = [
        ({"outcome": "promise_to_pay", "promise": {"amount": "2000.00", "due_on": "2026-03-31"}}, "promise",
         "承诺还款日期不能早于联系日期"),
        ({"outcome": "promise_to_pay"}, "promise", "承诺还款需填写金额和还款日期"),
        ({"party": 999999}, "party", "不是本案的当事人"),
        ({"party": other.debt.debtor_id}, "party", "不是本案的当事人"),
        ({"party": stranger.pk}, "party", "不是本案的当事人"),
        ({"occurred_at": "2026-04-01T09:30:00"}, "occurred_at", "时间须带时区"),
        ({"contact_point": ""}, "contact_point", "所用的号码或地址"),
        ({"channel": "pigeon"}, "channel", "不是允许的取值"),
    ]
    for over, field, message in cases:
        response = post(counsel, matter, **over)
        assert response.status_code == 400, (over, response.content)
        assert field in response.json() and message in str(response.json()[field]), (over, response.json())
        assert matter.debt.debtor.phone not in response.content.decode()
    assert not Contact.objects.exists() and not Promise.objects.exists()


def test_a_recording_must_be_evidence_of_the_same_matter(counsel, matter, tmp_path, monkeypatch):
    from evidence.services import evidence_upload
    from tests.evidence import samples

    storage = filer_settings.FILER_PRIVATEMEDIA_STORAGE
    monkeypatch.setattr(storage, "base_location", str(tmp_path))
    monkeypatch.setattr(storage, "location", str(tmp_path))
    other = make_matter()
    theirs = evidence_upload(user=counsel, matter_id=other.pk, kind="other", title="录音",
                             uploaded_file=SimpleUploadedFile("r.pdf", samples.pdf_bytes(1)))
    ours = evidence_upload(user=counsel, matter_id=matter.pk, kind="other", title="录音",
                           uploaded_file=SimpleUploadedFile("r.pdf", samples.pdf_bytes(1)))
    response = post(counsel, matter, recording=theirs.pk)
    assert response.status_code == 400 and "不是本案的证据" in str(response.json()["recording"])
    assert not Contact.objects.exists()
    assert post(counsel, matter, recording=ours.pk).json()["recording"] == ours.pk


# --- Outcomes: dispute, paid, promise ---------------------------------------------------------


def test_a_dispute_opens_a_dispute_that_pauses_contacts(counsel, matter):
    assert post(counsel, matter, outcome="dispute", note="称已结清").status_code == 201
    complaint = Complaint.objects.get(matter=matter)
    assert (complaint.kind, complaint.status, complaint.summary) == ("dispute", "open", "称已结清")
    refused(post(counsel, matter, occurred_at=at(9, 45)), "contact_pause@2026", 1)


def test_paid_records_no_money_and_says_so(counsel, matter):
    answer = post(counsel, matter, outcome="paid").json()
    assert answer["warnings"][0]["rule"] is None and "回款" in answer["warnings"][0]["detail"]
    assert not matter.recoveries.exists()


def test_lawyer_may_not_resolve_a_complaint(counsel):
    firm = make_firm()
    lawyer = make_user(Role.LAWYER, firm=firm)
    matter = make_matter(firm=firm)
    post(lawyer, matter, outcome="dispute", note="有异议")
    complaint = Complaint.objects.get()
    assert api(lawyer).post(f"/api/v1/complaints/{complaint.pk}/resolve/", {"resolution": "x"}).status_code == 403
    assert api(lawyer).get(f"/api/v1/matters/{matter.pk}/complaints/").json()["count"] == 1


def _pay(user, matter, amount: str, on: dt.date, key: str):
    data = {"amount": Decimal(amount), "received_on": on, "source": "voluntary", "reference": ""}
    return recovery_record(user=user, matter_id=matter.pk, idempotency_key=key,
                           body_digest=recovery_body_digest(**data), **data)[0]


def test_promise_status_follows_the_recoveries_with_the_grace(counsel, matter, settings):
    settings.PROMISE_GRACE_DAYS = 3
    promise_body = {"outcome": "promise_to_pay", "promise": {"amount": "2000.00", "due_on": "2026-04-10"}}
    answer = post(counsel, matter, **promise_body).json()
    assert answer["promise"]["status"] == "open"
    promise = Promise.objects.get()
    # A payment before the promise does not count; 1,500 in the window is not enough.
    _pay(counsel, matter, "300.00", dt.date(2026, 3, 20), "k0")
    _pay(counsel, matter, "1500.00", dt.date(2026, 4, 1), "k1")
    promise.refresh_from_db()
    assert (promise.status, promise.paid_amount) == ("open", Decimal("1500.00"))
    with time_machine.travel(dt.datetime(2026, 4, 13, 12, 0, tzinfo=NOW.tzinfo), tick=False):
        # 13 April is still inside the grace (10 April + 3 days): the last 500 arrives, kept.
        second = _pay(counsel, matter, "500.00", dt.date(2026, 4, 13), "k2")
        promise.refresh_from_db()
        assert promise.status == "kept"
        # A reversal takes it back: open again while the grace runs.
        recovery_reverse(user=counsel, recovery_id=second.pk, reason="退票")
        promise.refresh_from_db()
        assert (promise.status, promise.paid_amount) == ("open", Decimal("1500.00"))
    with time_machine.travel(dt.datetime(2026, 4, 14, 8, 0, tzinfo=NOW.tzinfo), tick=False):
        assert promises_daily() == {"matters": 1, "changed": 1}
        promise.refresh_from_db()
        assert promise.status == "broken"
        # A payment after the grace does not keep it.
        _pay(counsel, matter, "500.00", dt.date(2026, 4, 14), "k3")
        promise.refresh_from_db()
        assert promise.status == "broken"
    listed = api(counsel).get(f"/api/v1/matters/{matter.pk}/promises/").json()["results"]
    assert listed == [{"id": promise.pk, "contact": promise.contact_id, "amount": "2000.00",
                       "due_on": "2026-04-10", "status": "broken", "paid_amount": "1500.00"}]
    kinds = list(matter.events.filter(kind=EventKind.PROMISE_STATUS_CHANGED).values_list("new__status", flat=True))
    assert sorted(kinds) == ["broken", "kept", "open"]


# --- Firms -----------------------------------------------------------------------------------


def test_another_firms_lawyer_sees_no_contacts(counsel):
    ours, theirs = make_firm(), make_firm()
    matter = make_matter(firm=ours)
    lawyer = make_user(Role.LAWYER, firm=ours)
    stranger = make_user(Role.LAWYER, firm=theirs)
    assert post(lawyer, matter).status_code == 201
    assert Contact.objects.get().firm == ours
    assert api(stranger).get(f"/api/v1/matters/{matter.pk}/contacts/").status_code == 404
    assert api(stranger).get(f"/api/v1/matters/{matter.pk}/promises/").status_code == 404
    assert api(stranger).get(f"/api/v1/matters/{matter.pk}/complaints/").status_code == 404
    assert post(stranger, matter).status_code == 404
    assert api(lawyer).get(f"/api/v1/matters/{matter.pk}/contacts/").json()["count"] == 1


def test_a_guarantor_may_be_contacted_as_a_party(counsel, matter):
    guarantor = make_party("王五")
    Guarantee.objects.create(debt=matter.debt, guarantor=guarantor)
    assert post(counsel, matter, party=guarantor.pk, contact_point=guarantor.phone).status_code == 201


def test_an_idempotency_key_replays_the_contact(counsel, matter):
    url = f"/api/v1/matters/{matter.pk}/contacts/"
    first = api(counsel).post(url, body(matter), format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    again = api(counsel).post(url, body(matter), format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    clash = api(counsel).post(url, body(matter, outcome="refused"), format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert clash.status_code == 409 and Contact.objects.count() == 1


# --- The row locks -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_cannot_both_pass_the_sixth_call(postgres_only):
    counsel = make_user(Role.COUNSEL)
    matter = make_matter()
    for minute in range(4):
        assert post(counsel, matter, occurred_at=at(8, minute)).status_code == 201
    writers = 6
    barrier = threading.Barrier(writers)
    outcomes: list[str] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            contact_record(user=counsel, matter_id=matter.pk, **{
                **body(matter, occurred_at=None), "occurred_at": NOW - dt.timedelta(minutes=n)})
            outcomes.append("stored")
        except Exception as exc:  # noqa: BLE001 - counted below
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ConductRefusal"] * 4 + ["stored"] * 2
    assert Contact.objects.filter(matter=matter).count() == 6


def test_a_firms_contacts_count_on_its_scorecard_and_broken_promises_on_the_dashboard(counsel):
    from legalcase.models import Matter
    from legalcase.services.dashboard import broken_promises, firm_scorecards

    firm = make_firm()
    lawyer = make_user(Role.LAWYER, firm=firm)
    matter = make_matter(firm=firm)
    manager = make_user(Role.MANAGER)
    _pay(manager, matter, "100.00", dt.date(2026, 3, 1), "before")  # before any contact: not counted
    post(lawyer, matter, occurred_at="2026-03-20T09:00:00+08:00")
    post(lawyer, matter, outcome="promise_to_pay", occurred_at="2026-03-20T10:00:00+08:00",
         promise={"amount": "800.00", "due_on": "2026-03-25"})
    post(counsel, matter, outcome="promise_to_pay", occurred_at="2026-03-21T10:00:00+08:00",
         promise={"amount": "900.00", "due_on": "2026-03-22"})  # counsel's: not the firm's
    _pay(manager, matter, "800.00", dt.date(2026, 3, 24), "after")
    card = firm_scorecards(Matter.objects.all(), firm_id=firm.pk)[0]
    # Counsel's promise of 900 got 800 by 25 March (22 + 3): broken, and not the firm's.
    assert (card.contacts, card.promises_kept, card.promises_broken) == (2, 1, 0)
    assert card.recovered_after_contact == Decimal("800.00")
    broken = broken_promises(Matter.objects.all())
    assert broken.count == 1 and broken.rows[0].amount == Decimal("900.00")
