"""Money calculators: court fees, interest, delay interest, payment allocation (LEGAL_RULES.md 4-6).

One period engine serves the interest calculator (API.md "Interest calculator": a contract
rate, a multiple of the LPR, 迟延履行 interest) and the matter's 迟延履行 interest
(``services.claims``): each splits the days into periods on one base at one rate and
answers them with the figure, so an explanation shows what was actually computed.

Plain functions, no ORM, ``Decimal`` throughout: a ``float`` is refused, because a
binary fraction turns 0.1 into 0.1000000000000000055 and a court fee must be exact.
Each function rounds once, at the end, to the fen (0.01), half-up, as courts do.

Rates are absolute annual fractions, as the ``Debt`` model stores them and API.md writes
them: ``Decimal("0.1825")`` is 18.25 % a year. Interest for a period runs from the
as-of date, not counted, to the chosen date, counted: ``(end - start).days`` days, the
way a bank statement's "amounts as of" already includes the as-of day's interest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from legalcase.money import FEN

COURT_FEES_RULE = "court_fees@2007"
INTEREST_CAP_RULE = "interest_cap_24@2017"
DELAY_INTEREST_RULE = "delay_interest@2014"
PAYMENT_ALLOCATION_RULE = "payment_allocation@2021"
# API.md "Interest calculator": simple interest at a contract rate or a multiple of the LPR.
INTEREST_RULE = "interest@2019"
# LEGAL_RULES Part 2 B.5: the published 1-year and 5-year LPR, from 2019-08-20.
LPR_TABLE_RULE = "lpr.table@2019"
# LEGAL_RULES Part 2 B.6: the doubled part of 迟延履行 interest on a matter (its base, its
# periods, rounded once) and its place last in the allocation of enforcement payments.
DELAY_DOUBLE_RULE = "interest.delay_double@2014"

# Rates are shown and stored with six places, like the ``Debt`` model's rate fields.
RATE_PLACES = Decimal("0.000001")
ZERO = Decimal("0")
# 法发〔2017〕22号 Art. 2: courts reduce interest, compound and penalty interest and other
# charges of a financial loan to 24 % a year on request.
INTEREST_CAP = Decimal("0.24")
# 法释〔2014〕8号 Art. 1: 1.75 per ten thousand (万分之一点七五) a day.
DELAY_DAILY_RATE = Decimal("0.000175")


def _fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def _checked(value: Decimal, name: str, *, positive: bool = False) -> Decimal:
    # A float is refused outright rather than converted: its error is already in it.
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}.")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite number.")
    if positive and value <= 0:
        raise ValueError(f"{name} must be more than zero, got {value}.")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}.")
    return value


def _days(start: dt.date, end: dt.date) -> int:
    if end < start:
        raise ValueError(f"The end date {end.isoformat()} is before the start date {start.isoformat()}.")
    return (end - start).days


# Court fees ---------------------------------------------------------------------------

# (upper end of the band, rate on the band); ``None`` is open-ended. The first band is a
# flat fee per case, applied to any amount that reaches it.
_ACCEPTANCE_BANDS = (
    (Decimal("100000"), Decimal("0.025")),
    (Decimal("200000"), Decimal("0.02")),
    (Decimal("500000"), Decimal("0.015")),
    (Decimal("1000000"), Decimal("0.01")),
    (Decimal("2000000"), Decimal("0.009")),
    (Decimal("5000000"), Decimal("0.008")),
    (Decimal("10000000"), Decimal("0.007")),
    (Decimal("20000000"), Decimal("0.006")),
    (None, Decimal("0.005")),
)
_ENFORCEMENT_BANDS = (
    (Decimal("500000"), Decimal("0.015")),
    (Decimal("5000000"), Decimal("0.01")),
    (Decimal("10000000"), Decimal("0.005")),
    (None, Decimal("0.001")),
)
_PRESERVATION_BANDS = (
    (Decimal("100000"), Decimal("0.01")),
    (None, Decimal("0.005")),
)
_PRESERVATION_CAP = Decimal("5000")


def _banded(amount: Decimal, *, flat: Decimal, flat_up_to: Decimal, bands) -> Decimal:
    """The flat fee plus each band's rate on the part of ``amount`` inside it, unrounded."""
    total, lower = flat, flat_up_to
    for upper, rate in bands:
        if amount <= lower:
            break
        top = amount if upper is None else min(amount, upper)
        total += (top - lower) * rate
        lower = upper
    return total


