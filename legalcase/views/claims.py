"""The matter page's section "Enforcement application amounts" (申请执行金额).

What an application for enforcement filed on a date would claim, each line with what it
rests on and the missing items listed, from ``legalcase.services.claims`` (the same
function the filing context uses). Every role that can see the matter sees it; the
迟延履行 interest is explained by the periods it was computed in. Counsel may include the
acceptance fee in its base for the matter, with a reason (LEGAL_RULES B.6).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from legalcase.access import access_matter, can
from legalcase.services.claims import (
    MISSING_ACCEPTANCE_FEE,
    MISSING_INTEREST,
    MISSING_PERFORMANCE_END,
    MISSING_PRINCIPAL,
    MISSING_RULING,
    enforcement_application_amounts,
    matter_delay_base_set,
)
from legalcase.views.sections import section_form_post

MISSING_LABELS = {
    MISSING_RULING: _("No confirmed ruling: confirm the judgment (or other instrument) in the rulings section."),
    MISSING_PRINCIPAL: _("The principal awarded was not read from the ruling."),
    MISSING_INTEREST: _("The interest awarded was not read from the ruling (enter 0.00 if none was awarded)."),
    MISSING_ACCEPTANCE_FEE: _("The acceptance fee the debtor bears is neither on the ruling nor recorded as a cost."),
    MISSING_PERFORMANCE_END: _("No performance period end date: the ruling's service date or performance days are missing."),
}


class AmountsDateForm(forms.Form):
    on = forms.DateField(
        label=_("Application date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class DelayBaseForm(forms.Form):
    # The choice the button makes: the opposite of the matter's current one.
    includes_fee = forms.BooleanField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Quote the judgment's order on the fee: include it only when the debtor is ordered to pay it straight to the creditor."),
    )


@login_required
@require_GET
def claims_section(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id)
    return claims_section_response(request, matter)


def claims_section_response(
    request: HttpRequest, matter, *, base_form: DelayBaseForm | None = None, notice: str = ""
) -> HttpResponse:
    form = AmountsDateForm(request.GET or None, auto_id="claims-%s")
    on = timezone.localdate()
    if form.is_valid() and form.cleaned_data["on"]:
        on = form.cleaned_data["on"]
    amounts = enforcement_application_amounts(matter, on=on)
    if base_form is None and can(request.user, "set_delay_base"):
        base_form = DelayBaseForm(initial={"includes_fee": not matter.delay_base_includes_fee}, auto_id="claims-base-%s")
    return render(
        request,
        "legalcase/claims_section.html",
        {
            "matter": matter,
            "form": form,
            "on": on,
            "amounts": amounts,
            "delay_daily_rate_permyriad": amounts["delay_daily_rate"] * 10000,
            "missing": [MISSING_LABELS[key] for key in amounts["missing"]],
            "base_form": base_form,
            "base_failed": base_form is not None and base_form.is_bound,
            "notice": notice,
        },
    )


@login_required
@require_POST
def delay_base_set_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="set_delay_base")
    form = DelayBaseForm(request.POST, auto_id="claims-base-%s")

    def act(data):
        matter_delay_base_set(
            user=request.user, matter_id=matter.pk, includes_fee=data["includes_fee"], reason=data["reason"]
        )

    def section(ok: bool, notice: str) -> HttpResponse:
        matter.refresh_from_db(fields=["delay_base_includes_fee"])
        return claims_section_response(request, matter, base_form=None if ok else form, notice=notice)

    return section_form_post(
        request, matter, form, act, done=gettext("The base of the interest for delayed performance was changed."), section=section
    )
