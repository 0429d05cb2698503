"""Enforcement filings: the application to enforce and the applications made during enforcement."""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement

from templates_docx.defaults.blocks import (
    BOUND_NAMES,
    DISPUTE,
    asset_paragraphs,
    filled,
    money,
    prose_creditor,
    prose_bound,
    sign_block,
)
from templates_docx.defaults.layout import (
    LABEL_FILL,
    NO,
    SMALL_SIZE,
    Prose,
    add_row,
    keep_row,
    new_document,
    new_table,
    spacer,
    v_center,
)

# --------------------------------------------------------------------------- 5 强制执行


def figures(expr: str) -> str:
    """An amount in figures with 元; a marker shown as it is."""
    return "{% if " + expr + " is string %}{{ " + expr + " }}{% else %}{{ " + expr + "|amount }}元{% endif %}"


def enforcement_application():
    doc = new_document("强制执行申请书 {{ matter.number }}")
    prose = Prose(doc)
    prose.title("强制执行申请书")
    prose_creditor(prose, "申请执行人")
    prose_bound(prose)

    prose.heading("执行依据：")
    prose.p("{{ instrument.court }}{{ instrument.case_number }}{{ instrument.kind_label }}，"
            "已于{{ instrument.effective_on|cn_date }}发生法律效力。")

    prose.heading("执行请求：")
    prose.p(
        f"1.请求强制被执行人{BOUND_NAMES}按照上述生效法律文书向申请执行人支付尚欠的本金{figures('enforcement.principal')}、"
        f"利息{figures('enforcement.interest')}、诉讼费用{figures('enforcement.costs')}"
        "{% for b in bound if b.liability_label %}{% if loop.first %}（{% else %}；{% endif %}被执行人{{ b.name }}"
        "{% if b.liability == 'limited' %}在{{ b.limit|amount }}元范围内承担清偿责任{% else %}{{ b.liability_label }}{% endif %}"
        "{% if loop.last %}）{% endif %}{% endfor %}；"
    )
    prose.p(
        "2.请求强制被执行人支付迟延履行期间的债务利息：以生效法律文书确定的除一般债务利息之外的金钱债务为基数，"
        "按日万分之一点七五，自{{ enforcement.delay_interest_from|cn_date }}起计算至实际履行之日止，"
        "暂计至{{ today|cn_date }}共{{ enforcement.delay_interest_days }}日，为" + money("enforcement.delay_interest")
        + "（依据《最高人民法院关于执行程序中计算迟延履行期间的债务利息适用法律若干问题的解释》（法释〔2014〕8号）第一条、第二条）；"
    )
    prose.p("以上第1、2项暂计合计" + money("enforcement.total") + "；")
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
        "申请执行人系上述生效法律文书确定债权的受让人：原债权人{{ transfer.assignor }}已于"
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


# --------------------------------------------------------------------------- shared by the applications below

INSTRUMENT = (
    "{{ instrument.court }}于{{ instrument.decided_on|cn_date }}作出{{ instrument.case_number }}"
    "{{ instrument.kind_label }}，该法律文书已于{{ instrument.effective_on|cn_date }}发生法律效力"
)
UNPAID = "截至{{ enforcement.unpaid_as_of|cn_date }}，被执行人尚欠" + money("enforcement.unpaid_total") + "未履行"
COURT = "{{ enforcement.court }}"
SIGNER = "申请执行人（盖章）：{{ creditor.name }}"


def enforcement_front(title: str):
    """Document, title, parties and the enforcement case number."""
    doc = new_document(title + " {{ matter.number }}")
    prose = Prose(doc)
    prose.title(title)
    prose_creditor(prose, "申请执行人")
    prose_bound(prose)
    prose.p([("执行案号：", True), (filled("enforcement.case_number"), False)], indent=False)
    return doc, prose


def case_history(prose: Prose, *, notice: bool = False) -> None:
    """The instrument, the enforcement case and (``notice``) the 执行通知书 left unperformed."""
    text = (
        f"申请执行人与被执行人{DISPUTE}一案，{INSTRUMENT}。因被执行人未履行生效法律文书确定的义务，申请执行人向贵院申请强制执行，"
        "贵院{% if enforcement.filed_on %}于{{ enforcement.filed_on|cn_date }}{% endif %}"
        "立案执行（案号：{{ enforcement.case_number }}）。"
    )
    if notice:
        text += (
            "贵院向被执行人发出执行通知书，被执行人于{{ enforcement.notice_served_on|cn_date }}收到，"
            "但未按执行通知书指定的期间（{{ enforcement.notice_deadline|cn_date }}前）履行生效法律文书确定的给付义务。"
        )
    prose.p(text + UNPAID + "。")


