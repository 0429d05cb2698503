"""Build Fasu's seven default Word filing templates (docxtpl syntax) with python-docx.

Run from the repository root::

    .venv/bin/python templates_docx/defaults/build.py

The .docx files are written next to this script. The output is deterministic: the core
properties carry fixed dates and the zip entries a fixed timestamp, so re-running gives
identical bytes. Every variable used is a key of ``templates_docx.sample.SAMPLE_CONTEXT``;
the only filters are those of ``templates_docx.filters``; check boxes come from ``|box``.

Format: A4 portrait, margins 2.54/2.54/2.8/2.6 cm; titles 宋体 二号 bold, centred; prose
仿宋 三号, fixed 28 pt lines, first-line indent of two characters; the 要素式 form tables
宋体 小四 with full borders and a light grey label column; footer "第 X 页 共 Y 页".
"""

from __future__ import annotations

import datetime
import io
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
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

    def right(self, text, *, before: float = 0) -> None:
        p = self.doc.add_paragraph()
        fmt(p, align=WD_ALIGN_PARAGRAPH.RIGHT, before=before)
        write(p, text, FANG, BODY_SIZE)


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


# --------------------------------------------------------------------------- shared blocks

ORG_TYPES = (
    ("limited_liability", "有限责任公司"),
    ("joint_stock", "股份有限公司"),
    ("listed", "上市公司"),
    ("other_enterprise", "其他企业法人"),
    ("public_institution", "事业单位"),
    ("social_group", "社会团体"),
    ("foundation", "基金会"),
    ("social_service", "社会服务机构"),
    ("government", "机关法人"),
    ("rural_collective", "农村集体经济组织法人"),
    ("cooperative", "城镇农村的合作经济组织法人"),
    ("grassroots", "基层群众性自治组织法人"),
    ("sole_proprietorship", "个人独资企业"),
    ("partnership", "合伙企业"),
    ("professional_service", "不具有法人资格的专业服务机构"),
)

BLANK_DATE = "　　年　　月　　日"


def person_lines(v: str | None) -> list[str]:
    """The 自然人 block's lines, filled from ``v`` (a context path) or left blank."""
    if v is None:
        return [
            "姓名：",
            f"性别：男{NO}　女{NO}",
            f"出生日期：{BLANK_DATE}　民族：",
            "工作单位：　　　　职务：　　　　联系电话：",
            "住所地（户籍所在地）：",
            "经常居住地：",
            "证件类型：",
            "证件号码：",
        ]
    return [
        f"姓名：{{{{ {v}.name }}}}",
        f"性别：男{box(v + '.gender == ' + repr('male'))}　女{box(v + '.gender == ' + repr('female'))}",
        f"出生日期：{{{{ {v}.birth_date|cn_date }}}}　民族：{{{{ {v}.ethnicity }}}}",
        f"工作单位：{{{{ {v}.workplace }}}}　职务：{{{{ {v}.position }}}}　联系电话：{{{{ {v}.phone }}}}",
        f"住所地（户籍所在地）：{{{{ {v}.address }}}}",
        f"经常居住地：{{{{ {v}.habitual_residence }}}}",
        f"证件类型：{{{{ {v}.id_type }}}}",
        f"证件号码：{{{{ {v}.id_number }}}}",
    ]


def org_lines(v: str | None) -> list[str]:
    """The 法人、非法人组织 block's lines, filled from ``v`` or left blank."""
    if v is None:
        types = "　".join(f"{label}{NO}" for _, label in ORG_TYPES)
        return [
            "名称：",
            "住所地（主要办事机构所在地）：",
            "注册地 / 登记地：",
            "法定代表人 / 负责人：　　　　职务：　　　　联系电话：",
            "统一社会信用代码：",
            f"类型：{types}",
            f"所有制性质：国有{NO}（控股{NO} 参股{NO}） 民营{NO} 其他＿＿＿",
        ]
    types = "　".join(f"{label}{box(f'{v}.org_type == {code!r}')}" for code, label in ORG_TYPES)
    state = box(f"{v}.ownership in ['state_controlled', 'state_participating']")
    return [
        f"名称：{{{{ {v}.name }}}}",
        f"住所地（主要办事机构所在地）：{{{{ {v}.address }}}}",
        "注册地 / 登记地：",
        f"法定代表人 / 负责人：{{{{ {v}.representative }}}}　职务：{{{{ {v}.representative_title }}}}"
        f"　联系电话：{{{{ {v}.phone }}}}",
        f"统一社会信用代码：{{{{ {v}.uscc }}}}",
        f"类型：{types}",
        f"所有制性质：国有{state}（控股{box(v + '.ownership == ' + repr('state_controlled'))}"
        f" 参股{box(v + '.ownership == ' + repr('state_participating'))}）"
        f" 民营{box(v + '.ownership == ' + repr('private'))} 其他＿＿＿",
    ]


def either(v: str) -> list[str]:
    """A party's block whichever its kind (for a row labelled by kind)."""
    return ["{%p if " + v + ".is_person %}", *person_lines(v), "{%p else %}", *org_lines(v), "{%p endif %}"]


def only_if(cond: str, filled: list[str], blank: list[str]) -> list[str]:
    return ["{%p if " + cond + " %}", *filled, "{%p else %}", *blank, "{%p endif %}"]


SHUOMING = [
    [("说明：", True)],
    "为了方便您更好地参加诉讼，保护您的合法权利，请填写本表。",
    "1.起诉时需向人民法院提交证明您身份的材料，如身份证复印件、营业执照复印件等。",
    "2.本表所列内容是您参加诉讼以及人民法院查明案件事实所需，请务必如实填写。",
    "3.本表有些内容可能与您的案件无关，您认为与案件无关的项目可以填“无”或不填；对于本表中勾选项可以在对应项打“√”；"
    "您认为另有重要内容需要列明的，可以另附页填写。",
    "4.本表 word 电子版填写时，相关栏目可复制粘贴或扩容，但不得改变要素内容、格式设置。例如，多原告、多被告或多委托诉讼代理人等情况，"
    "可根据实际情况复制粘贴；需填写文字较多时，可根据实际对栏目进行扩容等。",
]
TESHU = [
    [("★特别提示★", True)],
    "诉讼参加人应遵守诚信原则如实认真填写表格。",
    "如果诉讼参加人违反有关规定，虚假诉讼、恶意诉讼、滥用诉权，人民法院将视违法情形依法追究责任。",
]

