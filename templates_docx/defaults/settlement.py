"""和解协议: the settlement agreed with the debtor, its reduction, instalments and breach clause.

Before suit it is an ordinary agreement on the debt (the reduction conditional on full
performance, 民法典 Art. 158); once an enforcement case is recorded it is an 执行和解
agreement, and a breach lets the creditor apply to resume enforcement of the original
instrument or sue on the agreement (民事诉讼法 Art. 241; 最高人民法院关于执行和解若干问题的
规定 Art. 9).
"""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement

from templates_docx.defaults.blocks import (
    BLANK,
    CHAINED,
    DISPUTE,
    money,
    prose_creditor,
    prose_party,
)
from templates_docx.defaults.layout import (
    LABEL_FILL,
    TABLE_SIZE,
    Prose,
    add_row,
    keep_row,
    new_document,
    new_table,
    spacer,
    v_center,
)

# An enforcement case (or an effective instrument) is recorded: its number is not a marker.
IN_ENFORCEMENT = '"待补充" not in enforcement.case_number'
JUDGED = '"待补充" not in instrument.case_number'
LENDER = "{% if transfer.assigned %}{{ transfer.original_creditor }}{% else %}甲方{% endif %}"
ACCOUNT = (
    "{% if debt.is_credit_card %}乙方名下卡号为{{ debt.account_number }}的信用卡账户"
    "{% else %}乙方名下{{ debt.contract_name }}（编号：{{ debt.contract_number }}）项下的还款账户{% endif %}"
)
DATE_SIGNED = "{% if settlement.present %}{{ settlement.agreed_on|cn_date }}{% else %}{{ today|cn_date }}{% endif %}"
INSTALMENT_COLUMNS = (("期数", 3.0), ("还款日（最迟）", 6.0), ("还款金额（元）", 6.6))


def instalment_table(doc) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    right = WD_ALIGN_PARAGRAPH.RIGHT
    table = new_table(doc, [width for _, width in INSTALMENT_COLUMNS])
    header = add_row(table, [label for label, _ in INSTALMENT_COLUMNS], fills=[LABEL_FILL] * 3, bold=[True] * 3,
                     aligns=[center] * 3)
    for cell in header.cells:
        v_center(cell)
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    add_row(table, ["{%tr for i in settlement.instalments %}"], merge=True)
    row = add_row(
        table,
        ["第{{ i.sequence }}期", "{{ i.due_on|cn_date }}", "{{ i.amount|amount }}"],
        aligns=[center, center, right],
    )
    keep_row(row)
    add_row(table, ["{%tr endfor %}"], merge=True)
    total = add_row(
        table,
        ["合计", "共{{ settlement.instalment_count }}期", "{{ settlement.amount|amount }}"],
        bold=[True, False, True],
        aligns=[center, center, right],
        size=TABLE_SIZE,
    )
    keep_row(total)


def signatures(prose: Prose) -> None:
    prose.keep_last()
    prose.p("（以下无正文）", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, before=6, after=14, keep_next=True)
    prose.p("甲方（盖章）：{{ creditor.name }}", indent=False, keep_next=True)
    prose.p(
        "{% if creditor.representative_title %}{{ creditor.representative_title }}{% else %}法定代表人{% endif %}"
        "或委托代理人（签字）：" + BLANK,
        indent=False,
        keep_next=True,
    )
    prose.p("日期：" + DATE_SIGNED, indent=False, keep_next=True, after=14)
    prose.p(
        "{% if debtor.is_person %}乙方（签字并捺印）：" + BLANK + "{% else %}乙方（盖章）：{{ debtor.name }}{% endif %}",
        indent=False,
        keep_next=True,
    )
    prose.p(
        "{% if not debtor.is_person %}{% if debtor.representative_title %}{{ debtor.representative_title }}"
        "{% else %}法定代表人{% endif %}或委托代理人（签字）：" + BLANK + "{% else %}乙方姓名：{{ debtor.name }}{% endif %}",
        indent=False,
        keep_next=True,
    )
    prose.p("日期：" + DATE_SIGNED, indent=False)


