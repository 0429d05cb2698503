"""Evidence search (API.md, "Court notices and evidence search"): titles and extracted or OCR text.

PostgreSQL indexes CJK text as overlapping character bigrams in a tsvector and queries
bigram phrases; SQLite (and the LIKE path, forced here on PostgreSQL too) matches plain
substrings. Every test asks through the API as the user would; another firm's text is
never found, a snippet never shows a whole identity, phone or account number.
"""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from evidence import search
from evidence.models import EvidenceItem, EvidenceSearchPart, TextState
from evidence.services import evidence_upload
from legalcase.jobs import job_run
from legalcase.models import Job, Role
from tests.evidence.test_ocr import chinese_png, needs_ocr
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the tsvector index is PostgreSQL's")

ID_NUMBER = "110105199001011232"
PHONE = "13812345678"
CARD = "6225 8800 1234 5678"
CONTRACT_TEXT = (
    "甲方（出借人）：华信银行股份有限公司上海分行\n"
    f"乙方（借款人）：张三，身份证号{ID_NUMBER}，联系电话{PHONE}，还款账户{CARD}。\n"
    "第一条 借款金额：人民币壹拾万元整（¥100,000.00），借款期限12个月。\n"
    "第二条 乙方未按期归还借款本息的，甲方有权宣布借款提前到期，并按合同约定利率上浮50%计收罚息。"
)


def docx_of(text: str) -> bytes:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def add(matter, user, title, text, kind="contract"):
    upload = SimpleUploadedFile(f"{title}.docx", docx_of(text))
    return evidence_upload(user=user, matter_id=matter.pk, uploaded_file=upload, kind=kind, title=title)


def find(client, **params):
    return client.get(reverse("evidence_api:evidence-search"), params)


def titles(response):
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


@pytest.fixture
def counsel(client):
    user = make_user(Role.COUNSEL)
    client.force_login(user)
    return user


# The tokenizer ---------------------------------------------------------------------------


def test_cjk_runs_become_overlapping_bigrams_and_latin_and_digits_words():
    gap = search.GAP  # an empty position where punctuation stands
    assert search.tokens("借款合同ABC-123，第2条 Loan") == [
        "借款", "款合", "合同", "abc", gap, "123", gap, "第", "2", "条", "loan",
    ]  # fmt: skip


def test_ocr_spaces_between_chinese_characters_are_ignored_and_full_width_folds():
    assert search.tokens("借 款 合\n同") == search.tokens("借款合同")
    assert search.tokens("ＡＢＣ１２３") == ["abc123"]
    assert search.tokens("，。——") == []


def test_a_term_is_the_phrase_of_its_tokens_and_a_lone_character_a_prefix():
    assert search.tsquery("借款合同") == "'借款' <-> '款合' <-> '合同'"
    assert search.tsquery("2024年3月") == "'2024' <-> '年':* <-> '3' <-> '月':*"
    assert search.tsquery("借款，合同") == "'借款' <2> '合同'"
    assert search.tsquery("借款合同", every=True) == "'借款' & '款合' & '合同'"


def test_a_long_text_is_indexed_in_overlapping_parts(monkeypatch):
    monkeypatch.setattr(search, "PART_TOKENS", 10)
    monkeypatch.setattr(search, "PART_OVERLAP", 4)
    parts = search.tsvector_parts("标题", "一二三四五六七八九十甲乙丙丁戊己庚")
    # 1 title bigram, a gap, 16 text bigrams = 18 positions: parts start at 0 and 6, then 12.
    assert len(parts) == 3
    assert parts[0].startswith("'标题':1 '一二':3")
    assert parts[1].startswith("'五六':1")


def test_bad_queries_are_refused_in_chinese(client, counsel):
    matter = make_matter()
    add(matter, counsel, "借款合同", CONTRACT_TEXT)
    for params, message in (
        ({}, "检索词应为2至100个字符。"),
        ({"q": "借"}, "检索词应为2至100个字符。"),
        ({"q": "借" * 101}, "检索词应为2至100个字符。"),
        ({"q": "——"}, "检索词须包含汉字、字母或数字。"),
    ):
        response = find(client, **params)
        assert response.status_code == 400
        assert response.json() == {"q": [message]}
    response = find(client, q="借款", kind="loan")
    assert response.status_code == 400 and response.json() == {"kind": ["没有这种证据类型：loan"]}
    response = find(client, q="借款", withdrawn="maybe")
    assert response.status_code == 400 and response.json() == {"withdrawn": ["withdrawn 只能是 true 或 false。"]}


