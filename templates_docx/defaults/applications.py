"""Filings in a suit or arbitration: arbitration, preservation, the demand letter, the evidence list."""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement

from templates_docx.defaults.blocks import (
    ALL_DEBTORS,
    AS_OF,
    BREAKDOWN,
    CARD_LAW,
    DISPUTE,
    LOAN_LAW,
    BLANK,
    asset_paragraphs,
    evidence_paragraphs,
    facts_paragraphs,
    filled,
    prose_creditor,
    prose_debtors,
    prose_party,
    sign_block,
)
from templates_docx.defaults.layout import (
    BODY_SIZE,
    FANG,
    LABEL_FILL,
    SMALL_SIZE,
    SONG,
    TABLE_SIZE,
    Form,
    Prose,
    Right,
    add_row,
    box,
    fmt,
    keep_row,
    new_document,
    new_table,
    spacer,
    v_center,
    write,
)

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
        "{{ letter.firm }}（以下简称“本所”）接受{{ creditor.name }}（以下简称“发卡机构”）的委托，"
        "{% if agent.name %}指派{{ agent.name }}律师，{% endif %}"
        f"就您名下{account}欠款事宜，"
        "{% if debt.is_credit_card %}依据《商业银行信用卡业务监督管理办法》第六十九条的要求，{% endif %}郑重函告如下："
    )

    prose.heading("一、持卡人及欠款情况")
    prose.p(
        "持卡人姓名：{{ debtor.name }}；{% if debtor.is_person %}证件号码：{{ debtor.id_number_masked }}"
        "{% else %}统一社会信用代码：{{ debtor.uscc }}{% endif %}；"
        "{% if debt.is_credit_card %}卡号{% else %}合同编号{% endif %}："
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
        "（如还款凭证、往来记录等）。本所联系方式：{{ letter.firm }}"
        "{% if agent.name %}，{{ agent.name }}律师{% endif %}{% if agent.phone %}，电话：{{ agent.phone }}{% endif %}。"
    )

    prose.heading("六、发卡机构联系方式")
    prose.p(
        "{{ creditor.name }}，地址：{{ creditor.address }}{% if creditor.phone %}，联系电话：{{ creditor.phone }}{% endif %}，"
        "客户服务电话：{{ creditor.service_phone }}。"
    )

    prose.p(
        "请您于{{ letter.deadline|cn_date }}前清偿上述全部欠款或与发卡机构协商还款事宜。逾期未清偿亦未提出异议的，"
        "发卡机构将依法通过诉讼或仲裁等途径主张权利，由此产生的诉讼费用等依法由您承担。",
        before=6,
    )
    prose.p("特此函告。")

    prose.signature([
        ("发卡机构（盖章）：{{ creditor.name }}", 28),
        ("{{ letter.firm }}（盖章）", 14),
        ("律师（签字）：{{ agent.name }}　　　　", 0),
        ("{{ today|cn_date }}", 0),
    ])
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


# --------------------------------------------------------------------------- 8 支付令


