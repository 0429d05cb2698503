"""The evidence section of the matter page, served from evidence's own URLs (HTMX partials).

Each view reaches the matter through ``access_matter``, so another firm's matter answers
404 here as everywhere; only roles that may write evidence see and may use the form.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from evidence.conversion import UNAVAILABLE_MESSAGE, conversion_available
from evidence.forms import (
    BundleForm,
    CrossExaminationForm,
    EvidenceEditForm,
    EvidenceMoveForm,
    EvidenceUploadForm,
    EvidenceSearchForm,
    EvidenceWithdrawForm,
)
from evidence.models import EvidenceBundle, EvidenceItem, EvidenceKind
from evidence.search import evidence_search, highlight, query_terms, snippet
from evidence.services import (
    EvidenceStateConflict,
    bundle_request,
    cross_examination_record,
    evidence_reinstate,
    evidence_reorder,
    evidence_update,
    evidence_upload,
    evidence_withdraw,
)
from evidence.validation import title_from_filename
from legalcase.access import access_child, access_matter, can
from legalcase.models import DemandRecord, Matter
from legalcase.services.demands import demand_update

SEARCH_ROWS = 50  # hits a page shows; a narrower query finds the rest


def _section(request: HttpRequest, matter: Matter, *, form=None, results=None, bundle_form=None) -> HttpResponse:
    may_write = can(request.user, "write_evidence")
    bundles = list(
        EvidenceBundle.objects.filter(matter=matter).select_related("job").order_by("-created_at", "-id")[:20]
    )
    items = list(
        EvidenceItem.objects.filter(matter=matter)
        .select_related("uploaded_by", "pdf_job", "cross_examination__proceeding")
        .defer("text")
        .order_by("position", "id")
    )
    context = {
        "proceedings": list(matter.proceedings.order_by("created_at", "id")) if may_write else [],
        "matter": matter,
        "items": items,
        # The bundle form offers what a default bundle takes: the items not withdrawn.
        "bundle_items": [item for item in items if item.withdrawn_at is None],
        "may_write": may_write,
        "kinds": EvidenceKind.choices,
        # Shown when DOCX or XLSX items are waiting for a LibreOffice this host does not have.
        "conversion_unavailable": (
            not conversion_available() and any(item.is_pending for item in items)
        ),
        "form": (form or EvidenceUploadForm()) if may_write else None,
        "bundle_form": (bundle_form or BundleForm()) if may_write else None,
        "bundles": bundles,
        # While a bundle is being built the section reloads itself to show the outcome
        # (and while a DOCX or XLSX is being converted to PDF).
        "building": any(work.is_pending for work in [*bundles, *items]),
        "results": results or [],
        "unavailable_message": UNAVAILABLE_MESSAGE,
    }
    return render(request, "evidence/_section.html", context)


@login_required
@require_GET
def evidence_section(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id)
    return _section(request, matter)


def _file_row(post, index: int, name: str, *, defaults: dict) -> dict:
    """The ``index``-th file's own title, kind, purpose and date (``title_0``, ``kind_0``…).

    The page's script adds one row of these per chosen file; without it (or for a field
    left out) the title and date come from the file name and the kind and purpose from
    the shared fields. A date that does not parse refuses that file alone.
    """
    title, named_date = title_from_filename(name)
    row = {
        "title": (post.get(f"title_{index}") or "").strip() or title or name,
        "kind": post.get(f"kind_{index}") or defaults["kind"],
        "purpose": post[f"purpose_{index}"] if f"purpose_{index}" in post else defaults["purpose"],
        "document_date": named_date,
        "error": "",
    }
    if f"document_date_{index}" in post:
        typed = post[f"document_date_{index}"].strip()
        try:
            row["document_date"] = date.fromisoformat(typed) if typed else None
        except ValueError:
            row["error"] = _("Enter the document date as YYYY-MM-DD.")
    return row


@login_required
@require_POST
def evidence_upload_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    """Upload several files at once, each with its own title, kind, purpose and date; each accepted or refused on its own."""
    matter = access_matter(request.user, matter_id, action="write_evidence")
    form = EvidenceUploadForm(request.POST, request.FILES)
    results: list[dict] = []
    if form.is_valid():
        data = form.cleaned_data
        for index, uploaded in enumerate(data["files"]):
            row = _file_row(request.POST, index, uploaded.name, defaults=data)
            try:
                if row["error"]:
                    raise ValidationError(row["error"])
                item = evidence_upload(
                    user=request.user,
                    matter_id=matter.pk,
                    uploaded_file=uploaded,
                    kind=row["kind"],
                    title=row["title"],
                    purpose=row["purpose"],
                    source=data["source"],
                    group=data["group"],
                    document_date=row["document_date"],
                )
            except ValidationError as exc:
                results.append({"name": uploaded.name, "ok": False, "message": " ".join(exc.messages)})
            else:
                results.append({"name": item.original_filename, "ok": True, "message": _("Added")})
        form = None
    if request.htmx:
        # htmx swaps only 2xx answers, so form errors come back as 200 with the form.
        return _section(request, matter, form=form, results=results)
    for result in results:
        (messages.success if result["ok"] else messages.error)(request, f"{result['name']}: {result['message']}")
    if form is not None:
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    return redirect("matter_detail", matter_id=matter.pk)


@login_required
@require_POST
def bundle_build_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    """Build a bundle (a new version if the title exists) of the ticked items in the order shown.

    The form sends the chosen ids as repeated ``evidence`` inputs in the order the user
    dragged them into, with ``pick`` marking that a choice was made; without ``pick``
    (no script, an old page) the bundle takes all the matter's evidence in upload order.
    Ids that are not the matter's evidence are refused by name and nothing is stored.
    """
    matter = access_matter(request.user, matter_id, action="write_evidence")
    form = BundleForm(request.POST)
    results: list[dict] = []
    if form.is_valid():
        evidence_ids = form.cleaned_data["evidence"] if "pick" in request.POST else None
        try:
            bundle = bundle_request(
                user=request.user, matter_id=matter.pk, title=form.cleaned_data["title"], evidence_ids=evidence_ids
            )
        except ValidationError as exc:
            results.append({"name": form.cleaned_data["title"], "ok": False, "message": " ".join(exc.messages)})
        else:
            results.append(
                {
                    "name": bundle.title,
                    "ok": True,
                    "message": _("Building version %(version)s") % {"version": bundle.version},
                }
            )
        form = None
    if request.htmx:
        return _section(request, matter, bundle_form=form, results=results)
    for result in results:
        (messages.success if result["ok"] else messages.error)(request, f"{result['name']}: {result['message']}")
    if form is not None:
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    return redirect("matter_detail", matter_id=matter.pk)


def _item_of(matter: Matter, evidence_id: int) -> EvidenceItem:
    item = EvidenceItem.objects.filter(pk=evidence_id, matter=matter).first()
    if item is None:
        raise Http404("evidence not found")
    return item


def _answer(request: HttpRequest, matter: Matter, results: list[dict]) -> HttpResponse:
    """The section again (HTMX) or the matter page with the outcome as a message."""
    if request.htmx:
        return _section(request, matter, results=results)
    for result in results:
        (messages.success if result["ok"] else messages.error)(request, f"{result['name']}: {result['message']}")
    return redirect("matter_detail", matter_id=matter.pk)


def _form_errors(form) -> str:
    """A form's errors as one line, each after its field's label."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.extend(f"{label}：{error}" if label else str(error) for error in errors)
    return " ".join(parts)