# Finding ---------------------------------------------------------------------------------


def test_it_finds_a_phrase_of_the_text_and_the_title_with_matter_and_masked_snippet(client, counsel):
    matter = make_matter()
    contract = add(matter, counsel, "个人借款合同", CONTRACT_TEXT)
    add(matter, counsel, "还款记录", "2025年1月至6月未还款。")

    response = find(client, q="提前到期")
    assert titles(response) == ["个人借款合同"]
    row = response.json()["results"][0]
    assert row["id"] == contract.pk
    assert row["matter"] == {"id": matter.pk, "number": matter.number}
    assert "宣布借款提前到期" in row["snippet"] and len(row["snippet"]) <= 160

    assert titles(find(client, q="还款记录")) == ["还款记录"]  # by title
    assert titles(find(client, q="借款合同 罚息")) == ["个人借款合同"]  # terms ANDed
    assert titles(find(client, q="借款合同 判决书")) == []
    assert titles(find(client, q="LOAN")) == []


def test_a_snippet_masks_identity_phone_and_account_numbers(client, counsel):
    add(make_matter(), counsel, "个人借款合同", CONTRACT_TEXT)
    snippet = find(client, q="借款人").json()["results"][0]["snippet"]
    assert ID_NUMBER not in snippet and PHONE not in snippet and "1234" not in snippet
    assert "110105********1232" in snippet
    assert "138****5678" in snippet
    assert "6225 **** **** 5678" in snippet


def test_a_number_cut_by_the_snippets_edge_is_masked_all_the_same():
    # The window (80 characters either side of the hit's centre) starts inside the number.
    text = "甲" * 70 + ID_NUMBER + "乙" * 70 + "提前到期" + "丙" * 300
    cut = search.snippet("", text, ["提前到期"])
    assert "提前到期" in cut and ID_NUMBER[-4:] not in cut and "*" not in cut
    assert cut.startswith("乙")  # not the masked number's tail
    before = search.snippet("", "甲" * 70 + ID_NUMBER + "乙" * 10 + "提前到期", ["提前到期"])
    assert "310115" not in before and "110105********1232" in before
    assert search.mask_numbers(f"电话{PHONE}，卡号{CARD.replace(' ', '')}") == "电话138****5678，卡号6225********5678"


def test_the_highlight_escapes_the_text_and_marks_each_hit():
    html = search.highlight("<script>x</script>借 款合同与借款合同", ["借款合同"])
    assert html == "&lt;script&gt;x&lt;/script&gt;<mark>借 款合同</mark>与<mark>借款合同</mark>"


def test_another_firms_evidence_is_never_found(client):
    mine, theirs = make_firm("衡平律师事务所"), make_firm("明理律师事务所")
    counsel = make_user(Role.COUNSEL)
    add(make_matter(firm=mine), counsel, "我方借款合同", CONTRACT_TEXT)
    other_matter = make_matter(firm=theirs)
    add(other_matter, counsel, "他所借款合同", CONTRACT_TEXT)

    client.force_login(make_user(Role.LAWYER, firm=mine))
    assert titles(find(client, q="提前到期")) == ["我方借款合同"]
    assert find(client, q="提前到期", matter=other_matter.pk).status_code == 404


def test_filters_by_matter_kind_and_withdrawal(client, counsel):
    first, second = make_matter(), make_matter()
    contract = add(first, counsel, "借款合同一", CONTRACT_TEXT)
    add(second, counsel, "借款合同二", CONTRACT_TEXT, kind="other")
    EvidenceItem.objects.filter(pk=contract.pk).update(withdrawn_at="2026-01-01T00:00:00+08:00")
    assert titles(find(client, q="借款合同", matter=second.pk)) == ["借款合同二"]
    assert titles(find(client, q="借款合同", kind="contract")) == ["借款合同一"]
    assert titles(find(client, q="借款合同", withdrawn="true")) == ["借款合同一"]
    assert titles(find(client, q="借款合同", withdrawn="false")) == ["借款合同二"]


