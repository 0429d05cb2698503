"""The dashboard's kept aggregates: one row per part and scope, shared by every process and host."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DashboardSnapshot(models.Model):
    """One aggregate of the dashboard (recoveries by month, the matter groups, the firm scorecards) over one scope.

    The schedule computes them every few minutes (``dashboard_refresh``) and viewers read
    them, so that nobody waits for aggregates over a million matters, not even the first
    viewer after a restart: they are in the database, not in one process's memory. A row
    older than ``DASHBOARD_CACHE_SECONDS``, or of an earlier day, is computed again.
    """

    part = models.CharField(_("part"), max_length=32)
    # The filters it was computed under ("" for every matter; "portfolio=3&creditor=1").
    scope = models.CharField(_("scope"), max_length=100, blank=True)
    day = models.DateField(_("day"))
    figures = models.JSONField(_("figures"), encoder=DjangoJSONEncoder)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    seconds = models.FloatField(_("seconds to compute"), default=0)

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")
        constraints = [models.UniqueConstraint(fields=["part", "scope"], name="dashboard_snapshot_part_scope")]

    def __str__(self) -> str:
        return f"{self.part} [{self.scope or 'all'}] {self.computed_at:%Y-%m-%d %H:%M}"
