"""The calculators page (计算器): the interest form, its periods table, the LPR table and court fees; the LPR admin."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from legalcase.models import AuditEvent, LprRate, Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = reverse("calculators")


def cells(html: str, table_id: str) -> list[list[str]]:
    """The text of each body row's cells of one table."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.mark.parametrize("role", [Role.COUNSEL, Role.LAWYER, Role.MANAGER, Role.ADMIN])
def test_every_role_opens_the_page_in_chinese_with_the_interest_form(client, role):
    client.force_login(make_user(role))
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>计算器</h1>" in html
    for label in ("本金（元）", "起算日", "截止日", "年利率（%）", "LPR倍数", "一年计息天数"):
        assert label in html
    assert 'id="interest-result"' not in html
    # The latest fixing leads the LPR table.
    assert cells(html, "lpr-rows")[0] == ["2026-08-20", "3.00%", "3.50%"]


def test_the_page_shows_the_amount_days_and_periods_of_the_api_example(client):
    client.force_login(make_user(Role.LAWYER))
    html = client.get(
        URL,
        {
            "kind": "simple",
            "principal": "100,000.00",
            "from": "2025-05-01",
            "to": "2025-06-30",
            "rate_basis": "lpr_1y",
            "multiplier": "1.5",
            "day_count": "360",
        },
    ).content.decode()
    assert re.search(r'id="interest-amount">757.50<', html)
    assert re.search(r'id="interest-days">60<', html)
    assert cells(html, "interest-periods") == [
        ["2025-05-01", "2025-05-19", "18", "100,000.00", "4.65%", "232.50"],
        ["2025-05-19", "2025-06-30", "42", "100,000.00", "4.5%", "525.00"],
    ]
    assert "1年期LPR × 1.5，按每日适用的LPR" in html
    assert "interest@2019" in html


def test_the_page_computes_delay_interest_ignoring_the_rate_fields(client):
    client.force_login(make_user(Role.COUNSEL))
    html = client.get(
        URL,
        {
            "kind": "delay",
            "principal": "100000",
            "from": "2026-03-06",
            "to": "2026-04-04",
            "rate": "4.35",
            "day_count": "365",
        },
    ).content.decode()
    assert re.search(r'id="interest-amount">525.00<', html)
    assert cells(html, "interest-periods") == [["2026-03-06", "2026-04-04", "30", "100,000.00", "1.75‱", "525.00"]]
    assert "首尾两日均计入" in html


def test_a_percentage_on_the_page_is_the_contract_rate(client):
    client.force_login(make_user(Role.COUNSEL))
    html = client.get(
        URL, {"kind": "simple", "principal": "100000", "from": "2025-01-01", "to": "2025-12-31", "rate": "4.35", "day_count": "365"}
    ).content.decode()
    # 100,000 x 0.0435 x 364 / 365 = 4,338.08
    assert re.search(r'id="interest-amount">4,338.08<', html)
    assert "合同利率 4.35%" in html


def test_a_refused_computation_shows_the_reason_next_to_the_field(client):
    client.force_login(make_user(Role.COUNSEL))
    html = client.get(
        URL, {"kind": "simple", "principal": "100000", "from": "2019-08-01", "to": "2019-09-30", "rate_basis": "lpr_1y", "day_count": "360"}
    ).content.decode()
    assert 'id="interest-result"' not in html
    assert "2019-08-20之前没有LPR" in html
    html = client.get(
        URL, {"kind": "simple", "principal": "100000", "from": "2025-06-30", "to": "2025-05-01", "rate": "4", "day_count": "360"}
    ).content.decode()
    assert "截止日早于起算日" in html


def test_court_fees_are_computed_on_the_same_page(client):
    client.force_login(make_user(Role.MANAGER))
    html = client.get(URL, {"amount": "300000"}).content.decode()
    # LEGAL_RULES section 4's worked example: 5,800.00, 2,900.00, 4,400.00, 2,020.00.
    for figure in ("5,800.00", "2,900.00", "4,400.00", "2,020.00"):
        assert figure in html


def test_the_menu_links_the_page(client):
    client.force_login(make_user(Role.LAWYER))
    assert f'href="{URL}"' in client.get(reverse("job_list")).content.decode()


# The LPR admin -----------------------------------------------------------------------------

ADMIN_ADD = reverse("admin:legalcase_lprrate_add")


@time_machine.travel(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC), tick=False)
def test_an_administrator_adds_and_corrects_a_fixing_in_the_admin_audited(client):
    admin = make_user(Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(admin)
    response = client.post(ADMIN_ADD, {"effective_from": "2026-10-20", "lpr_1y": "0.0295", "lpr_5y": "0.0345"})
    assert response.status_code == 302
    row = LprRate.objects.get(effective_from=dt.date(2026, 10, 20))
    assert (row.lpr_1y, row.created_by) == (Decimal("0.0295"), admin)
    change = reverse("admin:legalcase_lprrate_change", args=[row.pk])
    assert client.post(change, {"lpr_1y": "0.0290", "lpr_5y": "0.0345"}).status_code == 302
    row.refresh_from_db()
    assert row.lpr_1y == Decimal("0.0290")
    details = [event.detail for event in AuditEvent.objects.filter(action="lpr_changed").order_by("at", "id")]
    assert details == [
        {"old": None, "new": {"effective_from": "2026-10-20", "lpr_1y": "0.029500", "lpr_5y": "0.034500"}},
        {
            "old": {"effective_from": "2026-10-20", "lpr_1y": "0.029500", "lpr_5y": "0.034500"},
            "new": {"effective_from": "2026-10-20", "lpr_1y": "0.029000", "lpr_5y": "0.034500"},
        },
    ]


def test_the_admin_refuses_a_day_that_is_not_a_publication_day_and_stores_nothing(client):
    admin = make_user(Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(admin)
    response = client.post(ADMIN_ADD, {"effective_from": "2025-05-19", "lpr_1y": "0.0300", "lpr_5y": "0.0350"})
    assert response.status_code == 200
    assert "2025-05-19不是LPR发布日" in response.content.decode()
    assert not LprRate.objects.filter(effective_from=dt.date(2025, 5, 19)).exists()
    assert not AuditEvent.objects.exists()


def test_counsel_cannot_open_the_lpr_admin(client):
    counsel = make_user(Role.COUNSEL)
    counsel.is_staff = True
    counsel.save(update_fields=["is_staff"])
    client.force_login(counsel)
    assert client.get(reverse("admin:legalcase_lprrate_changelist")).status_code == 403
