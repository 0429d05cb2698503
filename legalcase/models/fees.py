"""Outside-firm money: the fee agreed per assignment, the firms' invoices and what was paid.

An arrangement may combine a fixed fee, fees per stage reached and a contingency
percentage of recoveries; ``legalcase.services.fees.fee_earned`` works out what it has
earned. Invoices are submitted by the firm, approved or rejected (with a reason) by
counsel, and paid in one or more payments.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legalcase.models.accounts import LawFirm, User
from legalcase.models.base import AppendOnly
from legalcase.models.matters import Assignment
from legalcase.money import MONEY, RATE


class FeeArrangement(models.Model):
    """What the firm is paid on one assignment.

    ``stage_fees`` maps a stage (``Stage`` value) to the fee earned once the matter
    reaches it during the assignment, e.g. ``{"litigation": "800.00", "judgment": "500.00"}``.
    ``contingency_rate`` is a fraction of the net recoveries received during the assignment.
    """

    assignment = models.OneToOneField(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="fee_arrangement"
    )
    fixed_fee = models.DecimalField(_("fixed fee"), default=Decimal("0.00"), **MONEY)
    stage_fees = models.JSONField(_("fees by stage reached"), default=dict, blank=True)
    contingency_rate = models.DecimalField(_("contingency rate"), default=Decimal("0"), **RATE)
    cap = models.DecimalField(_("cap"), null=True, blank=True, **MONEY)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("fee arrangement")
        verbose_name_plural = _("fee arrangements")


class FeeInvoice(models.Model):
    """An invoice a firm submits for an assignment's fees."""

    # Reached through its assignment's matter (legalcase.access.access_child), seen by
    # whoever sees the assignment.
    matter_path = "assignment__matter"

    @staticmethod
    def visible_to(rows: models.QuerySet, *, user: User, matters: models.QuerySet) -> models.QuerySet:
        return rows.filter(assignment__in=Assignment.visible_to(Assignment.objects.all(), user=user, matters=matters))

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        PAID = "paid", _("Paid")

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.PROTECT, related_name="invoices"
    )
    firm = models.ForeignKey(LawFirm, verbose_name=_("law firm"), on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("invoice number"), max_length=60)
    amount = models.DecimalField(_("amount"), **MONEY)
    issued_on = models.DateField(_("issued on"))
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    decided_by = models.ForeignKey(
        User, verbose_name=_("decided by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    paid_amount = models.DecimalField(_("paid"), default=Decimal("0.00"), **MONEY)
    submitted_by = models.ForeignKey(
        User, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [models.UniqueConstraint(fields=["firm", "number"], name="invoice_unique_firm_number")]
        indexes = [
            models.Index(fields=["status", "-submitted_at"], name="invoice_status_submitted"),
            models.Index(fields=["issued_on"], name="invoice_issued_on"),
        ]


class FeePayment(AppendOnly):
    """Money paid to a firm against an approved invoice."""

    invoice = models.ForeignKey(
        FeeInvoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("fee payment")
        verbose_name_plural = _("fee payments")
