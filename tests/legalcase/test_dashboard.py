"""The asset managers' dashboard: every figure against a small fixture computed by hand, the page, the API, scope.

Today is 2026-11-22 in every test. The fixture (``board``):

- firms A and B; creditors C1 and C2; portfolio P1.
- m1: C1, P1, claim 10,000 + 500 = 10,500, enforcement, firm A from 2026-01-10 (current).
- m2: C1, no portfolio, claim 20,000, litigation, firm A 2026-02-01 to 2026-04-01, then firm B (current).
- m3: C2, P1, claim 5,000 + 1,000 = 6,000, intake, never assigned.
- m4: C2, no portfolio, claim 1,000, litigation, firm A from 2026-06-01 (current).

Recoveries: m1 1,000 (03-15), 2,000 (10-05), 500 (10-20) reversed (-500 on 10-20): net 3,000.
m2 4,000 (03-10, A's window), 1,000 (05-05, B's window): 5,000. m3 600 (2025-11-30, before
the 12 months) and 100 (2025-12-01): 700. m4 nothing.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from legalcase.models import Assignment, Portfolio, Role, Stage
from legalcase.services.dashboard import (
    Filters,
    _median_and_mean,
    dashboard_figures,
    filters_parse,
)
from legalcase.services.enforcement import asset_record, enforcement_action_record
from legalcase.services.matters import matter_assign_firm, matter_unassign_firm
from legalcase.services.proceedings import (
    proceeding_record,
    ruling_confirm,
    ruling_record,
)
from legalcase.services.recoveries import (
    recovery_body_digest,
    recovery_record,
    recovery_reverse,
)
from tests.factories import make_creditor, make_firm, make_matter, make_user
from tests.shared_rows import shared_rows

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 11, 22)
SHANGHAI = ZoneInfo("Asia/Shanghai")
NO_EXTRAS = {"penalty_interest": Decimal("0"), "compound_interest": Decimal("0"), "late_fees": Decimal("0")}


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI)


def money(value: str) -> Decimal:
    return Decimal(value)


class Board:
    """The fixture's objects by name."""


def recover(user, matter, amount: str, on: dt.date, key: str):
    data = {"amount": Decimal(amount), "received_on": on, "source": "voluntary", "reference": ""}
    return recovery_record(
        user=user, matter_id=matter.pk, idempotency_key=key, body_digest=recovery_body_digest(**data), **data
    )[0]


def assign(counsel, matter, firm, start: dt.date, end: dt.date | None = None) -> None:
    matter_assign_firm(user=counsel, matter_id=matter.pk, firm_id=firm.pk)
    Assignment.objects.filter(matter=matter, firm=firm, ended_at__isnull=True).update(started_at=at(start))
    if end is not None:
        matter_unassign_firm(user=counsel, matter_id=matter.pk)
        Assignment.objects.filter(matter=matter, firm=firm, started_at=at(start)).update(ended_at=at(end))


def action(user, matter, kind, started: dt.date, expires: dt.date | None = None, **extra):
    return enforcement_action_record(
        user=user, matter_id=matter.pk, kind=kind, started_on=started, expires_on=expires, **extra
    )


def judgment(user, matter, kind: str, decided: dt.date, *, confirm: bool = True):
    ruling = ruling_record(user=user, matter_id=matter.pk, text="", evidence_id=None)
    if confirm:
        ruling_confirm(user=user, ruling_id=ruling.pk, corrections={"kind": kind, "decided_on": decided})
    return ruling


