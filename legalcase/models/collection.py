"""The collection desk (issue 18): contacts with the debtor's side, promises to pay, complaints, conduct rules.

A ``Contact`` is one call, message, letter or visit (API.md, "Collection desk"); a
promise to pay made in it is a ``Promise``, whose status the recoveries decide; a
``Complaint`` (or a dispute) pauses contacts on the matter until it is resolved. The
conduct rules of LEGAL_RULES Part 2, B.2 are data (``CONDUCT_RULES``), like the
deadline rules: an id with its version, a level, parameters and the source that drives
them; ``legalcase.services.collection`` applies them before anything is stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from legalcase.fields import DerivedCharField, DerivedFieldsMixin, EncryptedCharField, EncryptedTextField
from legalcase.identity import mask_contact_point
from legalcase.models.accounts import LawFirm, User
from legalcase.models.debts import Party
from legalcase.models.matters import Matter
from legalcase.money import MONEY


class ContactChannel(models.TextChoices):
    """The demand channels' names (``DemandChannel``), with ``other`` for the rest."""

    PHONE = "phone", pgettext_lazy("demand channel", "Phone")
    SMS = "sms", pgettext_lazy("demand channel", "SMS")
    LETTER = "letter", pgettext_lazy("demand channel", "Letter")
    EMAIL = "email", pgettext_lazy("demand channel", "E-mail")
    VISIT = "visit", pgettext_lazy("demand channel", "Visit")
    OTHER = "other", pgettext_lazy("demand channel", "Other")


