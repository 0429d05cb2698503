"""The matter page's retention section: when the personal data becomes due, and the legal hold (B.9)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from legalcase.access import access_matter, can
from legalcase.services.retention import matter_legal_hold_lift, matter_legal_hold_set
from legalcase.views.sections import section_form_post


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The litigation, arbitration, enforcement, complaint, inquiry or preservation request pending or expected."),
    )


class LiftForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


@login_required
@require_GET
def retention_section(request: HttpRequest, matter_id: int) -> HttpResponse:
    return retention_section_response(request, access_matter(request.user, matter_id))


def retention_section_response(request: HttpRequest, matter, *, form: forms.Form | None = None, notice: str = "") -> HttpResponse:
    start = matter.retention_clock_from
    due_on = None
    if start is not None and not (matter.legal_hold is not None) and matter.anonymised_at is None:
        due_on = start + dt.timedelta(days=settings.RETENTION_DAYS)
    may_hold = can(request.user, "set_legal_hold") and matter.anonymised_at is None
    if form is None and may_hold:
        form = LiftForm(auto_id="hold-%s") if (matter.legal_hold is not None) else LegalHoldForm(auto_id="hold-%s")
    return render(
        request,
        "legalcase/retention_section.html",
        {
            "matter": matter,
            "due_on": due_on,
            "retention_days": settings.RETENTION_DAYS,
            "form": form if may_hold else None,
            "failed": form is not None and form.is_bound,
            "notice": notice,
        },
    )


@login_required
@require_POST
def legal_hold_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="set_legal_hold")
    lifting = (matter.legal_hold is not None)
    form = (LiftForm if lifting else LegalHoldForm)(request.POST, auto_id="hold-%s")

    def act(data):
        if lifting:
            matter_legal_hold_lift(user=request.user, matter_id=matter.pk, reason=data["reason"])
        else:
            matter_legal_hold_set(user=request.user, matter_id=matter.pk, reason=data["reason"])

    def section(ok: bool, notice: str) -> HttpResponse:
        fresh = access_matter(request.user, matter.pk)
        return retention_section_response(request, fresh, form=None if ok else form, notice=notice)

    done = gettext("The legal hold was lifted.") if lifting else gettext("The matter is under a legal hold.")
    return section_form_post(request, matter, form, act, done=done, section=section)