def _act(request: HttpRequest, matter: Matter, item: EvidenceItem, act, done: str) -> HttpResponse:
    try:
        act()
    except ValidationError as exc:
        results = [{"name": item.title, "ok": False, "message": " ".join(exc.messages)}]
    except EvidenceStateConflict as exc:
        results = [{"name": item.title, "ok": False, "message": str(exc)}]
    else:
        results = [{"name": item.title, "ok": True, "message": done}]
    return _answer(request, matter, results)


@login_required
@require_POST
def evidence_edit_view(request: HttpRequest, matter_id: int, evidence_id: int) -> HttpResponse:
    """Correct one item's title, kind, date, purpose, source and group in place."""
    matter = access_matter(request.user, matter_id, action="write_evidence")
    item = _item_of(matter, evidence_id)
    form = EvidenceEditForm(request.POST)
    if not form.is_valid():
        return _answer(request, matter, [{"name": item.title, "ok": False, "message": _form_errors(form)}])
    return _act(
        request,
        matter,
        item,
        lambda: evidence_update(user=request.user, evidence_id=item.pk, changes=form.cleaned_data),
        pgettext("evidence", "Saved"),
    )


@login_required
@require_POST
def evidence_move_view(request: HttpRequest, matter_id: int, evidence_id: int) -> HttpResponse:
    """Move one item up or down, or to a position typed in; the others close up."""
    matter = access_matter(request.user, matter_id, action="write_evidence")
    item = _item_of(matter, evidence_id)
    form = EvidenceMoveForm(request.POST)
    if not form.is_valid():
        return _answer(request, matter, [{"name": item.title, "ok": False, "message": _form_errors(form)}])
    direction = form.cleaned_data["direction"]
    if direction:
        count = EvidenceItem.objects.filter(matter=matter).count()
        position = min(max(item.position + (-1 if direction == "up" else 1), 1), count)
    else:
        position = form.cleaned_data["position"]
    return _act(
        request,
        matter,
        item,
        lambda: evidence_reorder(user=request.user, evidence_id=item.pk, position=position),
        pgettext("evidence", "Moved to No. %(position)s") % {"position": position},
    )


@login_required
@require_POST
def evidence_withdraw_view(request: HttpRequest, matter_id: int, evidence_id: int) -> HttpResponse:
    """Withdraw one item, with the reason; it stays listed, greyed, and can be reinstated."""
    matter = access_matter(request.user, matter_id, action="write_evidence")
    item = _item_of(matter, evidence_id)
    form = EvidenceWithdrawForm(request.POST)
    if not form.is_valid():
        return _answer(request, matter, [{"name": item.title, "ok": False, "message": _form_errors(form)}])
    return _act(
        request,
        matter,
        item,
        lambda: evidence_withdraw(user=request.user, evidence_id=item.pk, reason=form.cleaned_data["reason"]),
        pgettext("evidence", "Withdrawn"),
    )


