"""Fast stand-ins for the outside programs: LibreOffice (soffice), pdftoppm and tesseract.

The fakes replace only the call that starts the program, so everything around it runs
for real: ``evidence.conversion`` still stages the files, checks each PDF with pikepdf,
counts its pages and retries a failed file alone; ``evidence.text`` still renders a
scanned PDF page by page, caps the pages read and applies its time limits.

``tests/conftest.py`` installs them for every test; a test marked ``libreoffice`` or
``tesseract`` gets the real program instead (see the README, "Tests").

- ``fake_soffice_run`` stands for ``evidence.conversion._run``: for each input it writes
  ``<outdir>/<stem>.pdf``, a real PDF made with reportlab from the file's text (DOCX
  paragraphs and tables with their page breaks, each XLSX sheet on its own page), laid out
  on A4 so that a long document runs over several pages as it would in LibreOffice. A
  file it cannot read gets no PDF, as LibreOffice leaves none for a file it cannot load.
- ``fake_ocr_run`` stands for ``subprocess.run`` inside ``evidence.text``: pdftoppm writes
  each page's embedded scan image as ``page-N.png``; tesseract "reads" an image drawn by a
  test, which told ``remember_scan`` what it drew, and reads nothing in any other image.
  ``tesseract --list-langs`` runs for real, so whether OCR is available is the truth.
"""

from __future__ import annotations

import functools
import threading

import datetime as dt
import hashlib
import io
import subprocess
from functools import lru_cache
from pathlib import Path

from PIL import Image

# soffice --------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = 595.27, 841.89  # A4 in points
MARGIN = 72
FONT_SIZE = 11
LINE_HEIGHT = FONT_SIZE * 1.5
FAKE_FONT = "FasuFakeSoffice"


