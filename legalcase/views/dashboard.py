"""The asset managers' dashboard page (/dashboard/) and its Excel exports.

Counsel, managers and admins see every table; an outside lawyer sees only their own
firm's scorecard and may export only that (any other table answers 403). The figures
come from ``services.dashboard``; a filter naming nothing is ignored on the page with a
message, and answers 400 on an export. Every export writes an ``AuditEvent``
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
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from legalcase.events import record_audit
from legalcase.exports import XLSX_CONTENT_TYPE, Column, xlsx_bytes
from legalcase.models import AuditAction, Creditor, Portfolio
from legalcase.services.dashboard import (
    TABLES,
    Dashboard,
    Filters,
    MonthRow,
    dashboard_figures,
    dashboard_tables,
    filters_parse,
)

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
}
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


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Recoveries by month (a chart), recovery rates, stages, lapsing freezes and firm scorecards."""
    user = request.user
    tables = dashboard_tables(user)
    try:
        filters = filters_parse(portfolio=request.GET.get("portfolio"), creditor=request.GET.get("creditor"))
    except ValidationError as exc:
        for error in exc.messages:
            messages.warning(request, _("Filter ignored: %(error)s") % {"error": error})
        filters = Filters()
    board = dashboard_figures(user=user, filters=filters, fresh=request.GET.get("fresh") == "1")
    query = urlencode(filters.query())
    exports = {table: reverse("dashboard_export", args=[table]) + (f"?{query}" if query else "") for table in tables}
    full = "recoveries_by_month" in tables
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
        "refresh_url": "?" + urlencode({**filters.query(), "fresh": "1"}),
    }
    return render(request, "legalcase/dashboard.html", context)


@login_required
@require_GET
def dashboard_export(request: HttpRequest, table: str) -> HttpResponse:
    """One table of the dashboard as .xlsx (every row of the lapsing list), audited."""
    if table not in TABLES:
        raise Http404("no such table")
    user = request.user
    if table not in dashboard_tables(user):
        raise PermissionDenied("your role may not export this table")
    try:
        filters = filters_parse(portfolio=request.GET.get("portfolio"), creditor=request.GET.get("creditor"))
    except ValidationError as exc:
        return HttpResponseBadRequest("; ".join(exc.messages), content_type="text/plain; charset=utf-8")
    board = dashboard_figures(user=user, filters=filters, only=table, lapsing_limit=None)
    columns, rows = table_rows(board, table)
    title, stem = TABLE_TITLES[table]
    content = xlsx_bytes(sheet=str(title), columns=columns, rows=rows)
    record_audit(
        actor=user,
        action=AuditAction.EXPORT,
        target=f"dashboard:{table}",
        detail={"filters": filters.as_dict(), "rows": len(rows), "as_of": board.today.isoformat()},
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{stem}_{board.today.isoformat()}.xlsx"
    )
    return response
