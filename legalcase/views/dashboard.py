"""The asset managers' dashboard page (/dashboard/) and its Excel exports.

Counsel, managers and admins see every table; an outside lawyer sees only their own
firm's scorecard and may export only that (any other table answers 403). The figures
come from ``services.dashboard``; a filter naming nothing is ignored on the page with a
message, and answers 400 on an export; so does a bad date range (``from``, ``to``: the
page says so and shows this month). The page and the exports (one table, or ``all``:
every table the user may see, a sheet each) call the same function with the same
filters and range, so they read the same kept figures. Every export writes an ``AuditEvent``
(``record_audit``) in the same request (个人信息保护法: exports are logged).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET

from legalcase.events import record_audit
from legalcase.exports import XLSX_CONTENT_TYPE, Column, xlsx_bytes, xlsx_workbook_bytes
from legalcase.models import AuditAction, Creditor, Portfolio, Role
from legalcase.services.dashboard import (
    TABLES,
    Dashboard,
    Filters,
    MonthRow,
    dashboard_figures,
    dashboard_tables,
    filters_parse,
)
from legalcase.services.kpi import CHANNEL_WINDOW_DAYS, Period, month_period, period_parse, period_presets

# Each table: its title on the page and in the file, and the Chinese stem of the file name.
TABLE_TITLES = {
    "recoveries_by_month": (gettext_lazy("Recoveries by month"), "回款月度"),
    "rates_by_portfolio": (gettext_lazy("Recovery rate by portfolio"), "回款率_资产包"),
    "rates_by_creditor": (gettext_lazy("Recovery rate by creditor"), "回款率_债权人"),
    "rates_by_firm": (gettext_lazy("Recovery rate by law firm"), "回款率_律所"),
    "matters_by_stage": (gettext_lazy("Matters by stage"), "案件阶段分布"),
    "lapsing": (gettext_lazy("Freezes lapsing within 90 days"), "查封冻结到期"),
    "scorecards": (gettext_lazy("Law firm scorecards"), "律所评分卡"),
    "broken_promises": (gettext_lazy("Broken promises to pay"), "违约还款承诺"),
    "staff": (gettext_lazy("Staff KPIs"), "员工指标"),
    "recovery_by_channel": (gettext_lazy("Recovery by channel"), "渠道回收"),
    "recovery_by_strategy": (gettext_lazy("Recovery by strategy"), "策略回收"),
    "cost_to_collect": (gettext_lazy("Cost to collect"), "催收成本"),
}
# The file of every table the user may see, one sheet each.
ALL_TABLES = "all"
ALL_STEM = "看板"
PRESET_LABELS = {
    "this_month": gettext_lazy("This month"),
    "last_month": gettext_lazy("Last month"),
    "this_year": gettext_lazy("This year"),
}
RANGE_FOOTNOTES = (
    gettext_lazy(
        "The range applies to the tables below (staff, channels, strategies, cost to collect): recoveries, costs, "
        "fees, contacts, promises and tasks done in it, both ends counted. Matters owned and tasks overdue are as "
        "of today, as are the tables above."
    ),
    gettext_lazy(
        "Staff: counsel, asset managers and administrators (never outside lawyers). Tasks done: assigned to them "
        "and done in the range, on time when done by the due day; overdue: open and past due today. Contacts: "
        "recorded by them in the range, with the conduct-rule overrides and guidance warnings among them. "
        "Promises: on their contacts, due in the range. Recovered, complaints and disputes: in the range, on the "
        "matters they own now. Collectors are never judged on amounts recovered alone (collection.kpi@2011)."
    ),
    gettext_lazy(
        "Channel (last contact channel): a recovery from enforcement or an auction counts as enforcement; any "
        "other goes to the channel of the last outbound contact or delivered demand on the matter in the "
        "%(days)s days up to the day it was received (a contact wins a tie with a demand of the same day); with "
        "neither, no contact on record."
    ),
    gettext_lazy(
        "Strategy: the playbook whose plan was running on the matter the day the money was received; else no "
        "strategy."
    ),
    gettext_lazy(
        "Cost to collect: costs incurred in the range (court, preservation, enforcement and other fees; lawyer "
        "fees come in as the firms' invoices) plus firm fees (invoices approved or paid, by invoice date), over "
        "the recoveries received in the range. Net recovery = recovered - costs - fees. Per firm: what fell in "
        "its assignments; in house: the rest. Costs and fees are not put down to contact channels."
    ),
)

FOOTNOTES = (
    gettext_lazy(
        "Claim at escalation: principal + interest + penalty interest + compound interest + late fees + fees."
    ),
    gettext_lazy("Recovered: recovered to costs + to interest + to principal, net of reversals."),
    gettext_lazy(
        "Recovery rate: recovered / claim total. Portfolio and creditor are the debt's now; the firm is the one "
        "assigned now."
    ),
    gettext_lazy(
        "Recoveries by month: amounts received in each of the last 12 months; a reversal counts as a negative "
        "amount on the day of the payment it undoes."
    ),
    gettext_lazy(
        "Lapsing: freezes and seizures in force expiring 1-30, 31-60 and 61-90 days from today; those already "
        "past expiry are on the lapsing measures page."
    ),
    gettext_lazy(
        "Scorecards cover every assignment a firm has held, from its first day up to the day it ended. Days to "
        "filing: to the first suit, arbitration or payment order filed in that time; days to judgment: to the "
        "first confirmed judgment, mediation statement, award or payment order decided in it. Recovered: "
        "received in that time, over the claim of the firm's matters. Actions count assets found, preservation "
        "applications filed and enforcement measures started in that time."
    ),
)


# --- The chart ---------------------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 760, 260
CHART_TOP, CHART_BOTTOM, CHART_LEFT = 28, 36, 12
WAN = Decimal("10000")


def short_amount(amount: Decimal) -> str:
    """A bar's label: 万元 with one decimal from 10,000 up, else whole yuan with separators."""
    if abs(amount) >= WAN:
        return _("%(amount)s万") % {"amount": f"{amount / WAN:,.1f}"}
    return f"{amount:,.0f}"


