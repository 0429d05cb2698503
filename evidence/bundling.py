"""Assembling a court bundle: a 证据目录 index, the exhibits, page numbers and bookmarks.

Pure: exhibits (their bytes and index facts) in, a PDF written to a stream out; no
database and no storage, so the service, the tests and ``bench/bundle.py`` share it.
Courts page a bundle continuously, index included, ignoring each document's own page
numbers (LEGAL_RULES.md section 8), so every page gets "第 N 页 共 M 页" at its foot.
The index is set with reportlab in an embedded TrueType CJK font when one is installed
(Debian: fonts-wqy-microhei); Noto CJK ships CFF outlines, which reportlab cannot embed.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

import img2pdf
import pikepdf
from PIL import Image
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

log = logging.getLogger(__name__)

# TrueType CJK faces reportlab can embed, as (path, subfont index of a TTC), best first.
CJK_FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)
FONT_NAME = "FasuCJK"
FALLBACK_FONT = "STSong-Light"  # a CID font viewers supply; not embedded
IMAGE_PAGE = (img2pdf.mm_to_pt(210), img2pdf.mm_to_pt(297))
IMAGE_MAX_SIDE = 3000  # pixels; a phone photo is downsampled for the bundle, the original is kept


class BundleError(Exception):
    """An exhibit cannot go into a bundle (a format not converted yet, or unreadable)."""


@dataclass(frozen=True)
class Exhibit:
    number: str  # 证据1, 证据1-1 ...
    title: str
    source: str
    purpose: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class BuiltBundle:
    page_count: int
    index_pages: int
    exhibit_pages: list[tuple[int, int]]  # first and last bundle page of each exhibit, 1-based
    index_rows: list[tuple[str, str, str, str, str]]  # the 证据目录 rows as set: 序号, 名称, 来源, 目的, 页码


@lru_cache(maxsize=1)
def cjk_font() -> tuple[str, bool]:
    """Register the CJK font once; return its name and whether it is embedded."""
    for path, index in CJK_FONT_CANDIDATES:
        if Path(path).exists():
            try:
                pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
            except Exception:  # an unusable face: try the next one
                log.warning("cannot use %s for the bundle index", path, exc_info=True)
                continue
            return FONT_NAME, True
    log.warning("no embeddable CJK TrueType font found; the bundle index uses %s, not embedded", FALLBACK_FONT)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT, False


def exhibit_pdf(exhibit: Exhibit) -> pikepdf.Pdf:
    """The exhibit as an open PDF: PDFs as they are, images on an A4 page."""
    if exhibit.content_type == "application/pdf":
        pdf = pikepdf.open(io.BytesIO(exhibit.data))
        strip_active_content(pdf)
        return pdf
    if exhibit.content_type in ("image/jpeg", "image/png"):
        return pikepdf.open(io.BytesIO(_image_to_pdf(exhibit.data)))
    raise BundleError(f"{exhibit.title}：{exhibit.content_type} 类型的证据尚不能转换为PDF")


# Annotations that run or carry something: media players, attachments, and links whose
# action launches a program or runs JavaScript. Plain links (/URI, /GoTo) stay.
ACTIVE_ANNOTATIONS = {"/RichMedia", "/Movie", "/Sound", "/FileAttachment", "/Screen"}
ACTIVE_ACTIONS = {"/Launch", "/JavaScript"}


def _runs_something(action) -> bool:
    """Whether an action dictionary, or any action chained after it (/Next), launches or runs script."""
    seen, pending = set(), [action]
    while pending:
        current = pending.pop()
        if isinstance(current, pikepdf.Array):
            pending.extend(current)
            continue
        if not isinstance(current, pikepdf.Dictionary):
            continue
        key = current.objgen if current.is_indirect else None
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        if current.get("/S") in ACTIVE_ACTIONS:
            return True
        if "/Next" in current:
            pending.append(current.Next)
    return False


def strip_active_content(pdf: pikepdf.Pdf) -> None:
    """Remove what could run when the bundle is opened (defence in depth: uploads already
    refuse PDFs with JavaScript): the document's /OpenAction, /AA, /Names /JavaScript and
    /EmbeddedFiles, each page's /AA, and annotations that launch, run script or carry media
    or files. Form fields' own /AA go too."""
    root = pdf.Root
    for key in ("/OpenAction", "/AA"):
        if key in root:
            del root[key]
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key in ("/JavaScript", "/EmbeddedFiles"):
            if key in names:
                del names[key]
    form = root.get("/AcroForm")
    if isinstance(form, pikepdf.Dictionary):
        for key in ("/XFA",):
            if key in form:
                del form[key]
    for page in pdf.pages:
        page_obj = page.obj
        if "/AA" in page_obj:
            del page_obj["/AA"]
        annotations = page_obj.get("/Annots")
        if not isinstance(annotations, pikepdf.Array):
            continue
        kept = pikepdf.Array()
        for annotation in annotations:
            if not isinstance(annotation, pikepdf.Dictionary):
                continue
            if annotation.get("/Subtype") in ACTIVE_ANNOTATIONS:
                continue
            if _runs_something(annotation.get("/A")):
                if annotation.get("/Subtype") == "/Link":
                    continue
                del annotation["/A"]
            if "/AA" in annotation:
                del annotation["/AA"]
            kept.append(annotation)
        if len(kept):
            page_obj.Annots = kept
        else:
            del page_obj["/Annots"]


