"""Settlement rules (和解 / 减免方案), pure: no database, the clock passed in.

``instalment_statuses`` works out where each instalment of a schedule stands on a day
from the payments received; ``equal_instalments`` draws a schedule of equal monthly
payments. ``legalcase.services.settlements`` stores what these answer.

Payments are net: the caller leaves out a reversed recovery and its counter-entry both,
so every payment here is a positive amount actually kept.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from legalcase.money import FEN

ZERO = Decimal("0.00")

PENDING, PAID, LATE, MISSED = "pending", "paid", "late", "missed"


@dataclass(frozen=True)
class InstalmentStatus:
    """Where one instalment stands on ``today``.

    ``days_late``: for a paid instalment, the days between its due date and the payment
    that completed it (0 when paid on time); for an unpaid one, the days since it fell
    due (0 while not yet due).
    """

    sequence: int
    due_on: dt.date
    amount: Decimal
    status: str
    paid_amount: Decimal
    paid_on: dt.date | None
    days_late: int

    @property
    def paid_late(self) -> bool:
        return self.status == PAID and self.days_late > 0


def instalment_statuses(
    instalments: Sequence[tuple[dt.date, Decimal]],
    payments: Iterable[tuple[dt.date, Decimal]],
    *,
    today: dt.date,
    grace_days: int,
) -> list[InstalmentStatus]:
    """Apply the payments, oldest first, to the instalments in order; each instalment's status on ``today``.

    An instalment is PAID once covered (``paid_on`` is the day of the payment that
    completed it, late or not); unpaid after its due date it is LATE for ``grace_days``
    days and MISSED from the day after (due + grace + 1); before that it is PENDING.
    A payment received after ``today`` is not counted yet; what is paid beyond the last
    instalment is left over and changes nothing.
    """
    received = sorted(
        ((day, Decimal(amount)) for day, amount in payments if day <= today and Decimal(amount) > 0),
        key=lambda payment: payment[0],
    )
    queue = iter(received)
    day, left = None, ZERO  # the payment being applied and what is left of it
    answer = []
    for sequence, (due_on, amount) in enumerate(instalments, start=1):
        amount = Decimal(amount)
        paid, paid_on = ZERO, None
        while paid < amount:
            if left == 0:
                payment = next(queue, None)
                if payment is None:
                    break
                day, left = payment
            taken = min(left, amount - paid)
            paid += taken
            left -= taken
            if paid == amount:
                paid_on = day
        if paid_on is not None:
            status, days_late = PAID, max((paid_on - due_on).days, 0)
        else:
            days_late = max((today - due_on).days, 0)
            if days_late == 0:
                status = PENDING
            elif days_late <= grace_days:
                status = LATE
            else:
                status = MISSED
        answer.append(InstalmentStatus(sequence, due_on, amount, status, paid, paid_on, days_late))
    return answer


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or that month's last day when it is shorter (1月31日 + 1 = 2月28日)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def equal_instalments(amount: Decimal, count: int, first_due_on: dt.date) -> list[tuple[dt.date, Decimal]]:
    """``count`` monthly instalments of ``amount`` from ``first_due_on``, the fen left over on the last.

    Every due date is counted from the first one, so a schedule from the 31st falls on
    each month's last day where the 31st does not exist and on the 31st again after.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    amount = Decimal(amount)
    share = (amount / count).quantize(FEN, rounding=ROUND_DOWN)
    last = amount - share * (count - 1)
    return [(add_months(first_due_on, n), share if n < count - 1 else last) for n in range(count)]


def days_late(*, due_on: dt.date, paid_on: dt.date | None, today: dt.date) -> int:
    """Days an instalment was paid after its due date, or, unpaid, has been overdue by ``today``; 0 if neither."""
    return max(((paid_on or today) - due_on).days, 0)
