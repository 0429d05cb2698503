"""The asset managers' dashboard (issue 9): recoveries, recovery rates, stages, lapsing freezes, firm scorecards.

Every figure is an aggregate query (GROUP BY in the database) over a scope of matters,
``visible_matters(user)`` narrowed by the filters; nothing loops over matters in Python,
so the page stays usable at a million matters (``bench/dashboard.py``). The page, the
API and the Excel exports all read the plain data these functions return.

Definitions (the page shows them as footnotes):

- **Claim total** at escalation: the debt's principal + interest + penalty interest +
  compound interest + late fees + fees (``Debt.claim_total``), summed in SQL.
- **Recovered**: the matter's running totals ``recovered_costs + recovered_interest +
  recovered_principal``, net of reversals.
- **Recovery rate**: recovered / claim total, by portfolio (``Debt.portfolio``; debts
  in none form the "no portfolio" bucket), by creditor (``Debt.creditor``, the current
  holder) and by firm (``Matter.assigned_firm``, the current one; "unassigned" bucket).
  A group with no claim has no rate.
- **Recoveries by month**: ``Recovery.amount`` summed by the month of ``received_on``
  (reversal counter-entries are negative and carry the original's day), for the last
  12 months including the current one; a month with nothing is 0.
- **Lapsing freezes**: enforcement actions in force (status active) of a lapsing kind
  (``LAPSING_KINDS``) with ``expires_on`` in (today, today+30], (today+30, today+60]
  and (today+60, today+90]. Measures already past their expiry are on the lapsing page.
- **Firm scorecards**, over every assignment a firm has held (ended ones too) on the
  matters in scope. An assignment's window runs from the local day of ``started_at``
  up to, not including, the local day of ``ended_at`` (open while current): the day a
  matter changes hands belongs to the new firm. In the window, by these dates:
  - first filing: the earliest ``Proceeding.filed_on`` of a kind leading to litigation
    or arbitration (``PROCEEDING_STAGES``: first instance, small claims, appeal,
    payment order, court-annexed pre-suit mediation, arbitration);
  - judgment: the earliest ``Ruling.decided_on`` of a confirmed judgment, mediation
    statement, arbitral award or payment order;
  - days to filing / judgment: that date less the window's first day, per assignment
    that reached it; median and mean over those assignments;
  - recovered: ``Recovery.amount`` with ``received_on`` in the window, net of
    reversals; rate = that / the claim total of the distinct matters the firm held;
  - asset investigations: ``Asset`` rows by ``found_on``; preservation actions:
    proceedings of kind preservation or pre-suit preservation by ``filed_on`` (the
    day recorded when no filing day is given); enforcement actions, 失信 (dishonest
    listing), 限高 (consumption restriction) and auctions: ``EnforcementAction`` rows
    by ``started_on``.
  - matters: distinct matters ever assigned to the firm, and those assigned now.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    DateField,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from legalcase.access import require, visible_matters
from legalcase.models import (
    PROCEEDING_STAGES,
    Asset,
    Assignment,
    Contact,
    Creditor,
    DashboardSnapshot,
    EnforcementAction,
    LawFirm,
    Matter,
    Portfolio,
    Proceeding,
    Promise,
    PromiseStatus,
    Recovery,
    Role,
    Ruling,
    Stage,
    User,
)
from legalcase.money import RATIO_PLACES, percent_text
from legalcase.services.enforcement import lapsing_actions
from legalcase.services.kpi import (
    DAY_TABLES,
    RANGE_PARTS,
    ROW_TYPES,
    CostRow,
    Period,
    ShareRow,
    StaffRow,
    month_period,
    period_parse,
    days_refresh,
    money_of,
    range_from_days,
    range_part,
    ratio,
    scoped,
)

ZERO = Decimal("0.00")
RATE_PLACES = Decimal("0.0001")
DAY_PLACES = Decimal("0.1")
MONTHS = 12
# (days, low): expires_on in (today + low, today + days].
LAPSING_BANDS = ((30, 0), (60, 30), (90, 60))
# Rows of each lapsing band on the page and in the API; the export and the lapsing page have them all.
LAPSING_ROWS = 20
# A far day standing for "still assigned" at the end of an open window.
OPEN_END = dt.date(9999, 12, 31)

MONEY_SUM = DecimalField(max_digits=20, decimal_places=2)
FILING_KINDS = tuple(
    kind for kind, stage in PROCEEDING_STAGES.items() if stage in (Stage.LITIGATION, Stage.ARBITRATION)
)
JUDGMENT_KINDS = (
    Ruling.Kind.JUDGMENT,
    Ruling.Kind.MEDIATION,
    Ruling.Kind.ARBITRAL_AWARD,
    Ruling.Kind.PAYMENT_ORDER,
)
PRESERVATION_KINDS = (Proceeding.Kind.PRESERVATION, Proceeding.Kind.PRE_SUIT_PRESERVATION)
Kind = EnforcementAction.Kind


def claim_total(prefix: str = "") -> ExpressionWrapper:
    """The claim at escalation of the debt at ``prefix`` (``""`` from a debt, ``"debt__"`` from a matter)."""
    fields = [F(f"{prefix}{name}") for name in ("principal", "interest", "penalty_interest", "compound_interest")]
    fields += [F(f"{prefix}late_fees"), F(f"{prefix}fees")]
    total = fields[0]
    for field in fields[1:]:
        total = total + field
    return ExpressionWrapper(total, output_field=MONEY_SUM)


def recovered_total(prefix: str = "") -> ExpressionWrapper:
    """A matter's running recovered totals, net of reversals."""
    return ExpressionWrapper(
        F(f"{prefix}recovered_costs") + F(f"{prefix}recovered_interest") + F(f"{prefix}recovered_principal"),
        output_field=MONEY_SUM,
    )


