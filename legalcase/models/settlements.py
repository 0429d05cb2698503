"""Settlements (和解 / 减免方案): what the debtor can pay, what is waived, and the instalments.

An instalment's status is worked out from the matter's recoveries received on or after
the agreement date, applied to the instalments in the order they fall due
(``legalcase.settlements.instalment_statuses``); the stored ``status`` and ``paid_on``
are that result, refreshed whenever a recovery is recorded or reversed and each day by
``deadlines_daily``. An instalment left unpaid beyond the grace period breaches the
settlement and flags the matter for resumed enforcement (``Matter.resumption_flagged_on``).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legalcase.fields import EncryptedTextField
from legalcase.models.accounts import User
from legalcase.models.matters import Matter
from legalcase.money import MONEY

DEFAULT_GRACE_DAYS = 15


class Settlement(models.Model):
    """A settlement with the debtor: the means assessed, the reduction granted, the amount agreed.

    ``allocation`` is the order the agreement applies payments in (LEGAL_RULES Part 2,
    B.8: the agreement governs; by default 民法典 Art. 561's costs, interest, principal);
    recoveries received under the settlement while it is performed follow it.
    ``lodged_with_court``: an enforcement settlement (执行和解) lodged with the court,
    after a breach of which the 2 years to resume run from its last instalment
    (执行和解规定 Art. 10); any settlement interrupts the 2-year period and limitation.
    """

    class Allocation(models.TextChoices):
        STATUTORY = "costs,interest,principal", _("Costs, then interest, then principal (民法典 Art. 561)")
        COSTS_PRINCIPAL_INTEREST = "costs,principal,interest", _("Costs, then principal, then interest")
        INTEREST_COSTS_PRINCIPAL = "interest,costs,principal", _("Interest, then costs, then principal")
        INTEREST_PRINCIPAL_COSTS = "interest,principal,costs", _("Interest, then principal, then costs")
        PRINCIPAL_COSTS_INTEREST = "principal,costs,interest", _("Principal, then costs, then interest")
        PRINCIPAL_INTEREST_COSTS = "principal,interest,costs", _("Principal, then interest, then costs")

    # Reached through its matter (legalcase.access.access_child).
    matter_path = "matter"

    class Status(models.TextChoices):
        ACTIVE = "active", _("Being performed")
        COMPLETED = "completed", _("Performed in full")
        BREACHED = "breached", _("Breached")
        CANCELLED = "cancelled", _("Cancelled")

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="settlements")
    agreed_on = models.DateField(_("agreed on"))
    # The debtor's means as assessed (偿债能力评估).
    monthly_income = models.DecimalField(_("monthly income"), null=True, blank=True, **MONEY)
    assets_assessed = models.TextField(_("assets assessed"), blank=True)
    # The debtor's circumstances (illness, income, family): encrypted at rest.
    hardship = EncryptedTextField(_("hardship notes"), blank=True)
    # The claim when agreed, what is waived (减免) and what the debtor is to pay.
    outstanding_at_agreement = models.DecimalField(_("outstanding when agreed"), **MONEY)
    reduction = models.DecimalField(_("reduction granted"), default=Decimal("0.00"), **MONEY)
    settlement_amount = models.DecimalField(_("amount to be paid"), **MONEY)
    grace_days = models.PositiveSmallIntegerField(_("grace period (days)"), default=DEFAULT_GRACE_DAYS)
    allocation = models.CharField(
        _("order payments are applied in"),
        max_length=32,
        choices=Allocation.choices,
        default=Allocation.STATUTORY,
        db_default=Allocation.STATUTORY,
    )
    lodged_with_court = models.BooleanField(
        _("enforcement settlement lodged with the court"), default=False, db_default=False
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    breached_on = models.DateField(_("breached on"), null=True, blank=True)
    completed_on = models.DateField(_("performed in full on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-agreed_on", "-id"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            models.UniqueConstraint(fields=["matter"], condition=Q(status="active"), name="settlement_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.matter} {self.agreed_on}"

    @property
    def allocation_order(self) -> tuple[str, ...]:
        """The agreed order of the heads, for ``calculators.allocate_payment``."""
        return tuple(self.allocation.split(","))


class Instalment(models.Model):
    """One payment of a settlement's schedule, its status as last worked out from the recoveries."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not yet due")
        PAID = "paid", _("Paid")
        LATE = "late", _("Late")
        MISSED = "missed", _("Missed")

    settlement = models.ForeignKey(
        Settlement, verbose_name=_("settlement"), on_delete=models.CASCADE, related_name="instalments"
    )
    sequence = models.PositiveSmallIntegerField(_("number"))
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    paid_amount = models.DecimalField(_("paid"), default=Decimal("0.00"), **MONEY)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        ordering = ["settlement", "sequence"]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        constraints = [
            models.UniqueConstraint(fields=["settlement", "sequence"], name="instalment_unique_sequence"),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="instalment_status_due")]
