"""Settlements through the API and the services: recording, instalments paid, late and missed, the resumption flag."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from legalcase.models import EventKind, Instalment, Matter, Role, Settlement, Stage
from legalcase.services.matters import matter_transition
from legalcase.services.notifications import deadlines_daily
from legalcase.services.recoveries import (
    recovery_body_digest,
    recovery_record,
    recovery_reverse,
)
from legalcase.services.settlements import (
    settlement_cancel,
    settlement_refresh,
)
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db
D = dt.date
M = Decimal
# Outstanding 10,500.00: principal 10,000.00 and interest 500.00.
SMALL = {
    "principal": M("10000.00"),
    "interest": M("500.00"),
    "penalty_interest": M("0"),
    "compound_interest": M("0"),
    "late_fees": M("0"),
    "fees": M("0"),
}
# Reduction 500.00; 10,000.00 in two instalments due 31 March and 30 April 2026, 15 days' grace.
BODY = {
    "agreed_on": "2026-03-01",
    "reduction": "500.00",
    "instalments": [{"due_on": "2026-03-31", "amount": "5000.00"}, {"due_on": "2026-04-30", "amount": "5000.00"}],
    "monthly_income": "6000.00",
    "assets_assessed": "名下无房产",
    "hardship": "失业半年",
}


class Clock:
    day = D(2026, 3, 1)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: clock.day)
    return clock


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


@pytest.fixture
def matter():
    return make_matter(stage=Stage.JUDGMENT, **SMALL)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(user, matter, **changes):
    return api(user).post(f"/api/v1/matters/{matter.pk}/settlements/", {**BODY, **changes}, format="json")


def pay(user, matter, amount, received_on, key):
    data = {"amount": M(amount), "received_on": received_on, "source": "settlement", "reference": ""}
    return recovery_record(
        user=user, matter_id=matter.pk, idempotency_key=key, body_digest=recovery_body_digest(**data), **data
    )[0]


def instalments(settlement_id) -> list[tuple]:
    return list(
        Instalment.objects.filter(settlement_id=settlement_id)
        .order_by("sequence")
        .values_list("status", "paid_amount", "paid_on")
    )


def nothing_stored(matter):
    assert not Settlement.objects.filter(matter=matter).exists()
    assert not Instalment.objects.exists()
    assert not matter.events.filter(kind=EventKind.SETTLEMENT_RECORDED).exists()


# Recording ----------------------------------------------------------------------------


def test_counsel_records_a_settlement_with_its_means_reduction_and_schedule(clock, counsel, matter):
    response = post(counsel, matter)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "active"
    assert (body["outstanding_at_agreement"], body["reduction"], body["amount"]) == ("10500.00", "500.00", "10000.00")
    assert (body["monthly_income"], body["assets_assessed"], body["hardship"]) == ("6000.00", "名下无房产", "失业半年")
    assert body["grace_days"] == 15
    assert [
        (i["sequence"], i["due_on"], i["amount"], i["status"], i["paid_amount"], i["paid_on"], i["days_late"])
        for i in body["instalments"]
    ] == [
        (1, "2026-03-31", "5000.00", "pending", "0.00", None, 0),
        (2, "2026-04-30", "5000.00", "pending", "0.00", None, 0),
    ]
    assert body["resumption_flagged_on"] is None
    # judgment -> settled is in the table; the matter stays where it is.
    assert body["proposed_stage"] == "settled"
    assert Matter.objects.get(pk=matter.pk).stage == Stage.JUDGMENT
    event = matter.events.get(kind=EventKind.SETTLEMENT_RECORDED)
    assert event.actor == counsel
    assert event.new["amount"] == "10000.00" and event.new["instalments"] == 2
    # Figures only: the debtor's means stay out of the timeline.
    assert "6000.00" not in str(event.new) and "失业" not in str(event.new)


def test_equal_monthly_instalments_put_the_fen_left_over_on_the_last(clock, counsel, matter):
    changes = {"instalments": None, "count": 3, "first_due_on": "2026-03-31", "reduction": "0.00"}
    body = {key: value for key, value in {**BODY, **changes}.items() if value is not None}
    response = api(counsel).post(f"/api/v1/matters/{matter.pk}/settlements/", body, format="json")
    assert response.status_code == 201, response.content
    assert [(i["due_on"], i["amount"]) for i in response.json()["instalments"]] == [
        ("2026-03-31", "3500.00"),
        ("2026-04-30", "3500.00"),
        ("2026-05-31", "3500.00"),
    ]
    assert response.json()["amount"] == "10500.00"


def test_a_matter_in_a_stage_that_cannot_settle_proposes_nothing(clock, counsel):
    matter = make_matter(stage=Stage.SETTLED, **SMALL)
    assert post(counsel, matter).json()["proposed_stage"] is None


@pytest.mark.parametrize(
    "changes, field",
    [
        (
            {
                "instalments": [
                    {"due_on": "2026-03-31", "amount": "5000.00"},
                    {"due_on": "2026-04-30", "amount": "4999.99"},
                ]
            },
            "instalments",
        ),
        ({"reduction": "10500.00"}, "reduction"),
        ({"reduction": "-1.00"}, "reduction"),
        ({"reduction": "1.005"}, "reduction"),
        (
            {
                "instalments": [
                    {"due_on": "2026-02-28", "amount": "5000.00"},
                    {"due_on": "2026-04-30", "amount": "5000.00"},
                ]
            },
            "instalments",
        ),
        (
            {
                "instalments": [
                    {"due_on": "2026-04-30", "amount": "5000.00"},
                    {"due_on": "2026-04-30", "amount": "5000.00"},
                ]
            },
            "instalments",
        ),
        (
            {
                "instalments": [
                    {"due_on": "2026-04-30", "amount": "5000.00"},
                    {"due_on": "2026-03-31", "amount": "5000.00"},
                ]
            },
            "instalments",
        ),
        (
            {
                "instalments": [
                    {"due_on": "2026-03-31", "amount": "10000.00"},
                    {"due_on": "2026-04-30", "amount": "0.00"},
                ]
            },
            "instalments",
        ),
        ({"agreed_on": "2026-03-02"}, "agreed_on"),  # tomorrow
        ({"grace_days": 91}, "grace_days"),
        ({"grace_days": -1}, "grace_days"),
        ({"count": 2, "first_due_on": "2026-03-31"}, "instalments"),  # both ways at once
        ({"instalments": []}, "instalments"),  # neither
        ({"instalments": [], "count": 121, "first_due_on": "2026-03-31"}, "count"),
        ({"instalments": [], "count": 2}, "first_due_on"),
        ({"monthly_income": "-5.00"}, "monthly_income"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(clock, counsel, matter, changes, field):
    response = post(counsel, matter, **changes)
    assert response.status_code == 400, response.content
    assert field in response.json()
    nothing_stored(matter)


def test_more_than_120_typed_instalments_are_refused(clock, counsel, matter):
    rows = [{"due_on": (D(2026, 3, 1) + dt.timedelta(days=n)).isoformat(), "amount": "10.00"} for n in range(121)]
    response = post(counsel, matter, instalments=rows)
    assert response.status_code == 400 and "instalments" in response.json()
    nothing_stored(matter)


def test_nothing_outstanding_leaves_nothing_to_settle(clock, counsel, matter):
    pay(counsel, matter, "10500.00", D(2026, 2, 1), "all")
    response = post(counsel, matter)
    assert response.status_code == 400 and "agreed_on" in response.json()
    nothing_stored(matter)


def test_a_second_settlement_while_one_is_performed_is_a_conflict(clock, counsel, matter):
    first = post(counsel, matter).json()
    response = post(counsel, matter)
    assert response.status_code == 409
    assert response.json()["stage"] == "judgment" and response.json()["detail"]
    assert list(Settlement.objects.filter(matter=matter).values_list("pk", flat=True)) == [first["id"]]
    assert matter.events.filter(kind=EventKind.SETTLEMENT_RECORDED).count() == 1


def test_an_agreement_recorded_afterwards_counts_the_payments_since_its_date(clock, counsel, matter):
    clock.day = D(2026, 3, 10)
    pay(counsel, matter, "1000.00", D(2026, 3, 5), "before-recording")
    response = post(counsel, matter)
    body = response.json()
    # What was outstanding on 1 March, not after the payment of 5 March.
    assert body["outstanding_at_agreement"] == "10500.00" and body["amount"] == "10000.00"
    assert (body["instalments"][0]["status"], body["instalments"][0]["paid_amount"]) == ("pending", "1000.00")


# Paid, late, missed -----------------------------------------------------------------------


@pytest.fixture
def agreed(clock, counsel, matter):
    return Settlement.objects.get(pk=post(counsel, matter).json()["id"])


def test_instalments_paid_late_and_missed_flag_the_matter_for_resumed_enforcement(clock, counsel, matter, agreed):
    clock.day = D(2026, 3, 31)
    pay(counsel, matter, "5000.00", D(2026, 3, 31), "first")  # on the due day
    assert instalments(agreed.pk) == [
        ("paid", M("5000.00"), D(2026, 3, 31)),
        ("pending", M("0.00"), None),
    ]

    counts = deadlines_daily(today=D(2026, 5, 1))  # the second is a day overdue
    assert counts["settlements_checked"] == 1 and counts["settlements_breached"] == 0
    assert instalments(agreed.pk)[1] == ("late", M("0.00"), None)
    deadlines_daily(today=D(2026, 5, 15))  # 30 April + 15: the last day of grace
    assert Settlement.objects.get(pk=agreed.pk).status == Settlement.Status.ACTIVE
    assert Matter.objects.get(pk=matter.pk).resumption_flagged_on is None

    counts = deadlines_daily(today=D(2026, 5, 16))  # 30 April + 16: missed
    assert counts["settlements_breached"] == 1
    assert instalments(agreed.pk)[1] == ("missed", M("0.00"), None)
    settlement = Settlement.objects.get(pk=agreed.pk)
    assert settlement.status == Settlement.Status.BREACHED and settlement.breached_on == D(2026, 5, 16)
    assert Matter.objects.get(pk=matter.pk).resumption_flagged_on == D(2026, 5, 16)
    event = matter.events.get(kind=EventKind.SETTLEMENT_CHANGED)
    assert event.old["status"] == "active" and event.new["status"] == "breached" and event.new["missed"] == [2]

    clock.day = D(2026, 5, 20)
    body = api(counsel).get(f"/api/v1/settlements/{agreed.pk}/").json()
    assert body["resumption_flagged_on"] == "2026-05-16" and body["breached_on"] == "2026-05-16"
    assert (body["instalments"][1]["status"], body["instalments"][1]["days_late"]) == ("missed", 20)

    # Running the day again changes nothing; a breached settlement is not checked any more.
    assert deadlines_daily(today=D(2026, 5, 16))["settlements_checked"] == 0
    assert matter.events.filter(kind=EventKind.SETTLEMENT_CHANGED).count() == 1

    # Moving to enforcement answers the flag.
    matter_transition(user=counsel, matter_id=matter.pk, to=Stage.ENFORCEMENT)
    assert Matter.objects.get(pk=matter.pk).resumption_flagged_on is None


def test_a_missed_instalment_proposes_enforcement_where_the_table_allows(clock, counsel, matter, agreed):
    Matter.objects.filter(pk=matter.pk).update(stage=Stage.SETTLED)
    locked = Matter.objects.get(pk=matter.pk)
    settlement = settlement_refresh(matter=locked, today=D(2026, 4, 16))  # 31 March + 16
    assert settlement.status == Settlement.Status.BREACHED and settlement.breached_on == D(2026, 4, 16)
    assert settlement.proposed_stage == Stage.ENFORCEMENT
    assert Matter.objects.get(pk=matter.pk).stage == Stage.SETTLED


def test_paying_every_instalment_completes_the_settlement_even_the_last_one_late(clock, counsel, matter, agreed):
    clock.day = D(2026, 5, 10)
    pay(counsel, matter, "5000.00", D(2026, 3, 30), "first")
    pay(counsel, matter, "5000.00", D(2026, 5, 10), "second")  # ten days late, within grace
    assert instalments(agreed.pk) == [
        ("paid", M("5000.00"), D(2026, 3, 30)),
        ("paid", M("5000.00"), D(2026, 5, 10)),
    ]
    settlement = Settlement.objects.get(pk=agreed.pk)
    assert settlement.status == Settlement.Status.COMPLETED and settlement.completed_on == D(2026, 5, 10)
    body = api(counsel).get(f"/api/v1/settlements/{agreed.pk}/").json()
    assert (body["instalments"][1]["paid_late"], body["instalments"][1]["days_late"]) == (True, 10)
    assert (body["instalments"][0]["paid_late"], body["instalments"][0]["days_late"]) == (False, 0)
    assert matter.events.filter(kind=EventKind.SETTLEMENT_CHANGED, new__status="completed").count() == 1


def test_a_reversal_after_completion_makes_the_settlement_active_again(clock, counsel, matter, agreed):
    clock.day = D(2026, 5, 10)
    pay(counsel, matter, "5000.00", D(2026, 3, 30), "first")
    second = pay(counsel, matter, "5000.00", D(2026, 4, 30), "second")
    assert Settlement.objects.get(pk=agreed.pk).status == Settlement.Status.COMPLETED

    recovery_reverse(user=counsel, recovery_id=second.pk, reason="银行退票")
    # Neither the payment nor its counter-entry counts: 10 days overdue, within grace.
    assert instalments(agreed.pk)[1] == ("late", M("0.00"), None)
    settlement = Settlement.objects.get(pk=agreed.pk)
    assert settlement.status == Settlement.Status.ACTIVE and settlement.completed_on is None
    assert list(
        matter.events.filter(kind=EventKind.SETTLEMENT_CHANGED).order_by("id").values_list("new__status", flat=True)
    ) == ["completed", "active"]


def test_a_reversal_that_leaves_an_instalment_beyond_grace_breaches_it(clock, counsel, matter, agreed):
    clock.day = D(2026, 4, 5)
    first = pay(counsel, matter, "5000.00", D(2026, 3, 31), "first")
    clock.day = D(2026, 4, 20)  # 31 March + 20
    recovery_reverse(user=counsel, recovery_id=first.pk, reason="付款被撤销")
    settlement = Settlement.objects.get(pk=agreed.pk)
    assert settlement.status == Settlement.Status.BREACHED and settlement.breached_on == D(2026, 4, 16)
    assert Matter.objects.get(pk=matter.pk).resumption_flagged_on == D(2026, 4, 20)


# Cancelling -------------------------------------------------------------------------------


def test_cancelling_needs_a_reason_and_nothing_changes_without_one(clock, counsel, agreed):
    response = api(counsel).post(f"/api/v1/settlements/{agreed.pk}/cancel/", {"reason": " "}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    assert Settlement.objects.get(pk=agreed.pk).status == Settlement.Status.ACTIVE
    with pytest.raises(ValidationError):
        settlement_cancel(user=counsel, settlement_id=agreed.pk, reason="")


def test_a_cancelled_settlement_makes_room_for_another_and_cannot_be_cancelled_twice(clock, counsel, matter, agreed):
    response = api(counsel).post(f"/api/v1/settlements/{agreed.pk}/cancel/", {"reason": "债务人反悔"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    event = matter.events.filter(kind=EventKind.SETTLEMENT_CHANGED).get()
    assert event.note == "债务人反悔" and event.new["status"] == "cancelled"
    again = api(counsel).post(f"/api/v1/settlements/{agreed.pk}/cancel/", {"reason": "again"}, format="json")
    assert again.status_code == 409 and again.json()["stage"] == "judgment"
    assert post(counsel, matter).status_code == 201
    listed = api(counsel).get(f"/api/v1/matters/{matter.pk}/settlements/").json()
    assert listed["count"] == 2 and [s["status"] for s in listed["results"]] == ["active", "cancelled"]


# Who may -------------------------------------------------------------------------------


def test_a_manager_records_and_a_lawyer_of_the_assigned_firm_reads_but_may_not_write(clock):
    firm = make_firm()
    matter = make_matter(stage=Stage.JUDGMENT, firm=firm, **SMALL)
    assert post(make_user(Role.MANAGER), matter).status_code == 201
    lawyer = make_user(Role.LAWYER, firm=firm)
    settlement = Settlement.objects.get(matter=matter)
    assert api(lawyer).get(f"/api/v1/matters/{matter.pk}/settlements/").json()["count"] == 1
    assert api(lawyer).get(f"/api/v1/settlements/{settlement.pk}/").status_code == 200
    cancel = api(lawyer).post(f"/api/v1/settlements/{settlement.pk}/cancel/", {"reason": "x"}, format="json")
    assert cancel.status_code == 403
    Settlement.objects.filter(pk=settlement.pk).update(status=Settlement.Status.CANCELLED)
    assert post(lawyer, matter).status_code == 403
    assert Settlement.objects.filter(matter=matter).count() == 1


def test_another_firms_lawyer_gets_404_everywhere(clock, counsel, agreed, matter):
    Matter.objects.filter(pk=matter.pk).update(assigned_firm=make_firm())
    stranger = make_user(Role.LAWYER)
    client = api(stranger)
    assert client.get(f"/api/v1/matters/{matter.pk}/settlements/").status_code == 404
    assert client.post(f"/api/v1/matters/{matter.pk}/settlements/", BODY, format="json").status_code == 404
    assert client.get(f"/api/v1/settlements/{agreed.pk}/").status_code == 404
    assert client.post(f"/api/v1/settlements/{agreed.pk}/cancel/", {"reason": "x"}, format="json").status_code == 404
    assert client.get("/api/v1/settlements/999999/").status_code == 404
    assert Settlement.objects.get(pk=agreed.pk).status == Settlement.Status.ACTIVE


def test_a_payment_after_a_breach_shows_on_the_instalments_but_the_settlement_stays_breached(
    clock, counsel, matter, agreed
):
    deadlines_daily(today=D(2026, 4, 16))  # 31 March + 16: the first is missed
    clock.day = D(2026, 4, 20)
    pay(counsel, matter, "5000.00", D(2026, 4, 20), "late-first")
    assert instalments(agreed.pk)[0] == ("paid", M("5000.00"), D(2026, 4, 20))
    settlement = Settlement.objects.get(pk=agreed.pk)
    assert settlement.status == Settlement.Status.BREACHED and settlement.breached_on == D(2026, 4, 16)
    assert Matter.objects.get(pk=matter.pk).resumption_flagged_on == D(2026, 4, 16)


def test_an_agreement_recorded_after_an_instalment_was_missed_is_breached_at_once(clock, counsel, matter):
    clock.day = D(2026, 4, 20)  # 31 March + 20: the first instalment is past its grace
    body = post(counsel, matter).json()
    assert (body["status"], body["breached_on"], body["resumption_flagged_on"]) == (
        "breached",
        "2026-04-16",
        "2026-04-20",
    )
    assert body["proposed_stage"] == "enforcement"
    assert [i["status"] for i in body["instalments"]] == ["missed", "pending"]


def test_payments_keyed_in_later_that_came_within_grace_lift_the_breach_and_its_flag(clock, counsel, matter):
    clock.day = D(2026, 4, 20)  # recorded late: the first instalment looks missed
    settlement_id = post(counsel, matter).json()["id"]
    assert Settlement.objects.get(pk=settlement_id).status == Settlement.Status.BREACHED
    # The bank statement shows it was paid on 10 April, within the 15 days' grace.
    pay(counsel, matter, "5000.00", D(2026, 4, 10), "keyed-in-late")
    settlement = Settlement.objects.get(pk=settlement_id)
    assert (settlement.status, settlement.breached_on) == (Settlement.Status.ACTIVE, None)
    assert instalments(settlement_id) == [("paid", M("5000.00"), D(2026, 4, 10)), ("pending", M("0.00"), None)]
    assert Matter.objects.get(pk=matter.pk).resumption_flagged_on is None
    changes = matter.events.filter(kind=EventKind.SETTLEMENT_CHANGED).order_by("at", "id")
    assert [(e.old["status"], e.new["status"]) for e in changes] == [("active", "breached"), ("breached", "active")]


def test_cancelling_the_breached_settlement_that_flagged_the_matter_lifts_the_flag(clock, counsel, matter):
    clock.day = D(2026, 4, 20)  # recorded late: breached at once, the matter flagged
    settlement_id = post(counsel, matter).json()["id"]
    assert Matter.objects.get(pk=matter.pk).resumption_flagged_on == D(2026, 4, 20)

    settlement_cancel(user=counsel, settlement_id=settlement_id, reason="录入错误")

    assert Matter.objects.get(pk=matter.pk).resumption_flagged_on is None
    event = matter.events.filter(kind=EventKind.SETTLEMENT_CHANGED).latest("id")
    assert (event.old["resumption_flagged_on"], event.new["resumption_flagged_on"]) == ("2026-04-20", None)


def test_the_agreement_is_an_acknowledgment_that_restarts_limitation_until_cancelled(clock, counsel):
    # Default on 2024-01-10, nothing since: limitation ends 2027-01-10 (a Sunday, so Monday the 11th).
    matter = make_matter(stage=Stage.PRE_LITIGATION, overdue_since=D(2024, 1, 10), last_payment_date=None, **SMALL)
    from legalcase.services.deadlines import matter_deadlines_recompute

    matter_deadlines_recompute(matter_id=matter.pk)
    assert Matter.objects.get(pk=matter.pk).limitation_expires_on == D(2027, 1, 11)

    settlement_id = post(counsel, matter).json()["id"]  # agreed 2026-03-01

    # 2026-03-01 + 3 years = 2029-03-01, a Thursday.
    assert Matter.objects.get(pk=matter.pk).limitation_expires_on == D(2029, 3, 1)
    settlement_cancel(user=counsel, settlement_id=settlement_id, reason="协议未生效")
    assert Matter.objects.get(pk=matter.pk).limitation_expires_on == D(2027, 1, 11)


def test_an_agreement_signed_after_limitation_ran_out_is_flagged_on_the_timeline(clock, counsel):
    matter = make_matter(stage=Stage.PRE_LITIGATION, overdue_since=D(2022, 1, 10), last_payment_date=None, **SMALL)
    from legalcase.services.deadlines import matter_deadlines_recompute

    matter_deadlines_recompute(matter_id=matter.pk)
    expired = Matter.objects.get(pk=matter.pk).limitation_expires_on
    assert expired < D(2026, 3, 1)

    post(counsel, matter)

    event = matter.events.get(kind=EventKind.SETTLEMENT_RECORDED)
    assert event.new["signed_after_limitation"] == expired.isoformat()
    # The engine does not revive an expired period; the flag is for counsel (诉讼时效规定 Art. 19).
    assert Matter.objects.get(pk=matter.pk).limitation_expires_on == expired


def test_an_absurdly_large_amount_is_refused_not_a_server_error(clock, counsel, matter):
    answer = post(counsel, matter, reduction="1e30")
    assert answer.status_code == 400 and "reduction" in answer.json()
    from legalcase.services.settlements import settlement_record

    with pytest.raises(ValidationError) as refused:  # the page's form hands the service what it parsed
        settlement_record(
            user=counsel, matter_id=matter.pk, agreed_on=D(2026, 3, 1), reduction=M("0"),
            instalments=[{"due_on": D(2026, 4, 1), "amount": M("1e30")}],
        )  # fmt: skip
    assert refused.value.message_dict
    nothing_stored(matter)
