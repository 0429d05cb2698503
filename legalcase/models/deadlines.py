"""Deadlines and the holiday calendar they are counted on (LEGAL_RULES sections 1-3)."""

from __future__ import annotations

import contextlib
import contextvars

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from legalcase.models.accounts import User
from legalcase.models.debts import Party
from legalcase.models.matters import Matter
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


# The calendar ``holiday_calendar_held`` keeps for the work inside it (None: read the table).
_held_calendar: contextvars.ContextVar[HolidayCalendar | None] = contextvars.ContextVar("held_calendar", default=None)


@contextlib.contextmanager
def holiday_calendar_held():
    """Read the holiday table once and answer every ``holiday_calendar()`` inside the block with it.

    For long runs of service calls in one transaction (``seed_demo``): each service
    asks for the calendar, and reading the table a thousand times cost the demo a
    tenth of its time. Scoped, not a process-wide cache: nothing would tell this
    process that an administrator changed the table in another one.
    """
    token = _held_calendar.set(holiday_calendar())
    try:
        yield _held_calendar.get()
    finally:
        _held_calendar.reset(token)


def holiday_calendar() -> HolidayCalendar:
    """The period engine's calendar, built from the holiday table; verified for the years it holds."""
    if (held := _held_calendar.get()) is not None:
        return held
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
    HEARING = "hearing", _("Hearing")
    EVIDENCE_PERIOD = "evidence_period", _("Evidence period ends")
    DEFENCE_PERIOD = "defence_period", _("Defence period ends")


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    WAIVED = "waived", _("Waived")


class Deadline(models.Model):
    """A date a matter must meet, computed by a named rule (``limitation@2021``).

    A recomputation that changes the date marks the old row superseded and adds a new
    one, so the history of computed dates stays; ``computed_from`` keeps the inputs.
    """

    # Reached through its matter (legalcase.access.access_child).
    matter_path = "matter"

    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="deadlines")
    kind = models.CharField(_("kind"), max_length=32, choices=DeadlineKind.choices)
    due_on = models.DateField(_("due on"))
    rule = models.CharField(_("rule"), max_length=64)
    status = models.CharField(_("status"), max_length=8, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN)
    status_reason = models.TextField(_("status reason"), blank=True)
    verified_calendar = models.BooleanField(_("calendar verified"), default=True)
    computed_from = models.JSONField(_("computed from"), default=dict, blank=True)
    # periods.basis_digest(computed_from), kept beside it so recomputing a million
    # matters compares 24 characters instead of decoding the JSON of every row.
    basis_digest = models.CharField(_("basis digest"), max_length=24, blank=True, editable=False)
    party = models.ForeignKey(
        Party, verbose_name=_("party"), null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines"
    )
    # The enforcement action a freeze, 终本 or 失信 date belongs to (a matter has many);
    # ``sequence`` numbers the ten 终本 follow-ups of one action.
    enforcement_action = models.ForeignKey(
        "legalcase.EnforcementAction",
        verbose_name=_("enforcement action"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deadlines",
    )
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=0)
    # The hearing a ``hearing`` deadline is (one row per hearing; a move supersedes it).
    hearing = models.ForeignKey(
        "legalcase.Hearing",
        verbose_name=_("hearing"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deadlines",
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # A lawyer's override (e.g. the court's notice names another date): ``due_on`` is
    # then the lawyer's date and ``computed_on`` the rule's, which recomputation keeps
    # current without moving ``due_on``.
    computed_on = models.DateField(_("computed date"), null=True, blank=True)
    override_reason = models.TextField(_("override reason"), blank=True)
    overridden_by = models.ForeignKey(
        User, verbose_name=_("overridden by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    overridden_at = models.DateTimeField(_("overridden at"), null=True, blank=True)

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

    @property
    def overridden(self) -> bool:
        return self.overridden_at is not None

    @property
    def is_done(self) -> bool:
        """Closed as done (for limitation: suit or arbitration filed in time)."""
        return self.status == DeadlineStatus.DONE


class NotificationKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Deadline within 7 days")
    OVERDUE = "overdue", _("Deadline overdue")
    RENEWAL_MONTH = "renewal_month", _("Freeze renewal due within 30 days")


class Notification(models.Model):
    """An in-app notice to one user about one deadline, made by the daily deadline job.

    One row per user, deadline and kind (unique), so running the job twice on a day,
    or on two days in a row, never notifies twice about the same thing.
    """

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications")
    matter = models.ForeignKey(Matter, verbose_name=_("matter"), on_delete=models.CASCADE, related_name="+")
    deadline = models.ForeignKey(
        Deadline, verbose_name=_("deadline"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "deadline", "kind"], name="notification_once"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_unread", condition=Q(read_at__isnull=True)),
        ]


class DigestDelivery(models.Model):
    """The daily deadline digest e-mailed to one user on one day (unique: never sent twice)."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    deadline_count = models.PositiveIntegerField(_("deadlines"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day")]


class CalendarFeed(models.Model):
    """A user's secret calendar (ICS) address; only the key's SHA-256 digest is stored.

    Revoking deletes the row, so the old address answers 404 at once; a user has at
    most one feed.
    """

    user = models.OneToOneField(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="calendar_feed")
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
