"""DOCX and XLSX to PDF through LibreOffice, text extraction, and what happens without LibreOffice.

The tests that run soffice skip where it is not installed (CI installs it: .ci/run).
"""

import io
import os
import shutil
import subprocess
from pathlib import Path

import img2pdf
import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from evidence import conversion
from evidence.models import EvidenceBundle, EvidenceItem, PdfStatus, TextState
from evidence.services import evidence_convert, evidence_upload
from evidence.text import extract_text
from legalcase.jobs import JOB_KINDS, job_run
from legalcase.models import Job, JobStatus, Role
from tests.evidence import samples
from tests.evidence.conftest import stored_files
from tests.factories import make_matter, make_user

pytestmark = pytest.mark.django_db

needs_soffice = pytest.mark.skipif(
    conversion.soffice_path() is None,
    reason="LibreOffice (soffice) is not installed here; .ci/run installs libreoffice-writer-nogui",
)
HTMX = {"HTTP_HX_REQUEST": "true"}
CLAUSES = ("第一条　借款人张三向出借人借款人民币壹拾万元整。", "第二条　借款期限自二〇二四年一月十五日起一年。")


def chinese_docx(pages: int = 2) -> bytes:
    """A Word document in 宋体 with one clause per page (page breaks between)."""
    document = Document()
    for number in range(pages):
        run = document.add_paragraph().add_run(CLAUSES[number % len(CLAUSES)])
        run.font.name = "宋体"
        run._element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
        if number < pages - 1:
            document.add_page_break()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "借款金额", "100000元"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(user, matter, name, data, **fields):
    handle = SimpleUploadedFile(name, data)
    return evidence_upload(
        user=user, matter_id=matter.pk, uploaded_file=handle, kind="contract", title=name.rsplit(".", 1)[0], **fields
    )


def run_conversion(item) -> Job:
    job = job_run(job_id=item.pdf_job_id)
    assert job is not None
    item.refresh_from_db()
    return job


def soffice_processes() -> list[str]:
    """Command lines of soffice processes using a profile of this test process."""
    prefix = conversion.profile_prefix()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if prefix in cmdline:
            found.append(cmdline)
    return found


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


def test_the_conversion_job_runs_on_its_own_pdf_queue():
    from workers import actors

    spec = JOB_KINDS["evidence_convert"]
    assert (spec.queue, spec.actor, spec.handler) == ("pdf", "run_pdf_job", "evidence.services.evidence_convert")
    assert actors.run_pdf_job.queue_name == "pdf"


@pytest.mark.skipif(shutil.which("fc-match") is None, reason="fc-match (fontconfig) is not installed")
def test_the_fontconfig_mapping_sets_song_as_serif_and_hei_as_sans(tmp_path):
    conf = tmp_path / "fonts.conf"
    conf.write_text(conversion.fontconfig_file_text(), encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}

    def match(family):
        return subprocess.run(["fc-match", family], env=env, capture_output=True, text=True, check=True).stdout

    if "Noto Serif CJK SC" not in subprocess.run(["fc-list"], capture_output=True, text=True).stdout:
        pytest.skip("fonts-noto-cjk is not installed")
    for family in ("宋体", "SimSun", "仿宋", "FangSong", "楷体", "KaiTi"):
        assert "Noto Serif CJK SC" in match(family), family
    for family in ("黑体", "SimHei", "微软雅黑", "Microsoft YaHei"):
        assert "Noto Sans CJK SC" in match(family), family


