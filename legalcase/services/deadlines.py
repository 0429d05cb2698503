"""The deadline engine's writes: compute, recompute, close and override a matter's deadlines."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import multiprocessing
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from legalcase.access import access_child
from legalcase.compiled import CompiledQuery
from legalcase.events import record_event
from legalcase.jobs import JobReporter, job_create
from legalcase.models import (
    LAPSING_KINDS,
    Cost,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Debt,
    DemandChannel,
    DemandRecord,
    EnforcementAction,
    EventKind,
    Guarantee,
    Hearing,
    Job,
    JobStatus,
    Matter,
    Proceeding,
    Recovery,
    Ruling,
    Settlement,
    User,
    holiday_calendar,
)
from legalcase.notices import domicile_province, newspaper_notice_counts
from legalcase.periods import (
    DEFENCE_PERIOD_RULE,
    DISHONEST_LISTING_GROUNDS,
    EVIDENCE_PERIOD_RULE,
    GUARANTEE_PERIOD_RULE,
    HEARING_RULE,
    ComputedDate,
    HolidayCalendar,
    LimitationEvent,
    SettlementEvent,
    appeal_deadline,
    court_period_end,
    dishonest_listing_end,
    enforcement_application_after_settlements,
    enforcement_application_deadline,
    fee_payment_deadline,
    freeze_expiry,
    freeze_renewal_due,
    guarantee_period_end,
    judgment_effective,
    limitation_expiry,
    performance_end,
    principal_due_on,
    pre_suit_preservation_lapse,
    termination_follow_ups,
)

# --- Deadlines ------------------------------------------------------------------------

# A document no party can appeal takes effect on service (a final judgment or ruling, a
# mediation statement once signed and served) or, for an arbitral award, on the day it
# is made (LEGAL_RULES section 2).
EFFECTIVE_ON_SERVICE_RULE = "ruling.effective_on_service@2023"
AWARD_EFFECTIVE_RULE = "award.effective_on_decision@2017"

# The kinds the engine keeps in step with a matter's facts. A current open row of one
# of these kinds that the facts no longer give (a guarantor removed, a correction that
# makes a judgment final) is superseded on recomputation.
ENGINE_KINDS = frozenset(
    {
        DeadlineKind.LIMITATION,
        DeadlineKind.GUARANTEE_PERIOD,
        DeadlineKind.APPEAL,
        DeadlineKind.JUDGMENT_EFFECTIVE,
        DeadlineKind.PERFORMANCE_END,
        DeadlineKind.ENFORCEMENT_APPLICATION,
        DeadlineKind.FEE_PAYMENT,
        DeadlineKind.PRE_SUIT_PRESERVATION_LAPSE,
        DeadlineKind.FREEZE_EXPIRY,
        DeadlineKind.FREEZE_RENEWAL,
        DeadlineKind.TERMINATION_FOLLOW_UP,
        DeadlineKind.DISHONEST_LISTING_END,
        DeadlineKind.HEARING,
        DeadlineKind.EVIDENCE_PERIOD,
        DeadlineKind.DEFENCE_PERIOD,
    }
)
# The court dates a proceeding's fields give (LEGAL_RULES Part 2 B.4): field, kind, rule.
COURT_DATE_FIELDS = (
    ("evidence_due_on", DeadlineKind.EVIDENCE_PERIOD, EVIDENCE_PERIOD_RULE),
    ("defence_due_on", DeadlineKind.DEFENCE_PERIOD, DEFENCE_PERIOD_RULE),
)
# The kinds of enforcement action that set dates, and the court fees whose notice sets one.
DATED_ACTION_KINDS = (
    *LAPSING_KINDS,
    EnforcementAction.Kind.TERMINATION_CURRENT,
    EnforcementAction.Kind.DISHONEST_LISTING,
)
COURT_FEE_KINDS = (
    Cost.Kind.ACCEPTANCE_FEE,
    Cost.Kind.PRESERVATION_FEE,
    Cost.Kind.ENFORCEMENT_FEE,
    Cost.Kind.ANNOUNCEMENT_FEE,
)
# A 失信 listing's end the court stated (an extension, or a date on the decision).
DISHONEST_LISTING_STATED_RULE = "dishonest_listing.stated@2017"
# Matters per transaction: measured on PostgreSQL (bench/deadlines.py), 2,000 beats 10,000 by
# a quarter, because the planner looks each batch's debts up by index instead of scanning.
RECOMPUTE_BATCH = 2_000
MEMO_LIMIT = 200_000  # results kept by their inputs during one run (a few hundred bytes each)


@dataclass(slots=True)
class RulingFacts:
    """The facts of a confirmed ruling the date chain rests on (the same names as ``Ruling``'s fields)."""

    kind: str
    appealable: bool | None
    served_on: dt.date | None
    decided_on: dt.date | None
    performance_days: int | None


@dataclass(slots=True)
class MatterFacts:
    """What the engine reads of one matter: the debt's dates, demands, guarantees, the ruling."""

    matter_id: int
    debt_start: dt.date  # maturity or acceleration when known, else default
    last_payment_date: dt.date | None = None
    delivered_demands: list[dt.date] = field(default_factory=list)
    guarantees: list[tuple[int, dt.date | None]] = field(default_factory=list)  # (guarantor, agreed end)
    ruling: RulingFacts | None = None  # the latest confirmed one
    fee_notice_on: dt.date | None = None  # the latest court fee notice (open proceeding or cost)
    preservation_on: dt.date | None = None  # the latest pre-suit preservation's measures
    recoveries: list[dt.date] = field(default_factory=list)  # days money came in (part payments)
    acknowledgments: list[dt.date] = field(default_factory=list)  # settlements agreed (the debtor's acknowledgment)
    settlements: list[SettlementEvent] = field(default_factory=list)  # the same settlements, for the 2-year period
    actions: list[ActionFacts] = field(default_factory=list)  # enforcement actions in force
    # The principal debt's due date a guarantee period runs from (``periods.principal_due_on``); None: ``debt_start``.
    guarantee_due: dt.date | None = None
    # The latest open proceeding's court dates: kind -> (stated last day, proceeding id, court name).
    court_dates: dict[str, tuple[dt.date, int, str | None]] = field(default_factory=dict)
    hearings: list[HearingFacts] = field(default_factory=list)  # upcoming hearings


@dataclass(slots=True, frozen=True)
class HearingFacts:
    """An upcoming hearing as its deadline shows it: when, where, before which court."""

    pk: int
    proceeding_id: int
    at: dt.datetime
    place: str
    court: str | None
    revision: int
    updated_at: dt.datetime


@dataclass(slots=True)
class ActionFacts:
    """What the dates of an enforcement action in force rest on (the same names as its fields)."""

    pk: int
    kind: str
    started_on: dt.date
    expires_on: dt.date | None
    expiry_stated: bool
    listing_ground: int | None
    ends_on: dt.date | None


@dataclass
class DeadlineChanges:
    """What a recomputation writes: new rows, rows superseded, rows whose inputs note changed."""

    create: list[Deadline] = field(default_factory=list)
    supersede: list[int] = field(default_factory=list)
    update: list[Deadline] = field(default_factory=list)
    # The matters whose current limitation deadline changes (``Matter.limitation_expires_on``).
    limitation_moved: set[int] = field(default_factory=set)

    def extend(self, other: DeadlineChanges) -> None:
        self.create += other.create
        self.supersede += other.supersede
        self.update += other.update
        self.limitation_moved |= other.limitation_moved


# The current rows as ``deadlines_plan`` compares them (values, not model instances: a
# recomputation of a million matters reads a million of them).
CURRENT_FIELDS = (
    "pk", "matter_id", "kind", "party_id", "due_on", "rule", "verified_calendar",
    "basis_digest", "status", "overridden_at", "computed_on", "enforcement_action_id", "sequence", "hearing_id",
)  # fmt: skip


# The engine's queries for a range of matters, compiled once (legalcase/compiled.py): a
# service recomputes its matter on every call, and Django built the SQL of its
# queries (these, the lock and the current rows) in 20 of the 30 ms a recomputation took.
_MATTERS = CompiledQuery(
    lambda first, last: Matter.objects.filter(pk__range=(first, last)).values_list(
        "pk", "debt_id", "debt__matured_on", "debt__overdue_since", "debt__last_payment_date", "debt__term_ends_on"
    ),
)
# A delivered demand interrupts the debtor's limitation from the day it arrived
# (诉讼时效规定 Art. 8; LEGAL_RULES Part 2, B.3): its delivery date, else its date.
# One made on a guarantor alone is not a demand on the debtor.
_DEMANDS = CompiledQuery(
    lambda first, last: DemandRecord.objects.filter(debt__matter__pk__range=(first, last), delivered=True)
    .filter(Q(party__isnull=True) | Q(party_id=F("debt__debtor_id")))
    .values_list("debt_id", Coalesce("delivered_on", "date"), "channel", "outlet"),
)
_GUARANTEES = CompiledQuery(
    lambda first, last: Guarantee.objects.filter(debt__matter__pk__range=(first, last))
    .order_by("id")
    .values_list("debt_id", "guarantor_id", "guarantee_period_ends_on"),
)
_RULINGS = CompiledQuery(
    lambda first, last: Ruling.objects.filter(matter__id__range=(first, last), confirmed=True)
    .order_by("matter_id", "confirmed_at", "id")
    .values_list("matter_id", *RulingFacts.__dataclass_fields__),
)
_PROCEEDINGS = CompiledQuery(
    lambda first, last: Proceeding.objects.filter(
        Q(fee_notice_received_on__isnull=False, closed_on__isnull=True)
        | Q(kind=Proceeding.Kind.PRE_SUIT_PRESERVATION, measures_taken_on__isnull=False),
        matter__id__range=(first, last),
    )
    .order_by("matter_id", "created_at", "id")
    .values_list("matter_id", "kind", "fee_notice_received_on", "measures_taken_on", "closed_on"),
)
_FEE_NOTICES = CompiledQuery(
    lambda first, last: Cost.objects.filter(
        matter__id__range=(first, last), kind__in=COURT_FEE_KINDS, notice_received_on__isnull=False
    ).values_list("matter_id", "notice_received_on"),
)
# A reversed recovery was no payment; a counter-entry is none either.
_RECOVERIES = CompiledQuery(
    lambda first, last: Recovery.objects.filter(matter__id__range=(first, last), amount__gt=0, reversal__isnull=True)
    .order_by("received_on")
    .values_list("matter_id", "received_on"),
)
_SETTLEMENTS = CompiledQuery(
    lambda first, last: Settlement.objects.filter(matter__id__range=(first, last))
    .exclude(status=Settlement.Status.CANCELLED)
    .annotate(last_due_on=Max("instalments__due_on"))
    .order_by("agreed_on", "id")
    .values_list("matter_id", "agreed_on", "lodged_with_court", "last_due_on"),
)
_ACTIONS = CompiledQuery(
    lambda first, last: EnforcementAction.objects.filter(
        matter__id__range=(first, last), status=EnforcementAction.Status.ACTIVE, kind__in=DATED_ACTION_KINDS
    )
    .order_by("started_on", "id")
    .values_list("matter_id", *ActionFacts.__dataclass_fields__),
)
_COURT_DATES = CompiledQuery(
    lambda first, last: Proceeding.objects.filter(
        Q(evidence_due_on__isnull=False) | Q(defence_due_on__isnull=False),
        matter__id__range=(first, last),
        closed_on__isnull=True,
    )
    .order_by("matter_id", "created_at", "id")
    .values_list("matter_id", "pk", "forum__name", *(name for name, _kind, _rule in COURT_DATE_FIELDS)),
)


def matter_facts(first_id: int, last_id: int) -> dict[int, MatterFacts]:
    """The engine's inputs for the matters with ids from ``first_id`` to ``last_id``, in eleven queries.

    A range rather than a list of ids: a batch of the next N ids is a range, and a
    range filter costs the same for ten matters or ten thousand.
    """
    facts, by_debt = {}, {}
    for matter_id, debt_id, matured_on, overdue_since, last_payment, term_ends_on in _MATTERS.rows(first_id, last_id):
        facts[matter_id] = by_debt[debt_id] = MatterFacts(matter_id, matured_on or overdue_since, last_payment)
        if term_ends_on is not None and matured_on is None:
            facts[matter_id].guarantee_due = principal_due_on(
                matured_on=matured_on, overdue_since=overdue_since, term_ends_on=term_ends_on
            )
    notices: dict[int, list[tuple[dt.date, str]]] = {}
    for debt_id, day, channel, outlet in _DEMANDS.rows(first_id, last_id):
        if channel == DemandChannel.PUBLIC_NOTICE:
            notices.setdefault(debt_id, []).append((day, outlet))
        else:
            by_debt[debt_id].delivered_demands.append(day)
    # A newspaper notice counts only in a national outlet or one of the debtor's province
    # (诉讼时效规定 Art. 8 para 1 (4)): the debtors' addresses are read for those debts only.
    if notices:
        homes = Debt.objects.filter(pk__in=notices).values_list("pk", "debtor__address", "debtor__id_number")
        for debt_id, address, id_number in homes:
            home = domicile_province(address=address, id_number=id_number)
            by_debt[debt_id].delivered_demands += [
                day for day, outlet in notices[debt_id] if newspaper_notice_counts(outlet, home)
            ]
    for debt_id, guarantor_id, agreed in _GUARANTEES.rows(first_id, last_id):
        by_debt[debt_id].guarantees.append((guarantor_id, agreed))
    for matter_id, *values in _RULINGS.rows(first_id, last_id):
        facts[matter_id].ruling = RulingFacts(*values)
    for matter_id, kind, fee_notice_on, measures_on, closed_on in _PROCEEDINGS.rows(first_id, last_id):
        if fee_notice_on and closed_on is None:
            facts[matter_id].fee_notice_on = fee_notice_on
        if kind == Proceeding.Kind.PRE_SUIT_PRESERVATION and measures_on:
            facts[matter_id].preservation_on = measures_on
    for matter_id, notice_on in _FEE_NOTICES.rows(first_id, last_id):
        latest = facts[matter_id].fee_notice_on
        facts[matter_id].fee_notice_on = max(latest, notice_on) if latest else notice_on
    for matter_id, day in _RECOVERIES.rows(first_id, last_id):
        facts[matter_id].recoveries.append(day)
    # A settlement is the debtor's acknowledgment of the debt (民法典 Art. 195 (2)).
    # It also interrupts the 2 years to apply for enforcement; an 执行和解 lodged with the
    # court gives 2 years from its last instalment to resume (LEGAL_RULES Part 2, B.8).
    for matter_id, day, lodged, last_due_on in _SETTLEMENTS.rows(first_id, last_id):
        facts[matter_id].acknowledgments.append(day)
        facts[matter_id].settlements.append(SettlementEvent(day, lodged, last_due_on))
    for matter_id, *values in _ACTIONS.rows(first_id, last_id):
        facts[matter_id].actions.append(ActionFacts(*values))
    # Court dates from open proceedings (the latest proceeding's win) and the hearings
    # still to come (today's included): a past hearing is no deadline to meet.
    for matter_id, pk, court, *days in _COURT_DATES.rows(first_id, last_id):
        for (_name, kind, _rule), day in zip(COURT_DATE_FIELDS, days, strict=True):
            if day is not None:
                facts[matter_id].court_dates[kind] = (day, pk, court)
    today_starts = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time()))
    hearings = Hearing.objects.filter(
        proceeding__matter__id__range=(first_id, last_id), at__gte=today_starts
    ).order_by("at", "id")
    for matter_id, *values in hearings.values_list(
        "proceeding__matter_id", "pk", "proceeding_id", "at", "place", "proceeding__forum__name", "revision", "updated_at"
    ):
        facts[matter_id].hearings.append(HearingFacts(*values))
    return facts


