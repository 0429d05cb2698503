"""Batch filings (API.md, "Batches"): many matters, one template, a ZIP for the court.

``batch_request`` checks and stores the batch; the ``batch_run`` job cuts it into
chunks of ``BATCH_CHUNK`` matters, each a ``batch_chunk`` job on the ``pdf`` queue, so
every PDF worker process takes chunks and none holds more than one chunk of documents.
A chunk renders its DOCX files in the render pool, converts them in one LibreOffice run,
builds each matter's bundle when asked, and stores everything; a matter that fails is
recorded with its reason and the others go on. A bundle that cannot be built does not
fail the filing: the matter is done, without a bundle, with the reason in ``bundle_error``.
The ZIP (a folder per successful matter, ``manifest.csv``, ``failed.csv`` naming the
matters that failed and why, ``bundle_errors.csv`` naming the bundles missing and why)
is streamed from the stored files on download.

Exactly once, whatever dies: a chunk is a job, so a dead worker's chunk runs again once
its lease runs out, and a run does only what is still to do. An item leaves ``pending``
once, by a conditional UPDATE in the transaction that creates its document (so a second
run creates none); its bundle is linked to the item in the transaction that stores it
(so a second run reuses it). A chunk given up on (``batch_chunk_give_up``) fails the
items it did not finish, with the reason, and the batch ends ``done``.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import queue
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from evidence.bundling import BundleError
from evidence.conversion import conversion_available, convert_many
from evidence.models import EvidenceBundle
from evidence.services import bundle_create, bundle_make, private_file, private_storage
from legalcase.access import access_child, require, visible_matters
from legalcase.calculators import court_fees
from legalcase.events import record_event
from legalcase.jobs import JobReporter, job_create, without_paths
from legalcase.models import EventKind, Job, Matter, MatterEvent, User
from legalcase.safetext import spreadsheet_row
from templates_docx.context import matter_context, with_filing_data
from templates_docx.models import Batch, BatchItem, BatchItemStatus, DocumentStatus, GeneratedDocument
from templates_docx.pool import RenderFailed, render_pool
from templates_docx.rendering import sha256
from templates_docx.completion import filing_check, panel_rows
from templates_docx.services import DOCX_TYPE, enforcement_refusal, template_current, unfit_message

logger = logging.getLogger(__name__)

BATCH_JOB = "batch_run"
CHUNK_JOB = "batch_chunk"
MAX_BATCH = 5000
# Up to this many matters the pre-check renders each filing to list exactly its markers.
RENDERED_CHECK_LIMIT = 50
MIN_CHUNK = 5
BUNDLE_TITLE = "证据材料"
MANIFEST_HEADER = ["matter_number", "debtor_name", "claim_total", "files", "sha256"]
# Beside the manifest when matters failed: which, and why (API.md, "Operations at scale").
FAILED_NAME = "failed.csv"
FAILED_HEADER = ["matter_number", "debtor_name", "error"]
# Beside the manifest when filings were stored without their bundle: which, and why.
BUNDLE_ERRORS_NAME = "bundle_errors.csv"
BUNDLE_ERRORS_HEADER = ["matter_number", "debtor_name", "bundle_error"]


def _matter_ids(raw) -> list[int]:
    if not isinstance(raw, list) or not raw:
        raise ValidationError({"matters": ["请至少选择一个案件"]})
    try:
        ids = list(dict.fromkeys(int(value) for value in raw if not isinstance(value, bool)))
    except (TypeError, ValueError):
        raise ValidationError({"matters": ["案件编号必须是整数"]}) from None
    if len(ids) != len(raw):
        raise ValidationError({"matters": ["案件编号有误或重复"]})
    if len(ids) > MAX_BATCH:
        raise ValidationError({"matters": [f"一个批次最多 {MAX_BATCH:,} 个案件"]})
    return ids


def batch_request(
    *, user: User, matter_ids, template_code: str, bundle: bool, procedure: str = Batch.Procedure.SIMPLIFIED
) -> Batch:
    """Check and store a batch, then start it; 400 names every matter the user cannot see."""
    require(user, "write_filings")
    ids = _matter_ids(matter_ids)
    visible = set(visible_matters(user).filter(pk__in=ids).values_list("pk", flat=True))
    refused = [pk for pk in ids if pk not in visible]
    if refused:
        raise ValidationError({"matters": [f"无权访问或不存在的案件：{', '.join(map(str, refused))}"]})
    if procedure not in Batch.Procedure.values:
        raise ValidationError({"procedure": ["程序只能是 simplified 或 ordinary"]})
    template = template_current(template_code)
    with transaction.atomic():
        batch = Batch.objects.create(
            template=template, bundle=bool(bundle), procedure=procedure, total=len(ids), created_by=user
        )
        BatchItem.objects.bulk_create(
            [BatchItem(batch=batch, matter_id=pk, position=index) for index, pk in enumerate(ids, start=1)],
            batch_size=1000,
        )
        batch.job = job_create(kind=BATCH_JOB, user=user, payload={"batch_id": batch.pk}, total=len(ids))
        batch.save(update_fields=["job"])
    return batch


def batch_run(*, job: Job, report: JobReporter) -> dict:
    """The ``batch_run`` job: one ``batch_chunk`` job per chunk of pending matters. Safe to run twice."""
    batch = Batch.objects.get(pk=job.payload["batch_id"])
    # At least eight chunks where the batch allows, so every worker process takes part;
    # at most BATCH_CHUNK matters each (one LibreOffice run, memory for one chunk).
    size = max(MIN_CHUNK, min(settings.BATCH_CHUNK, math.ceil(batch.total / 8)))
    with transaction.atomic():
        # The row lock makes a second run wait, then see the chunks already queued.
        Batch.objects.select_for_update().get(pk=batch.pk)
        queued = set()
        for payload in Job.objects.filter(kind=CHUNK_JOB, payload__batch_id=batch.pk).values_list("payload", flat=True):
            queued.update(payload["item_ids"])
        pending = [
            pk
            for pk in batch.items.filter(status=BatchItemStatus.PENDING).order_by("position").values_list("pk", flat=True)
            if pk not in queued
        ]
        for start in range(0, len(pending), size):
            chunk = pending[start : start + size]
            job_create(kind=CHUNK_JOB, user=batch.created_by, payload={"batch_id": batch.pk, "item_ids": chunk}, total=len(chunk))
    report(done=0, total=batch.total)
    return {"batch_id": batch.pk, "chunks": (len(pending) + size - 1) // size}


@dataclass
class _Work:
    """One matter of a chunk on its way through render, conversion, bundle and storage."""

    item: BatchItem
    docx: bytes = b""
    missing: list = field(default_factory=list)
    pdf: bytes | None = None
    bundle = None
    error: str = ""
    # The bundle could not be built: the filing is still stored, this says why it has no bundle.
    bundle_error: str = ""
    skip: bool = False  # finished meanwhile by another run of the chunk: leave it alone


def batch_chunk(*, job: Job, report: JobReporter) -> dict:
    """The ``batch_chunk`` job: process its matters; each failure is recorded on its item. Safe to run twice.

    The DOCX files are rendered first; LibreOffice then converts them in one run in a
    second thread, and as each PDF is written this thread builds that matter's bundle
    and stores its files, so the Python work overlaps the conversion and every matter's
    progress shows as soon as it is done.
    """
    batch = Batch.objects.select_related("template", "created_by").get(pk=job.payload["batch_id"])
    items = list(
        BatchItem.objects.filter(pk__in=job.payload["item_ids"], status=BatchItemStatus.PENDING).order_by("position")
    )
    matters = with_filing_data(Matter.objects.filter(pk__in=[item.matter_id for item in items])).in_bulk()
    for item in items:
        item.matter = matters[item.matter_id]
    works = [_Work(item=item) for item in items]
    today = timezone.localdate()
    template = batch.template
    content = bytes(template.content)
    for work in works:
        if not template.fits(work.item.matter):
            work.error = unfit_message(template)
            continue
        refusal = enforcement_refusal(template, work.item.matter)
        if refusal:
            work.error = refusal
            continue
        try:
            context = matter_context(work.item.matter, today=today)
            rendered = render_pool().render(template=content, digest=template.sha256, context=context)  # jinja_env: sandbox
            work.docx, work.missing = rendered
        except RenderFailed as exc:
            work.error = without_paths(f"生成失败：{exc}")
        except Exception:  # one matter's bad data fails that matter only
            logger.exception("batch %s: rendering matter %s failed", batch.pk, work.item.matter_id)
            work.error = "生成失败：案件数据无法填入模板，请检查案件资料"
    finished = 0

    def finish(work: _Work) -> None:
        nonlocal finished
        if not work.error and batch.bundle and work.bundle is None and not work.bundle_error and not work.skip:
            _bundle(work, batch)
        if not work.skip:
            _store(work, batch)
        finished += 1
        report(done=finished, total=len(works))

    for work in [work for work in works if work.error]:
        finish(work)
    rendered = [work for work in works if not work.error]
    if rendered and conversion_available():
        _convert_while(rendered, batch=batch, finish=finish)
    else:
        for work in rendered:
            finish(work)
    done = sum(1 for work in works if not work.error)
    return {"batch_id": batch.pk, "done": done, "failed": len(works) - done}


def _convert_while(works: list[_Work], *, batch: Batch, finish) -> None:
    """Convert ``works`` in one LibreOffice run in another thread; finish each as its PDF lands."""
    ready: queue.Queue = queue.Queue()
    with tempfile.TemporaryDirectory(prefix="fasu-batch-") as folder:
        sources = {}
        for work in works:
            source = Path(folder) / f"item{work.item.pk}.docx"
            source.write_bytes(work.docx)
            sources[source] = work

        def convert() -> None:
            try:
                convert_many(
                    list(sources), outdir=Path(folder) / "pdf", on_ready=lambda path, result: ready.put((path, result))
                )
            except Exception as exc:  # LibreOffice missing or broken: every matter not yet done fails
                ready.put((None, exc))
            finally:
                ready.put(None)

        converter = threading.Thread(target=convert, name="fasu-batch-convert", daemon=True)
        converter.start()
        waiting_for_bundle = list(works) if batch.bundle else []
        left = set(sources)
        while True:
            try:
                message = ready.get_nowait()
            except queue.Empty:
                if waiting_for_bundle:  # use the wait: a bundle does not need the PDF
                    waiting = waiting_for_bundle.pop(0)
                    if not waiting.error and not waiting.bundle_error:
                        _bundle(waiting, batch)
                    continue
                message = ready.get()
            if message is None:
                break
            path, result = message
            if path is None:
                logger.error("batch %s: conversion failed: %s", batch.pk, result)
                for source in sorted(left):
                    sources[source].error = "PDF 转换失败：转换服务不可用，请稍后重试"
                    finish(sources[source])
                left.clear()
                continue
            work = sources[path]
            left.discard(path)
            if isinstance(result, BaseException):
                logger.error("batch %s: converting matter %s failed: %s", batch.pk, work.item.matter_id, result)
                work.error = "PDF 转换失败：文书无法转换为PDF"
            else:
                work.pdf = result.read_bytes()
            if work in waiting_for_bundle:
                waiting_for_bundle.remove(work)
            finish(work)
        converter.join()


def _bundle(work: _Work, batch: Batch) -> None:
    """Build the matter's bundle once: it is linked to the item in the transaction that stores
    it, so a run of the chunk after a crash finds and reuses it instead of making a second."""
    try:
        with transaction.atomic():
            # The item's row lock: a second run of the chunk waits here, then sees the bundle.
            item = BatchItem.objects.select_for_update().get(pk=work.item.pk)
            if item.status != BatchItemStatus.PENDING:
                work.skip = True
                return
            if item.bundle_id:
                work.bundle = EvidenceBundle.objects.select_related("file").get(pk=item.bundle_id)
                return
            # The matter's row lock, as ``bundle_request`` takes it: version numbers stay unique.
            list(Matter.objects.select_for_update().filter(pk=item.matter_id).values_list("pk", flat=True))
            bundle = bundle_create(matter=work.item.matter, user=batch.created_by, title=BUNDLE_TITLE, queue=False)
            bundle_make(bundle)
            BatchItem.objects.filter(pk=item.pk).update(bundle=bundle)
        work.bundle = bundle
    except ValidationError as exc:
        work.bundle_error = f"证据材料无法生成：{'；'.join(exc.messages)}"
    except BundleError as exc:
        work.bundle_error = without_paths(f"证据材料无法生成：{exc}")
    except Exception:
        logger.exception("batch %s: bundle of matter %s failed", batch.pk, work.item.matter_id)
        work.bundle_error = "证据材料无法生成：证据文件无法读取或合并"


def _store(work: _Work, batch: Batch) -> None:
    """Store the matter's files and record its outcome, or record its failure."""
    item = work.item
    done_at = timezone.now()
    if work.error:
        # A bundle built by an earlier run stays linked to the failed item: it is the
        # matter's, complete, and listed on its bundles page.
        BatchItem.objects.filter(pk=item.pk, status=BatchItemStatus.PENDING).update(
            status=BatchItemStatus.FAILED, error=work.error, finished_at=done_at
        )
        return
    template = batch.template
    stem = f"{template.name}-{item.matter.number}"
    try:
        with private_file(
            content=work.docx, filename=f"{stem}.docx", title=stem, owner=batch.created_by, mime_type=DOCX_TYPE
        ) as docx_file, _maybe_pdf(work, stem, batch.created_by) as pdf_file, transaction.atomic():
            document = GeneratedDocument.objects.create(
                matter=item.matter,
                template=template,
                status=DocumentStatus.DONE,
                formats=["docx", "pdf"] if pdf_file else ["docx"],
                missing=work.missing,
                docx_file=docx_file,
                docx_sha256=sha256(work.docx),
                pdf_file=pdf_file,
                created_by=batch.created_by,
            )
            files = [_entry(f"{template.name}.docx", work.docx, docx_file)]
            if pdf_file:
                files.append(_entry(f"{template.name}.pdf", work.pdf, pdf_file))
            if work.bundle is not None:
                files.append(
                    {
                        "name": f"{BUNDLE_TITLE}.pdf",
                        "sha256": work.bundle.sha256,
                        "size": work.bundle.file.size,
                        "file": work.bundle.file_id,
                    }
                )
            updated = BatchItem.objects.filter(pk=item.pk, status=BatchItemStatus.PENDING).update(
                status=BatchItemStatus.DONE,
                document=document,
                bundle=work.bundle,
                bundle_error=work.bundle_error,
                files=files,
                finished_at=done_at,
            )
            if not updated:  # processed meanwhile by a re-run of this chunk: keep that outcome
                raise _AlreadyDone
            record_event(
                matter=item.matter,
                actor=batch.created_by,
                kind=EventKind.DOCUMENT_REQUESTED,
                new={
                    "document": document.pk,
                    "template": template.code,
                    "version": template.version,
                    "template_name": template.name,
                    "batch": batch.pk,
                },
            )
    except _AlreadyDone:
        return
    except Exception:
        logger.exception("batch %s: storing matter %s failed", batch.pk, item.matter_id)
        BatchItem.objects.filter(pk=item.pk, status=BatchItemStatus.PENDING).update(
            status=BatchItemStatus.FAILED, error="保存失败：文件未能保存，请重试", finished_at=done_at
        )