def _image_to_pdf(data: bytes) -> bytes:
    layout = img2pdf.get_layout_fun(IMAGE_PAGE, fit=img2pdf.FitMode.into)
    with Image.open(io.BytesIO(data)) as image:
        needs_copy = image.mode not in ("RGB", "L") or max(image.size) > IMAGE_MAX_SIDE
        if needs_copy:
            image = image.convert("RGB")
            image.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85)
            data = out.getvalue()
    return img2pdf.convert(data, layout_fun=layout, rotation=img2pdf.Rotation.ifvalid)


def index_pdf(*, title: str, heading: str, rows: list[tuple[str, str, str, str, str]]) -> bytes:
    """The 证据目录: 序号, 证据名称, 证据来源, 证明目的, 页码, then a line to sign and date."""
    font, _embedded = cjk_font()
    base = ParagraphStyle("cell", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    head = ParagraphStyle("head", parent=base, fontSize=18, leading=24, alignment=1)
    sub = ParagraphStyle("sub", parent=base, fontSize=10.5, leading=15)
    table_rows = [[Paragraph(text, base) for text in ("序号", "证据名称", "证据来源", "证明目的", "页码")]]
    table_rows += [[Paragraph(escape(cell), base) for cell in row] for row in rows]
    table = Table(table_rows, colWidths=[18 * mm, 50 * mm, 34 * mm, 60 * mm, 18 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ]
        )
    )
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=title,
        author="Fasu",
    )
    story = [Paragraph("证据目录", head), Spacer(1, 4 * mm), Paragraph(escape(heading), sub), Spacer(1, 4 * mm), table]
    story += [
        Spacer(1, 10 * mm),
        Paragraph("提交人（签名或盖章）：　　　　　　　　　　　日期：　　　　年　　月　　日", sub),
    ]
    document.build(story)
    return out.getvalue()


INDEX_HEADERS = ("序号", "证据名称", "证据来源", "证明目的", "页码")
DOCX_FONT = "宋体"