# 民法典 articles on guarantees, cited per the guarantee types present.
GUARANTEE_ARTICLES = (
    "{% if guarantors %}、第六百八十一条{% endif %}"
    "{% for g in guarantors if g.guarantee_type == 'general' %}{% if loop.first %}、第六百八十七条{% endif %}{% endfor %}"
    "{% for g in guarantors if g.guarantee_type == 'joint' %}{% if loop.first %}、第六百八十八条{% endif %}{% endfor %}"
)
CARD_LAW = (
    "《中华人民共和国民法典》第五百零九条、第五百七十七条、第五百七十九条" + GUARANTEE_ARTICLES
    + "；《最高人民法院关于审理银行卡民事纠纷案件若干问题的规定》第二条"
)
LOAN_LAW = (
    "《中华人民共和国民法典》第五百七十七条、第六百六十七条、第六百七十四条、第六百七十五条、第六百七十六条"
    + GUARANTEE_ARTICLES
)
ANY_GENERAL = ("{% for g in guarantors if g.guarantee_type == 'general' %}{% if loop.first %}" + YES
               + "{% endif %}{% else %}" + NO + "{% endfor %}")
ANY_JOINT = ("{% for g in guarantors if g.guarantee_type == 'joint' %}{% if loop.first %}" + YES
             + "{% endif %}{% else %}" + NO + "{% endfor %}")
GUARANTOR_NAMES = "{% for g in guarantors %}{{ g.name }}{% if not loop.last %}、{% endif %}{% endfor %}"
HAS_G = "guarantors|length != 0"
NO_G = "guarantors|length == 0"
AS_OF = "{{ debt.amounts_as_of|cn_date }}"
DISPUTE = "{% if debt.is_credit_card %}信用卡纠纷{% else %}金融借款合同纠纷{% endif %}"
RATES = (
    "{% if debt.is_credit_card %}透支利息{% else %}借款利息{% endif %}按年利率{{ debt.annual_interest_rate|percent }}计算，"
    "逾期罚息按年利率{{ debt.penalty_rate|percent }}计算，复利按年利率{{ debt.compound_rate|percent }}计算，"
    "按年{{ debt.day_count }}天计"
)


def complaint_front(doc, subtitle: str) -> None:
    """Title, 说明 and 当事人信息 of the 2025 要素式 complaint."""
    prose = Prose(doc)
    prose.title("民事起诉状", after=0)
    prose.title(f"（{subtitle}）", after=10)
    note = new_table(doc, [TEXT_WIDTH_CM])
    add_row(note, [SHUOMING], size=SMALL_SIZE)
    add_row(note, [TESHU], size=SMALL_SIZE, aligns=[WD_ALIGN_PARAGRAPH.CENTER])
    spacer(doc)

    form = Form(doc)
    form.head("当事人信息")
    form.item("原告（自然人）", person_lines(None))
    form.item("原告（法人、非法人组织）", org_lines("creditor"))
    form.item(
        "委托诉讼代理人",
        [
            f"有{{{{ agent.present|box }}}}　姓名：{{{{ agent.name }}}}",
            "　　单位：{{ agent.firm }}　职务：{% if agent.present %}律师{% endif %}　联系电话：{{ agent.phone }}",
            "　　代理权限：一般授权" + box("agent.authority == 'general'")
            + "　特别授权" + box("agent.authority == 'special'") + "＿＿＿＿",
            "无" + box("not agent.present"),
        ],
    )
    form.item("被告（自然人）", only_if("debtor.is_person", person_lines("debtor"), person_lines(None)))
    form.item("被告（法人、非法人组织）", only_if("not debtor.is_person", org_lines("debtor"), org_lines(None)))
    form.tr("for g in guarantors")
    form.item("被告（{% if g.is_person %}自然人{% else %}法人、非法人组织{% endif %}）", either("g"))
    form.tr("endfor")
    form.item("第三人（自然人）", person_lines(None))
    form.item("第三人（法人、非法人组织）", org_lines(None))
    spacer(doc)


def spacer(doc, size: float = 6) -> None:
    p = doc.add_paragraph()
    fmt(p, line=size + 2, size=size)
    r = p.add_run("")
    set_run_font(r, SONG, size)


def jurisdiction_block(doc) -> None:
    form = Form(doc)
    form.head("约定管辖和诉前保全")
    form.item("1.有无仲裁、法院管辖约定", [f"有{NO}　合同条款及内容：", f"无{NO}"])
    form.item(
        "2.是否已经诉前保全",
        [f"是{NO}　保全法院：　　　　　　保全时间：", "　　保全案号：", f"否{NO}", "（如申请诉讼保全，请另行提交诉讼保全申请及相关材料）"],
    )
    spacer(doc)


def security_items(form, start: int, guarantee_label: str) -> None:
    """The items on 物的担保 and 保证 shared by both complaints (7–13 card, 10–16 loan)."""
    n = start
    form.item(f"{n}.是否签订物的担保（抵押、质押）合同",
              [f"是{{{{ facts.collateral|box }}}}　签订时间：", "否" + box("not facts.collateral")])
    form.item(f"{n + 1}.担保人、担保物",
              [f"担保人：{GUARANTOR_NAMES}", "担保物：{% if not facts.collateral %}无{% endif %}"])
    form.item(f"{n + 2}.是否最高额担保（抵押、质押）", [f"是{NO}", f"否{NO}", "担保债权的确定时间：", "担保额度："])
    form.item(f"{n + 3}.是否办理抵押、质押登记", [f"是{NO}　正式登记{NO}", f"　　预告登记{NO}", f"否{NO}"])
    form.item(
        f"{n + 4}.{guarantee_label}",
        [
            f"是{box(HAS_G)}　签订时间：{{% for g in guarantors %}}{{{{ g.guarantee_signed_on|cn_date }}}}"
            "{% if guarantors|length != 1 %}（{{ g.name }}）{% endif %}{% if not loop.last %}、{% endif %}{% endfor %}　保证人：" + GUARANTOR_NAMES,
            "主要内容：{% for g in guarantors %}{{ g.name }}为{{ debt.contract_name }}项下债务提供{{ g.guarantee_type_label }}"
            "{% if g.guarantee_period_ends_on %}，保证期间至{{ g.guarantee_period_ends_on|cn_date }}{% endif %}"
            "{% if not loop.last %}；{% else %}。{% endif %}{% endfor %}",
            f"否{box(NO_G)}",
        ],
    )
    form.item(f"{n + 5}.保证方式", [f"一般保证{ANY_GENERAL}", f"连带责任保证{ANY_JOINT}"])
    form.item(f"{n + 6}.其他担保方式", [f"是{NO}　形式：　　　　签订时间：", f"否{NO}"])


