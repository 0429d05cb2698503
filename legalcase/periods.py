"""Counting statutory periods (期间): plain functions, no ORM, each result naming its rule.

LEGAL_RULES.md section 1: the start day is not counted (民事诉讼法 Art. 85, 民法典
Art. 201); a period in months or years ends on the corresponding day, or the month's
last day (民法典 Art. 202); a last day that is a rest day moves to the next working day
(民法典 Art. 203); "at least N days before" deadlines move to the previous working day.
Section 2 gives the limitation chain (民法典 Arts. 188, 195) and the time limits from
service to enforcement; section 3 the freeze periods (民诉法解释 Art. 485).
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property


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

    @cached_property
    def basis_digest(self) -> str:
        return basis_digest(self.computed_from)


def basis_digest(computed_from: dict) -> str:
    """A short digest of what a date rests on: recomputation compares it instead of the JSON."""
    return hashlib.blake2b(_CANONICAL.encode(computed_from).encode(), digest_size=12).hexdigest()


# One encoder for every digest (``json.dumps`` with options builds a new one per call).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


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


# The LPR is fixed on the 20th of each month (LEGAL_RULES B.5, ``lpr.table@2019``).
LPR_PUBLICATION_DAY = 20


def lpr_publication_day(year: int, month: int, calendar: HolidayCalendar) -> tuple[dt.date, bool]:
    """The day the month's LPR is published, and whether the calendar was verified for it.

    LEGAL_RULES B.5: the 20th, or the next ordinary weekday when the 20th is a weekend day
    or a holiday. A 调休 working Saturday is skipped (2021-02-20 was one; the fixing came
    on 2021-02-22), so the day must be both a weekday and not a rest day.
    """
    day = dt.date(year, month, LPR_PUBLICATION_DAY)
    verified = calendar.is_verified(day)
    while day.weekday() >= 5 or calendar.is_rest_day(day):
        day += dt.timedelta(days=1)
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


# --- Rules of LEGAL_RULES sections 1-3 -------------------------------------------------
# Each rule id names the text it applies and the year of that text's version, so that a
# later amendment is a new id and dates already computed keep saying what produced them.

APPEAL_JUDGMENT_RULE = "appeal.judgment@2023"
APPEAL_RULING_RULE = "appeal.ruling@2023"
APPEAL_NO_PRC_DOMICILE_RULE = "appeal.no_prc_domicile@2023"
PUBLIC_NOTICE_SERVICE_RULE = "service.public_notice@2023"
JUDGMENT_EFFECTIVE_RULE = "judgment.effective@2023"
PERFORMANCE_END_RULE = "performance.end@2023"
ENFORCEMENT_APPLICATION_RULE = "enforcement.application@2023"
FEE_PAYMENT_RULE = "fee.payment@2007"
PRE_SUIT_PRESERVATION_RULE = "preservation.pre_suit@2023"
FREEZE_RENEWAL_RULE = "freeze.renewal@2016"
TERMINATION_FOLLOW_UP_RULE = "termination.follow_up@2016"
DISHONEST_LISTING_RULE = "dishonest_listing.term@2017"

APPEAL_DAYS = {"judgment": 15, "ruling": 10}
APPEAL_DAYS_NO_PRC_DOMICILE = 30
PUBLIC_NOTICE_DAYS = 30
FEE_PAYMENT_DAYS = 7
PRE_SUIT_PRESERVATION_DAYS = 30
FREEZE_RENEWAL_DAYS_BEFORE = 7
ENFORCEMENT_APPLICATION_YEARS = 2
TERMINATION_FOLLOW_UP_MONTHS = 6
TERMINATION_FOLLOW_UP_COUNT = 10  # every 6 months for 5 years
DISHONEST_LISTING_YEARS = 2
DISHONEST_LISTING_GROUNDS = range(1, 7)

# 民诉法解释 (2022) Art. 485: the longest single period by kind of property. The 2004
# 查封扣押冻结规定 Art. 29 periods (6 months / 1 year / 2 years) are superseded.
FREEZE_PERIODS = {
    "deposit": (1, "freeze.deposit@2022"),  # bank deposits and payment-platform balances
    "movable": (2, "freeze.movable@2022"),  # vehicles, goods
    "real_estate": (3, "freeze.real_estate@2022"),
    "property_right": (3, "freeze.property_right@2022"),  # equity, shares, receivables
}


def appeal_deadline(
    *, served_on: dt.date, kind: str, foreign_domicile: bool = False, calendar: HolidayCalendar
) -> ComputedDate:
    """The last day to appeal: 15 days from service for a judgment, 10 for an appealable
    ruling (民事诉讼法 Art. 171), 30 for a party with no domicile in the PRC (Art. 286).

    The service day is not counted and a last day on a rest day moves to the next working
    day; a 调休 working weekend day counts as a working day (LEGAL_RULES section 1).
    Whether the document is appealable at all (small claims, second instance, which
    rulings) is decided before calling this; ``kind`` is ``judgment`` or ``ruling``.
    """
    if kind not in APPEAL_DAYS:
        raise ValueError(f"unknown appealable document kind: {kind!r}")
    if foreign_domicile:
        days, rule = APPEAL_DAYS_NO_PRC_DOMICILE, APPEAL_NO_PRC_DOMICILE_RULE
    else:
        days = APPEAL_DAYS[kind]
        rule = APPEAL_JUDGMENT_RULE if kind == "judgment" else APPEAL_RULING_RULE
    inputs = {"served_on": served_on, "kind": kind, "foreign_domicile": foreign_domicile}
    return _counted(served_on, days=days, rule=rule, calendar=calendar, inputs=inputs)


def public_notice_served_on(*, published_on: dt.date) -> ComputedDate:
    """The day a public notice (公告送达) is deemed served: 30 days after publication
    (民事诉讼法 Art. 95), the publication day not counted.

    The 30th day is not moved off a rest day. Art. 85's shift protects a party who must
    act by the last day of a period; nobody acts on the deemed-service day, which only
    starts the periods that follow (answer, appeal), and those shift at their own ends,
    so shifting here would lengthen them twice. Hence no calendar and always verified.
    """
    return ComputedDate(
        on=add_days(published_on, PUBLIC_NOTICE_DAYS),
        rule=PUBLIC_NOTICE_SERVICE_RULE,
        verified_calendar=True,
        computed_from=_iso({"published_on": published_on, "days": PUBLIC_NOTICE_DAYS}),
    )


def judgment_effective(*, appeal_deadline_on: dt.date) -> ComputedDate:
    """The day a judgment or ruling no party appealed takes effect: the day after the
    appeal period ends (民事诉讼法 Art. 158; LEGAL_RULES section 2's worked chain).

    ``appeal_deadline_on`` is the end of the last party's appeal period, already moved
    off rest days. The effective day is a legal fact, not a day to act, so it never
    shifts; whether the appeal deadline itself rested on verified holidays is carried by
    that date's own ``ComputedDate``.
    """
    return ComputedDate(
        on=add_days(appeal_deadline_on, 1),
        rule=JUDGMENT_EFFECTIVE_RULE,
        verified_calendar=True,
        computed_from=_iso({"appeal_deadline_on": appeal_deadline_on}),
    )


def performance_end(*, effective_on: dt.date, days: int, calendar: HolidayCalendar) -> ComputedDate:
    """The last day of the performance period an instrument sets ("于本判决生效之日起十日内"):
    ``days`` after the effective day, that day not counted, moved to the next working day
    when it is a rest day (民事诉讼法 Art. 85; LEGAL_RULES section 2's worked chain).
    """
    if days <= 0:
        raise ValueError("a performance period needs a positive number of days")
    inputs = {"effective_on": effective_on, "days": days}
    return _counted(effective_on, days=days, rule=PERFORMANCE_END_RULE, calendar=calendar, inputs=inputs)


def enforcement_application_deadline(*, performance_end_on: dt.date, calendar: HolidayCalendar) -> ComputedDate:
    """The last day to apply for enforcement (申请执行期间): 2 years from the last day of
    the performance period (民事诉讼法 Art. 250), ending on the corresponding day and
    moved off a rest day. For instalments pass the last instalment's day; with no period
    set, the day the instrument took effect. The period is interrupted and suspended like
    limitation; this gives the uninterrupted date.
    """
    return _counted(
        performance_end_on,
        years=ENFORCEMENT_APPLICATION_YEARS,
        rule=ENFORCEMENT_APPLICATION_RULE,
        calendar=calendar,
        inputs={"performance_end_on": performance_end_on},
    )


ENFORCEMENT_SETTLEMENT_RULE = "enforce.limitation_settlement@2021"


@dataclass(frozen=True)
class SettlementEvent:
    """A settlement as the 2-year period to apply for enforcement sees it (LEGAL_RULES Part 2, B.8)."""

    agreed_on: dt.date
    lodged_with_court: bool = False
    last_due_on: dt.date | None = None


def enforcement_application_after_settlements(
    *,
    performance_end_on: dt.date,
    settlements: Iterable[SettlementEvent],
    payments: Iterable[dt.date],
    calendar: HolidayCalendar,
) -> ComputedDate:
    """The last day to apply for (or resume) enforcement once the parties settled (LEGAL_RULES Part 2, B.8).

    The 2 years from the end of the performance period are interrupted and restart
    when the parties reach a settlement and on each payment made after it, the way
    limitation is (执行程序解释 Art. 20; 民事诉讼法 Art. 250): an event on or before the
    running end restarts 2 years from its day; one after the end revives nothing. For an
    enforcement settlement lodged with the court (执行和解), resuming after a breach is
    due 2 years from the last day of its performance period, its last instalment
    (执行和解规定 Art. 10), when that is later. The conservative computation of B.8.
    """
    settlements = sorted(settlements, key=lambda s: s.agreed_on)
    first = settlements[0].agreed_on if settlements else None
    events = sorted(
        [(s.agreed_on, "settlement") for s in settlements]
        + [(day, "payment") for day in payments if first is not None and day >= first]
    )
    end = _counted(
        performance_end_on,
        years=ENFORCEMENT_APPLICATION_YEARS,
        rule=ENFORCEMENT_SETTLEMENT_RULE,
        calendar=calendar,
        inputs={"performance_end_on": performance_end_on},
    )
    on, verified = end.on, end.verified_calendar
    interruptions, lodged = [], []
    for day, kind in events:
        if day <= performance_end_on:
            continue
        if day > on:
            break
        restarted = period_end(day, years=ENFORCEMENT_APPLICATION_YEARS, calendar=calendar, rule="")
        on, verified = restarted.on, restarted.verified_calendar
        interruptions.append({"on": day.isoformat(), "kind": kind})
    for settlement in settlements:
        # Reached while the period still ran (before it, it is an acknowledgment of the judgment debt only).
        if not settlement.lodged_with_court or settlement.last_due_on is None:
            continue
        if not performance_end_on < settlement.agreed_on:
            continue
        resume = period_end(settlement.last_due_on, years=ENFORCEMENT_APPLICATION_YEARS, calendar=calendar, rule="")
        lodged.append({"agreed_on": settlement.agreed_on.isoformat(), "last_due_on": settlement.last_due_on.isoformat()})
        if resume.on > on:
            on, verified = resume.on, resume.verified_calendar
    return ComputedDate(
        on=on,
        rule=ENFORCEMENT_SETTLEMENT_RULE,
        verified_calendar=verified,
        computed_from={
            "performance_end_on": performance_end_on.isoformat(),
            "interruptions": interruptions,
            "lodged_settlements": lodged,
        },
    )


def fee_payment_deadline(*, notice_received_on: dt.date, calendar: HolidayCalendar) -> ComputedDate:
    """The last day to pay the case acceptance fee: 7 days from the day after the fee
    notice was received (诉讼费用交纳办法 Art. 22), moved off a rest day. Missing it lets
    the court treat the suit as withdrawn.
    """
    return _counted(
        notice_received_on,
        days=FEE_PAYMENT_DAYS,
        rule=FEE_PAYMENT_RULE,
        calendar=calendar,
        inputs={"notice_received_on": notice_received_on},
    )


def pre_suit_preservation_lapse(*, measure_on: dt.date, calendar: HolidayCalendar) -> ComputedDate:
    """The last day to file suit or arbitration after a pre-suit preservation measure: 30
    days from the measure, or the court lifts it (民事诉讼法 Art. 104; 财产保全规定 Art. 17).
    The filing is the applicant's act, so a last day on a rest day moves forward.
    """
    return _counted(
        measure_on,
        days=PRE_SUIT_PRESERVATION_DAYS,
        rule=PRE_SUIT_PRESERVATION_RULE,
        calendar=calendar,
        inputs={"measure_on": measure_on},
    )


def freeze_expiry(
    *, started_on: dt.date, property_kind: str, stated_expiry: dt.date | None = None
) -> ComputedDate:
    """The last day of a freeze, seizure or distraint (民诉法解释 (2022) Art. 485): at most
    1 year for deposits, 2 for movables, 3 for real estate and other property rights.

    The court's stated date wins. Otherwise the day before the start plus the period, the
    way notices write "自2026年3月2日起至2027年3月1日止" (LEGAL_RULES section 3). A court
    measure's expiry never moves off a rest day, so no calendar is involved.
    ``property_kind`` is a key of ``FREEZE_PERIODS``.
    """
    if property_kind not in FREEZE_PERIODS:
        raise ValueError(f"unknown property kind: {property_kind!r}")
    years, rule = FREEZE_PERIODS[property_kind]
    inputs = {"started_on": started_on, "property_kind": property_kind}
    if stated_expiry is not None:
        if stated_expiry < started_on:
            raise ValueError("a stated expiry cannot be before the start")
        on = stated_expiry
        inputs["stated_expiry"] = stated_expiry
    else:
        on = add_months(started_on - dt.timedelta(days=1), 12 * years)
        inputs["years"] = years
    return ComputedDate(on=on, rule=rule, verified_calendar=True, computed_from=_iso(inputs))


def freeze_renewal_due(*, expires_on: dt.date, calendar: HolidayCalendar) -> ComputedDate:
    """The last day to apply to renew a freeze: at least 7 days before it expires (财产保全
    规定 Art. 18). On a rest day the deadline moves to the previous working day, since
    moving it later would leave fewer than 7 days (LEGAL_RULES section 1).
    """
    on, verified = shift_backward(add_days(expires_on, -FREEZE_RENEWAL_DAYS_BEFORE), calendar)
    return ComputedDate(
        on=on,
        rule=FREEZE_RENEWAL_RULE,
        verified_calendar=verified,
        computed_from=_iso({"expires_on": expires_on, "days_before": FREEZE_RENEWAL_DAYS_BEFORE}),
    )


def termination_follow_ups(*, terminated_on: dt.date, calendar: HolidayCalendar) -> list[ComputedDate]:
    """The ten asset re-checks after a 终本 ruling: every 6 months for 5 years from the
    ruling (《关于严格规范终结本次执行程序的规定（试行）》Art. 9), each on the
    corresponding day and moved to the next working day. They are reminders to follow the
    court's search; the creditor may ask to resume at any time, not bound by the 2 years.
    """
    months = [TERMINATION_FOLLOW_UP_MONTHS * n for n in range(1, TERMINATION_FOLLOW_UP_COUNT + 1)]
    return [
        _counted(
            terminated_on,
            months=m,
            rule=TERMINATION_FOLLOW_UP_RULE,
            calendar=calendar,
            inputs={"terminated_on": terminated_on, "months": m},
        )
        for m in months
    ]


def dishonest_listing_end(*, listed_on: dt.date, ground: int) -> ComputedDate | None:
    """The end of a listing as a dishonest judgment debtor (失信被执行人): 2 years for
    grounds (2)-(6) of Art. 1 of 《关于公布失信被执行人名单信息的若干规定》(2017) (Art. 2);
    for ground (1), able but refusing to perform, no fixed term (None): the listing ends on
    performance (Art. 10). The court may extend the 2 years by 1-3 years for serious
    violent or threatening obstruction or several grounds (Art. 2), so a recorded
    extension overrides this date. Counted as a period (民法典 Art. 202) and never shifted:
    it is the court's measure.
    """
    if ground not in DISHONEST_LISTING_GROUNDS:
        raise ValueError(f"unknown dishonest-listing ground: {ground!r} (1-6)")
    if ground == 1:
        return None
    return ComputedDate(
        on=add_months(listed_on, 12 * DISHONEST_LISTING_YEARS),
        rule=DISHONEST_LISTING_RULE,
        verified_calendar=True,
        computed_from=_iso({"listed_on": listed_on, "ground": ground, "years": DISHONEST_LISTING_YEARS}),
    )


GUARANTEE_PERIOD_RULE = "guarantee_period@2021"
GUARANTEE_DEFAULT_MONTHS = 6


def principal_due_on(
    *, matured_on: dt.date | None, overdue_since: dt.date, term_ends_on: dt.date | None = None
) -> dt.date:
    """The day the principal debt's performance period ends, from which a guarantee period runs (民法典 Art. 692).

    Maturity or acceleration when known (``matured_on``); else the agreed term's end,
    unless an instalment fell overdue before it: then that default, the earliest
    period (LEGAL_RULES Part 2, B.1 item 6, conservative); else the default.
    """
    if matured_on is not None:
        return matured_on
    if term_ends_on is not None:
        return min(term_ends_on, overdue_since)
    return overdue_since


def guarantee_period_end(
    *, due_on: dt.date, agreed_end: dt.date | None, calendar: HolidayCalendar, unclear: bool = False
) -> ComputedDate:
    """The last day of a guarantee period (保证期间), 民法典 Art. 692 (LEGAL_RULES Part 2, B.1).

    An agreed end applies only if it falls after the principal debt's due date
    (``due_on``); one on or before it counts as no agreement (Art. 692 para 2: 视为没有
    约定), and so does an unclear agreement such as "直至主债务本息还清时为止" (担保解释
    Art. 32; ``unclear``). Without an agreement the period is 6 months from the due date:
    the due date not counted (Art. 201), the corresponding day or the month's last day
    (Art. 202), a last day on a rest day moved to the next working day (Arts. 203, 204).
    ``computed_from`` says which case applied: ``agreed``, ``no_agreement``,
    ``agreed_not_after_due`` or ``unclear``.
    """
    if agreed_end is not None and agreed_end > due_on and not unclear:
        return ComputedDate(
            on=agreed_end,
            rule=GUARANTEE_PERIOD_RULE,
            verified_calendar=True,
            computed_from={"agreed": agreed_end.isoformat(), "due_on": due_on.isoformat(), "basis": "agreed"},
        )
    if unclear:
        basis = "unclear"
    elif agreed_end is not None:
        basis = "agreed_not_after_due"  # 视为没有约定
    else:
        basis = "no_agreement"
    inputs = {"due_on": due_on, "months": GUARANTEE_DEFAULT_MONTHS, "basis": basis}
    if agreed_end is not None:
        inputs["agreed"] = agreed_end
    return _counted(due_on, months=GUARANTEE_DEFAULT_MONTHS, rule=GUARANTEE_PERIOD_RULE, calendar=calendar, inputs=inputs)


def _counted(
    start: dt.date,
    *,
    rule: str,
    calendar: HolidayCalendar,
    inputs: dict,
    days: int = 0,
    months: int = 0,
    years: int = 0,
) -> ComputedDate:
    """``period_end`` with ``computed_from`` naming the caller's inputs instead of "start"."""
    computed = period_end(start, calendar=calendar, rule=rule, days=days, months=months, years=years)
    return replace(computed, computed_from=_iso(inputs))


def _iso(inputs: dict) -> dict:
    return {name: value.isoformat() if isinstance(value, dt.date) else value for name, value in inputs.items()}


# --- Dates court notices set (LEGAL_RULES Part 2 B.4, ``court.*@2024``) ------------------

EVIDENCE_PERIOD_RULE = "court.evidence_period@2024"
DEFENCE_PERIOD_RULE = "court.defence_period@2024"
HEARING_RULE = "court.hearing@2024"
DEFENCE_DAYS = 15  # 民诉法 Art. 128: 答辩 within 15 days of receiving the complaint copy
DEFENCE_DAYS_NO_PRC_DOMICILE = 30  # 民诉法 Art. 285
SUMMONS_CLEAR_DAYS = 3  # 民诉法解释 Art. 227: a summons reaches the party at least 3 days before


def court_period_end(*, due_on: dt.date, rule: str, calendar: HolidayCalendar, inputs: dict) -> ComputedDate:
    """The last day of a period a court's notice states (举证期限, 答辩期), moved off a rest day.

    The act is the party's (a filing), so a last day on a weekend or holiday becomes
    the next working day (LEGAL_RULES section 1, 民事诉讼法 Art. 85).
    """
    on, verified = shift_forward(due_on, calendar)
    return ComputedDate(on=on, rule=rule, verified_calendar=verified, computed_from=_iso(inputs))


def defence_period_end(*, received_on: dt.date, calendar: HolidayCalendar, no_prc_domicile: bool = False) -> ComputedDate:
    """The last day to answer: 15 days (30 without a PRC domicile) after the complaint copy arrives.

    Worked example (B.4): received 2026-02-03, 15 days to 2026-02-18, a rest day: 2026-02-24.
    """
    days = DEFENCE_DAYS_NO_PRC_DOMICILE if no_prc_domicile else DEFENCE_DAYS
    return _counted(
        received_on, days=days, rule=DEFENCE_PERIOD_RULE, calendar=calendar, inputs={"received_on": received_on}
    )


def evidence_period_end(*, received_on: dt.date, days: int, calendar: HolidayCalendar) -> ComputedDate:
    """The last day of an evidence period of ``days`` the 举证通知书 sets, counted from the day after receipt."""
    if days <= 0:
        raise ValueError("an evidence period has at least one day")
    return _counted(
        received_on,
        days=days,
        rule=EVIDENCE_PERIOD_RULE,
        calendar=calendar,
        inputs={"received_on": received_on, "days": days},
    )


def summons_clear_days(*, served_on: dt.date, hearing_on: dt.date) -> int:
    """The clear days between service of a summons and the hearing, both days excluded."""
    return (hearing_on - served_on).days - 1


def summons_late(*, served_on: dt.date | None, hearing_on: dt.date) -> bool:
    """True when a 开庭传票 reached the party fewer than 3 clear days before the hearing (B.4, common reading)."""
    return served_on is not None and summons_clear_days(served_on=served_on, hearing_on=hearing_on) < SUMMONS_CLEAR_DAYS
