"""The 法院通知 pages: the list with its review queue, pasting and uploading a notice, and a notice's detail.

Here rather than in legalcase for the reason ``court_notice_api`` is: an upload is
stored like evidence and becomes evidence when confirmed. The same services answer the
API; the page shows what was read, lets a person correct it, choose the matter and the
proceeding, and confirm or dismiss.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from evidence.court_notices import court_notice_confirm_all, court_notice_upload
from legalcase.access import access_child, can, visible_matters
from legalcase.court_notices import masked_text
from legalcase.models import (
    CourtNotice,
    CourtNoticeChannel,
    CourtNoticeKind,
    CourtNoticeStatus,
    Matter,
    Proceeding,
)
from legalcase.services.court_notices import (
    court_notice_candidates,
    court_notice_dismiss,
    court_notice_post,
    court_notices_visible,
)
from legalcase.services.record import RecordConflict

PAGE_ROWS = 50
BEIJING = timezone.get_fixed_timezone(8 * 60)
DEADLINE_FIELDS = {"evidence_period": "evidence_period_due", "defence_period": "defence_period_due"}
PASTE_CHANNELS = [(value, label) for value, label in CourtNoticeChannel.choices if value != CourtNoticeChannel.UPLOAD]
# The status tabs of the list; "review" is the queue: everything not yet decided.
TABS = (
    ("review", gettext_lazy("To review")),
    ("unmatched", gettext_lazy("Not matched")),
    ("confirmed", gettext_lazy("Confirmed")),
    ("dismissed", gettext_lazy("Dismissed")),
    ("all", gettext_lazy("All")),
)
UNDECIDED = (CourtNoticeStatus.MATCHED, CourtNoticeStatus.CANDIDATES, CourtNoticeStatus.UNMATCHED)


def _local_input(value: dt.datetime | str | None) -> str:
    """A datetime as the value of an ``<input type="datetime-local">``, in Beijing time."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if value else None
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