def test_a_changed_title_is_found_by_the_new_one_only(client, counsel):
    item = add(make_matter(), counsel, "借款合同", "无")
    url = reverse("evidence_api:evidence-detail", args=[item.pk])
    assert client.patch(url, {"title": "保证合同"}, content_type="application/json").status_code == 200
    assert titles(find(client, q="保证合同")) == ["保证合同"]
    assert titles(find(client, q="借款合同")) == []


@needs_ocr
def test_a_phrase_of_a_scanned_page_is_found_once_ocr_has_read_it(client, counsel, monkeypatch):
    matter = make_matter()
    upload = SimpleUploadedFile("扫描件.png", chinese_png())
    response = client.post(
        reverse("evidence_api:matter-evidence", args=[matter.pk]),
        {"file": upload, "kind": "contract", "title": "扫描件"},
        format="multipart",
    )
    assert response.status_code == 201
    assert titles(find(client, q="出借人民币十万元")) == []  # nothing read yet
    for job in Job.objects.filter(kind="evidence_ocr", status="pending"):
        job_run(job_id=job.pk)
    assert EvidenceItem.objects.get(pk=response.json()["id"]).text_state == TextState.OCR
    row = find(client, q="出借人民币十万元").json()["results"][0]
    assert row["title"] == "扫描件" and "出借人民币十万元" in row["snippet"]


@postgres_only
def test_ocr_text_spaced_between_characters_is_found_by_the_phrase_without_spaces(client, counsel):
    item = add(make_matter(), counsel, "扫描件", "x")
    EvidenceItem.objects.filter(pk=item.pk).update(text="本 借 款 合 同 由 出 借 人 张 三 签 订", text_state=TextState.OCR)
    search.index_items([item.pk])
    response = find(client, q="出借人张三")
    assert titles(response) == ["扫描件"]
    assert "出 借 人 张 三" in response.json()["results"][0]["snippet"]


@postgres_only
def test_a_phrase_across_the_parts_of_a_long_text_is_found(client, counsel, monkeypatch):
    monkeypatch.setattr(search, "PART_TOKENS", 40)
    monkeypatch.setattr(search, "PART_OVERLAP", 12)
    text = "甲乙" * 30 + "宣布借款提前到期" + "丙丁" * 30
    item = add(make_matter(), counsel, "长文本", text)
    assert EvidenceSearchPart.objects.filter(item=item).count() > 1
    assert titles(find(client, q="宣布借款提前到期")) == ["长文本"]
    assert titles(find(client, q="乙宣布")) == ["长文本"]
    assert titles(find(client, q="到期丙丁丙")) == ["长文本"]


def test_the_like_fallback_finds_substrings(client, counsel, monkeypatch):
    add(make_matter(), counsel, "个人借款合同", CONTRACT_TEXT)
    monkeypatch.setattr(search, "is_postgresql", lambda: False)
    assert titles(find(client, q="提前到期")) == ["个人借款合同"]
    assert titles(find(client, q="提前 罚息")) == ["个人借款合同"]
    assert titles(find(client, q="提前 判决")) == []


@postgres_only
def test_bigrams_that_are_all_there_but_not_in_a_row_are_no_hit(client, counsel):
    add(make_matter(), counsel, "分散", "提前。前到。到期")
    response = find(client, q="提前到期")
    assert titles(response) == [] and response.json()["count"] == 0


@postgres_only
def test_a_count_over_many_candidates_says_it_is_an_estimate(client, counsel, monkeypatch):
    matter = make_matter()
    for n in range(3):
        add(matter, counsel, f"借款合同{n}", CONTRACT_TEXT)
    monkeypatch.setattr(search.SearchHits, "EXACT_COUNT_UNDER", 2)
    answer = find(client, q="提前到期", page_size=2).json()
    assert answer["count"] == 3 and answer["count_is_estimate"] is True
    assert [row["title"] for row in answer["results"]] == ["借款合同2", "借款合同1"]  # newest first
    assert "count_is_estimate" not in find(client, q="借款合同0").json()
