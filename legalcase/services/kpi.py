"""What worked (issue 19 item 5): in-house staff KPIs, recovery by channel and by strategy, cost to collect.

Every figure here is a flow over a date range (``Period``, both ends counted), read by
indexed queries over the dated rows in the range (``Recovery.received_on``,
``Contact.occurred_on``, ``Cost.incurred_on``, ``FeeInvoice.issued_on``,
``Promise.due_on``, ``Task.done_at``, ``Complaint.received_on``), grouped in the
database; only "matters owned" and "tasks overdue" are stocks, as of today. The
dashboard (``services.dashboard.dashboard_figures``) keeps these tables like its others,
per scope and range, so the page, the API and the export read one computation.

Definitions (the page shows them as footnotes):

- **Channel** of a recovery (最近触达渠道): recoveries from enforcement or an auction go to
  执行; any other goes to the channel of the latest outbound contact or delivered demand
  on the matter from 30 days before ``received_on`` up to that day (a contact wins a tie
  with a demand of the same day); with neither, 无触达记录.
- **Strategy** of a recovery: the playbook whose plan was running on the matter on
  ``received_on`` (started on or before it, not ended before it); else the debtor
  review's recommendation (``DebtorReview.recommendation``, the review as it stands now:
  it keeps no history); else 未定策略.
- **Cost to collect**: costs (``Cost`` rows incurred in the range, except lawyer fees,
  which reach Fasu as the firms' invoices) plus firm fees (invoices approved or paid,
  by ``issued_on`` in the range), against the recoveries received in the range; the
  ratio is (costs + fees) / recovered, net recovery is recovered - costs - fees. Per
  firm, recoveries and costs fall to the firm assigned on their day (the scorecards'
  windows); what no firm held is 自办 (in house).
- **Staff** (counsel, managers, administrators; never outside lawyers): matters owned
  now; tasks assigned to them done in the range (on time: done on or before the due
  day), and open past due today; contacts they recorded in the range, with the
  conduct-rule overrides and guidance warnings among them; promises on those contacts
  due in the range, kept and broken; recoveries in the range on the matters they own
  now; complaints and disputes received in the range on those matters
  (LEGAL_RULES ``collection.kpi@2011``: never amounts recovered alone).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, Substr, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from legalcase.models import (
    Assignment,
    Complaint,
    ComplaintKind,
    Contact,
    ContactDirection,
    Cost,
    DashboardDay,
    DebtorReview,
    DemandRecord,
    FeeInvoice,
    LawFirm,
    Matter,
    Plan,
    Playbook,
    Promise,
    PromiseStatus,
    Recommendation,
    Recovery,
    RecoverySource,
    Role,
    Task,
    TaskStatus,
    User,
)
from legalcase.models.collection import ContactChannel
from legalcase.models.debts import DemandChannel
from legalcase.money import FEN, RATIO_PLACES, percent_text

ZERO = Decimal("0.00")
RATE_PLACES = Decimal("0.0001")
MONEY_SUM = DecimalField(max_digits=20, decimal_places=2)
# A recovery is put down to a contact or demand at most this many days before it.
CHANNEL_WINDOW_DAYS = 30
STAFF_ROLES = (Role.COUNSEL, Role.MANAGER, Role.ADMIN)
ENFORCEMENT_SOURCES = (RecoverySource.ENFORCEMENT, RecoverySource.AUCTION)
FEE_STATUSES = (FeeInvoice.Status.APPROVED, FeeInvoice.Status.PAID)
# The channel buckets besides the contact and demand channels.
ENFORCEMENT_CHANNEL = "enforcement"
NO_CHANNEL = "none"
NO_STRATEGY = "none"
# A strategy key from the debtor review's recommendation: "review:sue".
REVIEW_PREFIX = "review:"
# A far day standing for "still assigned" at the end of an open assignment.
OPEN_END = dt.date(9999, 12, 31)


def money_of(value: Any) -> Decimal:
    """A sum read from the database as money: none is 0.00, to the fen."""
    return Decimal(value or 0).quantize(FEN, rounding=ROUND_HALF_UP)


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole to four places (0.1234 = 12.34%); none without a whole."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def scoped(rows: QuerySet, matters: QuerySet[Matter], path: str = "matter") -> QuerySet:
    """Rows of the matters in scope; an unfiltered scope (every matter) adds no condition."""
    if not matters.query.has_filters():
        return rows
    return rows.filter(**{f"{path}__in": matters})


# --- The range ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Period:
    """The days the flow figures cover, both ends counted."""

    start: dt.date
    end: dt.date

    def query(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    def as_dict(self) -> dict[str, str]:
        return self.query()

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The range as local midnights: [start 00:00, the day after end 00:00)."""
        zone = timezone.get_current_timezone()
        first = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return first, after


