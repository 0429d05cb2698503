"""The debtor review (债务人评估) and the pre-suit screening (issue 19, item 1).

One ``DebtorReview`` per matter: what the debtor can pay (``ability_to_pay``, income,
employment, assets known), why they do not (``willingness``: hardship or wilful delay,
with the facts that say so), the six screening items before suit and the recommended
way forward with its reason. The screening items are computed from the record by
``legalcase.services.triage``; ``screening`` keeps, per item, what a person confirmed
or overrode (``{"confirmed": bool, "value": bool|null, "reason": str, "by": id, "at": iso}``),
never the computed value, which is worked out afresh on every reading.
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legalcase.fields import EncryptedTextField
from legalcase.models.accounts import User
from legalcase.models.matters import Matter
from legalcase.money import MONEY


class AbilityToPay(models.TextChoices):
    FULL = "full", _("Can pay in full")
    PARTIAL = "partial", _("Can pay in part")
    NONE = "none", _("Cannot pay")
    UNKNOWN = "unknown", _("Unknown")


class Willingness(models.TextChoices):
    HARDSHIP = "hardship", _("Hardship")
    WILFUL = "wilful", _("Wilful delay")
    UNKNOWN = "unknown", _("Unknown")


class Recommendation(models.TextChoices):
    NEGOTIATE = "negotiate", _("Negotiate repayment")
    SETTLE_WITH_REDUCTION = "settle_with_reduction", _("Settle with a reduction")
    SUE = "sue", _("Sue")
    ARBITRATE = "arbitrate", _("Apply for arbitration")
    PAYMENT_ORDER = "payment_order", _("Apply for a payment order")
    SELL = "sell", _("Sell to an asset management company")
    WRITE_OFF = "write_off", _("Write off")


# The six screening items, in the order they are shown, with their names.
SCREENING_LABELS = {
    "identity_known": _("Debtor's identity known"),
    "service_address_known": _("Service address known"),
    "limitation_alive": _("Limitation not expired"),
    "amount_above_threshold": _("Amount above the threshold"),
    "assets_found": _("Assets found"),
    "evidence_complete": _("Evidence complete"),
}
SCREENING_ITEMS = tuple(SCREENING_LABELS)


class DebtorReview(models.Model):
    """The review of one matter's debtor, ending in a recommendation with its reason.

    ``employment``, ``assets_known`` and ``willingness_facts`` may name employers,
    addresses, plates or accounts: encrypted at rest, like the collection desk's notes.
    """

    # Reached through its matter (legalcase.access.access_child).
    matter_path = "matter"

    matter = models.OneToOneField(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="review")
    ability_to_pay = models.CharField(
        _("ability to pay"), max_length=16, choices=AbilityToPay.choices, default=AbilityToPay.UNKNOWN
    )
    willingness = models.CharField(
        _("willingness to pay"), max_length=16, choices=Willingness.choices, default=Willingness.UNKNOWN
    )
    monthly_income = models.DecimalField(_("monthly income"), null=True, blank=True, **MONEY)
    employment = EncryptedTextField(_("employment"), blank=True)
    assets_known = EncryptedTextField(_("assets known"), blank=True)
    willingness_facts = EncryptedTextField(_("facts on willingness"), blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=32, choices=Recommendation.choices, blank=True, db_index=True
    )
    recommendation_reason = models.TextField(_("reason for the recommendation"), blank=True)
    screening = models.JSONField(_("screening confirmations"), default=dict, blank=True)
    reviewed_by = models.ForeignKey(
        User, verbose_name=_("reviewed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("debtor review")
        verbose_name_plural = _("debtor reviews")

    def __str__(self) -> str:
        return f"{self.matter} {self.get_recommendation_display() or '-'}"

    def save(self, *args, **kwargs):
        """Saved with the matter's copy of the recommendation (``Matter.recommendation``), in one transaction."""
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            fields = kwargs.get("update_fields")
            if fields is None or "recommendation" in fields:
                Matter.objects.filter(pk=self.matter_id).exclude(recommendation=self.recommendation).update(
                    recommendation=self.recommendation
                )
