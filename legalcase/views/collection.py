"""The matter page's collection section (催收记录): a quick-entry form for a day of calls, the log, promises, complaints.

An HTMX partial like the other sections: each view reaches the matter through
``access_matter`` and calls the same service as the API. The form is made for a
collector working down a list: one select names who and which number (masked), the
outcome shows the promise fields only when it is a promise (CSS ``:has``, no script),
and after a save the section comes back with the channel and the number kept and the
outcome focused, ready for the next call. A refusal by a conduct rule names the rule in
Chinese and when the contact would next be allowed; counsel may override it with a reason.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from legalcase.access import access_child, access_matter, can
from legalcase.exports import XLSX_CONTENT_TYPE, Column, xlsx_bytes
from legalcase.events import record_audit
from legalcase.forms import MoneyField
from legalcase.identity import mask_phone
from legalcase.models import (
    AuditAction,
    Complaint,
    ComplaintKind,
    ComplaintSource,
    ContactChannel,
    ContactDirection,
    ContactOutcome,
    Matter,
    Party,
    PartyPhone,
    ThirdPartyPurpose,
)
from legalcase.money import FEN
from legalcase.services.collection import (
    IDEMPOTENCY_KEY_MAX,
    ComplaintConflict,
    ConductRefusal,
    ContactConflict,
    complaint_open,
    complaint_resolve,
    contact_body_digest,
    contact_record,
    matter_contacts,
    matter_party_ids,
    rule_title,
)
from legalcase.views.sections import add_service_errors, date_input, section_answer

CONTACTS_PAGE = 25
PROMISES_SHOWN = 20
THIRD = "third"
# Which form field shows a service error on each of its fields.
ERROR_FIELDS = {
    "party": "target",
    "third_party": "third_name",
    "promise": "promise_amount",
    "contact_point": "contact_point",
}


def contact_targets(matter: Matter) -> list[tuple[str, str]]:
    """The select of who and which number: each party's numbers (masked, blocked ones marked), the party alone, a third party."""
    roles = matter_party_ids(matter)
    parties = {p.pk: p for p in Party.objects.filter(pk__in=list(roles))}
    phones: dict[int, list[PartyPhone]] = {}
    for phone in PartyPhone.objects.filter(party_id__in=list(roles)).order_by("position", "id"):
        phones.setdefault(phone.party_id, []).append(phone)
    role_label = {"debtor": _("Debtor"), "guarantor": _("Guarantor")}
    choices = []
    for party_id, role in roles.items():
        party = parties[party_id]
        head = f"{party.name} · {role_label[role]}"
        for phone in phones.get(party_id, []):
            mark = "" if phone.status == PartyPhone.Status.OK else f"（{phone.get_status_display()}）"
            choices.append((f"phone:{phone.pk}", f"{head} · {mask_phone(phone.number)}{mark}"))
        other = _("another number or address")
        choices.append((f"party:{party_id}", f"{head} · {other}"))
    choices.append((THIRD, _("A third party (only to locate the debtor)")))
    return choices


class ContactForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=ContactChannel.choices, initial="phone")
    target = forms.ChoiceField(label=gettext_lazy("Who and which number"))
    contact_point = forms.CharField(
        label=gettext_lazy("Other number or address"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Only when it is not one of the numbers listed."),
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("Direction"), choices=ContactDirection.choices, initial="outbound"
    )
    occurred_at = forms.DateTimeField(
        label=gettext_lazy("When (Beijing time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=gettext_lazy("Blank: now."),
    )
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=[("", "—"), *ContactOutcome.choices])
    duration_seconds = forms.IntegerField(label=gettext_lazy("Duration (seconds)"), required=False, min_value=0)
    promise_amount = MoneyField(label=gettext_lazy("Promised amount"), required=False, min_value=FEN)
    promise_due_on = forms.DateField(label=gettext_lazy("Promised by"), required=False, widget=date_input())
    third_name = forms.CharField(label=gettext_lazy("Third party's name"), required=False, max_length=100)
    third_relation = forms.CharField(label=gettext_lazy("Relation to the debtor"), required=False, max_length=50)
    third_purpose = forms.ChoiceField(
        label=gettext_lazy("Purpose"), required=False, choices=ThirdPartyPurpose.choices, initial="locate"
    )
    recording = forms.TypedChoiceField(label=gettext_lazy("Recording or photo"), required=False, coerce=int,
                                       empty_value=None)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    override_reason = forms.CharField(
        label=gettext_lazy("Override the rule: reason"),
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Counsel only: why this contact is allowed although a conduct rule refuses it. Audited."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=IDEMPOTENCY_KEY_MAX)

    def __init__(self, *args, matter: Matter, may_override: bool, **kwargs):
        kwargs.setdefault("auto_id", "contact-%s")
        super().__init__(*args, **kwargs)
        self.matter = matter
        self.fields["target"].choices = contact_targets(matter)
        self.fields["recording"].choices = [("", "—"), *recording_choices(matter)]
        if not may_override:
            del self.fields["override_reason"]

    def focused(self) -> ContactForm:
        """The form answered after a save or a refusal, the cursor on the outcome for the next call.

        Only then: on the matter page's first load, autofocus would scroll the page past its
        header down to this section.
        """
        self.fields["outcome"].widget.attrs["autofocus"] = True
        return self

    def service_body(self) -> dict:
        data = self.cleaned_data
        body = {
            "channel": data["channel"],
            "direction": data["direction"],
            "occurred_at": data["occurred_at"] or timezone.now().replace(microsecond=0),
            "outcome": data["outcome"],
            "duration_seconds": data["duration_seconds"],
            "note": data["note"],
            "recording": data["recording"],
            "override_reason": data.get("override_reason") or "",
            "contact_point": data["contact_point"].strip(),
        }
        target = data["target"]
        if target == THIRD:
            body["third_party"] = {
                "name": data["third_name"], "relation": data["third_relation"], "purpose": data["third_purpose"],
            }
        else:
            kind, _sep, pk = target.partition(":")
            if kind == "phone":
                phone = PartyPhone.objects.filter(pk=int(pk), party_id__in=list(matter_party_ids(self.matter))).first()
                if phone is None:
                    raise ValidationError({"party": _("Not a party of this matter.")})
                body["party"] = phone.party_id
                body["contact_point"] = body["contact_point"] or phone.number
            else:
                body["party"] = int(pk)
        if data["outcome"] == ContactOutcome.PROMISE_TO_PAY:
            if data["promise_amount"] is not None or data["promise_due_on"] is not None:
                body["promise"] = {"amount": data["promise_amount"], "due_on": data["promise_due_on"]}
        return body

    def next_call(self) -> ContactForm:
        """A fresh form for the next call, keeping the channel, the number and the direction."""
        keep = {name: self.cleaned_data.get(name) for name in ("channel", "target", "direction")}
        return ContactForm(
            matter=self.matter,
            may_override="override_reason" in self.fields,
            initial={**keep, "idempotency_key": uuid.uuid4().hex, "third_purpose": "locate"},
        ).focused()


def recording_choices(matter: Matter) -> list[tuple[int, str]]:
    """The matter's evidence items, newest first (through the app registry: ``legalcase`` imports no other app)."""
    try:
        model = apps.get_model("evidence", "EvidenceItem")
    except LookupError:
        return []
    rows = model.objects.filter(matter_id=matter.pk).order_by("-id").values_list("pk", "title")[:50]
    return [(pk, f"{title} (#{pk})") for pk, title in rows]


class ComplaintForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ComplaintKind.choices)
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=ComplaintSource.choices)
    received_on = forms.DateField(label=gettext_lazy("Received on"), widget=date_input())
    summary = forms.CharField(label=gettext_lazy("Summary"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=gettext_lazy("Resolution"), max_length=4000)


def _fresh_contact_form(matter: Matter, may_override: bool) -> ContactForm:
    # The debtor's first number still in use is chosen; blocked numbers stay listed, marked.
    first_ok = (
        PartyPhone.objects.filter(party_id=matter.debt.debtor_id, status=PartyPhone.Status.OK)
        .order_by("position", "id")
        .values_list("pk", flat=True)
        .first()
    )
    target = f"phone:{first_ok}" if first_ok else f"party:{matter.debt.debtor_id}"
    return ContactForm(
        matter=matter,
        may_override=may_override,
        initial={"idempotency_key": uuid.uuid4().hex, "channel": "phone", "direction": "outbound",
                 "third_purpose": "locate", "target": target},
    )


def collection_section_response(
    request: HttpRequest,
    matter: Matter,
    *,
    contact_form: ContactForm | None = None,
    complaint_form: ComplaintForm | None = None,
    refusal: ConductRefusal | None = None,
    notice: str = "",
    warnings: list | None = None,
) -> HttpResponse:
    user = request.user
    may_write = can(user, "write_contacts")
    may_override = can(user, "override_conduct")
    may_resolve = can(user, "resolve_complaints")
    page = Paginator(matter_contacts(matter), CONTACTS_PAGE).get_page(request.GET.get("page"))
    complaints = list(matter.complaints.select_related("resolved_by").order_by("status", "-received_on", "-id"))
    # The latest promises (all of them are in the API and the export): a long history stays quick to draw.
    promise_rows = matter.promises.select_related("contact__party")
    promises = list(reversed(promise_rows.order_by("-due_on", "-id")[:PROMISES_SHOWN]))
    promises_total = len(promises) if len(promises) < PROMISES_SHOWN else promise_rows.count()
    context = {
        "matter": matter,
        "page": page,
        "contacts": page.object_list,
        "promises": promises,
        "promises_total": promises_total,
        "complaints": complaints,
        "open_complaints": sum(1 for c in complaints if c.status == Complaint.Status.OPEN),
        "may_write": may_write,
        "may_resolve": may_resolve,
        "contact_form": (contact_form or _fresh_contact_form(matter, may_override)) if may_write else None,
        "complaint_form": (complaint_form or ComplaintForm(auto_id="complaint-%s")) if may_write else None,
        "complaint_failed": complaint_form is not None,
        "refusal": refusal,
        "refusal_title": rule_title(refusal.rule) if refusal else "",
        "notice": notice,
        "warnings": warnings or [],
    }
    return render(request, "legalcase/collection_section.html", context)


@login_required
@require_GET
def collection_section(request: HttpRequest, matter_id: int) -> HttpResponse:
    return collection_section_response(request, access_matter(request.user, matter_id))


@login_required
@require_POST
def contact_record_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_contacts")
    form = ContactForm(request.POST, matter=matter, may_override=can(request.user, "override_conduct")).focused()
    ok, notice, refusal, warnings, next_form = False, "", None, [], None
    if form.is_valid():
        try:
            body = form.service_body()
            key = form.cleaned_data["idempotency_key"]
            contact, created = contact_record(
                user=request.user,
                matter_id=matter.pk,
                idempotency_key=key,
                body_digest=contact_body_digest({k: v for k, v in body.items() if k != "occurred_at"}),
                **body,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                exc = ValidationError({ERROR_FIELDS.get(k, k): v for k, v in exc.error_dict.items()})
            add_service_errors(form, exc)
        except ConductRefusal as exc:
            # Shown once, in the refusal box above the form (rule, reason, next allowed time).
            refusal = exc
        except ContactConflict:
            form.add_error(None, _("This form was already used for a different contact: enter it again."))
        else:
            ok = True
            warnings = [w["detail"] for w in contact.warnings]
            notice = _("Contact recorded.") if created else _("This contact was already recorded; nothing new was stored.")
            next_form = form.next_call()
    return section_answer(
        request,
        matter,
        ok=ok,
        form=form,
        notice=notice,
        section=lambda: collection_section_response(
            request, matter, contact_form=next_form if ok else form, refusal=refusal, notice=notice, warnings=warnings
        ),
    )


@login_required
@require_POST
def complaint_open_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_contacts")
    form = ComplaintForm(request.POST, auto_id="complaint-%s")
    ok = False
    if form.is_valid():
        try:
            complaint_open(user=request.user, matter_id=matter.pk, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            ok = True
    notice = _("Recorded: collection contacts are paused until it is resolved.") if ok else ""
    return section_answer(
        request, matter, ok=ok, form=form, notice=notice,
        section=lambda: collection_section_response(
            request, matter, complaint_form=None if ok else form, notice=notice
        ),
    )


@login_required
@require_POST
def complaint_resolve_view(request: HttpRequest, matter_id: int, complaint_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id)
    access_child(request.user, Complaint, complaint_id, rows=matter.complaints.all())
    form = ResolveForm(request.POST)
    notice, ok = "", False
    if form.is_valid():
        try:
            complaint_resolve(user=request.user, complaint_id=complaint_id, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except ComplaintConflict as exc:
            form.add_error(None, str(exc))
        else:
            ok, notice = True, _("Resolved: collection contacts may resume.")
    if not ok and not notice:
        notice = "；".join(form.errors.get("__all__", []) + form.errors.get("resolution", []))
    return section_answer(
        request, matter, ok=ok, form=form, notice=notice,
        section=lambda: collection_section_response(request, matter, notice=notice),
    )


# --- The Excel export ------------------------------------------------------------------------


def _when(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@login_required
@require_GET
def collection_export(request: HttpRequest, matter_id: int) -> HttpResponse:
    """The matter's collection history as .xlsx: contacts, promises, complaints and demands, masked, audited."""
    matter = access_matter(request.user, matter_id)
    rows = []
    for contact in matter_contacts(matter):
        promise = contact.promise if hasattr(contact, "promise") else None
        rows.append([
            _("Contact"), _when(contact.occurred_at), contact.get_channel_display(), contact.get_direction_display(),
            contact.who, contact.masked_contact_point, contact.get_outcome_display(),
            f"{promise.amount} / {promise.due_on:%Y-%m-%d} / {promise.get_status_display()}" if promise else "",
            contact.note,
        ])
    for complaint in matter.complaints.order_by("received_on", "id"):
        rows.append([
            complaint.get_kind_display(), complaint.received_on.isoformat(), complaint.get_source_display(), "",
            "", "", complaint.get_status_display(), complaint.resolution, complaint.summary,
        ])
    for demand in matter.debt.demands.order_by("date", "id"):
        rows.append([
            _("Demand"), demand.date.isoformat(), demand.get_channel_display(), "", "", "",
            _("delivered") if demand.delivered else _("not delivered"), "", demand.note,
        ])
    columns = [
        Column(_("Record"), width=10), Column(_("When"), width=18), Column(_("Channel"), width=10),
        Column(_("Direction"), width=8), Column(_("Who"), width=16), Column(_("Number or address"), width=20),
        Column(_("Outcome or status"), width=14), Column(_("Promise / resolution"), width=28), Column(_("Note"), width=40),
    ]
    record_audit(
        actor=request.user,
        action=AuditAction.COLLECTION_EXPORTED,
        target=matter.number,
        detail={"matter": matter.pk, "rows": len(rows)},
    )
    response = HttpResponse(xlsx_bytes(sheet=_("Collection history"), columns=columns, rows=rows),
                            content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{matter.number}_催收记录.xlsx"
    )
    return response
