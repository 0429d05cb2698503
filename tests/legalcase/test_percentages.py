"""One percentage format: agreed rates exactly, computed ratios to one place, on pages and in filings alike."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from legalcase.models import Matter, Role, Stage
from legalcase.money import RATIO_PLACES, percent_text
from legalcase.services import dashboard
from legalcase.services.transfers import portfolio_add_matters, portfolio_create
from legalcase.templatetags.fasu import rate
from templates_docx.filters import percent
from tests.factories import make_creditor, make_matter, make_user


@pytest.mark.parametrize(
    "fraction, places, shown",
    [
        (Decimal("0.182500"), None, "18.25%"),
        (Decimal("0.08"), None, "8%"),
        (Decimal("0.24"), None, "24%"),
        (Decimal("0.05475"), None, "5.475%"),  # 1.5 × the 3.65% LPR: a filing must carry every digit
        (Decimal("0.000175"), None, "0.0175%"),
        (Decimal("0.224213"), 1, "22.4%"),
        (Decimal("0.00095"), 1, "0.1%"),
        (Decimal("0.5"), 1, "50.0%"),
        (Decimal("1"), 1, "100.0%"),
        (None, None, "—"),
        (None, 1, "—"),
    ],
)
def test_one_format_for_every_rate(fraction, places, shown):
    assert percent_text(fraction, places) == shown


@pytest.mark.parametrize("fraction", [Decimal("0.182500"), Decimal("0.05475"), Decimal("0.08"), Decimal("0")])
def test_pages_and_filings_write_an_agreed_rate_the_same_way(fraction):
    assert rate(fraction) == percent(fraction) == percent_text(fraction)


@pytest.mark.parametrize("fraction", [Decimal("0.009513"), Decimal("0.224213"), Decimal("0.05"), None])
def test_the_pages_and_the_dashboard_write_a_ratio_the_same_way(fraction):
    assert rate(fraction, RATIO_PLACES) == dashboard.percent(fraction) == percent_text(fraction, 1)


@pytest.mark.django_db
def test_a_portfolios_recovery_rate_reads_the_same_on_its_pages_and_the_dashboard(client):
    admin = make_user(Role.ADMIN)
    bank = make_creditor(name="示例银行股份有限公司信用卡中心")
    first, second = make_matter(creditor=bank), make_matter(creditor=bank, stage=Stage.ENFORCEMENT)
    Matter.objects.filter(pk=second.pk).update(recovered_principal=Decimal("1000.00"))
    portfolio = portfolio_create(user=admin, name="2026年第一期")
    portfolio_add_matters(user=admin, portfolio_id=portfolio.pk, matter_ids=[first.pk, second.pk])
    client.force_login(admin)

    # 1,000.00 of 105,116.10: 0.95%, shown to one place as the dashboard shows rates.
    listing = client.get(reverse("portfolio_list")).content.decode()
    detail = client.get(reverse("portfolio_detail", args=[portfolio.pk])).content.decode()
    board = client.get(reverse("dashboard")).content.decode()
    assert re.search(r'<td class="num">1\.0%</td>\s*</tr>', listing)
    assert "1.0%</span>" in detail
    by_portfolio = board[board.index('id="dashboard-rates_by_portfolio"') :]
    assert re.search(r"<td>2026年第一期</td>.*?<td class=\"num\">1\.0%</td>", by_portfolio)


@pytest.mark.django_db
def test_the_matter_page_shows_the_agreed_rates_exactly(client):
    client.force_login(make_user())
    matter = make_matter(annual_interest_rate=Decimal("0.182500"), penalty_rate=Decimal("0.273750"))
    html = client.get(reverse("matter_detail", args=[matter.pk])).content.decode()
    assert "<b>18.25%</b>" in html and "<b>27.375%</b>" in html
