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
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
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


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(FEN, rounding=ROUND_HALF_UP)


def _ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def _scoped(rows: QuerySet, matters: QuerySet[Matter], path: str = "matter") -> QuerySet:
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

    done = _scoped(Task.objects.filter(assignee_id__in=ids, status=TaskStatus.DONE), matters).filter(
        done_at__gte=first, done_at__lt=after
    )
    for row in (
        done.order_by()
        .values("assignee_id")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(done_at__date__lte=F("due_on"))))
    ):
        staff = rows[row["assignee_id"]]
        staff.tasks_done, staff.tasks_on_time, staff.tasks_late = row["n"], row["on_time"], row["n"] - row["on_time"]
    overdue = _scoped(Task.objects.filter(assignee_id__in=ids, status=TaskStatus.OPEN, due_on__lt=today), matters)
    for row in overdue.order_by().values("assignee_id").annotate(n=Count("id")):
        rows[row["assignee_id"]].tasks_overdue = row["n"]

    contacts = _scoped(Contact.objects.filter(created_by_id__in=ids, **dated("occurred_on")), matters)
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

    promises = _scoped(Promise.objects.filter(
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

    recovered = _scoped(Recovery.objects.filter(matter__owner_id__in=ids, **dated("received_on")), matters)
    for row in recovered.order_by().values("matter__owner_id").annotate(total=Sum("amount")):
        rows[row["matter__owner_id"]].recovered = _money(row["total"])

    complaints = _scoped(Complaint.objects.filter(matter__owner_id__in=ids, **dated("received_on")), matters)
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
    return _scoped(Recovery.objects.filter(received_on__gte=period.start, received_on__lte=period.end), matters)


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
            kind=kind, key=key, name=names.get(key, ""), recoveries=n, recovered=total, share=_ratio(total, whole)
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
    totals = {row["channel"]: (row["n"], _money(row["total"])) for row in rows}
    order = [*dict.fromkeys([*ContactChannel.values, *DemandChannel.values]), ENFORCEMENT_CHANNEL, NO_CHANNEL]
    return _shares("channel", totals, {}, order)


def recovery_by_strategy(matters: QuerySet[Matter], *, period: Period) -> list[ShareRow]:
    """Recoveries received in the range, summed by the playbook running on the matter that day, else by the
    debtor review's recommendation."""
    running = (
        Plan.objects.filter(matter_id=OuterRef("matter_id"), start_on__lte=OuterRef("received_on"))
        .filter(Q(ended_at__isnull=True) | Q(ended_at__date__gte=OuterRef("received_on")))
        .order_by("-start_on", "-id")
        .values("playbook_version__playbook_id")[:1]
    )
    rows = (
        _in_range(matters, period)
        .annotate(playbook=Subquery(running), recommendation=F("matter__review__recommendation"))
        .order_by()
        .values("playbook", "recommendation")
        .annotate(n=Count("id"), total=Sum("amount"))
    )
    totals: dict[str, tuple[int, Decimal]] = {}
    for row in rows:
        if row["playbook"] is not None:
            key = str(row["playbook"])
        elif row["recommendation"]:
            key = REVIEW_PREFIX + row["recommendation"]
        else:
            key = NO_STRATEGY
        n, total = totals.get(key, (0, ZERO))
        totals[key] = (n + row["n"], total + _money(row["total"]))
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
    costs = _scoped(
        Cost.objects.filter(incurred_on__gte=period.start, incurred_on__lte=period.end).exclude(
            kind=Cost.Kind.LAWYER_FEE
        ),
        matters,
    )
    fees = _scoped(
        FeeInvoice.objects.filter(status__in=FEE_STATUSES, issued_on__gte=period.start, issued_on__lte=period.end),
        matters,
        "assignment__matter",
    )
    overall = CostRow(
        kind="all",
        firm_id=None,
        firm_name="",
        recovered=_money(recoveries.aggregate(total=Sum("amount"))["total"]),
        costs=_money(costs.aggregate(total=Sum("amount"))["total"]),
        fees=_money(fees.aggregate(total=Sum("amount"))["total"]),
    )
    firms: dict[int, CostRow] = {}

    def firm(pk: int) -> CostRow:
        return firms.setdefault(pk, CostRow(kind="firm", firm_id=pk, firm_name=""))

    def by_firm(rows: QuerySet, field: str) -> QuerySet:
        return rows.annotate(held_by=_firm_then(field)).order_by().values("held_by").annotate(t=Sum("amount"))

    for row in by_firm(recoveries, "received_on"):
        if row["held_by"] is not None:
            firm(row["held_by"]).recovered = _money(row["t"])
    for row in by_firm(costs, "incurred_on"):
        if row["held_by"] is not None:
            firm(row["held_by"]).costs = _money(row["t"])
    for row in fees.order_by().values("firm_id").annotate(t=Sum("amount")):
        firm(row["firm_id"]).fees = _money(row["t"])
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
        row.ratio = _ratio(row.costs + row.fees, row.recovered) if row.recovered > 0 else None
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