def transfer_note() -> str:
    return ("{% if transfer.assigned %}原告系受让取得本案债权：原债权人{{ transfer.original_creditor }}于"
            "{{ transfer.assigned_on|cn_date }}将该债权转让予原告，债权转让通知情况：{{ transfer.notice }}。{% endif %}")


def evidence_lines() -> list[str]:
    return [
        "（详见所附证据目录）",
        "{%p for e in evidence %}",
        "{{ e.number }}：{{ e.title }}（{{ e.original }}，{{ e.pages }}页）",
        "{%p endfor %}",
        "{%p if not evidence %}",
        "{{ evidence_missing }}",
        "{%p endif %}",
    ]


def claim_guarantee_lines() -> list[str]:
    return [
        f"是{box(HAS_G)}　内容：{{% for g in guarantors %}}被告{{{{ g.name }}}}对上述债务承担"
        "{% if g.guarantee_type == 'joint' %}连带清偿责任{% else %}一般保证责任{% endif %}"
        "{% if not loop.last %}；{% endif %}{% endfor %}",
        f"否{box(NO_G)}",
    ]


def mediation_block(doc) -> None:
    form = Form(doc, label_cm=4.2)
    form.head("对纠纷解决方式的意愿")
    both = f"了解{NO}　不了解{NO}"
    right = Right(both)
    form.item("是否了解调解作为非诉讼纠纷解决方式，能及时、高效、低成本、不伤和气地解决纠纷", [both])
    form.item(
        "是否了解先行调解解决纠纷的好处",
        [
            "1.立案后选择先行调解的，可以很快启动调解程序。如不同意调解，法院将依程序开庭审理案件，但可能需要经过较长一段时间的排期等待，"
            "且审理、执行周期相对较长。",
            right,
            "2.选择先行调解，调解成功且自动履行的免交诉讼费用，申请司法确认的不交纳诉讼费用，要求出具调解书的减半交纳诉讼费用。",
            right,
            "3.首次调解不成功，但仍有继续调解意愿的，可以选择更换调解组织和调解员再进行调解。调解无法达成一致意见的，法院将依程序排期开庭。",
            right,
            "4.依照法律规定，调解具有保密性要求，调解过程不公开，调解协议未经当事人同意不得公开。",
            right,
            "5.调解达成的协议具有法律效力，可以依照法律规定申请司法确认，具有强制执行效力。",
            right,
        ],
    )
    form.item("是否考虑先行调解", [f"是{NO}", f"否{NO}", f"暂不确定，想要了解更多内容{NO}"])
    # The last row goes to the next page with the signature rather than leave it alone.
    for cell in form.table.rows[-1].cells:
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True


def complaint_tail(doc) -> None:
    """此致, the court, 具状人 and 日期 under the form, in the form's own type (宋体 小四)."""
    for text, align, indent, before in (
        ("此致", None, 2, 8),
        ("{{ forum.name }}", None, 0, 0),
        ("具状人（签字、盖章）：{{ creditor.name }}", WD_ALIGN_PARAGRAPH.RIGHT, 0, 8),
        ("日期：{{ today|cn_date }}", WD_ALIGN_PARAGRAPH.RIGHT, 0, 0),
    ):
        p = doc.add_paragraph()
        fmt(p, align=align, indent_chars=indent, size=TABLE_SIZE + 2, line=22, before=before, keep_next=True)
        write(p, text, SONG, TABLE_SIZE + 2)


# --------------------------------------------------------------------------- 1 信用卡


def complaint_credit_card():
    doc = new_document("民事起诉状（信用卡纠纷）{{ matter.number }}")
    complaint_front(doc, "信用卡纠纷")

    form = Form(doc)
    form.head("诉讼请求")
    form.free("（可完整表述诉讼请求；为方便、准确梳理要点，相关内容请在下方要素式表格中填写）")
    form.item("1.透支本金", f"截至{AS_OF}止，尚欠本金{{{{ debt.principal|amount }}}}元（人民币，下同；如为外币需特别注明）；")
    form.item(
        "2.利息、罚息、复利、滞纳金、违约金、手续费等",
        [
            f"截至{AS_OF}止，欠利息、罚息、复利、滞纳金、违约金、手续费等共计{{{{ debt.charges_total|amount }}}}元；",
            "自{{ debt.charges_from|cn_date }}之后的利息、罚息、复利、滞纳金、违约金以及手续费等各项费用按照信用卡领用协议计算至实际清偿之日止；",
            "明细：利息{{ debt.interest|amount }}元、罚息{{ debt.penalty_interest|amount }}元、"
            "复利{{ debt.compound_interest|amount }}元、滞纳金{{ debt.late_fees|amount }}元、手续费{{ debt.fees|amount }}元"
            f"（{RATES}）",
        ],
    )
    form.item("3.是否主张担保权利", claim_guarantee_lines())
    form.item("4.是否主张实现债权的费用", [f"是{NO}　费用明细：", f"否{NO}"])
    form.item("5.是否主张诉讼费用", [f"是{YES}", f"否{NO}"])
    form.item("6.其他请求", "")
    form.item("7.标的总额",
              f"{{{{ debt.claim_total|amount }}}}元（{{{{ debt.claim_total|rmb_upper }}}}，暂计至{AS_OF}）")
    spacer(doc)

    jurisdiction_block(doc)

    form = Form(doc)
    form.head("事实与理由")
    form.free("（可完整表述纠纷涉及的事实与理由；为方便、准确梳理要点，相关内容请在下方要素式表格中填写）")
    form.item(
        "1.信用卡办理情况（信用卡卡号、信用卡登记权利人、办卡时间、办卡行等）",
        [
            "信用卡卡号：{{ debt.account_number }}",
            "信用卡登记权利人：{{ debtor.name }}",
            "办卡时间：{{ debt.disbursed_on|cn_date }}",
            "办卡行：{{ debt.branch }}",
            "领用合约：《{{ debt.contract_name }}》（编号：{{ debt.contract_number }}，签订于{{ debt.contract_date|cn_date }}）",
        ],
    )
    form.item(
        "2.信用卡合约的主要约定",
        [
            "透支金额：信用额度{{ debt.loan_amount|amount }}元",
            f"利息、罚息、复利、滞纳金、违约金、手续费等的计算标准：{RATES}；滞纳金、手续费按合约约定计收",
            "违约责任：持卡人未按约定还款的，按上述标准计收罚息、复利，并承担合约约定的其他违约责任",
            "解除条件：{{ facts.termination_terms }}",
        ],
    )
    form.item(
        "3.是否就信用卡合约主要条款进行提示注意",
        [
            "是" + box("facts.terms_notice_given == true") + "　提示说明的具体方式以及时间地点：{{ facts.terms_notice }}",
            "否" + box("facts.terms_notice_given == false"),
        ],
    )
    form.item("4.被告逾期部分已还金额", "{{ debt.repaid_total|amount }}元")
    form.item(
        "5.被告逾期未还款金额",
        [
            "逾期时间：{{ debt.overdue_since|cn_date }}起（截至" + AS_OF + "已逾期{{ debt.overdue_days }}天）",
            f"截至{AS_OF}，被告{{{{ debtor.name }}}}欠付信用卡本金{{{{ debt.principal|amount }}}}元、"
            "利息{{ debt.interest|amount }}元、罚息{{ debt.penalty_interest|amount }}元、复利{{ debt.compound_interest|amount }}元、"
            "滞纳金{{ debt.late_fees|amount }}元、违约金0.00元、手续费{{ debt.fees|amount }}元",
        ],
    )
    form.item(
        "6.是否向被告进行通知和催收",
        [
            f"是{box('demands|length != 0')}　具体情况：",
            "{%p for d in demands %}",
            "{{ d.date|cn_date }}，以{{ d.channel_label }}方式向被告催收{% if d.delivered %}，已送达{% endif %}"
            "{% if d.note %}（{{ d.note }}）{% endif %}；",
            "{%p endfor %}",
            f"否{box('demands|length == 0')}",
        ],
        may_split=True,
    )
    security_items(form, 7, "是否签订保证合同")
    form.item(
        "14.请求承担责任的依据",
        [
            "合同约定：《{{ debt.contract_name }}》{% if guarantors %}及保证合同{% endif %}",
            "法律规定：" + CARD_LAW,
        ],
    )
    form.item("15.其他需要说明的内容（可另附页）", transfer_note())
    form.item("16.证据清单（可另附页）", evidence_lines(), may_split=True)
    spacer(doc)

    mediation_block(doc)
    complaint_tail(doc)
    return doc


