"""Counting statutory periods (期间): plain functions, no ORM, each result naming its rule.

LEGAL_RULES.md section 1: the start day is not counted (民事诉讼法 Art. 85, 民法典
Art. 201); a period in months or years ends on the corresponding day, or the month's
last day (民法典 Art. 202); a last day that is a rest day moves to the next working day
(民法典 Art. 203); "at least N days before" deadlines move to the previous working day.
Section 2 gives the limitation chain (民法典 Arts. 188, 195).
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class HolidayCalendar:
    """Statutory rest days and 调休 working weekend days, for the years it has data for."""

    holidays: frozenset[dt.date] = frozenset()
    working_weekend_days: frozenset[dt.date] = frozenset()
    verified_years: frozenset[int] = frozenset()

    def is_rest_day(self, day: dt.date) -> bool:
        if day.year in self.verified_years:
            if day in self.holidays:
                return True
            if day in self.working_weekend_days:
                return False
        return day.weekday() >= 5

    def is_verified(self, day: dt.date) -> bool:
        return day.year in self.verified_years


WEEKENDS_ONLY = HolidayCalendar()


@dataclass(frozen=True)
class ComputedDate:
    """A date the engine proposes, with the rule that produced it and what it rests on."""

    on: dt.date
    rule: str
    verified_calendar: bool
    computed_from: dict = field(default_factory=dict)


def add_days(start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=days)


def add_months(start: dt.date, months: int) -> dt.date:
    """The corresponding day ``months`` later, or that month's last day (民法典 Art. 202)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, _calendar.monthrange(year, month)[1]))


def shift_forward(day: dt.date, calendar: HolidayCalendar) -> tuple[dt.date, bool]:
    """The first working day on or after ``day``; and whether every day looked at was verified."""
    verified = calendar.is_verified(day)
    while calendar.is_rest_day(day):
        day += dt.timedelta(days=1)
        verified = verified and calendar.is_verified(day)
    return day, verified


def shift_backward(day: dt.date, calendar: HolidayCalendar) -> tuple[dt.date, bool]:
    """The last working day on or before ``day`` ("at least N days before" deadlines)."""
    verified = calendar.is_verified(day)
    while calendar.is_rest_day(day):
        day -= dt.timedelta(days=1)
        verified = verified and calendar.is_verified(day)
    return day, verified


def period_end(
    start: dt.date, *, calendar: HolidayCalendar, rule: str, days: int = 0, months: int = 0, years: int = 0
) -> ComputedDate:
    """The last day of a period that starts the day after ``start``, moved off rest days."""
    if sum(1 for n in (days, months, years) if n) != 1:
        raise ValueError("give exactly one of days, months or years")
    raw = add_days(start, days) if days else add_months(start, months or 12 * years)
    on, verified = shift_forward(raw, calendar)
    return ComputedDate(on=on, rule=rule, verified_calendar=verified, computed_from={"start": start.isoformat()})


LIMITATION_RULE = "limitation@2021"
# Before 2017-10-01 the general period was 2 years (民法通则 Art. 135); a claim whose
# 2 years had run out before that date stays barred (民法总则 in force 2017-10-01).
LIMITATION_OLD_LAW_ENDS = dt.date(2017, 10, 1)


@dataclass(frozen=True)
class LimitationEvent:
    """Something that interrupts limitation (民法典 Art. 195): a delivered demand, a part
    payment, an acknowledgment, a filing. Undelivered demands are not events."""

    on: dt.date
    kind: str


def limitation_expiry(
    *, start: dt.date, events: Iterable[LimitationEvent], calendar: HolidayCalendar
) -> ComputedDate:
    """The limitation date by LEGAL_RULES section 2's steps.

    Start from maturity or acceleration when known, else default. Each event on or
    before the running expiry restarts the period from its date; events before the
    start do not count; an event after expiry does not revive the claim.
    """
    current = _limitation_end(start, calendar)
    basis = {"start": start.isoformat(), "interruptions": []}
    for event in sorted(events, key=lambda e: e.on):
        if event.on <= start:
            continue
        if event.on > current[0]:
            break
        current = _limitation_end(event.on, calendar)
        basis["interruptions"].append({"on": event.on.isoformat(), "kind": event.kind})
    on, verified = current
    return ComputedDate(on=on, rule=LIMITATION_RULE, verified_calendar=verified, computed_from=basis)


def _limitation_end(start: dt.date, calendar: HolidayCalendar) -> tuple[dt.date, bool]:
    old_law_end = shift_forward(add_months(start, 24), calendar)
    if old_law_end[0] < LIMITATION_OLD_LAW_ENDS:
        return old_law_end
    return shift_forward(add_months(start, 36), calendar)