def deadlines_computed(
    facts: MatterFacts, calendar: HolidayCalendar, memo: dict | None = None
) -> dict[tuple[str, int | None], ComputedDate]:
    """Every date the engine gives for one matter, keyed by (kind, party id). Pure.

    ``memo`` (one dict per calendar) keeps results by their inputs: across a portfolio
    many matters share a default day, an agreed guarantee end or a service day, and
    the rules are pure, so each combination is counted once.
    """
    memo = {} if memo is None else memo
    start, payment = facts.debt_start, facts.last_payment_date
    payment = payment if payment and payment > start else None
    key = (
        "limitation",
        start,
        tuple(facts.delivered_demands),
        payment,
        tuple(facts.recoveries),
        tuple(facts.acknowledgments),
    )
    if (limitation := memo.get(key)) is None:
        events = [LimitationEvent(on=day, kind="demand") for day in facts.delivered_demands]
        events += [LimitationEvent(on=day, kind="part_payment") for day in (payment, *facts.recoveries) if day]
        events += [LimitationEvent(on=day, kind="acknowledgment") for day in facts.acknowledgments]
        limitation = memo[key] = limitation_expiry(start=start, events=events, calendar=calendar)
    dates = {(DeadlineKind.LIMITATION, None, None, 0): limitation}
    due = facts.guarantee_due or start
    for guarantor_id, agreed in facts.guarantees:
        key = ("guarantee", due, agreed)
        if (period := memo.get(key)) is None:
            period = memo[key] = guarantee_period_computed(debt_start=due, agreed_end=agreed, calendar=calendar)
        dates[(DeadlineKind.GUARANTEE_PERIOD, guarantor_id, None, 0)] = period
    if (ruling := facts.ruling) is not None:
        key = ("ruling", ruling.kind, ruling.appealable, ruling.served_on, ruling.decided_on, ruling.performance_days)
        if (chain := memo.get(key)) is None:
            chain = memo[key] = ruling_deadlines_computed(ruling, calendar)
        dates.update({(kind, None, None, 0): date for kind, date in chain})
        application = dates.get((DeadlineKind.ENFORCEMENT_APPLICATION, None, None, 0))
        if application is not None and facts.settlements:
            performed_by = dt.date.fromisoformat(application.computed_from["performance_end_on"])
            key = ("enforce_settlement", performed_by, tuple(facts.settlements), tuple(facts.recoveries))
            if (interrupted := memo.get(key)) is None:
                interrupted = memo[key] = enforcement_application_after_settlements(
                    performance_end_on=performed_by,
                    settlements=facts.settlements,
                    payments=facts.recoveries,
                    calendar=calendar,
                )
            dates[(DeadlineKind.ENFORCEMENT_APPLICATION, None, None, 0)] = interrupted
    if facts.fee_notice_on:
        key = ("fee", facts.fee_notice_on)
        if (due := memo.get(key)) is None:
            due = memo[key] = fee_payment_deadline(notice_received_on=facts.fee_notice_on, calendar=calendar)
        dates[(DeadlineKind.FEE_PAYMENT, None, None, 0)] = due
    if facts.preservation_on:
        key = ("preservation", facts.preservation_on)
        if (lapse := memo.get(key)) is None:
            lapse = memo[key] = pre_suit_preservation_lapse(measure_on=facts.preservation_on, calendar=calendar)
        dates[(DeadlineKind.PRE_SUIT_PRESERVATION_LAPSE, None, None, 0)] = lapse
    for action in facts.actions:
        key = ("action", action.kind, action.started_on, action.expires_on, action.expiry_stated,
               action.listing_ground, action.ends_on)  # fmt: skip
        if (action_dates := memo.get(key)) is None:
            action_dates = memo[key] = action_deadlines_computed(action, calendar)
        dates.update({(kind, None, action.pk, sequence): date for kind, sequence, date in action_dates})
    for kind, (day, proceeding_id, court) in facts.court_dates.items():
        dates[(kind, None, None, 0)] = court_date_computed(kind, day, proceeding_id, court, calendar)
    # A hearing's key holds the hearing where an enforcement action's would be (the kind tells them apart).
    for hearing in facts.hearings:
        dates[(DeadlineKind.HEARING, None, hearing.pk, 0)] = hearing_computed(hearing)
    return dates


