"""Word templates (versioned, with the variables they use) and the documents generated from them."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legalcase.models import BackgroundWork, Matter


class DocumentTemplateQuerySet(models.QuerySet):
    def current(self, *, on: date) -> "DocumentTemplateQuerySet":
        """For each code, the active version in effect on ``on`` (latest effective date, then version)."""
        chosen: dict[str, int] = {}
        in_effect = self.filter(active=True, effective_from__lte=on).order_by("code", "-effective_from", "-version")
        for pk, code in in_effect.values_list("pk", "code"):
            chosen.setdefault(code, pk)
        return self.filter(pk__in=chosen.values())


class DocumentTemplate(models.Model):
    """One version of a Word filing template (文书模板).

    ``content`` is the DOCX itself: templates are small and a version must never change
    under a document generated from it, so the bytes live in the row with their SHA-256.
    ``variables`` lists the dotted names the template reads (``debtor.name``,
    ``guarantors[].name``), read from the file by ``rendering.analyse_template`` when the
    version is stored. Several versions of a code may be active; a matter uses the one in
    effect on the day of generation (the latest ``effective_from`` not after it), so a new
    official form can be uploaded ahead of the date it applies from.
    """

    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveIntegerField(_("version"))
    form_version = models.CharField(_("official form"), max_length=60, blank=True)
    effective_from = models.DateField(_("effective from"))
    content = models.BinaryField(_("DOCX file"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True)
    variables = models.JSONField(_("variables used"), default=list)
    # The debt products a template is written for (the 信用卡 and 金融借款 complaints);
    # empty: any matter.
    products = models.JSONField(_("products"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=False)
    note = models.TextField(_("note"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = DocumentTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="template_unique_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def fits(self, matter: Matter) -> bool:
        """Whether the template is written for the matter's kind of debt."""
        return not self.products or matter.debt.product in self.products


