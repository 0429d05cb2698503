"""The settlement agreement (和解协议) rendered from a settlement recorded through the service."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from legalcase.models import Matter, Proceeding, Role, Settlement, Stage
from templates_docx.context import matter_context, with_filing_data
from templates_docx.filters import rmb_upper
from templates_docx.models import DocumentTemplate
from templates_docx.rendering import render_docx
from tests.factories import make_forum, make_matter, make_user
from tests.templates_docx.docx_samples import read_back

pytestmark = pytest.mark.django_db

D = dt.date
M = Decimal
TODAY = D(2026, 4, 5)
# Outstanding 10,500.00.
SMALL = {
    "principal": M("10000.00"),
    "interest": M("500.00"),
    "penalty_interest": M("0"),
    "compound_interest": M("0"),
    "late_fees": M("0"),
    "fees": M("0"),
}


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


def agree(user, matter, **changes):
    from legalcase.services.settlements import settlement_record

    arguments = {
        "agreed_on": D(2026, 3, 1),
        "reduction": M("500.00"),
        "count": 3,
        "first_due_on": D(2026, 3, 31),
        "monthly_income": M("4500.00"),
        "hardship": "患病住院，收入减少",
        "grace_days": 10,
        **changes,
    }
    return settlement_record(user=user, matter_id=matter.pk, **arguments)


def rendered(matter):
    matter = with_filing_data(Matter.objects.filter(pk=matter.pk)).get()
    template = DocumentTemplate.objects.filter(code="settlement_agreement").current(on=TODAY).get()
    result = render_docx(bytes(template.content), matter_context(matter, today=TODAY))
    return read_back(result.docx), result.missing


def test_the_agreement_carries_the_parties_figures_schedule_and_breach_clause(counsel):
    matter = make_matter(stage=Stage.JUDGMENT, **SMALL)
    agree(counsel, matter)
    text, missing = rendered(matter)
    body = text["body"]
    debtor = matter.debt.debtor
    assert matter.number in text["title"]
    assert "和解协议" in body and "执行和解协议" not in body
    assert matter.debt.creditor.name in body and debtor.name in body
    assert debtor.id_number in body  # a filing carries the identity number in full
    # 10,500.00 outstanding on 1 March, 500.00 waived, 10,000.00 in three instalments.
    assert "截至2026年3月1日，乙方尚欠甲方债务合计10,500.00元" in body
    assert rmb_upper(M("10500.00")).removeprefix("人民币") in body
    assert "减免500.00元" in body and "乙方实际应偿还10,000.00元" in body
    for row in (
        "第1期\n2026年3月31日\n3,333.33",
        "第2期\n2026年4月30日\n3,333.33",
        "第3期\n2026年5月31日\n3,333.34",
        "合计\n共3期\n10,000.00",
    ):
        assert row in body
    assert "月收入约4,500.00元" in body and "患病住院" in body
    assert "超过10日仍未足额支付" in body
    assert "第二百四十一条" not in body  # no enforcement case: an agreement before suit
    assert "日期：2026年3月1日" in body
    assert not any("和解" in label or "减免" in label or "还款计划" in label for label in missing)


def test_with_an_enforcement_case_it_is_an_enforcement_settlement_citing_art_241(counsel):
    matter = make_matter(stage=Stage.ENFORCEMENT, **SMALL)
    court = make_forum()
    Proceeding.objects.create(matter=matter, kind="enforcement", forum=court, case_number="（2026）沪0115执1234号")
    agree(counsel, matter)
    body = rendered(matter)[0]["body"]
    assert "执行和解协议" in body
    assert "案号：（2026）沪0115执1234号" in body
    assert "《中华人民共和国民事诉讼法》第二百四十一条及《最高人民法院关于执行和解若干问题的规定》第九条" in body
    assert f"申请{court.name}恢复执行原生效法律文书" in body
    assert "一式三份" in body


def test_the_active_settlement_is_chosen_over_a_breached_one_and_a_cancelled_one_leaves_markers(counsel):
    matter = make_matter(stage=Stage.JUDGMENT, **SMALL)
    breached = agree(counsel, matter, agreed_on=D(2026, 1, 5), count=2, first_due_on=D(2026, 1, 31))
    assert Settlement.objects.get(pk=breached.pk).status == Settlement.Status.BREACHED
    agree(counsel, matter, reduction=M("1500.00"), count=1, first_due_on=D(2026, 4, 30))
    body = rendered(matter)[0]["body"]
    assert "减免1,500.00元" in body and "第1期\n2026年4月30日\n9,000.00" in body

    Settlement.objects.filter(matter=matter).update(status=Settlement.Status.CANCELLED)
    text, missing = rendered(matter)
    assert {"和解时欠款总额", "减免金额", "和解还款总额", "还款计划（期数、还款日、金额）"} <= set(missing)
    assert "日期：2026年4月5日" in text["body"]
