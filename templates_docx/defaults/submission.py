"""The 诉讼材料递交清单: the cover sheet of a filing sent to the court or commission by post.

It carries the forum's address (recorded on the forum, LEGAL_RULES §1 venue table) and the
copies the law asks for: the complaint with one copy per defendant (民事诉讼法 Art. 123), the
evidence with one copy per opposing party (证据规定 Art. 19); the arbitration rules of most
commissions ask the same of an application.
"""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH

from templates_docx.defaults.blocks import ALL_DEBTORS, DISPUTE
from templates_docx.defaults.layout import (
    LABEL_FILL,
    SMALL_SIZE,
    SONG,
    TABLE_SIZE,
    Form,
    Prose,
    add_row,
    fmt,
    keep_row,
    new_document,
    new_table,
    spacer,
    v_center,
    write,
)

COLUMNS = (("序号", 1.2), ("材料名称", 6.8), ("份数", 4.2), ("备注", 3.4))
OPPOSING = "{{ guarantors|length + 1 }}"
US = "{% if forum.is_court %}原告{% else %}申请人{% endif %}"
THEM = "{% if forum.is_court %}被告{% else %}被申请人{% endif %}"

# (name, copies, note): the papers of a first filing, in the order a filing clerk checks them.
MATERIALS = (
    ("{% if forum.is_court %}民事起诉状{% else %}仲裁申请书{% endif %}", "正本1份，副本" + OPPOSING + "份",
     "副本按" + THEM + "人数"),
    ("证据目录及证据材料", "1套，副本" + OPPOSING + "套", "副本按" + THEM + "人数"),
    (US + "营业执照副本复印件", "1份", "加盖公章"),
    ("法定代表人身份证明书", "1份", ""),
    ("授权委托书", "1份", "{% if agent.present %}特别授权{% endif %}"),
    ("{% if agent.present %}律师事务所函及律师执业证复印件{% else %}委托代理人工作证明{% endif %}", "1份", ""),
    ("送达地址确认书", "1份", ""),
)


def filing_submission_list():
    """诉讼材料递交清单: to whom and where the filing goes, what is in the envelope."""
    doc = new_document("诉讼材料递交清单 {{ matter.number }}")
    prose = Prose(doc)
    prose.title("诉讼材料递交清单", after=8)

    form = Form(doc)
    form.item("收件机构", "{{ forum.name }}{% if forum.is_court %}立案庭{% else %}立案处{% endif %}")
    form.item("收件地址", "{{ forum.address }}")
    form.item("案　　由", DISPUTE)
    form.item(US, "{{ creditor.name }}")
    form.item(THEM, ALL_DEBTORS)
    form.item("寄 件 人", "{% if agent.present %}{{ agent.firm }}　{{ agent.name }}{% else %}{{ creditor.name }}{% endif %}")
    form.item("联系电话", "{% if agent.present %}{{ agent.phone }}{% else %}{{ creditor.phone }}{% endif %}")
    form.item("寄件地址", "{% if agent.present %}{{ agent.firm_address }}{% else %}{{ creditor.address }}{% endif %}")
    spacer(doc)

    table = new_table(doc, [width for _, width in COLUMNS])
    center = WD_ALIGN_PARAGRAPH.CENTER
    header = add_row(table, [label for label, _ in COLUMNS], fills=[LABEL_FILL] * 4, bold=[True] * 4,
                     aligns=[center] * 4, size=SMALL_SIZE)
    for cell in header.cells:
        v_center(cell)
    for number, (name, copies, note) in enumerate(MATERIALS, start=1):
        row = add_row(table, [str(number), name, copies, note], aligns=[center, None, center, None], size=SMALL_SIZE)
        keep_row(row)

    for text, before, keep in (
        ("以上材料系为" + US + "{{ creditor.name }}与" + THEM + ALL_DEBTORS + DISPUTE + "一案邮寄立案提交，"
         "请贵{% if forum.is_court %}院{% else %}会{% endif %}查收。材料如有欠缺，请通知寄件人补正。", 8, False),
        ("案件编号（寄件人内部）：{{ matter.number }}", 4, True),
    ):
        p = doc.add_paragraph()
        fmt(p, size=TABLE_SIZE, line=22, before=before, keep_next=keep)
        write(p, text, SONG, TABLE_SIZE)
    p = doc.add_paragraph()
    fmt(p, align=WD_ALIGN_PARAGRAPH.RIGHT, size=TABLE_SIZE, line=22, before=24, keep_next=True)
    write(p, "递交人（签字、盖章）：{{ creditor.name }}", SONG, TABLE_SIZE)
    p = doc.add_paragraph()
    fmt(p, align=WD_ALIGN_PARAGRAPH.RIGHT, size=TABLE_SIZE, line=22)
    write(p, "{{ today|cn_date }}", SONG, TABLE_SIZE)
    return doc
