"""Scanned rulings: an empty reading at upload ("none"), read again from the OCR text where
tesseract is installed ("ocr"), left alone once a person confirmed it, and left empty
(for a person to type the fields in) where OCR is not available.

The tests that run tesseract skip where it, its chi_sim data or pdftoppm is missing (.ci/run
installs them); the scan is drawn with a CJK font (fonts-noto-cjk or fonts-wqy).
"""

import io
from pathlib import Path

import img2pdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont
from rest_framework.test import APIClient

from evidence import services as evidence_services
from evidence import text as evidence_text
from evidence.models import EvidenceItem, TextState
from legalcase.jobs import job_run
from legalcase.models import EventKind, Job, MatterEvent, Ruling
from legalcase.services.proceedings import ruling_reread
from tests.evidence.test_ocr import needs_ocr
from tests.factories import make_matter, make_user
from tests.fakes import remember_scan

pytestmark = pytest.mark.django_db

RULINGS = Path(__file__).parent.parent / "legalcase" / "rulings"
# Two defendants and a guarantor, 万元 amounts and a 二0 date: read cleanly by chi_sim at this size.
SAMPLE = "judgment_03_wanyuan_guarantor"
FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
# An A4 page at 200 dpi, 48 px characters (about 17 pt), as a clean office scan.
PAGE, MARGIN, LINE_HEIGHT = (1654, 2339), 120, 64