def recovery_rate(recovered: Decimal, claim: Decimal) -> Decimal | None:
    """Recovered / claim to four places (0.1234 = 12.34%); none without a claim."""
    return ratio(recovered, claim)


def percent(rate: Decimal | None) -> str:
    """A rate as the page shows it, a percentage with one decimal: 0.2242 -> "22.4%"; "—" without one."""
    return percent_text(rate, RATIO_PLACES)


# --- Scope and filters ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Filters:
    """The dashboard's filters: a portfolio (an id or ``"none"``) and a creditor (an id)."""

    portfolio: int | str | None = None
    creditor: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"portfolio": self.portfolio, "creditor": self.creditor}

    def query(self) -> dict[str, str]:
        return {key: str(value) for key, value in self.as_dict().items() if value is not None}


def filters_parse(*, portfolio: Any = None, creditor: Any = None) -> Filters:
    """The filters from request parameters; an id that names nothing raises ValidationError by field."""
    errors = {}
    portfolio_value: int | str | None = None
    creditor_value: int | None = None
    portfolio = (str(portfolio).strip() if portfolio is not None else "") or None
    creditor = (str(creditor).strip() if creditor is not None else "") or None
    if portfolio == "none":
        portfolio_value = "none"
    elif portfolio is not None:
        if portfolio.isascii() and portfolio.isdigit() and Portfolio.objects.filter(pk=int(portfolio)).exists():
            portfolio_value = int(portfolio)
        else:
            errors["portfolio"] = _("No such portfolio.")
    if creditor is not None:
        if creditor.isascii() and creditor.isdigit() and Creditor.objects.filter(pk=int(creditor)).exists():
            creditor_value = int(creditor)
        else:
            errors["creditor"] = _("No such creditor.")
    if errors:
        raise ValidationError(errors)
    return Filters(portfolio=portfolio_value, creditor=creditor_value)


def filtered(matters: QuerySet[Matter], filters: Filters) -> QuerySet[Matter]:
    if filters.portfolio == "none":
        matters = matters.filter(debt__portfolio__isnull=True)
    elif filters.portfolio is not None:
        matters = matters.filter(debt__portfolio_id=filters.portfolio)
    if filters.creditor is not None:
        matters = matters.filter(debt__creditor_id=filters.creditor)
    return matters


# --- Recoveries by month ----------------------------------------------------------------


@dataclasses.dataclass
class MonthRow:
    month: dt.date  # the first day of the month
    amount: Decimal


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def recoveries_by_month(matters: QuerySet[Matter], *, today: dt.date) -> list[MonthRow]:
    """Net recoveries received in each of the last 12 months, the current one last."""
    first = _month_start(today, MONTHS - 1)
    after = _month_start(today, -1)
    sums = (
        scoped(Recovery.objects.all(), matters)
        .filter(received_on__gte=first, received_on__lt=after)
        .annotate(month=TruncMonth("received_on", output_field=DateField()))
        .order_by()
        .values("month")
        .annotate(total=Sum("amount"))
    )
    by_month = {row["month"]: row["total"] for row in sums}
    months = [_month_start(today, back) for back in range(MONTHS - 1, -1, -1)]
    return [MonthRow(month=month, amount=money_of(by_month.get(month))) for month in months]


# --- Recovery rates and stages ------------------------------------------------------------


@dataclasses.dataclass
class RateRow:
    id: int | None  # None: the "no portfolio" or "unassigned" bucket
    name: str
    matters: int
    claim_total: Decimal
    recovered: Decimal
    rate: Decimal | None

    @property
    def rate_percent(self) -> str:
        return percent(self.rate)


