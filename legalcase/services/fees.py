"""Outside-firm money: fee arrangements per assignment, the fee earned, the firms' invoices and their payment.

An arrangement (``FeeArrangement``) may combine a fixed fee, fees by stage reached and a
contingency percentage of net recoveries, with an optional cap; ``fee_earned`` is the
pure rule and ``assignments_fees`` applies it to assignments, reading the facts
(stage moves, recoveries, invoices) for many assignments in a handful of queries.
A firm's lawyer submits invoices against an assignment of their own firm, even after
it ended; counsel approve or reject them (with a reason) and record payments.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Prefetch, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from legalcase.access import access_child, can, visible_children
from legalcase.events import record_event
from legalcase.models import (
    Assignment,
    EventKind,
    FeeArrangement,
    FeeInvoice,
    FeePayment,
    MatterEvent,
    Recovery,
    Stage,
    User,
)
from legalcase.money import FEN, money_input, money_text

ZERO = Decimal("0.00")
RATE_PLACES = Decimal("0.000001")
NUMBER_MAX = FeeInvoice._meta.get_field("number").max_length
STAGE_ORDER = {stage: index for index, stage in enumerate(Stage.values)}


class InvoiceConflict(Exception):
    """The invoice is not in the status the act needs (API.md: 409)."""

    def __init__(self, invoice: FeeInvoice, message: str):
        super().__init__(message)
        self.invoice = invoice
        self.status = invoice.status
        self.stage = invoice.assignment.matter.stage


# --- The rule -------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeBreakdown:
    """What an arrangement has earned, by component; ``total`` is after the cap."""

    fixed: Decimal
    staged: dict[str, Decimal]
    contingency: Decimal
    recovered: Decimal
    cap: Decimal | None
    uncapped: Decimal
    total: Decimal

    @property
    def staged_total(self) -> Decimal:
        return sum(self.staged.values(), ZERO)

    @property
    def capped(self) -> bool:
        return self.total < self.uncapped


def _quantize(value: Decimal) -> Decimal:
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def fee_earned(
    *,
    fixed_fee: Decimal,
    stage_fees: dict[str, Decimal | str],
    contingency_rate: Decimal,
    cap: Decimal | None,
    stages_reached: Iterable[str],
    recovered: Decimal,
) -> FeeBreakdown:
    """The fee an arrangement has earned on an assignment, by component.

    - Fixed: earned in full once the assignment exists.
    - Staged: a stage's fee is earned when the matter was in that stage at any time
      during the assignment (``stages_reached``: the stage at the assignment's start
      counts, then every stage the matter moved to between its start and its end, or
      now while it runs). A stage reached again (an appeal back to litigation) earns
      its fee once.
    - Contingency: ``contingency_rate`` × the net recoveries received during the
      assignment (``recovered``: recoveries whose ``received_on`` falls from the day the
      assignment started up to, not including, the day it ended (that day belongs to the
      next firm, as on the dashboard), or to today while it runs;
      reversal counter-entries are negative and take their recovery back, as they carry
      the original's day), rounded half-up to the fen; never below zero.
    - The total is the sum, limited to ``cap`` when one is set.
    """
    reached = set(stages_reached)
    staged = {
        stage: _quantize(Decimal(amount))
        for stage, amount in sorted(stage_fees.items(), key=lambda item: STAGE_ORDER.get(item[0], len(STAGE_ORDER)))
        if stage in reached
    }
    recovered = Decimal(recovered)
    contingency = _quantize(Decimal(contingency_rate) * max(recovered, ZERO))
    fixed = _quantize(Decimal(fixed_fee))
    uncapped = fixed + sum(staged.values(), ZERO) + contingency
    total = min(uncapped, _quantize(cap)) if cap is not None else uncapped
    return FeeBreakdown(
        fixed=fixed,
        staged=staged,
        contingency=contingency,
        recovered=recovered,
        cap=_quantize(cap) if cap is not None else None,
        uncapped=uncapped,
        total=total,
    )


def stages_during(
    *,
    current_stage: str,
    moves: list[tuple[dt.datetime, str, str]],
    started_at: dt.datetime,
    ended_at: dt.datetime | None,
) -> set[str]:
    """The stages a matter was in during [started_at, ended_at or now].

    ``moves`` are the matter's STAGE_CHANGED events as (at, old stage, new stage), oldest
    first. The stage at the start is the one the last earlier move led to; with no
    earlier move, the stage the first later move left (or the current stage if it never
    moved).
    """
    before = [move for move in moves if move[0] <= started_at]
    after = [move for move in moves if move[0] > started_at]
    if before:
        start_stage = before[-1][2]
    elif after:
        start_stage = after[0][1]
    else:
        start_stage = current_stage
    reached = {start_stage}
    reached.update(new for at, _old, new in after if ended_at is None or at <= ended_at)
    return reached


# --- One assignment's money -----------------------------------------------------------


@dataclass
class AssignmentFees:
    """An assignment with its arrangement, what it earned, and its invoices' figures."""

    assignment: Assignment
    arrangement: FeeArrangement | None
    stages_reached: set[str]
    breakdown: FeeBreakdown
    invoices: list[FeeInvoice] = field(default_factory=list)

    @property
    def earned(self) -> Decimal:
        return self.breakdown.total

    @property
    def invoiced(self) -> Decimal:
        return sum((i.amount for i in self.invoices if i.status != FeeInvoice.Status.REJECTED), ZERO)

    @property
    def approved(self) -> Decimal:
        approved = (FeeInvoice.Status.APPROVED, FeeInvoice.Status.PAID)
        return sum((i.amount for i in self.invoices if i.status in approved), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((i.paid_amount for i in self.invoices), ZERO)

    @property
    def owed(self) -> Decimal:
        return self.earned - self.paid

    @property
    def invoiceable(self) -> Decimal:
        return max(self.earned - self.invoiced, ZERO)


def assignments_fees(assignments: Iterable[Assignment], *, today: dt.date) -> list[AssignmentFees]:
    """``AssignmentFees`` for each assignment, in order, reading every fact in five queries whatever their number."""
    assignments = list(assignments)
    if not assignments:
        return []
    ids = [a.pk for a in assignments]
    matter_ids = {a.matter_id for a in assignments}
    arrangements = {fa.assignment_id: fa for fa in FeeArrangement.objects.filter(assignment_id__in=ids)}
    invoices = defaultdict(list)
    by_id = {a.pk: a for a in assignments}
    for invoice in (
        FeeInvoice.objects.filter(assignment_id__in=ids)
        .select_related("firm", "decided_by", "submitted_by")
        .prefetch_related(Prefetch("payments", queryset=FeePayment.objects.order_by("paid_on", "id")))
        .order_by("issued_on", "id")
    ):
        invoice.assignment = by_id[invoice.assignment_id]  # and its matter, already loaded
        invoices[invoice.assignment_id].append(invoice)
    moves = defaultdict(list)
    for matter_id, at, old, new in (
        MatterEvent.objects.filter(matter_id__in=matter_ids, kind=EventKind.STAGE_CHANGED)
        .order_by("at", "id")
        .values_list("matter_id", "at", "old", "new")
    ):
        moves[matter_id].append((at, (old or {}).get("stage"), (new or {}).get("stage")))
    recoveries = defaultdict(list)
    for matter_id, received_on, amount in Recovery.objects.filter(matter_id__in=matter_ids).values_list(
        "matter_id", "received_on", "amount"
    ):
        recoveries[matter_id].append((received_on, amount))

    answers = []
    for assignment in assignments:
        arrangement = arrangements.get(assignment.pk)
        reached = stages_during(
            current_stage=assignment.matter.stage,
            moves=moves[assignment.matter_id],
            started_at=assignment.started_at,
            ended_at=assignment.ended_at,
        )
        # The day a matter changes hands belongs to the new firm (as on the dashboard).
        first_day = timezone.localdate(assignment.started_at)
        end = timezone.localdate(assignment.ended_at) if assignment.ended_at else today + dt.timedelta(days=1)
        recovered = sum((amount for day, amount in recoveries[assignment.matter_id] if first_day <= day < end), ZERO)
        breakdown = fee_earned(
            fixed_fee=arrangement.fixed_fee if arrangement else ZERO,
            stage_fees=arrangement.stage_fees if arrangement else {},
            contingency_rate=arrangement.contingency_rate if arrangement else ZERO,
            cap=arrangement.cap if arrangement else None,
            stages_reached=reached,
            recovered=recovered,
        )
        answers.append(AssignmentFees(assignment, arrangement, reached, breakdown, invoices[assignment.pk]))
    return answers


def assignment_fees(assignment: Assignment, *, today: dt.date) -> AssignmentFees:
    """One assignment's arrangement, fee earned and invoice figures (see ``fee_earned`` for the rules)."""
    return assignments_fees([assignment], today=today)[0]


# --- Who may reach what ---------------------------------------------------------------


def _invoices_with_firm() -> QuerySet[FeeInvoice]:
    return FeeInvoice.objects.select_related("firm")


def visible_invoices(user: User) -> QuerySet[FeeInvoice]:
    """Invoices the user may see (``FeeInvoice.visible_to``): a lawyer, their own firm's; others, all."""
    rows = FeeInvoice.objects.select_related("assignment__matter", "firm", "decided_by", "submitted_by")
    return visible_children(user, FeeInvoice, rows) if can(user, "view_fees") else rows.none()


def awaiting_first(invoices: QuerySet[FeeInvoice]) -> QuerySet[FeeInvoice]:
    """Invoices awaiting approval first, then approved ones to pay, then the rest; newest first within each."""
    rank = Case(
        When(status=FeeInvoice.Status.SUBMITTED, then=Value(0)),
        When(status=FeeInvoice.Status.APPROVED, then=Value(1)),
        default=Value(2),
    )
    return invoices.order_by(rank, "-submitted_at", "-id")


# --- Validation -----------------------------------------------------------------------


def _stage_fees(value) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError({"stage_fees": _("Give the fees as a mapping of stage to amount.")})
    cleaned = {}
    for stage, amount in value.items():
        if stage not in Stage.values:
            raise ValidationError({"stage_fees": _("“%(stage)s” is not a stage.") % {"stage": str(stage)[:40]}})
        try:
            cleaned[stage] = money_text(money_input(amount, "stage_fees", allow_zero=True))
        except ValidationError as exc:
            label = Stage(stage).label
            raise ValidationError(
                {"stage_fees": "%s: %s" % (label, " ".join(exc.message_dict["stage_fees"]))}
            ) from None
    return dict(sorted(cleaned.items(), key=lambda item: STAGE_ORDER[item[0]]))


def _rate(value) -> Decimal:
    if isinstance(value, bool):
        raise ValidationError({"contingency_rate": _("Give the rate as a fraction, e.g. 0.08 for 8%.")})
    try:
        rate = Decimal(str(value).strip()) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"contingency_rate": _("Give the rate as a fraction, e.g. 0.08 for 8%.")}) from None
    if not rate.is_finite() or rate < 0 or rate > 1:
        raise ValidationError({"contingency_rate": _("The rate is a fraction between 0 and 1 (0.08 for 8%).")})
    if rate != rate.quantize(RATE_PLACES):
        raise ValidationError({"contingency_rate": _("At most six decimal places.")})
    return rate