def month_period(today: dt.date) -> Period:
    """The default range: this month, from its first day to today."""
    return Period(start=today.replace(day=1), end=today)


def period_presets(today: dt.date) -> list[tuple[str, Period]]:
    """The page's presets: this month, last month, this year (each up to today at most)."""
    last_end = today.replace(day=1) - dt.timedelta(days=1)
    return [
        ("this_month", month_period(today)),
        ("last_month", Period(start=last_end.replace(day=1), end=last_end)),
        ("this_year", Period(start=today.replace(month=1, day=1), end=today)),
    ]


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(value: Any, field: str, errors: dict) -> dt.date | None:
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    try:
        if ISO_DAY.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    errors[field] = _("Not a date: use YYYY-MM-DD.")
    return None


def period_parse(*, start: Any = None, end: Any = None, today: dt.date) -> Period:
    """The range from request parameters (``from``, ``to``; blank: this month up to today).

    A value that is no date, or an end before the start, raises ValidationError by field
    (``from``, ``to``).
    """
    errors: dict[str, str] = {}
    first, last = _day(start, "from", errors), _day(end, "to", errors)
    if errors:
        raise ValidationError(errors)
    first = first or (last or today).replace(day=1)
    last = last or max(today, first)
    if last < first:
        raise ValidationError({"to": _("The end of the range is before its start.")})
    return Period(start=first, end=last)


# --- Staff ------------------------------------------------------------------------------------


@dataclasses.dataclass
class StaffRow:
    user_id: int
    username: str
    name: str
    role: str
    matters_owned: int = 0
    tasks_done: int = 0
    tasks_on_time: int = 0
    tasks_late: int = 0
    tasks_overdue: int = 0
    contacts: int = 0
    overrides: int = 0
    warnings: int = 0
    promises_kept: int = 0
    promises_broken: int = 0
    recovered: Decimal = ZERO
    complaints: int = 0
    disputes: int = 0