# The four tables over matters (three rates and the stages) read one GROUP BY: a scan of a
# million matters with their debts costs about 3 s on the bench machine, so it is made once.
GROUP_KEYS = ("stage", "debt__portfolio_id", "debt__creditor_id", "assigned_firm_id")
RATE_GROUPS = {
    "portfolio": ("debt__portfolio_id", Portfolio),
    "creditor": ("debt__creditor_id", Creditor),
    "firm": ("assigned_firm_id", LawFirm),
}


def matter_groups(matters: QuerySet[Matter]) -> list[dict[str, Any]]:
    """Matters, claim total and recovered per stage, portfolio, creditor and current firm (a few hundred rows)."""
    return list(
        matters.order_by()
        .values(*GROUP_KEYS)
        .annotate(n=Count("id"), claim=Sum(claim_total("debt__")), recovered=Sum(recovered_total()))
    )


def _rolled_up(groups: list[dict[str, Any]], key: str) -> dict[Any, list]:
    """The groups added up by one key: {value: [matters, claim, recovered]}."""
    totals: dict[Any, list] = defaultdict(lambda: [0, ZERO, ZERO])
    for group in groups:
        total = totals[group[key]]
        total[0] += group["n"]
        total[1] += money_of(group["claim"])
        total[2] += money_of(group["recovered"])
    return totals


def recovery_rates(matters: QuerySet[Matter], *, by: str, groups: list[dict[str, Any]] | None = None) -> list[RateRow]:
    """Recovered / claim total by portfolio, creditor or (current) firm, by name; the bucket without one last.

    ``groups`` is ``matter_groups(matters)`` when the caller has it already.
    """
    key, model = RATE_GROUPS[by]
    totals = _rolled_up(matter_groups(matters) if groups is None else groups, key)
    names = dict(model.objects.filter(pk__in=[pk for pk in totals if pk is not None]).values_list("pk", "name"))
    bucket = _("No portfolio") if by == "portfolio" else _("Unassigned")
    rows = [
        RateRow(
            id=pk,
            name=names.get(pk, "") if pk is not None else bucket,
            matters=n,
            claim_total=claim,
            recovered=recovered,
            rate=recovery_rate(recovered, claim),
        )
        for pk, (n, claim, recovered) in totals.items()
    ]
    rows.sort(key=lambda row: (row.id is None, row.name, row.id or 0))
    return rows


@dataclasses.dataclass
class StageRow:
    stage: str
    label: str
    matters: int
    claim_total: Decimal
    recovered: Decimal


def matters_by_stage(matters: QuerySet[Matter], *, groups: list[dict[str, Any]] | None = None) -> list[StageRow]:
    """Matters, their claim and what was recovered, per stage in the stage table's order (0 where none)."""
    totals = _rolled_up(matter_groups(matters) if groups is None else groups, "stage")
    rows = []
    for stage in Stage:
        n, claim, recovered = totals.get(stage.value, (0, ZERO, ZERO))
        rows.append(
            StageRow(stage=stage.value, label=str(stage.label), matters=n, claim_total=claim, recovered=recovered)
        )
    return rows


# --- Lapsing freezes ------------------------------------------------------------------------


@dataclasses.dataclass
class LapsingRow:
    matter_id: int
    matter_number: str
    debtor_name: str
    kind: str
    kind_label: str
    asset: str
    expires_on: dt.date
    days_left: int


@dataclasses.dataclass
class LapsingBand:
    days: int  # 30, 60 or 90: expires_on in (today + low, today + days]
    low: int
    count: int
    rows: list[LapsingRow]


def _lapsing_row(action: EnforcementAction, today: dt.date) -> LapsingRow:
    return LapsingRow(
        matter_id=action.matter_id,
        matter_number=action.matter.number,
        debtor_name=action.matter.debtor_name,
        kind=action.kind,
        kind_label=str(action.get_kind_display()),
        asset=action.asset.description if action.asset else "",
        expires_on=action.expires_on,
        days_left=(action.expires_on - today).days,
    )


def lapsing_freezes(
    user: User, matters: QuerySet[Matter], *, today: dt.date, limit: int | None = LAPSING_ROWS
) -> list[LapsingBand]:
    """Freezes and seizures in force lapsing in the three 30-day bands after today: counts and rows (soonest first).

    The enforcement service's selector (the lapsing page's) gives the measures in force
    on the user's matters; this narrows it to the scope and the bands. ``limit`` rows a
    band (None: all of them, for the export).
    """
    actions = scoped(lapsing_actions(user, within_days=LAPSING_BANDS[-1][0], today=today), matters).filter(
        expires_on__gt=today
    )
    bands_q = {
        days: Q(expires_on__gt=today + dt.timedelta(days=low), expires_on__lte=today + dt.timedelta(days=days))
        for days, low in LAPSING_BANDS
    }
    counts = actions.order_by().aggregate(**{f"d{days}": Count("id", filter=q) for days, q in bands_q.items()})
    bands = []
    for days, low in LAPSING_BANDS:
        rows = actions.filter(bands_q[days])
        if limit is not None:
            rows = rows[:limit]
        bands.append(
            LapsingBand(days=days, low=low, count=counts[f"d{days}"], rows=[_lapsing_row(a, today) for a in rows])
        )
    return bands