@needs_soffice
@pytest.mark.libreoffice
def test_a_chinese_docx_converts_to_a_pdf_with_its_pages_and_text(client, counsel, evidence_storage):
    matter = make_matter()
    item = upload(counsel, matter, "借款合同.docx", chinese_docx(pages=2))
    assert item.pdf_status == PdfStatus.PENDING and item.page_count is None
    client.force_login(counsel)
    section = reverse("evidence_section", args=[matter.pk])
    html = client.get(section, **HTMX).content.decode()
    assert "正在转换为PDF" in html and "PDF 转换不可用" not in html
    assert item.pdf_job.kind == "evidence_convert" and item.pdf_job.payload == {"evidence_id": item.pk}
    # The DOCX text is there from the upload on.
    assert item.text_state == TextState.EXTRACTED and CLAUSES[0] in item.text and "借款金额\t100000元" in item.text

    job = run_conversion(item)
    assert job.status == JobStatus.DONE, job.error
    assert item.pdf_status == PdfStatus.CONVERTED and item.page_count == 2
    assert len(stored_files(evidence_storage)) == 2  # the original and its PDF
    with item.pdf_file.file.storage.open(item.pdf_file.file.name, "rb") as handle:
        reader = pypdf.PdfReader(handle)
        text = "".join(page.extract_text() for page in reader.pages)
        assert len(reader.pages) == 2
    assert "借款人张三" in text.replace(" ", "") and "壹拾万元整" in text.replace(" ", "")
    listed = client.get(reverse("evidence_api:matter-evidence", args=[matter.pk])).json()["results"][0]
    assert (listed["pdf_status"], listed["page_count"], listed["text_state"]) == ("converted", 2, "extracted")
    # Running the handler again changes nothing.
    pdf_id = item.pdf_file_id
    evidence_convert(job=item.pdf_job, report=lambda **_: None)
    item.refresh_from_db()
    assert item.pdf_file_id == pdf_id and len(stored_files(evidence_storage)) == 2
    assert not soffice_processes()


@needs_soffice
@pytest.mark.libreoffice
def test_an_xlsx_converts_and_gets_its_text_from_the_pdf(counsel):
    openpyxl = pytest.importorskip("openpyxl", reason="openpyxl is not installed")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["日期", "还款金额"])
    sheet.append(["2024-01-15", "5000.00"])
    out = io.BytesIO()
    book.save(out)
    item = upload(counsel, make_matter(), "还款记录.xlsx", out.getvalue())
    assert item.text_state == TextState.NONE
    job = run_conversion(item)
    assert job.status == JobStatus.DONE, job.error
    assert item.page_count == 1 and item.text_state == TextState.EXTRACTED and "还款金额" in item.text


@needs_soffice
@pytest.mark.libreoffice
def test_a_conversion_past_its_time_limit_is_killed_and_the_job_fails(counsel, settings):
    settings.EVIDENCE_CONVERT_SECONDS = 0.2  # soffice takes longer than this just to start
    item = upload(counsel, make_matter(), "借款合同.docx", chinese_docx())
    job = run_conversion(item)
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("ConversionFailed: PDF 转换超时") and "已终止 LibreOffice" in job.error
    assert item.pdf_status == PdfStatus.FAILED and item.pdf_file_id is None and item.page_count is None
    assert item.pdf_error == job.error
    assert not soffice_processes()
    # The converter starts afresh with a new profile afterwards.
    settings.EVIDENCE_CONVERT_SECONDS = 120
    again = conversion.convert_to_pdf(chinese_docx(pages=1), conversion.DOCX_TYPE)
    assert again.page_count == 1