class BeijingDateTimeField(forms.DateTimeField):
    """A datetime-local input read as Beijing time (the court's and the user's)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def to_python(self, value):
        result = super().to_python(value)
        if result is not None and timezone.is_aware(result):
            result = result.replace(tzinfo=None)
        return result.replace(tzinfo=BEIJING) if result is not None else None


class PasteForm(forms.Form):
    channel = forms.ChoiceField(label=gettext_lazy("Arrived by"), choices=PASTE_CHANNELS, initial="sms")
    received_at = BeijingDateTimeField(label=gettext_lazy("Received at"))
    text = forms.CharField(
        label=gettext_lazy("Text of the notice"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 70}),
        max_length=20_000,
        help_text=gettext_lazy("Paste the SMS or e-mail as it arrived; links are kept as text and never opened."),
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("PDF or DOCX file"))
    received_at = BeijingDateTimeField(label=gettext_lazy("Received at"))


class ConfirmForm(forms.Form):
    """The matter, the proceeding and the reading's fields, prefilled with what was read."""

    matter = forms.ChoiceField(label=gettext_lazy("Matter"), required=False)
    matter_number = forms.CharField(
        label=gettext_lazy("Or the matter number"), required=False, max_length=20,
        help_text=gettext_lazy("When the notice belongs to a matter not proposed, e.g. FS-2026-000001."),
    )  # fmt: skip
    proceeding = forms.ChoiceField(label=gettext_lazy("Proceeding"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind of notice"), choices=CourtNoticeKind.choices)
    court = forms.CharField(label=gettext_lazy("Court"), required=False, max_length=200)
    case_number = forms.CharField(label=gettext_lazy("Case number"), required=False, max_length=60)
    hearing_at = BeijingDateTimeField(label=gettext_lazy("Hearing time"), required=False)
    place = forms.CharField(label=gettext_lazy("Place"), required=False, max_length=200)
    parties = forms.CharField(
        label=gettext_lazy("Parties"), required=False, max_length=1000,
        help_text=gettext_lazy("Separated by 、 or commas."),
    )  # fmt: skip
    evidence_period_due = forms.DateField(
        label=gettext_lazy("Evidence period ends"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    defence_period_due = forms.DateField(
        label=gettext_lazy("Answer period ends"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, matters: list[Matter], proceedings: list[Proceeding], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = [("", "—")] + [
            (str(matter.pk), f"{matter.number} · {matter.debt.debtor.name}") for matter in matters
        ]
        self.fields["proceeding"].choices = [("", gettext_lazy("By the case number"))] + [
            (str(row.pk), f"{row.matter.number} · {row.case_number or row.get_kind_display()}") for row in proceedings
        ]


def _parsed_initial(notice: CourtNotice) -> dict[str, Any]:
    parsed = notice.parsed or {}
    deadlines = {row.get("kind"): row.get("due_on") for row in parsed.get("deadlines") or []}
    return {
        "matter": str(notice.matter_id or ""),
        "proceeding": str(notice.proceeding_id or ""),
        "kind": parsed.get("kind") or CourtNoticeKind.OTHER,
        "court": parsed.get("court") or "",
        "case_number": parsed.get("case_number") or "",
        "hearing_at": _local_input(parsed.get("hearing_at")),
        "place": parsed.get("place") or "",
        "parties": "、".join(parsed.get("parties") or []),
        "evidence_period_due": deadlines.get("evidence_period") or "",
        "defence_period_due": deadlines.get("defence_period") or "",
    }


def _corrections(notice: CourtNotice, data: dict[str, Any]) -> dict[str, Any]:
    """The fields a person changed from the reading, in the reading's JSON shape."""
    parsed = notice.parsed or {}
    wanted: dict[str, Any] = {
        "kind": data["kind"],
        "court": data["court"].strip() or None,
        "case_number": data["case_number"].strip() or None,
        "hearing_at": data["hearing_at"].isoformat() if data["hearing_at"] else None,
        "place": data["place"].strip() or None,
        "parties": [name.strip() for name in data["parties"].replace(",", "、").replace("，", "、").split("、") if name.strip()],
    }
    corrections = {}
    for name, value in wanted.items():
        before = parsed.get(name)
        if name == "hearing_at" and before and value:
            same = dt.datetime.fromisoformat(before) == dt.datetime.fromisoformat(value)
        else:
            same = (before or None) == (value or None)
        if not same:
            corrections[name] = value
    read = {row.get("kind"): row for row in parsed.get("deadlines") or []}
    deadlines = [row for kind, row in read.items() if kind not in DEADLINE_FIELDS]
    changed = False
    for kind, field in DEADLINE_FIELDS.items():
        due = data[field].isoformat() if data[field] else None
        if due != (read.get(kind) or {}).get("due_on"):
            changed = True
        if due:
            deadlines.append({"kind": kind, "due_on": due})
    if changed:
        corrections["deadlines"] = [{"kind": row["kind"], "due_on": row.get("due_on")} for row in deadlines]
    return corrections


def _confirm_context(request: HttpRequest, notice: CourtNotice, form: ConfirmForm | None = None) -> dict[str, Any]:
    matters = court_notice_candidates(request.user, notice)
    proceedings = list(
        Proceeding.objects.filter(matter__in=[matter.pk for matter in matters]).select_related("matter").order_by("pk")
    )
    if form is None and not notice.is_decided:
        form = ConfirmForm(initial=_parsed_initial(notice), matters=matters, proceedings=proceedings)
    reading = notice.reading or {}
    return {
        "nav": "court_notices",
        "notice": notice,
        "text": masked_text(notice.text),
        "candidates": matters,
        "form": form,
        "reading_rows": _reading_rows(reading),
        "corrections": [READING_LABELS.get(name, name) for name in notice.corrections],
        "may_write": can(request.user, "write_court_notices"),
    }


READING_LABELS = {
    "kind": gettext_lazy("Kind of notice"),
    "court": gettext_lazy("Court"),
    "case_number": gettext_lazy("Case number"),
    "hearing_at": gettext_lazy("Hearing time"),
    "place": gettext_lazy("Place"),
    "parties": gettext_lazy("Parties"),
    "deadlines": gettext_lazy("Deadlines"),
    "link": gettext_lazy("Link (never opened)"),
}
DEADLINE_LABELS = {
    "fee_payment": gettext_lazy("Court fee due"),
    "evidence_period": gettext_lazy("Evidence period ends"),
    "defence_period": gettext_lazy("Answer period ends"),
    "property_report": gettext_lazy("Property report due"),
    "appeal": gettext_lazy("Appeal period ends"),
}


def _reading_rows(reading: dict[str, Any]) -> list[tuple[str, str | None]]:
    rows = []
    for name, label in READING_LABELS.items():
        value = reading.get(name)
        if name == "kind" and value:
            value = CourtNoticeKind(value).label if value in CourtNoticeKind.values else value
        elif name == "hearing_at" and value:
            value = _local_input(value).replace("T", " ")
        elif name == "parties":
            value = "、".join(value) if value else None
        elif name == "deadlines":
            value = "；".join(
                f"{DEADLINE_LABELS.get(row.get('kind'), row.get('kind'))} {row.get('due_on') or _('from the day of receipt')}"
                for row in value or []
            ) or None
        rows.append((label, value))
    return rows


def _errors_to_form(form: forms.Form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        field = {"deadlines": "evidence_period_due", "hearing_at": "hearing_at"}.get(name, name)
        form.add_error(field if field in form.fields else None, errors)


def _list_response(
    request: HttpRequest, *, paste_form: PasteForm | None = None, upload_form: UploadForm | None = None
) -> HttpResponse:
    tab = request.GET.get("status", "review")
    tab = tab if tab in dict(TABS) else "review"
    rows = court_notices_visible(request.user).order_by("-received_at", "-id")
    if tab == "review":
        rows = rows.filter(status__in=UNDECIDED)
    elif tab != "all":
        rows = rows.filter(status=tab)
    page = Paginator(rows, PAGE_ROWS).get_page(request.GET.get("page"))
    now = _local_input(timezone.now())
    return render(
        request,
        "evidence/court_notice_list.html",
        {
            "nav": "court_notices",
            "page": page,
            "rows": [(notice, masked_text(notice.text)[:120]) for notice in page.object_list],
            "tabs": TABS,
            "tab": tab,
            "may_write": can(request.user, "write_court_notices"),
            "paste_form": paste_form or PasteForm(initial={"received_at": now}),
            "upload_form": upload_form or UploadForm(initial={"received_at": now}),
        },
    )


@login_required
def court_notice_list(request: HttpRequest) -> HttpResponse:
    """法院通知: the review queue first, then unmatched, confirmed, dismissed, all; paste and upload forms."""
    return _list_response(request)


def _posted(request: HttpRequest, form: forms.Form, post, *, name: str) -> HttpResponse:
    if not can(request.user, "write_court_notices"):
        raise PermissionDenied("your role may not post court notices")
    if form.is_valid():
        try:
            notice, created = post(form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            if created:
                messages.success(request, _("Notice recorded: check what was read and confirm it."))
            else:
                messages.info(request, _("This notice was already recorded; here it is."))
            return redirect("court_notice_detail", notice_id=notice.pk)
    # The list again, with the form and its errors under the fields; nothing was stored.
    return _list_response(request, **{name: form})


@login_required
@require_POST
def court_notice_paste(request: HttpRequest) -> HttpResponse:
    return _posted(
        request,
        PasteForm(request.POST),
        lambda data: court_notice_post(
            user=request.user, channel=data["channel"], text=data["text"], received_at=data["received_at"]
        ),
        name="paste_form",
    )


@login_required
@require_POST
def court_notice_upload_view(request: HttpRequest) -> HttpResponse:
    return _posted(
        request,
        UploadForm(request.POST, request.FILES),
        lambda data: court_notice_upload(user=request.user, uploaded_file=data["file"], received_at=data["received_at"]),
        name="upload_form",
    )


@login_required
@require_http_methods(["GET", "POST"])
def court_notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    """A notice: its text (masked), what was read, the corrections; confirm on a matter or dismiss."""
    notice = access_child(request.user, CourtNotice, notice_id)
    if request.method == "GET":
        return render(request, "evidence/court_notice_detail.html", _confirm_context(request, notice))
    notice = access_child(request.user, CourtNotice, notice_id, action="write_court_notices")
    context = _confirm_context(request, notice)
    if notice.is_decided:
        confirmed = notice.status == CourtNoticeStatus.CONFIRMED
        messages.error(
            request,
            _("This court notice was already confirmed.") if confirmed else _("This court notice was already dismissed."),
        )
        return redirect("court_notice_detail", notice_id=notice.pk)
    matters = context["candidates"]
    proceedings = list(
        Proceeding.objects.filter(matter__in=[matter.pk for matter in matters]).select_related("matter").order_by("pk")
    )
    form = ConfirmForm(request.POST, matters=matters, proceedings=proceedings)
    if form.is_valid():
        data = form.cleaned_data
        matter_id: Any = data["matter"] or None
        if data["matter_number"].strip():
            found = visible_matters(request.user).filter(number=data["matter_number"].strip()).first()
            if found is None:
                form.add_error("matter_number", _("No such matter among yours."))
            matter_id = found.pk if found else None
        if not form.errors:
            try:
                court_notice_confirm_all(
                    user=request.user,
                    notice_id=notice.pk,
                    matter_id=matter_id,
                    proceeding_id=data["proceeding"] or None,
                    corrections=_corrections(notice, data),
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            except RecordConflict as exc:
                messages.error(request, str(exc))
                return redirect("court_notice_detail", notice_id=notice.pk)
            else:
                messages.success(request, _("Notice confirmed: the hearing and the dates it starts are on the matter."))
                return redirect("court_notice_detail", notice_id=notice.pk)
    context["form"] = form
    return render(request, "evidence/court_notice_detail.html", context, status=200)


@login_required
@require_POST
def court_notice_dismiss_view(request: HttpRequest, notice_id: int) -> HttpResponse:
    access_child(request.user, CourtNotice, notice_id, action="write_court_notices")
    try:
        court_notice_dismiss(user=request.user, notice_id=notice_id, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except RecordConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Notice dismissed."))
    return redirect("court_notice_detail", notice_id=notice_id)
