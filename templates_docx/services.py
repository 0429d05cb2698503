"""Filing use cases: templates (install, upload, activate) and generated documents.

A document is generated in two jobs: ``document_generate`` (default queue) builds the
context, renders the DOCX in the render pool and stores it; ``document_convert`` (the
``pdf`` queue, beside evidence conversions) makes the PDF with the evidence toolkit's
LibreOffice converter. The row's ``status`` is ``done`` once every offered format is
stored; a failure is recorded on the row with its reason in Chinese.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import BinaryIO

import pikepdf
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from evidence.conversion import conversion_available, convert_many
from evidence.services import private_file, private_storage
from legalcase.access import access_child, access_matter, require
from legalcase.events import record_event
from legalcase.jobs import JobReporter, job_create, without_paths
from legalcase.models import EventKind, Job, Matter, User
from legalcase.services.bound_parties import enforcement_bound
from templates_docx.context import matter_context
from templates_docx.defaults import ENFORCEMENT_CODES
from templates_docx.models import DocumentStatus, DocumentTemplate, GeneratedDocument, TemplateEvent
from templates_docx.pool import RenderFailed, render_pool
from templates_docx.rendering import analyse_template, marker_labels, sha256
from templates_docx.sample import SAMPLE_CONTEXT

GENERATE_JOB = "document_generate"
CONVERT_JOB = "document_convert"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


def template_check(content: bytes) -> list[str]:
    """The variables a template uses; raises ``ValidationError`` with every problem found.

    The checks, in order: size, the ZIP directory (members, sizes, ratios, names),
    syntax, only allowed tags and filters, only variables of the sample context, and a
    test render against the sample matter in the render pool (limits included).
    """
    if len(content) > MAX_TEMPLATE_BYTES:
        raise ValidationError({"file": [f"模板文件过大（上限 {MAX_TEMPLATE_BYTES // 1024 // 1024} MB）"]})
    analysis = analyse_template(content, SAMPLE_CONTEXT)
    if analysis.problems:
        raise ValidationError({"file": analysis.problems})
    try:
        render_pool().render(template=content, digest=sha256(content), context=SAMPLE_CONTEXT)  # sandboxed jinja_env
    except RenderFailed as exc:
        raise ValidationError({"file": [f"试生成失败：{exc}"]}) from None
    return analysis.variables


def template_store(
    *,
    user: User | None,
    code: str,
    name: str,
    content: bytes,
    form_version: str = "",
    effective_from=None,
    filename: str = "",
    note: str = "",
    activate: bool = False,
) -> DocumentTemplate:
    """Check and store a new version of a template (version = last + 1); administrators only.

    ``user`` is None only for the shipped defaults installed by a migration or command.
    """
    if user is not None:
        require(user, "manage_templates")
    code = (code or "").strip()
    name = (name or "").strip()
    errors = {}
    if not code or not code.replace("_", "").isalnum() or not code.isascii():
        errors["code"] = ["代码只能由英文字母、数字和下划线组成"]
    if not name:
        errors["name"] = ["请填写模板名称"]
    if errors:
        raise ValidationError(errors)
    variables = template_check(content)
    with transaction.atomic():
        last = (
            DocumentTemplate.objects.select_for_update().filter(code=code).order_by("-version").first()
        )
        template = DocumentTemplate.objects.create(
            code=code,
            name=name[:200],
            version=(last.version + 1) if last else 1,
            form_version=form_version.strip()[:60],
            effective_from=effective_from or timezone.localdate(),
            content=content,
            sha256=sha256(content),
            original_filename=filename[:255],
            variables=variables,
            active=activate,
            note=note,
            uploaded_by=user,
        )
        TemplateEvent.objects.create(template=template, actor=user, kind="uploaded")
        if activate:
            TemplateEvent.objects.create(template=template, actor=user, kind="activated")
    return template


def template_set_active(*, user: User, template_id: int, active: bool) -> DocumentTemplate:
    """Activate or retire one version; old versions stay, and documents keep theirs."""
    require(user, "manage_templates")
    with transaction.atomic():
        try:
            template = DocumentTemplate.objects.select_for_update().get(pk=int(template_id))
        except (DocumentTemplate.DoesNotExist, TypeError, ValueError):
            raise Http404("template not found") from None
        if template.active != active:
            template.active = active
            template.save(update_fields=["active"])
            TemplateEvent.objects.create(template=template, actor=user, kind="activated" if active else "deactivated")
    return template


def template_current(code: str) -> DocumentTemplate:
    """The version of ``code`` in effect today; 400 when there is none."""
    template = DocumentTemplate.objects.filter(code=code).current(on=timezone.localdate()).first()
    if template is None:
        raise ValidationError({"template": [f"没有可用的模板：{code}"]})
    return template


def unfit_message(template: DocumentTemplate) -> str:
    labels = {"credit_card": "信用卡", "loan": "贷款"}
    return f"“{template.name}”仅适用于{'、'.join(labels.get(p, p) for p in template.products)}案件"


def template_fields(*, template: DocumentTemplate, context: dict) -> list[dict]:
    """The fields a template uses with the matter's values: ``{"path", "missing": [labels]}`` each."""
    fields = []
    for path in template.variables:
        value = context
        for key in path.replace("[]", "").split("."):
            value = _lookup(value, key)
        fields.append({"path": path, "missing": marker_labels(value)})
    return fields


