"""The evidence section of the matter page, served from evidence's own URLs (HTMX partials).

Each view reaches the matter through ``access_matter``, so another firm's matter answers
404 here as everywhere; only roles that may write evidence see and may use the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from evidence.conversion import UNAVAILABLE_MESSAGE, conversion_available
from evidence.forms import BundleForm, EvidenceUploadForm
from evidence.models import EvidenceBundle, EvidenceItem
from evidence.services import bundle_request, evidence_upload
from evidence.validation import title_from_filename
from legalcase.access import access_matter, can
from legalcase.models import Matter


def _section(request: HttpRequest, matter: Matter, *, form=None, results=None, bundle_form=None) -> HttpResponse:
    may_write = can(request.user, "write_evidence")
    bundles = list(
        EvidenceBundle.objects.filter(matter=matter).select_related("job").order_by("-created_at", "-id")[:20]
    )
    items = list(
        EvidenceItem.objects.filter(matter=matter)
        .select_related("uploaded_by", "pdf_job")
        .order_by("uploaded_at", "id")
    )
    context = {
        "matter": matter,
        "items": items,
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


@login_required
@require_POST
def evidence_upload_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    """Upload several files at once; each is accepted or refused on its own, with the reason."""
    matter = access_matter(request.user, matter_id, action="write_evidence")
    form = EvidenceUploadForm(request.POST, request.FILES)
    results: list[dict] = []
    if form.is_valid():
        data = form.cleaned_data
        for uploaded in data["files"]:
            title, document_date = title_from_filename(uploaded.name)
            try:
                item = evidence_upload(
                    user=request.user,
                    matter_id=matter.pk,
                    uploaded_file=uploaded,
                    kind=data["kind"],
                    title=title or uploaded.name,
                    purpose=data["purpose"],
                    source=data["source"],
                    group=data["group"],
                    document_date=document_date,
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