@dataclass(frozen=True)
class CourtFees:
    """The fees a property claim of ``amount`` attracts, each rounded to the fen."""

    amount: Decimal
    acceptance: Decimal
    acceptance_simplified: Decimal
    enforcement: Decimal
    preservation: Decimal
    rule: str = COURT_FEES_RULE


def court_fees(amount: Decimal) -> CourtFees:
    """Court fees for a property claim of ``amount`` yuan (诉讼费用交纳办法, 国务院令第481号).

    The case acceptance fee (案件受理费) is cumulative by band, Art. 13: 50 yuan a case up
    to 10,000, then 2.5 % up to 100,000, 2 %, 1.5 %, 1 %, 0.9 %, 0.8 %, 0.7 %, 0.6 % and
    0.5 % above 20,000,000; it is halved for the simplified procedure, mediation or
    withdrawal (Arts. 15-16). The enforcement application fee (申请执行费), Art. 14(1):
    50 up to 10,000, then 1.5 %, 1 %, 0.5 % and 0.1 % above 10,000,000. The preservation
    fee (保全费), Art. 14(2): 30 up to 1,000, then 1 %, 0.5 % above 100,000, at most 5,000
    per application. The bands are added unrounded, halved where halving applies, and
    rounded once to the fen, half-up. A court's notice, when recorded, wins over these.
    """
    amount = _checked(amount, "The claim amount", positive=True)
    acceptance = _banded(amount, flat=Decimal("50"), flat_up_to=Decimal("10000"), bands=_ACCEPTANCE_BANDS)
    enforcement = _banded(amount, flat=Decimal("50"), flat_up_to=Decimal("10000"), bands=_ENFORCEMENT_BANDS)
    preservation = _banded(amount, flat=Decimal("30"), flat_up_to=Decimal("1000"), bands=_PRESERVATION_BANDS)
    return CourtFees(
        amount=amount,
        acceptance=_fen(acceptance),
        acceptance_simplified=_fen(acceptance / 2),
        enforcement=_fen(enforcement),
        preservation=_fen(min(preservation, _PRESERVATION_CAP)),
    )


# Interest -----------------------------------------------------------------------------


def _accrued(principal: Decimal, annual_rate: Decimal, days: int, day_count: int) -> Decimal:
    # Multiply first and divide once, so the only inexact step is the final rounding.
    return principal * annual_rate * days / day_count


def _checked_day_count(day_count: int) -> int:
    if isinstance(day_count, bool) or not isinstance(day_count, int) or day_count <= 0:
        raise ValueError(f"The day count must be a positive whole number of days, got {day_count!r}.")
    return day_count


def interest_accrued(
    *, principal: Decimal, annual_rate: Decimal, start: dt.date, end: dt.date, day_count: int = 360
) -> Decimal:
    """Simple interest on ``principal`` at ``annual_rate`` from ``start`` to ``end`` (LEGAL_RULES.md 5).

    Rates are annual fractions (0.1825 is 18.25 % a year). A day's interest is the annual
    rate divided by ``day_count``, 360 as Chinese banks count it unless the contract says
    otherwise, and the state the filing must show. The days run from ``start`` (the
    as-of date, not counted) to ``end`` (counted), so ``end == start`` gives nothing and
    ``end`` before ``start`` is an error. Rounded once to the fen, half-up.
    """
    principal = _checked(principal, "The principal")
    annual_rate = _checked(annual_rate, "The annual rate")
    day_count = _checked_day_count(day_count)
    return _fen(_accrued(principal, annual_rate, _days(start, end), day_count))


