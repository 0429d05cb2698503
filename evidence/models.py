"""Evidence: the files a matter's claim rests on, kept unchanged with their SHA-256.

Each item's bytes sit in django-filer's private storage (never served by a media
URL); Fasu's own download view checks matter access and writes the audit event.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evidence.conversion import CONVERTIBLE
from legalcase.models import BackgroundWork, JobStatus, Matter, Proceeding


class EvidenceKind(models.TextChoices):
    CONTRACT = "contract", _("Contract")
    STATEMENT = "statement", _("Statement")
    REPAYMENT_RECORD = "repayment_record", _("Repayment record")
    DEMAND_RECORD = "demand_record", _("Demand record")
    IDENTITY = "identity", _("Identity document")
    RULING = "ruling", _("Ruling")
    NOTICE = "notice", _("Notice")
    DELIVERY_PROOF = "delivery_proof", _("Proof of delivery")
    OTHER = "other", _("Other")


class TextState(models.TextChoices):
    EXTRACTED = "extracted", _("Text extracted")
    SCANNED = "scanned", _("Scanned (no text layer)")
    OCR = "ocr", _("Recognised by OCR")
    OCR_PARTIAL = "ocr_partial", _("Recognised by OCR (first 50 pages only)")
    NONE = "none", _("No text")


class PdfStatus(models.TextChoices):
    """Where a DOCX or XLSX item stands on its way to PDF (PDF and images need none)."""

    NATIVE = "native", _("Not needed")
    PENDING = "pending", _("Converting to PDF")
    CONVERTED = "converted", _("Converted to PDF")
    FAILED = "failed", _("PDF conversion failed")
    UNAVAILABLE = "unavailable", "PDF 转换不可用"


class EvidenceItem(BackgroundWork, models.Model):
    """One uploaded file of evidence for a matter, as accepted by ``evidence.validation``.

    The file is immutable once stored: ``sha256`` and ``size`` are computed from the
    exact bytes that were stored, so a later re-hash proves it unchanged (《人民法院在线
    诉讼规则》 on electronic evidence). ``purpose`` (证明目的), ``source`` (证据来源) and
    ``group`` (for numbering such as 证据1-1) feed the 证据目录 of a bundle.
    """

    # Reached through its matter (legalcase.access.access_child).
    matter_path = "matter"

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=24, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=200)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    purpose = models.TextField(_("purpose of proof"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    group = models.CharField(_("group"), max_length=40, blank=True)
    original_filename = models.CharField(_("original file name"), max_length=255)
    file = models.ForeignKey("filer.File", verbose_name=_("file"), on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.BigIntegerField(_("size"))
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # DOCX and XLSX: the PDF LibreOffice made of the file (job ``evidence_convert``), which
    # bundles use in its place; the original stays the evidence and keeps its SHA-256.
    pdf_file = models.ForeignKey(
        "filer.File", verbose_name=_("PDF"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pdf_job = models.ForeignKey(
        "legalcase.Job",
        verbose_name=_("conversion job"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The text layer (PDF), the document text (DOCX), or the converted PDF's text (XLSX).
    text = models.TextField(_("text"), blank=True)
    text_state = models.CharField(_("text state"), max_length=12, choices=TextState.choices, default=TextState.NONE)
    # Set by ``manage.py verify_evidence`` when the stored bytes no longer match ``sha256``.
    tampered_at = models.DateTimeField(_("integrity check failed at"), null=True, blank=True)
    # 1-based place among the matter's items (withdrawn ones included), no gaps: lists,
    # default bundles and the evidence_list filing follow it (``services.evidence_reorder``).
    position = models.PositiveIntegerField(_("position"), default=0)
    # Withdrawn (撤回) items are kept, with their file, but left out of new default bundles
    # and filings; a bundle naming one is refused (``services.evidence_withdraw``).
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["matter", "uploaded_at"], name="evidence_matter_uploaded"),
            models.Index(fields=["matter", "position"], name="evidence_matter_position"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def cross_examination_or_none(self) -> CrossExamination | None:
        """The other side's cross-examination of this item, None until one is recorded."""
        try:
            return self.cross_examination
        except CrossExamination.DoesNotExist:
            return None

    @property
    def cross_examination_points(self) -> list[tuple[str, str, bool | None, str]]:
        """(point, label, admitted, opinion) for each of the four points, as recorded or blank."""
        exam = self.cross_examination_or_none
        return [
            (point, label, *((getattr(exam, f"{point}_admitted"), getattr(exam, f"{point}_opinion")) if exam else (None, "")))
            for point, label in CrossExamination.POINT_LABELS.items()
        ]

    @property
    def sha256_short(self) -> str:
        return self.sha256[:12]

    @property
    def needs_conversion(self) -> bool:
        return self.content_type in CONVERTIBLE

    @property
    def pdf_status(self) -> str:
        """A ``PdfStatus`` value, read from the conversion job (select ``pdf_job`` with the item)."""
        if not self.needs_conversion:
            return PdfStatus.NATIVE
        if self.pdf_file_id:
            return PdfStatus.CONVERTED
        job = self.pdf_job if self.pdf_job_id else None
        if job is not None and job.status == "failed":
            if job.error.startswith("ConversionUnavailable"):
                return PdfStatus.UNAVAILABLE
            return PdfStatus.FAILED
        return PdfStatus.PENDING

    @property
    def pdf_error(self) -> str:
        return self.pdf_job.error if self.pdf_job_id and self.pdf_status == PdfStatus.FAILED else ""

    # Its background work is the conversion to PDF: done when none is needed.
    WORK_STATUS = {
        PdfStatus.NATIVE: JobStatus.DONE,
        PdfStatus.CONVERTED: JobStatus.DONE,
        PdfStatus.PENDING: JobStatus.PENDING,
        PdfStatus.FAILED: JobStatus.FAILED,
        PdfStatus.UNAVAILABLE: JobStatus.FAILED,
    }

    @property
    def work_status(self) -> str:
        return self.WORK_STATUS[self.pdf_status]

    @property
    def work_status_label(self) -> str:
        return PdfStatus(self.pdf_status).label

    @property
    def work_error(self) -> str:
        return self.pdf_error


