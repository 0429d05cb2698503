"""Evidence use cases: upload (validated, stored privately, hashed, audited) and download.

The order in ``evidence_upload`` matters: access first (404/403), then validation of
the bytes, then storage, then the row and the timeline entry in one transaction. A
refused file never reaches storage; if the transaction fails after the bytes were
written, they are removed again, so a failed upload leaves no row and no file.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import pikepdf
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File as DjangoFile
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from filer import settings as filer_settings
from filer.models import File as FilerFile

from evidence.bundling import Exhibit, build_bundle, exhibit_numbers, index_docx
from evidence.conversion import (
    CONVERTIBLE,
    UNAVAILABLE_MESSAGE,
    ConversionFailed,
    ConversionUnavailable,
    conversion_available,
    convert_many,
)
from evidence.models import CrossExamination, EvidenceBundle, EvidenceItem, EvidenceKind, TextState
from evidence.search import index_items
from evidence.text import extract_text, ocr_available, ocr_text
from evidence.validation import UploadRefused, validate_upload
from legalcase.access import access_child, access_matter
from legalcase.events import record_event
from legalcase.jobs import JobReporter, failed_message, job_claim, job_create, job_finish
from legalcase.models import EventKind, Job, JobStatus, Matter, Ruling, User
from legalcase.services import ruling_record
from legalcase.services.proceedings import ruling_reread

BUNDLE_JOB = "evidence_bundle"
CONVERT_JOB = "evidence_convert"
# These go into a bundle as they are; DOCX and XLSX go in as the PDF made of them.
BUNDLE_CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png")


def private_storage():
    """django-filer's private storage, where every evidence file lives."""
    return filer_settings.FILER_PRIVATEMEDIA_STORAGE


@contextmanager
def private_file(*, content: bytes, filename: str, title: str, owner: User, mime_type: str) -> Iterator[FilerFile]:
    """Store ``content`` privately and yield its filer row inside a transaction.

    The caller links the row to its own object within the ``with`` block; if anything
    in it fails, the transaction rolls back and the stored bytes are removed again.
    """
    storage = private_storage()
    extension = Path(filename).suffix or ".bin"
    stored_name = storage.save(
        filer_settings.FILER_PRIVATEMEDIA_UPLOAD_TO(None, f"file{extension}"), ContentFile(content, name=f"file{extension}")
    )
    try:
        with transaction.atomic():
            filer_file = FilerFile(
                original_filename=filename[:255], name=title[:255], owner=owner, is_public=False, mime_type=mime_type
            )
            filer_file.file = stored_name
            filer_file._file_size = len(content)
            filer_file.save()
            yield filer_file
    except BaseException:
        storage.delete(stored_name)
        raise


def evidence_upload(
    *,
    user: User,
    matter_id: int,
    uploaded_file: BinaryIO,
    kind: str,
    title: str,
    purpose: str = "",
    source: str = "",
    group: str = "",
    document_date: date | None = None,
    filename: str | None = None,
) -> EvidenceItem:
    """Validate and store one file as evidence of a matter; raise ``ValidationError`` if refused.

    ``uploaded_file`` is a seekable binary file (Django's ``UploadedFile`` is one);
    ``filename`` defaults to its ``name``. The timeline records who added what.
    """
    matter = access_matter(user, matter_id, action="write_evidence")
    if kind not in EvidenceKind.values:
        raise ValidationError({"kind": [f"没有这种证据类型：{kind}"]})
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": ["请填写证据名称"]})
    if document_date is not None and document_date > timezone.localdate():
        raise ValidationError({"document_date": ["文件日期不能晚于今天"]})
    name = filename if filename is not None else getattr(uploaded_file, "name", "") or ""
    try:
        checked = validate_upload(uploaded_file, name, max_bytes=settings.EVIDENCE_MAX_BYTES)
    except UploadRefused as exc:
        raise ValidationError({"file": [exc.message]}) from None

    uploaded_file.seek(0)
    extracted = extract_text(uploaded_file.read(), checked.content_type, ocr=False)

    # Stored under a neutral name: the client's name is data, kept in the row, never a path.
    storage = private_storage()
    extension = checked.file_type.extensions[0]
    uploaded_file.seek(0)
    stored_name = storage.save(filer_settings.FILER_PRIVATEMEDIA_UPLOAD_TO(None, f"evidence{extension}"), uploaded_file)
    try:
        with transaction.atomic():
            # The matter's row lock orders uploads, so each new item takes the next position.
            list(Matter.objects.select_for_update().filter(pk=matter.pk).values_list("pk"))
            filer_file = FilerFile(
                original_filename=checked.filename,
                name=title[:255],
                owner=user,
                is_public=False,
                mime_type=checked.content_type,
            )
            filer_file.file = stored_name
            filer_file._file_size = checked.size
            filer_file.save()
            item = EvidenceItem.objects.create(
                matter=matter,
                kind=kind,
                title=title[:200],
                document_date=document_date,
                purpose=purpose.strip(),
                source=source.strip()[:200],
                group=group.strip()[:40],
                original_filename=checked.filename,
                file=filer_file,
                sha256=checked.sha256,
                size=checked.size,
                page_count=checked.page_count,
                content_type=checked.content_type,
                uploaded_by=user,
                position=_next_position(matter),
                text=extracted.text,
                text_state=extracted.state,
            )
            index_items([item.pk])
            if item.text_state == TextState.SCANNED and ocr_available():
                # OCR can take minutes: a job on the ``pdf`` queue, sent once this commits.
                job_create(kind=OCR_JOB, user=user, payload={"evidence_id": item.pk}, total=1)
            if item.needs_conversion:
                # Sent to the ``pdf`` queue once this transaction commits.
                item.pdf_job = job_create(kind=CONVERT_JOB, user=user, payload={"evidence_id": item.pk}, total=1)
                item.save(update_fields=["pdf_job"])
            record_event(
                matter=matter,
                actor=user,
                kind=EventKind.EVIDENCE_ADDED,
                new={"evidence": item.pk, "title": item.title, "sha256": item.sha256},
            )
    except BaseException:
        storage.delete(stored_name)
        raise
    return item


