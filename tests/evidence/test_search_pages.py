"""The pages of evidence search and cross-examination: the matter's search box (HTMX), the
证据检索 page across matters, and an item's 质证 form; escaped, masked, another firm's unseen."""

import pytest
from django.urls import reverse

from evidence.models import CrossExamination
from legalcase.models import Proceeding, Role
from tests.evidence.test_search import CONTRACT_TEXT, ID_NUMBER, add
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    firm = make_firm()
    lawyer = make_user(Role.LAWYER, firm=firm)
    matter = make_matter(stage="litigation", firm=firm)
    item = add(matter, lawyer, "个人借款合同<script>", CONTRACT_TEXT + "\n<b>注意</b>：本合同一式两份。")
    client.force_login(lawyer)
    return {"firm": firm, "lawyer": lawyer, "matter": matter, "item": item}


def test_the_matter_search_box_marks_the_hit_in_escaped_masked_text(client, world):
    section = client.get(reverse("evidence_section", args=[world["matter"].pk])).content.decode()
    assert reverse("evidence_section_search", args=[world["matter"].pk]) in section
    html = client.get(reverse("evidence_section_search", args=[world["matter"].pk]), {"q": "注意"}).content.decode()
    assert "&lt;b&gt;<mark>注意</mark>&lt;/b&gt;" in html
    assert "个人借款合同&lt;script&gt;" in html and "<script>" not in html
    html = client.get(reverse("evidence_section_search", args=[world["matter"].pk]), {"q": "借款人"}).content.decode()
    assert ID_NUMBER not in html and "110105********1232" in html


def test_the_search_page_refuses_a_bad_query_and_never_shows_another_firms_text(client, world):
    html = client.get(reverse("evidence_search"), {"q": "借"}).content.decode()
    assert "检索词应为2至100个字符。" in html
    html = client.get(reverse("evidence_search"), {"q": "提前到期"}).content.decode()
    assert world["matter"].number in html and "<mark>提前到期</mark>" in html
    client.force_login(make_user(Role.LAWYER, firm=make_firm()))
    html = client.get(reverse("evidence_search"), {"q": "提前到期"}).content.decode()
    assert world["matter"].number not in html and "没有证据包含这些文字。" in html
    assert client.get(reverse("evidence_section_search", args=[world["matter"].pk]), {"q": "提前到期"}).status_code == 404


def test_the_cross_examination_form_saves_and_refuses_a_future_date(client, world):
    proceeding = Proceeding.objects.create(matter=world["matter"], kind=Proceeding.Kind.FIRST_INSTANCE)
    url = reverse("evidence_cross_examination", args=[world["matter"].pk, world["item"].pk])
    form = {
        "proceeding": proceeding.pk, "examined_on": "2099-01-01", "authenticity_admitted": "false",
        "authenticity_opinion": "系复印件", "legality_admitted": "true", "relevance_admitted": "", "purpose_admitted": "",
        "reply": "原件已当庭出示",
    }  # fmt: skip
    html = client.post(url, form, HTTP_HX_REQUEST="true").content.decode()
    assert "质证日期不能晚于今天" in html and not CrossExamination.objects.exists()
    html = client.post(url, {**form, "examined_on": "2026-03-10"}, HTTP_HX_REQUEST="true").content.decode()
    assert "质证意见已保存" in html and "已质证" in html
    exam = CrossExamination.objects.get(item=world["item"])
    assert (exam.authenticity_admitted, exam.legality_admitted, exam.relevance_admitted) == (False, True, None)
    assert exam.reply == "原件已当庭出示" and exam.proceeding == proceeding
