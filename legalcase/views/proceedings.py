"""The matter page's proceedings and rulings sections, the lawyers' home and the firms' activity.

The sections are HTMX partials, like the evidence section: every view reaches the matter
through ``access_matter`` (404 for a matter the user may not see, 403 for a role that
may not write) and calls the same service as the API, so an error the service raises is
shown next to its field and nothing is stored. The ruling upload's POST lives in
``evidence.ruling_views``: the file is stored as evidence, and legalcase imports no
other app.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from legalcase.access import access_matter, can, visible_matters
from legalcase.forms import MoneyField
from legalcase.identity import mask_phone
from legalcase.models import (
    Assignment,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Forum,
    Hearing,
    LawFirm,
    Matter,
    MatterEvent,
    Party,
    Proceeding,
    Role,
    Ruling,
    RulingParty,
    ServiceMethod,
    ServiceRecord,
    Stage,
)
from legalcase.rulings import normalise_case_number
from legalcase.services.bound_parties import matter_parties as matter_bound_roles
from legalcase.services.proceedings import (
    RULING_DEADLINE_KINDS,
    hearing_add,
    hearing_move,
    proceeding_court_dates_set,
    proceeding_record,
    proceeding_update,
    ruling_confirm,
    service_record_add,
)
from legalcase.stages import stage_proposal
from legalcase.templatetags.fasu import money
from legalcase.views.sections import (
    date_input,
    section_form_post,
)

HOME_MATTERS = 20
HOME_DEADLINE_DAYS = 7
HOME_ROWS = 100
HOME_EVENTS = 30
FIRM_EVENTS_PAGE = 50
FIRM_ACTIVITY_DAYS = 30


# --- Forms: they parse; the services decide -----------------------------------------


class ProceedingForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[("", "—"), *Proceeding.Kind.choices])
    forum = forms.CharField(
        label=gettext_lazy("Court or arbitration commission"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"list": "proceeding-forum-names", "placeholder": gettext_lazy("Type part of the name")}
        ),
    )
    case_number = forms.CharField(
        label=gettext_lazy("Case number"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "（2026）京0105民初1234号"}),
        help_text=gettext_lazy("Half-width brackets are fine; blank until the case is accepted."),
    )
    filed_on = forms.DateField(label=gettext_lazy("Filed on"), required=False, widget=date_input())
    accepted_on = forms.DateField(label=gettext_lazy("Accepted on"), required=False, widget=date_input())
    judge = forms.CharField(label=gettext_lazy("Judge or arbitrator"), required=False, max_length=100)
    clerk = forms.CharField(label=gettext_lazy("Clerk"), required=False, max_length=100)
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), required=False, max_length=30)
    fee_notice_received_on = forms.DateField(
        label=gettext_lazy("Fee notice received on"),
        required=False,
        widget=date_input(),
        help_text=gettext_lazy("The fee is due 7 days later."),
    )
    measures_taken_on = forms.DateField(
        label=gettext_lazy("Preservation measures taken on"),
        required=False,
        widget=date_input(),
        help_text=gettext_lazy("Pre-suit preservation only: suit must follow within 30 days."),
    )

    def clean_forum(self) -> int | None:
        """The forum's id from its official name (the page offers the names in a list)."""
        name = self.cleaned_data["forum"].strip()
        if not name:
            return None
        forum_id = Forum.objects.filter(name=name, active=True).values_list("pk", flat=True).first()
        if forum_id is None:
            raise forms.ValidationError(_("No such court or arbitration commission: choose one from the list."))
        return forum_id