def annual_charge_rate(*, principal: Decimal, charges: Decimal, days: int, day_count: int = 360) -> Decimal:
    """What ``charges`` over ``days`` come to as an annual fraction of ``principal``.

    This is the figure 最高法 法发〔2017〕22号 Art. 2 sets against 24 % a year: the total of
    interest, compound and penalty interest and other charges of a financial loan,
    annualised on the principal with the same ``day_count`` the contract's rates use (so
    a penalty rate of 0.24 on its own comes to exactly 0.24). Not rounded: a caller that
    shows it rounds it; a caller that compares it compares the exact figure.
    """
    principal = _checked(principal, "The principal", positive=True)
    charges = _checked(charges, "The charges")
    day_count = _checked_day_count(day_count)
    if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
        raise ValueError(f"The period must be at least one day, got {days!r}.")
    return charges * day_count / (principal * days)


@dataclass(frozen=True)
class InterestClaim:
    """Penalty and compound interest claimed for a period, with the 24 % warning."""

    days: int
    day_count: int
    penalty_interest: Decimal
    compound_interest: Decimal
    total: Decimal
    # Six places, half-up; None when there is nothing to annualise (no days, or no
    # principal left). The warning compares the exact figure, not the rounded one.
    annualised_rate: Decimal | None
    exceeds_24_percent: bool
    rule: str = INTEREST_CAP_RULE


def claim_interest(
    *,
    principal: Decimal,
    interest_unpaid: Decimal,
    penalty_rate: Decimal,
    compound_rate: Decimal,
    start: dt.date,
    end: dt.date,
    day_count: int = 360,
    charges: Decimal = ZERO,
) -> InterestClaim:
    """Penalty and compound interest from the as-of date ``start`` to ``end`` (LEGAL_RULES.md 5).

    Penalty interest (罚息) runs on the overdue ``principal`` at ``penalty_rate``, compound
    interest (复利) on ``interest_unpaid`` at ``compound_rate``, both annual fractions,
    a day being the rate over ``day_count``; each is rounded once to the fen and
    ``total`` is their sum. ``annualised_rate`` puts the period's penalty and compound
    interest and any other ``charges`` for the same period (late fees, fees) on the
    principal a year, and ``exceeds_24_percent`` warns counsel when it is above 24 %,
    the level courts reduce such charges to on request (最高法 法发〔2017〕22号 Art. 2).
    It is a warning only: nothing is cut.
    """
    principal = _checked(principal, "The principal")
    interest_unpaid = _checked(interest_unpaid, "The unpaid interest")
    penalty_rate = _checked(penalty_rate, "The penalty rate")
    compound_rate = _checked(compound_rate, "The compound rate")
    charges = _checked(charges, "The charges")
    day_count = _checked_day_count(day_count)
    days = _days(start, end)
    penalty = _accrued(principal, penalty_rate, days, day_count)
    compound = _accrued(interest_unpaid, compound_rate, days, day_count)
    rate = None
    if days and principal:
        # One division, not ``annual_charge_rate(penalty + compound + charges)``: dividing
        # by ``day_count`` and multiplying back would turn an exact 0.24 into 0.24000...01
        # and warn about a claim that sits exactly at the line.
        yearly = principal * penalty_rate + interest_unpaid * compound_rate
        rate = (yearly * days + charges * day_count) / (principal * days)
    return InterestClaim(
        days=days,
        day_count=day_count,
        penalty_interest=_fen(penalty),
        compound_interest=_fen(compound),
        total=_fen(penalty) + _fen(compound),
        annualised_rate=None if rate is None else rate.quantize(RATE_PLACES, rounding=ROUND_HALF_UP),
        exceeds_24_percent=rate is not None and rate > INTEREST_CAP,
    )


