"""The matter page's section "Enforcement application amounts" (申请执行金额).

What an application for enforcement filed on a date would claim, each line with what it
rests on and the missing items listed, from ``legalcase.services.claims`` (the same
function the filing context uses). Read-only: every role that can see the matter sees it.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from legalcase.access import access_matter
from legalcase.services.claims import (
    MISSING_ACCEPTANCE_FEE,
    MISSING_INTEREST,
    MISSING_PERFORMANCE_END,
    MISSING_PRINCIPAL,
    MISSING_RULING,
    enforcement_application_amounts,
)

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


@login_required
@require_GET
def claims_section(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id)
    form = AmountsDateForm(request.GET or None, auto_id="claims-%s")
    on = timezone.localdate()
    if form.is_valid() and form.cleaned_data["on"]:
        on = form.cleaned_data["on"]
    amounts = enforcement_application_amounts(matter, on=on)
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
        },
    )
