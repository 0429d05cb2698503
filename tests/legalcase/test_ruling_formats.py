"""The ruling reader on the formats rulings arrive in: a DOCX laid out the way courts issue
them, and the PDF LibreOffice makes of it, each read through ``extract_text`` as uploads are.

Every sample in tests/legalcase/rulings/ is built into both formats; the reading of the
extracted text must give the sample's expected fields (test_ruling_reader.EXPECTED and the
answer key of the two published judgments, plus the samples added here).
"""

import datetime as dt
import io
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from evidence.conversion import DOCX_TYPE, conversion_available, convert_many
from evidence.models import TextState
from evidence.text import extract_text
from legalcase.rulings import read_ruling
from tests.evidence.conftest import evidence_storage  # noqa: F401  (the shared storage fixture)
from tests.factories import make_matter, make_user
from tests.legalcase.test_ruling_reader import EXPECTED as WRITTEN

DOCUMENTS = Path(__file__).parent / "rulings"

# file, kind, court, case number, decided on, principal, interest, fee assessed, fee charged,
# appealable, performance days: as in test_ruling_reader.EXPECTED.
PUBLISHED = [
    ("01_minshi_panjueshu", "judgment", "北京市朝阳区人民法院", "（2013）朝民初字第1812号", "2013-02-09", "38500", "82.36", "397", "397", True, 0),
    ("02_minshi_panjueshu", "judgment", "广州互联网法院", "（2019）粤0192民初38420号", "2020-03-24", "104836.96", "3817.26", "1291", "1291", True, 10),
]
# Written for this test: features the other samples have only once or not at all in one document.
ADDED = [
    ("judgment_11_small_claims_several_defendants", "judgment", "深圳市福田区人民法院", "（2025）粤0304民初66120号", "2026-01-20", "43000", "2150.80", "880", "440", False, 10),
    ("ruling_11_withdrawal_halved_fee", "ruling", "重庆市渝中区人民法院", "（2026）渝0103民初2208号", "2026-02-03", None, None, "4300", "2150", False, None),
    ("mediation_11_several_defendants", "mediation", "天津市和平区人民法院", "（2026）津0101民初512号", "2026-03-12", "70000", "4200", "1640", "820", False, 15),
    ("award_11_several_respondents", "arbitral_award", "重庆仲裁委员会", "（2026）渝仲字第1107号", "2026-02-26", "250000", "18750", "8260", "8260", False, 10),
    ("payment_order_11_several_respondents", "payment_order", "西安市雁塔区人民法院", "（2026）陕0113民督608号", "2026-04-15", "36000", "1440.60", "230", "230", False, 15),
]
SAMPLES = PUBLISHED + WRITTEN + ADDED
NAMES = [row[0] for row in SAMPLES]
# Half the samples also go through LibreOffice to PDF (a second each, on one core): two of
# every four, so both signature layouts (``docx_of``) and every kind stay covered.
PDF_SAMPLES = [row for index, row in enumerate(SAMPLES) if index % 4 in (0, 1) or row in ADDED[:1]]

SIGNATURE = re.compile(
    r"^(?:审\s*判\s*长|审\s*判\s*员|代理审判员|人民陪审员|首席仲裁员|仲\s*裁\s*员|法官助理|书\s*记\s*员?)[\s：:]"
)
DATE_LINE = re.compile(r"^\S{4}年\S{1,3}月\S{1,3}日$")


def sample_text(name: str) -> str:
    return (DOCUMENTS / f"{name}.txt").read_text(encoding="utf-8")


