"""Recoveries, their reversals and the costs of realising the claim (API.md, "Enforcement, recoveries and costs").

Every service here locks the matter's row first (``access_matter(..., for_update=True)``)
and only then reads what it decides on: the idempotency key, the outstanding heads, the
running totals. Concurrent writers on one matter therefore queue on that lock and each
sees what the one before it stored, so nothing is allocated twice and no key is lost.
Recoveries and costs are append-only: a mistake is put right by a counter-entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from legalcase.access import access_child, access_matter
from legalcase.dates import must_be_past, must_be_past_all
from legalcase.calculators import AGREED_ALLOCATION_RULE, allocate_payment, court_fees
from legalcase.events import record_event
from legalcase.models import (
    Cost,
    EventKind,
    Matter,
    Recovery,
    RecoverySource,
    User,
)
from legalcase.money import money_input, money_text
from legalcase.services.collection import promises_evaluate
from legalcase.services.deadlines import matter_deadlines_recompute
from legalcase.services.settlements import settlement_allocation_order, settlement_refresh_if_any

IDEMPOTENCY_KEY_MAX = Recovery._meta.get_field("idempotency_key").max_length

# Which of ``court_fees``' figures a cost of each kind is computed as; other kinds have none.
COMPUTED_FEES = {
    Cost.Kind.ACCEPTANCE_FEE: "acceptance",
    Cost.Kind.PRESERVATION_FEE: "preservation",
    Cost.Kind.ENFORCEMENT_FEE: "enforcement",
}


class RecoveryConflict(Exception):
    """An idempotency key already used on this matter with a different request (API.md: 409)."""

    def __init__(self, recovery: Recovery):
        super().__init__(
            _("This Idempotency-Key was already used on this matter for a different recovery (%(id)s).")
            % {"id": recovery.pk}
        )
        self.recovery = recovery
        self.stage = recovery.matter.stage


def _outstanding_json(matter: Matter) -> dict[str, str]:
    return {head: money_text(amount) for head, amount in matter.outstanding.items()}


def recovery_body_digest(*, amount: Decimal, received_on: dt.date, source: str, reference: str = "") -> str:
    """The SHA-256 of a recovery request in canonical JSON, so key order, spacing and "1000" vs "1000.00" do not differ."""
    body = {
        "amount": money_text(Decimal(amount)),
        "received_on": received_on.isoformat(),
        "reference": reference,
        "source": source,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def recovery_record(
    *,
    user: User,
    matter_id: int,
    idempotency_key: str,
    amount: Decimal,
    received_on: dt.date,
    source: str,
    reference: str = "",
    body_digest: str,
) -> tuple[Recovery, bool]:
    """Record money received on a matter, allocated to costs, interest and principal; return it and whether it is new.

    The payment goes first to recoverable costs, then to interest, then to principal
    (民法典 Art. 561, LEGAL_RULES section 6), against what is outstanding now; the
    allocation is stored on the recovery and added to the matter's running totals. The
    idempotency key is unique per matter and kept forever: the same key with the same
    body (``body_digest``) returns the recovery it recorded and stores nothing; with a
    different body it is a ``RecoveryConflict``. An amount above the outstanding total
    is refused, nothing stored. A recovery is a part payment, which the deadline engine
    counts as interrupting limitation (民法典 Art. 195), so the deadlines are recomputed.
    """
    key = (idempotency_key or "").strip()
    if not key:
        raise ValidationError({"idempotency_key": _("An idempotency key is required.")})
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError(
            {"idempotency_key": _("At most %(max)s characters.") % {"max": IDEMPOTENCY_KEY_MAX}}
        )
    # The lock comes before the key is looked up: two writers with the same key queue
    # here, and the second finds the first one's recovery instead of a unique violation.
    matter = access_matter(user, matter_id, action="write_recoveries", for_update=True)
    existing = matter.recoveries.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.request_digest != body_digest:
            raise RecoveryConflict(existing)
        return existing, False

    amount = money_input(amount, "amount")
    if source not in RecoverySource.values:
        raise ValidationError({"source": _("Not one of the allowed values.")})
    must_be_past("received_on", received_on)
    outstanding = matter.outstanding
    if amount > outstanding["total"]:
        raise ValidationError(
            {
                "amount": _("This is more than is outstanding (%(total)s); nothing was recorded.")
                % {"total": money_text(outstanding["total"])}
            }
        )
    allocation = allocate_payment(
        amount=amount,
        costs=max(outstanding["costs"], Decimal("0.00")),
        interest=max(outstanding["interest"], Decimal("0.00")),
        principal=max(outstanding["principal"], Decimal("0.00")),
        # A payment under a settlement being performed follows its agreed order (B.8).
        order=settlement_allocation_order(matter, received_on),
    )
    # amount <= total, so nothing is left over; a surplus would mean the heads disagree.
    assert allocation.surplus == 0, allocation
    recovery = Recovery.objects.create(
        matter=matter,
        amount=amount,
        received_on=received_on,
        source=source,
        reference=reference,
        allocated_costs=allocation.costs,
        allocated_interest=allocation.interest,
        allocated_principal=allocation.principal,
        idempotency_key=key,
        request_digest=body_digest,
        created_by=user,
    )
    before = _outstanding_json(matter)
    matter = _add_to_totals(matter, recovery)
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.RECOVERY_RECORDED,
        old={"outstanding": before},
        new={
            "recovery": recovery.pk,
            "amount": money_text(amount),
            "received_on": received_on.isoformat(),
            "source": source,
            "allocation": _allocation_json(recovery),
            **({"allocation_rule": allocation.rule} if allocation.rule == AGREED_ALLOCATION_RULE else {}),
            "outstanding": _outstanding_json(matter),
        },
    )
    matter_deadlines_recompute(matter_id=matter.pk)
    # A payment may pay a settlement instalment (or complete the settlement).
    settlement_refresh_if_any(matter=matter, today=timezone.localdate(), actor=user)
    # And keep (or, by a reversal, no longer keep) a promise to pay (issue 18).
    promises_evaluate(matter=matter, today=timezone.localdate(), actor=user)
    recovery.matter = matter
    return recovery, True


def _allocation_json(recovery: Recovery) -> dict[str, str]:
    return {
        "costs": money_text(recovery.allocated_costs),
        "interest": money_text(recovery.allocated_interest),
        "principal": money_text(recovery.allocated_principal),
    }


def _add_to_totals(matter: Matter, recovery: Recovery) -> Matter:
    """Add (or, for a counter-entry's negative figures, take back) a recovery's allocation; return the matter reloaded."""
    Matter.objects.filter(pk=matter.pk).update(
        recovered_costs=F("recovered_costs") + recovery.allocated_costs,
        recovered_interest=F("recovered_interest") + recovery.allocated_interest,
        recovered_principal=F("recovered_principal") + recovery.allocated_principal,
    )
    matter.refresh_from_db(fields=["recovered_costs", "recovered_interest", "recovered_principal"])
    return matter


@transaction.atomic
def recovery_reverse(*, user: User, recovery_id: int, reason: str) -> Recovery:
    """Reverse a recovery by a counter-entry (negative amount and allocation, ``reverses`` set); return the counter-entry.

    Nothing is edited or deleted: the counter-entry takes exactly the original's
    allocation back from the running totals, so what is outstanding is what it was
    before. A recovery is reversed at most once, and a counter-entry is not reversed
    (record the payment again instead). The reason is required, for the audit trail.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the recovery is reversed.")})
    original = access_child(user, Recovery, recovery_id, action="write_recoveries", for_update=True)
    matter = original.matter
    if original.reverses_id is not None:
        raise ValidationError(_("This entry is itself a reversal and cannot be reversed; record the payment again."))
    if Recovery.objects.filter(reverses=original).exists():
        raise ValidationError(_("This recovery has already been reversed."))
    before = _outstanding_json(matter)
    counter = Recovery.objects.create(
        matter=matter,
        amount=-original.amount,
        # The original's day: the payment is undone as of when it was taken to be made.
        received_on=original.received_on,
        source=original.source,
        reference=original.reference,
        allocated_costs=-original.allocated_costs,
        allocated_interest=-original.allocated_interest,
        allocated_principal=-original.allocated_principal,
        reverses=original,
        reason=reason,
        created_by=user,
    )
    matter = _add_to_totals(matter, counter)
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.RECOVERY_REVERSED,
        old={"recovery": original.pk, "amount": money_text(original.amount), "outstanding": before},
        new={
            "recovery": counter.pk,
            "reverses": original.pk,
            "amount": money_text(counter.amount),
            "allocation": _allocation_json(counter),
            "outstanding": _outstanding_json(matter),
        },
        note=reason,
    )
    matter_deadlines_recompute(matter_id=matter.pk)
    # The instalment it paid is unpaid again (a completed settlement is performed again).
    settlement_refresh_if_any(matter=matter, today=timezone.localdate(), actor=user)
    promises_evaluate(matter=matter, today=timezone.localdate(), actor=user)
    counter.matter = matter
    return counter