# --- Firm scorecards ----------------------------------------------------------------------


@dataclasses.dataclass
class Scorecard:
    firm_id: int
    firm_name: str
    matters_ever: int = 0
    matters_current: int = 0
    filings: int = 0  # assignments that reached a first filing
    filing_days_median: Decimal | None = None
    filing_days_mean: Decimal | None = None
    judgments: int = 0
    judgment_days_median: Decimal | None = None
    judgment_days_mean: Decimal | None = None
    claim_total: Decimal = ZERO
    recovered: Decimal = ZERO
    rate: Decimal | None = None
    asset_investigations: int = 0
    preservation_actions: int = 0
    enforcement_actions: int = 0
    dishonest_listings: int = 0
    consumption_restrictions: int = 0
    auctions: int = 0
    contacts: int = 0
    promises_kept: int = 0
    promises_broken: int = 0
    recovered_after_contact: Decimal = ZERO

    @property
    def rate_percent(self) -> str:
        return percent(self.rate)


def _window_start(prefix: str = "") -> TruncDate:
    return TruncDate(f"{prefix}started_at")


def _window_end(prefix: str = "") -> Coalesce:
    return Coalesce(TruncDate(f"{prefix}ended_at"), Value(OPEN_END), output_field=DateField())


def _in_window(field: str, prefix: str = "") -> Q:
    """``field`` (a date) falls in the assignment's window; ``prefix`` leads from the rows to the assignment."""
    return Q(**{f"{field}__gte": _window_start(prefix), f"{field}__lt": _window_end(prefix)})


