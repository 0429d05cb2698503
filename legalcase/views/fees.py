"""Outside-firm fees on the matter page (an HTMX section) and the invoice queue.

The section shows, per assignment (current first, then past), the fee arrangement,
what it has earned by component, and the firm's invoices with what was paid; counsel
edit the arrangement, approve or reject invoices and record payments, the firm's lawyer
submits invoices. Every view reaches the matter through ``access_matter`` and calls the
same services as the API, so a service's error is shown next to its field and nothing
is stored. A lawyer sees only their own firm's assignments and invoices.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from legalcase.access import LAWYER, access_child, access_matter, can
from legalcase.forms import MoneyField
from legalcase.models import RATE, Assignment, FeeInvoice, LawFirm, Matter, Stage
from legalcase.money import FEN
from legalcase.services.fees import (
    NUMBER_MAX,
    InvoiceConflict,
    assignments_fees,
    awaiting_first,
    fee_arrangement_set,
    invoice_decide,
    invoice_pay,
    invoice_submit,
    visible_invoices,
)
from legalcase.views.sections import (
    add_service_errors,
    date_input,
    errors_to_messages,
    form_apply,
    section_form_post,
)

INVOICE_PAGE_ROWS = 50
# The queue offers a lawyer's firm's latest assignments to invoice; older ones through the API.
FIRM_ASSIGNMENTS_OFFERED = 200


# --- Forms: they parse; the services decide -----------------------------------------


class ArrangementForm(forms.Form):
    fixed_fee = MoneyField(label=gettext_lazy("Fixed fee"), min_value=0, initial="0.00")
    contingency_rate = forms.DecimalField(
        label=gettext_lazy("Contingency rate"),
        min_value=0,
        max_value=1,
        initial="0",
        max_digits=RATE["max_digits"],
        decimal_places=RATE["decimal_places"],
        help_text=gettext_lazy("A fraction of the net recoveries received during the assignment: 0.08 for 8%."),
    )
    cap = MoneyField(
        label=gettext_lazy("Cap"),
        required=False,
        min_value=FEN,
        help_text=gettext_lazy("The most the arrangement earns in all; empty for no cap."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One optional amount per stage: the fee earned once the matter is in it during the assignment.
        for stage in Stage:
            self.fields[f"stage_{stage.value}"] = MoneyField(label=stage.label, required=False, min_value=0)

    @property
    def stage_fields(self):
        return [self[f"stage_{stage}"] for stage in Stage.values]

    @property
    def main_fields(self):
        return [self[name] for name in ("fixed_fee", "contingency_rate", "cap", "note")]

    @classmethod
    def for_arrangement(cls, arrangement, prefix: str) -> ArrangementForm:
        initial = {}
        if arrangement is not None:
            initial = {
                "fixed_fee": arrangement.fixed_fee,
                "contingency_rate": arrangement.contingency_rate.normalize(),
                "cap": arrangement.cap,
                "note": arrangement.note,
                **{f"stage_{stage}": amount for stage, amount in arrangement.stage_fees.items()},
            }
        return cls(initial=initial, auto_id=f"{prefix}-%s")

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "fixed_fee": data["fixed_fee"],
            "stage_fees": {
                stage: data[f"stage_{stage}"] for stage in Stage.values if data.get(f"stage_{stage}") is not None
            },
            "contingency_rate": data["contingency_rate"],
            "cap": data.get("cap"),
            "note": data.get("note", ""),
        }


class InvoiceForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Invoice number"), max_length=NUMBER_MAX)
    amount = MoneyField(label=gettext_lazy("Amount"), min_value=FEN)
    issued_on = forms.DateField(label=gettext_lazy("Issued on"), widget=date_input())
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FirmInvoiceForm(InvoiceForm):
    """The queue's invoice form: a lawyer picks one of their firm's assignments, current or ended."""

    assignment = forms.TypedChoiceField(label=gettext_lazy("Assignment"), coerce=int)
    field_order = ["assignment", "number", "amount", "issued_on", "description"]

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].choices = [("", "—"), *choices]


def _invoiceable_choices(user) -> list[tuple[int, str]]:
    """The user's firm's assignments with an arrangement and something left to invoice, latest first."""
    assignments = (
        Assignment.objects.filter(firm_id=user.firm_id, fee_arrangement__isnull=False)
        .select_related("matter", "firm")
        .order_by("-started_at", "-id")[:FIRM_ASSIGNMENTS_OFFERED]
    )
    choices = []
    for fees in assignments_fees(assignments, today=timezone.localdate()):
        if fees.invoiceable > 0:
            a = fees.assignment
            label = _("%(number)s, %(start)s – %(end)s, up to %(amount)s") % {
                "number": a.matter.number,
                "start": timezone.localdate(a.started_at).isoformat(),
                "end": timezone.localdate(a.ended_at).isoformat() if a.ended_at else _("now"),
                "amount": f"{fees.invoiceable:,.2f}",
            }
            choices.append((a.pk, label))
    return choices


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))])
    reason = forms.CharField(
        label=gettext_lazy("Reason for rejection"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PaymentForm(forms.Form):
    amount = MoneyField(label=gettext_lazy("Amount"), min_value=FEN)
    paid_on = forms.DateField(label=gettext_lazy("Paid on"), widget=date_input())
    reference = forms.CharField(label=gettext_lazy("Reference"), required=False, max_length=200)


# --- Shared pieces --------------------------------------------------------------------


def _invoice_forms(user, invoice: FeeInvoice, failed: tuple | None) -> None:
    """Give the invoice its decision or payment form when the user may act on it now; a failed one stays open."""
    invoice.decision_form = invoice.payment_form = None
    invoice.form_open = bool(failed and failed[0] in ("decide", "pay") and failed[1] == invoice.pk)
    if invoice.status == FeeInvoice.Status.SUBMITTED and can(user, "decide_invoices"):
        if failed and failed[0] == "decide" and failed[1] == invoice.pk:
            invoice.decision_form = failed[2]
        else:
            invoice.decision_form = DecisionForm(auto_id=f"decide-{invoice.pk}-%s")
    if invoice.status == FeeInvoice.Status.APPROVED and can(user, "pay_invoices"):
        if failed and failed[0] == "pay" and failed[1] == invoice.pk:
            invoice.payment_form = failed[2]
        else:
            invoice.payment_form = PaymentForm(
                initial={"amount": invoice.amount - invoice.paid_amount}, auto_id=f"pay-{invoice.pk}-%s"
            )


def _failed_errors(failed: tuple | None, shown: bool) -> list[str]:
    """A refused act whose form is no longer offered (decided meanwhile) shows its errors above."""
    if not failed or shown:
        return []
    return [error for errors in failed[2].errors.values() for error in errors]


# --- The section ----------------------------------------------------------------------


def fees_section_response(
    request: HttpRequest, matter: Matter, *, failed: tuple | None = None, notice: str = ""
) -> HttpResponse:
    """The section; ``failed`` is (act, object id, bound form) of a refused post, shown open with its errors."""
    user = request.user
    assignments = matter.assignments.select_related("firm", "matter")
    if user.role == LAWYER:
        assignments = assignments.filter(firm_id=user.firm_id)
    # Current first, then past, latest first.
    assignments = sorted(assignments, key=lambda a: (a.ended_at is not None, -a.started_at.timestamp(), -a.pk))
    items = assignments_fees(assignments, today=timezone.localdate())
    shown = False
    for fees in items:
        pk = fees.assignment.pk
        stage_fees = fees.arrangement.stage_fees if fees.arrangement else {}
        fees.arrangement_stages = [(s, Stage(s).label, stage_fees[s]) for s in Stage.values if s in stage_fees]
        fees.earned_stages = [(s, Stage(s).label, amount) for s, amount in fees.breakdown.staged.items()]
        fees.arrangement_form = fees.invoice_form = None
        fees.arrangement_open = fees.invoice_open = False
        if can(user, "set_fees"):
            if failed and failed[0] == "arrangement" and failed[1] == pk:
                fees.arrangement_form, fees.arrangement_open, shown = failed[2], True, True
            else:
                fees.arrangement_form = ArrangementForm.for_arrangement(fees.arrangement, f"arrangement-{pk}")
        if can(user, "submit_invoices") and (user.role != LAWYER or user.firm_id == fees.assignment.firm_id):
            if failed and failed[0] == "invoice" and failed[1] == pk:
                fees.invoice_form, fees.invoice_open, shown = failed[2], True, True
            else:
                fees.invoice_form = InvoiceForm(
                    initial={"amount": fees.invoiceable or None, "issued_on": timezone.localdate()},
                    auto_id=f"invoice-{pk}-%s",
                )
        for invoice in fees.invoices:
            _invoice_forms(user, invoice, failed)
            if (
                failed
                and failed[1] == invoice.pk
                and (invoice.decision_form is failed[2] or invoice.payment_form is failed[2])
            ):
                shown = True
    context = {
        "matter": matter,
        "items": items,
        "notice": notice,
        "errors": _failed_errors(failed, shown),
        "back": "matter",
    }
    return render(request, "legalcase/fees_section.html", context)


@login_required
@require_GET
def fees_section(request: HttpRequest, matter_id: int) -> HttpResponse:
    return fees_section_response(request, access_matter(request.user, matter_id, action="view_fees"))


@login_required
@require_POST
def fee_arrangement_set_view(request: HttpRequest, matter_id: int, assignment_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="set_fees")
    assignment = get_object_or_404(matter.assignments, pk=assignment_id)
    form = ArrangementForm(request.POST, auto_id=f"arrangement-{assignment.pk}-%s")
    return section_form_post(
        request,
        matter,
        form,
        lambda data: fee_arrangement_set(user=request.user, assignment_id=assignment.pk, **form.service_arguments()),
        done=_("Fee arrangement saved."),
        section=lambda ok, notice: fees_section_response(
            request, matter, failed=None if ok else ("arrangement", assignment.pk, form), notice=notice
        ),
    )


@login_required
@require_POST
def invoice_submit_view(request: HttpRequest, matter_id: int, assignment_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="view_fees")
    assignment = get_object_or_404(matter.assignments, pk=assignment_id)
    form = InvoiceForm(request.POST, auto_id=f"invoice-{assignment.pk}-%s")
    return section_form_post(
        request,
        matter,
        form,
        lambda data: invoice_submit(user=request.user, assignment_id=assignment.pk, **data),
        done=_("Invoice submitted for approval."),
        section=lambda ok, notice: fees_section_response(
            request, matter, failed=None if ok else ("invoice", assignment.pk, form), notice=notice
        ),
    )


# --- Deciding and paying, from the section or the queue -------------------------------


def _invoice_matter(request: HttpRequest, invoice_id: int, action: str) -> tuple[FeeInvoice, Matter]:
    invoice = access_child(request.user, FeeInvoice, invoice_id, action=action)
    return invoice, invoice.assignment.matter


def _invoice_act(request: HttpRequest, invoice: FeeInvoice, matter: Matter, form, act, *, kind: str, done: str):
    ok = form_apply(form, act, conflicts=(InvoiceConflict,))
    notice = done if ok else ""
    if request.htmx and request.POST.get("back") == "matter":
        return fees_section_response(request, matter, failed=None if ok else (kind, invoice.pk, form), notice=notice)
    if ok:
        messages.success(request, notice)
    else:
        errors_to_messages(request, form)
    if request.POST.get("back") == "matter":
        return redirect("matter_detail", matter_id=matter.pk)
    query = request.POST.get("query", "")
    return redirect(f"{_list_url()}?{query}" if query else _list_url())


def _list_url() -> str:
    return reverse("invoice_list")


@login_required
@require_POST
def invoice_decide_view(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice, matter = _invoice_matter(request, invoice_id, "decide_invoices")
    form = DecisionForm(request.POST, auto_id=f"decide-{invoice.pk}-%s")
    return _invoice_act(
        request,
        invoice,
        matter,
        form,
        lambda data: invoice_decide(
            user=request.user, invoice_id=invoice.pk, approve=data["decision"] == "approve", reason=data["reason"]
        ),
        kind="decide",
        done=_("Invoice approved.") if request.POST.get("decision") == "approve" else _("Invoice rejected."),
    )


@login_required
@require_POST
def invoice_pay_view(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice, matter = _invoice_matter(request, invoice_id, "pay_invoices")
    form = PaymentForm(request.POST, auto_id=f"pay-{invoice.pk}-%s")
    return _invoice_act(
        request,
        invoice,
        matter,
        form,
        lambda data: invoice_pay(user=request.user, invoice_id=invoice.pk, **data),
        kind="pay",
        done=_("Payment recorded."),
    )


# --- The invoice queue ----------------------------------------------------------------


@login_required
@require_GET
def invoice_list(request: HttpRequest) -> HttpResponse:
    """Invoices the user may see, awaiting approval first; counsel decide and pay inline."""
    if not can(request.user, "view_fees"):
        raise Http404("not found")
    status = request.GET.get("status", "")
    if status not in FeeInvoice.Status.values:
        status = ""
    firm = request.GET.get("firm", "")
    firm = int(firm) if firm.isascii() and firm.isdigit() else None
    invoices = visible_invoices(request.user)
    if status:
        invoices = invoices.filter(status=status)
    if firm is not None:
        invoices = invoices.filter(firm_id=firm)
    page = Paginator(awaiting_first(invoices).prefetch_related("payments"), INVOICE_PAGE_ROWS).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    for invoice in rows:
        _invoice_forms(request.user, invoice, None)
    query = urlencode({k: v for k, v in (("status", status), ("firm", firm or "")) if v})
    firms = LawFirm.objects.order_by("name")
    if request.user.role == LAWYER:
        firms = firms.filter(pk=request.user.firm_id)
    context = {
        "nav": "invoices",
        "invoices": rows,
        "panel": {"page": page, "key": "all"},
        "query": query,
        "status": status,
        "firm": firm,
        "statuses": FeeInvoice.Status.choices,
        "firms": firms,
        "back": "list",
        "invoice_form": None,
    }
    if can(request.user, "submit_invoices") and request.user.role == LAWYER:
        context["invoice_form"] = FirmInvoiceForm(
            choices=_invoiceable_choices(request.user),
            initial={"issued_on": timezone.localdate()},
            auto_id="firm-invoice-%s",
        )
    return render(request, "legalcase/invoice_list.html", context)


@login_required
@require_POST
def firm_invoice_submit_view(request: HttpRequest) -> HttpResponse:
    """A lawyer's invoice from the queue, for any of their firm's assignments (also ended ones)."""
    if not can(request.user, "submit_invoices") or request.user.role != LAWYER:
        raise PermissionDenied("your role may not submit invoices")
    form = FirmInvoiceForm(request.POST, choices=_invoiceable_choices(request.user), auto_id="firm-invoice-%s")
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            invoice_submit(user=request.user, assignment_id=data.pop("assignment"), **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Invoice submitted for approval."))
            return redirect("invoice_list")
    errors_to_messages(request, form)
    return redirect("invoice_list")
