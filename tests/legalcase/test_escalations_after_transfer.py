"""A creditor that sold a claim may no longer escalate its account; the buyer may (API and bulk import)."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from legalcase.identity import build_uscc
from legalcase.importing import escalations_import
from legalcase.models import Debt, Matter, Role
from legalcase.services.transfers import (
    portfolio_add_matters,
    portfolio_create,
    portfolio_transfer,
)
from tests.factories import escalation_body, make_user
from tests.legalcase.test_import import read_errors, row, write_csv

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 4, 1)
BANK_USCC = "91310000MA1FL0099U"
AMC = {"name": "某某资产管理股份有限公司", "uscc": build_uscc("91310000MA1AMC001"), "address": "上海市黄浦区1号"}


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


def sell(counsel, matter):
    portfolio = portfolio_create(user=counsel, name="2026年第一期资产包")
    portfolio_add_matters(user=counsel, portfolio_id=portfolio.pk, matter_ids=[matter.pk])
    portfolio_transfer(
        user=counsel, portfolio_id=portfolio.pk, to_creditor=AMC, effective_on=dt.date(2026, 2, 1),
        agreement="《债权转让协议》（编号：ZR-2026-001）",
    )  # fmt: skip


def test_the_seller_escalating_a_sold_account_again_is_a_conflict_naming_the_buyer(counsel):
    client = APIClient()
    client.force_authenticate(counsel)
    matter = Matter.objects.get(pk=client.post("/api/v1/escalations/", escalation_body(), format="json").json()["id"])
    sell(counsel, matter)

    answer = client.post("/api/v1/escalations/", escalation_body(), format="json")

    assert answer.status_code == 409
    assert matter.number in answer.json()["detail"] and AMC["name"] in answer.json()["detail"]
    assert Debt.objects.count() == 1 and Matter.objects.count() == 1
    # The buyer escalating the same account updates the one matter.
    bought = escalation_body(creditor={"name": AMC["name"], "uscc": AMC["uscc"]})
    again = client.post("/api/v1/escalations/", bought, format="json")
    assert again.status_code == 200 and again.json()["id"] == matter.pk


def test_a_bulk_import_rejects_the_sold_account_and_stores_the_rest(counsel, tmp_path):
    first = write_csv(tmp_path / "first.csv", [row(1)])
    escalations_import(user=counsel, path=first)
    matter = Matter.objects.get()
    sell(counsel, matter)

    second = write_csv(tmp_path / "second.csv", [row(1, principal="50000.00"), row(2)])
    counts = escalations_import(user=counsel, path=second)

    assert (counts["created"], counts["rejected"]) == (1, 1)
    errors = read_errors(second)
    assert errors[1][0] == "2" and matter.number in errors[1][1]
    assert Debt.objects.get(pk=matter.debt_id).principal != 50000
    assert Debt.objects.filter(creditor__uscc=BANK_USCC).count() == 1


def test_the_buyers_feed_with_no_lender_or_portfolio_keeps_the_chain(counsel):
    client = APIClient()
    client.force_authenticate(counsel)
    matter = Matter.objects.get(pk=client.post("/api/v1/escalations/", escalation_body(), format="json").json()["id"])
    sell(counsel, matter)
    bought = escalation_body(creditor={"name": AMC["name"], "uscc": AMC["uscc"]}, original_creditor=None, portfolio=None)

    assert client.post("/api/v1/escalations/", bought, format="json").status_code == 200

    debt = Debt.objects.select_related("original_creditor", "portfolio").get(pk=matter.debt_id)
    assert debt.original_creditor.uscc == BANK_USCC and debt.portfolio.name == "2026年第一期资产包"
