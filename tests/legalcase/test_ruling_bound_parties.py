"""Rulings answer ``bound_parties`` (API.md v1.1): read from the operative part, corrected at confirmation."""

from decimal import Decimal
from pathlib import Path

import pytest

from legalcase.models import EventKind, Guarantee, MatterEvent, Role, Ruling, RulingParty
from legalcase.rulings import bound_parties, read_ruling
from tests.evidence.conftest import evidence_storage, stored_files  # noqa: F401  (the shared storage fixture)
from tests.factories import make_matter, make_party, make_user
from tests.legalcase.test_rulings_api import api, confirm, docx_of, sample, upload

SHARED = Path("/work/shared/fixtures/rulings")


def read(text):
    return [(p["name"], p["liability"], p["limit"]) for p in (bound_parties(text) or ())]


# The reader ------------------------------------------------------------------------------


@pytest.mark.skipif(not SHARED.exists(), reason="the shared ruling fixtures are not on this machine")
def test_the_published_judgments_bind_whom_their_operative_part_names():
    one = read_ruling((SHARED / "01_minshi_panjueshu.txt").read_text(encoding="utf-8"))
    # "被告王涛、李月兰于本判决生效之日共同偿还…": borrower and co-borrower, jointly.
    assert [(p["name"], p["liability"]) for p in one.bound_parties] == [("王涛", "joint"), ("李月兰", "joint")]
    two = read_ruling((SHARED / "02_minshi_panjueshu.txt").read_text(encoding="utf-8"))
    assert [(p["name"], p["liability"]) for p in two.bound_parties] == [("关伟斌", "principal")]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("judgment_03_wanyuan_guarantor", [("赵立新", "joint", None), ("周海波", "joint", None), ("刘婷婷", "joint", None)]),
        ("judgment_10_running_rate_only", [("王建国", "principal", None), ("陈晓燕", "joint", None)]),
        ("award_03_wanyuan", [("陈晓燕", "principal", None), ("孙志强", "joint", None)]),
        ("mediation_01_instalments", [("张明远", "principal", None)]),
        ("payment_order_11_several_respondents", [("白志刚", "principal", None), ("白雪", "principal", None)]),
        ("judgment_05_second_instance_upheld", []),
        ("ruling_05_termination_current", []),
    ],
)
def test_the_sample_instruments_bind_whom_they_name(name, expected):
    assert [(p["name"], p["liability"], p["limit"]) for p in (read_ruling(sample(name)).bound_parties or ())] == expected


def test_each_form_of_liability_is_read_from_its_words():
    operative = (
        "一、被告张伟于本判决生效之日起十日内偿还原告某某银行股份有限公司信用卡中心透支本金48,235.60元、利息8,484.05元；\n"
        "二、被告李娜对上述第一项债务承担连带清偿责任，其承担保证责任后，有权向被告张伟追偿；\n"
        "三、被告王五对被告张伟不能清偿部分承担补充赔偿责任；\n"
        "四、被告赵六在50,000元范围内对上述债务承担连带清偿责任；\n"
        "五、被告孙七按份承担清偿责任；\n"
        "六、驳回原告对被告钱八的诉讼请求。"
    )
    assert read(operative) == [
        ("张伟", "principal", None),
        ("李娜", "joint", None),
        ("王五", "supplementary", None),
        ("赵六", "limited", Decimal("50000.00")),
        ("孙七", "several", None),
    ]


def test_an_organisation_and_a_list_of_joint_guarantors_are_read():
    operative = "一、被告某某贸易有限公司于本判决生效之日起十日内向原告支付货款100元；\n二、被告孙八、周九对上述债务承担连带责任。"
    assert read(operative) == [("某某贸易有限公司", "principal", None), ("孙八", "joint", None), ("周九", "joint", None)]


def test_nobody_is_bound_when_the_document_names_no_payer():
    assert bound_parties(None) is None
    assert bound_parties("驳回原告的全部诉讼请求。") is None
    assert read_ruling("").bound_parties is None


# The API ---------------------------------------------------------------------------------


@pytest.fixture
def guaranteed_matter(db):
    """赵立新 borrows, 刘婷婷 and 王一般 guarantee; judgment_03 binds 赵立新 and 刘婷婷 (and 周海波, not of this matter)."""
    matter = make_matter(debtor=make_party("赵立新"))
    liu = make_party("刘婷婷")
    wang = make_party("王一般")
    Guarantee.objects.create(debt=matter.debt, guarantor=liu, guarantee_type="joint")
    Guarantee.objects.create(debt=matter.debt, guarantor=wang, guarantee_type="general")
    return matter, liu, wang


