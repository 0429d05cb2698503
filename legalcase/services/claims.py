"""What an application for enforcement (申请执行) claims, computed from the matter's rows.

LEGAL_RULES sections 5, 6 and Part 2 B.6: the enforcement application states the
principal and the interest the effective instrument awards, 迟延履行 interest to the
application date (法释〔2014〕8号) and the costs the debtor bears, less what has been
recovered. The computation is one plain function the matter page and the filing context
both call; the one write here is counsel's choice of the 迟延履行 base
(``matter_delay_base_set``).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from legalcase.access import access_matter
from legalcase.calculators import (
    DELAY_DAILY_RATE,
    DELAY_DOUBLE_RULE,
    EnforcementAllocation,
    allocate_enforcement_payment,
    delay_periods,
)
from legalcase.events import record_event
from legalcase.models import Cost, DeadlineKind, EventKind, Matter, User
from legalcase.money import FEN

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
    judgment already accounts for earlier payments) and by ``on``, less reversed ones.
    The running totals on the matter cannot be used: they hold every recovery, whatever
    its date, allocated against the debt as escalated. Here each is applied afresh to
    the instrument's debt, and to the doubled part of 迟延履行 interest last (LEGAL_RULES
    6 and B.6, 法释〔2014〕8号 Art. 4; ``_EnforcementLedger``); ``recovered`` says what
    went to each head, ``surplus`` what exceeded everything owed.

    The doubled part runs on the principal awarded and unpaid (the acceptance fee only
    when counsel included it for the matter, ``Matter.delay_base_includes_fee``), from
    the day after the performance period's last day (the ``performance_end`` deadline;
    for an instrument that sets no period, the day after it takes effect) to ``on``, both
    counted, in ``delay_interest_periods`` split at each payment; added unrounded and
    rounded once (``delay_interest_accrued``), less what recoveries paid of it
    (``delay_interest``). While the instrument's debt is not known in full, the heads are
    the judged ones less the recoveries' recorded allocations and the doubled part is
    not computed.

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
        "delay_interest_periods": (),
        "delay_interest_accrued": None,
        "delay_base_includes_fee": matter.delay_base_includes_fee,
        "delay_daily_rate": DELAY_DAILY_RATE,
        "delay_interest_rule": DELAY_DOUBLE_RULE,
        "acceptance_fee": None,
        "acceptance_fee_source": None,
        "judged": {"principal": None, "interest": None, "costs": None},
        "recovered": {head: ZERO for head in (*HEADS, "delay_interest")},
        "surplus": ZERO,
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

    recoveries = _instrument_recoveries(matter, ruling, on)
    gaps = (
        (MISSING_PRINCIPAL, ruling.principal_awarded is None),
        (MISSING_INTEREST, ruling.interest_awarded is None),
        (MISSING_ACCEPTANCE_FEE, fee is None),
        (MISSING_PERFORMANCE_END, result["performance_ends_on"] is None),
    )
    missing.extend(key for key, gone in gaps if gone)
    recovered = result["recovered"]
    if ruling.principal_awarded is None or ruling.interest_awarded is None or fee is None:
        # The instrument's debt is not known in full, so the recoveries cannot be applied
        # to it: each head shows what the recoveries were allocated to it when recorded.
        for recovery in recoveries:
            recovered["principal"] += recovery.allocated_principal
            recovered["interest"] += recovery.allocated_interest
            recovered["costs"] += recovery.allocated_costs
        for head in HEADS:
            if judged[head] is not None:
                result[head] = max(judged[head] - recovered[head], ZERO)
        return result

    fee_items = (
        [(c.incurred_on, c.amount) for c in fee_rows if c.recoverable]
        if result["acceptance_fee_source"] == "costs"
        else [(dt.date.min, fee)]
    )
    other_items = [(c.incurred_on, c.amount) for c in costs if c.recoverable and c.kind != Cost.Kind.ACCEPTANCE_FEE]
    delay_from = None
    if result["performance_ends_on"] is not None:
        delay_from = result["performance_ends_on"] + dt.timedelta(days=1)
    ledger = _EnforcementLedger(
        principal=ruling.principal_awarded,
        interest=ruling.interest_awarded,
        fee_items=fee_items,
        other_cost_items=other_items,
        base_includes_fee=matter.delay_base_includes_fee,
        delay_from=delay_from,
    )
    for recovery in recoveries:
        ledger.receive(recovery.amount, on=recovery.received_on)
    ledger.accrue_to(on)
    for head in (*HEADS, "delay_interest"):
        recovered[head] = ledger.paid[head]
    result["costs"] = ledger.owed_costs(on)
    result["interest"] = ruling.interest_awarded - ledger.paid["interest"]
    result["principal"] = ruling.principal_awarded - ledger.paid["principal"]
    result["surplus"] = ledger.surplus
    if delay_from is not None:
        periods = tuple(ledger.periods)
        result["delay_interest_from"] = delay_from
        result["delay_interest_periods"] = periods
        result["delay_interest_base"] = ledger.base(delay_from)
        result["delay_interest_days"] = max((on - delay_from).days + 1, 0)
        result["delay_interest_accrued"] = ledger.accrued()
        result["delay_interest"] = ledger.accrued() - ledger.paid["delay_interest"]
    if not missing:
        result["total"] = result["principal"] + result["interest"] + result["delay_interest"] + result["costs"]
    return result


def _instrument_recoveries(matter: Matter, ruling, on: dt.date) -> list:
    """The recoveries received after the ruling was decided and by ``on``, in order, a reversed one and its counter-entry left out.

    The judgment already accounts for earlier payments. A counter-entry carries the
    original's day, so leaving out both is the same as the pair at any date.
    """
    rows = list(matter.recoveries.all())
    reversed_ids = {r.reverses_id for r in rows if r.reverses_id is not None}
    return sorted(
        (
            r
            for r in rows
            if r.reverses_id is None
            and r.pk not in reversed_ids
            and r.received_on <= on
            and (ruling.decided_on is None or r.received_on > ruling.decided_on)
        ),
        key=lambda r: (r.received_on, r.pk),
    )


class _EnforcementLedger:
    """The instrument's money debt and the doubled part of 迟延履行 interest, walked payment by payment.

    LEGAL_RULES B.6 (``interest.delay_double@2014``, 法释〔2014〕8号 Arts. 1-4):

    - The doubled part runs at 1.75‱ a day from ``delay_from`` (the day after the
      performance period's last day) on the unpaid money debt the instrument fixes,
      excluding its general interest: the principal awarded, and the acceptance fee only
      when counsel included it for the matter (``Matter.delay_base_includes_fee``; the
      default excludes it, item 3). Each payment's day still runs on the old base; the
      lower base runs from the next day (Art. 3).
    - A payment goes to the instrument's debt first, by 民法典 Art. 561 (costs, the
      acceptance fee first among them; interest; principal), and to the doubled part
      accrued to its day last (Art. 4); anything beyond is ``surplus``.
    - The periods are added unrounded and the doubled part rounded once to the fen.
    """

    def __init__(self, *, principal, interest, fee_items, other_cost_items, base_includes_fee, delay_from):
        self.principal, self.interest = principal, interest
        self.fee_items, self.other_cost_items = fee_items, other_cost_items
        self.base_includes_fee = base_includes_fee
        self.delay_from = delay_from
        self.segment_start = delay_from
        self.periods: list = []
        self.paid = {"costs": ZERO, "interest": ZERO, "principal": ZERO, "delay_interest": ZERO}
        self.surplus = ZERO

    def _due(self, items, on: dt.date) -> Decimal:
        return sum((amount for incurred_on, amount in items if incurred_on <= on), ZERO)

    def owed_costs(self, on: dt.date) -> Decimal:
        return max(self._due(self.fee_items, on) + self._due(self.other_cost_items, on) - self.paid["costs"], ZERO)

    def base(self, on: dt.date) -> Decimal:
        """The doubled part's base on ``on``: the principal unpaid, plus the fee unpaid when it is included."""
        base = max(self.principal - self.paid["principal"], ZERO)
        if self.base_includes_fee:
            # Costs paid go to the acceptance fee first: it is the cost the instrument fixes.
            base += max(self._due(self.fee_items, on) - self.paid["costs"], ZERO)
        return base

    def accrued(self) -> Decimal:
        return sum((period.exact for period in self.periods), ZERO).quantize(FEN, rounding=ROUND_HALF_UP)

    def accrue_to(self, day: dt.date) -> None:
        """Close the running period at ``day`` (counted) on the base as it stands."""
        if self.segment_start is None or day < self.segment_start:
            return
        self.periods.extend(delay_periods([(self.segment_start, day, self.base(self.segment_start))]))
        self.segment_start = day + dt.timedelta(days=1)

    def receive(self, amount: Decimal, *, on: dt.date) -> EnforcementAllocation:
        self.accrue_to(on)
        allocation = allocate_enforcement_payment(
            amount=amount,
            costs=self.owed_costs(on),
            interest=max(self.interest - self.paid["interest"], ZERO),
            principal=max(self.principal - self.paid["principal"], ZERO),
            delay_interest=max(self.accrued() - self.paid["delay_interest"], ZERO),
        )
        for head in self.paid:
            self.paid[head] += getattr(allocation, head)
        self.surplus += allocation.surplus
        return allocation


@transaction.atomic
def matter_delay_base_set(*, user: User, matter_id: int, includes_fee: bool, reason: str) -> Matter:
    """Include or exclude the acceptance fee in the matter's 迟延履行 base (LEGAL_RULES B.6 item 3).

    Excluded by default: whether the 受理费 the debtor bears belongs in the base is
    unsettled, and counsel includes it only when the judgment orders the debtor to pay it
    straight to the creditor. The reason (the judgment's wording) is required and kept on
    the timeline with the old and new choice.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: quote the judgment's order on the acceptance fee.")})
    matter = access_matter(user, matter_id, action="set_delay_base", for_update=True)
    includes_fee = bool(includes_fee)
    old = matter.delay_base_includes_fee
    if old == includes_fee:
        return matter
    matter.delay_base_includes_fee = includes_fee
    matter.save(update_fields=["delay_base_includes_fee"])
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.DELAY_BASE_SET,
        old={"delay_base_includes_fee": old},
        new={"delay_base_includes_fee": includes_fee},
        note=reason,
    )
    return matter