class _AlreadyDone(Exception):
    pass


class _NoFile:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _maybe_pdf(work: _Work, stem: str, owner: User):
    if work.pdf is None:
        return _NoFile()
    return private_file(content=work.pdf, filename=f"{stem}.pdf", title=f"{stem} (PDF)", owner=owner, mime_type="application/pdf")


def _entry(name: str, content: bytes, stored) -> dict:
    return {"name": name, "sha256": sha256(content), "size": len(content), "file": stored.pk}


# --- Giving up -------------------------------------------------------------------------


def _fail_pending(items, reason: str) -> int:
    return items.filter(status=BatchItemStatus.PENDING).update(
        status=BatchItemStatus.FAILED, error=reason[:2000], finished_at=timezone.now()
    )


def batch_chunk_give_up(*, job: Job, reason: str) -> None:
    """A chunk failed for good: its unfinished matters fail with the reason (the finished
    ones keep their files), so the batch ends ``done`` and its ZIP offers what succeeded."""
    _fail_pending(BatchItem.objects.filter(pk__in=job.payload["item_ids"]), f"未能处理：{reason}")


def batch_run_give_up(*, job: Job, reason: str) -> None:
    """The batch's coordinating job failed for good: the matters no chunk took fail with the reason."""
    chunked = set()
    for payload in Job.objects.filter(kind=CHUNK_JOB, payload__batch_id=job.payload["batch_id"]).values_list(
        "payload", flat=True
    ):
        chunked.update(payload["item_ids"])
    left = BatchItem.objects.filter(batch_id=job.payload["batch_id"]).exclude(pk__in=chunked)
    _fail_pending(left, f"未能处理：{reason}")


