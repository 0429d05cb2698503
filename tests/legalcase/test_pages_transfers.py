"""The portfolio pages, the transfer form and its batches, and the matter page's creditor chain section."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from legalcase.identity import build_uscc
from legalcase.models import (
    ClaimTransfer,
    Debt,
    DemandRecord,
    Matter,
    Portfolio,
    PortfolioTransfer,
    Role,
    Stage,
)
from legalcase.services.transfers import (
    portfolio_add_matters,
    portfolio_create,
    portfolio_transfer,
)
from legalcase.views import MATTER_SECTIONS
from templates_docx.models import Batch
from tests.factories import make_creditor, make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 4, 1)
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
AMC_USCC = build_uscc("91310000MA1AMC001")
FORM = {
    "to_creditor_name": "某某资产管理股份有限公司上海市分公司",
    "to_creditor_uscc": AMC_USCC,
    "to_creditor_address": "上海市黄浦区中山东一路1号",
    "to_creditor_representative": "李某",
    "effective_on": "2026-02-01",
    "agreement": "《债权转让协议》（编号：ZR-2026-001）",
    "newspaper": "上海法治报",
    "announced_on": "2026-03-10",
    "note": "",
}


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def signed_in(role=Role.COUNSEL, **kwargs) -> tuple[Client, object]:
    user = make_user(role, **kwargs)
    client = Client(**EN)
    client.force_login(user)
    # The pages in English, as the messages below are written; Chinese is the default.
    client.cookies["django_language"] = "en"
    return client, user


@pytest.fixture
def bank():
    return make_creditor(name="示例银行股份有限公司信用卡中心")


@pytest.fixture
def portfolio(bank):
    """Two matters of the bank: one at intake, one in enforcement; 1,000.00 recovered on the second."""
    admin = make_user(Role.ADMIN)
    first = make_matter(creditor=bank)
    second = make_matter(creditor=bank, stage=Stage.ENFORCEMENT)
    Matter.objects.filter(pk=second.pk).update(recovered_principal=Decimal("1000.00"))
    portfolio = portfolio_create(user=admin, name="2026年第一期")
    portfolio_add_matters(user=admin, portfolio_id=portfolio.pk, matter_ids=[first.pk, second.pk])
    portfolio.matters = (first, second)
    return portfolio


def test_the_list_shows_holder_matters_claim_recovered_and_rate(portfolio, bank):
    client, _user = signed_in(Role.MANAGER)
    page = client.get(reverse("portfolio_list")).content.decode()
    # Two claims of 52,558.05; 1,000.00 recovered: 0.95%.
    assert "2026年第一期" in page
    # The rate as the dashboard shows it, to one place: 0.95% -> 1.0%.
    assert "105,116.10" in page and "1,000.00" in page and "1.0%" in page


def test_creating_a_portfolio_from_the_list_and_a_duplicate_name_shown_next_to_the_field(portfolio):
    client, _user = signed_in()
    response = client.post(reverse("portfolio_create"), {"name": "2026年第二期"})
    created = Portfolio.objects.get(name="2026年第二期")
    assert response.status_code == 302 and response["Location"] == reverse("portfolio_detail", args=[created.pk])
    again = client.post(reverse("portfolio_create"), {"name": "2026年第二期"})
    assert again.status_code == 200
    assert "A portfolio with this name already exists." in again.content.decode()
    assert Portfolio.objects.filter(name="2026年第二期").count() == 1


def test_adding_matters_by_number_and_an_unknown_number_refuses_all(portfolio, bank):
    client, _user = signed_in()
    third, fourth = make_matter(creditor=bank), make_matter(creditor=bank)
    url = reverse("portfolio_add_matters", args=[portfolio.pk])
    refused = client.post(url, {"numbers": f"{third.number}\nFS-1999-000001"})
    assert refused.status_code == 200
    assert "No matter you can see has these numbers: FS-1999-000001" in refused.content.decode()
    assert Debt.objects.filter(portfolio=portfolio).count() == 2
    added = client.post(url, {"numbers": f"{third.number}, {fourth.number.lower()}"})
    assert added.status_code == 302
    assert Debt.objects.filter(portfolio=portfolio).count() == 4


def test_the_detail_page_lists_the_matters_masked_and_the_transfers(portfolio):
    client, _user = signed_in()
    page = client.get(reverse("portfolio_detail", args=[portfolio.pk])).content.decode()
    first = portfolio.matters[0]
    assert first.number in page
    assert first.debt.masked_account_number in page and first.debt.account_number not in page
    assert "No transfers recorded." in page


def test_a_transfer_from_the_form_offers_both_batches_with_the_right_counts(portfolio):
    client, _user = signed_in()
    response = client.post(reverse("portfolio_transfer", args=[portfolio.pk]), FORM)
    transfer = PortfolioTransfer.objects.get()
    result_url = reverse("portfolio_transfer_result", args=[portfolio.pk, transfer.pk])
    assert response.status_code == 302 and response["Location"] == result_url
    assert ClaimTransfer.objects.count() == 2 and DemandRecord.objects.count() == 2

    page = client.get(result_url).content.decode()
    assert "Generate transfer notices for the 2 debtors" in page
    assert "Generate the change-of-applicant application for the 1 matter in enforcement" in page
    assert portfolio.matters[1].number in page


def test_the_batch_buttons_start_a_batch_for_the_right_matters(portfolio):
    client, _user = signed_in()
    client.post(reverse("portfolio_transfer", args=[portfolio.pk]), FORM)
    transfer = PortfolioTransfer.objects.get()
    first, second = portfolio.matters
    for template, expected in (("transfer_notice", [first.pk, second.pk]), ("change_of_applicant", [second.pk])):
        url = reverse("portfolio_transfer_batch", args=[portfolio.pk, transfer.pk, template])
        response = client.post(url, {"template": template, "procedure": "simplified", "step": "start"})
        assert response.status_code == 307 and response["Location"] == reverse("batch_new")
        started = client.post(response["Location"], {"template": template, "procedure": "simplified", "step": "start"})
        batch = Batch.objects.order_by("-id").first()
        assert started.status_code == 302 and started["Location"] == reverse("batch_detail", args=[batch.pk])
        assert batch.template.code == template
        assert sorted(batch.items.values_list("matter_id", flat=True)) == sorted(expected)


def test_a_bad_transfer_shows_the_error_next_to_its_field_and_stores_nothing(portfolio):
    client, _user = signed_in()
    for field, value, message in (
        ("to_creditor_uscc", "91310000MA1AMC0010", None),
        ("announced_on", "2026-01-01", "The announcement cannot come before the transfer takes effect."),
        ("effective_on", "2026-05-01", "A transfer cannot take effect in the future."),
        ("agreement", "", None),
    ):
        response = client.post(reverse("portfolio_transfer", args=[portfolio.pk]), {**FORM, field: value})
        assert response.status_code == 200
        form = response.context["form"]
        assert field in form.errors, field
        if message:
            assert message in form.errors[field]
    assert PortfolioTransfer.objects.count() == 0 and ClaimTransfer.objects.count() == 0
    assert DemandRecord.objects.count() == 0
    assert set(Debt.objects.values_list("creditor__name", flat=True)) == {"示例银行股份有限公司信用卡中心"}


def test_lawyers_may_not_open_the_portfolio_pages(portfolio):
    client, _user = signed_in(Role.LAWYER)
    transfer = portfolio_transfer(
        user=make_user(Role.COUNSEL), portfolio_id=portfolio.pk, to_creditor={"name": "AMC", "uscc": AMC_USCC},
        effective_on=D(2026, 2, 1), agreement="ZR-1",
    ).transfer  # fmt: skip
    for url in (
        reverse("portfolio_list"),
        reverse("portfolio_detail", args=[portfolio.pk]),
        reverse("portfolio_transfer", args=[portfolio.pk]),
        reverse("portfolio_transfer_result", args=[portfolio.pk, transfer.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("portfolio_transfer", args=[portfolio.pk]), FORM).status_code == 403
    assert client.post(reverse("portfolio_create"), {"name": "x"}).status_code == 403
    assert PortfolioTransfer.objects.count() == 1


def test_a_manager_may_transfer_but_is_not_offered_filings(portfolio):
    client, _user = signed_in(Role.MANAGER)
    client.post(reverse("portfolio_transfer", args=[portfolio.pk]), FORM)
    transfer = PortfolioTransfer.objects.get()
    page = client.get(reverse("portfolio_transfer_result", args=[portfolio.pk, transfer.pk])).content.decode()
    assert "Generating filings is for counsel and administrators." in page
    url = reverse("portfolio_transfer_batch", args=[portfolio.pk, transfer.pk, "transfer_notice"])
    assert client.post(url, {"template": "transfer_notice"}).status_code == 403
    assert Batch.objects.count() == 0


def test_the_chain_section_is_registered_and_shows_each_step(portfolio, bank):
    assert "transfers_section" in [section.url_name for section in MATTER_SECTIONS]
    firm = make_firm()
    matter = portfolio.matters[0]
    Matter.objects.filter(pk=matter.pk).update(assigned_firm=firm)
    portfolio_transfer(
        user=make_user(Role.COUNSEL), portfolio_id=portfolio.pk, to_creditor={"name": "某资产管理公司", "uscc": AMC_USCC},
        effective_on=D(2026, 2, 1), agreement="ZR-2026-001", newspaper="上海法治报", announced_on=D(2026, 3, 10),
    )  # fmt: skip
    lawyer, _user = signed_in(Role.LAWYER, firm=firm)
    page = lawyer.get(reverse("transfers_section", args=[matter.pk])).content.decode()
    assert bank.name in page and "某资产管理公司" in page
    assert "2026-02-01" in page and "2026-03-10 《上海法治报》公告" in page
    assert lawyer.get(reverse("transfers_section", args=[portfolio.matters[1].pk])).status_code == 404
    plain = make_matter()
    counsel, _user = signed_in()
    assert "No transfer recorded." in counsel.get(reverse("transfers_section", args=[plain.pk])).content.decode()