def delay_interest(*, debt: Decimal, start: dt.date, end: dt.date) -> Decimal:
    """Interest for delayed performance (迟延履行期间的债务利息), 最高法 法释〔2014〕8号 Art. 1.

    The unpaid money debt the judgment or other instrument fixes, excluding its ordinary
    interest, times 1.75 per ten thousand a day, times the days of delay. The delay runs
    from the day the performance period ends (Art. 2), which like every period's start
    day is not counted, so ``start`` is the day after the performance period's last day
    and counts; ``end`` (the day of payment, or the day the claim is computed to) counts
    too (Art. 3). ``start == end`` is one day; ``end`` before ``start`` is an error.
    Rounded once to the fen, half-up.
    """
    debt = _checked(debt, "The debt")
    _days(start, end)
    return _fen(sum((period.exact for period in delay_periods([(start, end, debt)])), ZERO))


# The period engine ---------------------------------------------------------------------

# The first LPR fixing (LEGAL_RULES B.5): there is no LPR for a day before it.
LPR_FIRST_DAY = dt.date(2019, 8, 20)
LPR_BASES = ("lpr_1y", "lpr_5y")
DAY_COUNTS = (360, 365)
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class LprFixing:
    """One published fixing: the 1-year and 5-year+ LPR as annual fractions, from ``effective_from``."""

    effective_from: dt.date
    lpr_1y: Decimal
    lpr_5y: Decimal


class LprUnavailable(ValueError):
    """No fixing covers ``day``: it is before the first one the table holds (2019-08-20)."""

    def __init__(self, day: dt.date):
        super().__init__(f"There is no LPR for {day.isoformat()}: the LPR is published from 2019-08-20.")
        self.day = day


def lpr_fixing_on(table: Sequence[LprFixing], day: dt.date) -> LprFixing:
    """The fixing in effect on ``day``: the latest published on or before it (it applies until the next one)."""
    found = None
    for fixing in table:
        if fixing.effective_from > day:
            break
        found = fixing
    if found is None:
        raise LprUnavailable(day)
    return found


@dataclass(frozen=True)
class InterestPeriod:
    """Days on one base at one rate, and what they accrue.

    For simple interest ``start`` is not counted and ``end`` is (``days == end - start``)
    and ``rate`` is annual over ``day_count`` days; for 迟延履行 interest both ends are
    counted (``days == end - start + 1``) and ``rate`` is the daily rate. ``exact`` is the
    unrounded accrual, ``amount`` the same rounded to the fen, half-up.
    """

    start: dt.date
    end: dt.date
    days: int
    base: Decimal
    rate: Decimal
    exact: Decimal

    @property
    def amount(self) -> Decimal:
        return _fen(self.exact)


@dataclass(frozen=True)
class InterestResult:
    """An interest computation: the amount, the day count and the periods it was computed in."""

    kind: str
    principal: Decimal
    start: dt.date
    end: dt.date
    days: int
    amount: Decimal
    periods: tuple[InterestPeriod, ...]
    rule: str
    rate: Decimal | None = None
    rate_basis: str | None = None
    multiplier: Decimal | None = None
    lpr_on: dt.date | None = None
    day_count: int | None = None
    daily_rate: Decimal | None = None


def _rate_runs(first: dt.date, last: dt.date, rate_on: Callable[[dt.date], Decimal], changes: Sequence[dt.date]):
    """The runs of counted days ``first``..``last`` on one rate: ``(first, last, rate)`` each.

    ``changes`` are the days a rate may change on (the fixings' dates); a change to the
    same rate does not split a run.
    """
    runs = []
    run_first, rate = first, rate_on(first)
    for day in changes:
        if day <= run_first or day > last:
            continue
        new_rate = rate_on(day)
        if new_rate != rate:
            runs.append((run_first, day - ONE_DAY, rate))
            run_first, rate = day, new_rate
    runs.append((run_first, last, rate))
    return runs


