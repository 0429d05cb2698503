"""The two 要素式 complaints (法〔2025〕82号): 信用卡纠纷 and 金融借款合同纠纷."""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH

from templates_docx.defaults.blocks import AS_OF, CARD_LAW, CHAINED, LOAN_LAW, RATES
from templates_docx.defaults.layout import (
    NO,
    SMALL_SIZE,
    SONG,
    TABLE_SIZE,
    TEXT_WIDTH_CM,
    YES,
    Form,
    Prose,
    Right,
    add_row,
    box,
    fmt,
    new_document,
    new_table,
    spacer,
    write,
)

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
ANY_GENERAL = ("{% for g in guarantors if g.guarantee_type == 'general' %}{% if loop.first %}" + YES
               + "{% endif %}{% else %}" + NO + "{% endfor %}")
ANY_JOINT = ("{% for g in guarantors if g.guarantee_type == 'joint' %}{% if loop.first %}" + YES
             + "{% endif %}{% else %}" + NO + "{% endfor %}")
GUARANTOR_NAMES = "{% for g in guarantors %}{{ g.name }}{% if not loop.last %}、{% endif %}{% endfor %}"
HAS_G = "guarantors|length != 0"
NO_G = "guarantors|length == 0"


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
            "有{{ agent.present|box }}　姓名：{{ agent.name }}",
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
              ["是{{ facts.collateral|box }}　签订时间：", "否" + box("not facts.collateral")])
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
    return ("{% if transfer.assigned %}原告系受让取得本案债权：原债权人{{ transfer.original_creditor }}"
            "{% if " + CHAINED + " %}的债权经转让后，由{{ transfer.assignor }}{% endif %}于"
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
            "{{ d.date|cn_date }}，以{{ d.channel_label }}方式向{{ d.to }}催收"
            "{% if d.courier_label %}（{{ d.courier_label }}，运单号{{ d.waybill }}）{% endif %}"
            "{% if d.delivered %}，{{ d.delivery }}"
            "{% if d.proof %}（见{{ d.proof }}）{% endif %}{% endif %}"
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
        [f"是{accelerate}　提前还款（加速到期）{accelerate}", f"　　解除合同{NO}", "否{{ debt.is_matured|box }}"],
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
            "复利" + box("debt.compound_rate != ''") + "{{ debt.compound_rate|percent }}/年（合同条款：第　　条）",
            "罚息（违约金）" + box("debt.penalty_rate != ''") + "{{ debt.penalty_rate|percent }}/年"
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
            f"是{YES}　逾期时间：{{{{ debt.overdue_since|cn_date }}}}　截至{AS_OF}已逾期{{{{ debt.overdue_days }}}}天",
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