def court_date_computed(
    kind: str, day: dt.date, proceeding_id: int, court: str | None, calendar: HolidayCalendar
) -> ComputedDate:
    """An evidence or defence period's last day as the court stated it, moved off a rest day (B.4). Pure."""
    name, rule = next((name, rule) for name, k, rule in COURT_DATE_FIELDS if k == kind)
    return court_period_end(
        due_on=day, rule=rule, calendar=calendar, inputs={name: day, "proceeding": proceeding_id, "court": court}
    )


def hearing_computed(hearing: HearingFacts) -> ComputedDate:
    """A hearing as a deadline: its day in Beijing, with the time, place, court and revision it rests on. Pure."""
    at = timezone.localtime(hearing.at)
    return ComputedDate(
        on=at.date(),
        rule=HEARING_RULE,
        verified_calendar=True,
        computed_from={
            "hearing": hearing.pk,
            "proceeding": hearing.proceeding_id,
            "at": at.isoformat(),
            "place": hearing.place or None,
            "court": hearing.court,
            "revision": hearing.revision,
            "updated_at": hearing.updated_at.isoformat(),
        },
    )


def action_deadlines_computed(action: ActionFacts, calendar: HolidayCalendar) -> list[tuple[str, int, ComputedDate]]:
    """The dates an enforcement action in force sets, as (kind, sequence, date) (LEGAL_RULES section 3). Pure.

    A freeze or seizure: its expiry (the court's stated date, else the default by
    property type) and the renewal application 7 days before. 终本: the ten 6-monthly
    checks. 失信: the end of the listing (none for ground 1; the court's date when given).
    """
    if action.kind in LAPSING_KINDS:
        stated = action.expires_on if action.expiry_stated else None
        expiry = freeze_expiry(
            started_on=action.started_on, property_kind=LAPSING_KINDS[action.kind], stated_expiry=stated
        )
        renewal = freeze_renewal_due(expires_on=expiry.on, calendar=calendar)
        return [(DeadlineKind.FREEZE_EXPIRY, 0, expiry), (DeadlineKind.FREEZE_RENEWAL, 0, renewal)]
    if action.kind == EnforcementAction.Kind.TERMINATION_CURRENT:
        checks = termination_follow_ups(terminated_on=action.started_on, calendar=calendar)
        return [(DeadlineKind.TERMINATION_FOLLOW_UP, n, check) for n, check in enumerate(checks, start=1)]
    if action.kind == EnforcementAction.Kind.DISHONEST_LISTING:
        if action.ends_on:
            end = ComputedDate(
                on=action.ends_on,
                rule=DISHONEST_LISTING_STATED_RULE,
                verified_calendar=True,
                computed_from={"listed_on": action.started_on.isoformat(), "stated_end": action.ends_on.isoformat()},
            )
        elif action.listing_ground in DISHONEST_LISTING_GROUNDS:
            end = dishonest_listing_end(listed_on=action.started_on, ground=action.listing_ground)
        else:
            end = None
        return [(DeadlineKind.DISHONEST_LISTING_END, 0, end)] if end else []
    return []