def staff_figures(matters: QuerySet[Matter], *, period: Period, today: dt.date) -> list[StaffRow]:
    """One row per active in-house user (counsel, manager, admin), by name; about eight grouped queries."""
    users = User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("username", "id")
    rows = {
        user.pk: StaffRow(user_id=user.pk, username=user.username, name=user.display_name, role=user.role)
        for user in users
    }
    if not rows:
        return []
    ids = list(rows)
    first, after = period.bounds()
    in_range = {"__gte": period.start, "__lte": period.end}

    def dated(field: str) -> dict[str, dt.date]:
        return {f"{field}{lookup}": day for lookup, day in in_range.items()}

    owned = matters.filter(owner_id__in=ids).order_by().values("owner_id").annotate(n=Count("id"))
    for row in owned:
        rows[row["owner_id"]].matters_owned = row["n"]

    done = scoped(Task.objects.filter(assignee_id__in=ids, status=TaskStatus.DONE), matters).filter(
        done_at__gte=first, done_at__lt=after
    )
    for row in (
        done.order_by()
        .values("assignee_id")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(done_at__date__lte=F("due_on"))))
    ):
        staff = rows[row["assignee_id"]]
        staff.tasks_done, staff.tasks_on_time, staff.tasks_late = row["n"], row["on_time"], row["n"] - row["on_time"]
    overdue = scoped(Task.objects.filter(assignee_id__in=ids, status=TaskStatus.OPEN, due_on__lt=today), matters)
    for row in overdue.order_by().values("assignee_id").annotate(n=Count("id")):
        rows[row["assignee_id"]].tasks_overdue = row["n"]

    contacts = scoped(Contact.objects.filter(created_by_id__in=ids, **dated("occurred_on")), matters)
    for row in (
        contacts.order_by()
        .values("created_by_id")
        .annotate(
            n=Count("id"),
            overrides=Count("id", filter=~Q(override_rule="")),
            warnings=Count("id", filter=~Q(warnings=[])),
        )
    ):
        staff = rows[row["created_by_id"]]
        staff.contacts, staff.overrides, staff.warnings = row["n"], row["overrides"], row["warnings"]

    promises = scoped(Promise.objects.filter(
            contact__created_by_id__in=ids, status__in=(PromiseStatus.KEPT, PromiseStatus.BROKEN), **dated("due_on")
        ), matters)
    for row in (
        promises.order_by()
        .values("contact__created_by_id")
        .annotate(
            kept=Count("id", filter=Q(status=PromiseStatus.KEPT)),
            broken=Count("id", filter=Q(status=PromiseStatus.BROKEN)),
        )
    ):
        staff = rows[row["contact__created_by_id"]]
        staff.promises_kept, staff.promises_broken = row["kept"], row["broken"]

    recovered = scoped(Recovery.objects.filter(matter__owner_id__in=ids, **dated("received_on")), matters)
    for row in recovered.order_by().values("matter__owner_id").annotate(total=Sum("amount")):
        rows[row["matter__owner_id"]].recovered = money_of(row["total"])

    complaints = scoped(Complaint.objects.filter(matter__owner_id__in=ids, **dated("received_on")), matters)
    for row in (
        complaints.order_by()
        .values("matter__owner_id")
        .annotate(
            complaints=Count("id", filter=Q(kind=ComplaintKind.COMPLAINT)),
            disputes=Count("id", filter=Q(kind=ComplaintKind.DISPUTE)),
        )
    ):
        staff = rows[row["matter__owner_id"]]
        staff.complaints, staff.disputes = row["complaints"], row["disputes"]
    return list(rows.values())


# --- Recovery by channel and by strategy --------------------------------------------------------


@dataclasses.dataclass
class ShareRow:
    kind: str  # "channel" or "strategy"
    key: str  # a channel, "enforcement", "none"; a playbook id as text, "none"
    name: str  # a playbook's name; "" for the rest, named in the reader's language
    recoveries: int
    recovered: Decimal
    share: Decimal | None = None  # of everything recovered in the range

    @property
    def label(self) -> str:
        if self.kind == "channel":
            return channel_labels().get(self.key, self.key)
        if self.key.startswith(REVIEW_PREFIX):
            recommendation = self.key[len(REVIEW_PREFIX) :]
            label = dict(Recommendation.choices).get(recommendation, recommendation)
            return _("Review: %(recommendation)s") % {"recommendation": label}
        return self.name if self.key != NO_STRATEGY else pgettext("recovery strategy", "No strategy")

    @property
    def share_percent(self) -> str:
        return percent_text(self.share, RATIO_PLACES)


def channel_labels() -> dict[str, str]:
    labels = {value: str(label) for value, label in DemandChannel.choices}
    labels.update({value: str(label) for value, label in ContactChannel.choices})
    labels[ENFORCEMENT_CHANNEL] = pgettext("recovery channel", "Enforcement")
    labels[NO_CHANNEL] = pgettext("recovery channel", "No contact on record")
    return labels


def _in_range(matters: QuerySet[Matter], period: Period) -> QuerySet[Recovery]:
    return scoped(Recovery.objects.filter(received_on__gte=period.start, received_on__lte=period.end), matters)