def build_board() -> Board:
    b = Board()
    b.counsel = make_user(Role.COUNSEL)
    b.manager = make_user(Role.MANAGER)
    b.firm_a = make_firm("甲律师事务所")
    b.firm_b = make_firm("乙律师事务所")
    b.lawyer_a = make_user(Role.LAWYER, firm=b.firm_a)
    b.lawyer_b = make_user(Role.LAWYER, firm=b.firm_b)
    b.c1 = make_creditor(name="一号银行")
    b.c2 = make_creditor(name="二号资产管理公司")
    b.p1 = Portfolio.objects.create(name="2025年第一资产包", holder=b.c1)
    b.m1 = make_matter(
        stage=Stage.ENFORCEMENT, creditor=b.c1, portfolio=b.p1,
        principal=Decimal("10000.00"), interest=Decimal("500.00"), fees=Decimal("0"), **NO_EXTRAS,
    )  # fmt: skip
    b.m2 = make_matter(
        stage=Stage.LITIGATION, creditor=b.c1,
        principal=Decimal("20000.00"), interest=Decimal("0"), fees=Decimal("0"), **NO_EXTRAS,
    )  # fmt: skip
    b.m3 = make_matter(
        stage=Stage.INTAKE, creditor=b.c2, portfolio=b.p1,
        principal=Decimal("5000.00"), interest=Decimal("1000.00"), fees=Decimal("0"), **NO_EXTRAS,
    )  # fmt: skip
    b.m4 = make_matter(
        stage=Stage.LITIGATION, creditor=b.c2,
        principal=Decimal("1000.00"), interest=Decimal("0"), fees=Decimal("0"), **NO_EXTRAS,
    )  # fmt: skip
    assign(b.counsel, b.m1, b.firm_a, D(2026, 1, 10))
    assign(b.counsel, b.m2, b.firm_a, D(2026, 2, 1), D(2026, 4, 1))
    assign(b.counsel, b.m2, b.firm_b, D(2026, 4, 1))
    assign(b.counsel, b.m4, b.firm_a, D(2026, 6, 1))

    recover(b.manager, b.m1, "1000.00", D(2026, 3, 15), "m1-1")
    recover(b.manager, b.m1, "2000.00", D(2026, 10, 5), "m1-2")
    mistaken = recover(b.manager, b.m1, "500.00", D(2026, 10, 20), "m1-3")
    recovery_reverse(user=b.manager, recovery_id=mistaken.pk, reason="银行退票")
    recover(b.manager, b.m2, "4000.00", D(2026, 3, 10), "m2-1")
    recover(b.manager, b.m2, "1000.00", D(2026, 5, 5), "m2-2")
    recover(b.manager, b.m3, "600.00", D(2025, 11, 30), "m3-1")
    recover(b.manager, b.m3, "100.00", D(2025, 12, 1), "m3-2")

    c = b.counsel
    # Filings: m1 payment order before A's window (ignored), first instance 2026-01-25 (15 days);
    # m2 arbitration 2026-02-21 (A: 20 days), first instance 2026-04-11 (B: 10 days);
    # m4 first instance 2026-07-31 (A: 60 days).
    proceeding_record(user=c, matter_id=b.m1.pk, kind="payment_order", filed_on=D(2026, 1, 5))
    proceeding_record(user=c, matter_id=b.m1.pk, kind="first_instance", filed_on=D(2026, 1, 25))
    proceeding_record(user=c, matter_id=b.m2.pk, kind="arbitration", filed_on=D(2026, 2, 21))
    proceeding_record(user=c, matter_id=b.m2.pk, kind="first_instance", filed_on=D(2026, 4, 11))
    proceeding_record(user=c, matter_id=b.m4.pk, kind="first_instance", filed_on=D(2026, 7, 31))
    # Preservation: m1 2026-01-20 and m2 pre-suit 2026-02-05, both firm A's.
    proceeding_record(user=c, matter_id=b.m1.pk, kind="preservation", filed_on=D(2026, 1, 20))
    proceeding_record(user=c, matter_id=b.m2.pk, kind="pre_suit_preservation", filed_on=D(2026, 2, 5))
    # Judgments: m1 2026-04-10 (A: 90 days), m2 award 2026-03-22 (A: 49 days), an unconfirmed one ignored.
    judgment(c, b.m1, "judgment", D(2026, 4, 10))
    judgment(c, b.m2, "arbitral_award", D(2026, 3, 22))
    judgment(c, b.m2, "judgment", D(2026, 6, 1), confirm=False)

    bank = {"kind": "bank_account", "description": "招商银行 尾号1234", "source": "court_search"}
    house = {"kind": "real_estate", "description": "北京市朝阳区某小区3号楼", "source": "court_search"}
    # m1 (A from 2026-01-10):
    b.e1 = action(c, b.m1, "freeze_deposit", D(2026, 2, 1), D(2026, 12, 10), new_asset=bank)  # 18 days left
    b.e2 = action(c, b.m1, "seize_real_estate", D(2025, 12, 20), D(2027, 1, 15), new_asset=house)  # 54; before A
    b.e3 = action(c, b.m1, "freeze_equity", D(2026, 3, 1), D(2027, 2, 10))  # 80 days left
    action(c, b.m1, "dishonest_listing", D(2026, 4, 20), listing_ground=2)
    action(c, b.m1, "consumption_restriction", D(2026, 4, 20))
    action(c, b.m1, "auction", D(2026, 9, 1))
    action(c, b.m1, "freeze_deposit", D(2026, 5, 1), D(2026, 11, 22))  # lapses today: not in a band
    action(c, b.m1, "freeze_deposit", D(2026, 5, 2), D(2027, 3, 1))  # 99 days: beyond the bands
    # m2: A's window then B's from 2026-04-01.
    b.e9 = action(c, b.m2, "freeze_deposit", D(2026, 3, 5), D(2026, 12, 31))  # 39 days left, A
    action(c, b.m2, "consumption_restriction", D(2026, 4, 1))  # the handover day: B's
    # m3, unassigned.
    b.e11 = action(c, b.m3, "seize_movable", D(2026, 6, 1), D(2026, 12, 22))  # 30 days left
    # Asset leads on m2: 03-31 is A's, 04-01 is B's.
    for found in (D(2026, 3, 31), D(2026, 4, 1)):
        asset_record(
            user=c, matter_id=b.m2.pk, owner_id=b.m2.debt.debtor_id, kind="vehicle",
            description="京A·12345 小型轿车", source="investigation", found_on=found,
        )  # fmt: skip
    return b