class EvidenceSearchPart(models.Model):
    """One part of an item's search index: the CJK bigrams and words of its title and text.

    Written by ``evidence.search.index_items`` whenever the title or text changes; read
    only through the GIN index on ``document`` (PostgreSQL: the migration creates it
    there alone; SQLite keeps no rows and searches with LIKE). An item has one part per
    16,000 tokens of text (a tsvector's positions end at 16,383), overlapping, so a
    phrase is always whole in one part. Apart from the item's row, so that listing
    evidence never reads it.
    """

    # The unique (item, part) index serves the lookups by item.
    item = models.ForeignKey(
        EvidenceItem, verbose_name=_("evidence item"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    part = models.PositiveIntegerField(_("part"))
    document = SearchVectorField(_("search document"), null=True)

    class Meta:
        verbose_name = _("evidence search part")
        verbose_name_plural = _("evidence search parts")
        constraints = [models.UniqueConstraint(fields=["item", "part"], name="evidence_search_part_unique")]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.part}"


class CrossExamination(models.Model):
    """The other side's cross-examination (质证) of one evidence item, and our reply.

    On each of the four points the court weighs (《最高人民法院关于民事诉讼证据的若干规定》
    第八十七条: authenticity, legality, relevance, and whether it proves what it is
    offered for) the other side admits (true), disputes (false) or says nothing (null),
    with its opinion. Recorded by ``evidence.services.cross_examination_record`` (on the
    timeline); the 质证意见 filing prints it.
    """

    POINTS = ("authenticity", "legality", "relevance", "purpose")
    POINT_LABELS = {
        "authenticity": _("authenticity"),
        "legality": _("legality"),
        "relevance": _("relevance"),
        "purpose": _("purpose of proof"),
    }

    matter_path = "item__matter"

    item = models.OneToOneField(
        EvidenceItem, verbose_name=_("evidence item"), on_delete=models.PROTECT, related_name="cross_examination"
    )
    proceeding = models.ForeignKey(
        Proceeding, verbose_name=_("proceeding"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    examined_on = models.DateField(_("examined on"), null=True, blank=True)
    authenticity_admitted = models.BooleanField(_("authenticity admitted"), null=True, blank=True)
    authenticity_opinion = models.TextField(_("opinion on authenticity"), blank=True)
    legality_admitted = models.BooleanField(_("legality admitted"), null=True, blank=True)
    legality_opinion = models.TextField(_("opinion on legality"), blank=True)
    relevance_admitted = models.BooleanField(_("relevance admitted"), null=True, blank=True)
    relevance_opinion = models.TextField(_("opinion on relevance"), blank=True)
    purpose_admitted = models.BooleanField(_("purpose of proof admitted"), null=True, blank=True)
    purpose_opinion = models.TextField(_("opinion on the purpose of proof"), blank=True)
    reply = models.TextField(_("our reply"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("cross-examination")
        verbose_name_plural = _("cross-examinations")

    def __str__(self) -> str:
        return f"质证：{self.item}"

    def point(self, name: str) -> dict:
        """``{"admitted": True|False|None, "opinion": str}`` of one of ``POINTS``."""
        return {"admitted": getattr(self, f"{name}_admitted"), "opinion": getattr(self, f"{name}_opinion")}


class EvidenceBundle(BackgroundWork, models.Model):
    """One version of a court bundle: a 证据目录 index, the chosen exhibits, continuous page numbers.

    Built in the background by the ``evidence_bundle`` job (``services.bundle_build``);
    the job row holds the status. Building again for the same matter and title makes a
    new version and keeps the old one, each with its own SHA-256. ``evidence_ids`` keeps
    the exhibits' order and ``manifest`` the SHA-256 of every source file as built.
    """

    # Reached through its matter (legalcase.access.access_child).
    matter_path = "matter"

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="bundles")
    title = models.CharField(_("title"), max_length=200)
    version = models.PositiveIntegerField(_("version"))
    evidence_ids = models.JSONField(_("evidence"), default=list)
    job = models.ForeignKey(
        "legalcase.Job", verbose_name=_("job"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.ForeignKey(
        "filer.File", verbose_name=_("file"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    manifest = models.JSONField(_("manifest"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence bundle")
        verbose_name_plural = _("evidence bundles")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "title", "version"], name="bundle_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def status(self) -> str:
        if self.file_id:
            return "done"
        return self.job.status if self.job_id else "pending"

    @property
    def error(self) -> str:
        return self.job.error if self.job_id else ""

    @property
    def work_status(self) -> str:
        return self.status

    @property
    def work_status_label(self) -> str:
        return self.job.get_status_display() if self.job_id else ""

    @property
    def work_error(self) -> str:
        return self.error
