"""The deadline engine's writes: compute, recompute, close and override a matter's deadlines."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from legalcase.access import access_matter
from legalcase.events import record_event
from legalcase.models import (
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Debt,
    EventKind,
    Guarantee,
    Matter,
    Party,
    User,
    holiday_calendar,
)
from legalcase.periods import (
    ComputedDate,
    HolidayCalendar,
    LimitationEvent,
    limitation_expiry,
    period_end,
)

# --- Deadlines ------------------------------------------------------------------------

GUARANTEE_PERIOD_RULE = "guarantee_period@2021"


@transaction.atomic
def matter_deadlines_recompute(*, matter_id: int, calendar: HolidayCalendar | None = None) -> list[Deadline]:
    """Compute the limitation date and each guarantor's guarantee period; return the current rows.

    Limitation runs from maturity or acceleration when known, else from default, and
    restarts on each delivered demand and on a part payment after the start (民法典
    Arts. 188, 195; LEGAL_RULES section 2). A guarantee period is the agreed one, else 6
    months from the principal debt's due date (民法典 Art. 692). An open deadline whose
    date changed is superseded by a new row; a done or waived one is left as decided.
    """
    matter = Matter.objects.select_related("debt").get(pk=matter_id)
    debt = matter.debt
    if calendar is None:
        calendar = holiday_calendar()
    delivered = debt.demands.filter(delivered=True).values_list("date", flat=True)
    limitation = limitation_computed(debt=debt, delivered_demand_dates=delivered, calendar=calendar)
    deadline_put(matter=matter, kind=DeadlineKind.LIMITATION, party=None, computed=limitation)
    for guarantee in debt.guarantees.select_related("guarantor").order_by("id"):
        computed = guarantee_period_computed(debt=debt, guarantee=guarantee, calendar=calendar)
        deadline_put(matter=matter, kind=DeadlineKind.GUARANTEE_PERIOD, party=guarantee.guarantor, computed=computed)
    return list(matter.deadlines.filter(superseded_at__isnull=True).order_by("due_on", "id"))


def limitation_computed(*, debt: Debt, delivered_demand_dates, calendar: HolidayCalendar) -> ComputedDate:
    """The debt's limitation date (pure: no queries), given the dates of its delivered demands."""
    start = debt.matured_on or debt.overdue_since
    events = [LimitationEvent(on=day, kind="demand") for day in delivered_demand_dates]
    if debt.last_payment_date and debt.last_payment_date > start:
        events.append(LimitationEvent(on=debt.last_payment_date, kind="part_payment"))
    return limitation_expiry(start=start, events=events, calendar=calendar)


def guarantee_period_computed(*, debt: Debt, guarantee: Guarantee, calendar: HolidayCalendar) -> ComputedDate:
    """A guarantor's guarantee period (pure): the agreed end, else 6 months from the due date."""
    if guarantee.guarantee_period_ends_on:
        return ComputedDate(
            on=guarantee.guarantee_period_ends_on,
            rule=GUARANTEE_PERIOD_RULE,
            verified_calendar=True,
            computed_from={"agreed": guarantee.guarantee_period_ends_on.isoformat()},
        )
    start = debt.matured_on or debt.overdue_since
    computed = period_end(start, months=6, calendar=calendar, rule=GUARANTEE_PERIOD_RULE)
    computed.computed_from["default"] = "6 months"
    return computed


def deadline_put(*, matter: Matter, kind: str, party: Party | None, computed: ComputedDate) -> Deadline:
    current = matter.deadlines.filter(kind=kind, party=party, superseded_at__isnull=True).first()
    if current is not None:
        if current.status != DeadlineStatus.OPEN:
            return current
        if current.overridden:
            # The lawyer's date stands; the rule's date beside it stays current.
            if (current.computed_on, current.computed_from) != (computed.on, computed.computed_from):
                current.computed_on, current.computed_from = computed.on, computed.computed_from
                current.save(update_fields=["computed_on", "computed_from"])
            return current
        if (current.due_on, current.rule, current.verified_calendar) == (
            computed.on,
            computed.rule,
            computed.verified_calendar,
        ):
            if current.computed_from != computed.computed_from:
                current.computed_from = computed.computed_from
                current.save(update_fields=["computed_from"])
            return current
        current.superseded_at = timezone.now()
        current.save(update_fields=["superseded_at"])
    return Deadline.objects.create(
        matter=matter,
        kind=kind,
        party=party,
        due_on=computed.on,
        rule=computed.rule,
        verified_calendar=computed.verified_calendar,
        computed_from=computed.computed_from,
    )


