"""Enforcement (执行): the debtors' assets, the court's measures on them, recoveries and costs.

API.md "Enforcement, recoveries and costs"; LEGAL_RULES sections 3 (freeze periods) and
6 (allocation of payments). Recoveries and costs are append-only: a mistake is put
right by a counter-entry, never by an edit or a delete.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legalcase.fields import EncryptedCharField, EncryptedTextField
from legalcase.identity import mask_account
from legalcase.models.accounts import User
from legalcase.models.base import AppendOnly
from legalcase.models.debts import Party
from legalcase.models.matters import Matter
from legalcase.models.search import case_number_key
from legalcase.money import MONEY


class Asset(models.Model):
    """Something of a debtor's (or guarantor's) that enforcement can reach, and where the lead came from."""

    class Kind(models.TextChoices):
        BANK_ACCOUNT = "bank_account", _("Bank account")
        REAL_ESTATE = "real_estate", _("Real estate")
        VEHICLE = "vehicle", _("Vehicle")
        EQUITY = "equity", _("Equity")
        RECEIVABLE = "receivable", _("Receivable")
        WAGES = "wages", _("Wages")
        OTHER = "other", _("Other")

    class Source(models.TextChoices):
        COURT_SEARCH = "court_search", _("Court's online search (网络查控)")
        CREDITOR = "creditor", _("Creditor's own records")
        INVESTIGATION = "investigation", _("Lawyer's investigation")
        DEBTOR_DECLARATION = "debtor_declaration", _("Debtor's declaration (财产申报)")
        TIP_OFF = "tip_off", _("Tip-off")
        OTHER = "other", _("Other")

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="assets")
    owner = models.ForeignKey(Party, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="assets")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300)
    identifier = EncryptedCharField(
        _("identifier"), max_length=100, blank=True, help_text=_("Account, certificate or plate number; shown masked.")
    )
    estimated_value = models.DecimalField(_("estimated value"), null=True, blank=True, **MONEY)
    source = models.CharField(_("lead from"), max_length=24, choices=Source.choices)
    found_on = models.DateField(_("found on"))
    note = EncryptedTextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-found_on", "-id"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.description}"

    @property
    def masked_identifier(self) -> str:
        return mask_account(self.identifier) if self.identifier else ""


class EnforcementAction(models.Model):
    """A court's enforcement measure (API.md's kinds): freezes and seizures with their expiry, 终本, 失信 ...

    ``expires_on`` is the court's stated date when given (``expiry_stated``), else the
    engine's default by property type (LEGAL_RULES section 3); a renewal is a new action
    whose ``renews`` points at the one it continues, so the chain stays.
    """

    # Reached through its matter (legalcase.access.access_child).
    matter_path = "matter"

    class Kind(models.TextChoices):
        FREEZE_DEPOSIT = "freeze_deposit", _("Freeze of deposits (冻结存款)")
        SEIZE_MOVABLE = "seize_movable", _("Seizure of movables (查封/扣押动产)")
        SEIZE_REAL_ESTATE = "seize_real_estate", _("Seizure of real estate (查封不动产)")
        FREEZE_EQUITY = "freeze_equity", _("Freeze of equity (冻结股权)")
        FREEZE_RECEIVABLE = "freeze_receivable", _("Freeze of a receivable (冻结到期债权)")
        DEDUCT = "deduct", _("Deduction (扣划)")
        GARNISH_WAGES = "garnish_wages", _("Garnishment of wages (扣留、提取收入)")
        AUCTION = "auction", _("Auction (拍卖)")
        SALE = "sale", _("Sale (变卖)")
        CONSUMPTION_RESTRICTION = "consumption_restriction", _("Consumption restriction (限制高消费)")
        DISHONEST_LISTING = "dishonest_listing", _("Dishonest debtor listing (失信被执行人)")
        EXIT_RESTRICTION = "exit_restriction", _("Exit restriction (限制出境)")
        TERMINATION_CURRENT = "termination_current", _("Termination of the current procedure (终本)")
        RESUMPTION = "resumption", _("Resumption (恢复执行)")

    class Rank(models.TextChoices):
        FIRST = "first", _("First seizure (首封)")
        WAITING = "waiting", _("Waiting seizure (轮候)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In force")
        RENEWED = "renewed", _("Renewed")
        LIFTED = "lifted", _("Lifted")
        EXPIRED = "expired", _("Expired")
        DONE = "done", _("Done")

    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="enforcement_actions"
    )
    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    court = models.CharField(_("court"), max_length=200, blank=True)
    case_number = models.CharField(_("case number"), max_length=60, blank=True)
    started_on = models.DateField(_("started on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    expiry_stated = models.BooleanField(_("expiry stated by the court"), default=False)
    renewal_due_on = models.DateField(_("renewal due on"), null=True, blank=True)
    rank = models.CharField(_("seizure rank"), max_length=8, choices=Rank.choices, blank=True)
    amount = models.DecimalField(_("amount"), null=True, blank=True, **MONEY)
    listing_ground = models.PositiveSmallIntegerField(
        _("listing ground"), null=True, blank=True, help_text=_("失信 only: the ground (1-6) of Art. 1 of the 2017 rules.")
    )
    ends_on = models.DateField(_("ends on"), null=True, blank=True, help_text=_("失信, 限高, exit restriction: the end."))
    renews = models.OneToOneField(
        "self", verbose_name=_("renews"), null=True, blank=True, on_delete=models.PROTECT, related_name="renewal"
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("enforcement action")
        verbose_name_plural = _("enforcement actions")
        indexes = [
            models.Index(fields=["expires_on"], name="enforcement_expires_on", condition=Q(status="active")),
            models.Index(fields=["matter", "-started_on"], name="enforcement_matter_started"),
            models.Index(case_number_key(), name="enforcement_case_number_key"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_number}".strip()


# Which freeze period (periods.FREEZE_PERIODS) an action of each lapsing kind runs for.
LAPSING_KINDS = {
    EnforcementAction.Kind.FREEZE_DEPOSIT: "deposit",
    EnforcementAction.Kind.SEIZE_MOVABLE: "movable",
    EnforcementAction.Kind.SEIZE_REAL_ESTATE: "real_estate",
    EnforcementAction.Kind.FREEZE_EQUITY: "property_right",
    EnforcementAction.Kind.FREEZE_RECEIVABLE: "property_right",
    EnforcementAction.Kind.GARNISH_WAGES: "deposit",
}


class RecoverySource(models.TextChoices):
    VOLUNTARY = "voluntary", _("Voluntary payment")
    ENFORCEMENT = "enforcement", _("Enforcement")
    AUCTION = "auction", _("Auction proceeds")
    SETTLEMENT = "settlement", _("Settlement")
    OTHER = "other", _("Other")


class Recovery(AppendOnly):
    """Money received on a matter, with its allocation to costs, interest and principal.

    Append-only. A reversal is a counter-entry (negative amounts, ``reverses`` set) with
    its reason. ``idempotency_key`` is unique per matter and kept forever; ``request_digest``
    is the SHA-256 of the request body it came with, so a replay can be told from a clash.
    """

    # Reached through its matter (legalcase.access.access_child).
    matter_path = "matter"

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="recoveries")
    amount = models.DecimalField(_("amount"), **MONEY)
    received_on = models.DateField(_("received on"))
    source = models.CharField(_("source"), max_length=16, choices=RecoverySource.choices)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    allocated_costs = models.DecimalField(_("to costs"), **MONEY)
    allocated_interest = models.DecimalField(_("to interest"), **MONEY)
    allocated_principal = models.DecimalField(_("to principal"), **MONEY)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, null=True, blank=True)
    request_digest = models.CharField(_("request digest"), max_length=64, blank=True)
    reverses = models.OneToOneField(
        "self", verbose_name=_("reverses"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversal"
    )
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = _("recovery")
        verbose_name_plural = _("recoveries")
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "idempotency_key"],
                name="recovery_key_once_per_matter",
                condition=Q(idempotency_key__isnull=False),
            ),
        ]
        # The dashboard's figures over a date range (services.kpi) read the range's rows only.
        indexes = [models.Index(fields=["received_on"], name="recovery_received_on")]


class Cost(AppendOnly):
    """A cost of realising the claim, borne by the creditor or recoverable from the debtor.

    ``amount`` is what the court's notice (or the invoice) says; ``computed_amount`` what
    the fee calculators give, kept beside it. A court fee's notice date gives the fee
    payment deadline. Append-only, like recoveries.
    """

    class Kind(models.TextChoices):
        ACCEPTANCE_FEE = "acceptance_fee", _("Case acceptance fee (案件受理费)")
        PRESERVATION_FEE = "preservation_fee", _("Preservation fee (保全费)")
        ENFORCEMENT_FEE = "enforcement_fee", _("Enforcement application fee (申请执行费)")
        ANNOUNCEMENT_FEE = "announcement_fee", _("Announcement fee (公告费)")
        LAWYER_FEE = "lawyer_fee", _("Lawyer fee (律师费)")
        OTHER = "other", _("Other")

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="costs")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    computed_amount = models.DecimalField(_("computed amount"), null=True, blank=True, **MONEY)
    incurred_on = models.DateField(_("incurred on"))
    recoverable = models.BooleanField(_("recoverable from the debtor"), default=True)
    notice_received_on = models.DateField(_("notice received on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["incurred_on", "id"]
        verbose_name = _("cost")
        verbose_name_plural = _("costs")
        indexes = [models.Index(fields=["incurred_on"], name="cost_incurred_on")]
