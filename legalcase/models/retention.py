"""Legal holds on a matter's personal data (LEGAL_RULES Part 2 B.9, ``retention.legal_hold``)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legalcase.models.accounts import User
from legalcase.models.matters import Matter


class LegalHold(models.Model):
    """A legal hold: while it is in force the matter's personal data is not anonymised.

    Counsel sets it with the reason (litigation, arbitration, enforcement, an execution
    objection, a complaint, a regulatory inquiry, a criminal report or an
    evidence-preservation request, pending or expected); the approver and date are kept.
    Lifting it keeps the row and restarts the retention clock from ``lifted_at``. At most
    one hold of a matter is in force.
    """

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.CharField(_("reason"), max_length=500)
    set_at = models.DateTimeField(_("set at"), default=timezone.now)
    set_by = models.ForeignKey(User, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        User, verbose_name=_("lifted by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_reason = models.CharField(_("reason for lifting"), max_length=500, blank=True)

    class Meta:
        ordering = ["-set_at", "-id"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        constraints = [
            models.UniqueConstraint(fields=["matter"], condition=Q(lifted_at__isnull=True), name="legalhold_one_in_force"),
        ]
