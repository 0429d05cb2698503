"""Layout helpers shared by Fasu's default Word templates (python-docx).

Format: A4 portrait, margins 2.54/2.54/2.8/2.6 cm; titles 宋体 二号 bold, centred; prose
仿宋 三号, fixed 28 pt lines, first-line indent of two characters; the 要素式 form tables
宋体 小四 with full borders and a light grey label column; footer "第 X 页 共 Y 页".
Every run carries its fonts (ASCII and East Asian), so Word and LibreOffice agree.
"""

from __future__ import annotations

import datetime
import io
import zipfile

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

SONG = "宋体"
FANG = "仿宋"
HEI = "黑体"
TITLE_SIZE = 22  # 二号
BODY_SIZE = 16  # 三号
TABLE_SIZE = 12  # 小四
SMALL_SIZE = 10.5  # 五号
LINE = 28  # fixed line height of prose, in points
FIXED_TIME = datetime.datetime(2026, 1, 1, 0, 0, 0)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
TEXT_WIDTH_CM = 21.0 - 2.8 - 2.6  # 15.6 cm
LABEL_CM = 3.4
CONTENT_CM = TEXT_WIDTH_CM - LABEL_CM
HEAD_FILL = "D9D9D9"
LABEL_FILL = "F2F2F2"

# Check boxes: every ☐/☑ comes from the |box filter.
NO = "{{ false|box }}"
YES = "{{ true|box }}"


def box(expr: str) -> str:
    return "{{ (%s)|box }}" % expr


# --------------------------------------------------------------------------- document


def set_run_font(run, font: str = FANG, size: float = BODY_SIZE, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)


def new_document(title: str):
    doc = Document()
    # Document defaults: 仿宋 (East Asian too), no theme fonts, no paragraph spacing.
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rfonts = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FANG)
    lang = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    normal = doc.styles["Normal"]
    normal.font.name = FANG
    normal.font.size = Pt(BODY_SIZE)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANG)

    section = doc.sections[0]
    section.page_width = Cm(21.0)
    section.page_height = Cm(29.7)
    section.top_margin = Cm(2.54)
    section.bottom_margin = Cm(2.54)
    section.left_margin = Cm(2.8)
    section.right_margin = Cm(2.6)
    section.header_distance = Cm(1.5)
    section.footer_distance = Cm(1.5)
    add_page_footer(section)

    props = doc.core_properties
    props.title = title
    props.author = "Fasu"
    props.last_modified_by = "Fasu"
    props.subject = ""
    props.comments = ""
    props.keywords = ""
    props.language = "zh-CN"
    props.revision = 1
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    return doc


def _field(paragraph, instruction: str) -> None:
    def run_with(child):
        run = paragraph.add_run()
        set_run_font(run, SONG, SMALL_SIZE)
        run._element.append(child)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    shown = paragraph.add_run("1")
    set_run_font(shown, SONG, SMALL_SIZE)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def add_page_footer(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for piece in ("第 ", "PAGE", " 页 共 ", "NUMPAGES", " 页"):
        if piece in ("PAGE", "NUMPAGES"):
            _field(paragraph, piece)
        else:
            set_run_font(paragraph.add_run(piece), SONG, SMALL_SIZE)


def fmt(paragraph, *, align=None, indent_chars: float = 0, size: float = BODY_SIZE, line: float | None = LINE,
        before: float = 0, after: float = 0, keep_next: bool = False) -> None:
    pf = paragraph.paragraph_format
    if align is not None:
        paragraph.alignment = align
    if indent_chars:
        pf.first_line_indent = Pt(size * indent_chars)
        ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
        ind.set(qn("w:firstLineChars"), str(int(indent_chars * 100)))
    if line:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line)
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.widow_control = True
    if keep_next:
        pf.keep_with_next = True


def write(paragraph, text, font: str = FANG, size: float = BODY_SIZE, bold: bool = False) -> None:
    """Text as runs: a str, or a list of (text, bold) pieces. A jinja tag never spans runs."""
    pieces = [(text, bold)] if isinstance(text, str) else text
    for piece, piece_bold in pieces:
        if piece:
            set_run_font(paragraph.add_run(piece), font, size, piece_bold)


