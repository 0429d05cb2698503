"""Transfers of claims (债权转让): a portfolio's debts sold to an asset-management company.

The debt's ``creditor`` becomes the buyer from ``effective_on``; every step is kept as a
``ClaimTransfer`` row (append-only), so the chain from the original lender to the
current holder can always be read back. The newspaper announcement that notifies the
debtors (and demands payment) is recorded on each debt as a delivered ``public_notice``
demand, which interrupts limitation (诉讼时效规定 Art. 10; 民法典 Art. 195).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legalcase.models.accounts import User
from legalcase.models.base import AppendOnly
from legalcase.models.debts import Creditor, Debt, Portfolio


class PortfolioTransfer(AppendOnly):
    """The sale of a portfolio's claims (or some of them) from one creditor to another."""

    portfolio = models.ForeignKey(
        Portfolio, verbose_name=_("portfolio"), on_delete=models.PROTECT, related_name="transfers"
    )
    from_creditor = models.ForeignKey(
        Creditor, verbose_name=_("assignor"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_creditor = models.ForeignKey(
        Creditor, verbose_name=_("assignee"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    effective_on = models.DateField(_("creditor from"))
    agreement = models.CharField(_("assignment agreement (name and number)"), max_length=200)
    newspaper = models.CharField(_("newspaper"), max_length=100, blank=True)
    announced_on = models.DateField(_("announced on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-effective_on", "-id"]
        verbose_name = _("portfolio transfer")
        verbose_name_plural = _("portfolio transfers")


class ClaimTransfer(AppendOnly):
    """One step of a debt's chain of creditors."""

    debt = models.ForeignKey(Debt, verbose_name=_("debt"), on_delete=models.PROTECT, related_name="transfers")
    transfer = models.ForeignKey(
        PortfolioTransfer,
        verbose_name=_("portfolio transfer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )
    from_creditor = models.ForeignKey(Creditor, verbose_name=_("assignor"), on_delete=models.PROTECT, related_name="+")
    to_creditor = models.ForeignKey(Creditor, verbose_name=_("assignee"), on_delete=models.PROTECT, related_name="+")
    effective_on = models.DateField(_("creditor from"))
    agreement = models.CharField(_("assignment agreement (name and number)"), max_length=200)
    # When and how the debtor was told (债权转让通知): the announcement or a notice served.
    notified_on = models.DateField(_("debtor notified on"), null=True, blank=True)
    notice = models.CharField(_("how the debtor was notified"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["effective_on", "id"]
        verbose_name = _("claim transfer")
        verbose_name_plural = _("claim transfers")