def limitation_computed(*, debt: Debt, delivered_demand_dates, calendar: HolidayCalendar) -> ComputedDate:
    """The debt's limitation date (pure: no queries), given the dates of its delivered demands."""
    facts = MatterFacts(0, debt.matured_on or debt.overdue_since, debt.last_payment_date, list(delivered_demand_dates))
    return deadlines_computed(facts, calendar)[(DeadlineKind.LIMITATION, None, None, 0)]


def guarantee_period_computed(
    *, debt_start: dt.date, agreed_end: dt.date | None, calendar: HolidayCalendar, unclear: bool = False
) -> ComputedDate:
    """A guarantor's guarantee period (pure): ``periods.guarantee_period_end`` from the principal's due date.

    The agreed end only when it is after the due date (民法典 Art. 692 para 2), else 6
    months from it. ``debt_start`` is the due date (``periods.principal_due_on``).
    """
    return guarantee_period_end(due_on=debt_start, agreed_end=agreed_end, calendar=calendar, unclear=unclear)


def ruling_deadlines_computed(
    ruling: RulingFacts | Ruling, calendar: HolidayCalendar
) -> list[tuple[str, ComputedDate]]:
    """The chain of dates a confirmed ruling sets (LEGAL_RULES section 2), as far as its facts go. Pure.

    An appealable judgment or ruling takes effect the day after the appeal period; a
    document no party can appeal takes effect on service, an arbitral award on the day
    it is made. A payment order's effect depends on an objection period these rules do
    not cover: none is computed.
    """
    effective = None
    dates: list[tuple[str, ComputedDate]] = []
    if ruling.appealable and ruling.kind in (Ruling.Kind.JUDGMENT, Ruling.Kind.RULING):
        if ruling.served_on is None:
            return []
        appeal = appeal_deadline(served_on=ruling.served_on, kind=ruling.kind, calendar=calendar)
        effective = judgment_effective(appeal_deadline_on=appeal.on)
        dates += [(DeadlineKind.APPEAL, appeal), (DeadlineKind.JUDGMENT_EFFECTIVE, effective)]
    elif ruling.appealable is False and ruling.kind == Ruling.Kind.ARBITRAL_AWARD:
        if ruling.decided_on is None:
            return []
        effective = ComputedDate(
            on=ruling.decided_on,
            rule=AWARD_EFFECTIVE_RULE,
            verified_calendar=True,
            computed_from={"decided_on": ruling.decided_on.isoformat(), "kind": ruling.kind},
        )
        dates.append((DeadlineKind.JUDGMENT_EFFECTIVE, effective))
    elif ruling.appealable is False and ruling.kind in (
        Ruling.Kind.JUDGMENT,
        Ruling.Kind.RULING,
        Ruling.Kind.MEDIATION,
    ):
        if ruling.served_on is None:
            return []
        effective = ComputedDate(
            on=ruling.served_on,
            rule=EFFECTIVE_ON_SERVICE_RULE,
            verified_calendar=True,
            computed_from={"served_on": ruling.served_on.isoformat(), "kind": ruling.kind},
        )
        dates.append((DeadlineKind.JUDGMENT_EFFECTIVE, effective))
    if effective is None or ruling.performance_days is None:
        return dates
    if ruling.performance_days > 0:
        performance = performance_end(effective_on=effective.on, days=ruling.performance_days, calendar=calendar)
        dates.append((DeadlineKind.PERFORMANCE_END, performance))
        start = performance.on
    else:
        # No period set: the two years run from the day the instrument takes effect (Art. 250).
        start = effective.on
    dates.append(
        (
            DeadlineKind.ENFORCEMENT_APPLICATION,
            enforcement_application_deadline(performance_end_on=start, calendar=calendar),
        )
    )
    return dates