def _with_channel(recoveries: QuerySet[Recovery]) -> QuerySet[Recovery]:
    """Each recovery with ``channel``: see the module docstring. One key per source, "YYYY-MM-DD:n:channel"."""
    since = ExpressionWrapper(
        F("received_on") - dt.timedelta(days=CHANNEL_WINDOW_DAYS), output_field=DateField()
    )
    contact = (
        Contact.objects.filter(
            matter_id=OuterRef("matter_id"),
            direction=ContactDirection.OUTBOUND,
            occurred_on__gte=OuterRef("window_start"),
            occurred_on__lte=OuterRef("received_on"),
        )
        .order_by("-occurred_at", "-id")
        .annotate(key=Concat(Cast("occurred_on", CharField()), Value(":1:"), "channel", output_field=CharField()))
        .values("key")[:1]
    )
    delivered_day = Coalesce("delivered_on", "date", output_field=DateField())
    demand = (
        # Through the debt's matter inside the subquery: naming the outer matter's debt made
        # PostgreSQL join every matter to the range's recoveries first.
        DemandRecord.objects.filter(debt__matter=OuterRef("matter_id"), delivered=True)
        .annotate(day=delivered_day)
        .filter(day__gte=OuterRef("window_start"), day__lte=OuterRef("received_on"))
        .order_by("-day", "-id")
        .annotate(key=Concat(Cast("day", CharField()), Value(":0:"), "channel", output_field=CharField()))
        .values("key")[:1]
    )
    latest = Greatest(
        Coalesce(Subquery(contact, output_field=CharField()), Value("")),
        Coalesce(Subquery(demand, output_field=CharField()), Value("")),
        output_field=CharField(),
    )
    return recoveries.annotate(window_start=since, latest=latest).annotate(
        channel=Case(
            When(source__in=ENFORCEMENT_SOURCES, then=Value(ENFORCEMENT_CHANNEL)),
            When(latest="", then=Value(NO_CHANNEL)),
            default=Substr("latest", 14),
            output_field=CharField(),
        )
    )


def _shares(
    kind: str, totals: dict[str, tuple[int, Decimal]], names: dict[str, str], order: list[str]
) -> list[ShareRow]:
    whole = sum((total for _n, total in totals.values()), ZERO)
    rows = [
        ShareRow(
            kind=kind, key=key, name=names.get(key, ""), recoveries=n, recovered=total, share=ratio(total, whole)
        )
        for key, (n, total) in totals.items()
    ]
    rank = {key: index for index, key in enumerate(order)}
    rows.sort(key=lambda row: (rank.get(row.key, len(order)), row.key))
    return rows


def recovery_by_channel(matters: QuerySet[Matter], *, period: Period) -> list[ShareRow]:
    """Recoveries received in the range, summed by the channel they are put down to (net of reversals)."""
    rows = (
        _with_channel(_in_range(matters, period))
        .order_by()
        .values("channel")
        .annotate(n=Count("id"), total=Sum("amount"))
    )
    return _channel_rows({row["channel"]: (row["n"], money_of(row["total"])) for row in rows})


def _channel_rows(totals: dict[str, tuple[int, Decimal]]) -> list[ShareRow]:
    order = [*dict.fromkeys([*ContactChannel.values, *DemandChannel.values]), ENFORCEMENT_CHANNEL, NO_CHANNEL]
    return _shares("channel", totals, {}, order)


def _strategy_key(playbook: int | None, recommendation: str | None) -> str:
    if playbook is not None:
        return str(playbook)
    if recommendation:
        return REVIEW_PREFIX + recommendation
    return NO_STRATEGY


def _with_strategy(recoveries: QuerySet[Recovery]) -> QuerySet[Recovery]:
    """Each recovery with ``playbook`` (running on the matter that day) and the review's ``recommendation``."""
    running = (
        Plan.objects.filter(matter_id=OuterRef("matter_id"), start_on__lte=OuterRef("received_on"))
        .filter(Q(ended_at__isnull=True) | Q(ended_at__date__gte=OuterRef("received_on")))
        .order_by("-start_on", "-id")
        .values("playbook_version__playbook_id")[:1]
    )
    return recoveries.annotate(playbook=Subquery(running), recommendation=F("matter__review__recommendation"))