# --------------------------------------------------------------------------- 2 金融借款

REPAYMENT = (
    ("equal_installment", "等额本息"),
    ("equal_principal", "等额本金"),
    ("bullet", "到期一次性还本付息"),
    ("monthly_interest", "按月计息、到期一次性还本"),
    ("quarterly_interest", "按季计息、到期一次性还本"),
    ("yearly_interest", "按年计息、到期一次性还本"),
    ("other", "其他"),
)


def complaint_loan():
    doc = new_document("民事起诉状（金融借款合同纠纷）{{ matter.number }}")
    complaint_front(doc, "金融借款合同纠纷")

    form = Form(doc)
    form.head("诉讼请求")
    form.free("（可完整表述诉讼请求；为方便、准确梳理要点，相关内容请在下方要素式表格中填写）")
    form.item("1.本金", f"截至{AS_OF}止，尚欠本金{{{{ debt.principal|amount }}}}元（人民币，下同；如外币需特别注明）")
    form.item(
        "2.利息（期内利息、复利、罚息）",
        [
            f"截至{AS_OF}止，欠利息{{{{ debt.interest_total|amount }}}}元、期内利息{{{{ debt.interest|amount }}}}元、"
            "复利{{ debt.compound_interest|amount }}元、罚息（违约金）{{ debt.penalty_interest|amount }}元；"
            f"计算方式：{RATES}；自{{{{ debt.charges_from|cn_date }}}}起按合同约定计算至实际清偿之日止",
            f"是否请求支付至实际清偿之日止：是{YES}　否{NO}",
        ],
    )
    accelerate = box("not debt.is_matured")
    form.item(
        "3.是否要求提前还款或解除合同",
        [f"是{accelerate}　提前还款（加速到期）{accelerate}", f"　　解除合同{NO}", f"否{{{{ debt.is_matured|box }}}}"],
    )
    form.item("4.是否主张担保权利", claim_guarantee_lines())
    form.item("5.是否主张实现债权的费用", [f"是{NO}　明细：", f"否{NO}"])
    form.item("6.是否主张诉讼费用", [f"是{YES}", f"否{NO}"])
    form.item("7.其他请求", "")
    form.item("8.标的总额",
              f"{{{{ debt.claim_total|amount }}}}元（{{{{ debt.claim_total|rmb_upper }}}}，暂计至{AS_OF}）")
    spacer(doc)

    jurisdiction_block(doc)

    form = Form(doc)
    form.head("事实与理由")
    form.free("（可完整表述纠纷涉及的事实与理由；为方便、准确梳理要点，相关内容请在下方要素式表格中填写）")
    form.item(
        "1.合同签订情况（名称、编号、签订时间、地点等）",
        "《{{ debt.contract_name }}》，编号：{{ debt.contract_number }}，签订时间：{{ debt.contract_date|cn_date }}，"
        "签订地点：{{ facts.contract_place }}",
    )
    form.item(
        "2.合同主体",
        [
            "贷款人：{% if transfer.assigned %}{{ transfer.original_creditor }}（债权已转让予原告）"
            "{% else %}{{ creditor.name }}{% endif %}{% if debt.branch %}（经办行：{{ debt.branch }}）{% endif %}",
            "借款人：{{ debtor.name }}",
        ],
    )
    form.item("3.借款金额",
              ["约定：{{ debt.loan_amount|amount }}元", "实际发放：{{ debt.disbursed_amount|amount }}元"])
    form.item(
        "4.借款期限",
        [
            f"是否到期：是{{{{ debt.is_matured|box }}}}　否{box('not debt.is_matured')}",
            "约定期限：{% if debt.disbursed_on %}{{ debt.disbursed_on|cn_date }}{% else %}" + BLANK_DATE
            + "{% endif %}起至{% if debt.term_ends_on %}{{ debt.term_ends_on|cn_date }}{% else %}" + BLANK_DATE
            + "{% endif %}止",
        ],
    )
    form.item(
        "5.借款利率",
        [
            f"利率{YES}{{{{ debt.annual_interest_rate|percent }}}}/年（合同条款：第　　条）",
            f"逾期上浮{NO}　　%/年（合同条款：第　　条）",
            "复利" + box("debt.compound_rate != ''") + f"{{{{ debt.compound_rate|percent }}}}/年（合同条款：第　　条）",
            "罚息（违约金）" + box("debt.penalty_rate != ''") + f"{{{{ debt.penalty_rate|percent }}}}/年"
            "（合同条款：第　　条）",
            "（按年{{ debt.day_count }}天计）",
        ],
    )
    form.item("6.借款提供时间", "{{ debt.disbursed_on|cn_date }}，{{ debt.disbursed_amount|amount }}元。")
    form.item(
        "7.还款方式",
        [f"{label}{box(f'debt.repayment_method == {code!r}')}" for code, label in REPAYMENT],
    )
    form.item(
        "8.还款情况",
        [
            "已还本金：{{ debt.repaid_principal|amount }}元",
            "已还利息：{{ debt.repaid_interest|amount }}元，还息至{{ debt.interest_paid_to|cn_date }}",
        ],
    )
    form.item(
        "9.是否存在逾期还款",
        [
            f"是{YES}　逾期时间：{{{{ debt.overdue_since|cn_date }}}}　至今已逾期{{{{ debt.overdue_days }}}}天（截至{AS_OF}）",
            f"否{NO}",
        ],
    )
    security_items(form, 10, "是否签订保证合同 / 保函")
    form.item(
        "17.请求承担责任的依据",
        [
            "合同约定：《{{ debt.contract_name }}》（编号：{{ debt.contract_number }}）第　　条"
            "{% if guarantors %}及保证合同第　　条{% endif %}",
            "法律规定：" + LOAN_LAW,
        ],
    )
    form.item("18.其他需要说明的内容（可另附页）", transfer_note())
    form.item("19.证据清单（可另附页）", evidence_lines(), may_split=True)
    spacer(doc)

    mediation_block(doc)
    complaint_tail(doc)
    return doc


