"""Settlements (和解 / 减免方案): record one, keep its instalments' statuses current, cancel it.

A settlement records what the debtor can pay, what the creditor waives and the
instalments of the rest. Its instalments' statuses follow from the matter's recoveries
(``legalcase.settlements.instalment_statuses``): ``settlement_refresh`` works them out
again whenever a recovery is recorded or reversed and each day from ``deadlines_daily``.
A missed instalment breaches the settlement and flags the matter for resumed
enforcement; nothing moves the matter's stage by itself, the answer only proposes it.
Every service here holds the matter's row lock, as the recovery services do.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from legalcase.access import access_child, access_matter
from legalcase.dates import must_be_past
from legalcase.events import record_event
from legalcase.models import (
    DEFAULT_GRACE_DAYS,
    DeadlineStatus,
    EventKind,
    Instalment,
    Matter,
    Settlement,
    User,
)
from legalcase.money import money_input, money_text
from legalcase.services.deadlines import matter_deadlines_recompute
from legalcase.settlements import (
    FEN,
    MISSED,
    PAID,
    InstalmentStatus,
    equal_instalments,
    instalment_statuses,
)
from legalcase.stages import stage_proposal

MAX_INSTALMENTS = 120
MAX_GRACE_DAYS = 90
# The settlements whose instalments follow the recoveries: a breached one too, so that
# what was paid shows, though it stays breached; a cancelled one stays as it was left.
LIVE = (Settlement.Status.ACTIVE, Settlement.Status.COMPLETED, Settlement.Status.BREACHED)


class SettlementConflict(Exception):
    """The matter already has a settlement being performed (API.md: 409)."""

    def __init__(self, matter: Matter, message: str):
        super().__init__(message)
        self.stage = matter.stage


def _kept_recoveries(matter: Matter, since: dt.date):
    """The matter's recoveries received on or after ``since`` that stand: neither reversed nor a counter-entry."""
    return matter.recoveries.filter(received_on__gte=since, reverses__isnull=True, reversal__isnull=True)


def _schedule(
    *, instalments, count, first_due_on, amount: Decimal, agreed_on: dt.date
) -> list[tuple[dt.date, Decimal]]:
    """The schedule as typed rows or as equal monthly instalments, checked; ValidationError naming the field."""
    if instalments and (count is not None or first_due_on is not None):
        raise ValidationError(
            {"instalments": _("Give either the instalments or their count and first due date, not both.")}
        )
    if instalments:
        if len(instalments) > MAX_INSTALMENTS:
            raise ValidationError({"instalments": _("At most %(max)s instalments.") % {"max": MAX_INSTALMENTS}})
        rows = []
        for row in instalments:
            due_on = row.get("due_on")
            if not isinstance(due_on, dt.date):
                raise ValidationError({"instalments": _("Every instalment needs a due date.")})
            rows.append((due_on, money_input(row.get("amount"), "instalments")))
    elif count is not None or first_due_on is not None:
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_INSTALMENTS:
            raise ValidationError({"count": _("Between 1 and %(max)s instalments.") % {"max": MAX_INSTALMENTS}})
        if not isinstance(first_due_on, dt.date):
            raise ValidationError({"first_due_on": _("Give the first instalment's due date.")})
        if amount < count * FEN:
            raise ValidationError({"count": _("Too many instalments for the amount to be paid.")})
        rows = equal_instalments(amount, count, first_due_on)
    else:
        raise ValidationError({"instalments": _("Give the instalments, or their count and the first due date.")})
    previous = None
    for due_on, _value in rows:
        if due_on < agreed_on:
            raise ValidationError({"instalments": _("An instalment cannot fall due before the agreement date.")})
        if previous is not None and due_on <= previous:
            raise ValidationError(
                {"instalments": _("The due dates must follow one another, each later than the last.")}
            )
        previous = due_on
    total = sum((value for _day, value in rows), Decimal("0.00"))
    if total != amount:
        raise ValidationError(
            {
                "instalments": _(
                    "The instalments add up to %(total)s; they must add up to the amount to be paid, %(amount)s."
                )
                % {"total": money_text(total), "amount": money_text(amount)}
            }
        )
    return rows


