"""The calculators page (计算器): interest (API.md "Interest calculator") and court fees, with the LPR table.

Open to every signed-in user, like the API. A GET form: the figures are in the address,
so a computation can be bookmarked or sent to a colleague. The form parses; the same
service as the API (``interest_computed``) decides and names the field it refuses.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from legalcase.access import can
from legalcase.calculators import DELAY_DAILY_RATE, court_fees
from legalcase.forms import MoneyField
from legalcase.models import LprRate
from legalcase.services.interest import interest_computed
from legalcase.views.sections import add_service_errors, date_input

HUNDRED = Decimal(100)
# The API's names for the dates; "from" cannot be a Python name.
FORM_NAMES = {"start": "from", "end": "to"}


class InterestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("simple", _("Contract rate or LPR")), ("delay", _("Interest for delayed performance (迟延履行)"))],
        initial="simple",
    )
    principal = MoneyField(label=_("Principal (CNY)"))
    start = forms.DateField(
        label=_("Start date"), widget=date_input(), help_text=_("Not counted; for 迟延履行 interest, the first day of delay, counted.")
    )
    end = forms.DateField(label=_("End date"), widget=date_input(), help_text=_("Counted."))
    rate_basis = forms.ChoiceField(
        label=_("Rate basis"),
        required=False,
        choices=[("", _("Contract rate")), ("lpr_1y", _("1-year LPR")), ("lpr_5y", _("5-year+ LPR"))],
    )
    rate = forms.DecimalField(
        label=_("Annual rate (%)"),
        required=False,
        max_digits=7,
        decimal_places=4,
        min_value=Decimal("0.0001"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("With the contract rate: 4.35 means 4.35 per cent a year."),
    )
    multiplier = forms.DecimalField(
        label=_("Times the LPR"),
        required=False,
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("Default 1; 1.5 means one and a half times the LPR."),
    )
    lpr_on = forms.DateField(
        label=_("One LPR, as of"),
        required=False,
        widget=date_input(),
        help_text=_("Empty: each day's LPR, split where it changed."),
    )
    day_count = forms.TypedChoiceField(
        label=_("Days in a year"), choices=[(360, "360"), (365, "365")], coerce=int, initial=360
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {FORM_NAMES.get(name, name): field for name, field in self.fields.items()}

    def arguments(self) -> dict:
        """The service's keywords; 迟延履行 interest takes no rate, LPR or day count, so those are left out."""
        data = self.cleaned_data
        arguments = {"kind": data["kind"], "principal": data["principal"], "start": data["from"], "end": data["to"]}
        if data["kind"] == "simple":
            basis = data["rate_basis"] or None
            arguments.update(
                rate=None if basis or data["rate"] is None else data["rate"] / HUNDRED,
                rate_basis=basis,
                multiplier=data["multiplier"] if basis else None,
                lpr_on=data["lpr_on"] if basis else None,
                day_count=data["day_count"],
            )
        return arguments


class CourtFeesForm(forms.Form):
    amount = MoneyField(label=_("Claim amount (CNY)"), min_value=Decimal("0.01"))




@login_required
@require_GET
def calculators(request: HttpRequest) -> HttpResponse:
    interest_form = InterestForm(request.GET if "principal" in request.GET else None, auto_id="interest-%s")
    result = None
    if interest_form.is_bound and interest_form.is_valid():
        try:
            result = interest_computed(**interest_form.arguments())
        except ValidationError as exc:
            add_service_errors(interest_form, exc)
    fees_form = CourtFeesForm(request.GET if "amount" in request.GET else None, auto_id="fees-%s")
    fees = court_fees(fees_form.cleaned_data["amount"]) if fees_form.is_bound and fees_form.is_valid() else None
    context = {
        "nav": "calculators",
        "interest_form": interest_form,
        "result": result,
        "percent": HUNDRED,
        "delay_permyriad": DELAY_DAILY_RATE * 10000,
        "fees_form": fees_form,
        "fees": fees,
        "lpr_rows": LprRate.objects.order_by("-effective_from")[:12],
        "lpr_count": LprRate.objects.count(),
        "can_edit_lpr": can(request.user, "write_lpr"),
    }
    return render(request, "legalcase/calculators.html", context)