# --------------------------------------------------------------------------- 续行查封、冻结

# The court-and-case-number column fits a case number on one line (it never breaks, issue 17).
FREEZE_COLUMNS = (("序号", 0.8), ("财产种类及具体财产", 3.4), ("采取措施的法院及案号", 5.2), ("原查封、扣押、冻结期限", 2.6),
                  ("金额（元）", 2.0), ("续行期限", 1.4))


def freeze_table(doc) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    table = new_table(doc, [w for _, w in FREEZE_COLUMNS])
    header = add_row(table, [label for label, _ in FREEZE_COLUMNS], fills=[LABEL_FILL] * 6, bold=[True] * 6,
                     aligns=[center] * 6, size=SMALL_SIZE)
    for cell in header.cells:
        v_center(cell)
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    add_row(table, ["{%tr for f in freezes %}"], merge=True, size=SMALL_SIZE)
    row = add_row(
        table,
        [
            "{{ loop.index }}",
            "{{ f.kind_label }}：{{ f.asset }}",
            ["{{ f.court }}", "{{ f.case_number }}"],
            ["{{ f.started_on|cn_date }}起", "至{{ f.expires_on|cn_date }}止"],
            "{% if f.amount is string %}{% if f.amount %}{{ f.amount }}{% else %}—{% endif %}{% else %}{{ f.amount|amount }}{% endif %}",
            "{{ f.renewal_period_label }}",
        ],
        aligns=[center, None, None, center, center, center],
        size=SMALL_SIZE,
    )
    for cell in row.cells:
        v_center(cell)
    keep_row(row)
    add_row(table, ["{%tr endfor %}"], merge=True, size=SMALL_SIZE)


def renewal_application():
    doc, prose = enforcement_front("续行查封、冻结申请书")

    prose.heading("请求事项：")
    prose.p(
        "请求贵院在下列查封、扣押、冻结期限届满前，对被执行人的下列财产依法办理续行查封、扣押、冻结手续，续行期限按法定期限计算"
        "（银行存款冻结一年，动产查封、扣押二年，不动产查封及其他财产权冻结三年）："
    )
    prose.tag("if freezes")
    freeze_table(doc)
    spacer(doc)
    prose.tag("else")
    prose.p("{{ freezes_missing }}")
    prose.tag("endif")

    prose.heading("事实和理由：")
    prose.p(
        f"申请执行人与被执行人{DISPUTE}一案，{INSTRUMENT}。在本案财产保全及执行过程中，贵院依法对被执行人的上列财产"
        "采取了查封、扣押、冻结措施{% if freezes %}（法院及案号见上表）{% endif %}。被执行人至今未履行完毕生效法律文书确定的义务，" + UNPAID + "。"
    )
    prose.p(
        "上列查封、扣押、冻结措施的期限即将届满，期限届满未办理续行手续的，查封、扣押、冻结的效力消灭，被执行人可能转移、处分上述财产，"
        "致使生效法律文书难以执行。根据《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》第四百八十五条的规定，"
        "申请执行人特申请贵院在上述期限届满前办理续行查封、扣押、冻结手续，请予准许。"
    )

    sign_block(prose, COURT, SIGNER)
    prose.p("附：原查封、扣押、冻结裁定书及协助执行通知书（回执）复印件。", indent=False, before=14)
    return doc


# --------------------------------------------------------------------------- 恢复执行


