"""Court notices as they arrive (SMS, e-mail, a court platform, an uploaded file), read and matched.

A notice changes no matter until a person confirms it (API.md, "Court notices and
evidence search"): ``reading`` is what ``court_notices.read_court_notice`` returned,
kept forever; ``parsed`` is the reading with the corrections a person made (kept in
``corrections``). Matching proposes a matter (``matched``), lists several
(``candidates``) or none (``unmatched``: the review queue).
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legalcase.models.accounts import Role, User
from legalcase.models.matters import Matter
from legalcase.models.proceedings import Hearing, Proceeding


def token_digest(token: str) -> str:
    """The SHA-256 hex digest a gateway's token is kept as (never the token itself)."""
    return hashlib.sha256((token or "").encode()).hexdigest()


class SmsGateway(models.Model):
    """An SMS gateway that forwards court messages to ``/api/v1/court-notices/webhook/<name>/``.

    Its token is shown once when issued (``manage.py court_notice_gateway``) and kept
    only as a digest, like API keys.
    """

    name = models.SlugField(_("name"), max_length=40, unique=True)
    token_digest = models.CharField(_("token digest"), max_length=64)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("SMS gateway")
        verbose_name_plural = _("SMS gateways")

    def __str__(self) -> str:
        return self.name

    def issue_token(self) -> str:
        """Set a new random token and return it (the caller saves the row)."""
        token = secrets.token_urlsafe(32)
        self.token_digest = token_digest(token)
        return token

    def token_matches(self, token: str) -> bool:
        return bool(token) and secrets.compare_digest(self.token_digest, token_digest(token))


class CourtNoticeChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    PLATFORM = "platform", _("Court platform")
    UPLOAD = "upload", _("Uploaded file")


class CourtNoticeStatus(models.TextChoices):
    MATCHED = "matched", _("Matched")
    CANDIDATES = "candidates", _("Several candidate matters")
    UNMATCHED = "unmatched", _("Not matched")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class CourtNoticeKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Acceptance notice (受理)")
    FEE_PAYMENT = "fee_payment", _("Fee payment notice (缴费)")
    EVIDENCE = "evidence", _("Evidence notice (举证)")
    SUMMONS = "summons", _("Summons (开庭传票)")
    JUDGMENT_SERVICE = "judgment_service", _("Judgment or ruling served (判决书/裁定书送达)")
    ENFORCEMENT_ACCEPTANCE = "enforcement_acceptance", _("Enforcement accepted (执行受理)")
    PROPERTY_REPORT_ORDER = "property_report_order", _("Property report order (财产报告令)")
    TERMINATION_RULING = "termination_ruling", _("Termination ruling (终本裁定)")
    OTHER = "other", _("Other notice")


# Who holds a notice for idempotency and visibility: in-house users share one pool (they
# see every notice); a lawyer, a gateway and the mailbox each their own.
INHOUSE_SCOPE = "inhouse"


class CourtNotice(models.Model):
    """One court notice as received, what was read from it, and what a person decided."""

    channel = models.CharField(_("channel"), max_length=8, choices=CourtNoticeChannel.choices)
    text = models.TextField(_("text"), blank=True)
    received_at = models.DateTimeField(_("received at"))
    # SHA-256 of the text, or of the file's bytes: the same notice posted again is the first one.
    digest = models.CharField(_("digest"), max_length=64)
    scope = models.CharField(_("scope"), max_length=60)
    idempotency_key = models.CharField(_("Idempotency-Key"), max_length=100, blank=True)
    # The file of an upload, stored like evidence (private storage); becomes ``notice``
    # evidence of the matter at confirmation (``evidence_id``, an id: legalcase imports no app above it).
    file = models.ForeignKey(
        "filer.File", verbose_name=_("file"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.BigIntegerField(_("size"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    evidence_id = models.PositiveIntegerField(_("evidence item"), null=True, blank=True)
    reading = models.JSONField(_("reading"), default=dict, blank=True)
    parsed = models.JSONField(_("parsed"), default=dict, blank=True)
    corrections = models.JSONField(_("corrections"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=CourtNoticeStatus.choices)
    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), null=True, blank=True, on_delete=models.PROTECT, related_name="court_notices"
    )
    proceeding = models.ForeignKey(
        Proceeding,
        verbose_name=_("proceeding"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="court_notices",
    )
    # Matter ids proposed when several matched (status ``candidates``).
    candidates = models.JSONField(_("candidate matters"), default=list, blank=True)
    hearing = models.ForeignKey(
        Hearing, verbose_name=_("hearing"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_by = models.ForeignKey(
        User, verbose_name=_("posted by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    gateway = models.ForeignKey(
        SmsGateway, verbose_name=_("SMS gateway"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The message a notice read from the court mailbox came from: "<mailbox> <uidvalidity>:<uid>".
    mail_source = models.CharField(_("mail message"), max_length=300, blank=True)
    confirmed_by = models.ForeignKey(
        User, verbose_name=_("confirmed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    dismissed_reason = models.TextField(_("reason for dismissal"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("court notice")
        verbose_name_plural = _("court notices")
        indexes = [models.Index(fields=["status", "-received_at"], name="court_notice_status")]
        constraints = [models.UniqueConstraint(fields=["scope", "digest"], name="court_notice_once_per_scope")]

    def __str__(self) -> str:
        return (self.parsed or {}).get("case_number") or f"{self.get_channel_display()} {self.pk}"

    @classmethod
    def visible_to(cls, rows, *, user: User, matters):
        """In-house users see every notice; a lawyer those they posted and those confirmed to their matters."""
        if not user.is_authenticated or not user.is_active:
            return rows.none()
        if user.role == Role.LAWYER:
            return rows.filter(
                Q(posted_by=user) | Q(status=CourtNoticeStatus.CONFIRMED, matter__in=matters)
            )
        return rows

    @property
    def kind_label(self) -> str:
        kind = (self.parsed or {}).get("kind") or CourtNoticeKind.OTHER
        return str(CourtNoticeKind(kind).label) if kind in CourtNoticeKind.values else str(CourtNoticeKind.OTHER.label)

    @property
    def is_decided(self) -> bool:
        return self.status in (CourtNoticeStatus.CONFIRMED, CourtNoticeStatus.DISMISSED)


class CourtMailMessage(models.Model):
    """A message of the court mailbox already read: each is read once (UIDVALIDITY and UID)."""

    mailbox = models.CharField(_("mailbox"), max_length=250)
    uidvalidity = models.BigIntegerField(_("UIDVALIDITY"))
    uid = models.BigIntegerField(_("UID"))
    read_at = models.DateTimeField(_("read at"), default=timezone.now)
    notices = models.PositiveIntegerField(_("notices"), default=0)

    class Meta:
        verbose_name = _("court mail message")
        verbose_name_plural = _("court mail messages")
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "uidvalidity", "uid"], name="court_mail_message_once"),
        ]