def chart_bars(months: list[MonthRow]) -> dict[str, Any]:
    """The geometry of the monthly bar chart, drawn server-side as inline SVG (no script)."""
    amounts = [row.amount for row in months]
    high, low = max([Decimal(0), *amounts]), min([Decimal(0), *amounts])
    span = (high - low) or Decimal(1)
    plot = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    zero = CHART_TOP + float(high / span) * plot
    slot = (CHART_WIDTH - 2 * CHART_LEFT) / len(months)
    bars = []
    for n, row in enumerate(months):
        height = float(abs(row.amount) / span) * plot
        top = zero - height if row.amount >= 0 else zero
        x = CHART_LEFT + n * slot
        bars.append(
            {
                "x": round(x + slot * 0.15, 1),
                "width": round(slot * 0.7, 1),
                "y": round(top, 1),
                "height": round(max(height, 0.5 if row.amount else 0), 1),
                "center": round(x + slot / 2, 1),
                "label": short_amount(row.amount),
                "label_y": round(top - 5 if row.amount >= 0 else top + height + 12, 1),
                "month": row.month.strftime("%Y-%m"),
                "negative": row.amount < 0,
                "amount": row.amount,
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "zero": round(zero, 1),
        "axis_end": CHART_WIDTH - CHART_LEFT,
        "month_y": CHART_HEIGHT - 12,
        "bars": bars,
    }


# --- The tables as columns and rows (the page's tables, the exports) -----------------------------


def _rate_columns(name: str) -> list[Column]:
    return [
        Column(name, "text", 30),
        Column(_("Number of matters"), "int"),
        Column(_("Claim at escalation"), "money"),
        Column(_("Recovered"), "money"),
        Column(_("Recovery rate"), "rate"),
    ]


def table_rows(board: Dashboard, table: str) -> tuple[list[Column], list[tuple]]:
    """The columns and rows of one table of the dashboard, as the export writes them."""
    if table == "recoveries_by_month":
        columns = [Column(_("Month"), "month"), Column(_("Recovered"), "money")]
        return columns, [(row.month, row.amount) for row in board.recoveries_by_month]
    if table.startswith("rates_by_"):
        by = {"portfolio": _("Portfolio"), "creditor": _("Creditor"), "firm": _("Law firm")}[table[9:]]
        rows = getattr(board, table)
        return _rate_columns(by), [(r.name, r.matters, r.claim_total, r.recovered, r.rate) for r in rows]
    if table == "matters_by_stage":
        columns = [
            Column(_("Stage"), "text", 20),
            Column(_("Number of matters"), "int"),
            Column(_("Claim at escalation"), "money"),
            Column(_("Recovered"), "money"),
        ]
        return columns, [(r.label, r.matters, r.claim_total, r.recovered) for r in board.matters_by_stage]
    if table == "lapsing":
        columns = [
            Column(_("Lapsing within"), "text", 12),
            Column(_("Matter number"), "text", 18),
            Column(_("Debtor"), "text", 14),
            Column(_("Measure"), "text", 28),
            Column(_("Asset"), "text", 30),
            Column(_("Expires on"), "date"),
            Column(_("Days left"), "int"),
        ]
        rows = [
            (_("%(days)s days") % {"days": band.days}, r.matter_number, r.debtor_name, r.kind_label, r.asset,
             r.expires_on, r.days_left)
            for band in board.lapsing
            for r in band.rows
        ]  # fmt: skip
        return columns, rows
    if table == "scorecards":
        columns = [
            Column(_("Law firm"), "text", 30),
            Column(_("Matters ever assigned"), "int", 12),
            Column(_("Matters assigned now"), "int", 12),
            Column(_("Assignments that filed"), "int", 12),
            Column(_("Days to filing, median"), "days", 12),
            Column(_("Days to filing, mean"), "days", 12),
            Column(_("Assignments with a judgment"), "int", 12),
            Column(_("Days to judgment, median"), "days", 12),
            Column(_("Days to judgment, mean"), "days", 12),
            Column(_("Claim at escalation"), "money"),
            Column(_("Recovered during assignments"), "money"),
            Column(_("Recovery rate"), "rate"),
            Column(_("Asset investigations"), "int", 12),
            Column(_("Preservation applications"), "int", 12),
            Column(_("Enforcement actions"), "int", 12),
            Column(_("Dishonest listings"), "int", 12),
            Column(_("High-spending bans"), "int", 12),
            Column(_("Auctions"), "int"),
            Column(_("Collection contacts"), "int", 12),
            Column(_("Promises kept"), "int", 12),
            Column(_("Promises broken"), "int", 12),
            Column(_("Recovered after contact"), "money"),
        ]
        rows = [
            (c.firm_name, c.matters_ever, c.matters_current, c.filings, c.filing_days_median, c.filing_days_mean,
             c.judgments, c.judgment_days_median, c.judgment_days_mean, c.claim_total, c.recovered, c.rate,
             c.asset_investigations, c.preservation_actions, c.enforcement_actions, c.dishonest_listings,
             c.consumption_restrictions, c.auctions, c.contacts, c.promises_kept, c.promises_broken,
             c.recovered_after_contact)
            for c in board.scorecards
        ]  # fmt: skip
        return columns, rows
    if table == "staff":
        roles = dict(Role.choices)
        columns = [
            Column(_("Staff member"), "text", 16),
            Column(_("Role"), "text", 12),
            Column(_("Matters owned (today)"), "int", 12),
            Column(_("Tasks done"), "int"),
            Column(_("Done on time"), "int"),
            Column(_("Done late"), "int"),
            Column(_("Tasks overdue (today)"), "int", 12),
            Column(_("Contacts"), "int"),
            Column(_("Promises kept"), "int", 12),
            Column(_("Promises broken"), "int", 12),
            Column(_("Recovered"), "money"),
            Column(_("Complaints"), "int"),
            Column(_("Disputes"), "int"),
            Column(_("Conduct-rule overrides"), "int", 12),
            Column(_("Guidance warnings"), "int", 12),
        ]
        rows = [
            (r.name, str(roles.get(r.role, r.role)), r.matters_owned, r.tasks_done, r.tasks_on_time, r.tasks_late,
             r.tasks_overdue, r.contacts, r.promises_kept, r.promises_broken, r.recovered, r.complaints, r.disputes,
             r.overrides, r.warnings)
            for r in board.staff
        ]  # fmt: skip
        return columns, rows
    if table in ("recovery_by_channel", "recovery_by_strategy"):
        columns = [
            Column(pgettext("recovery channel", "Channel") if table == "recovery_by_channel" else _("Strategy"), "text", 28),
            Column(_("Recoveries"), "int"),
            Column(_("Recovered"), "money"),
            Column(_("Share"), "rate"),
        ]
        return columns, [(r.label, r.recoveries, r.recovered, r.share) for r in getattr(board, table)]
    if table == "cost_to_collect":
        columns = [
            Column(_("Who collected"), "text", 30),
            Column(_("Recovered"), "money"),
            Column(_("Costs"), "money"),
            Column(_("Firm fees"), "money"),
            Column(_("Net recovery"), "money"),
            Column(_("Cost-to-collect ratio"), "rate"),
        ]
        return columns, [(r.name, r.recovered, r.costs, r.fees, r.net, r.ratio) for r in board.cost_to_collect]
    if table == "broken_promises":
        columns = [
            Column(_("Matter"), "text", 18),
            Column(_("Who"), "text", 16),
            Column(_("Promised on"), "date"),
            Column(_("Due on"), "date"),
            Column(_("Amount"), "money"),
            Column(_("Paid"), "money"),
        ]
        rows = [
            (p.matter.number, p.contact.who, p.promised_on, p.due_on, p.amount, p.paid_amount)
            for p in board.broken_promises.rows
        ]
        return columns, rows
    raise Http404("no such table")


# --- Views ---------------------------------------------------------------------------------------


def _period(request: HttpRequest, today) -> Period:
    """The range of the request (``from``, ``to``); ValidationError by field on a bad one."""
    return period_parse(start=request.GET.get("from"), end=request.GET.get("to"), today=today)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Recoveries by month (a chart), recovery rates, stages, lapsing freezes, firm scorecards, and what worked
    over a date range: staff KPIs, recovery by channel and strategy, cost to collect."""
    user = request.user
    tables = dashboard_tables(user)
    today = timezone.localdate()
    try:
        filters = filters_parse(portfolio=request.GET.get("portfolio"), creditor=request.GET.get("creditor"))
    except ValidationError as exc:
        for error in exc.messages:
            messages.warning(request, _("Filter ignored: %(error)s") % {"error": error})
        filters = Filters()
    try:
        period = _period(request, today)
        period_errors: dict[str, list[str]] = {}
    except ValidationError as exc:
        period_errors = exc.message_dict
        for error in exc.messages:
            messages.error(request, _("Date range not applied: %(error)s") % {"error": error})
        period = month_period(today)
    board = dashboard_figures(
        user=user, filters=filters, today=today, period=period, fresh=request.GET.get("fresh") == "1"
    )
    full = "recoveries_by_month" in tables
    query = urlencode({**filters.query(), **(period.query() if full else {})})
    exports = {table: reverse("dashboard_export", args=[table]) + (f"?{query}" if query else "") for table in tables}
    exports[ALL_TABLES] = reverse("dashboard_export", args=[ALL_TABLES]) + (f"?{query}" if query else "")
    presets = [
        {
            "label": PRESET_LABELS[key],
            "url": "?" + urlencode({**filters.query(), **preset.query()}),
            "current": preset == period,
        }
        for key, preset in period_presets(today)
    ]
    context = {
        "nav": "dashboard",
        "board": board,
        "full": full,
        "exports": exports,
        "titles": {table: title for table, (title, _stem) in TABLE_TITLES.items()},
        "chart": chart_bars(board.recoveries_by_month) if full else None,
        "footnotes": FOOTNOTES if full else FOOTNOTES[-1:],
        "portfolios": Portfolio.objects.order_by("name", "id") if full else [],
        "creditors": Creditor.objects.order_by("name", "id") if full else [],
        "filters": filters,
        "period": period,
        "period_form": {
            "from": request.GET.get("from", "") if period_errors else period.start.isoformat(),
            "to": request.GET.get("to", "") if period_errors else period.end.isoformat(),
        },
        "period_errors": period_errors,
        "presets": presets,
        "share_tables": [
            ("recovery_by_channel", board.recovery_by_channel, pgettext("recovery channel", "Channel")),
            ("recovery_by_strategy", board.recovery_by_strategy, _("Strategy")),
        ] if full else [],
        "range_footnotes": [str(note) % {"days": CHANNEL_WINDOW_DAYS} for note in RANGE_FOOTNOTES] if full else [],
        "refresh_url": "?" + urlencode({**filters.query(), **period.query(), "fresh": "1"}),
    }
    return render(request, "legalcase/dashboard.html", context)


@login_required
@require_GET
def dashboard_export(request: HttpRequest, table: str) -> HttpResponse:
    """One table of the dashboard as .xlsx (every row of the lapsing list), or every table the user may see
    (``all``), one sheet each; audited. The figures are the page's: the same function, the same kept
    snapshot for the same filters and range."""
    if table not in TABLES and table != ALL_TABLES:
        raise Http404("no such table")
    user = request.user
    allowed = dashboard_tables(user)
    if table != ALL_TABLES and table not in allowed:
        raise PermissionDenied("your role may not export this table")
    today = timezone.localdate()
    try:
        filters = filters_parse(portfolio=request.GET.get("portfolio"), creditor=request.GET.get("creditor"))
        period = _period(request, today)
    except ValidationError as exc:
        return HttpResponseBadRequest("; ".join(exc.messages), content_type="text/plain; charset=utf-8")
    only = None if table == ALL_TABLES else table
    board = dashboard_figures(user=user, filters=filters, today=today, period=period, only=only, lapsing_limit=None)
    if table == ALL_TABLES:
        sheets = [(str(TABLE_TITLES[name][0]), *table_rows(board, name)) for name in allowed]
        content = xlsx_workbook_bytes(sheets=sheets)
        stem, count = ALL_STEM, sum(len(rows) for _title, _columns, rows in sheets)
    else:
        columns, rows = table_rows(board, table)
        title, stem = TABLE_TITLES[table]
        content = xlsx_bytes(sheet=str(title), columns=columns, rows=rows)
        count = len(rows)
    record_audit(
        actor=user,
        action=AuditAction.EXPORT,
        target=f"dashboard:{table}",
        detail={
            "filters": filters.as_dict(),
            "period": period.as_dict(),
            "rows": count,
            "as_of": board.today.isoformat(),
        },
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{stem}_{board.today.isoformat()}.xlsx"
    )
    return response