def recovery_by_strategy(matters: QuerySet[Matter], *, period: Period) -> list[ShareRow]:
    """Recoveries received in the range, summed by the playbook running on the matter that day, else by the
    debtor review's recommendation."""
    rows = (
        _with_strategy(_in_range(matters, period))
        .order_by()
        .values("playbook", "recommendation")
        .annotate(n=Count("id"), total=Sum("amount"))
    )
    totals: dict[str, tuple[int, Decimal]] = {}
    for row in rows:
        key = _strategy_key(row["playbook"], row["recommendation"])
        n, total = totals.get(key, (0, ZERO))
        totals[key] = (n + row["n"], total + money_of(row["total"]))
    return _strategy_rows(totals)


def _strategy_rows(totals: dict[str, tuple[int, Decimal]]) -> list[ShareRow]:
    ids = [int(key) for key in totals if key.isdigit()]
    names = {str(pk): name for pk, name in Playbook.objects.filter(pk__in=ids).values_list("pk", "name")}
    playbooks = sorted((key for key in totals if key.isdigit()), key=lambda key: (names.get(key, ""), key))
    reviews = [REVIEW_PREFIX + value for value in Recommendation.values if REVIEW_PREFIX + value in totals]
    return _shares("strategy", totals, names, [*playbooks, *reviews, NO_STRATEGY])


# --- Cost to collect ------------------------------------------------------------------------------


@dataclasses.dataclass
class CostRow:
    kind: str  # "all", "firm" or "in_house"
    firm_id: int | None
    firm_name: str
    recovered: Decimal = ZERO
    costs: Decimal = ZERO
    fees: Decimal = ZERO
    net: Decimal = ZERO
    ratio: Decimal | None = None  # (costs + fees) / recovered

    @property
    def name(self) -> str:
        if self.kind == "all":
            return _("All matters")
        return self.firm_name if self.kind == "firm" else pgettext("who collected", "In house")

    @property
    def ratio_percent(self) -> str:
        return percent_text(self.ratio, RATIO_PLACES)


def _firm_then(field: str) -> Subquery:
    """The firm assigned to the row's matter on the row's day (``field``); the handover day is the new firm's.

    A subquery per row (the assignments' index on the matter), not a join: a join made
    PostgreSQL hash all 0.7 million assignments for a week's few thousand rows.
    """
    end = Coalesce(TruncDate("ended_at"), Value(OPEN_END), output_field=DateField())
    held = Assignment.objects.annotate(start_day=TruncDate("started_at"), end_day=end).filter(
        matter_id=OuterRef("matter_id"), start_day__lte=OuterRef(field), end_day__gt=OuterRef(field)
    )
    return Subquery(held.order_by("-started_at").values("firm_id")[:1])