@transaction.atomic
def settlement_record(
    *,
    user: User,
    matter_id: int,
    agreed_on: dt.date,
    reduction: Decimal,
    instalments: list[dict] | None = None,
    count: int | None = None,
    first_due_on: dt.date | None = None,
    monthly_income: Decimal | None = None,
    assets_assessed: str = "",
    hardship: str = "",
    grace_days: int = DEFAULT_GRACE_DAYS,
    allocation: str = Settlement.Allocation.STATUTORY,
    lodged_with_court: bool = False,
    note: str = "",
) -> Settlement:
    """Record a settlement agreed with the debtor; return it with ``proposed_stage`` set.

    ``allocation`` is the agreed order of applying payments (costs, interest, principal
    by default, 民法典 Art. 561), which the recoveries under it follow;
    ``lodged_with_court`` marks an enforcement settlement (执行和解) lodged with the court.
    The agreement interrupts limitation and the 2-year period to apply for enforcement
    (LEGAL_RULES Part 2, B.8): the deadlines are recomputed.

    The claim when agreed is what is outstanding as of ``agreed_on`` (what is outstanding
    now plus what was received since then, which counts towards the instalments). The
    creditor waives ``reduction`` (less than that claim) on condition of full
    performance; the instalments, typed or ``count`` equal monthly ones from
    ``first_due_on``, add up to the rest, fall due in order on or after the agreement
    date, at most 120 of them. A matter has one settlement being performed at a time: a
    second is a ``SettlementConflict``. Nothing is stored on bad input. The stage stays;
    ``proposed_stage`` is ``settled`` when the table allows the move now (``enforcement``
    when an agreement recorded late is already breached).
    """
    matter = access_matter(user, matter_id, action="write_settlements", for_update=True)
    today = timezone.localdate()
    if not isinstance(agreed_on, dt.date):
        raise ValidationError({"agreed_on": _("Give the date of the agreement.")})
    must_be_past("agreed_on", agreed_on, on=today)
    if allocation not in Settlement.Allocation.values:
        raise ValidationError({"allocation": _("Not one of the allowed values.")})
    if isinstance(grace_days, bool) or not isinstance(grace_days, int) or not 0 <= grace_days <= MAX_GRACE_DAYS:
        raise ValidationError({"grace_days": _("Between 0 and %(max)s days.") % {"max": MAX_GRACE_DAYS}})
    if monthly_income is not None:
        monthly_income = money_input(monthly_income, "monthly_income", allow_zero=True)
    reduction = money_input(reduction, "reduction", allow_zero=True)
    received_since = _kept_recoveries(matter, agreed_on).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    outstanding = matter.outstanding["total"] + received_since
    if outstanding <= 0:
        raise ValidationError({"agreed_on": _("Nothing was outstanding on this date: there is nothing to settle.")})
    if reduction >= outstanding:
        raise ValidationError(
            {
                "reduction": _("The reduction must be less than what was outstanding when agreed (%(total)s).")
                % {"total": money_text(outstanding)}
            }
        )
    amount = outstanding - reduction
    rows = _schedule(
        instalments=instalments, count=count, first_due_on=first_due_on, amount=amount, agreed_on=agreed_on
    )
    if matter.settlements.filter(status=Settlement.Status.ACTIVE).exists():
        raise SettlementConflict(
            matter, _("This matter already has a settlement being performed: cancel it before recording another.")
        )
    settlement = Settlement.objects.create(
        matter=matter,
        agreed_on=agreed_on,
        monthly_income=monthly_income,
        assets_assessed=assets_assessed.strip(),
        hardship=hardship.strip(),
        outstanding_at_agreement=outstanding,
        reduction=reduction,
        settlement_amount=amount,
        grace_days=grace_days,
        allocation=allocation,
        lodged_with_court=bool(lodged_with_court),
        note=note.strip(),
        created_by=user,
    )
    Instalment.objects.bulk_create(
        Instalment(settlement=settlement, sequence=n, due_on=due_on, amount=value)
        for n, (due_on, value) in enumerate(rows, start=1)
    )
    # The agreement is the debtor's acknowledgment: it interrupts limitation (民法典 Art. 195).
    # One signed after limitation ran out defeats the defence instead (诉讼时效规定 Art. 19):
    # flagged for counsel on the timeline, since the engine does not revive the period.
    limitation = matter.limitation_deadline
    after_limitation = bool(limitation and limitation.status != DeadlineStatus.DONE and limitation.due_on < agreed_on)
    # Figures only: the debtor's means stay on the settlement, out of the timeline.
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.SETTLEMENT_RECORDED,
        new={
            "settlement": settlement.pk,
            "agreed_on": agreed_on.isoformat(),
            "outstanding": money_text(outstanding),
            "reduction": money_text(reduction),
            "amount": money_text(amount),
            "instalments": len(rows),
            "first_due_on": rows[0][0].isoformat(),
            "last_due_on": rows[-1][0].isoformat(),
            "grace_days": grace_days,
            "allocation": allocation,
            "lodged_with_court": bool(lodged_with_court),
            **({"signed_after_limitation": limitation.due_on.isoformat()} if after_limitation else {}),
        },
        note=settlement.note,
    )
    matter_deadlines_recompute(matter_id=matter.pk)
    # An agreement recorded after the event may already have payments, or a missed instalment.
    settlement_refresh(matter=matter, today=today, actor=user)
    settlement.refresh_from_db()
    settlement.matter = matter
    settlement.proposed_stage = stage_proposal(matter, settlement=settlement)
    return settlement