class EvidenceStateConflict(Exception):
    """Withdrawing a withdrawn item, or reinstating one in use (API.md: 409)."""


# What ``evidence_update`` may change, with the longest text each takes (None: no limit).
EDITABLE = {"title": 200, "kind": None, "purpose": None, "document_date": None, "source": 200, "group": 40, "position": None}


def _event_value(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _clean_changes(changes: dict, *, today: date) -> dict:
    """The changes, trimmed and checked; a ``ValidationError`` keyed by field for any bad one."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationError({name: ["不能修改此项"] for name in unknown})
    cleaned, errors = {}, {}
    for name, value in changes.items():
        if name in ("title", "purpose", "source", "group"):
            value = (value or "").strip()
            limit = EDITABLE[name]
            if limit and len(value) > limit:
                errors[name] = [f"不能超过 {limit} 个字"]
                continue
            if name == "title" and not value:
                errors[name] = ["请填写证据名称"]
                continue
        elif name == "kind":
            if value not in EvidenceKind.values:
                errors[name] = [f"没有这种证据类型：{value}"]
                continue
        elif name == "document_date":
            if value is not None and not isinstance(value, date):
                errors[name] = ["日期格式应为 YYYY-MM-DD"]
                continue
            if value is not None and value > today:
                errors[name] = ["文件日期不能晚于今天"]
                continue
        elif name == "position":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                errors[name] = ["顺序应为从 1 开始的整数"]
                continue
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def _move(item: EvidenceItem, position: int) -> None:
    """Put ``item`` at ``position`` (1-based) among its matter's items and renumber the others 1…n.

    Locks every item of the matter first (the matter's row is already locked by the
    caller), so two moves at once never leave a gap or a duplicate.
    """
    rows = list(
        EvidenceItem.objects.select_for_update()
        .filter(matter_id=item.matter_id)
        .order_by("position", "id")
        .only("pk", "position")
    )
    if not 1 <= position <= len(rows):
        raise ValidationError({"position": [f"顺序应在 1 到 {len(rows)} 之间"]})
    order = [row for row in rows if row.pk != item.pk]
    order.insert(position - 1, item)
    changed = []
    for number, row in enumerate(order, start=1):
        if row.position != number:
            row.position = number
            changed.append(row)
    EvidenceItem.objects.bulk_update([row for row in changed if row is not item], ["position"])
    item.position = position


def evidence_update(*, user: User, evidence_id: int, changes: dict) -> EvidenceItem:
    """Correct an item's title, kind, purpose, document date, source, group or position.

    ``changes`` names only the fields to change (``EDITABLE``); a bad one refuses all
    of them (``ValidationError``) and nothing is stored. A document cannot be dated after
    today. A new ``position`` moves the item and renumbers the others (``_move``). The
    timeline gets one ``evidence_edited`` entry with the changed fields' old and new
    values; nothing changed, nothing written.
    """
    with transaction.atomic():
        item = access_child(user, EvidenceItem, evidence_id, action="write_evidence", for_update=True)
        cleaned = _clean_changes(changes, today=timezone.localdate())
        old, new = {}, {}
        for name, value in cleaned.items():
            if getattr(item, name) != value:
                old[name], new[name] = _event_value(getattr(item, name)), _event_value(value)
        if not new:
            return item
        if "position" in new:
            _move(item, new["position"])
        for name in new:
            if name != "position":
                setattr(item, name, cleaned[name])
        item.save(update_fields=list(new))
        if "title" in new:
            index_items([item.pk])
        record_event(
            matter=item.matter, actor=user, kind=EventKind.EVIDENCE_EDITED, old=old, new=new, note=item.title
        )
    return item


def evidence_reorder(*, user: User, evidence_id: int, position: int) -> EvidenceItem:
    """Move an item to ``position`` (1-based); the others close up. Written to the timeline."""
    return evidence_update(user=user, evidence_id=evidence_id, changes={"position": position})


def evidence_withdraw(*, user: User, evidence_id: int, reason: str) -> EvidenceItem:
    """Withdraw (撤回) an item: kept with its file, left out of new default bundles and filings.

    A reason is required; an item already withdrawn raises ``EvidenceStateConflict``.
    Bundles already built keep it: they are records of what was filed.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["请填写撤回原因"]})
    with transaction.atomic():
        item = access_child(user, EvidenceItem, evidence_id, action="write_evidence", for_update=True)
        if item.withdrawn_at is not None:
            raise EvidenceStateConflict(f"证据“{item.title}”已经撤回")
        item.withdrawn_at, item.withdrawn_reason, item.withdrawn_by = timezone.now(), reason, user
        item.save(update_fields=["withdrawn_at", "withdrawn_reason", "withdrawn_by"])
        record_event(
            matter=item.matter,
            actor=user,
            kind=EventKind.EVIDENCE_WITHDRAWN,
            old={"withdrawn_at": None, "withdrawn_reason": ""},
            new={"withdrawn_at": item.withdrawn_at.isoformat(), "withdrawn_reason": reason},
            note=item.title,
        )
    return item


