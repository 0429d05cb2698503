"""The periodic work's ticks (``legalcase/schedule.py``): one row per entry and scheduled time.

Inserting the row is the lock. Every worker process runs a scheduler, so on two hosts
two processes wake for the same tick; the unique (entry, tick) pair lets exactly one
insert succeed (the others' inserts do nothing, and their ``claim`` is not the row's),
in the same transaction as the job it starts, so a process that dies before committing
leaves neither and the tick is still free for the next one. The
latest row of an entry also tells a starting scheduler whether its latest tick was
missed while nothing was running.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScheduledRun(models.Model):
    """One run of one schedule entry: the tick it stands for, who took it and the job doing the work."""

    entry = models.CharField(_("schedule entry"), max_length=64)
    # The scheduled time (a cron tick in settings.TIME_ZONE), not when it was taken.
    tick = models.DateTimeField(_("scheduled for"))
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)
    # host:pid of the scheduler that took the tick, for the operator.
    taken_by = models.CharField(_("taken by"), max_length=200, blank=True)
    # Drawn by the scheduler that inserts the row: finding its own claim tells it the tick is its.
    claim = models.UUIDField(_("claim"), default=uuid.uuid4, editable=False)
    job = models.OneToOneField(
        "legalcase.Job",
        verbose_name=_("job"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scheduled_run",
    )

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [models.UniqueConstraint(fields=["entry", "tick"], name="scheduled_run_once_per_tick")]
        ordering = ["-tick"]

    def __str__(self) -> str:
        return f"{self.entry} @ {self.tick.isoformat()}"