def _status_change(matter: Matter, settlement: Settlement, old: str, actor: User | None, **new) -> None:
    record_event(
        matter=matter,
        actor=actor,
        kind=EventKind.SETTLEMENT_CHANGED,
        old={"settlement": settlement.pk, "status": old},
        new={"settlement": settlement.pk, "status": settlement.status, **new},
    )


def settlement_refresh(*, matter: Matter, today: dt.date, actor: User | None = None) -> Settlement | None:
    """Work the instalments of the matter's live settlement out again from its recoveries; return it.

    Call inside the transaction that holds the matter's row lock. The live settlement is
    the one being performed, else the latest not cancelled. Recoveries count from the
    agreement date, reversed ones and their counter-entries left out. The status follows
    from the facts (``_settlement_status``): an instalment unpaid past its grace period
    breaches the settlement for good (``breached_on``: the day after that grace period)
    and flags the matter for resumed enforcement; every instalment paid completes it
    (``completed_on``: the last payment's day); a reversal that leaves a completed one
    short makes it active again, and payments entered late that show every instalment
    came in time lift a breach and its flag. Each change of status is an event.
    ``proposed_stage`` is ``enforcement`` after a breach when the table allows it.
    """
    live = list(matter.settlements.filter(status__in=LIVE).order_by("-agreed_on", "-id"))
    settlement = next((s for s in live if s.status == Settlement.Status.ACTIVE), live[0] if live else None)
    if settlement is None:
        return None
    settlement.proposed_stage = None
    instalments = list(settlement.instalments.order_by("sequence"))
    payments = _kept_recoveries(matter, settlement.agreed_on).order_by("received_on", "id")
    statuses = instalment_statuses(
        [(i.due_on, i.amount) for i in instalments],
        payments.values_list("received_on", "amount"),
        today=today,
        grace_days=settlement.grace_days,
    )
    for instalment, worked_out in zip(instalments, statuses):
        now = (worked_out.status, worked_out.paid_amount, worked_out.paid_on)
        if (instalment.status, instalment.paid_amount, instalment.paid_on) != now:
            instalment.status, instalment.paid_amount, instalment.paid_on = now
            instalment.save(update_fields=["status", "paid_amount", "paid_on"])

    status, breached_on, completed_on = _settlement_status(statuses, grace_days=settlement.grace_days)
    if (status, breached_on, completed_on) == (settlement.status, settlement.breached_on, settlement.completed_on):
        return settlement
    old = settlement.status
    settlement.status, settlement.breached_on, settlement.completed_on = status, breached_on, completed_on
    settlement.save(update_fields=["status", "breached_on", "completed_on"])
    details: dict = {}
    if status == Settlement.Status.BREACHED:
        details = {
            "breached_on": breached_on.isoformat(),
            "missed": [s.sequence for s in statuses if _breach_day(s, settlement.grace_days)],
        }
        if matter.resumption_flagged_on is None and old != Settlement.Status.BREACHED:
            matter.resumption_flagged_on = today
            matter.save(update_fields=["resumption_flagged_on"])
        details["resumption_flagged_on"] = matter.resumption_flagged_on and matter.resumption_flagged_on.isoformat()
        settlement.proposed_stage = stage_proposal(matter, settlement=settlement)
    elif old == Settlement.Status.BREACHED and matter.resumption_flagged_on is not None:
        # Payments entered later show every instalment came within its grace period.
        matter.resumption_flagged_on = None
        matter.save(update_fields=["resumption_flagged_on"])
    if status == Settlement.Status.COMPLETED:
        details["completed_on"] = completed_on.isoformat()
    if old != status:
        _status_change(matter, settlement, old, actor, **details)
    return settlement


def _breach_day(status: InstalmentStatus, grace_days: int) -> dt.date | None:
    """The day an instalment breached the settlement: the day after its grace period, if it was not paid by then."""
    day = status.due_on + dt.timedelta(days=grace_days + 1)
    if status.status == MISSED or (status.status == PAID and status.paid_on >= day):
        return day
    return None


