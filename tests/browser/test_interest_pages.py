"""The calculators page and the matter page's 迟延履行 periods, in Chromium at a laptop's and a phone's width."""

import datetime as dt
import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from legalcase.models import LprRate, Role
from tests.browser.conftest import WIDTHS, horizontal_overflow
from tests.factories import make_user
from tests.legalcase.test_claims import judged_matter, recover

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = "/calculators/?kind=simple&principal=100000&from=2025-05-01&to=2025-06-30&rate_basis=lpr_1y&multiplier=1.5&day_count=360"
# Set SCREENSHOTS=/tmp to keep what the test saw.
SHOTS = os.environ.get("SCREENSHOTS")


def shot(page, name: str, locator=None) -> None:
    if SHOTS:
        (locator or page).screenshot(path=os.path.join(SHOTS, f"{name}.png"), **({} if locator else {"full_page": True}))


def fixings_of_2025():
    # A transactional test empties the tables, and with them the rows migration 0022 installed.
    for day, one_year, five_year in ((dt.date(2025, 4, 21), "0.031", "0.036"), (dt.date(2025, 5, 20), "0.03", "0.035")):
        LprRate.objects.get_or_create(effective_from=day, defaults={"lpr_1y": Decimal(one_year), "lpr_5y": Decimal(five_year)})


@pytest.mark.parametrize("width", ["laptop", "phone"])
def test_the_calculator_shows_the_periods_without_sideways_scrolling(open_page, width):
    fixings_of_2025()
    page = open_page(make_user(Role.LAWYER), EXAMPLE, width=WIDTHS[width])
    assert page.locator("#interest-amount").inner_text() == "757.50"
    rows = page.locator("#interest-periods tbody tr")
    assert rows.count() == 2
    assert rows.nth(1).inner_text().split() == ["2025-05-19", "2025-06-30", "42", "100,000.00", "4.5%", "525.00"]
    assert horizontal_overflow(page) == 0
    shot(page, f"calculators-{width}")


def test_the_matter_page_lists_the_delay_periods(open_page):
    matter = judged_matter()
    recover(matter, dt.date(2026, 4, 17), principal="2000.00")
    page = open_page(make_user(Role.COUNSEL), f"/matters/{matter.pk}/")
    section = page.locator("section:has(#claims-on)")
    section.locator("#claims-on").fill("2026-05-07")
    section.locator("button", has_text="计算").first.click()
    periods = page.locator("#claims-delay-periods tbody tr")
    # The section first shows today's figures; wait for the recomputed ones.
    expect(periods.nth(1)).to_contain_text("2026-05-07")
    assert periods.count() == 2
    assert periods.nth(1).inner_text().split() == ["2026-04-18", "2026-05-07", "20", "49,745.00", "1.75‱", "174.1075"]
    page.locator("#claims-delay summary").click()
    shot(page, "claims-delay", page.locator("section:has(#claims-delay)"))