def _docx_font(run_or_style, size_pt: float | None = None, bold: bool = False) -> None:
    """Set 宋体 for Latin and East Asian text (w:eastAsia, which Word uses for Chinese)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run_or_style.font
    font.name = DOCX_FONT
    if size_pt:
        font.size = Pt(size_pt)
    if bold:
        font.bold = True
    properties = run_or_style.element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = properties.makeelement(qn("w:rFonts"), {})
        properties.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), DOCX_FONT)


def index_docx(*, case_line: str, rows: list[tuple[str, str, str, str, str]]) -> bytes:
    """The 证据目录 as an editable DOCX: title, case line, the table of the PDF index, a line to sign."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(15)
    section.top_margin, section.bottom_margin = Mm(18), Mm(20)
    _docx_font(document.styles["Normal"], 10.5)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _docx_font(title.add_run("证据目录"), 18, bold=True)
    _docx_font(document.add_paragraph().add_run(case_line), 10.5)
    table = document.add_table(rows=1, cols=len(INDEX_HEADERS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = (Mm(18), Mm(50), Mm(34), Mm(60), Mm(18))
    for cell, text, width in zip(table.rows[0].cells, INDEX_HEADERS, widths, strict=True):
        cell.width = width
        _docx_font(cell.paragraphs[0].add_run(text), 10.5, bold=True)
    for row in rows:
        cells = table.add_row().cells
        for cell, text, width in zip(cells, row, widths, strict=True):
            cell.width = width
            _docx_font(cell.paragraphs[0].add_run(text), 10.5)
    document.add_paragraph()
    _docx_font(
        document.add_paragraph().add_run("提交人（签名或盖章）：　　　　　　　　　　　日期：　　　　年　　月　　日"), 10.5
    )
    document.core_properties.title = "证据目录"
    document.core_properties.author = "Fasu"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _stamp_pdf(sizes: list[tuple[float, float, int]]) -> pikepdf.Pdf:
    """One page per bundle page, sized like it, carrying only "第 N 页 共 M 页" at the visual foot."""
    font, _embedded = cjk_font()
    out = io.BytesIO()
    sheet = canvas.Canvas(out)
    total = len(sizes)
    for number, (width, height, rotate) in enumerate(sizes, start=1):
        sheet.setPageSize((width, height))
        sheet.setFont(font, 9)
        text = f"第 {number} 页 共 {total} 页"
        # Under /Rotate the viewer turns the page; place and turn the text so it reads
        # upright along the edge that is shown at the bottom.
        if rotate == 90:
            sheet.translate(width - 7 * mm, height / 2)
            sheet.rotate(90)
        elif rotate == 180:
            sheet.translate(width / 2, height - 7 * mm)
            sheet.rotate(180)
        elif rotate == 270:
            sheet.translate(7 * mm, height / 2)
            sheet.rotate(-90)
        else:
            sheet.translate(width / 2, 7 * mm)
        sheet.drawCentredString(0, 0, text)
        sheet.showPage()
    sheet.save()
    return pikepdf.open(io.BytesIO(out.getvalue()))


def build_bundle(*, title: str, heading: str, exhibits: list[Exhibit], out: BinaryIO, progress=None) -> BuiltBundle:
    """Write the bundle PDF to ``out``: index, exhibits, page numbers on every page, bookmarks."""
    sources = [exhibit_pdf(exhibit) for exhibit in exhibits]
    try:
        counts = [len(pdf.pages) for pdf in sources]
        # The index lists page ranges that depend on its own length: lay it out until stable.
        index_pages, index = 1, None
        for _attempt in range(5):
            ranges, page = [], index_pages + 1
            for count in counts:
                ranges.append((page, page + count - 1))
                page += count
            rows = [
                (e.number, e.title, e.source, e.purpose, f"{a}" if a == b else f"{a}-{b}")
                for e, (a, b) in zip(exhibits, ranges, strict=True)
            ]
            index = pikepdf.open(io.BytesIO(index_pdf(title=title, heading=heading, rows=rows)))
            if len(index.pages) == index_pages:
                break
            index_pages = len(index.pages)
        bundle = pikepdf.new()
        bundle.docinfo["/Title"] = title
        bundle.pages.extend(index.pages)
        for number, pdf in enumerate(sources):
            bundle.pages.extend(pdf.pages)
            if progress:
                progress(number + 1)
        sizes = []
        for page in bundle.pages:
            box = page.mediabox
            sizes.append(
                (float(box[2]) - float(box[0]), float(box[3]) - float(box[1]), int(page.obj.get("/Rotate", 0)) % 360)
            )
        stamps = _stamp_pdf(sizes)
        for page, stamp in zip(bundle.pages, stamps.pages, strict=True):
            page.add_overlay(stamp, pikepdf.Rectangle(*[float(v) for v in page.mediabox]))
        with bundle.open_outline() as outline:
            outline.root.clear()
            outline.root.append(pikepdf.OutlineItem("证据目录", 0))
            for exhibit, (first, _last) in zip(exhibits, ranges, strict=True):
                outline.root.append(pikepdf.OutlineItem(f"{exhibit.number} {exhibit.title}", first - 1))
        bundle.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return BuiltBundle(
            page_count=len(bundle.pages), index_pages=index_pages, exhibit_pages=ranges, index_rows=rows
        )
    finally:
        for pdf in sources:
            pdf.close()


def exhibit_numbers(groups: list[str]) -> list[str]:
    """证据1, 证据2 ... with items sharing a group numbered 证据N-1, 证据N-2 (a common practice)."""
    numbers, group_number, group_count, next_number = [], {}, {}, 1
    for group in groups:
        if not group:
            numbers.append(f"证据{next_number}")
            next_number += 1
            continue
        if group not in group_number:
            group_number[group] = next_number
            next_number += 1
        group_count[group] = group_count.get(group, 0) + 1
        numbers.append(f"证据{group_number[group]}-{group_count[group]}")
    return numbers