def cost_to_collect(matters: QuerySet[Matter], *, period: Period) -> list[CostRow]:
    """Overall first, then each firm with anything in the range (by name), then 自办 (in house)."""
    recoveries = _in_range(matters, period)
    costs = scoped(
        Cost.objects.filter(incurred_on__gte=period.start, incurred_on__lte=period.end).exclude(
            kind=Cost.Kind.LAWYER_FEE
        ),
        matters,
    )
    fees = scoped(
        FeeInvoice.objects.filter(status__in=FEE_STATUSES, issued_on__gte=period.start, issued_on__lte=period.end),
        matters,
        "assignment__matter",
    )
    overall = CostRow(
        kind="all",
        firm_id=None,
        firm_name="",
        recovered=money_of(recoveries.aggregate(total=Sum("amount"))["total"]),
        costs=money_of(costs.aggregate(total=Sum("amount"))["total"]),
        fees=money_of(fees.aggregate(total=Sum("amount"))["total"]),
    )
    firms: dict[int, CostRow] = {}

    def firm(pk: int) -> CostRow:
        return firms.setdefault(pk, CostRow(kind="firm", firm_id=pk, firm_name=""))

    def by_firm(rows: QuerySet, field: str) -> QuerySet:
        return rows.annotate(held_by=_firm_then(field)).order_by().values("held_by").annotate(t=Sum("amount"))

    for row in by_firm(recoveries, "received_on"):
        if row["held_by"] is not None:
            firm(row["held_by"]).recovered = money_of(row["t"])
    for row in by_firm(costs, "incurred_on"):
        if row["held_by"] is not None:
            firm(row["held_by"]).costs = money_of(row["t"])
    for row in fees.order_by().values("firm_id").annotate(t=Sum("amount")):
        firm(row["firm_id"]).fees = money_of(row["t"])
    return _cost_rows(overall, firms)


def _cost_rows(overall: CostRow, firms: dict[int, CostRow]) -> list[CostRow]:
    for pk, name in LawFirm.objects.filter(pk__in=list(firms)).values_list("pk", "name"):
        firms[pk].firm_name = name
    in_house = CostRow(
        kind="in_house",
        firm_id=None,
        firm_name="",
        recovered=overall.recovered - sum((row.recovered for row in firms.values()), ZERO),
        costs=overall.costs - sum((row.costs for row in firms.values()), ZERO),
    )
    rows = [overall, *sorted(firms.values(), key=lambda row: (row.firm_name, row.firm_id)), in_house]
    for row in rows:
        row.net = row.recovered - row.costs - row.fees
        row.ratio = ratio(row.costs + row.fees, row.recovered) if row.recovered > 0 else None
    return rows


# Parts kept per scope and range (``services.dashboard``), and how to compute each.
RANGE_PARTS = {
    "staff": staff_figures,
    "channels": recovery_by_channel,
    "strategies": recovery_by_strategy,
    "costs": cost_to_collect,
}
ROW_TYPES = {"staff": StaffRow, "channels": ShareRow, "strategies": ShareRow, "costs": CostRow}


def range_part(part: str, matters: QuerySet[Matter], *, period: Period, today: dt.date) -> list:
    if part == "staff":
        return staff_figures(matters, period=period, today=today)
    return RANGE_PARTS[part](matters, period=period)


# --- Day rows: the range tables precomputed per day ------------------------------------------------
# A range's channel, strategy and cost tables are sums of ``DashboardDay`` rows, one per day,
# creditor, portfolio and key, so a year reads a few thousand rows instead of every recovery,
# contact, demand, plan and assignment of the year. Days before today are computed once
# (marked by a ``table="day"`` row) and again when facts dated on them arrive
# (``days_refresh``); today and later days are computed at every read.

DAY_TABLES = ("channels", "strategies", "costs")
DAY_MARK = "day"
REFRESH_MARK = "refresh"
REFRESH_DAY = dt.date(1, 1, 1)
REFRESH_OVERLAP = dt.timedelta(minutes=10)
# Serializes the computation of day rows (one lock for every process).
DAYS_LOCK = 41_0001


def _grouped_by_day(rows: QuerySet, day: str, matter: str = "matter") -> QuerySet:
    return rows.order_by().values(
        day_=F(day), creditor_=F(f"{matter}__debt__creditor_id"), portfolio_=F(f"{matter}__debt__portfolio_id")
    )


