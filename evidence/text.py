"""Text of an evidence file: DOCX paragraphs and tables (python-docx), a PDF's text layer (pypdf).

A PDF whose pages carry images but no text is a scan, and so are images. Where tesseract
and its Simplified Chinese data (chi_sim) are installed a scan is read by OCR (PDF pages
rendered by poppler's pdftoppm first): state ``ocr``, or ``ocr_partial`` when only the first
``MAX_OCR_PAGES`` pages were read. Elsewhere, or when OCR fails, times out or finds nothing,
the state is ``scanned``. XLSX gets its text from the PDF LibreOffice makes of it.
Extraction never refuses a file: the bytes were validated already, so a failure here is
logged and leaves state ``none`` (``scanned`` for a scan).
"""

from __future__ import annotations

import functools
import io
import logging
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from evidence.conversion import DOCX_TYPE
from evidence.models import TextState

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 2_000_000
IMAGE_TYPES = ("image/jpeg", "image/png")
OCR_LANGUAGES = "chi_sim+eng"
MAX_OCR_PAGES = 50  # pages of a scanned PDF read by OCR; the state says when there were more
OCR_DPI = 200
OCR_PAGE_SECONDS = 60  # tesseract, per image or page
OCR_RENDER_SECONDS = 120  # pdftoppm, for all the pages read
OCR_TOTAL_SECONDS = 300  # all the pages of one file


@dataclass(frozen=True)
class ExtractedText:
    text: str
    state: str  # a TextState value


def extract_text(data: bytes, content_type: str, *, ocr: bool = True) -> ExtractedText:
    """The text of a file of the given (validated) type, and what kind of text it is.

    With ``ocr=False`` a scan is only marked ``scanned``: the upload request leaves OCR,
    which can take minutes, to a background job.
    """
    try:
        if content_type == DOCX_TYPE:
            return _state(docx_text(data))
        if content_type == "application/pdf":
            found = pdf_text(data)
            return ocr_text(data, content_type) if ocr and found.state == TextState.SCANNED else found
    except Exception:
        log.warning("cannot extract the text of a %s file", content_type, exc_info=True)
        return ExtractedText("", TextState.NONE)
    if content_type in IMAGE_TYPES:
        return ocr_text(data, content_type) if ocr else ExtractedText("", TextState.SCANNED)
    return ExtractedText("", TextState.NONE)


def _state(text: str) -> ExtractedText:
    text = text.strip()[:MAX_TEXT_CHARS]
    return ExtractedText(text, TextState.EXTRACTED if text else TextState.NONE)


def docx_text(data: bytes) -> str:
    """Paragraphs and table cells in document order, one line each."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells: list[str] = []
                for cell in row.cells:  # a merged cell repeats; keep it once
                    if not cells or cells[-1] != cell.text:
                        cells.append(cell.text)
                lines.append("\t".join(cells))
    return "\n".join(line for line in lines if line.strip())


def pdf_text(data: bytes) -> ExtractedText:
    """The text layer of every page; ``scanned`` when there is none but the pages hold images."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")  # owner-password-only PDFs open with the empty user password
    pages, has_images = [], False
    for page in reader.pages:
        pages.append(page.extract_text() or "")
        if not has_images:
            has_images = _has_images(page)
    found = _state("\n\f".join(pages) if any(text.strip() for text in pages) else "")
    if found.state == TextState.NONE and has_images:
        return ExtractedText("", TextState.SCANNED)
    return found


def _has_images(page, depth: int = 0) -> bool:
    if depth > 3:
        return False
    resources = page.get("/Resources")
    if resources is None:
        return False
    xobjects = resources.get_object().get("/XObject")
    if xobjects is None:
        return False
    for ref in xobjects.get_object().values():
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Image":
            return True
        if obj.get("/Subtype") == "/Form" and _has_images(obj, depth + 1):
            return True
    return False


# OCR ---------------------------------------------------------------------------------


def tesseract_path() -> str | None:
    return shutil.which("tesseract")


@functools.lru_cache(maxsize=4)
def _tesseract_languages(path: str) -> frozenset[str]:
    listed = subprocess.run([path, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    # The first line is a heading ("List of available languages in ..."); then one per line.
    return frozenset(line.strip() for line in (listed.stdout + listed.stderr).splitlines()[1:] if line.strip())


def ocr_available() -> bool:
    """Whether tesseract and its Simplified Chinese data (chi_sim) are installed."""
    path = tesseract_path()
    if path is None:
        return False
    try:
        return "chi_sim" in _tesseract_languages(path)
    except (OSError, subprocess.SubprocessError):
        log.warning("cannot list the languages of %s", path, exc_info=True)
        return False


def ocr_image(data: bytes, *, timeout: float | None = None) -> str:
    """The text tesseract reads in an image (Simplified Chinese and English).

    Raises ``subprocess.TimeoutExpired`` (tesseract is killed) or ``CalledProcessError``.
    """
    path = tesseract_path()
    if path is None:
        raise FileNotFoundError("tesseract is not installed")
    done = subprocess.run(
        [path, "stdin", "stdout", "-l", OCR_LANGUAGES],
        input=data,
        capture_output=True,
        timeout=OCR_PAGE_SECONDS if timeout is None else timeout,  # run() kills tesseract when it passes
        check=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    return done.stdout.decode("utf-8", "replace")


def ocr_pdf(data: bytes) -> tuple[str, bool]:
    """OCR of the first ``MAX_OCR_PAGES`` pages of a PDF, pages separated by form feeds,
    and whether pages were left out."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")
    total = len(reader.pages)
    last = min(total, MAX_OCR_PAGES)
    deadline = time.monotonic() + OCR_TOTAL_SECONDS
    with tempfile.TemporaryDirectory(prefix="fasu-ocr-") as workdir:
        source = Path(workdir) / "scan.pdf"
        source.write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-r", str(OCR_DPI), "-png", "-f", "1", "-l", str(last), str(source), str(Path(workdir) / "page")],
            capture_output=True,
            timeout=OCR_RENDER_SECONDS,
            check=True,
        )
        pages = []
        for image in sorted(Path(workdir).glob("page-*.png")):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise subprocess.TimeoutExpired("tesseract", OCR_TOTAL_SECONDS)
            pages.append(ocr_image(image.read_bytes(), timeout=min(OCR_PAGE_SECONDS, remaining)).strip())
    return "\n\f".join(pages), total > last


def ocr_text(data: bytes, content_type: str) -> ExtractedText:
    """A scan's text by OCR where it is installed; ``scanned`` without it, on failure or when
    nothing was read. Never raises."""
    scanned = ExtractedText("", TextState.SCANNED)
    if not ocr_available():
        return scanned
    try:
        if content_type == "application/pdf":
            text, capped = ocr_pdf(data)
        else:
            text, capped = ocr_image(data), False
    except Exception:
        log.warning("OCR of a %s file failed; it stays a scan", content_type, exc_info=True)
        return scanned
    text = text.strip()[:MAX_TEXT_CHARS]
    if not text:
        return scanned
    return ExtractedText(text, TextState.OCR_PARTIAL if capped else TextState.OCR)