def _lookup(value, key: str):
    if isinstance(value, list):
        return [_lookup(item, key) for item in value]
    if isinstance(value, dict):
        return value.get(key, "")
    return ""


# Filings that state an assignment of the claim: made only for a debt with one recorded.
ASSIGNMENT_CODES = frozenset({"transfer_notice", "change_of_applicant"})


def enforcement_refusal(template: DocumentTemplate, matter: Matter) -> str | None:
    """Why a filing cannot be made for ``matter``; None if it can.

    An enforcement filing needs a confirmed instrument binding someone; a notice of the
    claim's assignment (or the change of applicant it founds) needs a recorded assignment,
    not blank lines for the parties and dates of one.
    """
    reason = None
    if template.code in ENFORCEMENT_CODES:
        _, reason = enforcement_bound(matter)
    if not reason and template.code in ASSIGNMENT_CODES:
        debt = matter.debt
        if debt.original_creditor_id is None and not debt.transfers.exists():
            reason = "本案债权未登记转让，请先在“债权转让”部分登记转让（转让人、协议、生效日期）"
    return f"不能生成“{template.name}”：{reason}" if reason else None


def document_request(*, user: User, matter_id: int, template_code: str) -> GeneratedDocument:
    """Queue the generation of a filing for a matter from the template in effect today.

    An enforcement filing needs a confirmed instrument binding someone: 400 naming what is missing.
    """
    matter = access_matter(user, matter_id, action="write_filings")
    template = template_current(template_code)
    if not template.fits(matter):
        raise ValidationError({"template": [unfit_message(template)]})
    refusal = enforcement_refusal(template, matter)
    if refusal:
        raise ValidationError({"template": [refusal]})
    with transaction.atomic():
        document = GeneratedDocument.objects.create(
            matter=matter,
            template=template,
            formats=["docx", "pdf"] if conversion_available() else ["docx"],
            created_by=user,
        )
        document.job = job_create(kind=GENERATE_JOB, user=user, payload={"document_id": document.pk}, total=1)
        document.save(update_fields=["job"])
        record_event(
            matter=matter,
            actor=user,
            kind=EventKind.DOCUMENT_REQUESTED,
            new={
                "document": document.pk,
                "template": template.code,
                "version": template.version,
                "template_name": template.name,
            },
        )
    return document


def document_render(*, document: GeneratedDocument, today=None) -> tuple[bytes, list[str]]:
    """Render a document's DOCX in the pool: (bytes, missing labels); raises ``RenderFailed``."""
    template = document.template
    context = matter_context(document.matter, today=today or timezone.localdate())
    return render_pool().render(template=bytes(template.content), digest=template.sha256, context=context)  # jinja_env: sandbox


def document_generate(*, job: Job, report: JobReporter) -> dict:
    """The ``document_generate`` job's handler: render and store the DOCX. Safe to run twice."""
    document = GeneratedDocument.objects.select_related("template", "matter__debt__creditor", "matter__debt__debtor").get(
        pk=job.payload["document_id"]
    )
    if document.docx_file_id:
        return {"document_id": document.pk}
    GeneratedDocument.objects.filter(pk=document.pk, status=DocumentStatus.PENDING).update(status=DocumentStatus.RUNNING)
    try:
        docx, missing = document_render(document=document)
    except RenderFailed as exc:
        GeneratedDocument.objects.filter(pk=document.pk).update(status=DocumentStatus.FAILED, error=without_paths(str(exc)))
        raise
    with private_file(
        content=docx,
        filename=f"{document.filename_stem}.docx",
        title=document.filename_stem,
        owner=document.created_by,
        mime_type=DOCX_TYPE,
    ) as stored:
        wants_pdf = "pdf" in document.formats
        GeneratedDocument.objects.filter(pk=document.pk, docx_file__isnull=True).update(
            docx_file=stored,
            docx_sha256=sha256(docx),
            missing=missing,
            status=DocumentStatus.RUNNING if wants_pdf else DocumentStatus.DONE,
        )
        if wants_pdf:
            job_create(kind=CONVERT_JOB, user=document.created_by, payload={"document_id": document.pk}, total=1)
    report(done=1, total=1)
    return {"document_id": document.pk, "missing": missing}