def computed_cost(matter: Matter, kind: str) -> Decimal | None:
    """The calculators' figure for a court fee of this kind on the matter's claim; None for other kinds."""
    fee = COMPUTED_FEES.get(kind)
    claim = matter.debt.claim_total
    if fee is None or claim <= 0:
        return None
    return getattr(court_fees(claim), fee)


@transaction.atomic
def cost_record(
    *,
    user: User,
    matter_id: int,
    kind: str,
    amount: Decimal,
    incurred_on: dt.date,
    recoverable: bool = True,
    notice_received_on: dt.date | None = None,
    note: str = "",
) -> Cost:
    """Record a cost of realising the claim; a recoverable one adds to what the debtor owes as costs.

    ``amount`` is the figure on the court's notice or the invoice and is what counts;
    for the acceptance (in full), preservation and enforcement fees the calculators'
    figure on the claim is kept beside it as ``computed_amount`` (LEGAL_RULES section 4:
    the notice wins). A court fee's notice date gives the fee-payment deadline, so the
    deadlines are recomputed.
    """
    matter = access_matter(user, matter_id, action="write_recoveries", for_update=True)
    if kind not in Cost.Kind.values:
        raise ValidationError({"kind": _("Not one of the allowed values.")})
    amount = money_input(amount, "amount")
    must_be_past_all({"incurred_on": incurred_on, "notice_received_on": notice_received_on})
    cost = Cost.objects.create(
        matter=matter,
        kind=kind,
        amount=amount,
        computed_amount=computed_cost(matter, kind),
        incurred_on=incurred_on,
        recoverable=recoverable,
        notice_received_on=notice_received_on,
        note=note,
        created_by=user,
    )
    before = money_text(matter.costs_recoverable)
    if recoverable:
        Matter.objects.filter(pk=matter.pk).update(costs_recoverable=F("costs_recoverable") + amount)
        matter.refresh_from_db(fields=["costs_recoverable"])
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.COST_RECORDED,
        old={"costs_recoverable": before},
        new={
            "cost": cost.pk,
            "kind": kind,
            "amount": money_text(amount),
            "computed_amount": money_text(cost.computed_amount) if cost.computed_amount is not None else None,
            "recoverable": recoverable,
            "notice_received_on": notice_received_on.isoformat() if notice_received_on else None,
            "costs_recoverable": money_text(matter.costs_recoverable),
        },
        note=note,
    )
    matter_deadlines_recompute(matter_id=matter.pk)
    cost.matter = matter
    return cost