@login_required
@require_POST
def evidence_reinstate_view(request: HttpRequest, matter_id: int, evidence_id: int) -> HttpResponse:
    """Undo a withdrawal."""
    matter = access_matter(request.user, matter_id, action="write_evidence")
    item = _item_of(matter, evidence_id)
    return _act(
        request,
        matter,
        item,
        lambda: evidence_reinstate(user=request.user, evidence_id=item.pk),
        pgettext("evidence", "Reinstated"),
    )


@login_required
@require_POST
def demand_proof_upload_view(request: HttpRequest, matter_id: int, demand_id: int) -> HttpResponse:
    """Store the proof of a demand's delivery (the signed receipt, the courier's PDF) as evidence and attach it.

    The file is validated like any evidence and stored as ``delivery_proof``; the demand
    then names it (``demand_update``), in the same transaction, so a refused file
    leaves neither. Attaching proof does not by itself deliver the demand.
    """
    matter = access_matter(request.user, matter_id, action="write_evidence")
    demand = access_child(
        request.user, DemandRecord, demand_id, action="write_demands", rows=DemandRecord.objects.filter(debt__matter=matter)
    )
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, _("Choose a file."))
        return redirect(f"{reverse('matter_detail', args=[matter.pk])}#matter-demands")
    title = _("Proof of delivery: %(what)s") % {
        "what": f"{demand.get_courier_display()} {demand.waybill}" if demand.waybill else demand.date.isoformat()
    }
    try:
        with transaction.atomic():
            item = evidence_upload(
                user=request.user,
                matter_id=matter.pk,
                uploaded_file=uploaded,
                kind=EvidenceKind.DELIVERY_PROOF,
                title=title,
                # Left empty: the filings say what it proves from the demand (delivered or not).
                document_date=demand.delivered_on,
            )
            demand_update(user=request.user, demand_id=demand.pk, changes={"proof": item.pk})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Proof of delivery stored as evidence."))
    return redirect(f"{reverse('matter_detail', args=[matter.pk])}#matter-demands")


@login_required
@require_POST
def cross_examination_view(request: HttpRequest, matter_id: int, evidence_id: int) -> HttpResponse:
    """Record the other side's cross-examination (质证) of one item and our reply, from the item's form."""
    matter = access_matter(request.user, matter_id, action="write_evidence")
    item = _item_of(matter, evidence_id)
    form = CrossExaminationForm(request.POST)
    if not form.is_valid():
        return _answer(request, matter, [{"name": item.title, "ok": False, "message": _form_errors(form)}])
    return _act(
        request,
        matter,
        item,
        lambda: cross_examination_record(user=request.user, evidence_id=item.pk, changes=form.changes()),
        _("Cross-examination saved"),
    )


def _search_hits(request: HttpRequest, *, matter: Matter | None) -> dict:
    """The hits of the search box's query, each with its snippet highlighted; the refusal in Chinese."""
    form = EvidenceSearchForm(request.GET)
    form.is_valid()
    data = form.cleaned_data if form.is_valid() else {}
    q = data.get("q", "")
    context = {"form": form, "q": q, "hits": [], "error": "", "searched": bool(q), "more": False}
    if not q:
        return context
    withdrawn = {"true": True, "false": False}.get(data.get("withdrawn", ""))
    try:
        rows = evidence_search(
            user=request.user, q=q, matter_id=matter.pk if matter else None, kind=data.get("kind"), withdrawn=withdrawn
        )
        terms = query_terms(q)
    except ValidationError as exc:
        context["error"] = " ".join(exc.messages)
        return context
    found = list(rows.select_related("matter")[: SEARCH_ROWS + 1])
    context["more"] = len(found) > SEARCH_ROWS
    context["hits"] = [
        {"item": item, "snippet": highlight(snippet(item.title, item.text, terms), terms), "title": highlight(item.title, terms)}
        for item in found[:SEARCH_ROWS]
    ]
    return context


@login_required
@require_GET
def evidence_section_search(request: HttpRequest, matter_id: int) -> HttpResponse:
    """The evidence section's search box: this matter's hits (HTMX partial)."""
    matter = access_matter(request.user, matter_id)
    context = {**_search_hits(request, matter=matter), "matter": matter, "cross_matter": False}
    return render(request, "evidence/_search_results.html", context)


@login_required
@require_GET
def evidence_search_page(request: HttpRequest) -> HttpResponse:
    """证据检索: the titles and extracted or OCR text of all the evidence the user may see."""
    matter = None
    if request.GET.get("matter"):
        matter = access_matter(request.user, request.GET["matter"])
    context = {**_search_hits(request, matter=matter), "matter": matter, "cross_matter": True, "nav": "evidence_search"}
    return render(request, "evidence/search.html", context)