class Prose:
    """A prose filing: 仿宋 三号, fixed 28 pt lines, two-character first-line indent."""

    def __init__(self, doc):
        self.doc = doc

    def title(self, text: str, after: float = 12) -> None:
        p = self.doc.add_paragraph()
        fmt(p, align=WD_ALIGN_PARAGRAPH.CENTER, size=TITLE_SIZE, line=36, after=after)
        write(p, text, SONG, TITLE_SIZE, True)

    def p(self, text, *, indent: bool = True, align=None, bold: bool = False, font: str = FANG,
          before: float = 0, after: float = 0, keep_next: bool = False) -> None:
        p = self.doc.add_paragraph()
        fmt(p, align=align, indent_chars=2 if indent else 0, before=before, after=after, keep_next=keep_next)
        write(p, text, font, BODY_SIZE, bold)

    def tag(self, tag: str) -> None:
        """A paragraph holding only a {%p … %} tag (removed when rendered)."""
        p = self.doc.add_paragraph()
        write(p, "{%p " + tag + " %}", FANG, BODY_SIZE)

    def heading(self, text: str) -> None:
        """A section heading inside a prose filing (黑体, indented like the body)."""
        self.p(text, font=HEI, keep_next=True)

    def right(self, text, *, before: float = 0, keep_next: bool = False) -> None:
        p = self.doc.add_paragraph()
        fmt(p, align=WD_ALIGN_PARAGRAPH.RIGHT, before=before, keep_next=keep_next)
        write(p, text, FANG, BODY_SIZE)

    def keep_last(self) -> None:
        """Keep the last paragraph written with what follows (a signature block never stands alone).

        Walking back over ``{%p %}`` tags, every paragraph of a block that may be the last
        one rendered (each branch of an ``if``, the body of a ``for``) is marked, then the
        last paragraph outside any block.
        """
        depth = 0
        for paragraph in reversed(self.doc.paragraphs):
            text = paragraph.text.strip()
            if text.startswith("{%p"):
                word = text[3:].split()[0] if text[3:].split() else ""
                if word in ("endif", "endfor"):
                    depth += 1
                elif word in ("if", "for"):
                    depth -= 1
                continue
            paragraph.paragraph_format.keep_with_next = True
            if depth <= 0:
                return

    def signature(self, lines, *, first_before: float = 28) -> None:
        """Right-aligned signature lines [(text, space before)], kept together with the last paragraph."""
        self.keep_last()
        for index, (text, before) in enumerate(lines):
            last = index == len(lines) - 1
            self.right(text, before=first_before if index == 0 and before is None else (before or 0), keep_next=not last)


# --------------------------------------------------------------------------- tables


def _set(el, tag: str, **attrs):
    child = el.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        el.append(child)
    for key, value in attrs.items():
        child.set(qn(f"w:{key}"), str(value))
    return child


def new_table(doc, widths_cm):
    table = doc.add_table(rows=0, cols=len(widths_cm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    _set(tbl_pr, "w:tblW", w=int(sum(widths_cm) * 567), type="dxa")
    _set(tbl_pr, "w:tblLayout", type="fixed")
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{edge}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), "4")
        b.set(qn("w:space"), "0")
        b.set(qn("w:color"), "000000")
        borders.append(b)
    tbl_pr.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for edge, value in (("top", 40), ("left", 85), ("bottom", 40), ("right", 85)):
        m = OxmlElement(f"w:{edge}")
        m.set(qn("w:w"), str(value))
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    tbl_pr.append(margins)
    for grid_col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm):
        grid_col.set(qn("w:w"), str(int(width * 567)))
    table._fasu_widths = widths_cm
    return table


def keep_row(row) -> None:
    """The row is not split across pages."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def v_center(cell) -> None:
    _set(cell._tc.get_or_add_tcPr(), "w:vAlign", val="center")


class Right(str):
    """A cell line set flush right."""


def fill_cell(cell, lines, *, font: str = SONG, size: float = TABLE_SIZE, bold: bool = False, align=None,
              line: float | None = None) -> None:
    """Write paragraphs into a cell; the cell's own first paragraph takes the first line."""
    if isinstance(lines, str):
        lines = [lines]
    first = True
    for text in lines:
        p = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        fmt(p, align=WD_ALIGN_PARAGRAPH.RIGHT if isinstance(text, Right) else align, size=size, line=line)
        write(p, str(text) if isinstance(text, Right) else text, font, size, bold)


def add_row(table, cells_text, *, merge: bool = False, fills=None, bold=None, aligns=None, size=TABLE_SIZE,
            font=SONG):
    widths = table._fasu_widths
    row = table.add_row()
    for cell, width in zip(row.cells, widths):
        cell.width = Cm(width)
    cells = row.cells
    if merge:
        merged = cells[0].merge(cells[-1])
        cells = [merged]
    for index, (cell, text) in enumerate(zip(cells, cells_text)):
        fill_cell(cell, text, font=font, size=size, bold=bool(bold and bold[index]),
                  align=aligns[index] if aligns else None)
        if fills and fills[index]:
            shade(cell, fills[index])
    return row


class Form:
    """A 要素式 form table: block heads, free rows, numbered items, {%tr %} rows."""

    def __init__(self, doc, label_cm: float = LABEL_CM):
        self.doc = doc
        self.table = new_table(doc, [label_cm, TEXT_WIDTH_CM - label_cm])

    def head(self, text: str) -> None:
        add_row(self.table, [text], merge=True, fills=[HEAD_FILL], bold=[True], aligns=[WD_ALIGN_PARAGRAPH.CENTER],
                size=TABLE_SIZE + 2)

    def free(self, lines) -> None:
        add_row(self.table, [lines], merge=True)

    def item(self, label: str, lines, *, may_split: bool = False) -> None:
        row = add_row(self.table, [label, lines], fills=[LABEL_FILL, None])
        v_center(row.cells[0])
        if not may_split:
            keep_row(row)

    def tr(self, tag: str) -> None:
        add_row(self.table, ["{%tr " + tag + " %}"], merge=True)



def spacer(doc, size: float = 6) -> None:
    p = doc.add_paragraph()
    fmt(p, line=size + 2, size=size)
    r = p.add_run("")
    set_run_font(r, SONG, size)



# --------------------------------------------------------------------------- output


def deterministic_bytes(doc) -> bytes:
    """The saved package with every zip entry stamped with the same fixed time."""
    raw = io.BytesIO()
    doc.save(raw)
    raw.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()
