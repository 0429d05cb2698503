"""The outside-firm fees section of the matter page and the invoice queue."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.translation import override

from legalcase.models import FeeArrangement, FeeInvoice, FeePayment, Role, Stage
from legalcase.services.fees import fee_arrangement_set, invoice_decide, invoice_submit
from legalcase.services.matters import (
    matter_assign_firm,
    matter_transition,
    matter_unassign_firm,
)
from legalcase.views import MATTER_SECTIONS
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
D = dt.date


def invalid_fields(html: str) -> list[str]:
    return re.findall(r'pf-field invalid">\s*<label for="([^"]+)"', html)


def fee_cell(html: str, assignment_id: int, name: str) -> str:
    table = html.split(f'id="fees-breakdown-{assignment_id}"', 1)[1].split("</table>", 1)[0]
    return re.search(rf'data-fee="{name}">([^<]*)<', table).group(1)


def assignments_offered(html: str) -> list[int]:
    if 'name="assignment"' not in html:
        return []
    select = html.split('name="assignment"', 1)[1].split("</select>", 1)[0]
    return [int(value) for value in re.findall(r'<option value="(\d+)"', select)]


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
def setup(counsel, firm):
    """A matter that went from a first firm to ``firm`` (current), with a staged and fixed arrangement."""
    earlier = make_firm()
    matter = make_matter(stage=Stage.INTAKE)
    matter_assign_firm(user=counsel, matter_id=matter.pk, firm_id=earlier.pk)
    matter_assign_firm(user=counsel, matter_id=matter.pk, firm_id=firm.pk)
    matter_transition(user=counsel, matter_id=matter.pk, to=Stage.LITIGATION)
    current = matter.assignments.get(firm=firm)
    past = matter.assignments.get(firm=earlier)
    fee_arrangement_set(
        user=counsel,
        assignment_id=current.pk,
        fixed_fee=Decimal("1000.00"),
        stage_fees={"litigation": "800.00", "judgment": "500.00"},
        contingency_rate=Decimal("0"),
    )
    return matter, current, past


def section(client, matter) -> str:
    response = client.get(reverse("fees_section", args=[matter.pk]), **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_the_matter_page_loads_the_section(client, counsel, setup):
    matter, _current, _past = setup
    client.force_login(counsel)
    html = client.get(reverse("matter_detail", args=[matter.pk])).content.decode()
    assert f'hx-get="{reverse("fees_section", args=[matter.pk])}"' in html
    assert "fees_section" in [s.url_name for s in MATTER_SECTIONS]


def test_counsel_sees_each_assignment_current_first_with_the_breakdown(client, counsel, lawyer, setup):
    matter, current, past = setup
    invoice = invoice_submit(
        user=lawyer, assignment_id=current.pk, number="F-1", amount=Decimal("600.00"), issued_on=D(2026, 6, 1)
    )
    invoice_decide(user=counsel, invoice_id=invoice.pk, approve=True)
    client.force_login(counsel)
    html = section(client, matter)
    assert html.index(f'id="fees-assignment-{current.pk}"') < html.index(f'id="fees-assignment-{past.pk}"')
    # 1,000 fixed + 800 litigation (judgment not reached).
    assert fee_cell(html, current.pk, "fixed") == "1,000.00"
    assert fee_cell(html, current.pk, "stage-litigation") == "800.00"
    assert fee_cell(html, current.pk, "earned") == "1,800.00"
    assert fee_cell(html, current.pk, "invoiced") == "600.00"
    assert fee_cell(html, current.pk, "approved") == "600.00"
    assert fee_cell(html, current.pk, "owed") == "1,800.00"
    assert fee_cell(html, past.pk, "earned") == "0.00"
    assert f'id="arrangement-form-{current.pk}"' in html
    assert f'action="{reverse("invoice_pay", args=[invoice.pk])}"' in html
    # Counsel do not submit invoices.
    assert f'id="invoice-new-{current.pk}"' not in html


def test_counsel_sets_an_arrangement_and_a_bad_one_is_refused(client, counsel, setup):
    matter, _current, past = setup
    client.force_login(counsel)
    url = reverse("fee_arrangement_set", args=[matter.pk, past.pk])
    bad = client.post(url, {"fixed_fee": "100.00", "contingency_rate": "2"}, **HTMX).content.decode()
    assert f"arrangement-{past.pk}-contingency_rate" in invalid_fields(bad)
    assert not FeeArrangement.objects.filter(assignment=past).exists()
    html = client.post(
        url, {"fixed_fee": "300.00", "contingency_rate": "0.1", "stage_intake": "50.00", "cap": ""}, **HTMX
    ).content.decode()
    arrangement = FeeArrangement.objects.get(assignment=past)
    assert arrangement.fixed_fee == Decimal("300.00")
    assert arrangement.stage_fees == {"intake": "50.00"}
    assert arrangement.cap is None
    # 300 fixed + 50 for intake, where the matter was when that assignment started.
    assert fee_cell(html, past.pk, "earned") == "350.00"


def test_the_firms_lawyer_submits_an_invoice_and_over_invoicing_is_refused(client, lawyer, setup):
    matter, current, past = setup
    client.force_login(lawyer)
    html = section(client, matter)
    # Only their own firm's assignment; no arrangement form.
    assert f'id="fees-assignment-{current.pk}"' in html
    assert f'id="fees-assignment-{past.pk}"' not in html
    assert "arrangement-form" not in html
    url = reverse("invoice_submit", args=[matter.pk, current.pk])
    body = {"number": "F-9", "amount": "1800.01", "issued_on": "2026-06-01", "description": "一审代理费"}
    refused = client.post(url, body, **HTMX).content.decode()
    assert f"invoice-{current.pk}-amount" in invalid_fields(refused)
    assert not FeeInvoice.objects.exists()
    with override("en"):
        client.post(url, {**body, "amount": "1800.00"}, **HTMX)
    invoice = FeeInvoice.objects.get()
    assert invoice.amount == Decimal("1800.00") and invoice.submitted_by == lawyer


def test_counsel_reject_needs_a_reason_in_the_section(client, counsel, lawyer, setup):
    matter, current, _past = setup
    invoice = invoice_submit(
        user=lawyer, assignment_id=current.pk, number="F-1", amount=Decimal("500.00"), issued_on=D(2026, 6, 1)
    )
    client.force_login(counsel)
    url = reverse("invoice_decide", args=[invoice.pk])
    html = client.post(url, {"decision": "reject", "reason": "", "back": "matter"}, **HTMX).content.decode()
    assert f"decide-{invoice.pk}-reason" in invalid_fields(html)
    invoice.refresh_from_db()
    assert invoice.status == FeeInvoice.Status.SUBMITTED
    client.post(url, {"decision": "reject", "reason": "发票抬头错误", "back": "matter"}, **HTMX)
    invoice.refresh_from_db()
    assert invoice.status == FeeInvoice.Status.REJECTED and invoice.rejection_reason == "发票抬头错误"


def test_other_firms_lawyer_and_manager_permissions(client, counsel, setup):
    matter, current, _past = setup
    stranger = make_user(Role.LAWYER, firm=make_firm())
    client.force_login(stranger)
    assert client.get(reverse("fees_section", args=[matter.pk]), **HTMX).status_code == 404
    manager = make_user(Role.MANAGER)
    client.force_login(manager)
    html = section(client, matter)
    assert "arrangement-form" not in html and "invoice-new" not in html
    response = client.post(
        reverse("fee_arrangement_set", args=[matter.pk, current.pk]), {"fixed_fee": "1", "contingency_rate": "0"}
    )
    assert response.status_code == 403
    assert FeeArrangement.objects.get(assignment=current).fixed_fee == Decimal("1000.00")


def test_the_invoice_queue_puts_awaiting_first_and_counsel_act_inline(client, counsel, lawyer, setup):
    matter, current, _past = setup
    approved = invoice_submit(
        user=lawyer, assignment_id=current.pk, number="F-1", amount=Decimal("500.00"), issued_on=D(2026, 6, 1)
    )
    invoice_decide(user=counsel, invoice_id=approved.pk, approve=True)
    waiting = invoice_submit(
        user=lawyer, assignment_id=current.pk, number="F-2", amount=Decimal("300.00"), issued_on=D(2026, 6, 2)
    )
    client.force_login(counsel)
    html = client.get(reverse("invoice_list")).content.decode()
    assert html.index(f'id="invoice-{waiting.pk}"') < html.index(f'id="invoice-{approved.pk}"')
    assert f'href="{reverse("matter_detail", args=[matter.pk])}"' in html
    filtered = client.get(reverse("invoice_list"), {"status": "approved"}).content.decode()
    assert f'id="invoice-{waiting.pk}"' not in filtered and f'id="invoice-{approved.pk}"' in filtered

    response = client.post(reverse("invoice_decide", args=[waiting.pk]), {"decision": "approve", "back": "list"})
    assert response.status_code == 302 and response.url == reverse("invoice_list")
    waiting.refresh_from_db()
    assert waiting.status == FeeInvoice.Status.APPROVED

    pay = reverse("invoice_pay", args=[approved.pk])
    client.post(pay, {"amount": "600.00", "paid_on": "2026-06-10", "back": "list"})
    assert not FeePayment.objects.exists()
    client.post(pay, {"amount": "500.00", "paid_on": "2026-06-10", "reference": "网银", "back": "list"})
    approved.refresh_from_db()
    assert approved.status == FeeInvoice.Status.PAID and approved.paid_amount == Decimal("500.00")


def test_a_lawyer_sees_only_their_firms_invoices_and_cannot_decide(client, counsel, lawyer, setup):
    _matter, current, _past = setup
    mine = invoice_submit(
        user=lawyer, assignment_id=current.pk, number="F-1", amount=Decimal("500.00"), issued_on=D(2026, 6, 1)
    )
    other = make_firm()
    other_matter = make_matter(stage=Stage.INTAKE)
    matter_assign_firm(user=counsel, matter_id=other_matter.pk, firm_id=other.pk)
    other_assignment = other_matter.assignments.get()
    fee_arrangement_set(
        user=counsel,
        assignment_id=other_assignment.pk,
        fixed_fee=Decimal("100.00"),
        stage_fees={},
        contingency_rate=Decimal("0"),
    )
    theirs = invoice_submit(
        user=make_user(Role.LAWYER, firm=other),
        assignment_id=other_assignment.pk,
        number="X-1",
        amount=Decimal("100.00"),
        issued_on=D(2026, 6, 1),
    )
    client.force_login(lawyer)
    html = client.get(reverse("invoice_list")).content.decode()
    assert f'id="invoice-{mine.pk}"' in html and f'id="invoice-{theirs.pk}"' not in html
    assert reverse("invoice_decide", args=[mine.pk]) not in html
    assert client.post(reverse("invoice_decide", args=[mine.pk]), {"decision": "approve"}).status_code == 403
    assert client.post(reverse("invoice_decide", args=[theirs.pk]), {"decision": "approve"}).status_code == 404
    mine.refresh_from_db()
    assert mine.status == FeeInvoice.Status.SUBMITTED


def test_a_lawyer_invoices_an_ended_assignment_from_the_queue(client, counsel, lawyer, setup):
    matter, current, past = setup
    matter_unassign_firm(user=counsel, matter_id=matter.pk)
    client.force_login(lawyer)
    # The matter is no longer theirs to see, but their firm's assignment is still theirs to invoice.
    assert client.get(reverse("fees_section", args=[matter.pk]), **HTMX).status_code == 404
    offered = assignments_offered(client.get(reverse("invoice_list")).content.decode())
    assert current.pk in offered
    assert past.pk not in offered  # another firm's
    url = reverse("firm_invoice_submit")
    body = {"assignment": current.pk, "number": "E-1", "amount": "1800.01", "issued_on": "2026-06-01"}
    client.post(url, body)
    assert not FeeInvoice.objects.exists()
    client.post(url, {**body, "assignment": past.pk, "amount": "1.00"})
    assert not FeeInvoice.objects.exists()
    response = client.post(url, {**body, "amount": "1800.00"})
    assert response.status_code == 302
    invoice = FeeInvoice.objects.get()
    assert invoice.assignment == current and invoice.amount == Decimal("1800.00")
    # Nothing left: the form says so instead of offering the assignment.
    assert assignments_offered(client.get(reverse("invoice_list")).content.decode()) == []
    client.force_login(counsel)
    assert client.post(url, body).status_code == 403