def deadlines_plan(
    facts: MatterFacts, current: list[tuple], calendar: HolidayCalendar, memo: dict | None = None
) -> DeadlineChanges:
    """Compare one matter's computed dates with its current rows (``CURRENT_FIELDS``). Pure.

    A row done or waived is left as decided; an overridden row keeps the lawyer's date
    and only has the rule's date beside it brought up to date; an open row whose date,
    rule or calendar check changed is superseded by a new row, so the history stays.
    """
    changes = DeadlineChanges()
    wanted = deadlines_computed(facts, calendar, memo)
    for (
        pk,
        _matter,
        kind,
        party_id,
        due_on,
        rule,
        verified,
        digest,
        status,
        overridden_at,
        computed_on,
        action_id,
        sequence,
        hearing_id,
    ) in current:
        key = (kind, party_id, hearing_id if kind == DeadlineKind.HEARING else action_id, sequence)
        computed = wanted.pop(key, None)
        if status != DeadlineStatus.OPEN:
            continue
        if computed is None:
            if kind in ENGINE_KINDS:
                changes.supersede.append(pk)
                if kind == DeadlineKind.LIMITATION:
                    changes.limitation_moved.add(facts.matter_id)
        elif overridden_at is not None:
            if (computed_on, digest) != (computed.on, computed.basis_digest):
                changes.update.append(_basis_update(pk, computed.on, computed))
        elif (due_on, rule, verified) != (computed.on, computed.rule, computed.verified_calendar):
            changes.supersede.append(pk)
            wanted[key] = computed
        elif digest != computed.basis_digest:
            changes.update.append(_basis_update(pk, computed_on, computed))
    for (kind, party_id, action_id, sequence), computed in wanted.items():
        if kind == DeadlineKind.LIMITATION:
            changes.limitation_moved.add(facts.matter_id)
        changes.create.append(
            Deadline(
                matter_id=facts.matter_id,
                kind=kind,
                party_id=party_id,
                enforcement_action_id=None if kind == DeadlineKind.HEARING else action_id,
                hearing_id=action_id if kind == DeadlineKind.HEARING else None,
                sequence=sequence,
                due_on=computed.on,
                rule=computed.rule,
                verified_calendar=computed.verified_calendar,
                computed_from=computed.computed_from,
                basis_digest=computed.basis_digest,
            )
        )
    return changes