class ProceedingUpdateForm(forms.Form):
    """What becomes known of a proceeding later; only the fields a person changed are sent."""

    case_number = ProceedingForm.base_fields["case_number"]
    filed_on = ProceedingForm.base_fields["filed_on"]
    accepted_on = ProceedingForm.base_fields["accepted_on"]
    judge = ProceedingForm.base_fields["judge"]
    clerk = ProceedingForm.base_fields["clerk"]
    contact_phone = ProceedingForm.base_fields["contact_phone"]
    fee_notice_received_on = ProceedingForm.base_fields["fee_notice_received_on"]
    measures_taken_on = ProceedingForm.base_fields["measures_taken_on"]
    outcome = forms.CharField(
        label=gettext_lazy("Outcome"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    closed_on = forms.DateField(label=gettext_lazy("Closed on"), required=False, widget=date_input())

    @classmethod
    def for_proceeding(cls, proceeding: Proceeding, data=None) -> ProceedingUpdateForm:
        # The phone is shown masked, so it is not put back in the form: typing a number replaces it.
        initial = {name: getattr(proceeding, name) for name in cls.base_fields if name != "contact_phone"}
        if proceeding.kind != Proceeding.Kind.PRE_SUIT_PRESERVATION:
            initial.pop("measures_taken_on")
        form = cls(data, initial=initial, auto_id=f"update-{proceeding.pk}-%s")
        if proceeding.kind != Proceeding.Kind.PRE_SUIT_PRESERVATION:
            del form.fields["measures_taken_on"]
        return form

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class ServiceForm(forms.Form):
    party = forms.ChoiceField(label=gettext_lazy("Party served"), required=False)
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=[("", "—"), *ServiceMethod.choices])
    served_on = forms.DateField(label=gettext_lazy("Served on"), required=False, widget=date_input())
    published_on = forms.DateField(
        label=gettext_lazy("Notice published on"),
        required=False,
        widget=date_input(),
        help_text=gettext_lazy(
            "Service by public notice only: deemed served 30 days after publication; posted or published "
            "in several places, the last of them."
        ),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)

    def __init__(self, *args, parties: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [("", _("The creditor's side")), *parties]


class HearingForm(forms.Form):
    at = forms.DateTimeField(
        label=gettext_lazy("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=gettext_lazy("Place"), required=False, max_length=200)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)
    summons_served_on = forms.DateField(
        label=gettext_lazy("Summons served on"),
        required=False,
        widget=date_input(),
        help_text=gettext_lazy("Flagged when fewer than 3 clear days before the hearing."),
    )


class HearingMoveForm(HearingForm):
    """Move a hearing: the form holds its current values; what a person changes is sent."""

    @classmethod
    def for_hearing(cls, hearing: Hearing, data=None) -> HearingMoveForm:
        initial = {"at": timezone.localtime(hearing.at), "place": hearing.place, "note": hearing.note,
                   "summons_served_on": hearing.summons_served_on}  # fmt: skip
        form = cls(data, initial=initial, auto_id=f"move-{hearing.pk}-%s")
        form.hearing_id = hearing.pk
        return form

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class CourtDatesForm(forms.Form):
    """The last days of the evidence and defence periods the court's notices give (B.4)."""

    evidence_due_on = forms.DateField(
        label=gettext_lazy("Evidence period ends"), required=False, widget=date_input()
    )
    defence_due_on = forms.DateField(label=gettext_lazy("Defence period ends"), required=False, widget=date_input())

    @classmethod
    def for_proceeding(cls, proceeding: Proceeding, data=None) -> CourtDatesForm:
        initial = {name: getattr(proceeding, name) for name in cls.base_fields}
        return cls(data, initial=initial, auto_id=f"court-dates-{proceeding.pk}-%s")

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}


MONEY_OR_ZERO = {"min_value": 0}


class RulingConfirmForm(forms.Form):
    """The ruling's facts, pre-filled with the current ones; what the person changes is a correction."""

    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False, choices=[("", "—"), *Ruling.Kind.choices])
    case_number = forms.CharField(label=gettext_lazy("Case number"), required=False, max_length=60)
    court = forms.CharField(label=gettext_lazy("Court or arbitration commission"), required=False, max_length=200)
    decided_on = forms.DateField(label=gettext_lazy("Decided on"), required=False, widget=date_input())
    served_on = forms.DateField(label=gettext_lazy("Served on"), required=False, widget=date_input())
    principal_awarded = MoneyField(label=gettext_lazy("Principal awarded"), required=False, **MONEY_OR_ZERO)
    interest_awarded = MoneyField(label=gettext_lazy("Interest awarded"), required=False, **MONEY_OR_ZERO)
    acceptance_fee = MoneyField(label=gettext_lazy("Acceptance fee"), required=False, **MONEY_OR_ZERO)
    acceptance_fee_charged = MoneyField(
        label=gettext_lazy("Acceptance fee charged"), required=False, **MONEY_OR_ZERO
    )
    appealable = forms.NullBooleanField(label=gettext_lazy("Appealable"), required=False)
    performance_days = forms.IntegerField(
        label=gettext_lazy("Days to perform"), required=False, min_value=0, max_value=3650
    )

    @classmethod
    def for_ruling(cls, ruling: Ruling, data=None) -> RulingConfirmForm:
        initial = {name: getattr(ruling, name) for name in cls.base_fields}
        current = {row.party_id: row for row in ruling.bound_parties.all()}
        parties = Party.objects.in_bulk(list(matter_bound_roles(ruling.matter)))
        form = cls(data, initial=initial, auto_id=f"ruling-{ruling.pk}-%s")
        # Whom the instrument orders to pay (API.md v1.1): one choice and one limit per party of the matter.
        form.bound_fields = []
        for party_id, role in matter_bound_roles(ruling.matter).items():
            row = current.get(party_id)
            role_label = _("Debtor") if role == RulingParty.Role.DEBTOR else _("Guarantor")
            name = f"bound_{party_id}"
            form.fields[name] = forms.ChoiceField(
                label=f"{_('Ordered to pay')}：{parties[party_id].name}（{role_label}）",
                required=False,
                choices=[("", _("Not bound")), *RulingParty.Liability.choices],
                initial=row.liability if row else "",
            )
            form.fields[f"limit_{party_id}"] = MoneyField(
                label=f"{_('Limit')}：{parties[party_id].name}", required=False, **MONEY_OR_ZERO,
                initial=row.limit if row else None,
            )
            form.bound_fields.append(party_id)
        return form

    def bound_parties(self, ruling: Ruling) -> list[dict] | None:
        """The bound parties as chosen, when they differ from the ruling's; None when unchanged or not posted."""
        if not any(f"bound_{party_id}" in self.data for party_id in getattr(self, "bound_fields", [])):
            return None
        chosen = []
        for party_id in getattr(self, "bound_fields", []):
            liability = self.cleaned_data.get(f"bound_{party_id}") or ""
            if liability:
                limit = self.cleaned_data.get(f"limit_{party_id}")
                chosen.append({"party": party_id, "liability": liability, "limit": str(limit) if limit is not None else None})
        current = [
            {"party": row.party_id, "liability": row.liability, "limit": str(row.limit) if row.limit is not None else None}
            for row in ruling.bound_parties.all()
        ]
        key = lambda item: item["party"]  # noqa: E731
        return None if sorted(chosen, key=key) == sorted(current, key=key) else chosen

    def corrections(self, ruling: Ruling) -> dict:
        """The fields the person changed, as the service takes them."""
        changed = {}
        bound = self.bound_parties(ruling)
        if bound is not None:
            changed["bound_parties"] = bound
        for name in self.base_fields:
            value = self.cleaned_data[name]
            if isinstance(value, str):
                value = value.strip() or None
            current = getattr(ruling, name)
            if name == "case_number" and value:
                same = normalise_case_number(value) == current
            elif isinstance(current, Decimal) and isinstance(value, Decimal):
                same = current == value
            else:
                same = value == current
            if not same:
                changed[name] = value
        return changed


# --- The proceedings section ----------------------------------------------------------


def matter_parties(matter: Matter) -> list[tuple[str, str]]:
    debt = matter.debt
    parties = [(str(debt.debtor_id), f"{debt.debtor.name}（{_('Debtor')}）")]
    for guarantee in debt.guarantees.select_related("guarantor").order_by("id"):
        parties.append((str(guarantee.guarantor_id), f"{guarantee.guarantor.name}（{_('Guarantor')}）"))
    return parties


def proceedings_section_response(
    request: HttpRequest,
    matter: Matter,
    *,
    record_form: ProceedingForm | None = None,
    failed: tuple[int, str, forms.Form] | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    """The section; ``failed`` is (proceeding id, "service", "hearing" or "update", the bound form) to show its errors."""
    may_write = can(request.user, "write_proceedings")
    proceedings = list(
        matter.proceedings.select_related("forum", "created_by__firm")
        .prefetch_related(
            Prefetch("service_records", queryset=ServiceRecord.objects.select_related("party")), "hearings"
        )
        .order_by("-created_at", "-id")
    )
    parties = matter_parties(matter) if may_write else []
    for proceeding in proceedings:
        proceeding.matter = matter
        proceeding.masked_phone = mask_phone(proceeding.contact_phone) if proceeding.contact_phone else ""
        if not may_write:
            continue
        proceeding.service_form = ServiceForm(parties=parties, auto_id=f"service-{proceeding.pk}-%s")
        proceeding.hearing_form = HearingForm(auto_id=f"hearing-{proceeding.pk}-%s")
        proceeding.update_form = ProceedingUpdateForm.for_proceeding(proceeding)
        proceeding.court_dates_form = CourtDatesForm.for_proceeding(proceeding)
        for hearing in proceeding.hearings.all():
            hearing.move_form = HearingMoveForm.for_hearing(hearing)
            if failed and failed[1] == "move" and failed[2].hearing_id == hearing.pk:
                hearing.move_form, hearing.move_open = failed[2], True
        if failed and failed[0] == proceeding.pk and failed[1] != "move":
            setattr(proceeding, f"{failed[1]}_form", failed[2])
            proceeding.open_form = failed[1]
    proposed = None
    if proceedings and can(request.user, "move_stage"):
        proposed = stage_proposal(matter, proceeding=proceedings[0])
    context = {
        "matter": matter,
        "proceedings": proceedings,
        "may_write": may_write,
        "record_form": (record_form or ProceedingForm(auto_id="proceeding-new-%s")) if may_write else None,
        "record_failed": record_form is not None and record_form.errors,
        "forums": Forum.objects.filter(active=True).courts_first().values_list("name", flat=True) if may_write else [],
        "proposed_stage": proposed,
        "proposed_label": Stage(proposed).label if proposed else "",
        "proposed_from": proceedings[0] if proposed else None,
        "notice": notice,
    }
    return render(request, "legalcase/proceedings_section.html", context, status=status)


@login_required
@require_GET
def proceedings_section(request: HttpRequest, matter_id: int) -> HttpResponse:
    return proceedings_section_response(request, access_matter(request.user, matter_id))


@login_required
@require_POST
def proceeding_record_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_proceedings")
    form = ProceedingForm(request.POST, auto_id="proceeding-new-%s")

    def act(data: dict) -> None:
        data = dict(data)
        proceeding_record(user=request.user, matter_id=matter.pk, forum_id=data.pop("forum"), **data)

    return section_form_post(
        request,
        matter,
        form,
        act,
        done=_("Proceeding recorded."),
        section=lambda ok, notice: proceedings_section_response(
            request, matter, record_form=None if ok else form, notice=notice
        ),
    )


def _proceeding_of(request: HttpRequest, matter_id: int, proceeding_id: int) -> tuple[Matter, Proceeding]:
    matter = access_matter(request.user, matter_id, action="write_proceedings")
    return matter, get_object_or_404(matter.proceedings, pk=proceeding_id)


def _proceeding_action(
    request: HttpRequest, matter_id: int, proceeding_id: int, *, name: str, form_for, act, done: str
):
    """Post one of a proceeding's forms: parse with ``form_for``, let ``act`` call the service.

    ``name`` ("service", "hearing", "update") says which form shows the errors.
    """
    matter, proceeding = _proceeding_of(request, matter_id, proceeding_id)
    form = form_for(matter, proceeding)
    return section_form_post(
        request,
        matter,
        form,
        lambda data: act(proceeding, form),
        done=done,
        section=lambda ok, notice: proceedings_section_response(
            request, matter, failed=None if ok else (proceeding.pk, name, form), notice=notice
        ),
    )


@login_required
@require_POST
def service_record_view(request: HttpRequest, matter_id: int, proceeding_id: int) -> HttpResponse:
    def act(proceeding: Proceeding, form: ServiceForm) -> None:
        data = dict(form.cleaned_data)
        party = data.pop("party")
        service_record_add(
            user=request.user, proceeding_id=proceeding.pk, party_id=int(party) if party else None, **data
        )

    return _proceeding_action(
        request,
        matter_id,
        proceeding_id,
        name="service",
        form_for=lambda matter, proceeding: ServiceForm(
            request.POST, parties=matter_parties(matter), auto_id=f"service-{proceeding.pk}-%s"
        ),
        act=act,
        done=_("Service recorded."),
    )


@login_required
@require_POST
def hearing_add_view(request: HttpRequest, matter_id: int, proceeding_id: int) -> HttpResponse:
    return _proceeding_action(
        request,
        matter_id,
        proceeding_id,
        name="hearing",
        form_for=lambda matter, proceeding: HearingForm(request.POST, auto_id=f"hearing-{proceeding.pk}-%s"),
        act=lambda proceeding, form: hearing_add(user=request.user, proceeding_id=proceeding.pk, **form.cleaned_data),
        done=_("Hearing scheduled."),
    )


@login_required
@require_POST
def hearing_move_view(request: HttpRequest, matter_id: int, proceeding_id: int, hearing_id: int) -> HttpResponse:
    """Move a hearing from the matter page (``PATCH /api/v1/hearings/{id}/`` on the page)."""
    matter, proceeding = _proceeding_of(request, matter_id, proceeding_id)
    hearing = get_object_or_404(proceeding.hearings, pk=hearing_id)
    return _proceeding_action(
        request,
        matter_id,
        proceeding_id,
        name="move",
        form_for=lambda matter, proceeding: HearingMoveForm.for_hearing(hearing, request.POST),
        act=lambda proceeding, form: hearing_move(user=request.user, hearing_id=hearing.pk, **form.changes()),
        done=_("Hearing moved."),
    )


@login_required
@require_POST
def court_dates_view(request: HttpRequest, matter_id: int, proceeding_id: int) -> HttpResponse:
    """Set the evidence and defence periods' last days of a proceeding (``proceeding_court_dates_set``)."""
    return _proceeding_action(
        request,
        matter_id,
        proceeding_id,
        name="court_dates",
        form_for=lambda matter, proceeding: CourtDatesForm.for_proceeding(proceeding, request.POST),
        act=lambda proceeding, form: proceeding_court_dates_set(
            user=request.user, proceeding=proceeding.pk, **form.changes()
        ),
        done=_("Court dates saved."),
    )


@login_required
@require_POST
def proceeding_update_view(request: HttpRequest, matter_id: int, proceeding_id: int) -> HttpResponse:
    return _proceeding_action(
        request,
        matter_id,
        proceeding_id,
        name="update",
        form_for=lambda matter, proceeding: ProceedingUpdateForm.for_proceeding(proceeding, request.POST),
        act=lambda proceeding, form: proceeding_update(
            user=request.user, proceeding_id=proceeding.pk, **form.changes()
        ),
        done=_("Proceeding updated."),
    )


# --- The rulings section --------------------------------------------------------------


class RulingUploadForm(forms.Form):
    """The upload form; its POST is ``evidence.ruling_views`` (the file becomes evidence)."""

    file = forms.FileField(label=gettext_lazy("Ruling document"))
    served_on = forms.DateField(
        label=gettext_lazy("Served on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("The day of the last service, if known; otherwise taken from the service records."),
    )


# The facts shown for each ruling, in the order of the confirmation form.
RULING_ROWS = (
    "kind",
    "case_number",
    "court",
    "decided_on",
    "served_on",
    "principal_awarded",
    "interest_awarded",
    "acceptance_fee",
    "acceptance_fee_charged",
    "appealable",
    "performance_days",
)
MONEY_ROWS = {"principal_awarded", "interest_awarded", "acceptance_fee", "acceptance_fee_charged"}


def _shown(name: str, value) -> str | None:
    """A ruling fact as text, None when not known."""
    if value is None or value == "":
        return None
    if name == "kind":
        return Ruling.Kind(value).label if value in Ruling.Kind.values else str(value)
    if name == "appealable":
        return _("Yes") if value else _("No")
    if name in MONEY_ROWS:
        return money(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _ruling_rows(ruling: Ruling) -> list[dict]:
    rows = []
    for name in RULING_ROWS:
        # The reading has no day of service: it was given at upload or taken from the
        # proceeding's service records, and is what stands unless corrected.
        read = ruling.reading.get(name) if name != "served_on" else None
        if name == "served_on" and name not in ruling.corrections:
            read = ruling.served_on
        rows.append(
            {
                "name": name,
                "label": Ruling._meta.get_field(name).verbose_name,
                "read": _shown(name, read),
                "current": _shown(name, getattr(ruling, name)),
                "corrected": name in ruling.corrections,
            }
        )
    return rows


def rulings_section_response(
    request: HttpRequest,
    matter: Matter,
    *,
    upload_form: forms.Form | None = None,
    failed: tuple[int, RulingConfirmForm] | None = None,
    notice: str = "",
) -> HttpResponse:
    """The section; ``upload_form`` is the ruling upload form (the evidence app's), bound when it failed."""
    may_write = can(request.user, "write_proceedings")
    rulings = list(
        matter.rulings.select_related("confirmed_by__firm", "created_by__firm").order_by("-created_at", "-id")
    )
    for ruling in rulings:
        ruling.rows = _ruling_rows(ruling)
        ruling.correction_rows = [
            (Ruling._meta.get_field(name).verbose_name, _shown(name, value))
            for name, value in ruling.corrections.items()
            if name in RULING_ROWS
        ]
        ruling.bound_rows = [
            (row.party.name, row.get_role_display(), row.get_liability_display(), row.limit)
            for row in ruling.bound_parties.select_related("party")
        ]
        ruling.unreadable = ruling.reading.get("text_source") == "none"
        ruling.confirm_form = None
        if may_write:
            if failed and failed[0] == ruling.pk:
                ruling.confirm_form = failed[1]
            else:
                ruling.confirm_form = RulingConfirmForm.for_ruling(ruling)
    deadlines = list(
        matter.deadlines.filter(superseded_at__isnull=True, kind__in=RULING_DEADLINE_KINDS).order_by("due_on", "id")
    )
    proposed, proposed_from = None, None
    confirmed = [ruling for ruling in rulings if ruling.confirmed]
    if confirmed and can(request.user, "move_stage"):
        proposed_from = max(confirmed, key=lambda ruling: (ruling.confirmed_at, ruling.pk))
        proposed = stage_proposal(matter, ruling=proposed_from)
    context = {
        "matter": matter,
        "rulings": rulings,
        "proposed_stage": proposed,
        "proposed_label": Stage(proposed).label if proposed else "",
        "proposed_from": proposed_from if proposed else None,
        "performance_ends": next(
            (row.due_on for row in deadlines if row.kind == DeadlineKind.PERFORMANCE_END),
            next((row.due_on for row in deadlines if row.kind == DeadlineKind.JUDGMENT_EFFECTIVE), None),
        ),
        "may_write": may_write,
        "upload_form": (upload_form or RulingUploadForm(auto_id="ruling-upload-%s")) if may_write else None,
        "deadlines": deadlines,
        "any_confirmed": any(ruling.confirmed for ruling in rulings),
        "notice": notice,
    }
    return render(request, "legalcase/rulings_section.html", context)


@login_required
@require_GET
def rulings_section(request: HttpRequest, matter_id: int) -> HttpResponse:
    return rulings_section_response(request, access_matter(request.user, matter_id))


@login_required
@require_POST
def ruling_confirm_view(request: HttpRequest, matter_id: int, ruling_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_proceedings")
    ruling = get_object_or_404(matter.rulings, pk=ruling_id)
    form = RulingConfirmForm.for_ruling(ruling, request.POST)
    return section_form_post(
        request,
        matter,
        form,
        lambda data: ruling_confirm(user=request.user, ruling_id=ruling.pk, corrections=form.corrections(ruling)),
        done=_("Ruling confirmed; its deadlines are computed."),
        section=lambda ok, notice: rulings_section_response(
            request, matter, failed=None if ok else (ruling.pk, form), notice=notice
        ),
    )


# --- The lawyers' home ----------------------------------------------------------------


@login_required
@require_GET
def lawyer_home(request: HttpRequest) -> HttpResponse:
    """Where an outside lawyer lands: the firm's matters, its urgent deadlines, its recent work."""
    user = request.user
    if user.role != Role.LAWYER:
        return redirect("matter_list")
    matters = visible_matters(user)
    counts = dict(matters.order_by().values_list("stage").annotate(n=Count("id")))
    today = timezone.localdate()
    deadlines = (
        Deadline.objects.filter(
            superseded_at__isnull=True,
            status=DeadlineStatus.OPEN,
            matter__in=matters,
            due_on__lte=today + dt.timedelta(days=HOME_DEADLINE_DAYS),
        )
        .select_related("matter", "party")
        .order_by("due_on", "id")
    )
    overdue = deadlines.filter(due_on__lt=today)
    soon = deadlines.filter(due_on__gte=today)
    events = (
        MatterEvent.objects.filter(actor__firm_id=user.firm_id, matter__in=matters)
        .select_related("actor__firm", "matter")
        .order_by("-at", "-id")[:HOME_EVENTS]
    )
    return render(
        request,
        "legalcase/lawyer_home.html",
        {
            "nav": "home",
            "firm": user.firm,
            "today": today,
            "days": HOME_DEADLINE_DAYS,
            "stage_counts": [(stage, label, counts[stage]) for stage, label in Stage.choices if counts.get(stage)],
            "matter_total": sum(counts.values()),
            "matters": matters.select_related("debt__debtor").order_by("-id")[:HOME_MATTERS],
            "overdue": overdue[:HOME_ROWS],
            "overdue_count": overdue.count(),
            "soon": soon[:HOME_ROWS],
            "soon_count": soon.count(),
            "row_limit": HOME_ROWS,
            "events": events,
        },
    )


# --- Firm activity --------------------------------------------------------------------


@login_required
@require_GET
def firm_activity_list(request: HttpRequest) -> HttpResponse:
    """Every law firm with its matters and how active its lawyers were (counsel, managers, admins)."""
    user = request.user
    if user.role == Role.LAWYER:
        return redirect("firm_activity", firm_id=user.firm_id)
    since = timezone.now() - dt.timedelta(days=FIRM_ACTIVITY_DAYS)
    current = dict(
        Matter.objects.filter(assigned_firm__isnull=False)
        .order_by()
        .values_list("assigned_firm_id")
        .annotate(n=Count("id"))
    )
    ever = dict(Assignment.objects.order_by().values_list("firm_id").annotate(n=Count("matter_id", distinct=True)))
    firm_events = MatterEvent.objects.filter(actor__firm__isnull=False).order_by()
    recent = dict(firm_events.filter(at__gte=since).values_list("actor__firm_id").annotate(n=Count("id")))
    last = dict(firm_events.values_list("actor__firm_id").annotate(last=Max("at")))
    firms = [
        {
            "firm": firm,
            "current": current.get(firm.pk, 0),
            "ever": ever.get(firm.pk, 0),
            "recent": recent.get(firm.pk, 0),
            "last": last.get(firm.pk),
        }
        for firm in LawFirm.objects.order_by("name")
    ]
    return render(
        request, "legalcase/firm_activity_list.html", {"nav": "firms", "firms": firms, "days": FIRM_ACTIVITY_DAYS}
    )


@login_required
@require_GET
def firm_activity(request: HttpRequest, firm_id: int) -> HttpResponse:
    """What the firm's users did, newest first; a lawyer sees only their own firm, on the matters it holds now."""
    user = request.user
    if user.role == Role.LAWYER and user.firm_id != firm_id:
        raise Http404("law firm not found")
    firm = get_object_or_404(LawFirm, pk=firm_id)
    events = (
        MatterEvent.objects.filter(actor__firm=firm, matter__in=visible_matters(user))
        .select_related("actor__firm", "matter")
        .order_by("-at", "-id")
    )
    page = Paginator(events, FIRM_EVENTS_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "legalcase/firm_activity.html",
        {
            "nav": "home" if user.role == Role.LAWYER else "firms",
            "firm": firm,
            "page": page,
            "events": page.object_list,
            "show_matter": True,
        },
    )
