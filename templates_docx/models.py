"""Word templates (versioned, with the variables they use) and the documents generated from them."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legalcase.models import Matter


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
    active = models.BooleanField(_("active"), default=False)
    note = models.TextField(_("note"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class GeneratedDocument(models.Model):
    """A filing generated for a matter from one template version (生成文书).

    ``missing`` names the elements the matter lacked, which the document marks
    (highlighted ``【待补充：…】``) for the lawyer to complete. ``formats`` are the files it
    offers: DOCX always, PDF where LibreOffice is installed; ``status`` is ``done`` once
    every offered format is stored. The generation and conversion jobs move it along.
    """

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
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
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


class TemplateEvent(models.Model):
    """The audit trail of template versions: who uploaded, activated or retired which one."""

    class Kind(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        ACTIVATED = "activated", _("Activated")
        DEACTIVATED = "deactivated", _("Deactivated")

    template = models.ForeignKey(DocumentTemplate, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("template event")
        verbose_name_plural = _("template events")
        ordering = ["-at", "-id"]