def _basis_update(pk: int, computed_on: dt.date | None, computed: ComputedDate) -> Deadline:
    return Deadline(
        pk=pk, computed_on=computed_on, computed_from=computed.computed_from, basis_digest=computed.basis_digest
    )


def deadlines_apply(changes: DeadlineChanges) -> None:
    """Write a plan: supersede first, then add and update (callers hold the matters' locks)."""
    now = timezone.now()
    if changes.supersede:
        Deadline.objects.filter(pk__in=changes.supersede).update(superseded_at=now)
    if changes.create:
        for row in changes.create:
            row.created_at = now
        Deadline.objects.bulk_create(changes.create, batch_size=2000)
    if changes.update:
        Deadline.objects.bulk_update(changes.update, ["computed_on", "computed_from", "basis_digest"], batch_size=2000)
    if changes.limitation_moved:
        Matter.objects.filter(pk__in=changes.limitation_moved).sort_columns_refresh()


_LOCK = CompiledQuery(
    lambda first, last: Matter.objects.select_for_update().filter(pk__range=(first, last)).values_list("pk")
)
_CURRENT = CompiledQuery(
    lambda first, last: Deadline.objects.filter(
        matter__id__range=(first, last), superseded_at__isnull=True
    ).values_list(*CURRENT_FIELDS),
)