def simple_interest(
    *,
    principal: Decimal,
    start: dt.date,
    end: dt.date,
    day_count: int = 360,
    rate: Decimal | None = None,
    rate_basis: str | None = None,
    multiplier: Decimal = Decimal(1),
    lpr_on: dt.date | None = None,
    lpr_table: Sequence[LprFixing] = (),
) -> InterestResult:
    """Simple interest on ``principal`` from ``start`` (not counted) to ``end`` (counted), API.md "Interest calculator".

    At the contract ``rate`` (an annual fraction), or at ``multiplier`` times the
    ``rate_basis`` LPR (``lpr_1y``/``lpr_5y``, LEGAL_RULES B.5): the fixing in effect on
    ``lpr_on`` throughout when given, else each day's, a fixing applying from the day it
    is published until the next. The days are split into periods where the rate changes;
    a day's interest is the annual rate over ``day_count`` (360 or 365). Each period is
    rounded to the fen, half-up, and the amount is their sum (API.md). A day before the
    first fixing raises ``LprUnavailable``.
    """
    principal = _checked(principal, "The principal", positive=True)
    if day_count not in DAY_COUNTS:
        raise ValueError(f"The day count must be 360 or 365, got {day_count!r}.")
    days = _days(start, end)
    if (rate is None) == (rate_basis is None):
        raise ValueError("Give either a rate or an LPR basis, not both.")
    if rate is not None:
        rate = _checked(rate, "The rate")
        runs = [(start + ONE_DAY, end, rate)]
        multiplier = lpr_on = None
    else:
        if rate_basis not in LPR_BASES:
            raise ValueError(f"The LPR basis must be lpr_1y or lpr_5y, got {rate_basis!r}.")
        multiplier = _checked(multiplier, "The multiplier", positive=True)
        table = sorted(lpr_table, key=lambda fixing: fixing.effective_from)

        def rate_on(day: dt.date) -> Decimal:
            return multiplier * getattr(lpr_fixing_on(table, day), rate_basis)

        if lpr_on is not None:
            single = rate_on(lpr_on)
            runs = [(start + ONE_DAY, end, single)]
        else:
            # The first counted day needs a fixing even when no day is counted: a
            # computation "from" before 2019-08-19 has no LPR to rest on.
            rate_on(start + ONE_DAY)
            runs = _rate_runs(start + ONE_DAY, end, rate_on, [fixing.effective_from for fixing in table])
    periods = tuple(
        InterestPeriod(
            start=first - ONE_DAY,
            end=last,
            days=(last - first).days + 1,
            base=principal,
            rate=run_rate,
            exact=_accrued(principal, run_rate, (last - first).days + 1, day_count),
        )
        for first, last, run_rate in runs
        if last >= first
    )
    return InterestResult(
        kind="simple",
        principal=principal,
        start=start,
        end=end,
        days=days,
        amount=sum((period.amount for period in periods), _fen(ZERO)),
        periods=periods,
        rule=INTEREST_RULE,
        rate=rate,
        rate_basis=rate_basis,
        multiplier=multiplier,
        lpr_on=lpr_on,
        day_count=day_count,
    )


def delay_periods(segments: Iterable[tuple[dt.date, dt.date, Decimal]]) -> tuple[InterestPeriod, ...]:
    """迟延履行 interest, 1.75‱ a day (法释〔2014〕8号 Art. 1), over ``(first, last, base)`` segments, both ends counted.

    A segment that counts no day or has nothing to run on gives no period. The periods
    are not rounded here: the calculator rounds each (API.md), a matter's doubled part
    adds them unrounded and rounds once (LEGAL_RULES B.6).
    """
    periods = []
    for first, last, base in segments:
        base = _checked(base, "The base")
        if last < first or not base:
            continue
        days = (last - first).days + 1
        periods.append(
            InterestPeriod(
                start=first, end=last, days=days, base=base, rate=DELAY_DAILY_RATE, exact=base * DELAY_DAILY_RATE * days
            )
        )
    return tuple(periods)


def delay_interest_computed(*, principal: Decimal, start: dt.date, end: dt.date) -> InterestResult:
    """迟延履行 interest on ``principal`` from ``start`` to ``end``, both counted (API.md ``kind=delay``)."""
    principal = _checked(principal, "The principal", positive=True)
    days = _days(start, end) + 1
    periods = delay_periods([(start, end, principal)])
    return InterestResult(
        kind="delay",
        principal=principal,
        start=start,
        end=end,
        days=days,
        amount=sum((period.amount for period in periods), _fen(ZERO)),
        periods=periods,
        rule=DELAY_INTEREST_RULE,
        daily_rate=DELAY_DAILY_RATE,
    )


