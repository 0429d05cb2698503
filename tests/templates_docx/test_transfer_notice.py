"""The 债权转让通知书 and the transfer part of the filing context, from real recorded transfers."""

import datetime as dt

import pytest

from templates_docx.sample import missing
from django.utils import timezone

from legalcase.identity import build_uscc
from legalcase.models import Guarantee, Matter, Role
from legalcase.services.transfers import (
    portfolio_add_matters,
    portfolio_create,
    portfolio_transfer,
)
from templates_docx.context import matter_context, with_filing_data
from templates_docx.filters import amount, rmb_upper
from templates_docx.models import DocumentTemplate
from templates_docx.rendering import render_docx
from tests.factories import make_creditor, make_matter, make_party, make_user
from tests.templates_docx.docx_samples import read_back

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 4, 1)
AMC = {
    "name": "某某资产管理股份有限公司上海市分公司",
    "uscc": build_uscc("91310000MA1AMC001"),
    "address": "上海市黄浦区1号",
}
AMC2 = {"name": "另一资产管理有限公司", "uscc": build_uscc("91310000MA1AMC002"), "address": "上海市静安区2号"}


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def transferred():
    """A card debt of the bank with a guarantor, sold to an AMC (announced) and then on to a second one."""
    counsel = make_user(Role.COUNSEL)
    bank = make_creditor(name="示例银行股份有限公司信用卡中心")
    matter = make_matter(creditor=bank, debtor=make_party("张伟"), stage="enforcement")
    Guarantee.objects.create(debt=matter.debt, guarantor=make_party("李娜"))
    portfolio = portfolio_create(user=counsel, name="2026-A")
    portfolio_add_matters(user=counsel, portfolio_id=portfolio.pk, matter_ids=[matter.pk])
    portfolio_transfer(
        user=counsel, portfolio_id=portfolio.pk, to_creditor=AMC, effective_on=D(2026, 2, 1),
        agreement="《债权转让协议》（编号：ZR-2026-001）", newspaper="上海法治报", announced_on=D(2026, 2, 10),
    )  # fmt: skip
    portfolio_transfer(
        user=counsel, portfolio_id=portfolio.pk, to_creditor=AMC2, effective_on=D(2026, 3, 1),
        agreement="《债权转让协议》（编号：ZR-2026-777）", newspaper="法治日报", announced_on=D(2026, 3, 5),
    )  # fmt: skip
    return with_filing_data(Matter.objects.filter(pk=matter.pk)).get(), bank


def test_the_context_reads_the_chain_from_the_recorded_steps(transferred):
    matter, bank = transferred
    context = matter_context(matter, today=TODAY)["transfer"]
    assert context.pop("claim")["as_of"] == D(2026, 3, 1)  # the last assignment (test_filings_content)
    assert context == {
        "assigned": True,
        "original_creditor": bank.name,
        "assignor": AMC["name"],
        "assigned_on": D(2026, 3, 1),
        "notice": "《法治日报》公告",
        "agreement": "《债权转让协议》（编号：ZR-2026-777）",
        "notified_on": D(2026, 3, 5),
        "newspaper": "法治日报",
        "announced_on": D(2026, 3, 5),
        # The assignee's collection account: not recorded in this test (templates_docx.FilingDetails).
        "collection_bank": missing("受让人收款账户开户行"),
        "collection_account": missing("受让人收款账号"),
        "chain": [
            {
                "from_creditor": bank.name,
                "to_creditor": AMC["name"],
                "effective_on": D(2026, 2, 1),
                "agreement": "《债权转让协议》（编号：ZR-2026-001）",
            },
            {
                "from_creditor": AMC["name"],
                "to_creditor": AMC2["name"],
                "effective_on": D(2026, 3, 1),
                "agreement": "《债权转让协议》（编号：ZR-2026-777）",
            },
        ],
    }


def test_a_debt_never_assigned_and_one_bought_before_fasu_keep_their_values():
    plain = make_matter()
    bought = make_matter(original_creditor=make_creditor())
    assert matter_context(plain, today=TODAY)["transfer"]["assignor"] == ""
    context = matter_context(bought, today=TODAY)["transfer"]
    assert context["assigned"] is True
    assert (context["assigned_on"], context["chain"]) == ("【待补充：债权转让日期】", [])


def test_the_notice_tells_the_debtor_and_guarantor_whom_to_pay(transferred):
    matter, bank = transferred
    template = DocumentTemplate.objects.filter(code="transfer_notice").current(on=TODAY).get()
    rendered = render_docx(bytes(template.content), matter_context(matter, today=TODAY))
    body = read_back(rendered.docx)["body"]
    debt = matter.debt

    assert "债权转让通知书" in body
    assert "债务人：张伟" in body and "保证人：李娜" in body
    assert (
        f"{AMC['name']}（以下简称“转让人”）与{AMC2['name']}（以下简称“受让人”）签订《债权转让协议》（编号：ZR-2026-777）"
        in body
    )
    assert "转让自2026年3月1日起生效" in body
    assert f"原债权人：{bank.name}（该债权此前已由原债权人转让" in body
    assert debt.masked_account_number in body and debt.account_number not in body
    assert debt.debtor.id_number not in body
    assert "截至2025年6月30日" in body
    assert f"合计{amount(debt.claim_total)}元（{rmb_upper(debt.claim_total)}）" in body
    assert "第五百四十六条" in body and "第六百九十六条" in body
    assert "保证人李娜：" in body
    assert "2026年3月5日在《法治日报》刊登债权转让暨催收公告" in body
    assert f"转让人（盖章）：{AMC['name']}" in body and f"受让人（盖章）：{AMC2['name']}" in body
    assert "2026年4月1日" in body
    assert "受让人收款账号" in rendered.missing


def test_the_change_of_applicant_application_names_the_parties_of_the_chain(transferred):
    matter, bank = transferred
    template = DocumentTemplate.objects.filter(code="change_of_applicant").current(on=TODAY).get()
    body = read_back(render_docx(bytes(template.content), matter_context(matter, today=TODAY)).docx)["body"]
    assert f"申请人：{AMC2['name']}" in body
    assert "2026年3月1日，原申请执行人与申请人签订《债权转让协议》（编号：ZR-2026-777）" in body
    assert "已于2026年3月5日将债权转让的事实通知被执行人（通知情况：《法治日报》公告）" in body
    # 原申请执行人 is the creditor that assigned the claim to the applicant: after two
    # transfers, the first assignee, not the first lender.
    assert f"原申请执行人：{AMC['name']}" in body


@pytest.mark.parametrize(
    ("code", "sentence"),
    [
        ("complaint_credit_card", "原债权人{bank}的债权经转让后，由{amc}于2026年3月1日将该债权转让予原告"),
        ("preservation_application", "上述债权原由{bank}享有，经转让后由{amc}于2026年3月1日转让予申请人"),
        ("settlement_agreement", "上述债权原由{bank}享有，经转让后已由{amc}于2026年3月1日依法转让予甲方"),
    ],
)
def test_after_two_transfers_the_filings_name_the_first_lender_and_the_last_assignor(transferred, code, sentence):
    matter, bank = transferred
    template = DocumentTemplate.objects.filter(code=code).current(on=TODAY).get()
    body = read_back(render_docx(bytes(template.content), matter_context(matter, today=TODAY)).docx)["body"]
    assert sentence.format(bank=bank.name, amc=AMC["name"]) in body.replace("\n", "")