def resumption_application():
    doc, prose = enforcement_front("恢复执行申请书")

    prose.heading("请求事项：")
    prose.p("1.请求恢复{{ enforcement.case_number }}案件的执行；")
    prose.p("2.请求依法对被执行人新发现的财产（见下述财产线索）采取查封、扣押、冻结、拍卖、变卖等执行措施，强制被执行人履行生效法律文书确定的剩余义务"
            + money("enforcement.unpaid_total") + "及迟延履行期间的债务利息；")
    prose.p("3.本案执行费用由被执行人负担。")

    prose.heading("事实和理由：")
    prose.p(
        f"申请执行人与被执行人{DISPUTE}一案，{INSTRUMENT}。因被执行人未履行生效法律文书确定的义务，申请执行人向贵院申请强制执行"
        "（案号：{{ enforcement.case_number }}）。因未发现被执行人有可供执行的财产，贵院于{{ enforcement.terminated_on|cn_date }}"
        "作出{{ enforcement.termination_ruling_number }}执行裁定，终结本次执行程序。"
        "{% if enforcement.recovered_total is string %}{% elif enforcement.recovered_total %}"
        "此前已执行到位{{ enforcement.recovered_total|amount }}元。{% endif %}" + UNPAID + "。"
    )
    prose.p("终结本次执行程序后，申请执行人发现被执行人有下列可供执行的财产：")
    asset_paragraphs(prose)
    prose.p(
        "根据《最高人民法院关于严格规范终结本次执行程序的规定（试行）》第九条的规定，终结本次执行程序后，申请执行人发现被执行人有可供执行财产的，"
        "可以向执行法院申请恢复执行，申请恢复执行不受申请执行时效期间的限制。为此，申请执行人特向贵院申请恢复执行，请依法核查并恢复执行。"
    )

    sign_block(prose, COURT, SIGNER)
    prose.p("附：1.终结本次执行程序的执行裁定书复印件；2.被执行人财产线索及相关证明材料。", indent=False, before=14)
    return doc


# --------------------------------------------------------------------------- 变更申请执行人

AGREEMENT = "{% if transfer.agreement %}{{ transfer.agreement }}{% else %}债权转让协议{% endif %}"


def change_of_applicant():
    doc = new_document("变更申请执行人申请书 {{ matter.number }}")
    prose = Prose(doc)
    prose.title("变更申请执行人申请书")
    prose_creditor(prose, "申请人")
    prose.p([("原申请执行人：", True), (filled("transfer.assignor") + "。", False)], indent=False)
    prose_bound(prose)
    prose.p([("执行案号：", True), (filled("enforcement.case_number"), False)], indent=False)

    prose.heading("请求事项：")
    prose.p(
        "请求裁定变更申请人{{ creditor.name }}为{{ enforcement.case_number }}案件的申请执行人，由申请人以自己的名义继续申请执行"
        "{{ instrument.case_number }}{{ instrument.kind_label }}确定的债权。"
    )

    prose.heading("事实和理由：")
    prose.p(
        f"原申请执行人{filled('transfer.assignor')}与被执行人{DISPUTE}一案，{INSTRUMENT}。"
        "因被执行人未履行生效法律文书确定的义务，原申请执行人向{{ enforcement.court }}申请强制执行，案号为{{ enforcement.case_number }}。"
    )
    prose.p(
        "{% if transfer.assigned_on %}{{ transfer.assigned_on|cn_date }}，{% endif %}原申请执行人与申请人签订" + AGREEMENT
        + "，将上述生效法律文书确定的债权依法转让给申请人，并书面认可申请人取得该债权。"
        "原申请执行人{% if transfer.notified_on %}已于{{ transfer.notified_on|cn_date }}{% else %}已{% endif %}将债权转让的事实通知被执行人"
        "{% if transfer.notice %}（通知情况：{{ transfer.notice }}）{% endif %}，该转让对被执行人发生效力。"
    )
    prose.p(
        "根据《中华人民共和国民法典》第五百四十五条、第五百四十六条及《最高人民法院关于民事执行中变更、追加当事人若干问题的规定》第九条的规定，"
        "申请执行人将生效法律文书确定的债权依法转让给第三人，且书面认可第三人取得该债权，该第三人申请变更其为申请执行人的，人民法院应予支持。"
        "为此，申请人特向贵院申请变更为本案申请执行人，请依法裁定。"
    )

    sign_block(prose, COURT, "申请人（盖章）：{{ creditor.name }}")
    prose.p("附：1.生效法律文书复印件；2.债权转让协议；3.原申请执行人书面认可申请人取得该债权的证明材料；"
            "4.债权转让通知及送达证明；5.申请人主体资格证明材料。", indent=False, before=14)
    return doc


# --------------------------------------------------------------------------- 限制消费令