def payment_order_application():
    doc = new_document("支付令申请书 {{ matter.number }}")
    prose = Prose(doc)
    prose.title("支付令申请书")
    prose_creditor(prose, "申请人")
    prose_party(prose, "被申请人", "debtor")

    prose.heading("请求事项：")
    product = "{% if debt.is_credit_card %}信用卡透支本金{% else %}借款本金{% endif %}"
    prose.p(
        f"1.请求贵院向被申请人{{{{ debtor.name }}}}发出支付令，督促被申请人向申请人给付{product}{{{{ debt.principal|amount }}}}元"
        f"及截至{AS_OF}的利息、罚息、复利及费用{{{{ debt.charges_total|amount }}}}元（其中利息{{{{ debt.interest|amount }}}}元、"
        "罚息{{ debt.penalty_interest|amount }}元、复利{{ debt.compound_interest|amount }}元、滞纳金{{ debt.late_fees|amount }}元、"
        "手续费{{ debt.fees|amount }}元），合计{{ debt.claim_total|amount }}元（{{ debt.claim_total|rmb_upper }}）；"
    )
    prose.p("2.本案申请费用由被申请人负担。")

    prose.heading("事实和理由：")
    facts_paragraphs(prose, "申请人", "被申请人", guarantors=False)
    prose.p(
        f"上述债权债务关系明确、合法，被申请人应付的上述款项已经到期且数额确定（计至{AS_OF}）。申请人与被申请人之间除本案债务外没有其他债务纠纷，"
        "申请人对被申请人不负对待给付义务，亦未就本债权向人民法院申请诉前保全。被申请人在我国境内且未下落不明，"
        "住所地为{{ debtor.address }}，支付令能够送达被申请人。"
    )
    prose.p(
        "根据《中华人民共和国民事诉讼法》第二百二十五条的规定，申请人特向贵院申请支付令，请求贵院督促被申请人自收到支付令之日起十五日内"
        "清偿上述债务。"
    )

    prose.heading("证据和证据来源：")
    evidence_paragraphs(prose)

    sign_block(prose, "{{ forum.name }}", "申请人（盖章）：{{ creditor.name }}")
    prose.p("附：1.本申请书副本1份；2.证据材料一套；3.申请人主体资格证明材料。", indent=False, before=14)
    return doc


# --------------------------------------------------------------------------- 9 授权委托书

SPECIAL_POWERS = (
    "1.代为起诉、应诉，代为提交、签收与本案有关的诉讼文书及法律文书；",
    "2.代为承认、放弃、变更诉讼请求；",
    "3.代为进行和解，参加调解，签收调解书；",
    "4.代为提起反诉或者上诉；",
    "5.代为申请财产保全、申请支付令；",
    "6.代为申请强制执行，申请续行查封、扣押、冻结，申请恢复执行、变更申请执行人、限制消费、纳入失信被执行人名单；",
    "7.代为进行执行和解，代收执行款项。",
)
GENERAL_POWERS = (
    "代为起诉、应诉，代为提交、签收诉讼文书，参加庭审，进行举证、质证和辩论，代为申请财产保全及申请强制执行"
    "（不包括代为承认、放弃、变更诉讼请求，进行和解，提起反诉或者上诉，以及代收执行款项）。"
)
FORUM_WORD = "{% if forum.is_court %}诉讼{% else %}仲裁{% endif %}"


def present(expr: str, blank: str = BLANK) -> str:
    """The agent's ``expr`` when an agent is instructed and it is known, else a line to fill in."""
    return "{% if agent.present %}" + filled(expr, blank) + "{% else %}" + blank + "{% endif %}"


def power_of_attorney():
    doc = new_document("授权委托书 {{ matter.number }}")
    prose = Prose(doc)
    prose.title("授权委托书")
    prose.p([("委托人：", True), ("{{ creditor.name }}，住所地：{{ creditor.address }}，统一社会信用代码：{{ creditor.uscc }}。",
                                 False)], indent=False)
    prose.p("{% if creditor.representative_title %}{{ creditor.representative_title }}{% else %}法定代表人{% endif %}："
            "{{ creditor.representative }}{% if creditor.phone %}，联系电话：{{ creditor.phone }}{% endif %}。", indent=False)
    prose.p([("受托人：", True), (present("agent.name", "＿＿＿＿＿＿"), False)], indent=False)
    prose.p("工作单位：" + present("agent.firm") + "　职务：律师"
            "{% if agent.present and agent.license_number %}　执业证号：{{ agent.license_number }}{% endif %}", indent=False)
    prose.p("单位地址：" + present("agent.firm_address"), indent=False)
    prose.p("联系电话：" + present("agent.phone", "＿＿＿＿＿＿"), indent=False)

    prose.p(
        f"现委托上列受托人在委托人与{ALL_DEBTORS}{DISPUTE}一案中，作为委托人的{FORUM_WORD}代理人"
        "（在执行程序中为委托代理人）。",
        before=8,
    )
    for label, value in (("案　　由：", DISPUTE), ("对方当事人：", ALL_DEBTORS),
                         ("受理机构：", "{{ forum.name }}")):
        prose.p([(label, True), (value, False)], indent=False)

    prose.p([("代理权限：", True), ("一般授权" + box("agent.authority == 'general'") + "　特别授权"
                                  + box("agent.authority == 'special'"), False)], indent=False)
    prose.tag("if agent.authority == 'special'")
    prose.p("特别授权的具体事项如下：")
    for item in SPECIAL_POWERS:
        prose.p(item)
    prose.tag("elif agent.authority == 'general'")
    prose.p("一般授权的代理事项：" + GENERAL_POWERS)
    prose.tag("else")
    prose.p("（请勾选代理权限。特别授权的，应当逐项写明具体事项；仅写“全权代理”而无具体授权的，受托人无权代为承认、放弃、"
            "变更诉讼请求，进行和解，提起反诉或者上诉。）")
    prose.tag("endif")

    prose.p([("委托期限：", True), (filled("agent.term", "自本授权委托书签署之日起至本案终结之日止") + "。", False)],
            indent=False)
    prose.p("受托人在上述权限范围内代为实施的行为及签署的文件，委托人均予以承认。")

    prose.signature([
        ("委托人（盖章）：{{ creditor.name }}", 28),
        ("{% if creditor.representative_title %}{{ creditor.representative_title }}{% else %}法定代表人{% endif %}"
         "（签字）：＿＿＿＿＿＿", 0),
        ("受托人（签字）：＿＿＿＿＿＿", 14),
        ("{{ today|cn_date }}", 0),
    ])
    prose.p("附：律师事务所函、受托人律师执业证复印件。", indent=False, before=14)
    return doc


