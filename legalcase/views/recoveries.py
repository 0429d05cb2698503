"""The matter page's recoveries and costs section (回款与费用).

An HTMX partial like the proceedings section: every view reaches the matter through
``access_matter`` (404 for a matter the user may not see, 403 for a role that may not
write) and calls the same service as the API, so a service's error is shown next to
its field and nothing is stored. The recovery form carries an idempotency key made
when the form is drawn, so a form sent twice (a double click, a resubmit) records once.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from legalcase.access import access_matter, can
from legalcase.forms import MoneyField
from legalcase.models import Cost, Matter, Recovery, RecoverySource, Stage
from legalcase.money import FEN
from legalcase.services.recoveries import (
    IDEMPOTENCY_KEY_MAX,
    RecoveryConflict,
    cost_record,
    recovery_body_digest,
    recovery_record,
    recovery_reverse,
)
from legalcase.stages import stage_proposal
from legalcase.views.matters import OUTSTANDING_LABELS
from legalcase.views.sections import (
    add_service_errors,
    date_input,
    section_answer,
    section_form_post,
)

POSITIVE_MONEY = {"min_value": FEN}


# --- Forms: they parse; the services decide -----------------------------------------


class RecoveryForm(forms.Form):
    amount = MoneyField(label=gettext_lazy("Amount"), **POSITIVE_MONEY)
    received_on = forms.DateField(label=gettext_lazy("Received on"), widget=date_input())
    source = forms.ChoiceField(label=gettext_lazy("Received through"), choices=[("", "—"), *RecoverySource.choices])
    reference = forms.CharField(
        label=gettext_lazy("Reference"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("The court's payment notice, a bank slip number …"),
    )
    # Made when the form is drawn and sent back with it: the same form sent twice is one recovery.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=IDEMPOTENCY_KEY_MAX)

    @classmethod
    def fresh(cls) -> RecoveryForm:
        return cls(initial={"idempotency_key": uuid.uuid4().hex}, auto_id="recovery-new-%s")


class ReversalForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CostForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[("", "—"), *Cost.Kind.choices])
    amount = MoneyField(
        label=gettext_lazy("Amount"),
        help_text=gettext_lazy("The figure on the court's notice or the invoice; it wins over the computed one."),
        **POSITIVE_MONEY,
    )
    incurred_on = forms.DateField(label=gettext_lazy("Incurred on"), widget=date_input())
    recoverable = forms.BooleanField(
        label=gettext_lazy("Recoverable from the debtor"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Untick when the creditor bears it."),
    )
    notice_received_on = forms.DateField(
        label=gettext_lazy("Fee notice received on"),
        required=False,
        widget=date_input(),
        help_text=gettext_lazy("A court fee: the payment deadline runs from this day."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)


# --- The section ----------------------------------------------------------------------


def recoveries_section_response(
    request: HttpRequest,
    matter: Matter,
    *,
    recovery_form: RecoveryForm | None = None,
    cost_form: CostForm | None = None,
    failed_reversal: tuple[int, ReversalForm] | None = None,
    notice: str = "",
) -> HttpResponse:
    """The section; a bound form given here failed and is shown open with its errors."""
    matter.refresh_from_db()
    may_write = can(request.user, "write_recoveries")
    recoveries = list(matter.recoveries.select_related("reversal", "created_by").order_by("received_on", "id"))
    for recovery in recoveries:
        recovery.reversed_by = getattr(recovery, "reversal", None)
        recovery.reverse_form = None
        if may_write and recovery.reverses_id is None and recovery.reversed_by is None:
            if failed_reversal and failed_reversal[0] == recovery.pk:
                recovery.reverse_form, recovery.reverse_open = failed_reversal[1], True
            else:
                recovery.reverse_form = ReversalForm(auto_id=f"reverse-{recovery.pk}-%s")
    # A reversal refused for a row that no longer offers the form (reversed meanwhile) shows above.
    errors = []
    if failed_reversal and not any(getattr(r, "reverse_open", False) for r in recoveries):
        errors = failed_reversal[1].non_field_errors()
    outstanding = matter.outstanding
    proposed = stage_proposal(matter, recovered=True) if can(request.user, "move_stage") else None
    context = {
        "matter": matter,
        "outstanding_rows": [
            (OUTSTANDING_LABELS[head], outstanding[head]) for head in ("costs", "interest", "principal")
        ],
        "outstanding_total": outstanding["total"],
        "recoveries": recoveries,
        "costs": list(matter.costs.select_related("created_by").order_by("incurred_on", "id")),
        "may_write": may_write,
        "recovery_form": (recovery_form or RecoveryForm.fresh()) if may_write else None,
        "recovery_failed": recovery_form is not None,
        "cost_form": (cost_form or CostForm(auto_id="cost-new-%s")) if may_write else None,
        "cost_failed": cost_form is not None,
        "proposed_stage": proposed,
        "proposed_label": Stage(proposed).label if proposed else "",
        "notice": notice,
        "errors": errors,
    }
    return render(request, "legalcase/recoveries_section.html", context)


@login_required
@require_GET
def recoveries_section(request: HttpRequest, matter_id: int) -> HttpResponse:
    return recoveries_section_response(request, access_matter(request.user, matter_id))


@login_required
@require_POST
def recovery_record_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_recoveries")
    form = RecoveryForm(request.POST, auto_id="recovery-new-%s")
    ok, notice = False, ""
    if form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop("idempotency_key")
        try:
            _recovery, created = recovery_record(
                user=request.user,
                matter_id=matter.pk,
                idempotency_key=key,
                body_digest=recovery_body_digest(**data),
                **data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except RecoveryConflict:
            form.add_error(
                None, _("This form was already used for a different recovery: reload the section and enter it again.")
            )
        else:
            ok = True
            notice = (
                _("Recovery recorded.") if created else _("This recovery was already recorded; nothing new was stored.")
            )
    return section_answer(
        request,
        matter,
        ok=ok,
        form=form,
        notice=notice,
        section=lambda: recoveries_section_response(request, matter, recovery_form=None if ok else form, notice=notice),
    )


@login_required
@require_POST
def recovery_reverse_view(request: HttpRequest, matter_id: int, recovery_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_recoveries")
    recovery: Recovery = get_object_or_404(matter.recoveries, pk=recovery_id)
    form = ReversalForm(request.POST, auto_id=f"reverse-{recovery.pk}-%s")
    return section_form_post(
        request,
        matter,
        form,
        lambda data: recovery_reverse(user=request.user, recovery_id=recovery.pk, reason=data["reason"]),
        done=_("Recovery reversed by a counter-entry."),
        section=lambda ok, notice: recoveries_section_response(
            request, matter, failed_reversal=None if ok else (recovery.pk, form), notice=notice
        ),
    )


@login_required
@require_POST
def cost_record_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_recoveries")
    form = CostForm(request.POST, auto_id="cost-new-%s")
    return section_form_post(
        request,
        matter,
        form,
        lambda data: cost_record(user=request.user, matter_id=matter.pk, **data),
        done=_("Cost recorded."),
        section=lambda ok, notice: recoveries_section_response(
            request, matter, cost_form=None if ok else form, notice=notice
        ),
    )
