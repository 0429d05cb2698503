"""The 质证意见 filing rendered from cross-examinations recorded through the service, read sentence by sentence.

It answers one hearing: the proceeding of the latest examination and the items examined
there, in the matter's order; each with what it was offered to prove, the other side's
four points (《最高人民法院关于民事诉讼证据的若干规定》第八十七条) and our reply. What the
record lacks is a 【待补充】 marker whose check names the call that records it.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from evidence.services import cross_examination_record, evidence_upload
from legalcase.models import Forum, Proceeding, Role
from templates_docx.completion import filing_check
from templates_docx.context import matter_context, with_filing_data
from templates_docx.context_cross_examination import chinese_ordinal
from templates_docx.models import DocumentTemplate
from templates_docx.rendering import render_docx
from tests.evidence import samples
from tests.factories import make_creditor, make_forum, make_matter, make_party, make_user
from tests.templates_docx.docx_samples import read_back

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 4, 5)
CODE = "cross_examination_opinion"


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def world():
    counsel = make_user(Role.COUNSEL)
    court = forum("上海市浦东新区人民法院")
    matter = make_matter(
        stage="litigation", product="loan", debtor=make_party("王小明"), creditor=make_creditor(name="华信银行股份有限公司")
    )
    matter.forum = court
    matter.save(update_fields=["forum"])
    items = []
    for title, purpose in (("借款合同", "证明原、被告之间存在借款合同关系"), ("还款明细", "证明被告逾期未还款")):
        upload = SimpleUploadedFile(f"{title}.pdf", samples.pdf_bytes(1))
        items.append(
            evidence_upload(
                user=counsel, matter_id=matter.pk, uploaded_file=upload, kind="contract", title=title, purpose=purpose
            )
        )
    hearing = Proceeding.objects.create(
        matter=matter, kind=Proceeding.Kind.FIRST_INSTANCE, forum=court, case_number="（2026）沪0115民初1234号"
    )
    return {"counsel": counsel, "matter": matter, "items": items, "hearing": hearing}


def forum(name, **fields):
    """The forum of that name (the shipped court list may hold it already)."""
    return Forum.objects.filter(name=name).first() or make_forum(name, **fields)


def examine(world, item, **changes):
    cross_examination_record(user=world["counsel"], evidence_id=item.pk, changes=changes)


def render(matter):
    loaded = with_filing_data(type(matter).objects.filter(pk=matter.pk)).get()
    template = DocumentTemplate.objects.filter(code=CODE).current(on=TODAY).get()
    context = matter_context(loaded, today=TODAY)
    rendered = render_docx(bytes(template.content), context)
    lines = [line for line in read_back(rendered.docx)["body"].splitlines() if line.strip()]
    return rendered, lines, filing_check(matter=loaded, template=template, context=context)


def test_it_reads_like_a_lawyers_opinion_item_by_item(world):
    contract, statement = world["items"]
    examine(
        world, contract, proceeding=world["hearing"].pk, examined_on="2026-03-10",
        authenticity={"admitted": False, "opinion": "合同系格式条款，被告签字时未见全部条款"},
        legality={"admitted": True, "opinion": ""}, relevance={"admitted": None, "opinion": ""},
        purpose={"admitted": False, "opinion": "不能证明借款已实际交付。"},
        reply="借款合同经被告本人签字确认，借款已于放款当日转入被告账户",
    )  # fmt: skip
    examine(world, statement, proceeding=world["hearing"].pk, examined_on="2026-03-10",
            authenticity={"admitted": True, "opinion": ""}, reply="被告对该证据无异议")  # fmt: skip

    rendered, lines, check = render(world["matter"])
    assert rendered.missing == [] and check == []
    assert lines == [
        "质 证 意 见",
        "案　　号：（2026）沪0115民初1234号",
        "原　　告：华信银行股份有限公司",
        "被　　告：王小明",
        "案　　由：金融借款合同纠纷",
        "原告华信银行股份有限公司与被告王小明金融借款合同纠纷一案，被告于2026年3月10日对原告提交的证据发表了质证意见。"
        "原告认为，被告的质证意见不能成立，现针对其质证意见逐项发表意见如下：",
        "一、关于证据1《借款合同》",
        "证明目的：证明原、被告之间存在借款合同关系。",
        "被告质证意见：",
        "1.真实性：有异议，合同系格式条款，被告签字时未见全部条款。",
        "2.合法性：无异议。",
        "3.关联性：未发表意见。",
        "4.证明目的：有异议，不能证明借款已实际交付。",
        "原告意见：借款合同经被告本人签字确认，借款已于放款当日转入被告账户。",
        "二、关于证据2《还款明细》",
        "证明目的：证明被告逾期未还款。",
        "被告质证意见：",
        "1.真实性：无异议。",
        "2.合法性：未发表意见。",
        "3.关联性：未发表意见。",
        "4.证明目的：未发表意见。",
        "原告意见：被告对该证据无异议。",
        "综上所述，原告提交的上述证据来源合法、内容真实，与本案待证事实具有关联性，足以证明原告的诉讼请求，"
        "被告的质证意见缺乏事实和法律依据，恳请贵院依法对上述证据予以采信。",
        "此致",
        "上海市浦东新区人民法院",
        "原告：华信银行股份有限公司",
        "2026年4月5日",
    ]


def test_it_answers_the_latest_hearing_only_and_leaves_withdrawn_items_out(world):
    contract, statement = world["items"]
    appeal = Proceeding.objects.create(
        matter=world["matter"], kind=Proceeding.Kind.APPEAL, forum=forum("上海市第一中级人民法院"),
        case_number="（2026）沪01民终88号",
    )  # fmt: skip
    examine(world, contract, proceeding=world["hearing"].pk, examined_on="2026-03-10", reply="一审回应")
    examine(world, statement, proceeding=appeal.pk, examined_on="2026-04-01", reply="二审回应")
    _rendered, lines, _check = render(world["matter"])
    text = "\n".join(lines)
    assert "案　　号：（2026）沪01民终88号" in lines and "上海市第一中级人民法院" in lines
    assert "《还款明细》" in text and "《借款合同》" not in text and "一审回应" not in text


def test_what_the_record_lacks_is_marked_and_the_check_says_where_to_record_it(world):
    contract, _statement = world["items"]
    rendered, lines, check = render(world["matter"])
    assert rendered.missing == ["质证记录"]
    assert lines[-5] == "原告华信银行股份有限公司与被告王小明金融借款合同纠纷一案，【待补充：质证记录】"
    assert check == [
        {"label": "质证记录", "method": "PATCH", "path": f"/api/v1/evidence/{contract.pk}/cross-examination/",
         "field": "authenticity"},
    ]  # fmt: skip

    examine(world, contract, authenticity={"admitted": False, "opinion": "系复印件"})
    rendered, lines, check = render(world["matter"])
    assert set(rendered.missing) == {"质证案件案号", "质证日期", "对“借款合同”质证意见的回应"}
    assert "原告意见：【待补充：对“借款合同”质证意见的回应】" in lines
    path = f"/api/v1/evidence/{contract.pk}/cross-examination/"
    assert {(entry["label"], entry["path"], entry["field"]) for entry in check} == {
        ("质证案件案号", path, "proceeding"),
        ("质证日期", path, "examined_on"),
        ("对“借款合同”质证意见的回应", path, "reply"),
    }


def test_an_arbitration_names_the_parties_as_applicant_and_respondent(world):
    commission = forum("上海仲裁委员会", kind="arbitration")
    world["matter"].forum = commission
    world["matter"].save(update_fields=["forum"])
    examine(world, world["items"][0], examined_on="2026-03-10", reply="被申请人已签字确认")
    _rendered, lines, _check = render(world["matter"])
    assert "申 请 人：华信银行股份有限公司" in lines and "被申请人：王小明" in lines
    assert lines[-5].endswith("足以证明申请人的仲裁请求，被申请人的质证意见缺乏事实和法律依据，恳请仲裁庭依法对上述证据予以采信。")
    assert lines[-3] == "上海仲裁委员会"


def test_headings_count_in_chinese():
    assert [chinese_ordinal(n) for n in (1, 9, 10, 11, 20, 35, 99, 100)] == [
        "一", "九", "十", "十一", "二十", "三十五", "九十九", "100",
    ]  # fmt: skip
