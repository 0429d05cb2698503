"""Issue 17: the filings follow the confirmed instrument and the transfer date, read from the document's text.

A guarantor the judgment does not bind (one of them a 一般保证 guarantor) must not be named
as 被执行人; a guarantor it binds jointly, supplementarily or up to a limit is named with
that liability; an enforcement filing without a confirmed instrument binding anyone is
refused (API and page) with nothing stored; a transfer after a judgment, recoveries and a
终本 ruling states the claim as at the transfer date.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from legalcase.identity import build_uscc
from legalcase.models import EnforcementAction, Guarantee, Matter, MatterEvent, Role, RulingParty
from legalcase.services.transfers import portfolio_add_matters, portfolio_create, portfolio_transfer
from templates_docx.context import matter_context, with_filing_data
from templates_docx.defaults import ENFORCEMENT_CODES
from templates_docx.models import DocumentTemplate, GeneratedDocument
from templates_docx.rendering import render_docx
from tests.factories import make_party, make_user
from tests.legalcase.test_claims import APPLICATION, judged_matter, recover
from tests.templates_docx.docx_samples import read_back

pytestmark = pytest.mark.django_db
D = dt.date
M = Decimal


def render(matter, code, today=APPLICATION):
    template = DocumentTemplate.objects.filter(code=code).current(on=today).get()
    matter = with_filing_data(Matter.objects.filter(pk=matter.pk)).get()
    return read_back(render_docx(bytes(template.content), matter_context(matter, today=today)).docx)["body"]


def guaranteed(matter, name, kind="joint"):
    guarantor = make_party(name)
    Guarantee.objects.create(debt=matter.debt, guarantor=guarantor, guarantee_type=kind)
    return guarantor


def respondents(text: str) -> list[str]:
    """The names after each "被执行人：" at the head of a party paragraph."""
    return [line.split("：", 1)[1].split("，", 1)[0] for line in text.splitlines() if line.startswith("被执行人：")]


@pytest.fixture
def only_the_debtor_bound():
    """The judgment orders only the debtor to pay; the debt has a joint and a general guarantor."""
    matter = judged_matter()
    guaranteed(matter, "李连带", "joint")
    guaranteed(matter, "王一般", "general")
    return matter


# Every enforcement filing but the payout-account confirmation, which names no party paragraph.
@pytest.mark.parametrize("code", sorted(ENFORCEMENT_CODES - {"payout_account_confirmation"}))
def test_guarantors_the_judgment_does_not_bind_are_never_named(only_the_debtor_bound, code):
    text = render(only_the_debtor_bound, code)
    assert respondents(text) == [only_the_debtor_bound.debt.debtor.name]
    assert "李连带" not in text and "王一般" not in text


def test_the_application_names_each_bound_guarantor_with_its_liability():
    matter = judged_matter()
    ruling = matter.rulings.get()
    joint = guaranteed(matter, "李连带", "joint")
    general = guaranteed(matter, "王一般", "general")
    limited = guaranteed(matter, "赵限额", "joint")
    RulingParty.objects.create(ruling=ruling, party=joint, role="guarantor", liability="joint")
    RulingParty.objects.create(ruling=ruling, party=general, role="guarantor", liability="supplementary")
    RulingParty.objects.create(ruling=ruling, party=limited, role="guarantor", liability="limited", limit=M("20000"))
    text = render(matter, "enforcement_application")
    assert respondents(text) == [matter.debt.debtor.name, "李连带", "王一般", "赵限额"]
    assert "（依生效法律文书承担连带清偿责任）" in text
    assert "（依生效法律文书对债务人财产依法强制执行后仍不能履行的部分承担补充清偿责任）" in text
    assert "（依生效法律文书在20,000.00元范围内承担清偿责任）" in text
    assert f"1.请求强制被执行人{matter.debt.debtor.name}、李连带、王一般、赵限额按照上述生效法律文书" in text
    assert "被执行人王一般对债务人财产依法强制执行后仍不能履行的部分承担补充清偿责任" in text


def test_without_a_confirmed_instrument_the_filing_says_why_instead_of_naming_anyone():
    matter = judged_matter()
    matter.rulings.update(confirmed=False, confirmed_at=None)
    text = render(matter, "enforcement_application")
    assert "被执行人：【待补充：没有已确认的生效法律文书（请上传判决书、调解书或裁决书并确认）】" in text
    assert matter.debt.debtor.name not in text.split("执行依据")[0]


# Refusal (API.md v1.1): POST …/documents/ answers 400 naming what is missing ------------------


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    "confirmed, bound, reason",
    [
        (False, True, "没有已确认的生效法律文书"),
        (True, False, "已确认的生效法律文书未载明被执行人"),
    ],
)
def test_an_enforcement_filing_is_refused_without_a_confirmed_instrument_binding_anyone(confirmed, bound, reason):
    matter = judged_matter()
    ruling = matter.rulings.get()
    if not confirmed:
        ruling.confirmed, ruling.confirmed_at = False, None
        ruling.save()
    if not bound:
        ruling.bound_parties.all().delete()
    user = make_user(Role.COUNSEL)
    events = MatterEvent.objects.filter(matter=matter).count()
    for code in ("enforcement_application", "consumption_restriction_application", "exit_ban_application"):
        response = api(user).post(f"/api/v1/matters/{matter.pk}/documents/", {"template": code}, format="json")
        assert response.status_code == 400, response.content
        assert reason in response.json()["template"][0]
    assert GeneratedDocument.objects.filter(matter=matter).count() == 0
    assert MatterEvent.objects.filter(matter=matter).count() == events
    # A filing that is not an enforcement one is made as before.
    ok = api(user).post(f"/api/v1/matters/{matter.pk}/documents/", {"template": "demand_letter"}, format="json")
    assert ok.status_code in (201, 202), ok.content


def test_the_page_refuses_likewise_with_the_reason_in_chinese(client):
    matter = judged_matter()
    matter.rulings.get().bound_parties.all().delete()
    client.force_login(make_user(Role.COUNSEL))
    response = client.post(f"/matters/{matter.pk}/filings/generate/", {"template": "enforcement_application"})
    assert "已确认的生效法律文书未载明被执行人" in response.content.decode()
    assert GeneratedDocument.objects.filter(matter=matter).count() == 0


# The transfer notice states the claim as at the transfer date ---------------------------------


@pytest.fixture
def transferred_after_judgment(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: D(2026, 7, 1))
    matter = judged_matter()  # 50,000.00 principal, 1,200.00 interest, 545.00 fee; delay interest from 2026-04-08
    recover(matter, D(2026, 4, 20), costs="545.00", interest="1200.00", principal="8000.00")
    recover(matter, D(2026, 6, 20), principal="1000.00")  # after the transfer: not deducted
    EnforcementAction.objects.create(
        matter=matter, kind="termination_current", court="上海市浦东新区人民法院",
        case_number="（2026）沪0115执1234号", started_on=D(2026, 5, 10),
    )  # fmt: skip
    counsel = make_user(Role.COUNSEL)
    portfolio = portfolio_create(user=counsel, name="2026-B")
    portfolio_add_matters(user=counsel, portfolio_id=portfolio.pk, matter_ids=[matter.pk])
    portfolio_transfer(
        user=counsel, portfolio_id=portfolio.pk, effective_on=D(2026, 6, 1), agreement="《债权转让协议》（编号：ZR-9）",
        to_creditor={"name": "某某资产管理股份有限公司", "uscc": build_uscc("91310000MA1AMC009"), "address": "上海市黄浦区1号"},
    )  # fmt: skip
    return matter


def test_the_transfer_notice_states_the_claim_as_at_the_transfer_date(transferred_after_judgment):
    matter = transferred_after_judgment
    context = matter_context(with_filing_data(Matter.objects.filter(pk=matter.pk)).get(), today=D(2026, 7, 1))
    claim = context["transfer"]["claim"]
    assert claim["as_of"] == D(2026, 6, 1) and claim["judged"] is True
    assert (claim["principal"], claim["interest"], claim["costs"]) == (M("42000.00"), M("0.00"), M("0.00"))
    assert claim["recovered"] == M("9745.00")
    # 迟延履行 interest to the transfer date, not to today: 50,545.00 a day x 0.000175 from the day after
    # the performance period to the recovery (04-20), then 42,000.00 x 0.000175 for 42 days (04-21..06-01).
    start = context["instrument"]["delay_interest_from"]
    before = (D(2026, 4, 20) - start).days + 1
    # The 受理费 (545.00) is out of the 迟延履行 base unless counsel includes it (LEGAL_RULES B.6).
    expected = M("50000.00") * M("0.000175") * before + M("42000.00") * M("0.000175") * 42
    assert claim["delay_interest"] == expected.quantize(M("0.01"))
    text = render(matter, "transfer_notice", today=D(2026, 7, 1))
    assert "生效法律文书：上海市浦东新区人民法院（2026）沪0115民初1234号民事判决书。" in text
    assert "2026年5月10日作出（2026）沪0115执1234号执行裁定终结本次执行程序" in text
    assert "截至转让日2026年6月1日，依上述生效法律文书，您尚欠本金42,000.00元、利息0.00元、诉讼费用0.00元" in text
    assert "已扣除生效法律文书作出后已收回的9,745.00元" in text
    total = claim["total"]
    assert total == M("42000.00") + claim["delay_interest"]
    assert f"合计{total:,}元" in text
    # Never the escalation's figures (the card contract only).
    assert f"{matter.debt.claim_total:,}" not in text


def test_a_notice_of_assignment_is_refused_for_a_claim_never_assigned_and_made_once_one_is():
    from legalcase.models import Creditor

    matter = judged_matter()
    user = make_user(Role.COUNSEL)
    events = MatterEvent.objects.filter(matter=matter).count()
    for code in ("transfer_notice", "change_of_applicant"):
        response = api(user).post(f"/api/v1/matters/{matter.pk}/documents/", {"template": code}, format="json")
        assert response.status_code == 400, response.content
        assert "本案债权未登记转让" in response.json()["template"][0]
    assert GeneratedDocument.objects.filter(matter=matter).count() == 0
    assert MatterEvent.objects.filter(matter=matter).count() == events
    debt = matter.debt
    debt.original_creditor = Creditor.objects.create(name="某某银行股份有限公司上海分行", uscc="91310000MA1FL09011")
    debt.save(update_fields=["original_creditor"])
    ok = api(user).post(f"/api/v1/matters/{matter.pk}/documents/", {"template": "transfer_notice"}, format="json")
    assert ok.status_code in (201, 202), ok.content
