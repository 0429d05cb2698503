"""The range tables summed from their day rows (``DashboardDay``) equal the direct computation.

The channel, strategy and cost tables over a range are sums of per-day rows keyed by
creditor and portfolio, filled when first read and again by the schedule for the days
whose facts arrived since (a backdated recovery, a late contact).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from legalcase.models import DashboardDay, Debt, Matter, Portfolio
from legalcase.services.dashboard import Filters, dashboard_figures, dashboard_refresh, filtered
from legalcase.services.kpi import Period, days_refresh, range_from_days, range_part
from tests.legalcase.test_dashboard_kpi import TODAY, build_history, contact, recovery

pytestmark = pytest.mark.django_db

D = dt.date
PARTS = ("channels", "strategies", "costs")


@pytest.fixture
def kept(settings):
    settings.DASHBOARD_CACHE_SECONDS = 600


@pytest.fixture
def history(kept):
    h = build_history()
    h.portfolio = Portfolio.objects.create(name="日表测试资产包")
    Debt.objects.filter(pk=h.m3.debt_id).update(portfolio=h.portfolio)
    return h


def plain(rows: list) -> list[dict]:
    return [dataclasses.asdict(row) for row in rows]


def direct(part: str, filters: Filters, period: Period) -> list[dict]:
    return plain(range_part(part, filtered(Matter.objects.all(), filters), period=period, today=TODAY))


def from_days(part: str, filters: Filters, period: Period) -> list[dict]:
    return plain(
        range_from_days(part, period=period, today=TODAY, portfolio=filters.portfolio, creditor=filters.creditor)
    )


def test_every_range_and_filter_summed_from_days_equals_the_direct_computation(history):
    periods = [
        Period(start=D(2026, 11, 1), end=TODAY),
        Period(start=D(2026, 10, 1), end=D(2026, 11, 30)),  # past today: today and later computed at each read
        Period(start=D(2026, 1, 1), end=D(2026, 11, 21)),
    ]
    filter_sets = [
        Filters(),
        Filters(portfolio=history.portfolio.pk),
        Filters(portfolio="none"),
        Filters(creditor=history.m1.debt.creditor_id),
    ]
    seen = set()
    for period in periods:
        for filters in filter_sets:
            for part in PARTS:
                expected = direct(part, filters, period)
                assert from_days(part, filters, period) == expected, (part, filters, period)
                seen.add((part, bool(expected and any(row.get("recovered") for row in expected))))
    # The history has figures in every table (not a comparison of empty lists).
    assert {("channels", True), ("strategies", True), ("costs", True)} <= seen
    # The portfolio holds m3 alone: its month is m3's 400.00, put down to no contact (sms 31 days before).
    month = Period(start=D(2026, 11, 1), end=TODAY)
    rows = range_from_days("channels", period=month, today=TODAY, portfolio=history.portfolio.pk)
    assert [(row.key, row.recoveries, row.recovered) for row in rows] == [("none", 1, Decimal("400.00"))]
    # Days before today are marked done once; today and later are not.
    marks = set(DashboardDay.objects.filter(table="day").values_list("day", flat=True))
    assert D(2026, 1, 1) in marks and D(2026, 11, 21) in marks
    assert TODAY not in marks and D(2026, 11, 30) not in marks


def test_a_backdated_recovery_recorded_after_a_refresh_shows_after_the_next(history):
    october = Period(start=D(2026, 10, 1), end=D(2026, 10, 31))
    days_refresh(today=TODAY)  # the schedule's first run: nothing computed yet
    before = from_days("costs", Filters(), october)
    assert before[0]["recovered"] == Decimal("700.00")

    recovery(history.m3, "123.45", D(2026, 10, 20))  # recorded today, received last month
    contact(history.m3, history.manager, D(2026, 10, 18), channel="visit")  # a backdated contact
    # Until the schedule runs, the computed days stand.
    assert from_days("costs", Filters(), october) == before
    assert dashboard_refresh(today=TODAY)["days"] > 0
    after = from_days("costs", Filters(), october)
    assert after == direct("costs", Filters(), october)
    assert after[0]["recovered"] == Decimal("823.45")
    channels = from_days("channels", Filters(), october)
    assert channels == direct("channels", Filters(), october)
    assert ("visit", 1, Decimal("123.45")) in [(row["key"], row["recoveries"], row["recovered"]) for row in channels]
    # A second refresh looks back ten minutes more (a fact committed late): the same figures.
    assert days_refresh(today=TODAY) > 0
    assert from_days("channels", Filters(), october) == channels


def test_days_read_before_the_first_refresh_take_the_facts_recorded_since(history):
    october = Period(start=D(2026, 10, 1), end=D(2026, 10, 31))
    from_days("strategies", Filters(), october)  # computed by a read; no refresh ran yet
    recovery(history.m2, "50.00", D(2026, 10, 5))
    assert days_refresh(today=TODAY) > 0
    assert from_days("strategies", Filters(), october) == direct("strategies", Filters(), october)
    rows = from_days("strategies", Filters(), october)
    # m1's 700.00 on 10-31 (no plan yet, no review) and m2's 50.00 on 10-05 (调解 running).
    assert [(row["name"], row["recovered"]) for row in rows] == [("诉前调解", Decimal("50.00")), ("", Decimal("700.00"))]


def test_the_page_reads_the_days_and_fresh_applies_late_facts(history, client):
    october = Period(start=D(2026, 10, 1), end=D(2026, 10, 31))
    days_refresh(today=TODAY)
    board = dashboard_figures(user=history.manager, today=TODAY, period=october)
    assert plain(board.cost_to_collect) == direct("costs", Filters(), october)
    assert DashboardDay.objects.filter(table="costs", day=D(2026, 10, 31)).exists()
    recovery(history.m1, "10.00", D(2026, 10, 2))
    board = dashboard_figures(user=history.manager, today=TODAY, period=october, fresh=True)
    assert plain(board.recovery_by_strategy) == direct("strategies", Filters(), october)
    assert board.cost_to_collect[0].recovered == Decimal("710.00")


def test_without_kept_figures_no_day_rows_are_written(history, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    board = dashboard_figures(user=history.manager, today=TODAY, period=Period(start=D(2026, 10, 1), end=TODAY))
    assert board.cost_to_collect[0].recovered == Decimal("7600.00")  # 8400.00 less the 800.00 after today
    assert not DashboardDay.objects.exists()