@pytest.fixture(scope="module")
def board_rows(django_db_setup, django_db_blocker):
    """The board, written once for the module's tests (tests/shared_rows.py)."""
    with shared_rows(django_db_blocker, "dashboard board"):
        yield build_board()


@pytest.fixture
def board(board_rows) -> Board:
    return copy.deepcopy(board_rows)  # a test may change its objects in memory


def figures(user, **filters):
    with translation.override("en"):  # the buckets' names, untranslated until the integrator's merge
        return dashboard_figures(user=user, filters=Filters(**filters), today=TODAY)


def rates(rows) -> dict[str, tuple]:
    return {row.name: (row.matters, row.claim_total, row.recovered, row.rate) for row in rows}


# Figures ---------------------------------------------------------------------------------


def test_recoveries_by_month_cover_the_last_twelve_months_net_of_reversals(board):
    months = figures(board.manager).recoveries_by_month
    assert [row.month for row in months] == [D(2025, 12, 1)] + [D(2026, m, 1) for m in range(1, 12)]
    by_month = {row.month: row.amount for row in months}
    assert by_month[D(2025, 12, 1)] == money("100.00")  # m3; its 600 of 2025-11-30 is before the 12 months
    assert by_month[D(2026, 3, 1)] == money("5000.00")  # m1 1,000 + m2 4,000
    assert by_month[D(2026, 5, 1)] == money("1000.00")  # m2
    assert by_month[D(2026, 10, 1)] == money("2000.00")  # m1 2,000 + 500 - 500 reversed
    assert sum(by_month.values()) == money("8100.00")
    assert by_month[D(2026, 11, 1)] == money("0.00") and by_month[D(2026, 1, 1)] == money("0.00")


def test_recovery_rates_by_portfolio_creditor_and_current_firm(board):
    board_figures = figures(board.counsel)
    # P1: m1 + m3 = 10,500 + 6,000 = 16,500 claimed, 3,000 + 700 = 3,700 recovered: 0.224242 -> 0.2242.
    # None: m2 + m4 = 21,000, 5,000: 0.238095 -> 0.2381.
    assert rates(board_figures.rates_by_portfolio) == {
        "2025年第一资产包": (2, money("16500.00"), money("3700.00"), Decimal("0.2242")),
        "No portfolio": (2, money("21000.00"), money("5000.00"), Decimal("0.2381")),
    }
    rows = board_figures.rates_by_portfolio
    assert [row.id for row in rows] == [board.p1.pk, None]
    assert (rows[1].matters, rows[1].claim_total, rows[1].recovered, rows[1].rate) == (
        2, money("21000.00"), money("5000.00"), Decimal("0.2381"),
    )  # fmt: skip
    # C1: m1 + m2 = 30,500, 8,000: 0.262295 -> 0.2623. C2: m3 + m4 = 7,000, 700: 0.1000.
    assert rates(board_figures.rates_by_creditor) == {
        "一号银行": (2, money("30500.00"), money("8000.00"), Decimal("0.2623")),
        "二号资产管理公司": (2, money("7000.00"), money("700.00"), Decimal("0.1000")),
    }
    # Current firm: A holds m1 + m4 = 11,500, 3,000: 0.260869 -> 0.2609; B holds m2: 0.2500; m3 unassigned.
    # By name (乙 before 甲 in code points), the bucket last.
    firm_rows = board_figures.rates_by_firm
    assert [(r.id, r.matters, r.claim_total, r.recovered, r.rate) for r in firm_rows] == [
        (board.firm_b.pk, 1, money("20000.00"), money("5000.00"), Decimal("0.2500")),
        (board.firm_a.pk, 2, money("11500.00"), money("3000.00"), Decimal("0.2609")),
        (None, 1, money("6000.00"), money("700.00"), Decimal("0.1167")),
    ]