def evidence_reinstate(*, user: User, evidence_id: int) -> EvidenceItem:
    """Undo a withdrawal; an item not withdrawn raises ``EvidenceStateConflict``. Written to the timeline."""
    with transaction.atomic():
        item = access_child(user, EvidenceItem, evidence_id, action="write_evidence", for_update=True)
        if item.withdrawn_at is None:
            raise EvidenceStateConflict(f"证据“{item.title}”没有撤回")
        old = {"withdrawn_at": item.withdrawn_at.isoformat(), "withdrawn_reason": item.withdrawn_reason}
        item.withdrawn_at, item.withdrawn_reason, item.withdrawn_by = None, "", None
        item.save(update_fields=["withdrawn_at", "withdrawn_reason", "withdrawn_by"])
        record_event(
            matter=item.matter,
            actor=user,
            kind=EventKind.EVIDENCE_REINSTATED,
            old=old,
            new={"withdrawn_at": None, "withdrawn_reason": ""},
            note=item.title,
        )
    return item


def _next_position(matter: Matter) -> int:
    """The position after the matter's last item; call under the matter's row lock."""
    last = EvidenceItem.objects.filter(matter=matter).aggregate(last=Max("position"))["last"]
    return (last or 0) + 1


def evidence_open_for_download(*, user: User, evidence_id: int) -> tuple[EvidenceItem, BinaryIO]:
    """The item and its stored bytes, opened for reading; the download is written to the timeline."""
    # 404 for another firm's evidence as for a missing item.
    item = access_child(user, EvidenceItem, evidence_id, rows=EvidenceItem.objects.select_related("file"))
    matter = item.matter
    handle = private_storage().open(item.file.file.name, "rb")
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.EVIDENCE_DOWNLOADED,
        new={"evidence": item.pk, "title": item.title},
    )
    return item, handle


def bundle_request(*, user: User, matter_id: int, title: str, evidence_ids: list[int] | None = None) -> EvidenceBundle:
    """Start building a bundle of the matter's evidence (all not withdrawn, in position order, if none are named).

    Evidence the caller cannot use here (another matter's, a withdrawn item, or a format
    not yet converted to PDF) is refused with a 400 naming it. The next version number for the
    title is taken under a lock on the matter, so two requests never share one.
    """
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "a title is required"})
    with transaction.atomic():
        matter = access_matter(user, matter_id, action="write_evidence", for_update=True)
        return bundle_create(matter=matter, user=user, title=title, evidence_ids=evidence_ids, queue=True)


