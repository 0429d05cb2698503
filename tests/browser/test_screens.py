"""Every screen (issue 22): the header at 1280 px for every role and its menu below, the
matter list, the matter page and the deadlines at a phone's 390 px without sideways
scrolling, and the matter page's index."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from legalcase.models import Deadline, Role
from legalcase.services.recoveries import cost_record, recovery_body_digest, recovery_record
from tests.browser.conftest import WIDTHS, horizontal_overflow
from tests.factories import make_creditor, make_firm, make_matter, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The script that reports every header control that is not wholly inside the window.
OUTSIDE_THE_WINDOW = """() => [...document.querySelectorAll('.topbar .mainnav > a, .topbar .navmore > summary, .topbar .logout, .topbar .bell, .topbar .langswitch button')]
    .map(el => [el.textContent.trim() || el.className, el.getBoundingClientRect()])
    .filter(([, box]) => box.width === 0 || box.left < 0 || box.right > window.innerWidth || box.top < 0 || box.bottom > 60)
    .map(([name, box]) => `${name} ${Math.round(box.left)}..${Math.round(box.right)}`)"""


def users_of_every_role():
    # Long names and a long firm name: the header has to hold what real ones show.
    firm = make_firm("北京市某某某某律师事务所上海分所")
    users = [
        make_user(Role.COUNSEL, username="counsel-long-name"),
        make_user(Role.LAWYER, firm=firm, username="lawyer-long-name"),
        make_user(Role.MANAGER, username="manager-long-name"),
        make_user(Role.ADMIN, username="admin-long-name"),
    ]
    admin = users[-1]
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    for user in users:
        user.first_name, user.last_name = "欣怡", "欧阳"
        user.save(update_fields=["first_name", "last_name"])
    return users


def rich_matter(owner):
    """A matter with long names, a deadline and notes: the things that push a phone's page wide."""
    matter = make_matter(
        owner=owner,
        stage="litigation",
        creditor=make_creditor(name="某某银行股份有限公司信用卡中心华东区域不良资产处置部"),
        contract_number="XYK-2021-000000000000000123456789",
    )
    today = timezone.localdate()
    # The recoveries section's wide tables (eight columns) must scroll inside their panel.
    money = {"amount": Decimal("12345.67"), "received_on": today, "source": "enforcement", "reference": "（2025）京0105执30064号之一"}
    recovery_record(user=owner, matter_id=matter.pk, idempotency_key="screens-1", body_digest=recovery_body_digest(**money), **money)
    cost_record(user=owner, matter_id=matter.pk, kind="acceptance_fee", amount=Decimal("3422.12"), incurred_on=today, note="案件受理费（按诉请金额计）")
    # After the money: recording it recomputes the computed deadlines.
    for days, kind in ((-3, "appeal"), (2, "limitation"), (20, "enforcement_application")):
        Deadline.objects.create(matter=matter, kind=kind, due_on=today + dt.timedelta(days=days), rule=f"{kind}@2024-long-rule-name")
    return matter


def test_the_header_fits_in_one_row_at_1280_px_for_every_role(open_page):
    for user in users_of_every_role():
        page = open_page(user, "/deadlines/", width=WIDTHS["laptop"])
        assert page.locator(".navtoggle").is_hidden(), user.role
        assert page.evaluate(OUTSIDE_THE_WINDOW) == [], user.role
        assert page.locator(".topbar").bounding_box()["height"] <= 48, user.role
        assert page.get_by_role("button", name="退出登录").is_visible()
        assert horizontal_overflow(page) == 0, user.role
        page.screenshot(path=f"/tmp/screens-test-header-{user.role}-1280.png")
    # The links shown inline are reachable from the keyboard: brand, bell, then the first link.
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "案件列表"


def test_below_1280_px_the_menu_button_opens_the_navigation(open_page):
    admin = users_of_every_role()[-1]
    page = open_page(admin, "/", width=WIDTHS["tablet"])
    deadlines = page.locator(".mainnav").get_by_role("link", name="期限")
    assert deadlines.is_hidden()
    assert page.get_by_role("button", name="退出登录").is_hidden()
    assert page.locator(".bell").is_visible()

    page.locator(".navtoggle").click()
    assert deadlines.is_visible()
    assert page.get_by_role("button", name="退出登录").is_visible()
    assert page.evaluate(OUTSIDE_THE_WINDOW.replace("box.bottom > 60", "false")) == []
    page.screenshot(path="/tmp/screens-test-menu-768.png")

    deadlines.click()
    page.wait_for_url("**/deadlines/")
    assert page.locator("h1").inner_text() == "期限"


def test_the_matter_list_matter_page_and_deadlines_fit_a_phone(open_page, live_server):
    counsel = make_user(Role.COUNSEL)
    matter = rich_matter(counsel)
    for _ in range(3):
        make_matter(owner=counsel, creditor=make_creditor(name="某某消费金融股份有限公司"))

    page = open_page(counsel, "/", width=WIDTHS["phone"])
    assert matter.number in page.inner_text("main")
    assert horizontal_overflow(page) == 0
    # A matter is a card: its creditor is shown whole, captioned by its column.
    creditor = page.locator("table.matters td", has_text="华东区域不良资产处置部")
    assert creditor.get_attribute("data-label") == "债权人"
    assert creditor.bounding_box()["x"] + creditor.bounding_box()["width"] <= WIDTHS["phone"]
    page.screenshot(path="/tmp/screens-test-list-390.png", full_page=True)

    page.goto(f"{live_server.url}/matters/{matter.pk}/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".section-loading").count() == 0  # every section came in
    assert horizontal_overflow(page) == 0
    page.screenshot(path="/tmp/screens-test-matter-390.png", full_page=True)

    page.goto(f"{live_server.url}/deadlines/?scope=mine")
    assert page.locator(".deadline-row").count() == 3
    assert horizontal_overflow(page) == 0
    page.screenshot(path="/tmp/screens-test-deadlines-390.png", full_page=True)


def test_the_matter_page_index_stays_in_view_and_jumps_to_its_sections(open_page):
    counsel = make_user(Role.COUNSEL)
    matter = rich_matter(counsel)
    page = open_page(counsel, f"/matters/{matter.pk}/", width=WIDTHS["laptop"])
    page.wait_for_load_state("networkidle")
    index = page.get_by_role("navigation", name="本案目录")
    assert index.is_visible()

    index.get_by_role("link", name="期限", exact=True).click()
    page.wait_for_function("location.hash === '#matter-deadlines'")
    deadlines = page.locator("#matter-deadlines").bounding_box()
    assert page.evaluate("window.scrollY") > 0
    assert 0 <= deadlines["y"] <= 120  # at the top, just under the sticky index
    strip = index.bounding_box()
    assert 0 <= strip["y"] and strip["y"] + strip["height"] <= deadlines["y"] + 1  # the index is still in view, above it
    page.screenshot(path="/tmp/screens-test-index-1280.png")

    index.get_by_role("link", name="金额", exact=True).click()
    page.wait_for_function("location.hash === '#matter-amounts'")
    assert 0 <= page.locator("#matter-amounts").bounding_box()["y"] <= 120