def court_docx(text: str, *, signature_table: bool = False) -> bytes:
    """A DOCX laid out as courts issue them: the court and title centred, the case number
    right-aligned on its own paragraph, indented body paragraphs, the signature block
    right-aligned (or, as some courts do, in a borderless table), and a page footer
    "第 X 页 共 Y 页" that LibreOffice prints on every page of the PDF."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    lines = [line.strip() for line in text.splitlines() if line.strip()]
    number_at = next(i for i, line in enumerate(lines) if re.search(r"[（(〔]\s*\d{4}\s*[）)〕]", line))
    signature_at = next(
        i for i in range(number_at + 1, len(lines)) if all(SIGNATURE.match(x) or DATE_LINE.match(x) for x in lines[i:])
    )
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.size = Pt(14)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")
    for line in lines[:number_at]:
        heading = document.add_paragraph()
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = heading.add_run(line)
        run.bold = True
        run.font.size = Pt(22 if line is lines[number_at - 1] else 16)
    document.add_paragraph(lines[number_at]).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for line in lines[number_at + 1: signature_at]:
        document.add_paragraph(line).paragraph_format.first_line_indent = Pt(28)
    block = lines[signature_at:]
    if signature_table:
        rows = [re.split(r"[\s：:]+", line, maxsplit=1) if SIGNATURE.match(line) else ["", line] for line in block]
        table = document.add_table(rows=len(rows), cols=2)
        for row, cells in zip(table.rows, rows, strict=True):
            for cell, value in zip(row.cells, cells + [""] * (2 - len(cells)), strict=True):
                cell.text = value
    else:
        for line in block:
            document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = document.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for piece in ("第 ", "PAGE", " 页 共 ", "NUMPAGES", " 页"):
        if piece.isupper():
            field = OxmlElement("w:fldSimple")
            field.set(qn("w:instr"), piece)
            run = OxmlElement("w:r")
            value = OxmlElement("w:t")
            value.text = "1"
            run.append(value)
            field.append(run)
            footer._p.append(field)
        else:
            footer.add_run(piece)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_of(name: str) -> bytes:
    # Every other sample puts its signature block in a table.
    return court_docx(sample_text(name), signature_table=NAMES.index(name) % 2 == 1)


@pytest.fixture(scope="session")
def pdfs(tmp_path_factory) -> dict[str, bytes]:
    """The PDF of every sample's DOCX, all made in one LibreOffice run."""
    if not conversion_available():
        pytest.skip("LibreOffice (soffice) is not installed here: the PDF formats cannot be made")
    folder = tmp_path_factory.mktemp("ruling-docx")
    paths = []
    for name in [row[0] for row in PDF_SAMPLES]:
        path = folder / f"{name}.docx"
        path.write_bytes(docx_of(name))
        paths.append(path)
    started = time.monotonic()
    converted = convert_many(paths, outdir=tmp_path_factory.mktemp("ruling-pdf"))
    print(f"\n{len(paths)} rulings converted to PDF in {time.monotonic() - started:.1f}s")
    failed = {path.name: str(result) for path, result in converted.items() if isinstance(result, Exception)}
    assert not failed, failed
    return {path.stem: result.read_bytes() for path, result in converted.items()}


def money(value):
    return None if value is None else Decimal(value)


def day(value):
    return None if value is None else dt.date.fromisoformat(value)


def assert_read_as_expected(text, row):
    _name, kind, court, case_number, decided_on, principal, interest, fee, charged, appealable, days = row
    reading = read_ruling(text)
    assert (reading.kind, reading.court, reading.case_number, reading.decided_on) == (
        kind, court, case_number, day(decided_on),
    )
    assert (reading.principal_awarded, reading.interest_awarded) == (money(principal), money(interest))
    assert (reading.acceptance_fee, reading.acceptance_fee_charged) == (money(fee), money(charged))
    assert (reading.appealable, reading.performance_days) == (appealable, days)
    assert reading.text_excerpt and len(reading.text_excerpt) <= 600
    assert "审判员" not in reading.text_excerpt and "本院认为" not in reading.text_excerpt
    return reading


@pytest.mark.parametrize("row", SAMPLES, ids=NAMES)
def test_a_docx_ruling_reads_as_its_text(row):
    extracted = extract_text(docx_of(row[0]), DOCX_TYPE)
    assert extracted.state == TextState.EXTRACTED
    assert_read_as_expected(extracted.text, row)


@pytest.mark.libreoffice
@pytest.mark.parametrize("row", PDF_SAMPLES, ids=[row[0] for row in PDF_SAMPLES])
def test_a_pdf_ruling_made_from_the_docx_reads_as_its_text(row, pdfs):
    extracted = extract_text(pdfs[row[0]], "application/pdf", ocr=False)
    assert extracted.state == TextState.EXTRACTED
    assert_read_as_expected(extracted.text, row)


@pytest.mark.parametrize("row", ADDED, ids=[row[0] for row in ADDED])
def test_an_added_sample_reads_as_expected_as_plain_text(row):
    assert_read_as_expected(sample_text(row[0]), row)