RESTRICTED = (
    "（一）乘坐交通工具时，选择飞机、列车软卧、轮船二等以上舱位；",
    "（二）在星级以上宾馆、酒店、夜总会、高尔夫球场等场所进行高消费；",
    "（三）购买不动产或者新建、扩建、高档装修房屋；",
    "（四）租赁高档写字楼、宾馆、公寓等场所办公；",
    "（五）购买非经营必需车辆；",
    "（六）旅游、度假；",
    "（七）子女就读高收费私立学校；",
    "（八）支付高额保费购买保险理财产品；",
    "（九）乘坐G字头动车组列车全部座位、其他动车组列车一等以上座位等其他非生活和工作必需的消费行为。",
)


def organisation_persons(prose: Prose, v: str) -> None:
    """For an organisation among the debtors: the persons its restriction reaches (Art. 3(2))."""
    prose.tag(f"if not {v}.is_person")
    prose.p(
        f"被执行人{{{{ {v}.name }}}}为单位，请求同时限制其"
        f"{{% if {v}.representative_title %}}{{{{ {v}.representative_title }}}}{{% else %}}法定代表人{{% endif %}}"
        f"{filled(v + '.representative', '＿＿＿＿')}、主要负责人、影响债务履行的直接责任人员及实际控制人实施前述消费行为。"
    )
    prose.tag("endif")


def consumption_restriction_application():
    doc, prose = enforcement_front("限制消费令申请书")

    prose.heading("请求事项：")
    prose.p(f"请求贵院依法对被执行人{BOUND_NAMES}采取限制消费措施，发布限制消费令，限制其实施下列高消费及非生活和工作必需的消费行为：")
    for item in RESTRICTED:
        prose.p(item)
    prose.tag("for b in bound")
    organisation_persons(prose, "b")
    prose.tag("endfor")

    prose.heading("事实和理由：")
    case_history(prose, notice=True)
    prose.p(
        "根据《最高人民法院关于限制被执行人高消费及有关消费的若干规定》第一条、第三条、第四条的规定，被执行人未按执行通知书指定的期间"
        "履行生效法律文书确定的给付义务的，人民法院可以采取限制消费措施，限制其高消费及非生活或者经营必需的有关消费；被执行人为单位的，"
        "被执行人及其法定代表人、主要负责人、影响债务履行的直接责任人员、实际控制人不得实施上述消费行为。为此，申请执行人特向贵院提出申请，"
        "请依法发布限制消费令。"
    )

    sign_block(prose, COURT, SIGNER)
    return doc


# --------------------------------------------------------------------------- 失信被执行人名单

DISHONEST_GROUNDS = (
    "（一）有履行能力而拒不履行生效法律文书确定义务的；",
    "（二）以伪造证据、暴力、威胁等方法妨碍、抗拒执行的；",
    "（三）以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行的；",
    "（四）违反财产报告制度的；",
    "（五）违反限制消费令的；",
    "（六）无正当理由拒不履行执行和解协议的。",
)


def dishonest_listing_application():
    doc, prose = enforcement_front("纳入失信被执行人名单申请书")

    prose.heading("请求事项：")
    prose.p(f"请求贵院将被执行人{BOUND_NAMES}纳入失信被执行人名单，并依法向社会公布、予以信用惩戒。")

    prose.heading("事实和理由：")
    case_history(prose, notice=True)
    prose.p(
        "被执行人未履行生效法律文书确定的义务，并具有《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条规定的下列情形"
        "（在对应项前的方框内打“√”）："
    )
    for item in DISHONEST_GROUNDS:
        prose.p(NO + item)
    prose.p("具体情况：＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿"
            "＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿。")
    prose.p(
        "根据《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条、第五条的规定，申请执行人认为被执行人具有上述情形的，"
        "可以向人民法院申请将其纳入失信被执行人名单。为此，申请执行人特向贵院提出申请，请依法审查并作出决定。"
    )

    sign_block(prose, COURT, SIGNER)
    prose.p("附：被执行人具有上述情形的证明材料。", indent=False, before=14)
    return doc


# --------------------------------------------------------------------------- 限制出境

EXIT_GROUNDS = (
    "（一）被执行人有履行能力而拒不履行生效法律文书确定的义务；",
    "（二）被执行人有出境记录，或者有出境、移居境外的准备或迹象；",
    "（三）被执行人有隐匿、转移财产等规避执行的行为；",
    "（四）其他需要限制出境的情形。",
)