def test_matters_by_stage_lists_every_stage(board):
    stages = {
        row.stage: (row.matters, row.claim_total, row.recovered) for row in figures(board.counsel).matters_by_stage
    }
    assert list(stages) == list(Stage.values)
    assert stages["enforcement"] == (1, money("10500.00"), money("3000.00"))
    assert stages["litigation"] == (2, money("21000.00"), money("5000.00"))  # m2 + m4
    assert stages["intake"] == (1, money("6000.00"), money("700.00"))
    assert stages["closed"] == (0, money("0.00"), money("0.00"))


def test_lapsing_freezes_fall_in_three_thirty_day_bands_after_today(board):
    bands = figures(board.counsel).lapsing
    assert [(band.days, band.count) for band in bands] == [(30, 2), (60, 2), (90, 1)]
    # (today, +30]: e1 on 12-10 (18 days), e11 on 12-22 (exactly 30); expiring today and in 99 days are out.
    first = bands[0].rows
    assert [(r.matter_number, r.expires_on, r.days_left) for r in first] == [
        (board.m1.number, D(2026, 12, 10), 18),
        (board.m3.number, D(2026, 12, 22), 30),
    ]
    assert first[0].asset == "招商银行 尾号1234" and first[0].kind == "freeze_deposit"
    assert first[0].debtor_name == board.m1.debtor_name
    # (+30, +60]: e9 on 12-31 (39 days), e2 on 2027-01-15 (54 days); (+60, +90]: e3 on 2027-02-10 (80 days).
    assert [(r.expires_on, r.days_left) for r in bands[1].rows] == [(D(2026, 12, 31), 39), (D(2027, 1, 15), 54)]
    assert [(r.expires_on, r.days_left) for r in bands[2].rows] == [(D(2027, 2, 10), 80)]


def test_firm_scorecards_against_hand_computed_figures(board):
    cards = {card.firm_name: card for card in figures(board.counsel).scorecards}
    assert set(cards) == {"甲律师事务所", "乙律师事务所"}
    a, b = cards["甲律师事务所"], cards["乙律师事务所"]
    # A held m1, m2 (ended) and m4; holds m1 and m4 now.
    assert (a.matters_ever, a.matters_current) == (3, 2)
    assert (b.matters_ever, b.matters_current) == (1, 1)
    # Days to first filing: A 15 (m1), 20 (m2), 60 (m4): median 20, mean 95 / 3 = 31.7; B 10 (m2).
    assert (a.filings, a.filing_days_median, a.filing_days_mean) == (3, Decimal("20.0"), Decimal("31.7"))
    assert (b.filings, b.filing_days_median, b.filing_days_mean) == (1, Decimal("10.0"), Decimal("10.0"))
    # Days to judgment: A 90 (m1: 01-10 -> 04-10) and 49 (m2: 02-01 -> 03-22): median and mean 69.5; B none.
    assert (a.judgments, a.judgment_days_median, a.judgment_days_mean) == (2, Decimal("69.5"), Decimal("69.5"))
    assert (b.judgments, b.judgment_days_median, b.judgment_days_mean) == (0, None, None)
    # Recovered in A's windows: m1 1,000 + 2,000 + 500 - 500, m2 4,000 = 7,000 over 10,500 + 20,000 + 1,000.
    assert (a.recovered, a.claim_total, a.rate) == (money("7000.00"), money("31500.00"), Decimal("0.2222"))
    # B: m2 1,000 of 20,000.
    assert (b.recovered, b.claim_total, b.rate) == (money("1000.00"), money("20000.00"), Decimal("0.0500"))
    # A's actions: e1, e3, 失信, 限高, auction, two more freezes on m1 and e9 on m2 = 8 (e2 before the window).
    assert (a.enforcement_actions, a.dishonest_listings, a.consumption_restrictions, a.auctions) == (8, 1, 1, 1)
    assert (b.enforcement_actions, b.dishonest_listings, b.consumption_restrictions, b.auctions) == (1, 0, 1, 0)
    # Assets: A the bank account (02-01) and the car of 03-31; B the car of 04-01; the house predates A.
    assert (a.asset_investigations, b.asset_investigations) == (2, 1)
    assert (a.preservation_actions, b.preservation_actions) == (2, 0)


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert _median_and_mean([(10, 1), (20, 1), (40, 1), (90, 1)]) == (Decimal("30.0"), Decimal("40.0"))
    assert _median_and_mean([(5, 3), (100, 1)]) == (Decimal("5.0"), Decimal("28.8"))  # 115 / 4 = 28.75
    assert _median_and_mean([]) == (None, None)