class ContactDirection(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound")
    INBOUND = "inbound", _("Inbound")


class ContactOutcome(models.TextChoices):
    NO_ANSWER = "no_answer", _("No answer")
    REFUSED = "refused", _("Refused to pay")
    PROMISE_TO_PAY = "promise_to_pay", _("Promise to pay")
    DISPUTE = "dispute", _("Disputes the debt")
    HARDSHIP = "hardship", _("Hardship stated")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    PAID = "paid", _("Says it is paid")
    OTHER = "other", pgettext_lazy("contact outcome", "Other")


# Attempts that did not reach the debtor, for ``third_party@2026``'s "3 consecutive failed attempts".
FAILED_OUTCOMES = (ContactOutcome.NO_ANSWER, ContactOutcome.WRONG_NUMBER)


class ThirdPartyPurpose(models.TextChoices):
    LOCATE = "locate", _("Locate the debtor or pass a message")
    COLLECT = "collect", _("Collect")


class Contact(DerivedFieldsMixin, models.Model):
    """One collection contact on a matter: who was reached, how, when, and what came of it.

    ``contact_point`` (the number, e-mail or address used) is stored in full but
    encrypted at rest, with its keyed digest beside it for the conduct rules, which count
    calls per number; it is answered masked everywhere (``masked_contact_point``). The
    note, which may name numbers and addresses, is encrypted too. ``occurred_on`` is the Beijing day of ``occurred_at``,
    the day the rules count by. ``recording_id`` is an evidence item of the same matter
    (a plain integer: ``legalcase`` imports no other app, as ``Ruling.evidence_id``).
    ``firm`` is the recorder's law firm, so an outside firm's contacts count on its
    scorecard. A contact never interrupts limitation (API.md). An override of a binding
    conduct rule keeps the rule and the reason; guidance breaches are in ``warnings``.
    """

    matter_path = "matter"

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="contacts")
    channel = models.CharField(_("channel"), max_length=16, choices=ContactChannel.choices)
    direction = models.CharField(_("direction"), max_length=16, choices=ContactDirection.choices)
    party = models.ForeignKey(
        Party, verbose_name=_("party"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    third_party_name = models.CharField(_("third party"), max_length=100, blank=True)
    third_party_relation = models.CharField(_("relation to the debtor"), max_length=50, blank=True)
    third_party_purpose = models.CharField(
        _("purpose"), max_length=16, blank=True, choices=ThirdPartyPurpose.choices
    )
    contact_point = EncryptedCharField(_("number or address used"), max_length=300, blank=True)
    contact_point_digest = DerivedCharField(
        _("number or address digest"), source="contact_point", derive="digest:contact_point", max_length=64,
        blank=True, default="", db_default="",
    )
    occurred_at = models.DateTimeField(_("when"))
    occurred_on = models.DateField(_("day (Beijing)"))
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=ContactOutcome.choices)
    recording_id = models.PositiveBigIntegerField(_("recording (evidence)"), null=True, blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    override_rule = models.CharField(_("rule overridden"), max_length=40, blank=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    override_by = models.ForeignKey(
        User, verbose_name=_("overridden by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    firm = models.ForeignKey(
        LawFirm, verbose_name=_("law firm"), null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, null=True, blank=True)
    request_digest = models.CharField(_("request digest"), max_length=64, blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("collection contact")
        verbose_name_plural = _("collection contacts")
        indexes = [
            models.Index(fields=["matter", "-occurred_at"], name="contact_matter_at"),
            # calls_per_number@2026 counts a number's attempts on one Beijing day.
            models.Index(fields=["contact_point_digest", "occurred_on"], name="contact_point_day"),
            models.Index(fields=["party", "occurred_on"], name="contact_party_day"),
            models.Index(fields=["firm", "matter"], name="contact_firm_matter"),
            # The dashboard's staff figures over a date range (services.kpi).
            models.Index(fields=["occurred_on", "created_by"], name="contact_day_recorder"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "idempotency_key"],
                name="contact_unique_idempotency_key",
                condition=Q(idempotency_key__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def masked_contact_point(self) -> str:
        return mask_contact_point(self.contact_point, self.channel)

    @property
    def who(self) -> str:
        """The party's name, or the third party's with their relation."""
        if self.party_id:
            return self.party.name
        relation = f"（{self.third_party_relation}）" if self.third_party_relation else ""
        return f"{self.third_party_name}{relation}"


class PromiseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept")
    BROKEN = "broken", _("Broken")


class Promise(models.Model):
    """A promise to pay made in a contact: ``amount`` by ``due_on``.

    Kept when the recoveries received from the contact's day on reach the amount by
    ``due_on`` plus ``PROMISE_GRACE_DAYS``; broken once that day has passed without;
    open before. ``paid_amount`` is what the recoveries brought in that window (net of
    reversals). ``promise_evaluate`` sets both on each recovery, reversal and day.
    """

    matter_path = "matter"

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="promises")
    contact = models.OneToOneField(
        Contact, verbose_name=_("contact"), on_delete=models.PROTECT, related_name="promise"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    promised_on = models.DateField(_("promised on"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=8, choices=PromiseStatus.choices, default=PromiseStatus.OPEN)
    paid_amount = models.DecimalField(_("paid"), default=0, **MONEY)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        indexes = [models.Index(fields=["status", "due_on"], name="promise_status_due")]


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    DISPUTE = "dispute", _("Dispute")


class ComplaintSource(models.TextChoices):
    DEBTOR = "debtor", _("Debtor")
    REGULATOR = "regulator", _("Regulator")
    OTHER = "other", pgettext_lazy("complaint source", "Other")


class Complaint(models.Model):
    """A complaint about collection or a dispute of the debt; while open it pauses contacts (``contact_pause@2026``).

    Demands are not paused: they guard limitation (API.md). A dispute recorded as a
    contact's outcome opens one, ``contact`` naming it.
    """

    matter_path = "matter"

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="complaints")
    kind = models.CharField(_("kind"), max_length=16, choices=ComplaintKind.choices)
    source = models.CharField(_("source"), max_length=16, choices=ComplaintSource.choices)
    received_on = models.DateField(_("received on"))
    summary = models.TextField(_("summary"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        User, verbose_name=_("resolved by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(User, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["matter", "status"], name="complaint_matter_status"),
            models.Index(fields=["received_on"], name="complaint_received_on"),
        ]


# --- Conduct rules (LEGAL_RULES Part 2, B.2) --------------------------------------------


class RuleLevel(models.TextChoices):
    BINDING = "binding", _("Binding")
    GUIDANCE = "guidance", _("Guidance")


@dataclass(frozen=True)
class ConductRule:
    """One conduct rule: ``id`` names it with the year of its text's version; ``params`` are its figures."""

    id: str
    level: str
    title: str  # a msgid: shown translated on refusals
    source: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.id.partition("@")[2]


CONTACT_HOURS_RULE = "contact_hours@2026"
CALLS_PER_NUMBER_RULE = "calls_per_number@2026"
THIRD_PARTY_RULE = "third_party@2026"
CONTACT_PAUSE_RULE = "contact_pause@2026"
NUMBER_BLOCKED_RULE = "number_blocked@2026"
CALLS_PER_PARTY_RULE = "calls_per_party@2026"

CONDUCT_RULES: tuple[ConductRule, ...] = (
    ConductRule(
        id=CONTACT_HOURS_RULE,
        level=RuleLevel.BINDING,
        title=gettext_noop("Collection contacts only between 08:00 and 22:00 Beijing time"),
        source=(
            "中国银行业协会《金融机构个人消费类贷款催收工作指引（试行）》(2026-01-30) (S); "
            "outbound phone, SMS and visits; a creditor may set a narrower window (Creditor.contact_window_*)"
        ),
        params={"start": "08:00", "end": "22:00", "time_zone": "Asia/Shanghai", "channels": ["phone", "sms", "visit"]},
    ),
    ConductRule(
        id=CALLS_PER_NUMBER_RULE,
        level=RuleLevel.BINDING,
        title=gettext_noop("At most 6 call attempts a day to one number"),
        source=(
            "中国银行业协会 2026 guidance (S): 6 unanswered attempts a day to one number; "
            "conservative (LEGAL_RULES B.2): every outbound attempt counts, answered or not"
        ),
        params={"max_per_day": 6, "channels": ["phone"]},
    ),
    ConductRule(
        id=THIRD_PARTY_RULE,
        level=RuleLevel.BINDING,
        title=gettext_noop("A third party only when the debtor is unreachable, and only to locate or pass a message"),
        source="中国银行业协会 2026 guidance (S); 个人信息保护法 Art. 23; 民法典 Art. 1038",
        params={"failed_attempts": 3, "purposes": ["locate"]},
    ),
    ConductRule(
        id=CONTACT_PAUSE_RULE,
        level=RuleLevel.BINDING,
        title=gettext_noop("No collection contact while a complaint or dispute is open"),
        source=(
            "信用卡办法 Art. 69 (S): objections verified; the pause is Fasu's conservative choice (U), "
            "LEGAL_RULES B.2 collection.objection@2011"
        ),
        params={},
    ),
    ConductRule(
        id=NUMBER_BLOCKED_RULE,
        level=RuleLevel.BINDING,
        title=gettext_noop("No contact to a number marked wrong or do-not-call"),
        source="民法典 Art. 1033 (no phone or SMS intrusion without consent); 中国银行业协会 2026 guidance (S)",
        params={"statuses": ["wrong", "do_not_call"]},
    ),
    ConductRule(
        id=CALLS_PER_PARTY_RULE,
        level=RuleLevel.GUIDANCE,
        title=gettext_noop("Calls a day to one party across all their numbers"),
        source=(
            "中国银行业协会 2026 guidance (S): connected calls only 合理及必需, no figure given; "
            "a configurable daily total (CALLS_PER_PARTY_DAY, default 10)"
        ),
        params={"max_per_day": 10, "setting": "CALLS_PER_PARTY_DAY", "channels": ["phone"]},
    ),
)

RULES_BY_ID = {rule.id: rule for rule in CONDUCT_RULES}


def beijing_day(at: dt.datetime) -> dt.date:
    """The day in Beijing of an aware datetime (the conduct rules count Beijing days)."""
    return timezone.localtime(at, timezone.get_default_timezone()).date()
