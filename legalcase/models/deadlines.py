"""Deadlines and the holiday calendar they are counted on (LEGAL_RULES sections 1-3)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legalcase.models.matters import Matter, Party
from legalcase.periods import HolidayCalendar


class Holiday(models.Model):
    """One day of the State Council's holiday schedule.

    ``is_rest_day`` True: a statutory holiday; False: a 调休 weekend day that is a
    working day. Installed from the ``chinesecalendar`` package by a migration and
    edited by an administrator when a new year's schedule is published; a year with
    no rows here is counted with weekends only and flagged unverified.
    """

    date = models.DateField(_("date"), unique=True)
    is_rest_day = models.BooleanField(_("rest day"), default=True)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


def holiday_calendar() -> HolidayCalendar:
    """The period engine's calendar, built from the holiday table; verified for the years it holds."""
    holidays, working, years = set(), set(), set()
    for day, is_rest_day in Holiday.objects.values_list("date", "is_rest_day"):
        (holidays if is_rest_day else working).add(day)
        years.add(day.year)
    return HolidayCalendar(
        holidays=frozenset(holidays), working_weekend_days=frozenset(working), verified_years=frozenset(years)
    )


class DeadlineKind(models.TextChoices):
    LIMITATION = "limitation", _("Limitation expires")
    GUARANTEE_PERIOD = "guarantee_period", _("Guarantee period ends")
    APPEAL = "appeal", _("Appeal period ends")
    JUDGMENT_EFFECTIVE = "judgment_effective", _("Judgment takes effect")
    PERFORMANCE_END = "performance_end", _("Performance period ends")
    ENFORCEMENT_APPLICATION = "enforcement_application", _("Enforcement application due")
    FEE_PAYMENT = "fee_payment", _("Court fee due")
    PRE_SUIT_PRESERVATION_LAPSE = "pre_suit_preservation_lapse", _("Pre-suit preservation lapses")
    FREEZE_EXPIRY = "freeze_expiry", _("Freeze expires")
    FREEZE_RENEWAL = "freeze_renewal", _("Freeze renewal due")
    TERMINATION_FOLLOW_UP = "termination_follow_up", _("Termination follow-up")
    DISHONEST_LISTING_END = "dishonest_listing_end", _("Dishonest listing ends")


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    WAIVED = "waived", _("Waived")


class Deadline(models.Model):
    """A date a matter must meet, computed by a named rule (``limitation@2021``).

    A recomputation that changes the date marks the old row superseded and adds a new
    one, so the history of computed dates stays; ``computed_from`` keeps the inputs.
    """

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="deadlines")
    kind = models.CharField(_("kind"), max_length=32, choices=DeadlineKind.choices)
    due_on = models.DateField(_("due on"))
    rule = models.CharField(_("rule"), max_length=64)
    status = models.CharField(_("status"), max_length=8, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN)
    status_reason = models.TextField(_("status reason"), blank=True)
    verified_calendar = models.BooleanField(_("calendar verified"), default=True)
    computed_from = models.JSONField(_("computed from"), default=dict, blank=True)
    party = models.ForeignKey(
        Party, verbose_name=_("party"), null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines"
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [
            models.Index(fields=["matter", "kind"], name="deadline_matter_kind"),
            models.Index(fields=["due_on"], name="deadline_due_on", condition=Q(superseded_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on:%Y-%m-%d}"