def test_there_are_at_least_ten_samples_of_each_kind():
    kinds = [row[1] for row in SAMPLES]
    assert {kind: kinds.count(kind) >= 10 for kind in set(kinds)} == {
        "judgment": True, "ruling": True, "mediation": True, "arbitral_award": True, "payment_order": True,
    }
    assert sorted(path.stem for path in DOCUMENTS.glob("*.txt")) == sorted(NAMES)


@pytest.mark.parametrize(
    "feature, pattern",
    [
        ("full-width brackets", r"^（\d{4}）"),
        ("half-width brackets", r"^\(\s*\d{4}\s*\)"),
        ("a date with 〇", r"^二〇\S{2}年"),
        ("a date with an ASCII 0", r"^二0\S{2}年"),
        ("万元 amounts", r"\d万元"),
        ("several defendants", r"^(?:被告|被申请人)：(?s:.*)^(?:被告|被申请人)："),
        ("减半收取", r"减半收取"),
        ("small claims", r"小额诉讼程序"),
        ("final wording", r"为终审(?:判决|裁定)|一审终审|终局裁决"),
    ],
)
def test_the_samples_cover_the_real_formats(feature, pattern):
    found = {row[1] for row in SAMPLES if re.search(pattern, sample_text(row[0]), re.MULTILINE)}
    assert found, f"no sample has {feature}"


# The layout of a PDF's text layer or of OCR ---------------------------------------------


def test_page_numbers_spaces_and_lines_cut_by_the_margin_are_undone():
    from legalcase.rulings import document_lines

    text = (
        "上海市浦东新区人民法院\n民 事 调 解 书\n（2025）沪 0115 民初 51003 号\n"
        "一、被告张明远确认尚欠原告上海浦江商业银行股份有限公司借\n"
        "第 1 页 共 2 页\n\f款本金 50,000 元、利息 3,000 元，合计 53,000 元；\n"
        "二、被告张明远于 2025 年 10 月 31 日前支付原告 20,000 元，于\n"
        "三、原告放弃其他诉讼请求。\n审判员　　陆洁\n- 2 -\n"
    )

    assert document_lines(text) == [
        "上海市浦东新区人民法院",
        "民事调解书",
        "（2025）沪0115民初51003号",
        "一、被告张明远确认尚欠原告上海浦江商业银行股份有限公司借款本金50,000元、利息3,000元，合计53,000元；",
        "二、被告张明远于2025年10月31日前支付原告20,000元，于",
        "三、原告放弃其他诉讼请求。",
        "审判员　　陆洁",
    ]


# End to end through the API ------------------------------------------------------------


def upload(name: str, filename: str, data: bytes):
    client = APIClient()
    client.force_authenticate(make_user())
    matter = make_matter()
    body = {"file": SimpleUploadedFile(filename, data), "served_on": "2026-01-28"}
    return client.post(f"/api/v1/matters/{matter.pk}/rulings/", body, format="multipart")


EXPECTED_BODY = {
    "kind": "judgment",
    "case_number": "（2025）粤0304民初66120号",
    "court": "深圳市福田区人民法院",
    "decided_on": "2026-01-20",
    "served_on": "2026-01-28",
    "principal_awarded": "43000.00",
    "interest_awarded": "2150.80",
    "acceptance_fee": "880.00",
    "acceptance_fee_charged": "440.00",
    "appealable": False,
    "performance_days": 10,
    "confirmed": False,
    "text_source": "text",
}


@pytest.mark.django_db
def test_a_docx_ruling_uploaded_through_the_api_is_read(evidence_storage):  # noqa: F811
    response = upload("judgment_11_small_claims_several_defendants", "判决书.docx", docx_of(ADDED[0][0]))

    assert response.status_code == 201, response.content
    body = response.json()
    assert {name: body[name] for name in EXPECTED_BODY} == EXPECTED_BODY
    assert body["text_excerpt"].startswith("一、被告")


@pytest.mark.django_db
@pytest.mark.libreoffice
def test_a_pdf_ruling_uploaded_through_the_api_is_read(evidence_storage, pdfs):  # noqa: F811
    response = upload("judgment_11_small_claims_several_defendants", "判决书.pdf", pdfs[ADDED[0][0]])

    assert response.status_code == 201, response.content
    body = response.json()
    assert {name: body[name] for name in EXPECTED_BODY} == EXPECTED_BODY
    assert body["text_excerpt"].startswith("一、被告")
