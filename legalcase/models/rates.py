"""Published rates the calculators read: the LPR table (LEGAL_RULES Part 2, B.5)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legalcase.calculators import LprFixing
from legalcase.models.accounts import User
from legalcase.money import RATE


class LprRate(models.Model):
    """One LPR fixing (贷款市场报价利率): the 1-year and 5-year+ rates from ``effective_from``.

    Rates are annual fractions like every rate Fasu stores (3.10 % is 0.031000). Published
    monthly by the 全国银行间同业拆借中心 from 2019-08-20, each applying until the next
    (``lpr.table@2019``). Installed from LEGAL_RULES B.5 by a migration; an administrator
    adds each new fixing (API or admin site), every change audited.
    """

    effective_from = models.DateField(_("publication day"), unique=True)
    lpr_1y = models.DecimalField(_("1-year LPR"), **RATE)
    lpr_5y = models.DecimalField(_("5-year+ LPR"), **RATE)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("LPR fixing")
        verbose_name_plural = _("LPR fixings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lpr_1y__gt=0, lpr_1y__lt=1, lpr_5y__gt=0, lpr_5y__lt=1),
                name="lpr_rates_are_fractions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.effective_from:%Y-%m-%d} {self.lpr_1y} / {self.lpr_5y}"

    @property
    def fixing(self) -> LprFixing:
        return LprFixing(effective_from=self.effective_from, lpr_1y=self.lpr_1y, lpr_5y=self.lpr_5y)

    @classmethod
    def table(cls) -> list[LprFixing]:
        """Every fixing, oldest first, as the calculators take them."""
        return [row.fixing for row in cls.objects.order_by("effective_from")]