def _recompute(first_id: int, last_id: int, calendar: HolidayCalendar, memo: dict | None = None) -> DeadlineChanges:
    # Lock the matters so a confirmation or an escalation update waits for this batch.
    _LOCK.rows(first_id, last_id)
    facts = matter_facts(first_id, last_id)
    current: dict[int, list[tuple]] = {matter_id: [] for matter_id in facts}
    for row in _CURRENT.rows(first_id, last_id):
        current[row[1]].append(row)
    changes = DeadlineChanges()
    for matter_id, matter_facts_ in facts.items():
        changes.extend(deadlines_plan(matter_facts_, current[matter_id], calendar, memo))
    deadlines_apply(changes)
    return changes


@transaction.atomic
def matter_deadlines_recompute(*, matter_id: int, calendar: HolidayCalendar | None = None) -> list[Deadline]:
    """Bring one matter's deadlines in step with its facts; return its current rows, soonest first.

    Limitation runs from maturity or acceleration when known, else from default, and
    restarts on each delivered demand and on a part payment after the start (民法典
    Arts. 188, 195; LEGAL_RULES section 2). A guarantee period is the agreed one when it
    ends after the principal debt's due date, else 6 months from that date (民法典 Art.
    692 para 2). The latest confirmed
    ruling gives the appeal, effective, performance and enforcement-application dates.
    """
    if (pending := _deferred.get()) is not None:
        pending.add(matter_id)
    else:
        _recompute(matter_id, matter_id, calendar or holiday_calendar())
    return list(Deadline.objects.filter(matter_id=matter_id, superseded_at__isnull=True).order_by("due_on", "id"))


# The matters whose recomputation ``deadlines_deferred`` put off (None: recompute at once).
_deferred: contextvars.ContextVar[set[int] | None] = contextvars.ContextVar("deadlines_deferred", default=None)


@contextlib.contextmanager
def deadlines_deferred():
    """Put off ``matter_deadlines_recompute`` inside the block; recompute each matter concerned once, at its end.

    For a long run of service calls in one transaction that reads no deadline in
    between (``seed_demo``'s enforcement steps and money side): each service
    recomputes its matter, and most of those recomputations are replaced by the next
    one. Inside the block a recomputation returns the rows as they stand. The end
    brings every matter concerned in step with its facts in batches, as
    ``deadlines_recompute_all`` does, so the current rows are those the services
    would have left. Nothing is recomputed when the block raises (its transaction
    is rolled back). Not nested: an inner block runs inside the outer one's deferral.
    """
    if _deferred.get() is not None:
        yield _deferred.get()
        return
    pending: set[int] = set()
    token = _deferred.set(pending)
    try:
        yield pending
    finally:
        _deferred.reset(token)
    deadlines_recompute_matters(pending)


def deadlines_recompute_matters(matter_ids, *, calendar: HolidayCalendar | None = None) -> dict:
    """Recompute the deadlines of these matters in batches of ids (a batch's range may take in others: harmless)."""
    ids = sorted(set(matter_ids))
    calendar = calendar or holiday_calendar()
    memo: dict = {}
    counts = {"matters": len(ids), "created": 0, "superseded": 0, "updated": 0}
    for start in range(0, len(ids), RECOMPUTE_BATCH):
        chunk = ids[start : start + RECOMPUTE_BATCH]
        with transaction.atomic():
            changes = _recompute(chunk[0], chunk[-1], calendar, memo)
        counts["created"] += len(changes.create)
        counts["superseded"] += len(changes.supersede)
        counts["updated"] += len(changes.update)
    return counts