# --- Reading a batch ----------------------------------------------------------------


def batch_list(*, user: User):
    """The caller's batches (an administrator's: all), newest first, each with its item counts
    (``n_pending``, ``n_done``, ``n_failed``) annotated. As ``access_child`` (``Batch.visible_to``), a
    batch naming a matter the caller no longer sees is left out."""
    batches = Batch.objects.select_related("template", "job").annotate(
        **{
            f"n_{status}": Count("items", filter=Q(items__status=status))
            for status in BatchItemStatus.values
        }
    )
    if user.role != "admin":
        batches = batches.filter(created_by=user)
        visible = visible_matters(user)
        if visible.query.where:  # a lawyer's firm's matters: hide batches naming others
            hidden = BatchItem.objects.filter(batch__created_by=user).exclude(matter__in=visible.values("pk"))
            batches = batches.exclude(pk__in=hidden.values("batch_id"))
    return batches.order_by("-created_at", "-id")


def batch_items(*, user: User, batch_id: int, status: str | None = None):
    """A batch's items in order, with their status, reason and files; 404 as ``access_child``."""
    batch = access_child(user, Batch, batch_id)
    items = batch.items.select_related("matter").order_by("position")
    if status:
        if status not in BatchItemStatus.values:
            raise ValidationError({"status": [f"状态只能是 {'、'.join(BatchItemStatus.values)}"]})
        items = items.filter(status=status)
    return items


