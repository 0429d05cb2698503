"""Outside-firm fees: each arrangement against hand-computed figures, the invoice flow, roles and the API."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone
from rest_framework.test import APIClient

from legalcase.models import (
    Assignment,
    EventKind,
    FeeArrangement,
    FeeInvoice,
    FeePayment,
    MatterEvent,
    Role,
    Stage,
)
from legalcase.services.fees import (
    InvoiceConflict,
    assignment_fees,
    assignments_fees,
    fee_arrangement_set,
    fee_earned,
    invoice_decide,
    invoice_pay,
    invoice_submit,
)
from legalcase.services.matters import (
    matter_assign_firm,
    matter_transition,
    matter_unassign_firm,
)
from legalcase.services.recoveries import (
    recovery_body_digest,
    recovery_record,
    recovery_reverse,
)
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 6, 30)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def recover(user, matter, amount: str, day: dt.date):
    data = {"amount": Decimal(amount), "received_on": day, "source": "enforcement", "reference": ""}
    key = f"{matter.pk}-{amount}-{day}"
    return recovery_record(
        user=user, matter_id=matter.pk, idempotency_key=key, body_digest=recovery_body_digest(**data), **data
    )[0]


def arrange(counsel, assignment, **terms):
    terms = {"fixed_fee": Decimal("0"), "stage_fees": {}, "contingency_rate": Decimal("0"), **terms}
    return fee_arrangement_set(user=counsel, assignment_id=assignment.pk, **terms)


def submit(lawyer, assignment, amount: str, number="INV-001", issued_on=D(2026, 6, 1)):
    return invoice_submit(
        user=lawyer, assignment_id=assignment.pk, number=number, amount=Decimal(amount), issued_on=issued_on
    )


def figures(assignment) -> dict[str, str]:
    fees = assignment_fees(Assignment.objects.select_related("matter").get(pk=assignment.pk), today=TODAY)
    return {
        name: f"{getattr(fees, name):.2f}" for name in ("earned", "invoiced", "approved", "paid", "owed", "invoiceable")
    }


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


@pytest.fixture
def firm():
    return make_firm()


@pytest.fixture
def lawyer(firm):
    return make_user(Role.LAWYER, firm=firm)


@pytest.fixture
def assigned(counsel, firm):
    """A matter in intake with the firm assigned through the real service; returns (matter, assignment)."""
    matter = make_matter(stage=Stage.INTAKE)
    matter_assign_firm(user=counsel, matter_id=matter.pk, firm_id=firm.pk)
    return matter, matter.assignments.get()


# --- The rule, pure ---------------------------------------------------------------------


def test_the_contingency_is_rounded_half_up_to_the_fen():
    # 0.05 × 12.10 = 0.605: half-up gives 0.61 (banker's rounding would give 0.60).
    breakdown = fee_earned(
        fixed_fee=Decimal("0"),
        stage_fees={},
        contingency_rate=Decimal("0.05"),
        cap=None,
        stages_reached=set(),
        recovered=Decimal("12.10"),
    )
    assert breakdown.contingency == Decimal("0.61")
    assert breakdown.total == Decimal("0.61")


def test_combined_components_are_summed_and_capped():
    # 1000 fixed + 800 litigation + 500 judgment (enforcement not reached) + 10% of 12,000 = 3,500; cap 2,500.
    breakdown = fee_earned(
        fixed_fee=Decimal("1000.00"),
        stage_fees={"litigation": "800.00", "judgment": "500.00", "enforcement": "700.00"},
        contingency_rate=Decimal("0.1"),
        cap=Decimal("2500.00"),
        stages_reached={"intake", "litigation", "judgment"},
        recovered=Decimal("12000.00"),
    )
    assert breakdown.fixed == Decimal("1000.00")
    assert breakdown.staged == {"litigation": Decimal("800.00"), "judgment": Decimal("500.00")}
    assert breakdown.contingency == Decimal("1200.00")
    assert breakdown.uncapped == Decimal("3500.00")
    assert breakdown.total == Decimal("2500.00")
    assert breakdown.capped


# --- Each arrangement on real assignments ---------------------------------------------


def test_a_fixed_fee_is_earned_once_the_assignment_exists(counsel, assigned):
    _matter, assignment = assigned
    arrange(counsel, assignment, fixed_fee=Decimal("3000.00"))
    assert figures(assignment) == {
        "earned": "3000.00",
        "invoiced": "0.00",
        "approved": "0.00",
        "paid": "0.00",
        "owed": "3000.00",
        "invoiceable": "3000.00",
    }


def test_stage_fees_count_stages_reached_during_the_assignment_only(counsel, firm):
    other = make_firm()
    matter = make_matter(stage=Stage.INTAKE)
    stage_fees = {
        "pre_litigation": "300.00",
        "litigation": "800.00",
        "judgment": "500.00",
        "enforcement": "700.00",
        "closed": "100.00",
    }
    matter_transition(user=counsel, matter_id=matter.pk, to=Stage.PRE_LITIGATION)
    # Pre-litigation is the stage at the start of the assignment: it counts.
    matter_assign_firm(user=counsel, matter_id=matter.pk, firm_id=firm.pk)
    first = matter.assignments.get(firm=firm)
    matter_transition(user=counsel, matter_id=matter.pk, to=Stage.LITIGATION)
    matter_transition(user=counsel, matter_id=matter.pk, to=Stage.JUDGMENT)
    # Another firm takes over; enforcement is reached after the first assignment ended.
    matter_assign_firm(user=counsel, matter_id=matter.pk, firm_id=other.pk)
    second = matter.assignments.get(firm=other)
    matter_transition(user=counsel, matter_id=matter.pk, to=Stage.ENFORCEMENT)
    arrange(counsel, first, stage_fees=stage_fees)
    arrange(counsel, second, stage_fees=stage_fees)

    both = assignments_fees(Assignment.objects.select_related("matter").filter(matter=matter), today=TODAY)
    by_firm = {fees.assignment.firm_id: fees for fees in both}
    # First: 300 (pre-litigation at start) + 800 + 500 = 1,600.
    assert by_firm[firm.pk].breakdown.staged == {
        "pre_litigation": Decimal("300.00"),
        "litigation": Decimal("800.00"),
        "judgment": Decimal("500.00"),
    }
    assert by_firm[firm.pk].earned == Decimal("1600.00")
    # Second: judgment at its start (500) + enforcement (700) = 1,200; never closed.
    assert by_firm[other.pk].breakdown.staged == {"judgment": Decimal("500.00"), "enforcement": Decimal("700.00")}
    assert by_firm[other.pk].earned == Decimal("1200.00")


def test_a_stage_reached_after_the_assignment_ended_is_not_counted(counsel, firm):
    matter = make_matter(stage=Stage.LITIGATION)
    matter_assign_firm(user=counsel, matter_id=matter.pk, firm_id=firm.pk)
    assignment = matter.assignments.get()
    matter_transition(user=counsel, matter_id=matter.pk, to=Stage.JUDGMENT)
    matter_unassign_firm(user=counsel, matter_id=matter.pk)
    matter_transition(user=counsel, matter_id=matter.pk, to=Stage.ENFORCEMENT)
    arrange(counsel, assignment, stage_fees={"litigation": "800.00", "judgment": "500.00", "enforcement": "700.00"})
    # 800 (litigation at the start) + 500; enforcement came after the end.
    assert figures(assignment)["earned"] == "1300.00"


def test_contingency_counts_net_recoveries_within_the_assignment_dates(counsel, firm):
    other = make_firm()
    matter = make_matter(stage=Stage.ENFORCEMENT)
    earlier = Assignment.objects.create(
        matter=matter, firm=other, started_at=at(D(2026, 1, 1)), ended_at=at(D(2026, 2, 28))
    )
    current = Assignment.objects.create(matter=matter, firm=firm, started_at=at(D(2026, 3, 1)))
    recover(counsel, matter, "1000.00", D(2026, 2, 15))  # the earlier firm's
    recover(counsel, matter, "2000.00", D(2026, 3, 10))
    bounced = recover(counsel, matter, "3000.00", D(2026, 4, 1))
    recovery_reverse(user=counsel, recovery_id=bounced.pk, reason="银行退票")
    recover(counsel, matter, "1234.50", D(2026, 5, 20))
    arrange(counsel, earlier, contingency_rate=Decimal("0.08"))
    arrange(counsel, current, contingency_rate=Decimal("0.075"))

    # Earlier: 8% of 1,000.00 = 80.00.
    assert figures(earlier)["earned"] == "80.00"
    # Current: 2,000 + 3,000 − 3,000 + 1,234.50 = 3,234.50; 7.5% = 242.5875 → 242.59.
    fees = assignment_fees(Assignment.objects.select_related("matter").get(pk=current.pk), today=TODAY)
    assert fees.breakdown.recovered == Decimal("3234.50")
    assert fees.breakdown.contingency == Decimal("242.59")
    assert fees.earned == Decimal("242.59")


def test_a_combined_arrangement_with_a_cap(counsel, firm):
    matter = make_matter(stage=Stage.LITIGATION)
    matter_assign_firm(user=counsel, matter_id=matter.pk, firm_id=firm.pk)
    assignment = matter.assignments.get()
    matter_transition(user=counsel, matter_id=matter.pk, to=Stage.JUDGMENT)
    matter_transition(user=counsel, matter_id=matter.pk, to=Stage.ENFORCEMENT)
    recover(counsel, matter, "20000.00", timezone.localdate())
    arrange(
        counsel,
        assignment,
        fixed_fee=Decimal("2000.00"),
        stage_fees={"litigation": "1000.00", "enforcement": "1500.00"},
        contingency_rate=Decimal("0.05"),
        cap=Decimal("5000.00"),
    )
    fees = assignment_fees(
        Assignment.objects.select_related("matter").get(pk=assignment.pk), today=timezone.localdate()
    )
    # 2,000 + 1,000 + 1,500 + 5% of 20,000 (1,000) = 5,500, capped at 5,000.
    assert fees.breakdown.uncapped == Decimal("5500.00")
    assert fees.earned == Decimal("5000.00")


# --- Setting an arrangement -------------------------------------------------------------


def test_setting_an_arrangement_replaces_it_and_records_old_and_new(counsel, assigned):
    matter, assignment = assigned
    arrange(counsel, assignment, fixed_fee=Decimal("1000.00"))
    arrange(counsel, assignment, fixed_fee=Decimal("1500.00"), stage_fees={"litigation": "200"}, cap=Decimal("9000"))
    arrangement = FeeArrangement.objects.get(assignment=assignment)
    assert arrangement.fixed_fee == Decimal("1500.00")
    assert arrangement.stage_fees == {"litigation": "200.00"}
    events = list(matter.events.filter(kind=EventKind.FEE_ARRANGEMENT_SET).order_by("id"))
    assert len(events) == 2
    assert events[0].old is None
    assert events[1].old["fixed_fee"] == "1000.00"
    assert events[1].new["fixed_fee"] == "1500.00"
    assert events[1].new["cap"] == "9000.00"


@pytest.mark.parametrize(
    "terms, field",
    [
        ({"stage_fees": {"appeal": "100.00"}}, "stage_fees"),
        ({"stage_fees": {"litigation": "-1.00"}}, "stage_fees"),
        ({"fixed_fee": Decimal("-5.00")}, "fixed_fee"),
        ({"fixed_fee": Decimal("10.005")}, "fixed_fee"),
        ({"contingency_rate": Decimal("1.5")}, "contingency_rate"),
        ({"contingency_rate": Decimal("-0.1")}, "contingency_rate"),
        ({"cap": Decimal("0")}, "cap"),
    ],
)
def test_bad_arrangement_terms_are_refused_and_nothing_is_stored(counsel, assigned, terms, field):
    matter, assignment = assigned
    with pytest.raises(ValidationError) as caught:
        arrange(counsel, assignment, **terms)
    assert field in caught.value.message_dict
    assert not FeeArrangement.objects.exists()
    assert not matter.events.filter(kind=EventKind.FEE_ARRANGEMENT_SET).exists()


def test_a_lawyer_may_not_set_an_arrangement(lawyer, assigned):
    _matter, assignment = assigned
    with pytest.raises(PermissionDenied):
        arrange(lawyer, assignment, fixed_fee=Decimal("100.00"))
    assert not FeeArrangement.objects.exists()


# --- The invoice flow -----------------------------------------------------------------


def test_the_invoice_flow_from_submission_to_full_payment(counsel, lawyer, assigned):
    matter, assignment = assigned
    arrange(counsel, assignment, fixed_fee=Decimal("3000.00"))
    first = submit(lawyer, assignment, "2000.00", number="INV-001")
    assert first.status == FeeInvoice.Status.SUBMITTED
    assert first.firm == assignment.firm

    # Over-invoicing: only 1,000.00 is left; nothing stored.
    with pytest.raises(ValidationError) as caught:
        submit(lawyer, assignment, "1500.00", number="INV-002")
    assert "1000.00" in caught.value.message_dict["amount"][0]
    assert FeeInvoice.objects.count() == 1

    second = submit(lawyer, assignment, "1000.00", number="INV-002")
    # A rejection needs a reason; nothing changes without one.
    with pytest.raises(ValidationError) as caught:
        invoice_decide(user=counsel, invoice_id=second.pk, approve=False, reason="  ")
    assert "reason" in caught.value.message_dict
    second.refresh_from_db()
    assert second.status == FeeInvoice.Status.SUBMITTED and second.decided_by is None

    invoice_decide(user=counsel, invoice_id=second.pk, approve=False, reason="金额与委托合同不符")
    second.refresh_from_db()
    assert second.status == FeeInvoice.Status.REJECTED
    assert second.rejection_reason == "金额与委托合同不符"
    assert second.decided_by == counsel
    assert figures(assignment)["invoiceable"] == "1000.00"  # a rejected invoice frees its amount

    invoice_decide(user=counsel, invoice_id=first.pk, approve=True)
    with pytest.raises(InvoiceConflict):
        invoice_decide(user=counsel, invoice_id=first.pk, approve=False, reason="改变主意")

    invoice_pay(user=counsel, invoice_id=first.pk, amount=Decimal("500.00"), paid_on=D(2026, 6, 10), reference="转账1")
    first.refresh_from_db()
    assert first.paid_amount == Decimal("500.00") and first.status == FeeInvoice.Status.APPROVED

    # Overpayment: 1,500.00 is unpaid; nothing stored.
    with pytest.raises(ValidationError) as caught:
        invoice_pay(user=counsel, invoice_id=first.pk, amount=Decimal("1600.00"), paid_on=D(2026, 6, 11))
    assert "1500.00" in caught.value.message_dict["amount"][0]
    assert FeePayment.objects.count() == 1

    invoice_pay(user=counsel, invoice_id=first.pk, amount=Decimal("1500.00"), paid_on=D(2026, 6, 12))
    first.refresh_from_db()
    assert first.paid_amount == Decimal("2000.00") and first.status == FeeInvoice.Status.PAID
    with pytest.raises(InvoiceConflict):
        invoice_pay(user=counsel, invoice_id=first.pk, amount=Decimal("1.00"), paid_on=D(2026, 6, 12))

    assert figures(assignment) == {
        "earned": "3000.00",
        "invoiced": "2000.00",
        "approved": "2000.00",
        "paid": "2000.00",
        "owed": "1000.00",
        "invoiceable": "1000.00",
    }
    kinds = list(matter.events.filter(kind__startswith="invoice_").order_by("id").values_list("kind", flat=True))
    assert kinds == [
        EventKind.INVOICE_SUBMITTED,
        EventKind.INVOICE_SUBMITTED,
        EventKind.INVOICE_DECIDED,
        EventKind.INVOICE_DECIDED,
        EventKind.INVOICE_PAID,
        EventKind.INVOICE_PAID,
    ]


def test_a_rejected_invoice_cannot_be_paid(counsel, lawyer, assigned):
    _matter, assignment = assigned
    arrange(counsel, assignment, fixed_fee=Decimal("100.00"))
    invoice = submit(lawyer, assignment, "100.00")
    with pytest.raises(InvoiceConflict):
        invoice_pay(user=counsel, invoice_id=invoice.pk, amount=Decimal("100.00"), paid_on=D(2026, 6, 1))
    assert not FeePayment.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"number": "  "}, "number"),
        ({"amount": "0.00"}, "amount"),
        ({"amount": "10.001"}, "amount"),
        ({"issued_on": "tomorrow"}, "issued_on"),
        ({"number": "INV-001"}, "number"),  # already used by this firm
    ],
)
def test_bad_invoices_are_refused_and_nothing_is_stored(counsel, lawyer, assigned, change, field):
    matter, assignment = assigned
    arrange(counsel, assignment, fixed_fee=Decimal("3000.00"))
    submit(lawyer, assignment, "100.00", number="INV-001")
    body = {"number": "INV-009", "amount": "50.00", "issued_on": D(2026, 6, 1), **change}
    if body["issued_on"] == "tomorrow":
        body["issued_on"] = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        submit(lawyer, assignment, body["amount"], number=body["number"], issued_on=body["issued_on"])
    assert field in caught.value.message_dict
    assert FeeInvoice.objects.count() == 1
    assert matter.events.filter(kind=EventKind.INVOICE_SUBMITTED).count() == 1


def test_a_firm_invoices_after_its_assignment_ended(counsel, lawyer, assigned):
    matter, assignment = assigned
    arrange(counsel, assignment, fixed_fee=Decimal("800.00"))
    matter_unassign_firm(user=counsel, matter_id=matter.pk)
    invoice = submit(lawyer, assignment, "800.00")
    assert invoice.amount == Decimal("800.00")


def test_another_firms_lawyer_gets_404_and_other_roles_403(counsel, lawyer, assigned):
    _matter, assignment = assigned
    arrange(counsel, assignment, fixed_fee=Decimal("800.00"))
    stranger = make_user(Role.LAWYER, firm=make_firm())
    manager = make_user(Role.MANAGER)
    with pytest.raises(Http404):
        submit(stranger, assignment, "100.00")
    with pytest.raises(PermissionDenied):
        submit(counsel, assignment, "100.00")
    invoice = submit(lawyer, assignment, "100.00")
    with pytest.raises(PermissionDenied):
        invoice_decide(user=manager, invoice_id=invoice.pk, approve=True)
    with pytest.raises(PermissionDenied):
        invoice_decide(user=lawyer, invoice_id=invoice.pk, approve=True)
    with pytest.raises(Http404):
        invoice_decide(user=stranger, invoice_id=invoice.pk, approve=True)
    invoice.refresh_from_db()
    assert invoice.status == FeeInvoice.Status.SUBMITTED


# --- The API --------------------------------------------------------------------------


def test_api_put_and_get_the_arrangement_with_its_breakdown(counsel, assigned):
    matter, assignment = assigned
    url = f"/api/v1/assignments/{assignment.pk}/fee-arrangement/"
    body = {"fixed_fee": "1000.00", "stage_fees": {"intake": "200.00"}, "contingency_rate": "0.1", "cap": None}
    response = api(counsel).put(url, body, format="json")
    assert response.status_code == 200, response.json()
    data = api(counsel).get(url).json()
    assert data["arrangement"]["fixed_fee"] == "1000.00"
    assert data["arrangement"]["stage_fees"] == {"intake": "200.00"}
    assert data["breakdown"]["staged"] == {"intake": "200.00"}
    assert data["earned"] == "1200.00"
    assert data["invoiceable"] == "1200.00"
    assert data["firm"]["id"] == assignment.firm_id


def test_api_refuses_a_bad_arrangement_with_400_naming_the_field(counsel, assigned):
    _matter, assignment = assigned
    url = f"/api/v1/assignments/{assignment.pk}/fee-arrangement/"
    response = api(counsel).put(url, {"fixed_fee": "1.00", "stage_fees": {"appeal": "1.00"}}, format="json")
    assert response.status_code == 400
    assert "stage_fees" in response.json()
    response = api(counsel).put(url, {"contingency_rate": "2"}, format="json")
    assert response.status_code == 400 and "contingency_rate" in response.json()
    assert not FeeArrangement.objects.exists()


def test_api_roles_on_the_arrangement(lawyer, assigned):
    _matter, assignment = assigned
    url = f"/api/v1/assignments/{assignment.pk}/fee-arrangement/"
    assert api(lawyer).put(url, {"fixed_fee": "1.00"}, format="json").status_code == 403
    assert api(lawyer).get(url).status_code == 200
    stranger = make_user(Role.LAWYER, firm=make_firm())
    assert api(stranger).get(url).status_code == 404
    assert api(make_user(Role.MANAGER)).get(url).status_code == 200


def test_api_matter_fees_lists_each_assignment_with_its_invoices(counsel, lawyer, firm):
    other = make_firm()
    matter = make_matter(stage=Stage.INTAKE)
    matter_assign_firm(user=counsel, matter_id=matter.pk, firm_id=other.pk)
    matter_assign_firm(user=counsel, matter_id=matter.pk, firm_id=firm.pk)
    current = matter.assignments.get(firm=firm)
    arrange(counsel, current, fixed_fee=Decimal("600.00"))
    submit(lawyer, current, "250.00")
    data = api(counsel).get(f"/api/v1/matters/{matter.pk}/fees/").json()
    assert data["matter"]["number"] == matter.number
    assert [a["firm"]["id"] for a in data["assignments"]] == [firm.pk, other.pk]
    first = data["assignments"][0]
    assert first["current"] is True
    assert first["earned"] == "600.00" and first["invoiced"] == "250.00" and first["owed"] == "600.00"
    assert first["invoices"][0]["amount"] == "250.00"
    assert first["invoices"][0]["status"] == "submitted"
    assert data["assignments"][1]["arrangement"] is None
    # The lawyer sees only their own firm's assignment.
    mine = api(lawyer).get(f"/api/v1/matters/{matter.pk}/fees/").json()
    assert [a["firm"]["id"] for a in mine["assignments"]] == [firm.pk]
    assert api(make_user(Role.LAWYER, firm=other)).get(f"/api/v1/matters/{matter.pk}/fees/").status_code == 404


def test_api_invoice_submit_decide_pay(counsel, lawyer, assigned):
    matter, assignment = assigned
    arrange(counsel, assignment, fixed_fee=Decimal("1000.00"))
    url = f"/api/v1/assignments/{assignment.pk}/invoices/"
    body = {"number": "2026-0001", "amount": "1000.01", "issued_on": "2026-06-01"}
    response = api(lawyer).post(url, body, format="json")
    assert response.status_code == 400 and "amount" in response.json()
    response = api(lawyer).post(url, {**body, "amount": "1000.00"}, format="json")
    assert response.status_code == 201, response.json()
    invoice_id = response.json()["id"]
    assert response.json()["matter"] == {"id": matter.pk, "number": matter.number}
    assert api(lawyer).get(url).json()["count"] == 1

    decision = f"/api/v1/invoices/{invoice_id}/decision/"
    assert api(make_user(Role.MANAGER)).post(decision, {"decision": "approve"}, format="json").status_code == 403
    response = api(counsel).post(decision, {"decision": "reject"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = api(counsel).post(decision, {"decision": "approve"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    response = api(counsel).post(decision, {"decision": "approve"}, format="json")
    assert response.status_code == 409 and response.json()["status"] == "approved"

    payments = f"/api/v1/invoices/{invoice_id}/payments/"
    response = api(counsel).post(payments, {"amount": "1200.00", "paid_on": "2026-06-05"}, format="json")
    assert response.status_code == 400 and "amount" in response.json()
    response = api(counsel).post(payments, {"amount": "400.00", "paid_on": "2026-06-05"}, format="json")
    assert response.status_code == 201
    assert response.json()["invoice"]["paid_amount"] == "400.00"
    assert response.json()["invoice"]["unpaid"] == "600.00"
    response = api(counsel).post(
        payments, {"amount": "600.00", "paid_on": "2026-06-06", "reference": "B2"}, format="json"
    )
    assert response.json()["invoice"]["status"] == "paid"
    assert len(response.json()["invoice"]["payments"]) == 2


def test_api_invoice_list_filters_and_scopes_to_the_lawyers_firm(counsel, lawyer, firm, assigned):
    _matter, assignment = assigned
    arrange(counsel, assignment, fixed_fee=Decimal("1000.00"))
    other = make_firm()
    other_lawyer = make_user(Role.LAWYER, firm=other)
    matter2 = make_matter(stage=Stage.INTAKE)
    matter_assign_firm(user=counsel, matter_id=matter2.pk, firm_id=other.pk)
    assignment2 = matter2.assignments.get()
    arrange(counsel, assignment2, fixed_fee=Decimal("1000.00"))
    approved = submit(lawyer, assignment, "100.00", number="A-1")
    invoice_decide(user=counsel, invoice_id=approved.pk, approve=True)
    waiting = submit(lawyer, assignment, "200.00", number="A-2")
    theirs = submit(other_lawyer, assignment2, "300.00", number="A-1")

    data = api(counsel).get("/api/v1/invoices/").json()
    assert data["count"] == 3
    # Awaiting approval first (newest first), then approved.
    assert [row["id"] for row in data["results"]] == [theirs.pk, waiting.pk, approved.pk]
    assert api(counsel).get("/api/v1/invoices/?status=approved").json()["results"][0]["id"] == approved.pk
    assert api(counsel).get(f"/api/v1/invoices/?firm={other.pk}").json()["count"] == 1
    assert api(counsel).get("/api/v1/invoices/?status=bogus").status_code == 400
    mine = api(lawyer).get("/api/v1/invoices/").json()
    assert {row["id"] for row in mine["results"]} == {approved.pk, waiting.pk}
    assert (
        api(other_lawyer)
        .post(f"/api/v1/invoices/{waiting.pk}/decision/", {"decision": "approve"}, format="json")
        .status_code
        == 404
    )
    assert api(other_lawyer).get(f"/api/v1/assignments/{assignment.pk}/invoices/").status_code == 404


def test_matter_fees_reads_many_assignments_in_a_fixed_number_of_queries(counsel, django_assert_max_num_queries):
    matter = make_matter(stage=Stage.INTAKE)
    for _ in range(6):
        matter_assign_firm(user=counsel, matter_id=matter.pk, firm_id=make_firm().pk)
    for assignment in matter.assignments.all():
        arrange(counsel, assignment, fixed_fee=Decimal("10.00"))
    # Session, user, matter, assignments, arrangements, invoices (+payments), events, recoveries.
    with django_assert_max_num_queries(12):
        response = api(counsel).get(f"/api/v1/matters/{matter.pk}/fees/")
    assert len(response.json()["assignments"]) == 6
    assert MatterEvent.objects.filter(matter=matter, kind=EventKind.FEE_ARRANGEMENT_SET).count() == 6


# --- Concurrency (PostgreSQL) -----------------------------------------------------------


def _race(count: int, act) -> list[BaseException]:
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            act(i)
        except ValidationError:
            pass  # refused: expected for all but the ones that fit
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_invoices_never_exceed_what_was_earned(postgres_only):
    counsel = make_user(Role.COUNSEL)
    firm = make_firm()
    lawyer = make_user(Role.LAWYER, firm=firm)
    matter = make_matter(stage=Stage.INTAKE)
    matter_assign_firm(user=counsel, matter_id=matter.pk, firm_id=firm.pk)
    assignment = matter.assignments.get()
    arrange(counsel, assignment, fixed_fee=Decimal("1000.00"))
    # Ten invoices of 300.00 against 1,000.00 earned: three fit.
    errors = _race(10, lambda i: submit(lawyer, assignment, "300.00", number=f"R-{i}"))
    assert not errors, errors[:3]
    assert FeeInvoice.objects.filter(assignment=assignment).count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_never_exceed_the_invoice(postgres_only):
    counsel = make_user(Role.COUNSEL)
    firm = make_firm()
    lawyer = make_user(Role.LAWYER, firm=firm)
    matter = make_matter(stage=Stage.INTAKE)
    matter_assign_firm(user=counsel, matter_id=matter.pk, firm_id=firm.pk)
    assignment = matter.assignments.get()
    arrange(counsel, assignment, fixed_fee=Decimal("1000.00"))
    invoice = submit(lawyer, assignment, "1000.00")
    invoice_decide(user=counsel, invoice_id=invoice.pk, approve=True)

    def pay(i: int) -> None:
        try:
            invoice_pay(user=counsel, invoice_id=invoice.pk, amount=Decimal("150.00"), paid_on=D(2026, 6, 1))
        except InvoiceConflict:
            pass  # paid in full meanwhile

    # Ten payments of 150.00 against 1,000.00: six fit (900.00), the rest are refused.
    errors = _race(10, pay)
    assert not errors, errors[:3]
    invoice.refresh_from_db()
    assert invoice.paid_amount == Decimal("900.00")
    assert FeePayment.objects.filter(invoice=invoice).count() == 6
    assert invoice.status == FeeInvoice.Status.APPROVED


def test_a_recovery_on_the_handover_day_counts_for_the_new_firm_only(counsel, firm):
    other = make_firm()
    matter = make_matter(stage=Stage.ENFORCEMENT)
    before = Assignment.objects.create(matter=matter, firm=other, started_at=at(D(2026, 3, 1)), ended_at=at(D(2026, 4, 1)))
    after = Assignment.objects.create(matter=matter, firm=firm, started_at=at(D(2026, 4, 1)))
    recover(counsel, matter, "10000.00", D(2026, 3, 31))
    recover(counsel, matter, "5000.00", D(2026, 4, 1))  # the day it changed hands
    arrange(counsel, before, contingency_rate=Decimal("0.10"))
    arrange(counsel, after, contingency_rate=Decimal("0.10"))

    # Before: 10% of 10,000.00; after: 10% of 5,000.00. Nothing counted twice.
    assert (figures(before)["earned"], figures(after)["earned"]) == ("1000.00", "500.00")


def test_another_firms_lawyer_on_the_matter_does_not_see_the_earlier_firms_fee_terms_or_invoices(
    client, counsel, lawyer, firm, assigned
):
    matter, assignment = assigned
    arrange(counsel, assignment, fixed_fee=Decimal("7777.00"), note="本所条款")
    submit(lawyer, assignment, "7777.00", number="SECRET-1")
    successor = make_firm()
    matter_assign_firm(user=counsel, matter_id=matter.pk, firm_id=successor.pk)
    client.force_login(make_user(Role.LAWYER, firm=successor))

    response = client.get(f"/matters/{matter.pk}/")

    page = response.content.decode()
    assert "7,777.00" not in page and "7777" not in page and "本所条款" not in page
    private = {"fee_arrangement_set", "invoice_submitted"}
    assert not private & {event.kind for event in response.context["events"]}
    client.force_login(counsel)
    assert private <= {event.kind for event in client.get(f"/matters/{matter.pk}/").context["events"]}


def test_roles_that_may_not_act_get_403_before_their_body_is_read(counsel, lawyer, assigned):
    _matter, assignment = assigned
    arrange(counsel, assignment, fixed_fee=Decimal("1000.00"))
    invoice = submit(lawyer, assignment, "500.00")
    manager = make_user(Role.MANAGER)

    assert api(counsel).post(f"/api/v1/assignments/{assignment.pk}/invoices/", {}, format="json").status_code == 403
    assert api(manager).post(f"/api/v1/invoices/{invoice.pk}/decision/", {}, format="json").status_code == 403
    assert api(manager).post(f"/api/v1/invoices/{invoice.pk}/payments/", {}, format="json").status_code == 403


def test_matter_fees_with_invoices_read_in_a_fixed_number_of_queries(
    counsel, lawyer, assigned, django_assert_max_num_queries
):
    matter, assignment = assigned
    arrange(counsel, assignment, fixed_fee=Decimal("3000.00"))
    for n in range(3):
        submit(lawyer, assignment, "100.00", number=f"INV-{n}")
    with django_assert_max_num_queries(12):
        assert len(api(counsel).get(f"/api/v1/matters/{matter.pk}/fees/").json()["assignments"][0]["invoices"]) == 3