# --------------------------------------------------------------------------- prose parties


def prose_party(prose: Prose, role: str, v: str, *, with_agent: bool = False) -> None:
    """A party paragraph (申请人/被申请人/…) for a person or an organisation."""
    prose.tag(f"if {v}.is_person")
    prose.p(
        [(f"{role}：", True), (
            f"{{{{ {v}.name }}}}，{{% if {v}.gender_label %}}{{{{ {v}.gender_label }}}}，{{% endif %}}"
            f"{{% if {v}.birth_date %}}{{{{ {v}.birth_date|cn_date }}}}出生，{{% endif %}}"
            f"{{% if {v}.ethnicity %}}{{{{ {v}.ethnicity }}}}，{{% endif %}}住{{{{ {v}.address }}}}，"
            f"{{{{ {v}.id_type }}}}号码：{{{{ {v}.id_number }}}}"
            f"{{% if {v}.phone %}}，联系电话：{{{{ {v}.phone }}}}{{% endif %}}。", False)],
        indent=False,
    )
    prose.tag("else")
    prose.p(
        [(f"{role}：", True), (
            f"{{{{ {v}.name }}}}，住所地：{{{{ {v}.address }}}}，统一社会信用代码：{{{{ {v}.uscc }}}}。", False)],
        indent=False,
    )
    prose.p(
        f"{{% if {v}.representative_title %}}{{{{ {v}.representative_title }}}}{{% else %}}法定代表人{{% endif %}}："
        f"{{{{ {v}.representative }}}}{{% if {v}.phone %}}，联系电话：{{{{ {v}.phone }}}}{{% endif %}}。",
        indent=False,
    )
    prose.tag("endif")


def prose_creditor(prose: Prose, role: str, *, agent_label: str = "委托代理人") -> None:
    prose.p([(f"{role}：", True), ("{{ creditor.name }}，住所地：{{ creditor.address }}，"
                                  "统一社会信用代码：{{ creditor.uscc }}。", False)], indent=False)
    prose.p("{% if creditor.representative_title %}{{ creditor.representative_title }}{% else %}法定代表人{% endif %}："
            "{{ creditor.representative }}{% if creditor.phone %}，联系电话：{{ creditor.phone }}{% endif %}。",
            indent=False)
    prose.tag("if agent.present")
    prose.p(f"{agent_label}：{{% if agent.name %}}{{{{ agent.name }}}}，{{% endif %}}{{{{ agent.firm }}}}律师"
            "{% if agent.phone %}，联系电话：{{ agent.phone }}{% endif %}。", indent=False)
    prose.tag("endif")


def prose_debtors(prose: Prose, role: str) -> None:
    prose_party(prose, role, "debtor")
    prose.tag("for g in guarantors")
    prose_party(prose, role, "g")
    prose.tag("endfor")


ALL_DEBTORS = "{{ debtor.name }}{% for g in guarantors %}、{{ g.name }}{% endfor %}"
BREAKDOWN = (
    "本金{{ debt.principal|amount }}元、利息{{ debt.interest|amount }}元、罚息{{ debt.penalty_interest|amount }}元、"
    "复利{{ debt.compound_interest|amount }}元、滞纳金{{ debt.late_fees|amount }}元、手续费{{ debt.fees|amount }}元"
)


def facts_paragraphs(prose: Prose, us: str, them: str) -> None:
    """事实和理由 composed from the debt (``us``: 申请人/原告, ``them``: 被申请人/被告)."""
    prose.tag("if debt.is_credit_card")
    prose.p(
        f"{{{{ debt.contract_date|cn_date }}}}，{them}{{{{ debtor.name }}}}向{us}申请办理信用卡，双方签订《{{{{ debt.contract_name }}}}》"
        f"（编号：{{{{ debt.contract_number }}}}）。{us}依约向{them}发放卡号为{{{{ debt.account_number }}}}的信用卡，"
        f"信用额度{{{{ debt.loan_amount|amount }}}}元。双方约定：{RATES}；持卡人应按期足额偿还透支款项。"
    )
    prose.tag("else")
    prose.p(
        f"{{{{ debt.contract_date|cn_date }}}}，{us}与{them}{{{{ debtor.name }}}}签订《{{{{ debt.contract_name }}}}》"
        f"（编号：{{{{ debt.contract_number }}}}），约定{them}向{us}借款{{{{ debt.loan_amount|amount }}}}元"
        "{% if debt.term_ends_on %}，借款期限至{{ debt.term_ends_on|cn_date }}止{% endif %}，"
        f"{RATES}。{{{{ debt.disbursed_on|cn_date }}}}，{us}依约发放借款{{{{ debt.disbursed_amount|amount }}}}元。"
    )
    prose.tag("endif")
    prose.p(
        f"此后，{them}{{{{ debtor.name }}}}未按约定履行还款义务，自{{{{ debt.overdue_since|cn_date }}}}起逾期"
        "{% if debt.last_payment_date %}，最后一次还款日为{{ debt.last_payment_date|cn_date }}{% endif %}。"
        f"截至{AS_OF}，{them}尚欠{BREAKDOWN}，合计{{{{ debt.claim_total|amount }}}}元。"
        f"{{% if demands %}}{us}先后于{{% for d in demands %}}{{{{ d.date|cn_date }}}}（{{{{ d.channel_label }}}}）"
        f"{{% if not loop.last %}}、{{% endif %}}{{% endfor %}}向{them}催收，{them}至今未予清偿。"
        f"{{% else %}}{them}至今未予清偿。{{% endif %}}"
    )
    prose.tag("for g in guarantors")
    prose.p(
        f"{them}{{{{ g.name }}}}为上述债务提供{{{{ g.guarantee_type_label }}}}"
        "{% if g.guarantee_period_ends_on %}，保证期间至{{ g.guarantee_period_ends_on|cn_date }}{% endif %}，"
        "应依法承担相应的保证责任。"
    )
    prose.tag("endfor")
    prose.tag("if transfer.assigned")
    prose.p(
        f"上述债权原由{{{{ transfer.original_creditor }}}}享有，{{{{ transfer.assigned_on|cn_date }}}}转让予{us}，"
        f"{us}依法取得该债权；债权转让通知情况：{{{{ transfer.notice }}}}。"
    )
    prose.tag("endif")