def exit_ban_person(prose: Prose, v: str) -> None:
    """For an organisation among the debtors: the persons the ban falls on (执行程序解释 Art. 24)."""
    prose.tag(f"if not {v}.is_person")
    prose.p(
        f"被执行人{{{{ {v}.name }}}}为单位，请求对其"
        f"{{% if {v}.representative_title %}}{{{{ {v}.representative_title }}}}{{% else %}}法定代表人{{% endif %}}"
        f"{filled(v + '.representative', '＿＿＿＿')}、主要负责人或者影响债务履行的直接责任人员限制出境。"
    )
    prose.tag("endif")


def exit_ban_application():
    """限制出境申请书: 民诉法 Art. 266; 执行程序解释 Arts. 23-25 (LEGAL_RULES Part 2 B.7)."""
    doc, prose = enforcement_front("限制出境申请书")

    prose.heading("请求事项：")
    prose.p(f"请求贵院依法对被执行人{BOUND_NAMES}采取限制出境措施，并通知出入境边防检查机关协助执行。")
    prose.tag("for b in bound")
    exit_ban_person(prose, "b")
    prose.tag("endfor")

    prose.heading("事实和理由：")
    case_history(prose, notice=True)
    prose.p("被执行人具有下列情形（在对应项前的方框内打“√”）：")
    for item in EXIT_GROUNDS:
        prose.p(NO + item)
    prose.p("具体情况及证据：＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿"
            "＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿＿。")
    prose.p("被执行人护照号码（如知悉）：＿＿＿＿＿＿＿＿＿＿＿＿。")
    prose.p(
        "根据《中华人民共和国民事诉讼法》第二百六十六条及《最高人民法院关于适用〈中华人民共和国民事诉讼法〉执行程序若干问题的解释》"
        "第二十三条、第二十四条的规定，被执行人不履行法律文书确定的义务的，人民法院可以对其采取或者通知有关单位协助采取限制出境措施；"
        "被执行人为单位的，可以对其法定代表人、主要负责人或者影响债务履行的直接责任人员限制出境。为此，申请执行人特向贵院提出申请，请依法决定。"
    )

    sign_block(prose, COURT, SIGNER)
    prose.p("附：被执行人具有上述情形的证明材料。", indent=False, before=14)
    return doc


# --------------------------------------------------------------------------- 执行款收款账户确认


def payout_account_confirmation():
    """执行款收款账户确认书: where the court pays recovered money (LEGAL_RULES Part 2 B.7)."""
    doc = new_document("执行款收款账户确认书 {{ matter.number }}")
    prose = Prose(doc)
    prose.title("执行款收款账户确认书")
    prose.p([("执行法院：", True), ("{{ enforcement.court }}", False)], indent=False)
    prose.p([("执行案号：", True), (filled("enforcement.case_number"), False)], indent=False)
    prose.p([("申请执行人：", True), ("{{ creditor.name }}，统一社会信用代码：{{ creditor.uscc }}。", False)], indent=False)
    prose.p([("被执行人：", True), (BOUND_NAMES + "。", False)], indent=False)

    prose.p(
        "申请执行人与被执行人" + DISPUTE + "一案，依据{{ instrument.court }}{{ instrument.case_number }}{{ instrument.kind_label }}，"
        "现由贵院执行。申请执行人确认，本案执行到位的款项请划付至申请执行人的下列账户：",
        before=6,
    )
    prose.p([("户　　名：", True), ("{{ creditor.name }}", False)], indent=True)
    prose.p([("开 户 行：", True), ("{{ payout.bank }}", False)], indent=True)
    prose.p([("账　　号：", True), ("{{ payout.account }}", False)], indent=True)
    prose.p([("联 系 人：", True), ("{{ payout.contact }}　　联系电话：{{ payout.phone }}", False)], indent=True)
    prose.p(
        "上述账户为申请执行人本人的账户，户名与申请执行人名称一致。申请执行人未授权任何代理人代为收取执行款项；"
        "如需委托代理人代为收取，将另行提交载明“代为收取执行款项”的特别授权委托书"
        "（《最高人民法院关于人民法院执行工作若干问题的规定（试行）》第二十条）。"
        "上述账户如有变更，申请执行人将另行向贵院出具书面确认；因申请执行人提供的账户信息错误导致的款项划付迟延或错误，由申请执行人自行承担。"
    )

    sign_block(prose, COURT, SIGNER)
    prose.p("附：申请执行人营业执照副本复印件、开户许可证或银行开户证明复印件。", indent=False, before=14)
    return doc
