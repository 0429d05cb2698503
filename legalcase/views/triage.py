"""The matter page's debtor review section (债务人评估): the screening checklist, the debtor's means and willingness, the recommendation.

An HTMX partial like the other sections: the view reaches the matter through
``access_matter`` and saves through ``legalcase.services.triage.review_update``, the
service the API calls, so its errors are shown next to the fields with nothing stored.
One form holds the whole review: each screening item shows what the record says
(✓, ✗ or 未知, with the reason in a sentence), a 确认 box, and a result to override
it with, which needs a reason.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from legalcase.access import access_matter, can
from legalcase.forms import MoneyField
from legalcase.models import (
    SCREENING_ITEMS,
    SCREENING_LABELS,
    AbilityToPay,
    Matter,
    Recommendation,
    User,
    Willingness,
)
from legalcase.services.triage import (
    TEXT_MAX,
    review_of,
    review_update,
    screening_answer,
    willingness_facts_computed,
)
from legalcase.views.sections import add_service_errors, section_answer

YES, NO = "yes", "no"


def _textarea(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ReviewForm(forms.Form):
    ability_to_pay = forms.ChoiceField(label=gettext_lazy("Ability to pay"), choices=AbilityToPay.choices)
    willingness = forms.ChoiceField(label=gettext_lazy("Willingness to pay"), choices=Willingness.choices)
    monthly_income = MoneyField(label=gettext_lazy("Monthly income"), required=False, min_value=0)
    employment = forms.CharField(
        label=gettext_lazy("Employment"), required=False, max_length=TEXT_MAX, widget=_textarea(),
        help_text=gettext_lazy("Employer, position, whether the income is stable."),
    )  # fmt: skip
    assets_known = forms.CharField(
        label=gettext_lazy("Assets known"), required=False, max_length=TEXT_MAX, widget=_textarea(),
        help_text=gettext_lazy("Real estate, vehicles, accounts, other debts."),
    )  # fmt: skip
    willingness_facts = forms.CharField(
        label=gettext_lazy("Facts on willingness"), required=False, max_length=TEXT_MAX, widget=_textarea()
    )
    recommendation = forms.ChoiceField(
        label=gettext_lazy("Recommendation"), required=False, choices=[("", "—"), *Recommendation.choices]
    )
    recommendation_reason = forms.CharField(
        label=gettext_lazy("Reason for the recommendation"), required=False, max_length=TEXT_MAX, widget=_textarea(3)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in SCREENING_ITEMS:
            label = SCREENING_LABELS[item]
            self.fields[f"confirm_{item}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"result_{item}"] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", _("As the record shows")), (YES, _("Yes")), (NO, _("No"))],
            )
            self.fields[f"reason_{item}"] = forms.CharField(
                label=label,
                required=False,
                max_length=TEXT_MAX,
                widget=forms.TextInput(attrs={"placeholder": _("Reason (needed to override)")}),
            )

    MAIN = (
        "ability_to_pay",
        "willingness",
        "monthly_income",
        "employment",
        "assets_known",
        "willingness_facts",
        "recommendation",
        "recommendation_reason",
    )

    def changes(self) -> dict:
        """The cleaned data as ``review_update`` takes it."""
        data = self.cleaned_data
        changes = {name: data[name] for name in self.MAIN}
        screening = {}
        for item in SCREENING_ITEMS:
            if not data[f"confirm_{item}"]:
                screening[item] = {"confirmed": False}
                continue
            change = {"confirmed": True, "reason": data[f"reason_{item}"]}
            if data[f"result_{item}"]:
                change["result"] = data[f"result_{item}"] == YES
            screening[item] = change
        changes["screening"] = screening
        return changes


def _initial(review, screening: dict) -> dict:
    initial = {
        "ability_to_pay": review.ability_to_pay,
        "willingness": review.willingness,
        "monthly_income": review.monthly_income,
        "employment": review.employment,
        "assets_known": review.assets_known,
        "willingness_facts": review.willingness_facts,
        "recommendation": review.recommendation,
        "recommendation_reason": review.recommendation_reason,
    }
    for item, state in screening.items():
        initial[f"confirm_{item}"] = state["confirmed"]
        overridden = state["confirmed"] and state["result"] != state["computed"]
        initial[f"result_{item}"] = (YES if state["result"] else NO) if overridden else ""
        initial[f"reason_{item}"] = state["reason"]
    return initial


def review_section_response(
    request: HttpRequest, matter: Matter, *, form: ReviewForm | None = None, notice: str = ""
) -> HttpResponse:
    """The section; a bound form given here failed and is shown with its errors."""
    matter.refresh_from_db()
    review = review_of(matter)
    today = timezone.localdate()
    screening = screening_answer(matter, review, today)
    may_write = can(request.user, "write_reviews")
    if form is None:
        form = ReviewForm(initial=_initial(review, screening), auto_id="review-%s")
    names = {
        user.username: user.display_name
        for user in User.objects.filter(username__in=[s["confirmed_by"] for s in screening.values() if s["confirmed_by"]])
    }
    rows = [
        {
            "item": item,
            "confirmed_by_name": names.get(state["confirmed_by"], state["confirmed_by"]),
            "label": SCREENING_LABELS[item],
            **state,
            "confirm": form[f"confirm_{item}"],
            "result_field": form[f"result_{item}"],
            "reason_field": form[f"reason_{item}"],
        }
        for item, state in screening.items()
    ]
    screening_errors = form.errors.get("screening", []) if form.is_bound else []
    context = {
        "matter": matter,
        "review": review,
        "rows": rows,
        "passed": sum(1 for row in rows if row["result"] is True),
        "willingness_computed": willingness_facts_computed(matter),
        "form": form,
        "main_fields": [form[name] for name in ReviewForm.MAIN],
        "means_fields": [form[name] for name in ReviewForm.MAIN[:6]],
        "screening_errors": screening_errors,
        "non_field_errors": form.non_field_errors(),
        "may_write": may_write,
        "notice": notice,
    }
    return render(request, "legalcase/review_section.html", context)


@login_required
@require_GET
def review_section(request: HttpRequest, matter_id: int) -> HttpResponse:
    return review_section_response(request, access_matter(request.user, matter_id))


@login_required
@require_POST
def review_save(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_reviews")
    form = ReviewForm(request.POST, auto_id="review-%s")
    ok = False
    if form.is_valid():
        try:
            review_update(user=request.user, matter_id=matter.pk, changes=form.changes())
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {}
            screening = errors.pop("screening", [])
            if screening:  # shown above the checklist, one line an item
                form.errors["screening"] = form.error_class(screening)
            if errors or not hasattr(exc, "error_dict"):
                add_service_errors(form, ValidationError(errors) if errors else exc)
        else:
            ok = True
    notice = _("Debtor review saved.") if ok else ""
    return section_answer(
        request,
        matter,
        ok=ok,
        form=form,
        notice=notice,
        section=lambda: review_section_response(request, matter, form=None if ok else form, notice=notice),
    )
