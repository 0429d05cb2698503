"""Proceedings before courts and arbitration commissions, their hearings, service and rulings."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legalcase.models.accounts import User
from legalcase.models.debts import Party
from legalcase.models.matters import Forum, Matter, Stage
from legalcase.models.search import case_number_key
from legalcase.money import MONEY
from legalcase.periods import public_notice_served_on


class Proceeding(models.Model):
    """A procedure before a court or arbitration commission in a matter (诉讼/仲裁/执行程序).

    Recorded whatever the matter's stage (API.md: facts arrive in any order); a new
    proceeding only proposes the matching stage move, a person makes it. The case
    number is kept in the official form with full-width brackets, and may stay blank
    until the forum accepts the case. ``served_on`` is the last service on any party.
    """

    # Reached through its matter (legalcase.access.access_child).
    matter_path = "matter"

    class Kind(models.TextChoices):
        PRE_SUIT_PRESERVATION = "pre_suit_preservation", _("Pre-suit preservation (诉前财产保全)")
        PRESERVATION = "preservation", _("Preservation during proceedings (诉中财产保全)")
        PRE_SUIT_MEDIATION = "pre_suit_mediation", _("Pre-suit mediation (诉前调解)")
        PAYMENT_ORDER = "payment_order", _("Payment order (督促程序)")
        ARBITRATION = "arbitration", _("Arbitration (仲裁)")
        FIRST_INSTANCE = "first_instance", _("First instance (一审)")
        SMALL_CLAIMS = "small_claims", _("Small claims (小额诉讼)")
        APPEAL = "appeal", _("Appeal (二审)")
        NOTARIAL_ENFORCEMENT = "notarial_enforcement", _("Enforcement of a notarial deed (公证债权文书执行)")
        ENFORCEMENT = "enforcement", _("Enforcement (执行)")
        RESUMED_ENFORCEMENT = "resumed_enforcement", _("Resumed enforcement (恢复执行)")

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="proceedings")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    forum = models.ForeignKey(
        Forum,
        verbose_name=_("court or arbitration commission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proceedings",
    )
    case_number = models.CharField(_("case number"), max_length=60, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    judge = models.CharField(_("judge or arbitrator"), max_length=100, blank=True)
    clerk = models.CharField(_("clerk"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # The facts two statutory periods run from (LEGAL_RULES section 2): the fee is due
    # 7 days after the fee notice arrives; a pre-suit preservation lapses unless suit
    # or arbitration follows within 30 days of the measure.
    fee_notice_received_on = models.DateField(_("fee notice received on"), null=True, blank=True)
    measures_taken_on = models.DateField(_("preservation measures taken on"), null=True, blank=True)
    # The last days of the evidence period (举证期限) and the defence period (答辩期) as the
    # court's notices give them (LEGAL_RULES Part 2 B.4); a last day on a rest day moves
    # forward in the deadline engine.
    evidence_due_on = models.DateField(_("evidence period ends"), null=True, blank=True)
    defence_due_on = models.DateField(_("defence period ends"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("proceeding")
        verbose_name_plural = _("proceedings")
        indexes = [
            models.Index(fields=["matter", "-created_at"], name="proceeding_matter_created"),
            # The matter list finds a matter by its case number however the brackets were typed.
            models.Index(case_number_key(), name="proceeding_case_number_key"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True)
                | Q(filed_on__isnull=True)
                | Q(accepted_on__gte=models.F("filed_on")),
                name="proceeding_accepted_after_filed",
            ),
        ]

    def __str__(self) -> str:
        return self.case_number or self.get_kind_display()

    @property
    def served_on(self):
        """The last effective service on any party (API.md), None before any service."""
        dates = [record.effective_served_on for record in self.service_records.all()]
        return max(dates) if dates else None


# The stage each kind of proceeding leads to. A payment order and court-annexed
# pre-suit mediation are court procedures before judgment, hence litigation; an appeal
# takes a matter back from judgment to litigation (API.md's table).
PROCEEDING_STAGES: dict[str, str] = {
    Proceeding.Kind.PRE_SUIT_PRESERVATION: Stage.PRESERVATION,
    Proceeding.Kind.PRESERVATION: Stage.PRESERVATION,
    Proceeding.Kind.PRE_SUIT_MEDIATION: Stage.LITIGATION,
    Proceeding.Kind.PAYMENT_ORDER: Stage.LITIGATION,
    Proceeding.Kind.ARBITRATION: Stage.ARBITRATION,
    Proceeding.Kind.FIRST_INSTANCE: Stage.LITIGATION,
    Proceeding.Kind.SMALL_CLAIMS: Stage.LITIGATION,
    Proceeding.Kind.APPEAL: Stage.LITIGATION,
    Proceeding.Kind.NOTARIAL_ENFORCEMENT: Stage.ENFORCEMENT,
    Proceeding.Kind.ENFORCEMENT: Stage.ENFORCEMENT,
    Proceeding.Kind.RESUMED_ENFORCEMENT: Stage.ENFORCEMENT,
}

# Filing suit or arbitration, or applying for a payment order, interrupts limitation
# (民法典 Art. 195(3); 诉讼时效规定 Art. 11(1)).
LIMITATION_INTERRUPTING_KINDS = frozenset(
    {
        Proceeding.Kind.ARBITRATION,
        Proceeding.Kind.FIRST_INSTANCE,
        Proceeding.Kind.SMALL_CLAIMS,
        Proceeding.Kind.PAYMENT_ORDER,
    }
)


class Hearing(models.Model):
    """A hearing or mediation session of a proceeding (开庭/询问/调解).

    ``revision`` counts the moves (the calendar feed's SEQUENCE, so a calendar app
    updates the one event); ``summons_served_on`` is the day the 开庭传票 reached us,
    flagged when fewer than 3 clear days before the hearing (LEGAL_RULES Part 2 B.4).
    """

    # Reached through its proceeding's matter (legalcase.access.access_child).
    matter_path = "proceeding__matter"

    proceeding = models.ForeignKey(
        Proceeding, verbose_name=_("proceeding"), on_delete=models.PROTECT, related_name="hearings"
    )
    at = models.DateTimeField(_("at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    summons_served_on = models.DateField(_("summons served on"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")


class ServiceMethod(models.TextChoices):
    DIRECT = "direct", _("Direct service (直接送达)")
    MAIL = "mail", _("Service by mail (邮寄送达)")
    ELECTRONIC = "electronic", _("Electronic service (电子送达)")
    PUBLIC_NOTICE = "public_notice", _("Service by public notice (公告送达)")
    LEFT = "left", _("Service by leaving the documents (留置送达)")
    ENTRUSTED = "entrusted", _("Entrusted service (委托送达)")


class ServiceRecord(models.Model):
    """Service of a proceeding's documents on a party (送达), or on the creditor when ``party`` is empty.

    A public notice is deemed served 30 days after ``published_on`` (民事诉讼法 Art. 95);
    every other method is served on ``served_on``.
    """

    proceeding = models.ForeignKey(
        Proceeding, verbose_name=_("proceeding"), on_delete=models.PROTECT, related_name="service_records"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("party"), null=True, blank=True, on_delete=models.PROTECT, related_name="service_records"
    )
    method = models.CharField(_("method"), max_length=16, choices=ServiceMethod.choices)
    served_on = models.DateField(_("served on"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        constraints = [
            models.CheckConstraint(
                condition=(Q(method="public_notice") & Q(published_on__isnull=False))
                | (~Q(method="public_notice") & Q(served_on__isnull=False)),
                name="service_record_has_its_date",
            ),
        ]

    @property
    def effective_served_on(self):
        """The day service takes effect: the deemed day for a public notice, else ``served_on``."""
        if self.method == ServiceMethod.PUBLIC_NOTICE:
            return public_notice_served_on(published_on=self.published_on).on
        return self.served_on


class Ruling(models.Model):
    """A document deciding a proceeding (判决书, 裁定书, 调解书, 仲裁裁决书, 支付令) and the facts read from it.

    ``reading`` is exactly what ``rulings.read_ruling`` returned, kept forever; the
    fields hold the current facts: the reading at first, then with the corrections a
    person made at confirmation (kept in ``corrections``). What was read drives nothing
    until confirmed (API.md, "Proceedings and rulings"). The file itself is an evidence
    item; ``evidence_id`` is its id as a plain integer, because ``legalcase`` imports no
    other app (DESIGN.md) and so cannot hold a foreign key to ``evidence``.
    """

    # Reached through its matter (legalcase.access.access_child).
    matter_path = "matter"

    class Kind(models.TextChoices):
        JUDGMENT = "judgment", _("Judgment (判决书)")
        RULING = "ruling", _("Ruling (裁定书)")
        MEDIATION = "mediation", _("Mediation statement (调解书)")
        ARBITRAL_AWARD = "arbitral_award", _("Arbitral award (仲裁裁决书)")
        PAYMENT_ORDER = "payment_order", _("Payment order (支付令)")

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="rulings")
    proceeding = models.ForeignKey(
        Proceeding, verbose_name=_("proceeding"), null=True, blank=True, on_delete=models.PROTECT, related_name="rulings"
    )
    evidence_id = models.PositiveIntegerField(
        _("evidence item"), null=True, blank=True, help_text=_("The id of the evidence item holding the file.")
    )
    reading = models.JSONField(_("reading"), default=dict, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, null=True, blank=True)
    case_number = models.CharField(_("case number"), max_length=60, null=True, blank=True)
    court = models.CharField(_("court or arbitration commission"), max_length=200, null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    served_on = models.DateField(_("served on"), null=True, blank=True)
    principal_awarded = models.DecimalField(_("principal awarded"), **MONEY, null=True, blank=True)
    interest_awarded = models.DecimalField(_("interest awarded"), **MONEY, null=True, blank=True)
    acceptance_fee = models.DecimalField(_("acceptance fee"), **MONEY, null=True, blank=True)
    acceptance_fee_charged = models.DecimalField(_("acceptance fee charged"), **MONEY, null=True, blank=True)
    appealable = models.BooleanField(_("appealable"), null=True, blank=True)
    performance_days = models.PositiveIntegerField(_("performance days"), null=True, blank=True)
    text_excerpt = models.TextField(_("text excerpt"), null=True, blank=True)
    confirmed = models.BooleanField(_("confirmed"), default=False)
    confirmed_by = models.ForeignKey(
        User, verbose_name=_("confirmed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    corrections = models.JSONField(_("corrections"), default=dict, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ruling")
        verbose_name_plural = _("rulings")

    def __str__(self) -> str:
        return self.case_number or (self.get_kind_display() if self.kind else str(_("ruling")))


class RulingParty(models.Model):
    """A party a ruling orders to pay, with its liability (API.md v1.1 ``bound_parties``).

    Read from the document where it says so (``rulings.read_ruling``, matched by name to
    the matter's debtor and guarantors) and replaced by a person's corrections at
    confirmation. The filings that name 被执行人/被申请人 in enforcement name exactly these
    parties of the matter's confirmed instrument (LEGAL_RULES Part 2 B.7).
    """

    class Role(models.TextChoices):
        DEBTOR = "debtor", _("Debtor")
        GUARANTOR = "guarantor", _("Guarantor")

    class Liability(models.TextChoices):
        PRINCIPAL = "principal", _("Principal debtor (ordered to pay)")
        JOINT = "joint", _("Joint and several (连带)")
        SUPPLEMENTARY = "supplementary", _("Supplementary, after the debtor (一般保证人的补充责任)")
        SEVERAL = "several", _("Several (按份)")
        LIMITED = "limited", _("Limited to an amount")

    ruling = models.ForeignKey(Ruling, verbose_name=_("ruling"), on_delete=models.CASCADE, related_name="bound_parties")
    party = models.ForeignKey(Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    liability = models.CharField(_("liability"), max_length=16, choices=Liability.choices)
    limit = models.DecimalField(_("limit"), **MONEY, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("party bound by a ruling")
        verbose_name_plural = _("parties bound by a ruling")
        constraints = [models.UniqueConstraint(fields=["ruling", "party"], name="ruling_party_unique")]

    def __str__(self) -> str:
        return f"{self.party_id}: {self.liability}"