def bundle_create(
    *, matter: Matter, user: User, title: str, evidence_ids: list[int] | None = None, queue: bool
) -> EvidenceBundle:
    """The next version of a bundle row, checked; with its build job when ``queue``.

    Call inside a transaction holding the matter's row lock (``bundle_request``), or
    from a batch, which builds the bundle itself with ``bundle_make``.
    """
    items = EvidenceItem.objects.filter(matter=matter)
    if evidence_ids is None:
        chosen = list(items.filter(withdrawn_at__isnull=True).order_by("position", "id"))
    else:
        found = {item.pk: item for item in items.filter(pk__in=evidence_ids)}
        missing = [pk for pk in evidence_ids if pk not in found]
        if missing:
            raise ValidationError({"evidence": [f"不是本案的证据：{'、'.join(map(str, missing))}"]})
        if len(set(evidence_ids)) != len(evidence_ids):
            raise ValidationError({"evidence": ["同一证据重复列出"]})
        chosen = [found[pk] for pk in evidence_ids]
        withdrawn = [f"{item.title}（{item.pk}）" for item in chosen if item.withdrawn_at is not None]
        if withdrawn:
            raise ValidationError({"evidence": [f"已撤回的证据不能编入证据材料：{'、'.join(withdrawn)}"]})
    if not chosen:
        raise ValidationError({"evidence": ["本案没有可编入证据材料的证据（至少需要一件）"]})
    unconverted = [
        f"{item.title}（{item.pk}）"
        for item in chosen
        if item.content_type not in BUNDLE_CONTENT_TYPES and not item.pdf_file_id
    ]
    if unconverted:
        raise ValidationError({"evidence": [f"尚未转换为PDF：{'、'.join(unconverted)}"]})
    last = EvidenceBundle.objects.filter(matter=matter, title=title).order_by("-version").first()
    bundle = EvidenceBundle.objects.create(
        matter=matter,
        title=title,
        version=(last.version + 1) if last else 1,
        evidence_ids=[item.pk for item in chosen],
        created_by=user,
    )
    if queue:
        bundle.job = job_create(kind=BUNDLE_JOB, user=user, payload={"bundle_id": bundle.pk}, total=len(chosen))
        bundle.save(update_fields=["job"])
    return bundle


def bundle_build(*, job: Job, report: JobReporter) -> dict:
    """The job's handler: build the bundle's PDF and store it. Safe to run twice."""
    bundle = EvidenceBundle.objects.select_related("matter__debt__creditor").get(pk=job.payload["bundle_id"])
    return bundle_make(bundle, progress=lambda done: report(done=done))


def bundle_make(bundle: EvidenceBundle, *, progress=None) -> dict:
    """Build a bundle row's PDF from its exhibits and store it; raises on a changed or unconverted file."""
    if bundle.file_id:
        return {"bundle_id": bundle.pk, "sha256": bundle.sha256}
    items = {
        item.pk: item
        for item in EvidenceItem.objects.filter(pk__in=bundle.evidence_ids).select_related("file", "pdf_file")
    }
    chosen = [items[pk] for pk in bundle.evidence_ids]
    numbers = exhibit_numbers([item.group for item in chosen])
    storage = private_storage()
    exhibits, manifest = [], []
    for item, number in zip(chosen, numbers, strict=True):
        with storage.open(item.file.file.name, "rb") as handle:
            data = handle.read()
        digest = hashlib.sha256(data).hexdigest()
        if digest != item.sha256:
            raise RuntimeError(f"evidence {item.pk} ({item.title}) no longer matches its SHA-256")
        content_type = item.content_type
        entry = {"number": number, "evidence": item.pk, "title": item.title, "sha256": item.sha256}
        if item.content_type not in BUNDLE_CONTENT_TYPES:
            if not item.pdf_file_id:
                raise RuntimeError(f"evidence {item.pk} ({item.title}) 尚未转换为PDF")
            with storage.open(item.pdf_file.file.name, "rb") as handle:
                data = handle.read()
            content_type = "application/pdf"
            entry["pdf_sha256"] = hashlib.sha256(data).hexdigest()
        exhibits.append(Exhibit(number, item.title, item.source, item.purpose, content_type, data))
        manifest.append(entry)
    heading = _bundle_heading(bundle.matter)
    with tempfile.TemporaryFile() as out:
        built = build_bundle(
            title=bundle.title, heading=heading, exhibits=exhibits, out=out, progress=progress or (lambda done: None)
        )
        # The index rows as set in the PDF, so the editable DOCX index repeats them exactly.
        for entry, (_number, _title, source, purpose, pages) in zip(manifest, built.index_rows, strict=True):
            entry.update(source=source, purpose=purpose, pages=pages)
        out.seek(0)
        digest = hashlib.sha256()
        while chunk := out.read(1024 * 1024):
            digest.update(chunk)
        out.seek(0)
        filename = f"{bundle.title}-v{bundle.version}.pdf"
        stored_name = storage.save(
            filer_settings.FILER_PRIVATEMEDIA_UPLOAD_TO(None, "bundle.pdf"), DjangoFile(out, name="bundle.pdf")
        )
    try:
        with transaction.atomic():
            filer_file = FilerFile(original_filename=filename, name=filename[:255], is_public=False)
            filer_file.file = stored_name
            filer_file.save()
            bundle.file, bundle.sha256, bundle.page_count, bundle.manifest = (
                filer_file,
                digest.hexdigest(),
                built.page_count,
                manifest,
            )
            bundle.save(update_fields=["file", "sha256", "page_count", "manifest"])
    except BaseException:
        storage.delete(stored_name)
        raise
    return {"bundle_id": bundle.pk, "sha256": bundle.sha256, "page_count": built.page_count}


