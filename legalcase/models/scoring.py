"""The recovery likelihood score (issue 19, item 2): the fitted models and one score per matter.

A ``RecoveryModel`` is one training run: a logistic regression fitted with scikit-learn
on the portfolio's own outcomes (``kind`` trained), or, with too little history, the
documented rule-based score (``kind`` rules). Its fitted parameters are JSON (feature
names, the scaler's mean and scale, the coefficients and the intercept) and the score is
computed with numpy: no pickle anywhere, since a pickled model in the database is code
that anyone able to write the table could run. ``MatterScore`` is the latest score of a
matter with its top reasons in words.

Nothing automatic reads a score: no stage move, task, deadline, digest or escalation
depends on it. It orders lists and worklists when a person asks, and that is all.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legalcase.models.matters import Matter


class ScoreKind(models.TextChoices):
    TRAINED = "trained", _("Trained model")
    RULES = "rules", _("Rule-based score")


class RecoveryModel(models.Model):
    """One fitted (or rule-based) recovery model, with its held-out quality beside the trivial baseline.

    ``calibration``: ``[{"bin", "low", "high", "count", "predicted", "observed"}]`` over
    the held-out set; ``features``: the fitted numbers, ``{"names", "mean", "scale", "coef",
    "intercept", "class_weight"}``, and what the model page reports, ``{"held_out": {"snapshots",
    "matters"}, "base_rate", "balanced": {"auc", "brier"}}`` (rules: ``{"base", "rules": [{"code",
    "text", "points"}]}``). ``active``: the model ``score_all`` uses; at most one row is active.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=ScoreKind.choices)
    trained_at = models.DateTimeField(_("trained at"), default=timezone.now)
    horizon_days = models.PositiveIntegerField(_("horizon (days)"))
    sample_size = models.PositiveIntegerField(_("sample size"), default=0)
    positives = models.PositiveIntegerField(_("positives"), default=0)
    auc = models.DecimalField(_("held-out AUC"), max_digits=5, decimal_places=4, null=True, blank=True)
    brier = models.DecimalField(_("held-out Brier score"), max_digits=5, decimal_places=4, null=True, blank=True)
    baseline_auc = models.DecimalField(_("baseline AUC"), max_digits=5, decimal_places=4, null=True, blank=True)
    baseline_brier = models.DecimalField(
        _("baseline Brier score"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    calibration = models.JSONField(_("calibration"), default=list, blank=True)
    features = models.JSONField(_("features"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    active = models.BooleanField(_("active"), default=False)

    class Meta:
        verbose_name = _("recovery model")
        verbose_name_plural = _("recovery models")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="recovery_model_one_active"),
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.kind})"


class MatterScore(models.Model):
    """The latest recovery likelihood of one matter (0 to 1) and up to 3 reasons ``{"code", "text", "effect"}``."""

    matter = models.OneToOneField(
        Matter, primary_key=True, related_name="score_row", on_delete=models.CASCADE, verbose_name=_("matter")
    )
    value = models.DecimalField(_("score"), max_digits=5, decimal_places=4)
    kind = models.CharField(_("kind"), max_length=8, choices=ScoreKind.choices)
    model = models.ForeignKey(
        RecoveryModel, verbose_name=_("model"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    # Copies of the matter's firm, recommendation and openness, for the worklist's index by
    # recommendation (``Worklist``). Written by the database: an insert leaving ``matter_open``
    # null has all three filled from the matter, and a matter's change of any of them is copied
    # here (triggers of migration 0045); ``score_all`` writes them itself, from the same join.
    # Only ever a condition beside the matter's own, so a stale copy could hide a row, never show one.
    matter_firm_id = models.BigIntegerField(_("matter's firm"), null=True, blank=True, editable=False)
    matter_recommendation = models.CharField(
        _("matter's recommendation"), max_length=32, null=True, blank=True, editable=False
    )
    matter_open = models.BooleanField(_("matter open"), null=True, default=None, editable=False)

    class Meta:
        verbose_name = _("matter score")
        verbose_name_plural = _("matter scores")
        indexes = [
            # "-score" and "score", each with the list's tie-break (newest first, API.md).
            models.Index(models.F("value").desc(), models.F("matter").desc(), name="matter_score_value_id"),
            models.Index(models.F("value"), models.F("matter").desc(), name="matter_score_value_up"),
            # A few thousand matches of a filtered worklist (a firm's "sue"), each scored from
            # the index alone: ``Worklist.page_ids`` sorts them rather than walk the score's order.
            models.Index(fields=["matter"], include=["value"], name="matter_score_of_matter"),
            # The open matters by recommendation, and by firm and recommendation, in score order.
            models.Index(
                models.F("matter_recommendation"), models.F("value").desc(), models.F("matter").desc(),
                condition=Q(matter_open=True), name="score_open_reco",
            ),
            models.Index(
                models.F("matter_firm_id"), models.F("matter_recommendation"), models.F("value").desc(),
                models.F("matter").desc(), condition=Q(matter_open=True), name="score_open_firm_reco",
            ),
        ]
