"""Text of an evidence file: DOCX paragraphs and tables (python-docx), a PDF's text layer (pypdf).

A PDF whose pages carry images but no text is a scan: state ``scanned`` (OCR is a later
step). Images are scans too. XLSX gets its text from the PDF LibreOffice makes of it.
Extraction never refuses a file: the bytes were validated already, so a failure here is
logged and leaves state ``none``.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from evidence.conversion import DOCX_TYPE
from evidence.models import TextState

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 2_000_000
IMAGE_TYPES = ("image/jpeg", "image/png")


@dataclass(frozen=True)
class ExtractedText:
    text: str
    state: str  # a TextState value


def extract_text(data: bytes, content_type: str) -> ExtractedText:
    """The text of a file of the given (validated) type, and what kind of text it is."""
    try:
        if content_type == DOCX_TYPE:
            return _state(docx_text(data))
        if content_type == "application/pdf":
            return pdf_text(data)
    except Exception:
        log.warning("cannot extract the text of a %s file", content_type, exc_info=True)
        return ExtractedText("", TextState.NONE)
    if content_type in IMAGE_TYPES:
        return ExtractedText("", TextState.SCANNED)
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
