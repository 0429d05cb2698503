"""OCR of scanned evidence with tesseract's Simplified Chinese data, and the ``scanned`` state without it.

The tests that run tesseract skip where it or its chi_sim data is not installed (CI installs
tesseract-ocr, tesseract-ocr-chi-sim and poppler-utils: .ci/run).
"""

import io
import shutil
import subprocess
from pathlib import Path

import img2pdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont

from evidence import text as evidence_text
from evidence.models import EvidenceItem, TextState
from legalcase.jobs import job_run
from legalcase.models import Job, Role
from tests.factories import make_matter, make_user
from tests.fakes import remember_scan

pytestmark = pytest.mark.django_db

PHRASE = "借款合同"
LINES = ("本借款合同由出借人张三与借款人李四签订", "出借人张三向借款人李四出借人民币十万元")
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)

needs_ocr = pytest.mark.skipif(
    not evidence_text.ocr_available() or shutil.which("pdftoppm") is None,
    reason="tesseract with chi_sim data or pdftoppm is not installed here; "
    ".ci/run installs tesseract-ocr, tesseract-ocr-chi-sim and poppler-utils",
)


def cjk_font_path() -> str:
    for path in CJK_FONTS:
        if Path(path).exists():
            return path
    pytest.skip("no CJK font to draw the test scan with (fonts-wqy-microhei: .ci/run installs it)")


def chinese_png() -> bytes:
    """A 'scan': black Chinese text, 48 px, on white."""
    font = ImageFont.truetype(cjk_font_path(), 48)
    image = Image.new("RGB", (1100, 260), "white")
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(LINES):
        draw.text((40, 40 + number * 100), line, font=font, fill="black")
    remember_scan(image, "\n".join(LINES))  # what the fake tesseract reads in it
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(200, 200))
    return out.getvalue()


def squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def counsel_client(client):
    client.force_login(make_user(Role.COUNSEL))
    return client


def post_scan(client, name, data):
    matter = make_matter()
    body = {"file": SimpleUploadedFile(name, data), "kind": "identity", "title": "借款合同扫描件"}
    response = client.post(reverse("evidence_api:matter-evidence", args=[matter.pk]), body, format="multipart")
    assert response.status_code == 201, response.content
    item = EvidenceItem.objects.get(pk=response.json()["id"])
    # The upload only marks the scan; OCR runs as a job on the pdf queue.
    assert item.text_state in (TextState.SCANNED, TextState.NONE)
    for job in Job.objects.filter(kind="evidence_ocr", status="pending"):
        assert job.payload == {"evidence_id": item.pk}
        job_run(job_id=job.pk)
    item.refresh_from_db()
    return item


@needs_ocr
@pytest.mark.tesseract
def test_a_scanned_image_is_read_by_ocr(counsel_client):
    item = post_scan(counsel_client, "借款合同.png", chinese_png())
    assert item.text_state == TextState.OCR
    assert PHRASE in squeezed(item.text)


@needs_ocr
def test_an_image_only_pdf_is_read_by_ocr(counsel_client):
    item = post_scan(counsel_client, "借款合同.pdf", img2pdf.convert(chinese_png()))
    assert item.text_state == TextState.OCR
    assert PHRASE in squeezed(item.text)


@needs_ocr
def test_only_the_first_pages_of_a_long_scan_are_read_and_the_state_says_so(counsel_client, monkeypatch):
    monkeypatch.setattr(evidence_text, "MAX_OCR_PAGES", 1)
    scan = img2pdf.convert([chinese_png(), chinese_png()])
    item = post_scan(counsel_client, "借款合同.pdf", scan)
    assert item.text_state == TextState.OCR_PARTIAL
    assert squeezed(item.text).count(PHRASE) == 1


def test_without_tesseract_a_scan_stays_scanned(counsel_client, monkeypatch):
    monkeypatch.setattr(evidence_text, "tesseract_path", lambda: None)
    assert evidence_text.ocr_available() is False
    item = post_scan(counsel_client, "借款合同.png", chinese_png())
    assert (item.text_state, item.text) == (TextState.SCANNED, "")
    item = post_scan(counsel_client, "借款合同.pdf", img2pdf.convert(chinese_png()))
    assert (item.text_state, item.text) == (TextState.SCANNED, "")


@needs_ocr
@pytest.mark.tesseract
def test_a_tesseract_timeout_leaves_the_scan_scanned(counsel_client, monkeypatch, caplog):
    monkeypatch.setattr(evidence_text, "OCR_PAGE_SECONDS", 0.001)
    item = post_scan(counsel_client, "借款合同.png", chinese_png())
    assert (item.text_state, item.text) == (TextState.SCANNED, "")
    assert "OCR of a image/png file failed" in caplog.text
    item = post_scan(counsel_client, "借款合同.pdf", img2pdf.convert(chinese_png()))
    assert (item.text_state, item.text) == (TextState.SCANNED, "")


@needs_ocr
def test_a_tesseract_failure_leaves_the_scan_scanned(counsel_client, monkeypatch, caplog):
    real_run = subprocess.run

    def failing_run(args, **kwargs):
        if "stdin" in args:  # the tesseract call, not --list-langs or pdftoppm
            raise subprocess.CalledProcessError(1, args, stderr=b"Error opening data file")
        return real_run(args, **kwargs)

    monkeypatch.setattr(evidence_text.subprocess, "run", failing_run)
    item = post_scan(counsel_client, "借款合同.png", chinese_png())
    assert (item.text_state, item.text) == (TextState.SCANNED, "")
    assert "OCR of a image/png file failed" in caplog.text


def test_a_failing_language_listing_means_no_ocr(monkeypatch):
    evidence_text._tesseract_languages.cache_clear()
    monkeypatch.setattr(evidence_text, "tesseract_path", lambda: "/nonexistent/tesseract")
    try:
        assert evidence_text.ocr_available() is False
    finally:
        evidence_text._tesseract_languages.cache_clear()


@needs_ocr
def test_the_section_marks_an_ocr_item(counsel_client):
    item = post_scan(counsel_client, "借款合同.png", chinese_png())
    section = reverse("evidence_section", args=[item.matter_id])
    html = counsel_client.get(section, HTTP_HX_REQUEST="true").content.decode()
    assert '<span class="hint" title="' in html and ">OCR</span>" in html