# --------------------------------------------------------------------------- 10 送达地址确认书

NOTICES = (
    "1.当事人应当如实提供确切的送达地址及联系方式，以便及时收到人民法院的诉讼文书。",
    "2.确认的送达地址适用于本案一审、二审和执行程序；送达地址变更的，应当及时书面告知人民法院。",
    "3.因提供或者确认的送达地址不准确、送达地址变更未及时告知人民法院，或者受送达人、指定的收件人拒绝签收，"
    "导致诉讼文书未能被实际接收的，文书退回之日视为送达之日，由此产生的法律后果由受送达人自行承担。",
    "4.经受送达人同意，人民法院可以采用能够确认其收悉的电子方式送达诉讼文书，以送达信息到达受送达人特定系统的日期为送达日期；"
    "受送达人应当保证电子送达地址有效、畅通并及时查收（《中华人民共和国民事诉讼法》第九十条）。",
)


def service_address_confirmation():
    doc = new_document("送达地址确认书 {{ matter.number }}")
    prose = Prose(doc)
    prose.title("送达地址确认书", after=8)

    form = Form(doc)
    form.item("案　　号", filled("service.case_number", "　"))
    form.item("案　　由", DISPUTE)
    form.item("当 事 人", "{{ creditor.name }}与" + ALL_DEBTORS)
    form.item("告知事项", list(NOTICES), may_split=True)
    form.item("受送达人", "{{ creditor.name }}（{% if forum.is_court %}原告{% else %}申请人{% endif %}）")
    form.item("送达地址", [filled("service.address"), "邮政编码：" + filled("service.postcode", "＿＿＿＿＿＿")])
    form.item("收 件 人", "姓名：" + filled("service.recipient", "＿＿＿＿＿＿") + "　联系电话："
              + filled("service.phone", "＿＿＿＿＿＿"))
    form.item(
        "是否接受电子送达",
        ["是" + box("service.electronic_consent == true") + "　否" + box("service.electronic_consent == false")],
    )
    form.item(
        "电子送达方式",
        [
            "手机号码" + box("service.electronic_consent == true and 'sms' in service.methods") + "："
            "{% if 'sms' in service.methods %}" + filled("service.phone", BLANK) + "{% endif %}",
            "电子邮箱" + box("service.electronic_consent == true and 'email' in service.methods") + "："
            "{% if 'email' in service.methods %}" + filled("service.email", BLANK) + "{% endif %}",
            "传　　真" + box("service.electronic_consent == true and 'fax' in service.methods") + "："
            "{% if 'fax' in service.methods %}" + filled("service.fax", BLANK) + "{% endif %}",
            "即时通讯账号" + box("service.electronic_consent == true and 'im' in service.methods") + "："
            "{% if 'im' in service.methods %}" + filled("service.im_account", BLANK) + "{% endif %}",
        ],
    )
    form.item(
        "受送达人确认",
        [
            "本人（本单位）已阅读本确认书的告知事项，提供了上述送达地址，确认了上述送达方式，并保证所提供的送达地址及各项内容真实、准确、有效。",
            Right("受送达人（签字、盖章）：{{ creditor.name }}"),
            Right("{{ today|cn_date }}"),
        ],
    )
    form.item("备　　注", "")
    return doc