def settlement_agreement():
    doc = new_document("和解协议 {{ matter.number }}")
    prose = Prose(doc)
    prose.title("{% if " + IN_ENFORCEMENT + " %}执行和解协议{% else %}和解协议{% endif %}", after=0)
    prose.right("协议编号：{{ matter.number }}")
    spacer(doc)

    prose_creditor(prose, "甲方（债权人）")
    prose_party(prose, "乙方（债务人）", "debtor")

    prose.p(
        "乙方与" + LENDER + "于{{ debt.contract_date|cn_date }}签订《{{ debt.contract_name }}》"
        "（编号：{{ debt.contract_number }}）。因乙方未按约定履行还款义务，双方发生" + DISPUTE + "。"
        "{% if transfer.assigned %}上述债权{% if " + CHAINED + " %}原由{{ transfer.original_creditor }}享有，经转让后{% endif %}"
        "已由{{ transfer.assignor }}于{{ transfer.assigned_on|cn_date }}"
        "依法转让予甲方，并已通知乙方。{% endif %}"
        "{% if " + JUDGED + " %}{{ instrument.court }}已就该纠纷作出{{ instrument.case_number }}{{ instrument.kind_label }}，"
        "该法律文书已发生法律效力。{% endif %}"
        "{% if " + IN_ENFORCEMENT + " %}因乙方未履行生效法律文书确定的义务，甲方已申请强制执行，"
        "{{ enforcement.court }}已立案执行（案号：{{ enforcement.case_number }}）。{% endif %}"
    )
    prose.p(
        "{% if settlement.hardship or settlement.assets_assessed or settlement.monthly_income %}鉴于乙方陈述其目前经济困难"
        "{% if settlement.monthly_income %}，月收入约{{ settlement.monthly_income|amount }}元{% endif %}"
        "{% if settlement.assets_assessed %}，财产状况：{{ settlement.assets_assessed }}{% endif %}"
        "{% if settlement.hardship %}，困难情况：{{ settlement.hardship }}{% endif %}，"
        "无力一次性清偿全部债务，{% endif %}"
        "为妥善解决上述债务，甲乙双方本着平等自愿、诚实信用的原则，根据《中华人民共和国民法典》"
        "{% if " + IN_ENFORCEMENT + " %}、《中华人民共和国民事诉讼法》第二百四十一条及"
        "《最高人民法院关于执行和解若干问题的规定》{% endif %}等有关规定，经协商一致，达成如下协议，以资共同遵守："
    )

    prose.heading("第一条　债务确认")
    prose.p(
        "截至{{ settlement.agreed_on|cn_date }}，乙方尚欠甲方债务合计" + money("settlement.outstanding")
        + "（含本金、利息、罚息、复利、费用及甲方为实现债权已支出的费用）。乙方对上述债务的事实及金额予以确认，无任何异议。"
    )

    prose.heading("第二条　附条件减免")
    prose.tag("if settlement.reduction")
    prose.p(
        "甲方同意，在乙方按照本协议第三条的约定按期足额履行全部还款义务的条件下，对乙方上述债务减免"
        + money("settlement.reduction") + "，乙方实际应偿还" + money("settlement.amount") + "。"
    )
    prose.p(
        "上述减免为附条件的减免（《中华人民共和国民法典》第一百五十八条），自乙方全部履行完毕本协议约定的还款义务时生效；"
        "乙方未全部履行的，减免不生效，甲方有权按本协议第四条的约定主张全部债务。"
    )
    prose.tag("else")
    prose.p("甲方对上述债务不予减免，乙方应按照本协议第三条的约定分期偿还" + money("settlement.amount") + "。")
    prose.tag("endif")

    prose.heading("第三条　还款安排")
    prose.p(
        "乙方应按下表约定分{% if settlement.instalment_count %}{{ settlement.instalment_count }}{% else %}＿＿{% endif %}期"
        "向甲方偿还" + money("settlement.amount") + "，每期款项最迟应于表列还款日当日足额支付："
    )
    prose.tag("if settlement.instalments")
    instalment_table(doc)
    spacer(doc)
    prose.tag("else")
    prose.p("【待补充：还款计划（期数、还款日、金额）】")
    prose.tag("endif")
    prose.p(
        "乙方应将每期款项支付至" + ACCOUNT + "，或甲方书面指定的其他账户；以甲方实际收到款项之日为还款日。"
        "乙方可以提前偿还部分或全部款项，提前偿还的款项依次冲抵最先到期的各期款项。"
    )

    prose.heading("第四条　违约责任")
    prose.p(
        "乙方任何一期款项在该期还款日后超过{{ settlement.grace_days }}日仍未足额支付的，即构成违约，甲方有权选择采取下列一项或多项措施："
    )
    prose.p("（一）解除本协议，取消本协议第二条约定的全部减免；")
    prose.p(
        "（二）{% if " + IN_ENFORCEMENT + " %}依照《中华人民共和国民事诉讼法》第二百四十一条及"
        "《最高人民法院关于执行和解若干问题的规定》第九条的规定，申请{{ enforcement.court }}恢复执行原生效法律文书"
        "{% if " + JUDGED + " %}（{{ instrument.case_number }}{{ instrument.kind_label }}）{% endif %}，"
        "或者就履行本协议向执行法院提起诉讼"
        "{% else %}就全部债务向有管辖权的人民法院提起诉讼或者依约申请仲裁{% endif %}，"
        "要求乙方清偿截至{{ settlement.agreed_on|cn_date }}的欠款总额" + money("settlement.outstanding")
        + "扣除乙方已按本协议实际支付款项后的全部余额，以及依法或者依约应支付的利息；"
    )
    prose.p("（三）甲方因此支出的诉讼费、保全费、执行费、公告费、律师费等实现债权的费用，由乙方承担。")
    prose.p("乙方迟延付款但未超过上述期限的，应在该期限内补足当期款项。甲方接受乙方迟延支付的款项，不视为放弃本协议项下的任何权利。")

    prose.heading("第五条　其他约定")
    prose.p(
        "1.{% if " + IN_ENFORCEMENT + " %}本协议签订后，双方可共同向{{ enforcement.court }}提交本协议，申请中止执行；"
        "乙方全部履行完毕后，甲方应及时向执行法院申请结案。"
        "{% else %}乙方按本协议约定履行期间，甲方不就本协议确认的债务提起诉讼或者申请仲裁。{% endif %}"
        "乙方全部履行完毕本协议约定的还款义务后，甲方不再就已减免部分向乙方主张权利。"
    )
    prose.p(
        "2.{% if guarantors %}本协议不免除保证人{% for g in guarantors %}{{ g.name }}{% if not loop.last %}、{% endif %}{% endfor %}"
        "依法应承担的保证责任，甲方对保证人的权利依照法律规定及原保证合同确定。{% else %}"
        "本协议未约定的事项，仍按原合同的约定执行。{% endif %}"
    )
    prose.p("3.乙方确认上述住址为本协议履行及因本协议发生争议时有关文书的送达地址；地址变更的，应在变更后三日内书面通知甲方。")
    prose.p(
        "4.本协议自甲方盖章、乙方签字{% if debtor.is_person %}并捺印{% else %}盖章{% endif %}之日起生效。"
        "本协议一式{% if " + IN_ENFORCEMENT + " %}三份，甲乙双方各执一份，一份提交执行法院{% else %}两份，甲乙双方各执一份{% endif %}，"
        "具有同等法律效力。"
    )

    signatures(prose)
    return doc
