"""The matter page's demand history, guarantors and deadlines, and the limitation watch page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from legalcase.models import Deadline, Role
from legalcase.services import matter_deadlines_recompute
from tests.factories import escalation_body, make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db


def escalate(**overrides):
    client = APIClient()
    client.force_authenticate(make_user(Role.COUNSEL))
    response = client.post("/api/v1/escalations/", escalation_body(**overrides), format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_the_matter_page_shows_demands_guarantors_portfolio_and_deadlines(client):
    matter_id = escalate(
        original_creditor={"name": "某某银行股份有限公司", "uscc": "91310000MA1FL0099U"},
        creditor={"name": "某某资产管理公司", "uscc": "91110000MA0000001L"},
        portfolio="2025年第一批资产包",
        demands=[
            {"date": "2025-01-15", "channel": "sms", "delivered": True, "note": "短信送达回执 #88123"},
            {"date": "2025-02-20", "channel": "visit", "delivered": False},
        ],
    )
    client.force_login(make_user(Role.COUNSEL))
    html = client.get(reverse("matter_detail", args=[matter_id])).content.decode()
    assert "催告与送达" in html and "短信" in html and "上门" in html
    assert "已送达" in html and "未送达" in html and "短信送达回执 #88123" in html
    assert "2025年第一批资产包" in html and "某某银行股份有限公司" in html
    assert "诉讼时效届满" in html and "2028-01-17" in html and "limitation@2021" in html
    assert "日历未核实" in html
    assert "保证期间届满" in html and "2025-05-06" in html and "法定六个月" in html
    assert "连带责任保证" in html


def test_the_watch_page_lists_periods_ending_within_90_days_and_the_expired_ones(client):
    firm = make_firm()
    today = timezone.localdate()
    soon = make_matter(firm=firm, overdue_since=today - dt.timedelta(days=3 * 365 - 20))
    later = make_matter(overdue_since=today - dt.timedelta(days=2 * 365))
    barred = make_matter(overdue_since=dt.date(2020, 3, 2))
    for matter in (soon, later, barred):
        matter_deadlines_recompute(matter_id=matter.pk)
    client.force_login(make_user(Role.MANAGER))
    response = client.get(reverse("limitation_watch"))
    html = response.content.decode()
    assert "时效预警" in html
    ending = [d.matter_id for d in response.context["ending"]]
    expired = [d.matter_id for d in response.context["expired"]]
    assert ending == [soon.pk] and expired == [barred.pk]
    assert soon.number in html and barred.number in html and later.number not in html
    lawyer = make_user(Role.LAWYER, firm=firm)
    client.force_login(lawyer)
    response = client.get(reverse("limitation_watch"))
    assert [d.matter_id for d in response.context["ending"]] == [soon.pk]
    assert list(response.context["expired"]) == []


def test_a_closed_deadline_leaves_the_watch_page(client):
    matter = make_matter(overdue_since=dt.date(2020, 3, 2))
    matter_deadlines_recompute(matter_id=matter.pk)
    Deadline.objects.filter(matter=matter).update(status="done")
    client.force_login(make_user(Role.COUNSEL))
    assert list(client.get(reverse("limitation_watch")).context["expired"]) == []


def test_the_watch_page_needs_a_sign_in(client):
    assert client.get(reverse("limitation_watch")).status_code == 302