def template_name_of(values: dict) -> str | None:
    """The template a timeline entry's ``{"document", "template", "version"}`` names, for the reader.

    The document's own template first (older entries hold its id and the code only), then
    the code's stored version, then the code's newest version.
    """
    if values.get("document"):
        name = GeneratedDocument.objects.filter(pk=values["document"]).values_list("template__name", flat=True).first()
        if name:
            return name
    code = values.get("template")
    if not code:
        return None
    versions = DocumentTemplate.objects.filter(code=code)
    if values.get("version"):
        name = versions.filter(version=values["version"]).values_list("name", flat=True).first()
        if name:
            return name
    return versions.order_by("-version").values_list("name", flat=True).first()


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class GeneratedDocument(BackgroundWork, models.Model):
    """A filing generated for a matter from one template version (生成文书).

    ``missing`` names the elements the matter lacked, which the document marks
    (highlighted ``【待补充：…】``) for the lawyer to complete. ``formats`` are the files it
    offers: DOCX always, PDF where LibreOffice is installed; ``status`` is ``done`` once
    every offered format is stored. The generation and conversion jobs move it along.
    """

    # Reached through its matter (legalcase.access.access_child).
    matter_path = "matter"

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="documents")
    template = models.ForeignKey(
        DocumentTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="documents"
    )
    status = models.CharField(_("status"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.PENDING)
    formats = models.JSONField(_("formats"), default=list)
    missing = models.JSONField(_("missing elements"), default=list)
    error = models.TextField(_("error"), blank=True)
    docx_file = models.ForeignKey(
        "filer.File", verbose_name=_("DOCX"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    docx_sha256 = models.CharField(_("DOCX SHA-256"), max_length=64, blank=True)
    pdf_file = models.ForeignKey(
        "filer.File", verbose_name=_("PDF"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    job = models.ForeignKey(
        "legalcase.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["matter", "created_at"], name="document_matter_created")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(docx_file__isnull=False), name="document_done_has_docx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.template.version}"

    @property
    def filename_stem(self) -> str:
        return f"{self.template.name}-{self.matter.number}"

    # Its background work: ``DocumentStatus`` has the job statuses' values.
    @property
    def work_status(self) -> str:
        return self.status

    @property
    def work_status_label(self) -> str:
        return self.get_status_display()

    @property
    def work_error(self) -> str:
        return self.error


class TemplateEvent(models.Model):
    """The audit trail of template versions: who uploaded, activated or retired which one."""

    class Kind(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        ACTIVATED = "activated", _("Activated")
        DEACTIVATED = "deactivated", _("Deactivated")

    template = models.ForeignKey(
        DocumentTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("template event")
        verbose_name_plural = _("template events")
        ordering = ["-at", "-id"]


class Batch(models.Model):
    """A batch filing (批量立案): one template, many matters, optionally each matter's bundle.

    The ``batch_run`` job splits the matters into chunks, each a ``batch_chunk`` job on the
    ``pdf`` queue, so every worker process takes part and no process holds more than one
    chunk's documents. Progress and the outcome live on the items; the batch is ``done``
    once every item is processed, whatever failed. The ZIP is streamed from the stored
    files when it is downloaded, so it is never held in memory or stored twice.
    """

    # A batch covers many matters: it is its creator's (or an administrator's) to see,
    # while every one of its matters is visible to them (legalcase.access.access_child).
    matter_path = None

    @staticmethod
    def visible_to(rows: models.QuerySet, *, user, matters: models.QuerySet) -> models.QuerySet:
        if not user.is_authenticated:
            return rows.none()
        if user.role != "admin":
            rows = rows.filter(created_by=user)
        hidden = BatchItem.objects.filter(batch=models.OuterRef("pk")).exclude(matter__in=matters)
        return rows.exclude(models.Exists(hidden))

    class Procedure(models.TextChoices):
        SIMPLIFIED = "simplified", _("Simplified procedure (fee halved)")
        ORDINARY = "ordinary", _("Ordinary procedure")

    template = models.ForeignKey(DocumentTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="+")
    bundle = models.BooleanField(_("with evidence bundles"), default=False)
    procedure = models.CharField(_("procedure"), max_length=12, choices=Procedure.choices, default=Procedure.SIMPLIFIED)
    total = models.PositiveIntegerField(_("matters"))
    job = models.ForeignKey(
        "legalcase.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.template.name} × {self.total}"

    def counts(self) -> dict[str, int]:
        """How many items are done, failed and still pending (one query)."""
        rows = dict(self.items.values_list("status").annotate(n=models.Count("id")).values_list("status", "n"))
        return {status: rows.get(status, 0) for status in BatchItemStatus.values}

    @property
    def status(self) -> str:
        return self.status_for(self.counts())

    def status_for(self, counts: dict[str, int]) -> str:
        """``done`` once every matter is processed (API.md), whatever failed."""
        if counts[BatchItemStatus.PENDING] == 0:
            return "done"
        if counts[BatchItemStatus.PENDING] < self.total or (self.job_id and self.job.status == "running"):
            return "running"
        return "pending"


class BatchItemStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BatchItem(models.Model):
    """One matter of a batch: its outcome, its files (name, SHA-256, size, stored file) or its error."""

    batch = models.ForeignKey(Batch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="items")
    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("position"))
    status = models.CharField(_("status"), max_length=8, choices=BatchItemStatus.choices, default=BatchItemStatus.PENDING)
    error = models.TextField(_("error"), blank=True)
    # The filing is stored even when the matter's evidence bundle cannot be built: why not.
    bundle_error = models.TextField(_("bundle error"), blank=True)
    document = models.ForeignKey(
        GeneratedDocument, verbose_name=_("document"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    bundle = models.ForeignKey(
        "evidence.EvidenceBundle",
        verbose_name=_("evidence bundle"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    files = models.JSONField(_("files"), default=list)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("batch item")
        verbose_name_plural = _("batch items")
        ordering = ["batch", "position"]
        constraints = [models.UniqueConstraint(fields=["batch", "matter"], name="batch_item_unique_matter")]
        indexes = [models.Index(fields=["batch", "status"], name="batch_item_status")]


class FilingDetails(models.Model):
    """What a filing asks that no other record of the matter holds (one row per matter, made on first save).

    The 要素式 complaint's 合同签订地点, 合约主要条款提示说明 and 解除条件, the security
    a preservation application offers, the enforcement notice (执行通知书) the court
    served, and who receives documents for the applicant (送达地址确认书). Set through
    ``filing_details_update``; ``templates_docx.context`` reads it.
    """

    matter = models.OneToOneField(
        Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="filing_details"
    )
    contract_place = models.CharField(_("place the contract was signed"), max_length=200, blank=True, default="")
    terms_notice = models.CharField(
        _("how, when and where the main terms were explained"), max_length=500, blank=True, default=""
    )
    termination_terms = models.CharField(_("termination conditions"), max_length=500, blank=True, default="")
    preservation_security = models.CharField(
        _("security offered for preservation"), max_length=300, blank=True, default=""
    )
    notice_served_on = models.DateField(_("enforcement notice served on"), null=True, blank=True)
    notice_deadline = models.DateField(_("enforcement notice performance deadline"), null=True, blank=True)
    service_recipient = models.CharField(_("recipient of service"), max_length=100, blank=True, default="")
    service_recipient_phone = models.CharField(_("recipient's phone"), max_length=30, blank=True, default="")
    # The assignee's account the transfer notice tells the debtor to pay into.
    collection_bank = models.CharField(_("collection account's bank"), max_length=200, blank=True, default="")
    collection_account = models.CharField(_("collection account number"), max_length=40, blank=True, default="")
    # The applicant's account the court pays enforcement money into (执行款账户确认书).
    payout_bank = models.CharField(_("payout account's bank"), max_length=200, blank=True, default="")
    payout_account = models.CharField(_("payout account number"), max_length=40, blank=True, default="")
    payout_contact = models.CharField(_("payout contact"), max_length=100, blank=True, default="")
    payout_phone = models.CharField(_("payout contact's phone"), max_length=30, blank=True, default="")
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    TEXT_FIELDS = (
        "contract_place",
        "terms_notice",
        "termination_terms",
        "preservation_security",
        "service_recipient",
        "service_recipient_phone",
        "collection_bank",
        "collection_account",
        "payout_bank",
        "payout_account",
        "payout_contact",
        "payout_phone",
    )
    DATE_FIELDS = ("notice_served_on", "notice_deadline")

    class Meta:
        verbose_name = _("filing details")
        verbose_name_plural = _("filing details")

    def __str__(self) -> str:
        return f"{self.matter_id}"
