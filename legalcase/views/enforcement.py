"""The matter page's enforcement section (执行), the lapsing-measures page and the 终本 watch list.

The section is an HTMX partial like the proceedings section: every view reaches the
matter through ``access_matter`` (404 for a matter the user may not see, 403 for a role
that may not write) and calls the same service as the API, so an error the service
raises is shown next to its field and nothing is stored. The two lists read only the
matters the user may see.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from legalcase.access import access_matter, can
from legalcase.forms import MoneyField
from legalcase.models import LAPSING_KINDS, Asset, EnforcementAction, Matter
from legalcase.services.enforcement import (
    ENDING_KINDS,
    RANKED_KINDS,
    SETTABLE_STATUSES,
    EnforcementConflict,
    asset_record,
    enforcement_action_record,
    enforcement_action_renew,
    enforcement_action_set_status,
    lapsing_actions,
    terminated_matters,
)
from legalcase.views.matters import MATTER_SECTIONS
from legalcase.views.proceedings import MONEY_OR_ZERO, matter_parties
from legalcase.views.sections import date_input, section_form_post

Kind = EnforcementAction.Kind

# Which kinds each kind-dependent field of the action form belongs to (the page hides the rest).
ASSET_KINDS = frozenset({*LAPSING_KINDS, Kind.DEDUCT, Kind.AUCTION, Kind.SALE})
FIELD_KINDS = {
    "asset": ASSET_KINDS,
    "expires_on": frozenset(LAPSING_KINDS),
    "rank": RANKED_KINDS,
    "amount": ASSET_KINDS,
    "listing_ground": frozenset({Kind.DISHONEST_LISTING}),
    "ends_on": ENDING_KINDS,
}
LAPSING_PANELS = [
    ("past", gettext_lazy("Past expiry, still marked in force"), None, -1),
    ("30", gettext_lazy("Lapsing within 30 days"), 0, 30),
    ("60", gettext_lazy("Lapsing in 31 to 60 days"), 31, 60),
    ("90", gettext_lazy("Lapsing in 61 to 90 days"), 61, 90),
]
LAPSING_DAYS = 90
# A bank's book has thousands of freezes: each panel shows its first rows, and "see all"
# pages through one panel.
LAPSING_PANEL_ROWS = 50
LAPSING_PAGE_ROWS = 100


def _kinds_attr(name: str) -> dict[str, str]:
    return {"data-kinds": " ".join(sorted(FIELD_KINDS[name]))}


# --- Forms: they parse; the services decide -----------------------------------------


class AssetForm(forms.Form):
    owner = forms.ChoiceField(label=gettext_lazy("Belongs to"))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[("", "—"), *Asset.Kind.choices])
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": "招商银行 尾号1234"}),
    )
    identifier = forms.CharField(
        label=gettext_lazy("Account, certificate or plate number"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Kept for court filings; shown masked."),
    )
    estimated_value = MoneyField(label=gettext_lazy("Estimated value"), required=False, **MONEY_OR_ZERO)
    source = forms.ChoiceField(label=gettext_lazy("Lead from"), choices=[("", "—"), *Asset.Source.choices])
    found_on = forms.DateField(label=gettext_lazy("Found on"), widget=date_input())
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)

    def __init__(self, *args, parties: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = parties


class ActionForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", "—"), *Kind.choices],
        widget=forms.Select(attrs={"data-kind-select": ""}),
    )
    asset = forms.ChoiceField(
        label=gettext_lazy("Asset"), required=False, widget=forms.Select(attrs=_kinds_attr("asset"))
    )
    court = forms.CharField(label=gettext_lazy("Court"), required=False, max_length=200)
    case_number = forms.CharField(
        label=gettext_lazy("Case number"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "（2026）京0105执1234号"}),
        help_text=gettext_lazy("Half-width brackets are fine."),
    )
    started_on = forms.DateField(label=gettext_lazy("Started on"), widget=date_input())
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on (court's date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", **_kinds_attr("expires_on")}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Blank: 1 year for deposits, 2 for movables, 3 for real estate and property rights."),
    )
    rank = forms.ChoiceField(
        label=gettext_lazy("Seizure rank"),
        required=False,
        choices=[("", "—"), *EnforcementAction.Rank.choices],
        widget=forms.Select(attrs=_kinds_attr("rank")),
    )
    amount = MoneyField(
        label=gettext_lazy("Amount"),
        required=False,
        widget=forms.TextInput(attrs=_kinds_attr("amount")),
        **MONEY_OR_ZERO,
    )
    listing_ground = forms.TypedChoiceField(
        label=gettext_lazy("Listing ground"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", "—"),
            ("1", gettext_lazy("1: able but refuses to perform (no fixed term)")),
            *[(str(n), format_lazy("{}: {}", n, gettext_lazy("2 years"))) for n in range(2, 7)],
        ],
        widget=forms.Select(attrs=_kinds_attr("listing_ground")),
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Ends on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", **_kinds_attr("ends_on")}, format="%Y-%m-%d"),
        help_text=gettext_lazy("失信 grounds 2-6: 2 years from listing if blank."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)

    def __init__(self, *args, assets: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asset"].choices = [("", "—"), *assets]


class RenewForm(forms.Form):
    started_on = forms.DateField(label=gettext_lazy("Renewal starts on"), widget=date_input())
    expires_on = forms.DateField(
        label=gettext_lazy("Expires on (court's date)"),
        required=False,
        widget=date_input(),
        help_text=gettext_lazy("Blank: the default period by property type."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("New status"),
        choices=[("", "—"), *[(s.value, s.label) for s in SETTABLE_STATUSES]],
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)


# --- The enforcement section ----------------------------------------------------------


def _asset_choices(matter: Matter) -> list[tuple[str, str]]:
    return [
        (str(asset.pk), f"{asset.get_kind_display()} · {asset.description}")
        for asset in matter.assets.order_by("-found_on", "-id")
    ]


def _chains(actions: list[EnforcementAction]) -> list[list[EnforcementAction]]:
    """Each renewal chain, latest action first; the chains by their latest start, newest first."""
    by_id = {action.pk: action for action in actions}
    renewed = {action.renews_id for action in actions if action.renews_id}
    chains = []
    for action in actions:
        if action.pk in renewed:
            continue
        chain = [action]
        while chain[-1].renews_id in by_id:
            chain.append(by_id[chain[-1].renews_id])
        chains.append(chain)
    chains.sort(key=lambda chain: (chain[0].started_on, chain[0].pk), reverse=True)
    return chains


def enforcement_section_response(
    request: HttpRequest,
    matter: Matter,
    *,
    asset_form: AssetForm | None = None,
    action_form: ActionForm | None = None,
    failed: tuple[int, str, forms.Form] | None = None,
    notice: str = "",
) -> HttpResponse:
    """The section; ``failed`` is (action id, "renew" or "status", the bound form) to show its errors."""
    may_write = can(request.user, "write_enforcement")
    today = timezone.localdate()
    assets = list(matter.assets.select_related("owner").order_by("-found_on", "-id"))
    actions = list(matter.enforcement_actions.select_related("asset").order_by("started_on", "id"))
    on_asset: dict[int, list[EnforcementAction]] = {}
    for action in actions:
        action.lapses = action.kind in LAPSING_KINDS
        action.renewal_days = (action.renewal_due_on - today).days if action.renewal_due_on else None
        action.renewal_late = -action.renewal_days if action.renewal_days is not None else None
        if action.asset_id:
            on_asset.setdefault(action.asset_id, []).append(action)
        action.renew_form = action.status_form = None
        if may_write and action.status == EnforcementAction.Status.ACTIVE:
            if action.lapses:
                start = action.expires_on + dt.timedelta(days=1) if action.expires_on else None
                action.renew_form = RenewForm(initial={"started_on": start}, auto_id=f"renew-{action.pk}-%s")
            action.status_form = StatusForm(auto_id=f"status-{action.pk}-%s")
            if failed and failed[0] == action.pk:
                setattr(action, f"{failed[1]}_form", failed[2])
                action.open_form = failed[1]
    # A form posted from a stale page (the action was renewed or closed meanwhile) is no
    # longer shown, so its errors go above the section.
    shown = failed and any(getattr(a, "open_form", None) == failed[1] for a in actions if a.pk == failed[0])
    section_errors = [e for errors in failed[2].errors.values() for e in errors] if failed and not shown else []
    for asset in assets:
        asset.action_list = [a for a in on_asset.get(asset.pk, []) if a.status == EnforcementAction.Status.ACTIVE]
    parties = matter_parties(matter) if may_write else []
    context = {
        "matter": matter,
        "assets": assets,
        "chains": _chains(actions),
        "may_write": may_write,
        "asset_form": (asset_form or AssetForm(parties=parties, auto_id="asset-new-%s")) if may_write else None,
        "asset_failed": asset_form is not None and asset_form.errors,
        "action_form": (action_form or ActionForm(assets=_asset_choices(matter), auto_id="action-new-%s"))
        if may_write
        else None,
        "action_failed": action_form is not None and action_form.errors,
        "notice": notice,
        "section_errors": section_errors,
        "today": today,
    }
    return render(request, "legalcase/enforcement_section.html", context)


@login_required
@require_GET
def enforcement_section(request: HttpRequest, matter_id: int) -> HttpResponse:
    return enforcement_section_response(request, access_matter(request.user, matter_id))


@login_required
@require_POST
def asset_record_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_enforcement")
    form = AssetForm(request.POST, parties=matter_parties(matter), auto_id="asset-new-%s")

    def act(data: dict) -> None:
        data = dict(data)
        asset_record(user=request.user, matter_id=matter.pk, owner_id=int(data.pop("owner")), **data)

    return section_form_post(
        request,
        matter,
        form,
        act,
        done=_("Asset recorded."),
        section=lambda ok, notice: enforcement_section_response(
            request, matter, asset_form=None if ok else form, notice=notice
        ),
    )


@login_required
@require_POST
def action_record_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_enforcement")
    form = ActionForm(request.POST, assets=_asset_choices(matter), auto_id="action-new-%s")

    def act(data: dict) -> None:
        data = dict(data)
        asset = data.pop("asset")
        data["rank"] = data["rank"] or ""
        enforcement_action_record(
            user=request.user, matter_id=matter.pk, asset_id=int(asset) if asset else None, **data
        )

    return section_form_post(
        request,
        matter,
        form,
        act,
        done=_("Enforcement action recorded."),
        section=lambda ok, notice: enforcement_section_response(
            request, matter, action_form=None if ok else form, notice=notice
        ),
    )


def _action_post(request: HttpRequest, matter_id: int, action_id: int, *, name: str, form_class, act, done: str):
    """Post one of an action's forms ("renew" or "status"); errors show on that form, nothing is stored."""
    matter = access_matter(request.user, matter_id, action="write_enforcement")
    action = get_object_or_404(matter.enforcement_actions, pk=action_id)
    form = form_class(request.POST, auto_id=f"{name}-{action.pk}-%s")
    return section_form_post(
        request,
        matter,
        form,
        lambda data: act(action, data),
        done=done,
        conflicts=(EnforcementConflict,),
        section=lambda ok, notice: enforcement_section_response(
            request, matter, failed=None if ok else (action.pk, name, form), notice=notice
        ),
    )