def evidence_paragraphs(prose: Prose) -> None:
    prose.tag("for e in evidence")
    prose.p("{{ loop.index }}.{{ e.title }}（{{ e.number }}，{{ e.original }}，{{ e.pages }}页），"
            "证据来源：{{ e.source }}；证明目的：{{ e.purpose }}。")
    prose.tag("endfor")
    prose.tag("if not evidence")
    prose.p("{{ evidence_missing }}")
    prose.tag("endif")


def asset_paragraphs(prose: Prose) -> None:
    prose.tag("for a in assets")
    prose.p("{{ loop.index }}.{{ a.kind_label }}：{{ a.description }}。")
    prose.tag("endfor")
    prose.tag("if not assets")
    prose.p("{{ assets_missing }}")
    prose.tag("endif")


def sign_block(prose: Prose, to: str, signer: str) -> None:
    prose.p("此致", before=14, keep_next=True)
    prose.p(to, indent=False, keep_next=True)
    prose.right(signer, before=28)
    prose.right("{{ today|cn_date }}")


# --------------------------------------------------------------------------- 3 仲裁


def arbitration_application():
    doc = new_document("仲裁申请书 {{ matter.number }}")
    prose = Prose(doc)
    prose.title("仲裁申请书")
    prose_creditor(prose, "申请人")
    prose_debtors(prose, "被申请人")

    prose.heading("仲裁请求：")
    product = "{% if debt.is_credit_card %}信用卡透支本金{% else %}借款本金{% endif %}"
    prose.p(f"1.裁决被申请人{{{{ debtor.name }}}}向申请人偿还{product}{{{{ debt.principal|amount }}}}元；")
    prose.p(
        f"2.裁决被申请人{{{{ debtor.name }}}}向申请人支付截至{AS_OF}的利息、罚息、复利及费用共计"
        "{{ debt.charges_total|amount }}元（其中利息{{ debt.interest|amount }}元、罚息{{ debt.penalty_interest|amount }}元、"
        "复利{{ debt.compound_interest|amount }}元、滞纳金{{ debt.late_fees|amount }}元、手续费{{ debt.fees|amount }}元），"
        "并按合同约定支付自{{ debt.charges_from|cn_date }}起至实际清偿之日止的利息、罚息和复利；"
    )
    prose.p(f"以上第1、2项合计{{{{ debt.claim_total|amount }}}}元（{{{{ debt.claim_total|rmb_upper }}}}，暂计至{AS_OF}）；",
            indent=True)
    prose.tag("for g in guarantors")
    prose.p("{{ loop.index + 2 }}.裁决被申请人{{ g.name }}对上述第1、2项债务承担"
            "{% if g.guarantee_type == 'joint' %}连带清偿责任{% else %}一般保证责任{% endif %}；")
    prose.tag("endfor")
    prose.p("{{ guarantors|length + 3 }}.本案仲裁费用由被申请人承担。")

    prose.heading("事实和理由：")
    facts_paragraphs(prose, "申请人", "被申请人")
    prose.p(
        "被申请人的上述行为已构成违约。根据"
        "{% if debt.is_credit_card %}" + CARD_LAW + "{% else %}" + LOAN_LAW + "{% endif %}"
        "的规定及双方合同的约定，被申请人应当向申请人清偿上述款项。依据双方合同中的仲裁条款及《中华人民共和国仲裁法》的有关规定，"
        "申请人特向贵会申请仲裁，请求依法裁决。"
    )

    prose.heading("证据和证据来源：")
    evidence_paragraphs(prose)

    sign_block(prose, "{{ forum.name }}", "申请人（盖章）：{{ creditor.name }}")
    prose.p("附：1.本申请书副本{{ guarantors|length + 1 }}份；2.证据材料一套；3.申请人主体资格证明材料。",
            indent=False, before=14)
    return doc


# --------------------------------------------------------------------------- 4 财产保全


def preservation_application():
    doc = new_document("财产保全申请书 {{ matter.number }}")
    prose = Prose(doc)
    prose.title("财产保全申请书")
    prose_creditor(prose, "申请人")
    prose_debtors(prose, "被申请人")

    prose.heading("请求事项：")
    prose.p(
        f"请求依法冻结被申请人{ALL_DEBTORS}名下银行存款人民币{{{{ preservation.amount|amount }}}}元"
        "（{{ preservation.amount|rmb_upper }}），或查封、扣押其他等值财产。"
    )

    prose.heading("事实和理由：")
    prose.p(
        f"申请人与被申请人{DISPUTE}一案，"
        "{% if preservation.before_suit %}申请人拟向贵院提起诉讼。"
        "{% else %}申请人已向贵院提起诉讼（案号：{{ preservation.case_number }}）。{% endif %}"
    )
    facts_paragraphs(prose, "申请人", "被申请人")
    prose.p(
        "被申请人长期拖欠上述款项，{% if demands %}经催收仍未清偿{% else %}至今未予清偿{% endif %}，申请人有理由相信被申请人可能转移、隐匿财产，致使将来的生效法律文书难以执行。"
        "为保障申请人的合法权益，根据《中华人民共和国民事诉讼法》"
        "{% if preservation.before_suit %}第一百零四条{% else %}第一百零三条{% endif %}的规定，特申请对被申请人的财产采取保全措施。"
    )

    prose.heading("财产线索：")
    asset_paragraphs(prose)

    prose.heading("担保：")
    prose.p("申请人提供如下担保：{{ preservation.security }}。如因申请错误给被申请人造成损失，申请人愿依法承担赔偿责任。")

    sign_block(prose, "{{ forum.name }}", "申请人（盖章）：{{ creditor.name }}")
    return doc