def arrangement_json(arrangement: FeeArrangement | None) -> dict | None:
    if arrangement is None:
        return None
    return {
        "fixed_fee": money_text(arrangement.fixed_fee),
        "stage_fees": dict(arrangement.stage_fees),
        "contingency_rate": f"{Decimal(arrangement.contingency_rate).normalize():f}",
        "cap": money_text(arrangement.cap) if arrangement.cap is not None else None,
        "note": arrangement.note,
    }


# --- Services -------------------------------------------------------------------------


@transaction.atomic
def fee_arrangement_set(
    *,
    user: User,
    assignment_id: int,
    fixed_fee: Decimal,
    stage_fees: dict,
    contingency_rate: Decimal,
    cap: Decimal | None = None,
    note: str = "",
) -> FeeArrangement:
    """Create or replace the fee arrangement of an assignment; the old and new terms go to the timeline.

    Amounts are non-negative with at most two places, stages are ``Stage`` values, the
    contingency rate is a fraction from 0 to 1 and a cap, when given, is above zero.
    Counsel and admins only; the fee earned is recomputed from the facts whenever it is read.
    """
    assignment = access_child(
        user, Assignment, assignment_id, action="set_fees", for_update=True, rows=Assignment.objects.select_related("firm")
    )
    matter = assignment.matter
    fixed_fee = money_input(fixed_fee, "fixed_fee", allow_zero=True)
    stage_fees = _stage_fees(stage_fees)
    contingency_rate = _rate(contingency_rate)
    if cap is not None and cap != "":
        cap = money_input(cap, "cap")
    else:
        cap = None
    note = (note or "").strip()

    arrangement = FeeArrangement.objects.filter(assignment=assignment).first()
    old = arrangement_json(arrangement)
    if arrangement is None:
        arrangement = FeeArrangement(assignment=assignment, created_by=user)
    arrangement.fixed_fee = fixed_fee
    arrangement.stage_fees = stage_fees
    arrangement.contingency_rate = contingency_rate
    arrangement.cap = cap
    arrangement.note = note
    arrangement.updated_at = timezone.now()
    if arrangement.pk is None:
        arrangement.save()
    else:
        arrangement.save(update_fields=["fixed_fee", "stage_fees", "contingency_rate", "cap", "note", "updated_at"])
    record_event(
        matter=matter,
        actor=user,
        kind=EventKind.FEE_ARRANGEMENT_SET,
        old=old,
        new={
            "assignment": assignment.pk,
            "firm": assignment.firm.name,
            "firm_id": assignment.firm_id,
            **arrangement_json(arrangement),
        },
        note=note,
    )
    return arrangement