@login_required
@require_POST
def action_renew_view(request: HttpRequest, matter_id: int, action_id: int) -> HttpResponse:
    return _action_post(
        request,
        matter_id,
        action_id,
        name="renew",
        form_class=RenewForm,
        act=lambda action, data: enforcement_action_renew(user=request.user, action_id=action.pk, **data),
        done=_("Renewal recorded."),
    )


@login_required
@require_POST
def action_status_view(request: HttpRequest, matter_id: int, action_id: int) -> HttpResponse:
    return _action_post(
        request,
        matter_id,
        action_id,
        name="status",
        form_class=StatusForm,
        act=lambda action, data: enforcement_action_set_status(user=request.user, action_id=action.pk, **data),
        done=_("Status changed."),
    )


# --- The lapsing measures and the 终本 watch list ----------------------------------------


@login_required
@require_GET
def enforcement_lapsing(request: HttpRequest) -> HttpResponse:
    """Freezes and seizures in force lapsing within 30, 60 and 90 days, and those past expiry."""
    today = timezone.localdate()
    kind = request.GET.get("kind", "")
    if kind not in LAPSING_KINDS:
        kind = ""
    chosen = request.GET.get("panel", "")
    actions = lapsing_actions(request.user, within_days=LAPSING_DAYS, today=today, kind=kind)
    panels = []
    for key, title, low, high in LAPSING_PANELS:
        if chosen and key != chosen:
            continue
        rows = actions.filter(expires_on__lte=today + dt.timedelta(days=high))
        if low is not None:
            rows = rows.filter(expires_on__gte=today + dt.timedelta(days=low))
        page = None
        if chosen:
            # One panel, all of it, a page at a time.
            page = Paginator(rows, LAPSING_PAGE_ROWS).get_page(request.GET.get("page"))
            rows, count = list(page.object_list), page.paginator.count
        else:
            count = rows.count()
            rows = list(rows[:LAPSING_PANEL_ROWS])
        for action in rows:
            action.days = (action.expires_on - today).days
            action.renewal_days = (action.renewal_due_on - today).days if action.renewal_due_on else None
        panels.append({"key": key, "title": title, "rows": rows, "count": count, "page": page})
    context = {
        "nav": "lapsing",
        "today": today,
        "panels": panels,
        "chosen": chosen,
        "kind": kind,
        "query": urlencode({"kind": kind}) if kind else "",
        "kinds": [(value, Kind(value).label) for value in LAPSING_KINDS],
    }
    return render(request, "legalcase/enforcement_lapsing.html", context)


def _filings_anchor() -> str:
    """The matter page's anchor of the filings section, if an app registered one."""
    for number, section in enumerate(MATTER_SECTIONS, start=1):
        if section.url_name == "filings_section":
            return f"#matter-section-{number}"
    return ""


@login_required
@require_GET
def enforcement_terminated(request: HttpRequest) -> HttpResponse:
    """The 终本 watch list: each matter's termination, its six-monthly checks and the next one."""
    today = timezone.localdate()
    context = {
        "nav": "lapsing",
        "today": today,
        "rows": terminated_matters(request.user, today=today),
        "filings_anchor": _filings_anchor(),
    }
    return render(request, "legalcase/enforcement_terminated.html", context)
