"""The matter page's settlement section (和解) and the settlement watch page.

An HTMX partial like the recoveries section: every view reaches the matter through
``access_matter`` (404 for a matter the user may not see, 403 for a role that may not
write) and calls the same services as the API, so a service's error is shown next to
its field and nothing is stored. The watch page lists the matters flagged for resumed
enforcement and the settlements with an instalment overdue, among the matters the user
may see.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from legalcase.access import access_matter, can, visible_matters
from legalcase.forms import MoneyField
from legalcase.models import (
    DEFAULT_GRACE_DAYS,
    Instalment,
    Matter,
    Settlement,
    Stage,
)
from legalcase.money import amount_digits
from legalcase.services.settlements import (
    MAX_GRACE_DAYS,
    MAX_INSTALMENTS,
    SettlementConflict,
    settlement_cancel,
    settlement_record,
)
from legalcase.settlements import days_late
from legalcase.stages import stage_proposal
from legalcase.views.sections import (
    add_service_errors,
    date_input,
    section_answer,
    section_form_post,
)

AGREEMENT_TEMPLATE = "settlement_agreement"


# --- Forms: they parse; the services decide -----------------------------------------


# One instalment a line: "2026-03-31 25000.00", "2026-03-31，25,000.00".
INSTALMENT_LINE = re.compile(r"(?P<due_on>\S+?)[\s,，]+(?P<amount>\S+)")


class SettlementForm(forms.Form):
    EQUAL, ROWS = "equal", "rows"

    agreed_on = forms.DateField(label=gettext_lazy("Agreed on"), widget=date_input())
    reduction = MoneyField(
        label=gettext_lazy("Reduction granted"),
        min_value=Decimal("0.00"),
        initial=Decimal("0.00"),
        help_text=gettext_lazy("Waived on condition that every instalment is paid; less than what is outstanding."),
    )
    schedule = forms.ChoiceField(
        label=gettext_lazy("Instalment schedule"),
        choices=[(EQUAL, gettext_lazy("Equal monthly instalments")), (ROWS, gettext_lazy("Instalments typed below"))],
        initial=EQUAL,
        widget=forms.RadioSelect,
    )
    count = forms.IntegerField(
        label=gettext_lazy("Number of instalments"), required=False, min_value=1, max_value=MAX_INSTALMENTS
    )
    first_due_on = forms.DateField(label=gettext_lazy("First instalment due on"), required=False, widget=date_input())
    rows = forms.CharField(
        label=gettext_lazy("Instalments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "2026-03-31 25000.00\n2026-04-30 25000.00"}),
        help_text=gettext_lazy("One per line: the due date and the amount."),
    )
    grace_days = forms.IntegerField(
        label=gettext_lazy("Grace period (days)"),
        min_value=0,
        max_value=MAX_GRACE_DAYS,
        initial=DEFAULT_GRACE_DAYS,
        help_text=gettext_lazy("An instalment unpaid this many days after its due date is missed."),
    )
    monthly_income = MoneyField(label=gettext_lazy("Monthly income"), required=False, min_value=Decimal("0.00"))
    assets_assessed = forms.CharField(
        label=gettext_lazy("Assets assessed"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    hardship = forms.CharField(
        label=gettext_lazy("Hardship notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    allocation = forms.ChoiceField(
        label=gettext_lazy("Payments are applied to"),
        choices=Settlement.Allocation.choices,
        required=False,
        initial=Settlement.Allocation.STATUTORY,
        help_text=gettext_lazy("As the agreement says; without a clause, costs, then interest, then principal."),
    )
    lodged_with_court = forms.BooleanField(
        label=gettext_lazy("Enforcement settlement lodged with the court (执行和解)"),
        required=False,
        help_text=gettext_lazy("After a breach, the 2 years to resume enforcement run from the last instalment."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)

    def clean_rows(self) -> list[dict]:
        rows = []
        for number, line in enumerate(self.cleaned_data["rows"].splitlines(), start=1):
            if not line.strip():
                continue
            # The date, then the amount as people type it ("25,000.00" too); a comma may part them.
            parts = INSTALMENT_LINE.fullmatch(line.strip())
            try:
                if parts is None:
                    raise ValueError
                due_on, amount = dt.date.fromisoformat(parts["due_on"]), Decimal(amount_digits(parts["amount"]))
                if not amount.is_finite():
                    raise ValueError
            except (ValueError, InvalidOperation, ValidationError):
                raise forms.ValidationError(
                    _("Line %(number)s: write the due date (YYYY-MM-DD) and the amount.") % {"number": number}
                ) from None
            rows.append({"due_on": due_on, "amount": amount})
        return rows

    def service_arguments(self) -> dict:
        """The cleaned data as ``settlement_record`` takes it: one way of giving the schedule."""
        data = dict(self.cleaned_data)
        data["allocation"] = data.get("allocation") or Settlement.Allocation.STATUTORY
        schedule, rows = data.pop("schedule"), data.pop("rows")
        if schedule == self.ROWS:
            data.update(instalments=rows, count=None, first_due_on=None)
        else:
            data["instalments"] = None
            if data["count"] is None:
                self.add_error("count", _("Give the number of instalments."))
            if data["first_due_on"] is None:
                self.add_error("first_due_on", _("Give the first instalment's due date."))
        return data

    def at_schedule_fields(self, exc: ValidationError) -> ValidationError:
        """The service's error about the ``instalments`` shown at the field that gave them."""
        if not hasattr(exc, "error_dict") or "instalments" not in exc.error_dict:
            return exc
        errors = dict(exc.error_dict)
        field = "rows" if self.cleaned_data.get("schedule") == self.ROWS else "first_due_on"
        errors[field] = errors.pop("instalments")
        return ValidationError(errors)


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