def deadlines_recompute_all(
    *,
    calendar: HolidayCalendar | None = None,
    batch: int = RECOMPUTE_BATCH,
    processes: int = 1,
    progress=None,
) -> dict:
    """Recompute the deadlines of every matter, a batch per transaction; return what changed.

    Run when the holiday table changes (a new year's schedule makes dates verified or
    moves them) and on demand. Safe to run twice and to stop half-way: every batch is
    complete on its own, and a second run finds nothing to change. With ``processes``
    above 1 the batches are shared among that many forked processes, each with its own
    database connection (``settings.DEADLINE_PROCESSES`` for the job and the command).
    """
    calendar = calendar or holiday_calendar()
    spans = _id_spans(batch)
    total = sum(count for _first, _last, count in spans)
    counts = {"matters": 0, "created": 0, "superseded": 0, "updated": 0}

    def add(done: tuple[int, int, int, int]) -> None:
        for key, value in zip(counts, done, strict=True):
            counts[key] += value
        if progress is not None:
            progress(done=counts["matters"], total=total)

    if processes <= 1 or len(spans) <= 1:
        _worker_start(calendar)
        for span in spans:
            add(_recompute_span(span))
        return counts
    # A child must not share the parent's open connection: close it before forking,
    # so each process opens its own (the parent reopens on its next query).
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(processes, initializer=_child_start, initargs=(calendar,)) as pool:
        for done in pool.imap_unordered(_recompute_span, spans):
            add(done)
    return counts


def _id_spans(batch: int) -> list[tuple[int, int, int]]:
    """The matters' ids cut into (first, last, count) runs of ``batch``."""
    spans, ids = [], []
    for matter_id in Matter.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=20_000):
        ids.append(matter_id)
        if len(ids) == batch:
            spans.append((ids[0], ids[-1], len(ids)))
            ids = []
    if ids:
        spans.append((ids[0], ids[-1], len(ids)))
    return spans


# One calendar and one memo per process of a recomputation.
_worker: dict = {}


def _worker_start(calendar: HolidayCalendar) -> None:
    _worker["calendar"], _worker["memo"] = calendar, {}


def _child_start(calendar: HolidayCalendar) -> None:
    # A forked child never uses, nor closes, a connection object it inherited: the socket
    # is the parent's. Dropping the objects makes the child open its own on first use.
    for connection in connections.all(initialized_only=True):
        connection.connection = None
    _worker_start(calendar)


def _recompute_span(span: tuple[int, int, int]) -> tuple[int, int, int, int]:
    first, last, count = span
    if len(_worker["memo"]) > MEMO_LIMIT:
        _worker["memo"].clear()
    with transaction.atomic():
        changes = _recompute(first, last, _worker["calendar"], _worker["memo"])
    return count, len(changes.create), len(changes.supersede), len(changes.update)


DEADLINES_RECOMPUTE_JOB = "deadlines_recompute"


def deadlines_recompute_start(*, user: User | None) -> Job:
    """Start recomputing every matter's deadlines in the background, unless a run is already waiting.

    Started when an administrator changes the holiday table; the run that is already
    pending will read the new table, so a second one would only repeat it.
    """
    waiting = Job.objects.filter(kind=DEADLINES_RECOMPUTE_JOB, status=JobStatus.PENDING).first()
    if waiting is not None:
        return waiting
    return job_create(kind=DEADLINES_RECOMPUTE_JOB, user=user, payload={}, total=Matter.objects.count())


def deadlines_recompute_run(*, job: Job, report: JobReporter) -> dict:
    """The ``deadlines_recompute`` job's handler; safe to run twice."""
    # The in-process worker lives inside the web server: it does not fork it.
    processes = 1 if settings.JOBS_IN_PROCESS else settings.DEADLINE_PROCESSES
    return deadlines_recompute_all(processes=processes, progress=report)


@transaction.atomic
def deadline_complete(*, user: User, deadline_id: int, status: str, reason: str = "") -> Deadline:
    """Mark a current deadline done or waived, with the reason; recorded on the matter's timeline.

    A deadline of a matter the user may not see answers 404; completing needs the
    role that moves stages (counsel, the assigned firm's lawyers, administrators).
    """
    deadline = access_child(
        user,
        Deadline,
        deadline_id,
        action="move_stage",
        for_update=True,
        rows=Deadline.objects.filter(superseded_at__isnull=True),
    )
    matter = deadline.matter
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
    deadline = access_child(
        user,
        Deadline,
        deadline_id,
        action="move_stage",
        for_update=True,
        rows=Deadline.objects.filter(superseded_at__isnull=True),
    )
    matter = deadline.matter
    if deadline.kind == DeadlineKind.HEARING:
        raise ValidationError({"due_on": _("A hearing's date is the hearing's: move the hearing instead.")})
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
    if deadline.kind == DeadlineKind.LIMITATION:
        Matter.objects.filter(pk=deadline.matter_id).sort_columns_refresh()
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