def _computed_days(start: dt.date, end: dt.date) -> dict[tuple, dict[str, Any]]:
    """The day rows of [start, end] as {(day, table, creditor, portfolio, key): sums}."""
    period = Period(start=start, end=end)
    every = Matter.objects.all()
    sums: dict[tuple, dict[str, Any]] = {}

    def add(row: dict, table: str, key: str, **values: Any) -> None:
        entry = sums.setdefault(
            (row["day_"], table, row["creditor_"], row["portfolio_"] or 0, key),
            {"count": 0, "recovered": ZERO, "costs": ZERO, "fees": ZERO},
        )
        for name, value in values.items():
            entry[name] += value

    recoveries = _in_range(every, period)
    for row in _grouped_by_day(_with_channel(recoveries), "received_on").annotate(
        channel_=F("channel"), n=Count("id"), total=Sum("amount")
    ):
        add(row, "channels", row["channel_"], count=row["n"], recovered=money_of(row["total"]))
    for row in _grouped_by_day(_with_strategy(recoveries), "received_on").annotate(
        playbook_=F("playbook"), recommendation_=F("recommendation"), n=Count("id"), total=Sum("amount")
    ):
        key = _strategy_key(row["playbook_"], row["recommendation_"])
        add(row, "strategies", key, count=row["n"], recovered=money_of(row["total"]))
    for row in _grouped_by_day(recoveries.annotate(held_by=_firm_then("received_on")), "received_on").annotate(
        firm_=F("held_by"), total=Sum("amount")
    ):
        add(row, "costs", str(row["firm_"] or ""), recovered=money_of(row["total"]))
    costs = Cost.objects.filter(incurred_on__gte=start, incurred_on__lte=end).exclude(kind=Cost.Kind.LAWYER_FEE)
    for row in _grouped_by_day(costs.annotate(held_by=_firm_then("incurred_on")), "incurred_on").annotate(
        firm_=F("held_by"), total=Sum("amount")
    ):
        add(row, "costs", str(row["firm_"] or ""), costs=money_of(row["total"]))
    fees = FeeInvoice.objects.filter(status__in=FEE_STATUSES, issued_on__gte=start, issued_on__lte=end)
    for row in _grouped_by_day(fees, "issued_on", "assignment__matter").annotate(
        firm_=F("firm_id"), total=Sum("amount")
    ):
        add(row, "costs", str(row["firm_"]), fees=money_of(row["total"]))
    return sums


def days_compute(start: dt.date, end: dt.date, *, today: dt.date) -> int:
    """Compute the day rows of [start, end] again, replacing what was there; days before today are marked done."""
    at = timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":  # SQLite writes one transaction at a time anyway
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DAYS_LOCK])
        sums = _computed_days(start, end)
        DashboardDay.objects.filter(day__gte=start, day__lte=end).exclude(table=REFRESH_MARK).delete()
        rows = [
            DashboardDay(
                day=day, table=table, creditor_id=creditor, portfolio_id=portfolio, key=key, computed_at=at, **values
            )
            for (day, table, creditor, portfolio, key), values in sums.items()
        ]
        day = start
        while day <= end and day < today:
            rows.append(DashboardDay(day=day, table=DAY_MARK, computed_at=at))
            day += dt.timedelta(days=1)
        DashboardDay.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days as (first, last) runs."""
    runs: list[list[dt.date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][1] == dt.timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(first, last) for first, last in runs]


def days_ready(period: Period, *, today: dt.date) -> None:
    """Compute the range's days that were never computed, and today and later days."""
    last = min(period.end, today - dt.timedelta(days=1))
    if period.start <= last:
        have = set(
            DashboardDay.objects.filter(table=DAY_MARK, day__gte=period.start, day__lte=last).values_list(
                "day", flat=True
            )
        )
        count = (last - period.start).days + 1
        missing = [period.start + dt.timedelta(days=n) for n in range(count)]
        for first, final in _runs([day for day in missing if day not in have]):
            days_compute(first, final, today=today)
    if period.end >= today:
        days_compute(max(period.start, today), period.end, today=today)