def scanned_pdf(text: str) -> bytes:
    """The text drawn line by line on A4 pages, wrapped at the margin: an image-only PDF."""
    font_path = next((path for path in FONTS if Path(path).exists()), None)
    if font_path is None:
        pytest.skip("no CJK font to draw the test scan with (fonts-noto-cjk or fonts-wqy-microhei)")
    font = ImageFont.truetype(font_path, 48)
    measure = ImageDraw.Draw(Image.new("L", (1, 1)))
    width = PAGE[0] - 2 * MARGIN
    pages: list[Image.Image] = []
    drawn: list[list[str]] = []  # the lines on each page, for the fake tesseract
    y = PAGE[1]
    for line in text.splitlines():
        while line:
            cut = min(len(line), width // 24)  # no line holds more than this many half-width characters
            while measure.textlength(line[:cut], font=font) > width:
                cut -= 1
            if y + LINE_HEIGHT > PAGE[1] - MARGIN:
                pages.append(Image.new("L", PAGE, 255))
                drawn.append([])
                y = MARGIN
            ImageDraw.Draw(pages[-1]).text((MARGIN, y), line[:cut], font=font, fill=0)
            drawn[-1].append(line[:cut])
            line, y = line[cut:], y + LINE_HEIGHT
    images = []
    for page, lines in zip(pages, drawn):
        remember_scan(page, "\n".join(lines))
        out = io.BytesIO()
        page.save(out, format="PNG", dpi=(200, 200))
        images.append(out.getvalue())
    return img2pdf.convert(images)


@pytest.fixture(scope="module")
def scan() -> bytes:
    return scanned_pdf((RULINGS / f"{SAMPLE}.txt").read_text(encoding="utf-8"))


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def upload_scan(user, scan: bytes) -> dict:
    matter = make_matter()
    body = {"file": SimpleUploadedFile("判决书扫描件.pdf", scan), "served_on": "2026-01-15"}
    response = api(user).post(f"/api/v1/matters/{matter.pk}/rulings/", body, format="multipart")
    assert response.status_code == 201, response.content
    return response.json()


def run_ocr_jobs() -> int:
    jobs = list(Job.objects.filter(kind="evidence_ocr", status="pending"))
    for job in jobs:
        job_run(job_id=job.pk)
    return len(jobs)


def read_fields(body: dict) -> dict:
    # bound_parties is a list, [] when nobody of the matter was read (API.md v1.1).
    return {
        name: value
        for name, value in body.items()
        if name not in ("id", "served_on", "confirmed", "text_source", "bound_parties")
    }


@needs_ocr
@pytest.mark.tesseract
def test_a_scanned_ruling_is_empty_at_upload_and_read_by_ocr(scan):
    user = make_user()

    body = upload_scan(user, scan)

    # The upload answers at once: nothing read yet, and the client is told why.
    assert body["text_source"] == "none"
    assert set(read_fields(body).values()) == {None}
    assert (body["served_on"], body["confirmed"]) == ("2026-01-15", False)

    job = Job.objects.get(kind="evidence_ocr", status="pending")
    job_run(job_id=job.pk)

    ruling = Ruling.objects.get(pk=body["id"])
    assert EvidenceItem.objects.get(pk=ruling.evidence_id).text_state == TextState.OCR
    assert ruling.reading["text_source"] == "ocr"
    assert (ruling.kind, ruling.case_number, ruling.court) == ("judgment", "（2025）浙0106民初9120号", "杭州市西湖区人民法院")
    assert ruling.reading["case_number"] == "（2025）浙0106民初9120号"
    assert ruling.served_on.isoformat() == "2026-01-15"
    assert ruling.confirmed is False
    event = MatterEvent.objects.filter(matter=ruling.matter, kind=EventKind.RULING_RECORDED).latest("id")
    assert event.note == "OCR识别"
    assert event.new["text_source"] == "ocr"
    # The job is safe to run twice: the text is read once, the ruling read again once.
    evidence_services.evidence_ocr(job=job, report=lambda **kwargs: None)
    assert MatterEvent.objects.filter(matter=ruling.matter, note="OCR识别").count() == 1

    answered = api(user).post(f"/api/v1/rulings/{ruling.pk}/confirm/", {}, format="json")
    assert answered.status_code == 200, answered.content
    assert (answered.json()["case_number"], answered.json()["text_source"]) == ("（2025）浙0106民初9120号", "ocr")


@needs_ocr
def test_a_ruling_confirmed_before_ocr_finishes_is_left_alone(scan):
    user = make_user()
    body = upload_scan(user, scan)
    confirmed = api(user).post(
        f"/api/v1/rulings/{body['id']}/confirm/", {"kind": "judgment", "appealable": True}, format="json"
    )
    assert confirmed.status_code == 200, confirmed.content

    assert run_ocr_jobs() == 1

    ruling = Ruling.objects.get(pk=body["id"])
    # The file's text is recognised; the ruling stays as the person confirmed it.
    assert EvidenceItem.objects.get(pk=ruling.evidence_id).text_state == TextState.OCR
    assert (ruling.kind, ruling.appealable, ruling.case_number, ruling.court) == ("judgment", True, None, None)
    assert ruling.reading["text_source"] == "none"
    assert ruling.reading["case_number"] is None
    assert not MatterEvent.objects.filter(matter=ruling.matter, note="OCR识别").exists()


def test_without_ocr_a_scanned_ruling_stays_empty_for_a_person_to_fill_in(monkeypatch, scan):
    monkeypatch.setattr(evidence_text, "ocr_available", lambda: False)
    monkeypatch.setattr(evidence_services, "ocr_available", lambda: False)

    body = upload_scan(make_user(), scan)

    assert body["text_source"] == "none"
    assert set(read_fields(body).values()) == {None}
    assert run_ocr_jobs() == 0
    ruling = Ruling.objects.get(pk=body["id"])
    assert ruling.reading["text_source"] == "none"
    assert EvidenceItem.objects.get(pk=ruling.evidence_id).text_state == TextState.SCANNED


def test_a_docx_or_text_layer_ruling_says_its_text_came_from_the_file():
    from tests.legalcase.test_ruling_formats import docx_of

    matter = make_matter()
    response = api(make_user()).post(
        f"/api/v1/matters/{matter.pk}/rulings/",
        {"file": SimpleUploadedFile("判决书.docx", docx_of(SAMPLE))},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["text_source"] == "text"
    assert Ruling.objects.get().reading["text_source"] == "text"


def test_reading_again_a_file_that_holds_no_ruling_does_nothing():
    assert ruling_reread(evidence_id=987654, text="某某人民法院\n民事判决书\n", source="ocr") is None
    assert not Ruling.objects.exists()