@pytest.mark.django_db
def test_an_upload_answers_the_parties_read_and_matched_to_the_matter(guaranteed_matter, evidence_storage):
    matter, liu, wang = guaranteed_matter
    response = upload(make_user(), matter, "判决书.docx", docx_of(sample("judgment_03_wanyuan_guarantor")))
    assert response.status_code == 201, response.content
    assert response.json()["bound_parties"] == [
        {"party": matter.debt.debtor_id, "name": "赵立新", "role": "debtor", "liability": "joint", "limit": None},
        {"party": liu.pk, "name": "刘婷婷", "role": "guarantor", "liability": "joint", "limit": None},
    ]
    ruling = Ruling.objects.get(matter=matter)
    assert [p["name"] for p in ruling.reading["bound_parties"]] == ["赵立新", "周海波", "刘婷婷"]


@pytest.mark.django_db
def test_confirmation_replaces_the_bound_parties_and_the_timeline_keeps_both(guaranteed_matter, evidence_storage):
    matter, liu, wang = guaranteed_matter
    user = make_user(Role.COUNSEL)
    ruling_id = upload(user, matter, "判决书.docx", docx_of(sample("judgment_03_wanyuan_guarantor"))).json()["id"]
    corrections = [
        {"party": matter.debt.debtor_id},
        {"party": wang.pk, "liability": "supplementary"},
        {"party": liu.pk, "liability": "limited", "limit": "20000"},
    ]
    response = confirm(user, ruling_id, bound_parties=corrections)
    assert response.status_code == 200, response.content
    assert [(p["name"], p["role"], p["liability"], p["limit"]) for p in response.json()["bound_parties"]] == [
        ("赵立新", "debtor", "principal", None),
        ("王一般", "guarantor", "supplementary", None),
        ("刘婷婷", "guarantor", "limited", "20000.00"),
    ]
    event = MatterEvent.objects.filter(matter=matter, kind=EventKind.RULING_CONFIRMED).get()
    assert [p["liability"] for p in event.old["bound_parties"]] == ["joint", "joint"]
    assert [p["liability"] for p in event.new["corrections"]["bound_parties"]] == ["principal", "supplementary", "limited"]
    assert Ruling.objects.get(pk=ruling_id).corrections["bound_parties"][2]["limit"] == "20000.00"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "items, message",
    [
        ([{"party": 999999}], "不是本案的债务人或保证人"),
        ([{"liability": "joint"}], "缺少当事人"),
        ([{"party": "DEBTOR", "liability": "owed"}], "未知的责任类型"),
        ([{"party": "DEBTOR", "liability": "limited"}], "限额责任须填写限额"),
        ([{"party": "DEBTOR", "liability": "limited", "limit": "-5"}], "限额必须大于零"),
        ([{"party": "DEBTOR", "liability": "joint", "limit": "100"}], "只有限额责任"),
        ([{"party": "DEBTOR"}, {"party": "DEBTOR"}], "重复"),
    ],
)
def test_bad_bound_parties_are_refused_and_nothing_changes(guaranteed_matter, evidence_storage, items, message):
    matter, liu, wang = guaranteed_matter
    user = make_user(Role.COUNSEL)
    ruling_id = upload(user, matter, "判决书.docx", docx_of(sample("judgment_03_wanyuan_guarantor"))).json()["id"]
    items = [{**i, "party": matter.debt.debtor_id} if i.get("party") == "DEBTOR" else i for i in items]
    before = list(RulingParty.objects.filter(ruling_id=ruling_id).values_list("party_id", "liability"))
    response = confirm(user, ruling_id, bound_parties=items, served_on="2026-03-10")
    assert response.status_code == 400, response.content
    assert message in str(response.json()["bound_parties"])
    ruling = Ruling.objects.get(pk=ruling_id)
    assert ruling.confirmed is False and ruling.served_on is None
    assert list(RulingParty.objects.filter(ruling_id=ruling_id).values_list("party_id", "liability")) == before
    assert not MatterEvent.objects.filter(matter=matter, kind=EventKind.RULING_CONFIRMED).exists()


@pytest.mark.django_db
def test_bound_parties_must_be_a_list(guaranteed_matter, evidence_storage):
    matter, *_ = guaranteed_matter
    user = make_user(Role.COUNSEL)
    ruling_id = upload(user, matter, "判决书.docx", docx_of(sample("judgment_03_wanyuan_guarantor"))).json()["id"]
    response = api(user).post(f"/api/v1/rulings/{ruling_id}/confirm/", {"bound_parties": "赵立新"}, format="json")
    assert response.status_code == 400
    assert "bound_parties" in response.json()