@transaction.atomic
def deadline_complete(*, user: User, deadline_id: int, status: str, reason: str = "") -> Deadline:
    """Mark a current deadline done or waived, with the reason; recorded on the matter's timeline.

    A deadline of a matter the user may not see answers 404; completing needs the
    role that moves stages (counsel, the assigned firm's lawyers, administrators).
    """
    try:
        deadline = Deadline.objects.select_for_update().get(pk=int(deadline_id), superseded_at__isnull=True)
    except (Deadline.DoesNotExist, ValueError, TypeError):
        raise Http404("deadline not found") from None
    matter = access_matter(user, deadline.matter_id, action="move_stage")
    if status not in (DeadlineStatus.DONE, DeadlineStatus.WAIVED):
        raise ValidationError({"status": _("Give “done” or “waived”.")})
    if status == DeadlineStatus.WAIVED and not reason.strip():
        raise ValidationError({"reason": _("Waiving a deadline needs a reason.")})
    if deadline.status != DeadlineStatus.OPEN:
        raise ValidationError({"status": _("This deadline is already closed.")})
    deadline.status = status
    deadline.status_reason = reason.strip()
    deadline.save(update_fields=["status", "status_reason"])
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.DEADLINE_CLOSED,
        old={"deadline": deadline.pk, "kind": deadline.kind, "status": DeadlineStatus.OPEN},
        new={"deadline": deadline.pk, "kind": deadline.kind, "status": status, "due_on": deadline.due_on.isoformat()},
        note=deadline.status_reason,
    )
    return deadline


@transaction.atomic
def deadline_override(*, user: User, deadline_id: int, due_on: dt.date, reason: str) -> Deadline:
    """Set a current open deadline to a date a lawyer knows better, with the reason.

    For when the court's own notice names another date, or the holiday data was
    wrong. The rule's date is kept in ``computed_on`` and stays current on
    recomputation; only a person moves ``due_on`` again (overriding once more). Same
    access as closing a deadline: the stage-moving roles, 404 for a matter not theirs.
    """
    try:
        deadline = Deadline.objects.select_for_update().get(pk=int(deadline_id), superseded_at__isnull=True)
    except (Deadline.DoesNotExist, ValueError, TypeError):
        raise Http404("deadline not found") from None
    matter = access_matter(user, deadline.matter_id, action="move_stage")
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Overriding a deadline needs a reason.")})
    if deadline.status != DeadlineStatus.OPEN:
        raise ValidationError({"status": _("This deadline is already closed.")})
    if due_on == deadline.due_on:
        raise ValidationError({"due_on": _("This is already the deadline's date.")})
    old_due_on = deadline.due_on
    if not deadline.overridden:
        deadline.computed_on = deadline.due_on
    deadline.due_on = due_on
    deadline.override_reason = reason.strip()
    deadline.overridden_by = user
    deadline.overridden_at = timezone.now()
    deadline.save(update_fields=["due_on", "computed_on", "override_reason", "overridden_by", "overridden_at"])
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.DEADLINE_OVERRIDDEN,
        old={"deadline": deadline.pk, "kind": deadline.kind, "due_on": old_due_on.isoformat()},
        new={
            "deadline": deadline.pk,
            "kind": deadline.kind,
            "due_on": due_on.isoformat(),
            "computed_on": deadline.computed_on.isoformat(),
        },
        note=deadline.override_reason,
    )
    return deadline
