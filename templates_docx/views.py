"""Pages: the filings section of the matter page (HTMX partial) and the template registry.

The section reaches the matter through ``access_matter`` like every other section;
only roles that may write filings see the generate form. The registry page lists every
version; uploading and activating are for administrators only.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from legalcase.access import access_child, access_matter, can, require
from legalcase.models import Matter
from legalcase.views import BATCH_SELECTION_KEY
from templates_docx.batches import batch_bundle_errors, batch_checks, batch_errors, batch_request
from templates_docx.completion import filing_check, panel_rows, panel_save
from templates_docx.context import exceeds_24_percent, matter_context, with_filing_data
from templates_docx.forms import BatchForm, TemplateUploadForm
from templates_docx.models import Batch, DocumentTemplate
from templates_docx.services import (
    document_request,
    matter_documents,
    template_current,
    template_fields,
    template_set_active,
    template_store,
)


def _section(
    request: HttpRequest, matter: Matter, *, chosen: str = "", error: str = "", errors: list[str] | None = None
) -> HttpResponse:
    templates = [
        template
        for template in DocumentTemplate.objects.current(on=timezone.localdate()).defer("content").order_by("code")
        if template.fits(matter)
    ]
    template = next((template for template in templates if template.code == chosen), None)
    fields, rows = [], []
    if template is not None:
        loaded = with_filing_data(Matter.objects.filter(pk=matter.pk)).get()
        context = matter_context(loaded, today=timezone.localdate())
        fields = template_fields(template=template, context=context)
        # Complete before generating: each element a render now would leave 【待补充】, with its input.
        rows = panel_rows(filing_check(matter=loaded, template=template, context=context))
    documents = list(matter_documents(matter)[:30])
    context = {
        "matter": matter,
        "templates": templates,
        "template": template,
        "fields": fields,
        "missing_labels": list(dict.fromkeys(label for row in rows for label in row["labels"])),
        "rows": rows,
        "may_complete": can(request.user, "write_filings"),
        "errors": errors or [],
        "may_generate": can(request.user, "write_filings"),
        "documents": documents,
        "working": any(document.is_pending for document in documents),
        "error": error,
        "exceeds_24_percent": exceeds_24_percent(matter.debt),
    }
    return render(request, "templates_docx/_section.html", context)


@login_required
@require_GET
def filings_section(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id)
    return _section(request, matter, chosen=request.GET.get("template", ""))


@login_required
@require_POST
def document_generate_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    matter = access_matter(request.user, matter_id, action="write_filings")
    code = request.POST.get("template", "")
    try:
        document_request(user=request.user, matter_id=matter.pk, template_code=code)
    except ValidationError as exc:
        return _section(request, matter, chosen=code, error="；".join(exc.messages))
    if not request.htmx:
        messages.success(request, _("The document is being generated."))
        return redirect("matter_detail", matter_id=matter.pk)
    return _section(request, matter, chosen=code)


@login_required
@require_POST
def filing_complete_view(request: HttpRequest, matter_id: int) -> HttpResponse:
    """Save the filing panel's (or the batch pre-check's) inputs to the record, then show what is left.

    Each value goes through the service that owns its field, which checks the role again
    (a lawyer may complete a filing but not correct the creditor, for one).
    """
    matter = access_matter(request.user, matter_id, action="write_filings")
    code = request.POST.get("template", "")
    try:
        template = template_current(code)
    except ValidationError as exc:
        return _section(request, matter, error="；".join(exc.messages))
    loaded = with_filing_data(Matter.objects.filter(pk=matter.pk)).get()
    posted = {name: value for name, value in request.POST.items() if "|" in name}
    errors = panel_save(user=request.user, matter=loaded, template=template, posted=posted)
    back = request.POST.get("next", "")
    if back == "batch":
        for line in errors:
            messages.error(request, f"{matter.number}：{line}")
        if not errors:
            messages.success(request, _("Saved to the record of %(number)s.") % {"number": matter.number})
        query = urlencode(
            {
                "template": code,
                "procedure": request.POST.get("batch_procedure", ""),
                "bundle": request.POST.get("batch_bundle", ""),
            }
        )
        return redirect(f"{reverse('batch_new')}?{query}#checks-missing")
    if not request.htmx:
        for line in errors:
            messages.error(request, line)
        return redirect(f"{reverse('matter_detail', args=[matter.pk])}?template={code}#filings")
    return _section(request, access_matter(request.user, matter.pk), chosen=code, errors=errors)


@login_required
@require_http_methods(["GET", "POST"])
def template_registry(request: HttpRequest) -> HttpResponse:
    """Every template version; administrators upload new versions here."""
    may_manage = can(request.user, "manage_templates")
    form = TemplateUploadForm() if may_manage else None
    if request.method == "POST":
        require(request.user, "manage_templates")
        form = TemplateUploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                template = template_store(
                    user=request.user,
                    code=data["code"],
                    name=data["name"],
                    content=data["file"].read(),
                    form_version=data["form_version"],
                    effective_from=data["effective_from"],
                    filename=data["file"].name,
                    note=data["note"],
                    activate=data["activate"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Template %(name)s version %(version)s stored.") % {
                    "name": template.name, "version": template.version,
                })
                return redirect("template_registry")
    templates = DocumentTemplate.objects.defer("content").select_related("uploaded_by").order_by("code", "-version")
    current = set(DocumentTemplate.objects.current(on=timezone.localdate()).values_list("pk", flat=True))
    return render(
        request,
        "templates_docx/registry.html",
        {"templates": templates, "current": current, "form": form, "may_manage": may_manage, "nav": "templates"},
    )


@login_required
@require_POST
def template_activate_view(request: HttpRequest, template_id: int) -> HttpResponse:
    active = request.POST.get("active") == "1"
    template = template_set_active(user=request.user, template_id=template_id, active=active)
    if active:
        messages.success(request, _("%(name)s version %(version)s is active.") % {"name": template.name, "version": template.version})
    else:
        messages.success(request, _("%(name)s version %(version)s is retired.") % {"name": template.name, "version": template.version})
    return redirect("template_registry")


@login_required
@require_http_methods(["GET", "POST"])
def batch_new(request: HttpRequest) -> HttpResponse:
    """Choose the template for the matters handed over by the matter list, check, start."""
    require(request.user, "write_filings")
    selection = request.session.get(BATCH_SELECTION_KEY) or []
    templates = list(DocumentTemplate.objects.current(on=timezone.localdate()).defer("content").order_by("code"))
    # Back from saving a pre-check row (filing_complete_view): the checks again, for the same choice.
    rechecking = request.method == "GET" and "template" in request.GET
    form = BatchForm(request.POST or (request.GET if rechecking else None), templates=templates)
    checks = None
    if (request.method == "POST" or rechecking) and selection and form.is_valid():
        data = form.cleaned_data
        dropped = _dropped(request, selection)
        if dropped and len(dropped) == len(selection):
            form.add_error(None, _("Every matter would be dropped: keep at least one."))
            return render(
                request, "templates_docx/batch_new.html", {"selection": selection, "form": form, "checks": None, "nav": "matters"}
            )
        if dropped:
            # The pre-check's warnings acted on: the dropped matters leave the selection.
            selection = [pk for pk in selection if pk not in dropped]
            request.session[BATCH_SELECTION_KEY] = selection
            messages.info(
                request,
                ngettext("%(count)s matter dropped from the batch.", "%(count)s matters dropped from the batch.", len(dropped))
                % {"count": len(dropped)},
            )
        try:
            if request.POST.get("step") == "start":
                batch = batch_request(
                    user=request.user,
                    matter_ids=selection,
                    template_code=data["template"],
                    bundle=data["bundle"],
                    procedure=data["procedure"],
                )
                request.session.pop(BATCH_SELECTION_KEY, None)
                return redirect("batch_detail", batch_id=batch.pk)
            checks = batch_checks(
                user=request.user,
                matter_ids=selection,
                template_code=data["template"],
                procedure=data["procedure"],
                bundle=data["bundle"],
            )
        except ValidationError as exc:
            form.add_error(None, "；".join(exc.messages))
    return render(
        request, "templates_docx/batch_new.html", {"selection": selection, "form": form, "checks": checks, "nav": "matters"}
    )


def _dropped(request: HttpRequest, selection: list) -> set:
    """The matters ticked to drop on the pre-check page, among those selected (others are ignored)."""
    chosen = set(selection)
    dropped = set()
    for raw in request.POST.getlist("drop"):
        try:
            pk = int(raw)
        except ValueError:
            continue
        if pk in chosen:
            dropped.add(pk)
    return dropped


@login_required
@require_GET
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = access_child(request.user, Batch, batch_id, rows=Batch.objects.select_related("template", "job"))
    counts = batch.counts()
    processed = counts["done"] + counts["failed"]
    total = batch.total or 1
    context = {
        "batch": batch,
        "counts": counts,
        "processed": processed,
        "percent": round(processed * 100 / batch.total) if batch.total else 100,
        # The bar's two parts: done in green (blue while running), failed in red.
        "percent_done": round(counts["done"] * 100 / total, 1),
        "percent_failed": round(counts["failed"] * 100 / total, 1),
        "status": batch.status_for(counts),
        "errors": batch_errors(batch),
        "bundle_errors": batch_bundle_errors(batch),
    }
    template = "templates_docx/_batch_progress.html" if request.GET.get("partial") else "templates_docx/batch_detail.html"
    return render(request, template, context)
