"""What an application for enforcement (申请执行) claims, computed from the matter's rows.

LEGAL_RULES sections 5 and 7: the enforcement application states the principal and the
interest the effective instrument awards, 迟延履行 interest to the application date
(法释〔2014〕8号) and the costs the debtor bears, less what has been recovered. Read-only:
nothing here changes state, so it is one plain function the matter page and the filing
context both call.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from legalcase.calculators import DELAY_DAILY_RATE, DELAY_INTEREST_RULE, delay_interest
from legalcase.models import Cost, DeadlineKind, Matter

ZERO = Decimal("0.00")
HEADS = ("principal", "interest", "costs")

# What may be missing, in the order a reader fills it in (the view and the filing label them).
MISSING_RULING = "ruling"
MISSING_PERFORMANCE_END = "performance_end"
MISSING_PRINCIPAL = "principal_awarded"
MISSING_INTEREST = "interest_awarded"
MISSING_ACCEPTANCE_FEE = "acceptance_fee"


def _confirmed_ruling(matter: Matter):
    # Through the related manager, so a caller building many contexts can prefetch it.
    rulings = [r for r in matter.rulings.all() if r.confirmed and r.confirmed_at is not None]
    return max(rulings, key=lambda r: (r.confirmed_at, r.pk), default=None)


def _current_deadline(matter: Matter, kind: str):
    rows = [d for d in matter.current_deadlines if d.kind == kind]
    return max(rows, key=lambda d: (d.due_on, d.pk), default=None)


def enforcement_application_amounts(matter: Matter, *, on: dt.date) -> dict:
    """The amounts an enforcement application filed on ``on`` claims, with what they rest on.

    The instrument is the matter's latest confirmed ruling. Principal and interest are
    the ruling's awards; costs are the recoverable ``Cost`` rows incurred by ``on``. The
    acceptance fee the judgment orders the debtor to bear is counted once: from the
    ``Cost`` rows of kind acceptance_fee when any exists (what was actually charged and
    paid, recorded by the costs service; a non-recoverable row means the creditor bears
    it), else the ruling's ``acceptance_fee_charged``.

    Recoveries are the ``Recovery`` rows received after the ruling was decided (the
    judgment already accounts for earlier payments) and by ``on``, deducted head by head
    as each recovery was allocated (民法典 Art. 561); a head never goes below zero. The
    running totals on the matter cannot be used: they hold every recovery, whatever its
    date.

    迟延履行 interest (法释〔2014〕8号 Arts. 1-3) runs on the unpaid money debt the
    instrument fixes, excluding its ordinary interest: the awarded principal plus the
    acceptance fee the debtor bears, less the principal and costs recovered; from the day
    after the performance period's last day (the ``performance_end`` deadline; for an
    instrument that sets no period, the day after it takes effect) to ``on``, both
    counted, by ``calculators.delay_interest``. A recovery inside the period lowers the
    base from the day after it was received.

    A figure that cannot be read is None and named in ``missing``; nothing is guessed,
    and ``total`` is None while any head is.
    """
    ruling = _confirmed_ruling(matter)
    result = {
        "on": on,
        "ruling": None,
        "effective_on": None,
        "performance_ends_on": None,
        "delay_interest_from": None,
        "delay_interest_days": None,
        "delay_interest_base": None,
        "delay_daily_rate": DELAY_DAILY_RATE,
        "delay_interest_rule": DELAY_INTEREST_RULE,
        "acceptance_fee": None,
        "acceptance_fee_source": None,
        "judged": {"principal": None, "interest": None, "costs": None},
        "recovered": {head: ZERO for head in HEADS},
        "principal": None,
        "interest": None,
        "delay_interest": None,
        "costs": None,
        "total": None,
        "missing": [],
    }
    missing = result["missing"]
    if ruling is None:
        missing.append(MISSING_RULING)
        return result
    result["ruling"] = {
        "id": ruling.pk,
        "kind": ruling.kind or "",
        "case_number": ruling.case_number or "",
        "court": ruling.court or "",
        "decided_on": ruling.decided_on,
        "acceptance_fee_charged": ruling.acceptance_fee_charged,
        "performance_days": ruling.performance_days,
    }
    effective = _current_deadline(matter, DeadlineKind.JUDGMENT_EFFECTIVE)
    result["effective_on"] = effective.due_on if effective else None
    performance_end = _current_deadline(matter, DeadlineKind.PERFORMANCE_END)
    if performance_end is not None:
        result["performance_ends_on"] = performance_end.due_on
    elif ruling.performance_days == 0 and effective is not None:
        # Art. 2: an instrument that sets no period runs interest from the day it takes effect.
        result["performance_ends_on"] = effective.due_on

    # Costs: the recoverable rows incurred by ``on``, the acceptance fee counted once.
    costs = [c for c in matter.costs.all() if c.incurred_on <= on]
    fee_rows = [c for c in costs if c.kind == Cost.Kind.ACCEPTANCE_FEE]
    if fee_rows:
        fee = sum((c.amount for c in fee_rows if c.recoverable), ZERO)
        result["acceptance_fee_source"] = "costs"
    elif ruling.acceptance_fee_charged is not None:
        fee = ruling.acceptance_fee_charged
        result["acceptance_fee_source"] = "ruling"
    else:
        fee = None
    other_costs = sum((c.amount for c in costs if c.recoverable and c.kind != Cost.Kind.ACCEPTANCE_FEE), ZERO)
    result["acceptance_fee"] = fee
    judged = result["judged"]
    judged["principal"] = ruling.principal_awarded
    judged["interest"] = ruling.interest_awarded
    judged["costs"] = None if fee is None else fee + other_costs

    recoveries = sorted(
        (
            r
            for r in matter.recoveries.all()
            if r.received_on <= on and (ruling.decided_on is None or r.received_on > ruling.decided_on)
        ),
        key=lambda r: (r.received_on, r.pk),
    )
    recovered = result["recovered"]
    for recovery in recoveries:
        recovered["principal"] += recovery.allocated_principal
        recovered["interest"] += recovery.allocated_interest
        recovered["costs"] += recovery.allocated_costs
    for head in HEADS:
        if judged[head] is not None:
            result[head] = max(judged[head] - recovered[head], ZERO)

    gaps = (
        (MISSING_PRINCIPAL, ruling.principal_awarded is None),
        (MISSING_INTEREST, ruling.interest_awarded is None),
        (MISSING_ACCEPTANCE_FEE, fee is None),
        (MISSING_PERFORMANCE_END, result["performance_ends_on"] is None),
    )
    missing.extend(key for key, gone in gaps if gone)
    if result["performance_ends_on"] is not None and ruling.principal_awarded is not None and fee is not None:
        start = result["performance_ends_on"] + dt.timedelta(days=1)
        result["delay_interest_from"] = start
        result["delay_interest_base"] = _delay_base(ruling.principal_awarded, fee, ZERO, ZERO)
        result["delay_interest"], result["delay_interest_days"] = _delay_interest(
            principal=ruling.principal_awarded, fee=fee, recoveries=recoveries, start=start, on=on
        )

    if not missing:
        result["total"] = result["principal"] + result["interest"] + result["delay_interest"] + result["costs"]
    return result


def _delay_base(principal: Decimal, fee: Decimal, paid_principal: Decimal, paid_costs: Decimal) -> Decimal:
    # Costs recovered are set against the acceptance fee first: it is the cost the
    # instrument fixes. Where they paid another cost the base is understated, never inflated.
    return max(principal - paid_principal, ZERO) + max(fee - paid_costs, ZERO)


def _delay_interest(
    *, principal: Decimal, fee: Decimal, recoveries: list, start: dt.date, on: dt.date
) -> tuple[Decimal, int]:
    """迟延履行 interest from ``start`` to ``on``, the base lowered after each recovery (Art. 3)."""
    if on < start:
        return ZERO, 0
    paid_principal = paid_costs = ZERO
    total, segment_start = ZERO, start
    for recovery in recoveries:
        if recovery.received_on >= segment_start:
            # The day of payment still runs on the old base; the new base from the next day.
            base = _delay_base(principal, fee, paid_principal, paid_costs)
            total += delay_interest(debt=base, start=segment_start, end=recovery.received_on)
            segment_start = recovery.received_on + dt.timedelta(days=1)
        paid_principal += recovery.allocated_principal
        paid_costs += recovery.allocated_costs
    if segment_start <= on:
        base = _delay_base(principal, fee, paid_principal, paid_costs)
        total += delay_interest(debt=base, start=segment_start, end=on)
    return total, (on - start).days + 1