# --------------------------------------------------------------------------- 5 强制执行


def enforcement_application():
    doc = new_document("强制执行申请书 {{ matter.number }}")
    prose = Prose(doc)
    prose.title("强制执行申请书")
    prose_creditor(prose, "申请执行人")
    prose_debtors(prose, "被执行人")

    prose.heading("执行依据：")
    prose.p("{{ instrument.court }}{{ instrument.case_number }}{{ instrument.kind_label }}，"
            "已于{{ instrument.effective_on|cn_date }}发生法律效力。")

    prose.heading("执行请求：")
    prose.p(
        f"1.请求强制被执行人{ALL_DEBTORS}按照上述生效法律文书向申请执行人支付本金{{{{ instrument.principal_awarded|amount }}}}元、"
        "利息{{ instrument.interest_awarded|amount }}元、诉讼费{{ instrument.costs_awarded|amount }}元，"
        "合计{{ instrument.total_awarded|amount }}元（{{ instrument.total_awarded|rmb_upper }}）；"
    )
    prose.p(
        "2.请求强制被执行人支付迟延履行期间的债务利息：以生效法律文书确定的除一般债务利息之外的金钱债务为基数，"
        "按日万分之一点七五，自{{ instrument.delay_interest_from|cn_date }}起计算至实际履行之日止，"
        "暂计至{{ today|cn_date }}为{{ instrument.delay_interest|amount }}元（{{ instrument.delay_interest|rmb_upper }}）"
        "（依据《最高人民法院关于执行程序中计算迟延履行期间的债务利息适用法律若干问题的解释》（法释〔2014〕8号）第一条）；"
    )
    prose.p("3.本案执行费用由被执行人负担。")

    prose.heading("事实和理由：")
    prose.p(
        f"申请执行人与被执行人{DISPUTE}一案，{{{{ instrument.court }}}}于{{{{ instrument.decided_on|cn_date }}}}作出"
        "{{ instrument.case_number }}{{ instrument.kind_label }}，该法律文书已于{{ instrument.effective_on|cn_date }}"
        "发生法律效力。被执行人应于{{ instrument.performance_ends_on|cn_date }}前履行生效法律文书确定的给付义务，"
        "但至今未履行。根据《中华人民共和国民事诉讼法》第二百四十七条、第二百六十四条的规定，申请执行人特向贵院申请强制执行。"
    )
    prose.tag("if transfer.assigned")
    prose.p(
        "申请执行人系上述生效法律文书确定债权的受让人：原债权人{{ transfer.original_creditor }}已于"
        "{{ transfer.assigned_on|cn_date }}将该债权依法转让予申请执行人，并书面认可申请执行人取得该债权；"
        "债权转让通知情况：{{ transfer.notice }}。根据《最高人民法院关于民事执行中变更、追加当事人若干问题的规定》第九条，"
        "申请执行人申请变更为本案申请执行人并以自己的名义申请执行。债权转让协议及债权转让通知的证明材料附后。"
    )
    prose.tag("endif")

    prose.heading("被执行人财产线索：")
    asset_paragraphs(prose)

    sign_block(prose, "{{ instrument.court }}", "申请执行人（盖章）：{{ creditor.name }}")
    prose.p("附：1.生效法律文书副本及生效证明；2.申请执行人主体资格证明材料"
            "{% if transfer.assigned %}；3.债权转让协议及债权转让通知的证明材料{% endif %}。",
            indent=False, before=14)
    return doc


# --------------------------------------------------------------------------- 6 律师函


ISSUER = "{% if debt.is_credit_card %}发卡机构{% else %}贷款机构{% endif %}"
HOLDER = "{% if debt.is_credit_card %}持卡人{% else %}借款人{% endif %}"


class LetterProse(Prose):
    """The letter speaks of 发卡机构/持卡人 for a card and 贷款机构/借款人 for a loan."""

    @staticmethod
    def words(text):
        def swap(piece: str) -> str:
            return piece.replace("发卡机构", ISSUER).replace("持卡人", HOLDER)

        if isinstance(text, str):
            return swap(text)
        return [(swap(piece), bold) for piece, bold in text]

    def p(self, text, **kwargs) -> None:
        super().p(self.words(text), **kwargs)

    def right(self, text, **kwargs) -> None:
        super().right(self.words(text), **kwargs)