def _invoice_json(invoice: FeeInvoice) -> dict:
    return {
        "invoice": invoice.pk,
        "assignment": invoice.assignment_id,
        "firm": invoice.firm.name,
        "firm_id": invoice.firm_id,
        "number": invoice.number,
        "amount": money_text(invoice.amount),
        "status": invoice.status,
    }


@transaction.atomic
def invoice_submit(
    *,
    user: User,
    assignment_id: int,
    number: str,
    amount: Decimal,
    issued_on: dt.date,
    description: str = "",
) -> FeeInvoice:
    """A firm's invoice for an assignment of its own, also after the assignment ended.

    A lawyer invoices only their own firm's assignments (another firm's answers 404, as
    for matters). The amount is above zero and at most what is invoiceable now (earned
    less what was invoiced and not rejected); the invoice number is unique per firm; an
    invoice is not issued in the future. The assignment's row lock makes two submissions
    queue, so together they cannot exceed what was earned.
    """
    assignment = access_child(
        user,
        Assignment,
        assignment_id,
        action="submit_invoices",
        for_update=True,
        rows=Assignment.objects.select_related("firm"),
    )
    number = (number or "").strip()
    if not number:
        raise ValidationError({"number": _("Give the invoice number.")})
    if len(number) > NUMBER_MAX:
        raise ValidationError({"number": _("At most %(max)s characters.") % {"max": NUMBER_MAX}})
    amount = money_input(amount, "amount")
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": _("An invoice cannot be issued in the future.")})
    if FeeInvoice.objects.filter(firm_id=assignment.firm_id, number=number).exists():
        raise ValidationError({"number": _("Your firm has already submitted an invoice with this number.")})
    fees = assignment_fees(assignment, today=timezone.localdate())
    if amount > fees.invoiceable:
        raise ValidationError(
            {
                "amount": _("This is more than can be invoiced now (%(invoiceable)s); nothing was recorded.")
                % {"invoiceable": money_text(fees.invoiceable)}
            }
        )
    try:
        with transaction.atomic():
            invoice = FeeInvoice.objects.create(
                assignment=assignment,
                firm=assignment.firm,
                number=number,
                amount=amount,
                issued_on=issued_on,
                description=(description or "").strip(),
                submitted_by=user,
            )
    except IntegrityError:
        # Another assignment of the same firm took the number meanwhile.
        raise ValidationError({"number": _("Your firm has already submitted an invoice with this number.")}) from None
    record_event(
        matter=assignment.matter,
        actor=user,
        kind=EventKind.INVOICE_SUBMITTED,
        new={**_invoice_json(invoice), "issued_on": issued_on.isoformat()},
    )
    return invoice