def _settlement_status(
    statuses: list[InstalmentStatus], *, grace_days: int
) -> tuple[str, dt.date | None, dt.date | None]:
    """(status, breached_on, completed_on) that the instalments' facts give.

    Breached as soon as one instalment went unpaid past its grace period, even if it was
    paid later; otherwise completed when all are paid, else being performed. Worked out
    from the facts each time, so recoveries entered after the event (a settlement recorded
    late, a bank statement keyed in a month on) give the same answer as live ones.
    """
    breach_days = [day for day in (_breach_day(s, grace_days) for s in statuses) if day is not None]
    if breach_days:
        return Settlement.Status.BREACHED, min(breach_days), None
    if all(s.status == PAID for s in statuses):
        return Settlement.Status.COMPLETED, None, max(s.paid_on for s in statuses)
    return Settlement.Status.ACTIVE, None, None


def settlement_allocation_order(matter: Matter, received_on: dt.date) -> tuple[str, ...] | None:
    """The order a payment received on ``received_on`` is applied in under the settlement being performed.

    The agreement governs (LEGAL_RULES Part 2, B.8): the allocation agreed by the
    settlement being performed, agreed on or before the payment; None (the statutory
    order of 民法典 Art. 561) when there is none.
    """
    settlement = matter.settlements.filter(status=Settlement.Status.ACTIVE, agreed_on__lte=received_on).first()
    return settlement.allocation_order if settlement is not None else None


def settlement_refresh_if_any(*, matter: Matter, today: dt.date, actor: User | None = None) -> Settlement | None:
    """``settlement_refresh`` for the recovery services: one cheap query when the matter has no settlement to follow."""
    if not matter.settlements.filter(status__in=LIVE).exists():
        return None
    return settlement_refresh(matter=matter, today=today, actor=actor)


def settlements_refresh_due(today: dt.date) -> dict[str, int]:
    """The daily job's part: refresh every settlement being performed with an unpaid instalment due before today.

    Each matter in its own transaction under its row lock, like a recovery, so the job
    never holds many locks and a second run changes nothing. Returns how many were
    checked and how many of them were breached.
    """
    matter_ids = list(
        Settlement.objects.filter(
            status=Settlement.Status.ACTIVE,
            instalments__due_on__lt=today,
            instalments__status__in=[Instalment.Status.PENDING, Instalment.Status.LATE, Instalment.Status.MISSED],
        )
        .order_by("matter_id")
        .values_list("matter_id", flat=True)
        .distinct()
    )
    counts = {"settlements_checked": 0, "settlements_breached": 0}
    for matter_id in matter_ids:
        with transaction.atomic():
            matter = Matter.objects.select_for_update().get(pk=matter_id)
            settlement = settlement_refresh(matter=matter, today=today)
            counts["settlements_checked"] += 1
            if settlement is not None and settlement.status == Settlement.Status.BREACHED:
                counts["settlements_breached"] += 1
    return counts


@transaction.atomic
def settlement_cancel(*, user: User, settlement_id: int, reason: str) -> Settlement:
    """Cancel a settlement (it was rescinded, or recorded by mistake); the reason is required.

    A cancelled settlement drives nothing any more: its instalments stay as they were
    last worked out. One already cancelled cannot be cancelled again.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the settlement is cancelled.")})
    settlement = access_child(user, Settlement, settlement_id, action="write_settlements", for_update=True)
    matter = settlement.matter
    if settlement.status == Settlement.Status.CANCELLED:
        raise SettlementConflict(matter, _("This settlement is already cancelled."))
    old = settlement.status
    settlement.status = Settlement.Status.CANCELLED
    settlement.save(update_fields=["status"])
    flag = {}
    breached = matter.settlements.filter(status=Settlement.Status.BREACHED).exists()
    if old == Settlement.Status.BREACHED and not breached and matter.resumption_flagged_on is not None:
        # The breach that flagged the matter went with the settlement (rescinded, or a mistake).
        flag = {"resumption_flagged_on": matter.resumption_flagged_on.isoformat()}
        matter.resumption_flagged_on = None
        matter.save(update_fields=["resumption_flagged_on"])
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.SETTLEMENT_CHANGED,
        old={"settlement": settlement.pk, "status": old, **flag},
        new={
            "settlement": settlement.pk,
            "status": settlement.status,
            **({"resumption_flagged_on": None} if flag else {}),
        },
        note=reason,
    )
    # No longer an acknowledgment the limitation date rests on.
    matter_deadlines_recompute(matter_id=matter.pk)
    settlement.matter = matter
    return settlement