OCR_JOB = "evidence_ocr"


def evidence_ocr(*, job: Job, report: JobReporter) -> dict:
    """The ``evidence_ocr`` job's handler: read a scanned item's text with tesseract. Safe to run twice.

    The item keeps the ``scanned`` state when OCR reads nothing or fails.
    """
    item = EvidenceItem.objects.select_related("file").get(pk=job.payload["evidence_id"])
    if item.text_state != TextState.SCANNED:
        return {"evidence_id": item.pk, "text_state": item.text_state}
    with private_storage().open(item.file.file.name, "rb") as handle:
        found = ocr_text(handle.read(), item.content_type)
    with transaction.atomic():
        updated = EvidenceItem.objects.filter(pk=item.pk, text_state=TextState.SCANNED).update(
            text=found.text, text_state=found.state
        )
        if updated:
            index_items([item.pk])
        if updated and item.kind == EvidenceKind.RULING and found.state in (TextState.OCR, TextState.OCR_PARTIAL):
            # The upload read nothing from the scan; the ruling is read again from the OCR text.
            ruling_reread(evidence_id=item.pk, text=found.text, source="ocr")
    report(done=1, total=1)
    return {"evidence_id": item.pk, "text_state": found.state}


def evidence_convert(*, job: Job, report: JobReporter) -> dict:
    """The ``evidence_convert`` job's handler: make the PDF of a DOCX or XLSX item. Safe to run twice.

    Stores the PDF in private storage beside the original, sets the page count, and for
    an XLSX takes the text from the PDF. Raises ``ConversionUnavailable`` where
    LibreOffice is missing and ``ConversionFailed`` on a timeout or a bad output, so the
    job row records why.

    Batching: the worker also claims (``job_claim``, so nothing runs twice) up to
    ``EVIDENCE_CONVERT_BATCH`` − 1 other pending ``evidence_convert`` jobs, converts all
    their files in one LibreOffice run (``convert_many``) and finishes each claimed job
    itself (``job_finish``), each with its own outcome; this job's outcome is returned or
    raised as before, for ``job_run`` to record.
    """
    item = EvidenceItem.objects.select_related("file").get(pk=job.payload["evidence_id"])
    if item.pdf_file_id:
        return {"evidence_id": item.pk, "page_count": item.page_count}
    if not conversion_available():
        raise ConversionUnavailable(f"{UNAVAILABLE_MESSAGE}：未安装 LibreOffice（找不到 soffice）")
    claimed = _claim_more_conversions(exclude=job.pk, count=int(getattr(settings, "EVIDENCE_CONVERT_BATCH", 10)) - 1)
    outcomes: dict = {}
    try:
        outcomes = _convert_items({job.pk: item, **{other.pk: other_item for other, _, other_item in claimed}})
    finally:
        for other, claim, _ in claimed:
            outcome = outcomes.get(other.pk, RuntimeError("批量转换中断"))
            if isinstance(outcome, BaseException):
                job_finish(job_id=other.pk, claim=claim, error=f"{outcome.__class__.__name__}: {outcome}")
            else:
                job_finish(job_id=other.pk, claim=claim, result=outcome)
    outcome = outcomes[job.pk]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _claim_more_conversions(*, exclude, count: int) -> list[tuple[Job, object, EvidenceItem]]:
    """Claim up to ``count`` other pending conversion jobs: (job, claim token, item) each."""
    claimed: list[tuple[Job, object, EvidenceItem]] = []
    if count <= 0:
        return claimed
    candidates = (
        Job.objects.filter(kind=CONVERT_JOB, status=JobStatus.PENDING)
        .exclude(pk=exclude)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[: count * 3]
    )
    for job_id in list(candidates):
        if len(claimed) >= count:
            break
        claim = job_claim(job_id=job_id)
        if claim is None:  # another worker was quicker
            continue
        other = Job.objects.get(pk=job_id)
        try:
            other_item = EvidenceItem.objects.select_related("file").get(pk=other.payload["evidence_id"])
        except (EvidenceItem.DoesNotExist, KeyError, TypeError) as exc:
            job_finish(job_id=job_id, claim=claim, error=failed_message(exc))
            continue
        claimed.append((other, claim, other_item))
    return claimed