def demand_letter():
    doc = new_document("律师函 {{ matter.number }}")
    prose = LetterProse(doc)
    prose.title("律　师　函", after=0)
    p = doc.add_paragraph()
    fmt(p, align=WD_ALIGN_PARAGRAPH.RIGHT, after=6)
    write(p, "编号：{{ matter.number }}", FANG, BODY_SIZE)

    honorific = ("{% if debtor.is_person %}{% if debtor.gender == 'male' %}先生{% elif debtor.gender == 'female' %}女士"
                 "{% endif %}{% endif %}")
    prose.p([("致：", True), ("{{ debtor.name }}" + honorific, True)], indent=False)
    prose.p("地址：{{ debtor.address }}", indent=False)
    account = "{% if debt.is_credit_card %}信用卡{% else %}借款{% endif %}"
    prose.p(
        "{{ agent.firm }}（以下简称“本所”）接受{{ creditor.name }}（以下简称“发卡机构”）的委托，"
        "{% if agent.name %}指派{{ agent.name }}律师，{% endif %}"
        f"就您名下{account}欠款事宜，"
        "{% if debt.is_credit_card %}依据《商业银行信用卡业务监督管理办法》第六十九条的要求，{% endif %}郑重函告如下："
    )

    prose.heading("一、持卡人及欠款情况")
    prose.p(
        "持卡人姓名：{{ debtor.name }}；{% if debtor.is_person %}证件号码：{{ debtor.id_number_masked }}"
        "{% else %}统一社会信用代码：{{ debtor.uscc }}{% endif %}；"
        f"{{% if debt.is_credit_card %}}卡号{{% else %}}合同编号{{% endif %}}："
        "{% if debt.is_credit_card %}{{ debt.account_number_masked }}{% else %}{{ debt.contract_number }}{% endif %}。"
    )
    prose.p(
        f"截至{AS_OF}，您尚欠{BREAKDOWN}，合计{{{{ debt.claim_total|amount }}}}元（{{{{ debt.claim_total|rmb_upper }}}}）。"
        "自{{ debt.charges_from|cn_date }}起，利息、罚息、复利等仍按合约约定计收至实际清偿之日止。"
    )

    prose.heading("二、催收原因及法律依据")
    prose.p(
        "您于{{ debt.contract_date|cn_date }}与发卡机构签订《{{ debt.contract_name }}》，"
        "自{{ debt.overdue_since|cn_date }}起未按约定还款，截至" + AS_OF + "已逾期{{ debt.overdue_days }}天。"
        "根据{% if debt.is_credit_card %}" + CARD_LAW + "{% else %}" + LOAN_LAW + "{% endif %}的规定及"
        "《{{ debt.contract_name }}》的约定，您应当按约履行还款义务，并承担逾期还款的违约责任。"
    )

    prose.heading("三、您的权利和义务")
    prose.p("您的义务：按照合约约定及时、足额偿还上述欠款，并承担合约约定的逾期利息、费用等违约责任。")
    prose.p(
        "您的权利：您有权查询账户余额及交易明细；有权对欠款金额提出异议并提供证据；有权要求发卡机构及受托机构依法保护您的个人信息；"
        "催收仅针对债务人及担保人本人进行，您有权拒绝并投诉任何暴力、恐吓、侮辱、诽谤、骚扰等不当催收行为，以及向您以外的无关第三人进行的催收。"
    )

    prose.heading("四、账户查询及还款方式")
    prose.p("账户查询：您可拨打发卡机构客户服务电话{{ creditor.service_phone }}，或通过发卡机构官方渠道查询账户余额、交易明细及还款记录。")
    prose.p("还款方式：{{ creditor.repayment_instructions }}")

    prose.heading("五、异议及证据提供")
    prose.p(
        "如您对上述欠款事实或金额有异议，请于{{ letter.deadline|cn_date }}前以书面形式向本所或发卡机构提出，并提供相应证据"
        "（如还款凭证、往来记录等）。本所联系方式：{{ agent.firm }}"
        "{% if agent.name %}，{{ agent.name }}律师{% endif %}{% if agent.phone %}，电话：{{ agent.phone }}{% endif %}。"
    )

    prose.heading("六、发卡机构联系方式")
    prose.p(
        "{{ creditor.name }}，地址：{{ creditor.address }}，联系电话：{{ creditor.phone }}，"
        "客户服务电话：{{ creditor.service_phone }}。"
    )

    prose.p(
        "请您于{{ letter.deadline|cn_date }}前清偿上述全部欠款或与发卡机构协商还款事宜。逾期未清偿亦未提出异议的，"
        "发卡机构将依法通过诉讼或仲裁等途径主张权利，由此产生的诉讼费用等依法由您承担。",
        before=6,
    )
    prose.p("特此函告。")

    prose.right("发卡机构（盖章）：{{ creditor.name }}", before=28)
    prose.right("{{ agent.firm }}（盖章）", before=14)
    prose.right("律师（签字）：{{ agent.name }}　　　　")
    prose.right("{{ today|cn_date }}")
    return doc


# --------------------------------------------------------------------------- 7 证据目录

EVIDENCE_COLUMNS = (("序号", 1.8), ("证据名称", 3.6), ("证据来源", 2.3), ("证明目的", 4.4), ("页码", 1.5),
                    ("原件/复印件", 2.0))


def evidence_list():
    doc = new_document("证据目录 {{ matter.number }}")
    prose = Prose(doc)
    prose.title("证 据 目 录")
    for label, value in (
        ("案　　由：", DISPUTE),
        ("{% if forum.is_court %}原　　告{% else %}申 请 人{% endif %}：", "{{ creditor.name }}"),
        ("{% if forum.is_court %}被　　告{% else %}被申请人{% endif %}：", ALL_DEBTORS),
        ("案件编号：", "{{ matter.number }}"),
    ):
        p = doc.add_paragraph()
        fmt(p, size=TABLE_SIZE, line=22)
        write(p, [(label, True), (value, False)], SONG, TABLE_SIZE)
    spacer(doc)

    table = new_table(doc, [w for _, w in EVIDENCE_COLUMNS])
    center = WD_ALIGN_PARAGRAPH.CENTER
    header = add_row(table, [label for label, _ in EVIDENCE_COLUMNS], fills=[LABEL_FILL] * 6, bold=[True] * 6,
                     aligns=[center] * 6, size=SMALL_SIZE)
    for cell in header.cells:
        v_center(cell)
    tr_pr = header._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))
    add_row(table, ["{%tr for e in evidence %}"], merge=True, size=SMALL_SIZE)
    row = add_row(
        table,
        ["{{ e.number }}", "{{ e.title }}", "{{ e.source }}", "{{ e.purpose }}", "{{ e.page_range }}", "{{ e.original }}"],
        aligns=[center, None, None, None, center, center],
        size=SMALL_SIZE,
    )
    for cell in row.cells:
        v_center(cell)
    keep_row(row)
    add_row(table, ["{%tr endfor %}"], merge=True, size=SMALL_SIZE)

    p = doc.add_paragraph()
    fmt(p, size=TABLE_SIZE, line=22, before=6)
    write(p, "{% if evidence %}共{{ evidence|length }}项证据。{% else %}{{ evidence_missing }}{% endif %}", SONG, TABLE_SIZE)
    p = doc.add_paragraph()
    fmt(p, align=WD_ALIGN_PARAGRAPH.RIGHT, size=TABLE_SIZE, line=22, before=24)
    write(p, "提交人（签字、盖章）：{{ creditor.name }}", SONG, TABLE_SIZE)
    p = doc.add_paragraph()
    fmt(p, align=WD_ALIGN_PARAGRAPH.RIGHT, size=TABLE_SIZE, line=22)
    write(p, "{{ today|cn_date }}", SONG, TABLE_SIZE)
    return doc


# --------------------------------------------------------------------------- output

BUILDERS = {
    "complaint_credit_card": complaint_credit_card,
    "complaint_loan": complaint_loan,
    "arbitration_application": arbitration_application,
    "preservation_application": preservation_application,
    "enforcement_application": enforcement_application,
    "demand_letter": demand_letter,
    "evidence_list": evidence_list,
}


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


def main(argv: list[str]) -> int:
    codes = argv or list(BUILDERS)
    for code in codes:
        path = HERE / f"{code}.docx"
        path.write_bytes(deterministic_bytes(BUILDERS[code]()))
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