@transaction.atomic
def invoice_decide(*, user: User, invoice_id: int, approve: bool, reason: str = "") -> FeeInvoice:
    """Approve or reject a submitted invoice; a rejection needs a reason, which the firm sees.

    Counsel and admins only. Only an invoice awaiting approval is decided
    (``InvoiceConflict`` otherwise): a decision is not changed afterwards, a rejected
    invoice is replaced by a new one.
    """
    invoice = access_child(
        user, FeeInvoice, invoice_id, action="decide_invoices", for_update=True, rows=_invoices_with_firm()
    )
    reason = (reason or "").strip()
    if invoice.status != FeeInvoice.Status.SUBMITTED:
        raise InvoiceConflict(
            invoice,
            _("This invoice was already decided (%(status)s).") % {"status": invoice.get_status_display()},
        )
    if not approve and not reason:
        raise ValidationError({"reason": _("Say why the invoice is rejected.")})
    old = _invoice_json(invoice)
    invoice.status = FeeInvoice.Status.APPROVED if approve else FeeInvoice.Status.REJECTED
    invoice.decided_by = user
    invoice.decided_at = timezone.now()
    invoice.rejection_reason = "" if approve else reason
    invoice.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
    record_event(
        matter=invoice.assignment.matter,
        actor=user,
        kind=EventKind.INVOICE_DECIDED,
        old=old,
        new=_invoice_json(invoice),
        note=reason,
    )
    return invoice