def _dirty_days(since: dt.datetime, today: dt.date) -> set[dt.date]:
    """The days whose facts were recorded since ``since`` (late and backdated ones included)."""
    window = dt.timedelta(days=CHANNEL_WINDOW_DAYS)
    days: set[dt.date] = set()

    def spread(first: dt.date) -> None:
        # A contact or demand decides the channel of recoveries up to the window after it.
        day = first
        while day <= min(first + window, today):
            days.add(day)
            day += dt.timedelta(days=1)

    days.update(Recovery.objects.filter(created_at__gte=since).values_list("received_on", flat=True).distinct())
    days.update(Cost.objects.filter(created_at__gte=since).values_list("incurred_on", flat=True).distinct())
    days.update(FeeInvoice.objects.filter(decided_at__gte=since).values_list("issued_on", flat=True).distinct())
    changed = DebtorReview.objects.filter(updated_at__gte=since).values("matter_id")
    days.update(Recovery.objects.filter(matter_id__in=changed).values_list("received_on", flat=True).distinct())
    for first in (
        Contact.objects.filter(created_at__gte=since, direction=ContactDirection.OUTBOUND)
        .values_list("occurred_on", flat=True)
        .distinct()
    ):
        spread(first)
    delivered = Coalesce("delivered_on", "date", output_field=DateField())
    for first in (
        DemandRecord.objects.filter(created_at__gte=since, delivered=True)
        .annotate(day_=delivered)
        .values_list("day_", flat=True)
        .distinct()
    ):
        spread(first)
    return {day for day in days if day < today}


def days_refresh(*, today: dt.date) -> int:
    """Recompute the days touched since the last refresh (run by the schedule); the number of days recomputed."""
    started = timezone.now()
    mark = DashboardDay.objects.filter(table=REFRESH_MARK, day=REFRESH_DAY).first()
    # Before the first refresh: since the first day rows were computed (a read computes them).
    since = mark.computed_at if mark is not None else DashboardDay.objects.aggregate(first=Min("computed_at"))["first"]
    # A fact stamped before the last refresh may have been committed after it read: look back a little more.
    dirty = _dirty_days(since - REFRESH_OVERLAP, today) if since is not None else set()
    # Only days already computed: the rest are computed when first read.
    done = set(DashboardDay.objects.filter(table=DAY_MARK, day__in=dirty).values_list("day", flat=True))
    for first, last in _runs(list(done)):
        days_compute(first, last, today=today)
    DashboardDay.objects.update_or_create(table=REFRESH_MARK, day=REFRESH_DAY, defaults={"computed_at": started})
    return len(done)


def range_from_days(
    part: str, *, period: Period, today: dt.date, portfolio: int | str | None = None, creditor: int | None = None
) -> list:
    """A channel, strategy or cost table over the range, summed from its day rows under the filters."""
    days_ready(period, today=today)
    rows = DashboardDay.objects.filter(table=part, day__gte=period.start, day__lte=period.end)
    if portfolio == "none":
        rows = rows.filter(portfolio_id=0)
    elif portfolio is not None:
        rows = rows.filter(portfolio_id=portfolio)
    if creditor is not None:
        rows = rows.filter(creditor_id=creditor)
    sums = list(
        rows.order_by()
        .values("key")
        .annotate(n=Sum("count"), recovered_=Sum("recovered"), costs_=Sum("costs"), fees_=Sum("fees"))
    )
    if part == "channels":
        return _channel_rows({row["key"]: (row["n"], money_of(row["recovered_"])) for row in sums})
    if part == "strategies":
        return _strategy_rows({row["key"]: (row["n"], money_of(row["recovered_"])) for row in sums})
    overall = CostRow(
        kind="all",
        firm_id=None,
        firm_name="",
        recovered=money_of(sum((row["recovered_"] for row in sums), ZERO)),
        costs=money_of(sum((row["costs_"] for row in sums), ZERO)),
        fees=money_of(sum((row["fees_"] for row in sums), ZERO)),
    )
    firms = {
        int(row["key"]): CostRow(
            kind="firm",
            firm_id=int(row["key"]),
            firm_name="",
            recovered=money_of(row["recovered_"]),
            costs=money_of(row["costs_"]),
            fees=money_of(row["fees_"]),
        )
        for row in sums
        if row["key"]
    }
    return _cost_rows(overall, firms)
