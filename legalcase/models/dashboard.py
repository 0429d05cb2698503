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


class DashboardDay(models.Model):
    """One day's sums of a range table (by channel, by strategy, cost to collect) for one creditor and portfolio.

    A range's table is the SUM of its days' rows under the filters (each matter has one
    creditor and one portfolio), so no range reads the dated facts themselves. The
    schedule (``dashboard_refresh``) recomputes the days whose facts changed; a day with
    no ``table="day"`` row is computed when first read. ``portfolio_id`` 0: no portfolio;
    ``creditor_id`` 0 only on the day's marker row.
    """

    day = models.DateField(_("day"))
    # "channels", "strategies", "costs"; "day" marks the day as computed.
    table = models.CharField(_("table"), max_length=16)
    creditor_id = models.IntegerField(_("creditor"), default=0)
    portfolio_id = models.IntegerField(_("portfolio"), default=0)
    # A channel; a strategy key; a firm id as text ("" in house) for the costs.
    key = models.CharField(_("key"), max_length=40, blank=True)
    count = models.IntegerField(_("recoveries"), default=0)
    recovered = models.DecimalField(_("recovered"), max_digits=20, decimal_places=2, default=0)
    costs = models.DecimalField(_("costs"), max_digits=20, decimal_places=2, default=0)
    fees = models.DecimalField(_("fees"), max_digits=20, decimal_places=2, default=0)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("dashboard day")
        verbose_name_plural = _("dashboard days")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "table", "creditor_id", "portfolio_id", "key"], name="dashboard_day_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.table} {self.creditor_id}/{self.portfolio_id} {self.key}"