def document_convert(*, job: Job, report: JobReporter) -> dict:
    """The ``document_convert`` job's handler: the PDF of a generated DOCX. Safe to run twice."""
    document = GeneratedDocument.objects.select_related("docx_file", "template", "matter").get(
        pk=job.payload["document_id"]
    )
    if document.pdf_file_id:
        return {"document_id": document.pk}
    with private_storage().open(document.docx_file.file.name, "rb") as handle:
        docx = handle.read()
    try:
        pdf, page_count = _convert(docx)
    except Exception as exc:
        GeneratedDocument.objects.filter(pk=document.pk).update(
            status=DocumentStatus.FAILED, error=without_paths(f"PDF 转换失败：{exc}")
        )
        raise
    with private_file(
        content=pdf,
        filename=f"{document.filename_stem}.pdf",
        title=f"{document.filename_stem} (PDF)",
        owner=document.created_by,
        mime_type="application/pdf",
    ) as stored:
        GeneratedDocument.objects.filter(pk=document.pk, pdf_file__isnull=True).update(
            pdf_file=stored, page_count=page_count, status=DocumentStatus.DONE
        )
    report(done=1, total=1)
    return {"document_id": document.pk, "page_count": page_count}


def document_give_up(*, job: Job, reason: str) -> None:
    """A generation or conversion job failed for good: the document fails with the reason
    (one done, or failed already with its own reason, stays as it is)."""
    GeneratedDocument.objects.filter(pk=job.payload["document_id"]).exclude(
        status__in=[DocumentStatus.DONE, DocumentStatus.FAILED]
    ).update(
        status=DocumentStatus.FAILED, error=reason[:2000]
    )


def _convert(docx: bytes) -> tuple[bytes, int]:
    with tempfile.TemporaryDirectory(prefix="fasu-filing-") as work:
        source = Path(work) / "filing.docx"
        source.write_bytes(docx)
        produced = convert_many([source], outdir=Path(work) / "pdf")[source]
        if isinstance(produced, BaseException):
            raise produced
        pdf = produced.read_bytes()
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        return pdf, len(opened.pages)


def document_open_for_download(*, user: User, document_id: int, fmt: str) -> tuple[GeneratedDocument, BinaryIO, str]:
    """The document, its file opened for reading and the download name; the download is audited.

    Filings carry full identity numbers, so every download is on the matter's timeline
    (个人信息保护法; LEGAL_RULES §9).
    """
    document = access_child(user, GeneratedDocument, document_id, rows=GeneratedDocument.objects.select_related("template", "job"))
    if fmt not in ("docx", "pdf"):
        raise ValidationError({"format": ["格式只能是 docx 或 pdf"]})
    stored = document.docx_file if fmt == "docx" else document.pdf_file
    if stored is None:
        raise Http404("the file is not ready")
    handle = private_storage().open(stored.file.name, "rb")
    record_event(
        matter=document.matter,
        actor=user,
        kind=EventKind.DOCUMENT_DOWNLOADED,
        new={
            "document": document.pk,
            "template": document.template.code,
            "version": document.template.version,
            "template_name": document.template.name,
            "format": fmt,
        },
    )
    return document, handle, f"{document.filename_stem}.{fmt}"


def matter_documents(matter: Matter):
    """The matter's generated documents, newest first (the caller has checked access)."""
    return GeneratedDocument.objects.filter(matter=matter).select_related("template", "job", "created_by")



def templates_install_defaults(model=DocumentTemplate) -> int:
    """Install the shipped templates (``templates_docx/defaults``); a changed file becomes a new version.

    Called by migrations with the historical model. Runs the static checks only (no
    test render: a migration does not start the render pool); the test suite renders
    every default against demo matters. Returns how many versions were added.
    """
    from templates_docx.defaults import DEFAULT_TEMPLATES

    defaults_dir = Path(__file__).resolve().parent / "defaults"

    added = 0
    for default in DEFAULT_TEMPLATES:
        content = (defaults_dir / default["file"]).read_bytes()
        last = model.objects.filter(code=default["code"]).order_by("-version").first()
        if last is not None and last.sha256 == sha256(content):
            continue
        analysis = analyse_template(content, SAMPLE_CONTEXT)
        if analysis.problems:
            raise RuntimeError(f"shipped template {default['code']} is broken: {analysis.problems}")
        # Migrations before 0004 run this with a model that has no ``products`` yet.
        extra = {"products": list(default.get("products", ()))} if _has_field(model, "products") else {}
        model.objects.create(
            code=default["code"],
            name=default["name"],
            version=(last.version + 1) if last else 1,
            form_version=default["form_version"],
            effective_from=default["effective_from"],
            content=content,
            sha256=sha256(content),
            original_filename=default["file"],
            variables=analysis.variables,
            active=True,
            **extra,
        )
        added += 1
    return added


def _has_field(model, name: str) -> bool:
    return any(field.name == name for field in model._meta.get_fields())
