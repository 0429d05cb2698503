"""Issue 17: what the shipped filings say follows the matter's facts, read from the document's text.

Each matter here has a fact that would tempt a known mistake: an as-of date long before the
filing date (the 律师函 once counted overdue days to today), an empty phone (once
"联系电话：，"), long numbers (once broken across lines), a signature block (once alone on
the last page).
"""

import datetime as dt
import io
import re

import pytest
from docx import Document
from docx.oxml.ns import qn

from templates_docx.context import matter_context, with_filing_data
from templates_docx.defaults import DEFAULT_TEMPLATES
from templates_docx.models import DocumentTemplate
from templates_docx.rendering import WORD_JOINER, keep_numbers_whole, render_docx
from tests.factories import make_matter
from tests.templates_docx.docx_samples import read_back

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 3, 2)


def render(matter, code, today=TODAY):
    template = DocumentTemplate.objects.filter(code=code).current(on=today).get()
    matter = with_filing_data(type(matter).objects.filter(pk=matter.pk)).get()
    rendered = render_docx(bytes(template.content), matter_context(matter, today=today))
    return rendered.docx, read_back(rendered.docx)["body"]


def test_the_letter_counts_overdue_days_to_the_date_it_states_not_to_today():
    # Overdue since 2024-12-01, amounts as of 2025-06-30: 211 days; to the letter's date it would be 456.
    matter = make_matter(overdue_since=D(2024, 12, 1), amounts_as_of=D(2025, 6, 30))
    _, text = render(matter, "demand_letter")
    assert "自2024年12月1日起未按约定还款，截至2025年6月30日已逾期211天。" in text
    assert "456天" not in text


@pytest.mark.parametrize("code, product", [("complaint_loan", "loan"), ("complaint_credit_card", "credit_card")])
def test_the_complaints_count_overdue_days_to_the_stated_date_too(code, product):
    matter = make_matter(product=product, overdue_since=D(2024, 12, 1), amounts_as_of=D(2025, 6, 30))
    _, text = render(matter, code)
    assert "截至2025年6月30日已逾期211天" in text
    assert "至今已逾期" not in text and "456天" not in text


def test_no_filing_prints_a_label_with_an_empty_value():
    """A label followed straight by punctuation ("联系电话：，") is an empty value printed bare."""
    matter = make_matter()
    bare = re.compile(r"[\u4e00-\u9fff]：[，。；、）]")
    for default in DEFAULT_TEMPLATES:
        _, text = render(matter, default["code"])
        assert not bare.findall(text), (default["code"], bare.findall(text))
    _, letter = render(matter, "demand_letter")
    assert "联系电话：，" not in letter and "客户服务电话：【待补充：发卡机构客服电话】。" in letter


def test_the_letter_shows_the_creditors_phone_only_when_there_is_one():
    _, text = render(make_matter(), "demand_letter")
    assert re.search(r"地址：北京市西城区金融大街1号，客户服务电话：", text)


def _paragraphs(docx: bytes):
    return [p for p in Document(io.BytesIO(docx)).paragraphs if p.text.strip()]


SIGNED = [d["code"] for d in DEFAULT_TEMPLATES if d["code"] not in ("evidence_list", "service_address_confirmation", "complaint_credit_card", "complaint_loan")]