def test_filters_narrow_every_figure(board):
    by_portfolio = figures(board.counsel, portfolio=board.p1.pk)
    assert [row.name for row in by_portfolio.rates_by_portfolio] == ["2025年第一资产包"]
    # P1 holds m1 and m3: 100 in 2025-12, 1,000 in 2026-03, 2,000 in 2026-10.
    assert sum(row.amount for row in by_portfolio.recoveries_by_month) == money("3100.00")
    assert [(band.days, band.count) for band in by_portfolio.lapsing] == [(30, 2), (60, 1), (90, 1)]
    cards = {card.firm_name: card for card in by_portfolio.scorecards}
    assert set(cards) == {"甲律师事务所"}  # B never held m1 or m3
    assert (cards["甲律师事务所"].matters_ever, cards["甲律师事务所"].recovered) == (1, money("3000.00"))
    none = figures(board.counsel, portfolio="none", creditor=board.c2.pk)
    assert [(row.name, row.matters) for row in none.rates_by_creditor] == [("二号资产管理公司", 1)]  # m4


def test_bad_filters_raise_errors_by_field(board):
    with pytest.raises(Exception) as error:
        filters_parse(portfolio="999999", creditor="abc")
    assert set(error.value.message_dict) == {"portfolio", "creditor"}
    assert filters_parse(portfolio="none", creditor=str(board.c1.pk)) == Filters(portfolio="none", creditor=board.c1.pk)
    assert filters_parse(portfolio="", creditor=None) == Filters()


# Scope: a lawyer sees only their own firm's scorecard ------------------------------------------


def test_a_lawyer_gets_only_their_firms_scorecard_over_its_whole_history(board):
    mine = figures(board.lawyer_a)
    assert mine.tables == ("scorecards",)
    assert mine.recoveries_by_month is None and mine.rates_by_firm is None and mine.lapsing is None
    assert [card.firm_name for card in mine.scorecards] == ["甲律师事务所"]
    # The ended assignment of m2 counts: it is the firm's own record.
    assert (mine.scorecards[0].matters_ever, mine.scorecards[0].recovered) == (3, money("7000.00"))
    assert [card.firm_name for card in figures(board.lawyer_b).scorecards] == ["乙律师事务所"]


def test_the_page_shows_every_table_with_footnotes_and_a_chart(client, board):
    client.force_login(board.manager)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    for table in ("recoveries_by_month", "rates_by_portfolio", "rates_by_creditor", "rates_by_firm",
                  "matters_by_stage", "lapsing", "scorecards"):  # fmt: skip
        assert f'id="dashboard-{table}"' in html
        assert reverse("dashboard_export", args=[table]) in html
    assert '<svg class="db-chart"' in html and "<title" in html and "<desc" in html
    assert "甲律师事务所" in html and "乙律师事务所" in html
    assert "Claim at escalation: principal" in html  # a footnote


def test_a_lawyer_page_shows_no_other_firm(client, board):
    client.force_login(board.lawyer_a)
    html = client.get(reverse("dashboard")).content.decode()
    assert "甲律师事务所" in html
    assert "乙律师事务所" not in html
    assert "db-chart" not in html and "dashboard-rates_by_firm" not in html
    assert reverse("dashboard_export", args=["scorecards"]) in html
    assert reverse("dashboard_export", args=["rates_by_firm"]) not in html