# --- The section ----------------------------------------------------------------------


def _with_instalments(settlements):
    return settlements.select_related("created_by").prefetch_related(
        Prefetch("instalments", queryset=Instalment.objects.order_by("sequence"))
    )


def settlements_section_response(
    request: HttpRequest,
    matter: Matter,
    *,
    record_form: SettlementForm | None = None,
    failed_cancel: tuple[int, CancelForm] | None = None,
    notice: str = "",
) -> HttpResponse:
    """The section; a bound form given here failed and is shown open with its errors."""
    matter.refresh_from_db()
    today = timezone.localdate()
    may_write = can(request.user, "write_settlements")
    settlements = list(_with_instalments(matter.settlements.all()))
    for settlement in settlements:
        settlement.rows = list(settlement.instalments.all())
        for instalment in settlement.rows:
            instalment.days = days_late(due_on=instalment.due_on, paid_on=instalment.paid_on, today=today)
        settlement.paid_total = sum((i.paid_amount for i in settlement.rows), Decimal("0.00"))
        settlement.cancel_form = None
        if may_write and settlement.status != Settlement.Status.CANCELLED:
            if failed_cancel and failed_cancel[0] == settlement.pk:
                settlement.cancel_form, settlement.cancel_open = failed_cancel[1], True
            else:
                settlement.cancel_form = CancelForm(auto_id=f"settlement-cancel-{settlement.pk}-%s")
    active = next((s for s in settlements if s.status == Settlement.Status.ACTIVE), None)
    latest = next((s for s in settlements if s.status != Settlement.Status.CANCELLED), None)
    proposed = None
    if can(request.user, "move_stage") and latest is not None:
        proposed = stage_proposal(matter, settlement=latest)
    errors = []
    if failed_cancel and not any(getattr(s, "cancel_open", False) for s in settlements):
        errors = failed_cancel[1].non_field_errors()
    context = {
        "matter": matter,
        "settlements": settlements,
        "active": active,
        "may_write": may_write,
        "record_form": (record_form or SettlementForm(auto_id="settlement-new-%s"))
        if may_write and not active
        else None,
        "record_failed": record_form is not None,
        "may_generate": latest is not None and can(request.user, "write_filings"),
        "agreement_template": AGREEMENT_TEMPLATE,
        "outstanding_total": matter.outstanding["total"],
        "proposed_stage": proposed,
        "proposed_label": Stage(proposed).label if proposed else "",
        "notice": notice,
        "errors": errors,
    }
    return render(request, "legalcase/settlements_section.html", context)


@login_required
@require_GET
def settlements_section(request: HttpRequest, matter_id: int) -> HttpResponse:
    return settlements_section_response(request, access_matter(request.user, matter_id))


@login_required
@require_POST
def settlement_record_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_settlements")
    form = SettlementForm(request.POST, auto_id="settlement-new-%s")
    ok = False
    if form.is_valid():
        arguments = form.service_arguments()
        if form.is_valid():  # the schedule's own fields may have failed
            try:
                settlement_record(user=request.user, matter_id=matter.pk, **arguments)
            except ValidationError as exc:
                add_service_errors(form, form.at_schedule_fields(exc))
            except SettlementConflict as exc:
                form.add_error(None, str(exc))
            else:
                ok = True
    notice = _("Settlement recorded.") if ok else ""
    return section_answer(
        request,
        matter,
        ok=ok,
        form=form,
        notice=notice,
        section=lambda: settlements_section_response(request, matter, record_form=None if ok else form, notice=notice),
    )


@login_required
@require_POST
def settlement_cancel_view(request: HttpRequest, matter_id: int, settlement_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_settlements")
    settlement = get_object_or_404(matter.settlements, pk=settlement_id)
    form = CancelForm(request.POST, auto_id=f"settlement-cancel-{settlement.pk}-%s")
    return section_form_post(
        request,
        matter,
        form,
        lambda data: settlement_cancel(user=request.user, settlement_id=settlement.pk, reason=data["reason"]),
        done=_("Settlement cancelled."),
        section=lambda ok, notice: settlements_section_response(
            request, matter, failed_cancel=None if ok else (settlement.pk, form), notice=notice
        ),
        conflicts=(SettlementConflict,),
    )


# --- The watch page ---------------------------------------------------------------------


@login_required
@require_GET
def settlement_watch(request: HttpRequest) -> HttpResponse:
    """Matters flagged for resumed enforcement, and settlements being performed with an instalment overdue."""
    today = timezone.localdate()
    matters = visible_matters(request.user)
    flagged = list(
        matters.filter(resumption_flagged_on__isnull=False)
        .select_related("debt")
        .prefetch_related(
            Prefetch(
                "settlements",
                queryset=Settlement.objects.filter(status=Settlement.Status.BREACHED),
                to_attr="breached",
            )
        )
        .order_by("resumption_flagged_on", "id")
    )
    for matter in flagged:
        matter.settlement = matter.breached[0] if matter.breached else None
    # Stored LATE, or still PENDING past its due date until the daily job has run.
    overdue = Q(status=Instalment.Status.LATE) | Q(status=Instalment.Status.PENDING, due_on__lt=today)
    late = list(
        Instalment.objects.filter(
            overdue,
            settlement__status=Settlement.Status.ACTIVE,
            settlement__matter__in=matters,
        )
        .select_related("settlement__matter")
        .order_by("due_on", "settlement_id", "sequence")
    )
    for instalment in late:
        instalment.days = days_late(due_on=instalment.due_on, paid_on=None, today=today)
        instalment.unpaid = instalment.amount - instalment.paid_amount
    context = {"nav": "settlements", "today": today, "flagged": flagged, "late": late}
    return render(request, "legalcase/settlements_watch.html", context)