def _convert_items(items: dict) -> dict:
    """Convert and store the PDFs of ``items`` (job id → item) in one soffice run.

    Returns job id → the job's result, or the exception that failed that job.
    """
    outcomes: dict = {}
    storage = private_storage()
    with tempfile.TemporaryDirectory(prefix="fasu-convert-jobs-") as work:
        sources = {}
        for job_id, item in items.items():
            if item.pdf_file_id:
                outcomes[job_id] = {"evidence_id": item.pk, "page_count": item.page_count}
                continue
            if item.content_type not in CONVERTIBLE:
                outcomes[job_id] = ConversionFailed(f"{item.content_type} is not converted to PDF")
                continue
            with storage.open(item.file.file.name, "rb") as handle:
                data = handle.read()
            if hashlib.sha256(data).hexdigest() != item.sha256:
                outcomes[job_id] = RuntimeError(f"evidence {item.pk} ({item.title}) no longer matches its SHA-256")
                continue
            source = Path(work) / f"item{item.pk}{CONVERTIBLE[item.content_type]}"
            source.write_bytes(data)
            sources[job_id] = source
        converted = convert_many(list(sources.values()), outdir=Path(work) / "pdf") if sources else {}
        for job_id, source in sources.items():
            produced = converted[source]
            if isinstance(produced, BaseException):
                outcomes[job_id] = produced
                continue
            try:
                pdf = produced.read_bytes()
                outcomes[job_id] = _store_converted(items[job_id], pdf)
            except Exception as exc:  # one item's storage problem fails that job only
                outcomes[job_id] = exc
    return outcomes


class _AlreadyConverted(Exception):
    pass


def _store_converted(item: EvidenceItem, pdf: bytes) -> dict:
    """Store a checked PDF of ``item`` and set its page count (and text, where it had none)."""
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        page_count = len(opened.pages)
    fields = {"page_count": page_count}
    if item.text_state != TextState.EXTRACTED:
        found = extract_text(pdf, "application/pdf")
        fields.update(text=found.text, text_state=found.state)
    filename = f"{item.original_filename.rsplit('.', 1)[0]}.pdf"
    try:
        with private_file(
            content=pdf, filename=filename, title=f"{item.title} (PDF)", owner=item.uploaded_by, mime_type="application/pdf"
        ) as filer_file:
            # Conditional, so two runs at once store one PDF on the item.
            if not EvidenceItem.objects.filter(pk=item.pk, pdf_file__isnull=True).update(pdf_file=filer_file, **fields):
                raise _AlreadyConverted
            if "text" in fields:
                index_items([item.pk])
    except _AlreadyConverted:
        pass  # the other run's PDF stays; ours was removed with its row
    return {"evidence_id": item.pk, "page_count": page_count}


def _bundle_heading(matter: Matter) -> str:
    debt = matter.debt
    return f"案件编号：{matter.number}　债权人：{debt.creditor.name}　债务人：{matter.debtor_name or debt.debtor.name}"


def bundle_open_for_download(*, user: User, bundle_id: int) -> tuple[EvidenceBundle, BinaryIO]:
    """A finished bundle's PDF, opened for reading; the download is written to the timeline."""
    bundle = access_child(user, EvidenceBundle, bundle_id, rows=EvidenceBundle.objects.select_related("job", "file"))
    if not bundle.file_id:
        raise Http404("the bundle is not built")
    handle = private_storage().open(bundle.file.file.name, "rb")
    record_event(
        matter=bundle.matter,
        actor=user,
        kind=EventKind.EVIDENCE_DOWNLOADED,
        new={"bundle": bundle.pk, "title": bundle.title, "version": bundle.version},
    )
    return bundle, handle


def bundle_index_docx(*, user: User, bundle_id: int) -> tuple[EvidenceBundle, bytes]:
    """A built bundle's 证据目录 as an editable DOCX, the same rows as its PDF index; audited."""
    bundle = access_child(user, EvidenceBundle, bundle_id, rows=EvidenceBundle.objects.select_related("job", "file"))
    if not bundle.file_id:
        raise Http404("the bundle is not built")
    if any("pages" not in entry for entry in bundle.manifest):
        raise Http404("this bundle version was built before the DOCX index existed; build it again")
    rows = [
        (entry["number"], entry["title"], entry["source"], entry["purpose"], entry["pages"])
        for entry in bundle.manifest
    ]
    data = index_docx(case_line=_bundle_heading(bundle.matter), rows=rows)
    record_event(
        matter=bundle.matter,
        actor=user,
        kind=EventKind.EVIDENCE_DOWNLOADED,
        new={"bundle": bundle.pk, "title": bundle.title, "version": bundle.version, "index": "docx"},
    )
    return bundle, data