# --------------------------------------------------------------------------- 质证意见

US = "{% if forum.is_court %}原告{% else %}申请人{% endif %}"
THEM = "{% if forum.is_court %}被告{% else %}被申请人{% endif %}"
TRIBUNAL = "{% if forum.is_court %}贵院{% else %}仲裁庭{% endif %}"


def cross_examination_opinion():
    """质证意见: the other side's opinions on each item of our evidence examined at a hearing, and our reply.

    One part per item: what we offered it to prove, the other side's position on 真实性、
    合法性、关联性 and 证明目的 (《最高人民法院关于民事诉讼证据的若干规定》第八十七条), our reply.
    The closing paragraph stands outside every block, so the signature keeps to it alone.
    """
    doc = new_document("质证意见 {{ matter.number }}")
    prose = Prose(doc)
    prose.title("质 证 意 见")
    prose.tag("if cross_examination.exhibits")
    prose.p([("案　　号：", True), ("{{ cross_examination.case_number }}", False)], indent=False)
    prose.tag("endif")
    prose.p([("{% if forum.is_court %}原　　告{% else %}申 请 人{% endif %}：", True), ("{{ creditor.name }}", False)],
            indent=False)
    prose.p([("{% if forum.is_court %}被　　告{% else %}被申请人{% endif %}：", True), (ALL_DEBTORS, False)], indent=False)
    prose.p([("案　　由：", True), (DISPUTE, False)], indent=False)

    prose.tag("if cross_examination.exhibits")
    prose.p(
        f"{US}{{{{ creditor.name }}}}与{THEM}{ALL_DEBTORS}{DISPUTE}一案，{THEM}于"
        f"{{{{ cross_examination.examined_on|cn_date }}}}对{US}提交的证据发表了质证意见。{US}认为，{THEM}的质证意见"
        "不能成立，现针对其质证意见逐项发表意见如下：",
        before=8,
    )
    prose.tag("for c in cross_examination.exhibits")
    prose.heading("{{ c.ordinal }}、关于{{ c.number }}《{{ c.title }}》")
    prose.p([("证明目的：", True), ("{{ c.purpose }}", False)])
    prose.p([(f"{THEM}质证意见：", True)], keep_next=True)
    prose.tag("for pt in c.points")
    prose.p("{{ loop.index }}.{{ pt.label }}：{{ pt.verdict }}{% if pt.opinion %}，{{ pt.opinion }}{% else %}。{% endif %}")
    prose.tag("endfor")
    prose.p([(f"{US}意见：", True), ("{{ c.reply }}", False)])
    prose.tag("endfor")
    prose.tag("endif")
    prose.p(
        "{% if cross_examination.exhibits %}"
        f"综上所述，{US}提交的上述证据来源合法、内容真实，与本案待证事实具有关联性，足以证明{US}的{FORUM_WORD}请求，"
        f"{THEM}的质证意见缺乏事实和法律依据，恳请{TRIBUNAL}依法对上述证据予以采信。"
        f"{{% else %}}{US}{{{{ creditor.name }}}}与{THEM}{ALL_DEBTORS}{DISPUTE}一案，{{{{ cross_examination.missing }}}}"
        "{% endif %}",
        before=8,
    )
    sign_block(
        prose,
        "{% if cross_examination.exhibits %}{{ cross_examination.court }}{% else %}{{ forum.name }}{% endif %}",
        f"{US}：{{{{ creditor.name }}}}",
    )
    return doc