def batch_errors(batch: Batch) -> list[dict]:
    return [
        {"matter": matter_id, "number": number, "error": error}
        for matter_id, number, error in batch.items.filter(status=BatchItemStatus.FAILED)
        .order_by("position")
        .values_list("matter_id", "matter__number", "error")
    ]


def batch_bundle_errors(batch: Batch) -> list[dict]:
    """The matters whose filing was stored without its evidence bundle, and why."""
    return [
        {"matter": matter_id, "number": number, "bundle_error": error}
        for matter_id, number, error in batch.items.filter(status=BatchItemStatus.DONE)
        .exclude(bundle_error="")
        .order_by("position")
        .values_list("matter_id", "matter__number", "bundle_error")
    ]


def _folder(item: BatchItem) -> str:
    name = "".join(c for c in item.matter.debtor_name if c not in '/\\:*?"<>|').strip()
    return f"{item.matter.number}_{name}" if name else item.matter.number


class _Sink:
    """A write-only stream for ``zipfile`` that hands out what was written so far."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def batch_zip_stream(batch: Batch) -> Iterator[bytes]:
    """The batch's ZIP, produced piece by piece from the stored files (never whole in memory)."""
    storage = private_storage()
    sink = _Sink()
    rows = []
    items = (
        batch.items.filter(status=BatchItemStatus.DONE)
        .select_related("matter__debt")
        .order_by("position")
    )
    from filer.models import File as FilerFile

    with zipfile.ZipFile(sink, "w", zipfile.ZIP_STORED) as archive:
        for item in items.iterator(chunk_size=200):
            folder = _folder(item)
            stored = {f.pk: f for f in FilerFile.objects.filter(pk__in=[entry["file"] for entry in item.files])}
            for entry in item.files:
                info = zipfile.ZipInfo(f"{folder}/{entry['name']}", date_time=item.finished_at.timetuple()[:6])
                with archive.open(info, "w", force_zip64=entry["size"] > 2**31) as target, storage.open(
                    stored[entry["file"]].file.name, "rb"
                ) as source:
                    while chunk := source.read(1024 * 1024):
                        target.write(chunk)
                        yield sink.drain()
            rows.append(
                [
                    item.matter.number,
                    item.matter.debtor_name,
                    f"{item.matter.debt.claim_total:.2f}",
                    ";".join(f"{folder}/{entry['name']}" for entry in item.files),
                    ";".join(entry["sha256"] for entry in item.files),
                ]
            )
        archive.writestr("manifest.csv", _csv_text(MANIFEST_HEADER, rows))
        failed = [
            [number, debtor_name, error]
            for number, debtor_name, error in batch.items.filter(status=BatchItemStatus.FAILED)
            .order_by("position")
            .values_list("matter__number", "matter__debtor_name", "error")
        ]
        if failed:
            archive.writestr(FAILED_NAME, _csv_text(FAILED_HEADER, failed))
        without_bundle = [
            [number, debtor_name, error]
            for number, debtor_name, error in batch.items.filter(status=BatchItemStatus.DONE)
            .exclude(bundle_error="")
            .order_by("position")
            .values_list("matter__number", "matter__debtor_name", "bundle_error")
        ]
        if without_bundle:
            archive.writestr(BUNDLE_ERRORS_NAME, _csv_text(BUNDLE_ERRORS_HEADER, without_bundle))
    yield sink.drain()