def evidence_verify(*, item: EvidenceItem) -> bool:
    """Re-hash one item's stored bytes; flag it and write the timeline on the first mismatch.

    Returns whether the file is intact. A file that is missing counts as changed. The
    flag is set with a conditional UPDATE, so two runs at once record one event.
    """
    digest = hashlib.sha256()
    try:
        with private_storage().open(item.file.file.name, "rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
        actual = digest.hexdigest()
    except FileNotFoundError:
        actual = ""
    if actual == item.sha256:
        if item.tampered_at is not None:
            EvidenceItem.objects.filter(pk=item.pk).update(tampered_at=None)
        return True
    with transaction.atomic():
        flagged = EvidenceItem.objects.filter(pk=item.pk, tampered_at__isnull=True).update(tampered_at=timezone.now())
        if flagged:
            record_event(
                matter=item.matter,
                actor=None,
                kind=EventKind.EVIDENCE_TAMPERED,
                old={"sha256": item.sha256},
                new={"evidence": item.pk, "title": item.title, "sha256": actual or None},
            )
    return False


VERIFY_REPORT_EVERY = 100


def evidence_verify_all(*, matter_id: int | None = None, report=None) -> dict:
    """Re-hash every evidence file (or one matter's), flagging each that changed or went missing.

    Run nightly by the schedule (``legalcase/schedule.py``) and by ``manage.py
    verify_evidence``. Returns ``checked`` and the ``mismatched`` items (evidence id,
    matter number, title). ``report`` (a job's reporter) is told the progress every
    ``VERIFY_REPORT_EVERY`` files, which also keeps a long run's job lease.
    """
    items = EvidenceItem.objects.select_related("file", "matter").order_by("id")
    if matter_id is not None:
        items = items.filter(matter_id=matter_id)
    total = items.count() if report is not None else 0
    checked, mismatched = 0, []
    for item in items.iterator(chunk_size=500):
        checked += 1
        if not evidence_verify(item=item):
            mismatched.append({"evidence": item.pk, "matter": item.matter.number, "title": item.title})
        if report is not None and checked % VERIFY_REPORT_EVERY == 0:
            report(done=checked, total=max(total, checked))
    return {"checked": checked, "mismatched": mismatched}


def ruling_upload(
    *, user: User, matter_id: int, uploaded_file: BinaryIO, served_on: date | None = None
) -> tuple[EvidenceItem, Ruling]:
    """Store a ruling document as evidence and record what it says (API.md, "Proceedings and rulings").

    One transaction: the file is validated, stored and hashed like any evidence, its
    extracted text goes to ``legalcase.services.ruling_record``, and if anything fails
    nothing stays, neither the rows nor the stored bytes. A scan without a text layer
    gives an empty reading (text source "none"); where OCR is installed the ``evidence_ocr``
    job reads it later and the ruling is read again, until a person confirms it.
    """
    access_matter(user, matter_id, action="write_evidence")
    stored_name = None
    try:
        with transaction.atomic():
            item = evidence_upload(
                user=user, matter_id=matter_id, uploaded_file=uploaded_file, kind=EvidenceKind.RULING, title="裁判文书"
            )
            stored_name = item.file.file.name
            ruling = ruling_record(
                user=user,
                matter_id=matter_id,
                text=item.text,
                evidence_id=item.pk,
                served_on=served_on,
                text_source=_ruling_text_source(item.text_state),
            )
    except BaseException:
        if stored_name:
            private_storage().delete(stored_name)
        raise
    return item, ruling


def _ruling_text_source(text_state: str) -> str:
    """How a ruling's text was obtained, for its reading: "text", "ocr" or "none"."""
    if text_state in (TextState.OCR, TextState.OCR_PARTIAL):
        return "ocr"
    return "text" if text_state == TextState.EXTRACTED else "none"


# Cross-examination (质证) ---------------------------------------------------------------

CROSS_EXAMINATION_FIELDS = ("proceeding", "examined_on", *CrossExamination.POINTS, "reply")
OPINION_MAX, REPLY_MAX = 2000, 5000
POINT_LABELS = {"authenticity": "真实性", "legality": "合法性", "relevance": "关联性", "purpose": "证明目的"}


def _clean_cross_examination(item: EvidenceItem, changes: dict) -> dict:
    """``changes`` as model field values, or ``ValidationError`` naming every bad field in Chinese."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if not changes:
        raise ValidationError({"non_field_errors": ["请至少填写一项质证内容。"]})
    unknown = sorted(set(changes) - set(CROSS_EXAMINATION_FIELDS))
    if unknown:
        errors["non_field_errors"] = [f"不能修改这些字段：{'、'.join(unknown)}"]
    if "proceeding" in changes:
        value = changes["proceeding"]
        if value in (None, ""):
            cleaned["proceeding"] = None
        else:
            proceeding = None
            if isinstance(value, int | str) and str(value).isdigit():
                proceeding = item.matter.proceedings.filter(pk=int(value)).first()
            if proceeding is None:
                errors["proceeding"] = ["该程序不属于本案件。"]
            else:
                cleaned["proceeding"] = proceeding
    if "examined_on" in changes:
        value = changes["examined_on"]
        if value in (None, ""):
            cleaned["examined_on"] = None
        else:
            try:
                examined_on = value if isinstance(value, date) else date.fromisoformat(str(value))
            except ValueError:
                errors["examined_on"] = ["质证日期格式应为YYYY-MM-DD。"]
            else:
                if examined_on > timezone.localdate():
                    errors["examined_on"] = [f"质证日期不能晚于今天（{timezone.localdate():%Y-%m-%d}）。"]
                else:
                    cleaned["examined_on"] = examined_on
    for point in CrossExamination.POINTS:
        if point not in changes:
            continue
        value, label = changes[point], POINT_LABELS[point]
        if not isinstance(value, dict) or set(value) - {"admitted", "opinion"}:
            errors[point] = [f"{label}应为{{\"admitted\": true/false/null, \"opinion\": \"…\"}}。"]
            continue
        if "admitted" in value:
            if value["admitted"] not in (True, False, None):
                errors[point] = [f"{label}的“是否认可”只能是true、false或null。"]
                continue
            cleaned[f"{point}_admitted"] = value["admitted"]
        if "opinion" in value:
            opinion = value["opinion"]
            if opinion is None:
                opinion = ""
            if not isinstance(opinion, str):
                errors[point] = [f"{label}的质证意见应为文字。"]
                continue
            if len(opinion.strip()) > OPINION_MAX:
                errors[point] = [f"{label}的质证意见不能超过{OPINION_MAX}字。"]
                continue
            cleaned[f"{point}_opinion"] = opinion.strip()
    if "reply" in changes:
        reply = changes["reply"] if changes["reply"] is not None else ""
        if not isinstance(reply, str):
            errors["reply"] = ["我方回应应为文字。"]
        elif len(reply.strip()) > REPLY_MAX:
            errors["reply"] = [f"我方回应不能超过{REPLY_MAX}字。"]
        else:
            cleaned["reply"] = reply.strip()
    if errors:
        raise ValidationError(errors)
    return cleaned


def cross_examination_record(*, user: User, evidence_id: int, changes: dict) -> CrossExamination:
    """Record (or correct) the other side's cross-examination of one item and our reply.

    ``changes`` holds any of ``proceeding`` (one of the item's matter), ``examined_on``
    (not after today), ``authenticity``, ``legality``, ``relevance``, ``purpose`` (each
    ``{"admitted": true|false|null, "opinion": "…"}``, either key optional) and
    ``reply``; only those given change. A bad value refuses all (``ValidationError``)
    and nothing is stored. The timeline gets one ``evidence_cross_examined`` entry with
    the changed fields; nothing changed, nothing written.
    """
    with transaction.atomic():
        item = access_child(user, EvidenceItem, evidence_id, action="write_evidence", for_update=True)
        cleaned = _clean_cross_examination(item, changes)
        examination = CrossExamination.objects.select_for_update().filter(item=item).first()
        created = examination is None
        if created:
            examination = CrossExamination(item=item, updated_by=user)
        old, new = {}, {}
        for name, value in cleaned.items():
            current = getattr(examination, name)
            if current != value or created:
                old[name], new[name] = _cross_value(current), _cross_value(value)
        if not created and not new:
            return examination
        # A point is told whole: its position and its reasons, even when only one changed.
        for point in CrossExamination.POINTS:
            pair = (f"{point}_admitted", f"{point}_opinion")
            if any(name in new for name in pair):
                for name in pair:
                    if name not in new:
                        old[name] = new[name] = _cross_value(cleaned.get(name, getattr(examination, name)))
        for name, value in cleaned.items():
            setattr(examination, name, value)
        examination.updated_by, examination.updated_at = user, timezone.now()
        if created:
            examination.save()
        else:
            examination.save(update_fields=[*cleaned, "updated_by", "updated_at"])
        proceeding = examination.proceeding
        new.update(evidence=item.pk, title=item.title)
        if "proceeding" in new and proceeding is not None:
            new["case_number"] = proceeding.case_number
        record_event(
            matter=item.matter,
            actor=user,
            kind=EventKind.EVIDENCE_CROSS_EXAMINED,
            old=None if created else old,
            new=new,
            note=item.title,
        )
    return examination


def _cross_value(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    return value.isoformat() if isinstance(value, date) else value