def _median_and_mean(histogram: list[tuple[int, int]]) -> tuple[Decimal | None, Decimal | None]:
    """Median and mean of days given as (days, how many) pairs; the database counted, this walks the counts."""
    total = sum(n for _days, n in histogram)
    if not total:
        return None, None
    ordered = sorted(histogram)
    wanted = [(total - 1) // 2, total // 2]  # the middle one, or the middle two
    found, seen = [], 0
    for days, n in ordered:
        while len(found) < 2 and wanted[len(found)] < seen + n:
            found.append(days)
        seen += n
    median = (Decimal(found[0] + found[1]) / 2).quantize(DAY_PLACES, rounding=ROUND_HALF_UP)
    mean = (Decimal(sum(days * n for days, n in ordered)) / total).quantize(DAY_PLACES, rounding=ROUND_HALF_UP)
    return median, mean


def _days_histogram(assignments: QuerySet[Assignment], first: Subquery) -> dict[int, list[tuple[int, int]]]:
    """Per firm, how many assignments reached ``first`` (a date) after how many days."""
    # No "first is not null" condition: PostgreSQL would run the subquery once more per
    # assignment for it. The assignments that never got there form one row, skipped here.
    rows = (
        assignments.annotate(days=ExpressionWrapper(first - _window_start(), output_field=DurationField()))
        .order_by()
        .values("firm_id", "days")
        .annotate(n=Count("id"))
    )
    histograms: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for row in rows:
        if row["days"] is not None:
            histograms[row["firm_id"]].append((row["days"].days, row["n"]))
    return histograms


def firm_scorecards(matters: QuerySet[Matter], *, firm_id: int | None = None) -> list[Scorecard]:
    """Each firm's record over its assignments on the matters in scope (one firm with ``firm_id``), by name.

    About ten aggregate queries whatever the number of matters; see the module docstring
    for which date places each fact in an assignment's window.
    """
    assignments = scoped(Assignment.objects.all(), matters)
    if firm_id is not None:
        assignments = assignments.filter(firm_id=firm_id)
    cards: dict[int, Scorecard] = {}
    firms = (
        LawFirm.objects.filter(pk=firm_id)
        if firm_id is not None
        else LawFirm.objects.filter(pk__in=assignments.values("firm_id"))
    )
    for firm in firms:
        cards[firm.pk] = Scorecard(firm_id=firm.pk, firm_name=firm.name)
    if not cards:
        return []

    for row in (
        assignments.order_by()
        .values("firm_id")
        .annotate(ever=Count("matter_id", distinct=True), current=Count("id", filter=Q(ended_at__isnull=True)))
    ):
        cards[row["firm_id"]].matters_ever = row["ever"]
        cards[row["firm_id"]].matters_current = row["current"]
    # The claim of each matter once per firm, however often the firm held it.
    earlier = Assignment.objects.filter(
        matter_id=OuterRef("matter_id"), firm_id=OuterRef("firm_id"), pk__lt=OuterRef("pk")
    )
    for row in (
        assignments.filter(~Exists(earlier))
        .order_by()
        .values("firm_id")
        .annotate(claim=Sum(claim_total("matter__debt__")))
    ):
        cards[row["firm_id"]].claim_total = money_of(row["claim"])

    window = Q(filed_on__gte=OuterRef("window_start"), filed_on__lt=OuterRef("window_end"))
    windowed = assignments.annotate(window_start=_window_start(), window_end=_window_end())
    first_filing = Subquery(
        Proceeding.objects.filter(window, matter_id=OuterRef("matter_id"), kind__in=FILING_KINDS)
        .order_by()
        .values("matter_id")
        .annotate(first=Min("filed_on"))
        .values("first")[:1],
        output_field=DateField(),
    )
    first_judgment = Subquery(
        Ruling.objects.filter(
            matter_id=OuterRef("matter_id"),
            confirmed=True,
            kind__in=JUDGMENT_KINDS,
            decided_on__gte=OuterRef("window_start"),
            decided_on__lt=OuterRef("window_end"),
        )
        .order_by()
        .values("matter_id")
        .annotate(first=Min("decided_on"))
        .values("first")[:1],
        output_field=DateField(),
    )
    for histograms, count_field, median_field, mean_field in (
        (_days_histogram(windowed, first_filing), "filings", "filing_days_median", "filing_days_mean"),
        (_days_histogram(windowed, first_judgment), "judgments", "judgment_days_median", "judgment_days_mean"),
    ):
        for firm, histogram in histograms.items():
            median, mean = _median_and_mean(histogram)
            setattr(cards[firm], count_field, sum(n for _days, n in histogram))
            setattr(cards[firm], median_field, median)
            setattr(cards[firm], mean_field, mean)

    # What happened on the firm's matters in its windows: one join per kind of row.
    recovered = scoped(Recovery.objects.all(), matters).filter(
        _in_window("received_on", "matter__assignments__"), **_firm_filter(firm_id)
    )
    for row in recovered.order_by().values("matter__assignments__firm_id").annotate(total=Sum("amount")):
        cards[row["matter__assignments__firm_id"]].recovered = money_of(row["total"])
    assets = scoped(Asset.objects.all(), matters).filter(
        _in_window("found_on", "matter__assignments__"), **_firm_filter(firm_id)
    )
    for row in assets.order_by().values("matter__assignments__firm_id").annotate(n=Count("id")):
        cards[row["matter__assignments__firm_id"]].asset_investigations = row["n"]
    preservations = (
        scoped(Proceeding.objects.filter(kind__in=PRESERVATION_KINDS), matters)
        .annotate(on=Coalesce("filed_on", TruncDate("created_at"), output_field=DateField()))
        .filter(_in_window("on", "matter__assignments__"), **_firm_filter(firm_id))
    )
    for row in preservations.order_by().values("matter__assignments__firm_id").annotate(n=Count("id")):
        cards[row["matter__assignments__firm_id"]].preservation_actions = row["n"]
    actions = scoped(EnforcementAction.objects.all(), matters).filter(
        _in_window("started_on", "matter__assignments__"), **_firm_filter(firm_id)
    )
    for row in (
        actions.order_by()
        .values("matter__assignments__firm_id")
        .annotate(
            n=Count("id"),
            dishonest=Count("id", filter=Q(kind=Kind.DISHONEST_LISTING)),
            restricted=Count("id", filter=Q(kind=Kind.CONSUMPTION_RESTRICTION)),
            auctions=Count("id", filter=Q(kind=Kind.AUCTION)),
        )
    ):
        card = cards[row["matter__assignments__firm_id"]]
        card.enforcement_actions = row["n"]
        card.dishonest_listings = row["dishonest"]
        card.consumption_restrictions = row["restricted"]
        card.auctions = row["auctions"]
    _collection_figures(cards, matters, firm_id)
    for card in cards.values():
        card.rate = recovery_rate(card.recovered, card.claim_total)
    return sorted(cards.values(), key=lambda card: (card.firm_name, card.firm_id))


def _collection_figures(cards: dict[int, Scorecard], matters: QuerySet[Matter], firm_id: int | None) -> None:
    """The collection desk's part of each card: contacts, promises kept and broken, recovered after contact."""
    contacts = scoped(Contact.objects.filter(firm_id__in=list(cards)), matters)
    for row in contacts.order_by().values("firm_id").annotate(n=Count("id")):
        cards[row["firm_id"]].contacts = row["n"]
    promises = scoped(Promise.objects.filter(contact__firm_id__in=list(cards)), matters)
    for row in (
        promises.order_by()
        .values("contact__firm_id")
        .annotate(
            kept=Count("id", filter=Q(status=PromiseStatus.KEPT)),
            broken=Count("id", filter=Q(status=PromiseStatus.BROKEN)),
        )
    ):
        cards[row["contact__firm_id"]].promises_kept = row["kept"]
        cards[row["contact__firm_id"]].promises_broken = row["broken"]
    # One query per firm that recorded contacts (firms, not matters: a few dozen at most).
    recoveries = scoped(Recovery.objects.all(), matters)
    for firm in contacts.order_by().values_list("firm_id", flat=True).distinct():
        after = Contact.objects.filter(
            firm_id=firm, matter_id=OuterRef("matter_id"), occurred_on__lte=OuterRef("received_on")
        )
        total = recoveries.filter(Exists(after)).aggregate(total=Sum("amount"))["total"]
        cards[firm].recovered_after_contact = money_of(total)


@dataclasses.dataclass
class BrokenPromises:
    count: int
    rows: list[Promise]


def broken_promises(matters: QuerySet[Matter], *, limit: int | None = None) -> BrokenPromises:
    """How many promises to pay on these matters are broken, and the latest due of them."""
    rows = scoped(Promise.objects.filter(status=PromiseStatus.BROKEN), matters)
    listed = rows.select_related("matter", "contact__party").order_by("-due_on", "-id")
    return BrokenPromises(count=rows.count(), rows=list(listed[:limit] if limit else listed))


def _firm_filter(firm_id: int | None) -> dict[str, Any]:
    return {"matter__assignments__firm_id": firm_id} if firm_id is not None else {}


# --- The whole dashboard -----------------------------------------------------------------


TABLES = (
    "recoveries_by_month",
    "rates_by_portfolio",
    "rates_by_creditor",
    "rates_by_firm",
    "matters_by_stage",
    "lapsing",
    "scorecards",
    "broken_promises",
    "staff",
    "recovery_by_channel",
    "recovery_by_strategy",
    "cost_to_collect",
)
# The tables over the date range (services.kpi) and the kept part each reads.
RANGE_TABLES = {
    "staff": "staff",
    "recovery_by_channel": "channels",
    "recovery_by_strategy": "strategies",
    "cost_to_collect": "costs",
}
# What an outside lawyer may see: their own firm's scorecard, nothing of other firms.
LAWYER_TABLES = ("scorecards",)


def dashboard_tables(user: User) -> tuple[str, ...]:
    """The tables the user may see (and export); raises 403 for a role without the dashboard."""
    if user.is_authenticated and user.role == Role.LAWYER and user.firm_id is not None:
        return LAWYER_TABLES
    require(user, "view_dashboard")
    return TABLES


@dataclasses.dataclass
class Dashboard:
    today: dt.date
    filters: Filters
    tables: tuple[str, ...]
    # When the oldest of the kept aggregates shown was computed (``DASHBOARD_CACHE_SECONDS``).
    computed_at: dt.datetime | None = None
    recoveries_by_month: list[MonthRow] | None = None
    rates_by_portfolio: list[RateRow] | None = None
    rates_by_creditor: list[RateRow] | None = None
    rates_by_firm: list[RateRow] | None = None
    matters_by_stage: list[StageRow] | None = None
    lapsing: list[LapsingBand] | None = None
    scorecards: list[Scorecard] | None = None
    broken_promises: BrokenPromises | None = None
    # The flow figures' range (services.kpi): staff, channels, strategies, cost to collect.
    period: Period | None = None
    staff: list[StaffRow] | None = None
    recovery_by_channel: list[ShareRow] | None = None
    recovery_by_strategy: list[ShareRow] | None = None
    cost_to_collect: list[CostRow] | None = None


# --- Kept figures ------------------------------------------------------------------------
# Kept in the database (DashboardSnapshot), so that every process and host reads the same
# figures and a restarted one reads them at once instead of computing for seconds.

_SCORECARD_DECIMALS = frozenset(f.name for f in dataclasses.fields(Scorecard) if "Decimal" in str(f.type))


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _dumped(value: list) -> list:
    return [dataclasses.asdict(row) if dataclasses.is_dataclass(row) else row for row in value]


def _loaded(part: str, figures: list) -> list:
    """The rows a part's snapshot holds, as ``compute`` returned them."""
    if part == "months":
        return [MonthRow(month=dt.date.fromisoformat(row["month"]), amount=Decimal(row["amount"])) for row in figures]
    if part == "groups":
        return [{**row, "claim": _decimal(row["claim"]), "recovered": _decimal(row["recovered"])} for row in figures]
    if part in ROW_TYPES:
        return [_row_loaded(ROW_TYPES[part], row) for row in figures]
    return [
        Scorecard(**{name: _decimal(value) if name in _SCORECARD_DECIMALS else value for name, value in row.items()})
        for row in figures
    ]


_DECIMAL_FIELDS = {
    cls: frozenset(f.name for f in dataclasses.fields(cls) if "Decimal" in str(f.type)) for cls in set(ROW_TYPES.values())
}


def _row_loaded(cls: type, row: dict) -> Any:
    return cls(**{name: _decimal(value) if name in _DECIMAL_FIELDS[cls] else value for name, value in row.items()})


def _scope(filters: Filters, period: Period | None = None) -> str:
    """The snapshot's key: the filters, and the range for the parts over one ("creditor=1&from=…&to=…")."""
    query = {**filters.query(), **(period.query() if period is not None else {})}
    return urlencode(sorted(query.items()))


def _snapshot(
    part: str, filters: Filters, today: dt.date, period: Period | None = None
) -> tuple[list, dt.datetime] | None:
    """The kept figures of ``part`` for today, unless older than ``DASHBOARD_CACHE_SECONDS``."""
    young = timezone.now() - dt.timedelta(seconds=settings.DASHBOARD_CACHE_SECONDS)
    row = DashboardSnapshot.objects.filter(
        part=part, scope=_scope(filters, period), day=today, computed_at__gte=young
    ).first()
    return None if row is None else (_loaded(part, row.figures), row.computed_at)


def _computed(
    part: str, filters: Filters, today: dt.date, compute, period: Period | None = None
) -> tuple[list, dt.datetime]:
    """``compute()`` now, kept as the part's snapshot for the scope (and range)."""
    started = time.monotonic()
    value = compute()
    at = timezone.now()
    DashboardSnapshot.objects.update_or_create(
        part=part,
        scope=_scope(filters, period),
        defaults={"day": today, "figures": _dumped(value), "computed_at": at, "seconds": time.monotonic() - started},
    )
    return value, at


def _kept(
    part: str, filters: Filters, today: dt.date, compute, *, fresh: bool, period: Period | None = None
) -> tuple[Any, dt.datetime]:
    """``compute()`` and when it ran, kept for ``DASHBOARD_CACHE_SECONDS`` (0: never kept).

    The aggregates are the same for every user who sees all matters (counsel, managers,
    admins), so one computation serves them all; ``fresh`` computes again and replaces it.
    The parts over a date range are kept per range (``period``).
    """
    if not settings.DASHBOARD_CACHE_SECONDS:
        return compute(), timezone.now()
    kept = None if fresh else _snapshot(part, filters, today, period)
    return kept if kept is not None else _computed(part, filters, today, compute, period)


def _own_scorecard(
    firm_id: int, matters: QuerySet[Matter], filters: Filters, today: dt.date, *, fresh: bool
) -> tuple[list[Scorecard], dt.datetime]:
    """A lawyer's firm's card: its row of the kept all-firms table when there is one, else computed for that firm alone."""
    kept = None if fresh or not settings.DASHBOARD_CACHE_SECONDS else _snapshot("scorecards", filters, today)
    if kept is not None:
        cards, at = kept
        own = [card for card in cards if card.firm_id == firm_id]
        if own:
            return own, at
    # A firm that never held a matter in scope gets its empty card.
    return firm_scorecards(matters, firm_id=firm_id), timezone.now()


def dashboard_figures(
    *,
    user: User,
    filters: Filters | None = None,
    today: dt.date | None = None,
    only: str | None = None,
    lapsing_limit: int | None = LAPSING_ROWS,
    fresh: bool = False,
    period: Period | None = None,
) -> Dashboard:
    """The figures the user may see, for the matters in scope (``only``: just that table).

    Counsel, managers and admins see every table over every matter; an outside lawyer
    sees only their own firm's scorecard, over all of the firm's assignments (ended ones
    too: it is the firm's own record), and nothing of any other firm. The aggregates
    over all matters (months, groups, scorecards) are kept for ``DASHBOARD_CACHE_SECONDS``
    and shared by every user (a lawyer's scorecard is their firm's row of the same
    table); the lapsing list is read live. ``fresh`` computes everything again.
    The staff, channel, strategy and cost tables cover ``period`` (default: this month up to
    today) and are kept per range; the rest are as of today.
    """
    tables = dashboard_tables(user)
    filters = filters or Filters()
    today = today or timezone.localdate()
    period = period or month_period(today)
    wanted = tables if only is None else (only,)
    board = Dashboard(today=today, filters=filters, tables=tables, period=period)
    lawyer = tables == LAWYER_TABLES
    # The roles that see the whole dashboard see every matter, so what is kept is shared.
    matters = filtered(Matter.objects.all() if lawyer else visible_matters(user), filters)
    computed: list[dt.datetime] = []

    def kept(part: str, compute):
        value, at = _kept(part, filters, today, compute, fresh=fresh)
        computed.append(at)
        return value

    if "recoveries_by_month" in wanted:
        board.recoveries_by_month = kept("months", lambda: recoveries_by_month(matters, today=today))
    grouped = {"rates_by_portfolio", "rates_by_creditor", "rates_by_firm", "matters_by_stage"}
    groups = kept("groups", lambda: matter_groups(matters)) if grouped & set(wanted) else []
    for by in ("portfolio", "creditor", "firm"):
        if f"rates_by_{by}" in wanted:
            setattr(board, f"rates_by_{by}", recovery_rates(matters, by=by, groups=groups))
    if "matters_by_stage" in wanted:
        board.matters_by_stage = matters_by_stage(matters, groups=groups)
    if "lapsing" in wanted:
        board.lapsing = lapsing_freezes(user, matters, today=today, limit=lapsing_limit)
    if "broken_promises" in wanted:
        board.broken_promises = broken_promises(matters, limit=lapsing_limit)
    if "scorecards" in wanted and lawyer:
        board.scorecards, at = _own_scorecard(user.firm_id, matters, filters, today, fresh=fresh)
        computed.append(at)
    elif "scorecards" in wanted:
        board.scorecards = kept("scorecards", lambda: firm_scorecards(matters))
    if fresh and settings.DASHBOARD_CACHE_SECONDS and set(RANGE_TABLES) & set(wanted):
        days_refresh(today=today)
    for table, part in RANGE_TABLES.items():
        if table in wanted:
            value, at = _kept(
                part,
                filters,
                today,
                lambda part=part: _range_part(part, matters, filters, period, today),
                fresh=fresh,
                period=period,
            )
            setattr(board, table, value)
            computed.append(at)
    board.computed_at = min(computed) if computed else timezone.now()
    return board


def _range_part(part: str, matters: QuerySet[Matter], filters: Filters, period: Period, today: dt.date) -> list:
    """A table over the range: the channel, strategy and cost tables summed from their day rows when figures are
    kept (``DASHBOARD_CACHE_SECONDS``), else computed from the dated facts; the staff table from the facts."""
    if part in DAY_TABLES and settings.DASHBOARD_CACHE_SECONDS:
        return range_from_days(
            part, period=period, today=today, portfolio=filters.portfolio, creditor=filters.creditor
        )
    return range_part(part, matters, period=period, today=today)


def _parts(matters: QuerySet[Matter], today: dt.date) -> dict[str, Any]:
    return {
        "months": lambda: recoveries_by_month(matters, today=today),
        "groups": lambda: matter_groups(matters),
        "scorecards": lambda: firm_scorecards(matters),
    }


def dashboard_refresh(*, today: dt.date | None = None) -> dict:
    """Compute the kept aggregates again, so that no viewer waits for them (run by the schedule).

    What is refreshed: recoveries by month, the matter groups (rates and stages) and the
    firm scorecards, for every matter and for each filtered view someone opened in the
    last day (its snapshot is there); the tables over a range (staff, channels, strategies,
    cost to collect) for this month over every matter and for each range viewed in the
    last day. Nothing is kept with ``DASHBOARD_CACHE_SECONDS`` at 0.
    """
    if not settings.DASHBOARD_CACHE_SECONDS:
        return {"refreshed": [], "skipped": "DASHBOARD_CACHE_SECONDS is 0"}
    today = today or timezone.localdate()
    since = timezone.now() - dt.timedelta(days=1)
    viewed = DashboardSnapshot.objects.filter(computed_at__gte=since)
    this_month = _scope(Filters(), month_period(today))
    days = days_refresh(today=today)
    refreshed = 0
    for scope in sorted({"", this_month} | set(viewed.values_list("scope", flat=True))):
        query = dict(parse_qsl(scope))
        try:
            filters = filters_parse(portfolio=query.get("portfolio"), creditor=query.get("creditor"))
            period = period_parse(start=query["from"], end=query["to"], today=today) if "from" in query else None
        except (ValidationError, KeyError):  # a portfolio or creditor since removed
            DashboardSnapshot.objects.filter(scope=scope).delete()
            continue
        matters = filtered(Matter.objects.all(), filters)
        if period is None:
            for part, compute in _parts(matters, today).items():
                _computed(part, filters, today, compute)
        else:
            for part in RANGE_PARTS:
                _computed(
                    part, filters, today, lambda part=part: _range_part(part, matters, filters, period, today), period
                )
        refreshed += 1
    parts = [*_parts(Matter.objects.none(), today), *RANGE_PARTS]
    return {"refreshed": parts, "scopes": refreshed, "days": days, "day": today.isoformat()}