def _csv_text(header: list[str], rows: list[list]) -> str:
    """CSV for Excel: UTF-8 with a BOM, CRLF; a debtor's name or an error never runs as a formula."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(spreadsheet_row(header))
    writer.writerows(spreadsheet_row(row) for row in rows)
    return "\ufeff" + text.getvalue()


def batch_open_for_download(*, user: User, batch_id: int) -> tuple[Batch, Iterator[bytes]]:
    """The batch and its ZIP stream; every matter in it gets a download entry on its timeline."""
    batch = access_child(user, Batch, batch_id, rows=Batch.objects.select_related("template", "job"))
    if batch.status != "done":
        raise ValidationError({"batch": ["批次尚未完成"]})
    matter_ids = list(batch.items.filter(status=BatchItemStatus.DONE).values_list("matter_id", flat=True))
    if not matter_ids:
        raise ValidationError({"batch": ["批次中没有成功生成的案件，失败原因见批次详情"]})
    MatterEvent.objects.bulk_create(
        [
            MatterEvent(
                matter_id=matter_id,
                actor=user,
                kind=EventKind.DOCUMENT_DOWNLOADED,
                new={
                    "batch": batch.pk,
                    "template": batch.template.code,
                    "version": batch.template.version,
                    "template_name": batch.template.name,
                    "format": "zip",
                },
            )
            for matter_id in matter_ids
        ],
        batch_size=1000,
    )
    return batch, batch_zip_stream(batch)


# --- Pre-filing checks ------------------------------------------------------------


@dataclass
class BatchChecks:
    """What a batch would run into, shown before it starts (issue: pre-filing checks)."""

    count: int
    # Per matter, the panel's rows (completion.panel_rows): labels, where recorded, input.
    missing: list[tuple[Matter, list[dict]]]
    time_barred: list[Matter]
    no_forum: list[Matter]
    no_evidence: list[Matter]
    unfit: list[Matter]
    fees_total: Decimal
    procedure: str
    template: object = None


def batch_checks(*, user: User, matter_ids, template_code: str, procedure: str, bundle: bool) -> BatchChecks:
    """Missing elements per matter, time-barred matters, unset forums and the acceptance fees in total."""
    require(user, "write_filings")
    ids = _matter_ids(matter_ids)
    template = template_current(template_code)
    today = timezone.localdate()
    matters = _matters_for_checks(user, ids)
    fees_total = Decimal("0.00")
    render = len(matters) <= RENDERED_CHECK_LIMIT
    missing, time_barred, no_forum, no_evidence, unfit = [], [], [], [], []
    for matter in matters:
        if not template.fits(matter) or enforcement_refusal(template, matter):
            unfit.append(matter)
        context = matter_context(matter, today=today)
        # Each missing element with where it is recorded (completion.filing_check): rendered
        # for a short list, read from the template's variables for a long one (~20 ms a render).
        entries = filing_check(matter=matter, template=template, context=context, render=render)
        if entries:
            missing.append((matter, panel_rows(entries)))
        if matter.time_barred:
            time_barred.append(matter)
        if matter.forum_id is None:
            no_forum.append(matter)
        if bundle and not context["evidence"]:
            no_evidence.append(matter)
        claim = matter.debt.claim_total
        if claim > 0:
            fees = court_fees(claim)
            fees_total += fees.acceptance_simplified if procedure == Batch.Procedure.SIMPLIFIED else fees.acceptance
    return BatchChecks(
        count=len(matters),
        missing=missing,
        time_barred=time_barred,
        no_forum=no_forum,
        no_evidence=no_evidence,
        unfit=unfit,
        fees_total=fees_total,
        procedure=procedure,
        template=template,
    )


def _matters_for_checks(user: User, ids: list[int]) -> list[Matter]:
    return list(with_filing_data(visible_matters(user).filter(pk__in=ids).with_current_deadlines()).order_by("pk"))