def test_a_bad_filter_on_the_page_is_ignored_with_a_message(client, board):
    client.force_login(board.counsel)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("dashboard"), {"portfolio": "999999"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="warning"' in html and "Filter ignored: No such portfolio." in html
    assert "乙律师事务所" in html  # unfiltered figures


def test_the_page_needs_a_sign_in(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302


# API ---------------------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_gives_the_same_figures_as_strings(board, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    response = api(board.manager).get("/api/v1/dashboard/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["as_of"] == "2026-11-22"
    months = {row["month"]: row["amount"] for row in body["recoveries_by_month"]}
    assert months["2026-03"] == "5000.00" and months["2026-10"] == "2000.00" and months["2026-11"] == "0.00"
    firms = [(row["id"], row["claim_total"], row["recovered"], row["rate"]) for row in body["rates_by_firm"]]
    assert firms == [
        (board.firm_b.pk, "20000.00", "5000.00", "0.2500"),
        (board.firm_a.pk, "11500.00", "3000.00", "0.2609"),
        (None, "6000.00", "700.00", "0.1167"),
    ]
    assert body["lapsing"]["counts"] == {"30": 2, "60": 2, "90": 1}
    assert body["lapsing"]["bands"][0]["rows"][0]["days_left"] == 18
    card = next(c for c in body["scorecards"] if c["firm"]["id"] == board.firm_a.pk)
    assert card["filing_days"] == {"count": 3, "median": "20.0", "mean": "31.7"}
    assert card["rate"] == "0.2222" and card["recovered"] == "7000.00"
    stage = next(s for s in body["matters_by_stage"] if s["stage"] == "litigation")
    assert stage == {"stage": "litigation", "matters": 2, "claim_total": "21000.00", "recovered": "5000.00"}


def test_the_api_gives_a_lawyer_only_their_firms_scorecard(board):
    response = api(board.lawyer_b).get("/api/v1/dashboard/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"as_of", "filters", "scorecards"}
    assert [card["firm"]["name"] for card in body["scorecards"]] == ["乙律师事务所"]
    assert "甲律师事务所" not in response.content.decode()


def test_the_api_rejects_a_bad_filter_by_field(board):
    response = api(board.counsel).get("/api/v1/dashboard/", {"portfolio": "x", "creditor": "0"})
    assert response.status_code == 400
    assert set(response.json()) == {"portfolio", "creditor"}


def test_the_api_filters(board):
    body = api(board.counsel).get("/api/v1/dashboard/", {"portfolio": board.p1.pk}).json()
    assert body["filters"] == {"portfolio": board.p1.pk, "creditor": None}
    assert [row["name"] for row in body["rates_by_portfolio"]] == ["2025年第一资产包"]


def test_the_api_needs_credentials():
    assert APIClient().get("/api/v1/dashboard/").status_code in (401, 403)


def test_the_aggregates_are_kept_for_the_configured_time_and_shared_until_computed_again(settings, client):
    from legalcase.services.dashboard import dashboard_figures

    settings.DASHBOARD_CACHE_SECONDS = 600
    counsel, manager = make_user(Role.COUNSEL), make_user(Role.MANAGER)
    make_matter(principal=Decimal("1000.00"))
    first = dashboard_figures(user=counsel)
    make_matter(principal=Decimal("2000.00"))
    # Another user within the period gets the same figures, computed once.
    kept = dashboard_figures(user=manager)
    assert sum(row.matters for row in kept.matters_by_stage) == 1
    assert kept.computed_at == first.computed_at
    fresh = dashboard_figures(user=manager, fresh=True)
    assert sum(row.matters for row in fresh.matters_by_stage) == 2
    client.force_login(counsel)
    assert client.get("/dashboard/").context["board"].computed_at == fresh.computed_at


def test_a_lawyer_reading_the_kept_scorecards_gets_only_their_own_firms_row(settings):
    settings.DASHBOARD_CACHE_SECONDS = 600
    counsel = make_user(Role.COUNSEL)
    ours, theirs = make_firm("本所律师事务所"), make_firm("他所律师事务所")
    for firm in (ours, theirs):
        matter_assign_firm(user=counsel, matter_id=make_matter().pk, firm_id=firm.pk)
    everyone = dashboard_figures(user=counsel)  # fills the kept all-firms table
    assert {card.firm_id for card in everyone.scorecards} == {ours.pk, theirs.pk}

    lawyer = make_user(Role.LAWYER, firm=ours)
    asked_at = timezone.now()
    board = dashboard_figures(user=lawyer)

    assert [(card.firm_id, card.matters_ever) for card in board.scorecards] == [(ours.pk, 1)]
    assert board.computed_at < asked_at  # read from the kept table, not computed again
    assert board.recoveries_by_month is None and board.rates_by_firm is None