@transaction.atomic
def invoice_pay(*, user: User, invoice_id: int, amount: Decimal, paid_on: dt.date, reference: str = "") -> FeePayment:
    """Record a payment against an approved invoice; the invoice is paid when the payments reach its amount.

    Counsel and admins only. Only an approved invoice is paid (``InvoiceConflict``
    otherwise); the amount is above zero and at most the unpaid rest. The invoice's row
    lock serialises payments and ``paid_amount`` is added in the database.
    """
    invoice = access_child(
        user, FeeInvoice, invoice_id, action="pay_invoices", for_update=True, rows=_invoices_with_firm()
    )
    if invoice.status != FeeInvoice.Status.APPROVED:
        raise InvoiceConflict(
            invoice,
            _("Only an approved invoice can be paid; this one is “%(status)s”.")
            % {"status": invoice.get_status_display()},
        )
    amount = money_input(amount, "amount")
    rest = invoice.amount - invoice.paid_amount
    if amount > rest:
        raise ValidationError(
            {"amount": _("This is more than is unpaid on the invoice (%(rest)s).") % {"rest": money_text(rest)}}
        )
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("A payment cannot be made in the future.")})
    old = _invoice_json(invoice) | {"paid_amount": money_text(invoice.paid_amount)}
    payment = FeePayment.objects.create(
        invoice=invoice, amount=amount, paid_on=paid_on, reference=(reference or "").strip(), created_by=user
    )
    FeeInvoice.objects.filter(pk=invoice.pk).update(paid_amount=F("paid_amount") + amount)
    invoice.refresh_from_db(fields=["paid_amount"])
    if invoice.paid_amount >= invoice.amount:
        invoice.status = FeeInvoice.Status.PAID
        invoice.save(update_fields=["status"])
    record_event(
        matter=invoice.assignment.matter,
        actor=user,
        kind=EventKind.INVOICE_PAID,
        old=old,
        new=_invoice_json(invoice)
        | {
            "payment": payment.pk,
            "paid": money_text(amount),
            "paid_on": paid_on.isoformat(),
            "paid_amount": money_text(invoice.paid_amount),
        },
        note=payment.reference,
    )
    payment.invoice = invoice
    return payment