@lru_cache(maxsize=1)
def _font() -> str:
    """Register an embeddable CJK face once per process (the bundle index's candidates)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    from evidence.bundling import CJK_FONT_CANDIDATES, FALLBACK_FONT

    for path, index in CJK_FONT_CANDIDATES:
        if Path(path).exists():
            try:
                pdfmetrics.registerFont(TTFont(FAKE_FONT, path, subfontIndex=index))
            except Exception:  # noqa: BLE001 - an unusable face: try the next, as the bundler does
                continue
            return FAKE_FONT
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def docx_pages(data: bytes) -> tuple[list[list[str]], str]:
    """The body text of a DOCX as pages of lines (split at page breaks), and its title."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(data))
    pages: list[list[str]] = [[]]

    def paragraph(element) -> None:
        properties = element.find(qn("w:pPr"))
        if properties is not None and properties.find(qn("w:pageBreakBefore")) is not None and pages[-1]:
            pages.append([])
        line = []
        for node in element.iter():
            if node.tag == qn("w:t"):
                line.append((node.text or "").replace("\u2060", ""))  # LibreOffice prints no word joiner
            elif node.tag == qn("w:tab"):
                line.append("\t")
            elif node.tag == qn("w:br") and node.get(qn("w:type")) == "page":
                pages[-1].append("".join(line))
                pages.append([])
                line = []
        pages[-1].append("".join(line))
        if properties is not None and properties.find(qn("w:sectPr")) is not None:
            pages.append([])  # a section break starts the next section on a new page

    for block in document.element.body.iterchildren():
        if block.tag == qn("w:p"):
            paragraph(block)
        elif block.tag == qn("w:tbl"):
            for row in block.iter(qn("w:tr")):
                cells = ["".join(t.text or "" for t in cell.iter(qn("w:t"))) for cell in row.iter(qn("w:tc"))]
                pages[-1].append("  ".join(cells))
    if len(pages) > 1 and not any(line.strip() for line in pages[-1]):
        pages.pop()  # a trailing section break adds no page
    return pages, document.core_properties.title or ""


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def xlsx_pages(data: bytes) -> tuple[list[list[str]], str]:
    """Each sheet of an XLSX on its own page, a row a line, and the workbook's title."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        pages = []
        for sheet in book.worksheets:
            rows = ["  ".join(_cell_text(value) for value in row).rstrip() for row in sheet.iter_rows(values_only=True)]
            pages.append([row for row in rows if row.strip()])
        return pages or [[]], book.properties.title or ""
    finally:
        book.close()


def _wrapped(line: str, font: str, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    line = line.replace("\t", "    ")
    if not line:
        return [""]
    out, start, used = [], 0, 0.0
    for index, char in enumerate(line):
        advance = stringWidth(char, font, FONT_SIZE)
        if used + advance > width and index > start:
            out.append(line[start:index])
            start, used = index, 0.0
        used += advance
    out.append(line[start:])
    return out


def pdf_of(pages: list[list[str]], title: str = "") -> bytes:
    """A4 pages of text in a CJK face; text that does not fit runs over onto further pages."""
    from reportlab.pdfgen import canvas

    font = _font()
    out = io.BytesIO()
    sheet = canvas.Canvas(out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1)
    if title:
        sheet.setTitle(title)
    width = PAGE_WIDTH - 2 * MARGIN
    for lines in pages:
        y = PAGE_HEIGHT - MARGIN
        sheet.setFont(font, FONT_SIZE)
        for line in lines:
            for piece in _wrapped(line, font, width):
                if y < MARGIN:
                    sheet.showPage()
                    sheet.setFont(font, FONT_SIZE)
                    y = PAGE_HEIGHT - MARGIN
                if piece:
                    sheet.drawString(MARGIN, y, piece)
                y -= LINE_HEIGHT
        sheet.showPage()
    sheet.save()
    return out.getvalue()


# reportlab's font state is not thread-safe, and a batch builds its bundles' index and stamp
# pages in the main thread while its converter thread runs this fake: the real soffice is
# another process, so the fake and the bundler take turns (tests/conftest.py wraps both).
REPORTLAB = threading.RLock()


def reportlab_turns(function):
    """``function`` run while holding ``REPORTLAB``."""

    @functools.wraps(function)
    def taking_turns(*args, **kwargs):
        with REPORTLAB:
            return function(*args, **kwargs)

    return taking_turns


def fake_pdf(source: Path) -> bytes | None:
    """The PDF the fake LibreOffice makes of a ``.docx`` or ``.xlsx`` file; None when unreadable."""
    reader = {".docx": docx_pages, ".xlsx": xlsx_pages}.get(source.suffix.lower())
    if reader is None:
        return None
    try:
        pages, title = reader(source.read_bytes())
    except Exception:  # noqa: BLE001 - LibreOffice writes nothing for a file it cannot load
        return None
    with REPORTLAB:
        return pdf_of(pages, title)


def fake_soffice_run(command: list[str], *, env: dict, limit: float, on_started=None) -> None:
    """``evidence.conversion._run`` without LibreOffice: the same files appear in ``--outdir``.

    It announces each input as soffice does when it starts on it, and, as soffice, exits
    normally when a file cannot be loaded: the caller finds no PDF for it.
    """
    at = command.index("--outdir")
    outdir = Path(command[at + 1])
    for source in map(Path, command[at + 2 :]):
        if on_started is not None:
            on_started(str(source))
        pdf = fake_pdf(source)
        if pdf is not None:
            (outdir / f"{source.stem}.pdf").write_bytes(pdf)


# pdftoppm and tesseract -------------------------------------------------------------------

_SCANS: dict[str, str] = {}
# The fake tesseract needs at least this long; a tighter limit times out, as it would for real.
FAKE_OCR_SECONDS = 0.01


def _pixels(image: Image.Image) -> str:
    gray = image.convert("L")
    return hashlib.sha256(f"{gray.size}".encode() + gray.tobytes()).hexdigest()


def remember_scan(image: Image.Image, text: str) -> None:
    """Tell the fake tesseract what a test drew in ``image``: it reads ``text`` there."""
    _SCANS[_pixels(image)] = text


def _read(data: bytes) -> str:
    with Image.open(io.BytesIO(data)) as image:
        return _SCANS.get(_pixels(image), "")


def _render_pages(args: list[str]) -> None:
    """pdftoppm -r DPI -png -f FIRST -l LAST SOURCE PREFIX: each page's scan image as a PNG."""
    import pikepdf

    first, last = int(args[args.index("-f") + 1]), int(args[args.index("-l") + 1])
    source, prefix = args[-2], args[-1]
    with pikepdf.open(source) as pdf:
        digits = len(str(len(pdf.pages)))
        for number in range(first, min(last, len(pdf.pages)) + 1):
            page = pdf.pages[number - 1]
            images = list(page.get_images().values())
            if len(images) == 1:
                picture = pikepdf.PdfImage(images[0]).as_pil_image()
            else:  # no scan on this page (or several): a blank page reads as nothing
                picture = Image.new("L", (100, 100), 255)
            picture.save(f"{prefix}-{number:0{digits}d}.png", format="PNG")


def fake_ocr_run(real_run):
    """A ``subprocess.run`` for ``evidence.text``: pdftoppm and tesseract faked, the rest real."""

    def run(args, *positional, **kwargs):
        program = Path(str(args[0])).name
        if program == "pdftoppm":
            _render_pages([str(arg) for arg in args])
            return subprocess.CompletedProcess(args, 0, b"", b"")
        if program == "tesseract" and "stdin" in args:
            timeout = kwargs.get("timeout")
            if timeout is not None and timeout < FAKE_OCR_SECONDS:
                raise subprocess.TimeoutExpired(args, timeout)
            return subprocess.CompletedProcess(args, 0, _read(kwargs["input"]).encode("utf-8"), b"")
        return real_run(args, *positional, **kwargs)

    return run