@pytest.mark.parametrize("code", SIGNED)
def test_the_signature_block_is_kept_with_the_last_paragraph(code):
    """From the last paragraph before the signature block to the line before its date, each keeps with the next."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    docx, _ = render(make_matter(), code)
    paragraphs = _paragraphs(docx)
    dates = [i for i, p in enumerate(paragraphs) if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日|日期：.*", p.text.strip())]
    last_date = dates[-1]
    openers = [i for i, p in enumerate(paragraphs[:last_date]) if p.text.strip() in ("此致", "（以下无正文）")]
    if openers:
        start = openers[-1]
    else:
        start = last_date
        while paragraphs[start - 1].alignment == WD_ALIGN_PARAGRAPH.RIGHT:
            start -= 1
    for paragraph in paragraphs[start - 1:last_date]:
        assert paragraph.paragraph_format.keep_with_next, (code, paragraph.text)


def test_long_numbers_and_case_numbers_get_runs_no_line_break_may_split():
    xml = (
        '<w:p><w:r><w:rPr><w:sz w:val="32"/></w:rPr><w:t>号码：310104198506153216，（2025）沪0115民初48213号，'
        "共8,644.77元，2026年</w:t></w:r></w:p>"
    )
    out = keep_numbers_whole(xml)
    runs = re.findall(r"<w:r>(<w:rPr>.*?</w:rPr>)<w:t[^>]*>([^<]*)</w:t></w:r>", out)
    whole = {text: props for props, text in runs}
    lang = '<w:lang w:val="en-US" w:eastAsia="en-US"/>'
    assert lang in whole["310104198506153216"] and '<w:sz w:val="32"/>' in whole["310104198506153216"]
    assert lang in whole["8,644.77"]
    assert lang in whole[WORD_JOINER.join("（2025）沪0115民初48213号")]
    assert lang in whole["2026"]  # a year too ("20 / 26年" was seen)
    assert lang not in whole["号码："] and lang not in whole["元，"]
    assert "".join(text for _, text in runs).replace(WORD_JOINER, "") == (
        "号码：310104198506153216，（2025）沪0115民初48213号，共8,644.77元，2026年"
    )


def test_a_rendered_filing_carries_its_numbers_in_unbreakable_runs():
    matter = make_matter()
    docx, text = render(matter, "demand_letter")
    runs = [r for p in Document(io.BytesIO(docx)).paragraphs for r in p.runs]
    masked = next(r for r in runs if r.text == matter.debt.debtor.masked_id_number)
    lang = masked._r.rPr.find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "en-US" and lang.get(qn("w:eastAsia")) == "en-US"


def test_a_case_number_with_a_suffix_is_joined_whole():
    out = keep_numbers_whole("<w:r><w:t>作出（2026）沪0115执恢12号之一执行裁定</w:t></w:r>")
    assert WORD_JOINER.join("（2026）沪0115执恢12号之一") in out


# With the real LibreOffice: numbers whole at line ends, signature block with the last paragraph ----


def _pdf_pages(docx_files: dict, tmp_path) -> dict:
    """Convert with soffice in one run; {name: [page text, ...]} by pdftotext."""
    import subprocess

    for name, data in docx_files.items():
        (tmp_path / f"{name}.docx").write_bytes(data)
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "pdf",
         "--outdir", str(tmp_path), *[str(tmp_path / f"{n}.docx") for n in docx_files]],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    pages = {}
    for name in docx_files:
        text = subprocess.run(
            ["pdftotext", str(tmp_path / f"{name}.pdf"), "-"], check=True, capture_output=True, text=True
        ).stdout
        pages[name] = text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")
    return pages


@pytest.mark.libreoffice
def test_in_the_pdf_numbers_never_break_and_the_signature_keeps_with_the_last_paragraph(tmp_path):
    from tests.legalcase.test_claims import judged_matter

    matters = []
    # Addresses of growing length move the identity number along the line, to and past its end.
    for extra in range(0, 12):
        matter = judged_matter()
        debtor = matter.debt.debtor
        debtor.address = "北京市朝阳区建国路88号" + "院" * extra
        debtor.save(update_fields=["address"])
        matters.append(matter)
    files = {}
    for index, matter in enumerate(matters):
        for code in ("enforcement_application", "demand_letter", "exit_ban_application"):
            files[f"{code}-{index}"] = render(matter, code, today=D(2026, 5, 7))[0]
    pages = _pdf_pages(files, tmp_path)
    broken = []
    for name, texts in pages.items():
        matter = matters[int(name.rsplit("-", 1)[1])]
        lines = [line.strip() for page in texts for line in page.splitlines()]
        debtor = matter.debt.debtor
        if name.startswith("demand_letter"):
            tokens = [debtor.masked_id_number, f"{matter.debt.claim_total:,}"]
        else:
            tokens = [debtor.id_number, "（2026）沪0115民初1234号"]
        if name.startswith("enforcement_application"):
            tokens.append("50,000.00")
        for token in tokens:
            if not any(token in line.replace(" ", "") for line in lines):
                broken.append((name, token))
        # The date closes the filing on the page that holds its last paragraph (here "此致"
        # or the letter's "特此函告。" and the signer, never alone).
        last = texts[-1]
        assert "2026年5月7日" in last.replace(" ", ""), name
        opener = "特此函告" if name.startswith("demand_letter") else "此致"
        page_of_opener = max(i for i, page in enumerate(texts) if opener in page)
        assert page_of_opener == len(texts) - 1, (name, "the signature block starts a page of its own")
        before_opener = last.split(opener)[0].strip()
        assert before_opener, (name, "the last paragraph is on another page than the signature")
    assert broken == []


def test_xml_entities_are_never_split():
    xml = "<w:r><w:t>A&amp;B &#60;12345&#62; &quot;6225880012345678&quot;</w:t></w:r>"
    out = keep_numbers_whole(xml)
    assert "&amp;" in out and "&#60;" in out and "&#62;" in out and "&quot;" in out
    assert re.sub(r"<[^>]+>", "", out) == "A&amp;B &#60;12345&#62; &quot;6225880012345678&quot;"