@needs_soffice
def test_a_bundle_includes_the_pages_of_a_converted_docx(client, counsel):
    matter = make_matter()
    pdf = upload(counsel, matter, "借据.pdf", samples.pdf_bytes(1))
    docx = upload(counsel, matter, "借款合同.docx", chinese_docx(pages=2))
    url = reverse("evidence_api:matter-bundles", args=[matter.pk])
    client.force_login(counsel)
    refused = client.post(url, {"title": "一审证据"}, content_type="application/json")
    assert refused.status_code == 400
    assert "尚未转换为PDF" in str(refused.json()["evidence"]) and "借款合同" in str(refused.json()["evidence"])

    run_conversion(docx)
    started = client.post(url, {"title": "一审证据", "evidence": [docx.pk, pdf.pk]}, content_type="application/json")
    assert started.status_code == 202, started.content
    bundle = EvidenceBundle.objects.get(pk=started.json()["id"])
    job = job_run(job_id=bundle.job_id)
    assert job.status == JobStatus.DONE, job.error
    bundle.refresh_from_db()
    with bundle.file.file.storage.open(bundle.file.file.name, "rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    index_pages = sum(1 for page in reader.pages if "证据目录" in page.extract_text())
    assert len(reader.pages) == bundle.page_count == index_pages + 2 + 1
    assert "借款人张三" in reader.pages[index_pages].extract_text().replace(" ", "")
    first = bundle.manifest[0]
    assert (first["evidence"], first["sha256"]) == (docx.pk, docx.sha256) and len(first["pdf_sha256"]) == 64


def test_without_libreoffice_the_upload_works_and_the_page_says_conversion_is_unavailable(
    client, counsel, monkeypatch, evidence_storage
):
    monkeypatch.setattr(conversion, "SOFFICE_PATH", "/nonexistent/soffice")
    matter = make_matter()
    item = upload(counsel, matter, "借款合同.docx", chinese_docx())
    assert EvidenceItem.objects.filter(pk=item.pk).exists() and len(stored_files(evidence_storage)) == 1
    assert item.text_state == TextState.EXTRACTED  # text does not need LibreOffice
    client.force_login(counsel)
    section = reverse("evidence_section", args=[matter.pk])
    assert "PDF 转换不可用" in client.get(section, **HTMX).content.decode()  # before the job ran

    job = run_conversion(item)
    assert job.status == JobStatus.FAILED and job.error.startswith("ConversionUnavailable: PDF 转换不可用")
    assert item.pdf_status == PdfStatus.UNAVAILABLE
    assert "PDF 转换不可用" in client.get(section, **HTMX).content.decode()
    listed = client.get(reverse("evidence_api:matter-evidence", args=[matter.pk])).json()["results"][0]
    assert (listed["pdf_status"], listed["page_count"]) == ("unavailable", None)
    # Everything else still works: a PDF uploads and bundles.
    upload(counsel, matter, "借据.pdf", samples.pdf_bytes(1))
    response = client.post(
        reverse("evidence_api:matter-bundles", args=[matter.pk]), {"title": "证据"}, content_type="application/json"
    )
    assert response.status_code == 400 and "尚未转换为PDF" in str(response.json())
    with pytest.raises(conversion.ConversionUnavailable):
        conversion.convert_to_pdf(b"", conversion.DOCX_TYPE)


def test_docx_text_is_extracted_in_document_order():
    found = extract_text(chinese_docx(pages=2), samples.DOCX_TYPE)
    assert found.state == TextState.EXTRACTED
    assert found.text.splitlines() == [CLAUSES[0], CLAUSES[1], "借款金额\t100000元"]


def test_a_pdf_text_layer_is_extracted_at_upload(counsel):
    from reportlab.pdfgen import canvas

    from evidence.bundling import cjk_font

    font, _ = cjk_font()
    out = io.BytesIO()
    sheet = canvas.Canvas(out)
    sheet.setFont(font, 12)
    sheet.drawString(72, 700, "民事起诉状 原告某银行")
    sheet.showPage()
    sheet.save()
    item = upload(counsel, make_matter(), "起诉状.pdf", out.getvalue())
    assert item.text_state == TextState.EXTRACTED and "民事起诉状" in item.text
    assert item.pdf_job_id is None and item.pdf_status == PdfStatus.NATIVE


def test_a_pdf_without_a_text_layer_is_scanned(counsel):
    scan = img2pdf.convert(samples.image_bytes("PNG", size=(200, 280)))
    item = upload(counsel, make_matter(), "判决书扫描件.pdf", scan)
    assert (item.text_state, item.text) == (TextState.SCANNED, "")
    assert extract_text(samples.owner_password_only_pdf(), "application/pdf").state in (
        TextState.NONE,
        TextState.EXTRACTED,
    )
    assert extract_text(samples.image_bytes("JPEG"), "image/jpeg").state == TextState.SCANNED
    # A file python-docx cannot read is still stored; it just has no text.
    assert extract_text(samples.docx_bytes(), samples.DOCX_TYPE).state == TextState.NONE