# Allocation of payments ---------------------------------------------------------------


def allocate_within(*, amount: Decimal, heads: list[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """Apply ``amount`` to ``heads`` in the order given, each up to what it owes.

    民法典 Art. 561 fixes the order between costs, interest and principal; LEGAL_RULES.md 6
    applies the same idea inside "interest" (interest, penalty, compound, late fees,
    fees). Returns what each head receives, in order; what is left over is the caller's
    to report (``amount`` minus the sum), never dropped here.
    """
    left = _checked(amount, "The payment")
    applied = {}
    for name, owed in heads:
        share = min(left, _checked(owed, f"The amount owed as {name}"))
        applied[name] = share
        left -= share
    return applied


@dataclass(frozen=True)
class Allocation:
    """How one payment splits between costs, interest and principal, and what is left over."""

    costs: Decimal
    interest: Decimal
    principal: Decimal
    surplus: Decimal
    rule: str = PAYMENT_ALLOCATION_RULE


# 民法典 Art. 561's order, which applies unless the parties agreed another (LEGAL_RULES Part 2, B.8).
STATUTORY_ORDER = ("costs", "interest", "principal")
AGREED_ALLOCATION_RULE = "settlement.allocation@2021"


def allocate_payment(
    *, amount: Decimal, costs: Decimal, interest: Decimal, principal: Decimal, order: tuple[str, ...] | None = None
) -> Allocation:
    """Apply a payment to what is outstanding, 民法典 Art. 561.

    Unless the parties agreed otherwise, a payment that does not cover the whole debt
    goes first to the costs of realising the claim (court, preservation, enforcement
    and announcement fees, lawyer fees the debtor bears), then to interest (everything
    the debt carries besides principal), then to principal. ``order`` is the order a
    settlement agreed (the three heads in another order; LEGAL_RULES Part 2, B.8: the
    agreement governs), and the allocation then names that rule. Anything beyond the
    total is reported as ``surplus``, for counsel to refund or apply elsewhere, not dropped.
    """
    owed = {"costs": costs, "interest": interest, "principal": principal}
    if order is not None and sorted(order) != sorted(STATUTORY_ORDER):
        raise ValueError(f"an allocation order names each of {STATUTORY_ORDER} once: {order!r}")
    agreed = order is not None and tuple(order) != STATUTORY_ORDER
    heads = [(name, owed[name]) for name in (order or STATUTORY_ORDER)]
    applied = allocate_within(amount=amount, heads=heads)
    return Allocation(
        **applied,
        surplus=Decimal(amount) - sum(applied.values()),
        rule=AGREED_ALLOCATION_RULE if agreed else PAYMENT_ALLOCATION_RULE,
    )


@dataclass(frozen=True)
class EnforcementAllocation:
    """How one payment in enforcement splits: the instrument's debt first, the doubled part last."""

    costs: Decimal
    interest: Decimal
    principal: Decimal
    delay_interest: Decimal
    surplus: Decimal
    rule: str = DELAY_DOUBLE_RULE


def allocate_enforcement_payment(
    *, amount: Decimal, costs: Decimal, interest: Decimal, principal: Decimal, delay_interest: Decimal
) -> EnforcementAllocation:
    """Apply a payment received in enforcement, 法释〔2014〕8号 Art. 4 (LEGAL_RULES 6 and B.6 item 4).

    When the debtor's property does not cover everything, the money debt the instrument
    fixes is paid first and the doubled part of 迟延履行 interest (``delay_interest``,
    accrued and unpaid on the day of payment) last. Within the instrument's debt the
    order is 民法典 Art. 561's: costs, then interest, then principal. Anything beyond is
    ``surplus``, for counsel to refund or apply elsewhere.
    """
    heads = [("costs", costs), ("interest", interest), ("principal", principal), ("delay_interest", delay_interest)]
    applied = allocate_within(amount=amount, heads=heads)
    return EnforcementAllocation(**applied, surplus=Decimal(amount) - sum(applied.values()))
