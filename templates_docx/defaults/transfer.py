"""债权转让通知书: the assignor and the assignee tell the debtor (and guarantors) of the assignment.

An assignment binds the debtor only once notified (民法典 Art. 546) and a guarantor only
once told as well (Art. 696); the accessory rights, guarantees included, pass with the
claim (Art. 547). ``creditor`` is the current creditor, the assignee; ``transfer.assignor``
the creditor that assigned the claim to it.
"""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH

from templates_docx.defaults.blocks import BREAKDOWN, filled
from templates_docx.defaults.layout import (
    BODY_SIZE,
    FANG,
    Prose,
    fmt,
    new_document,
    write,
)

DATE_BLANK = "＿＿＿＿年＿＿月＿＿日"


def _date(expr: str) -> str:
    return "{% if " + expr + " %}{{ " + expr + "|cn_date }}{% else %}" + DATE_BLANK + "{% endif %}"


ASSIGNOR = filled("transfer.assignor")
ASSIGNED_ON = _date("transfer.assigned_on")
ACCOUNT = "{% if debt.is_credit_card %}信用卡卡号{% else %}借款账号{% endif %}"


def MONEY(head: str) -> str:  # noqa: N802 - reads as the text it stands for
    """A head of the judged claim in figures with 元; a marker as it is."""
    expr = f"transfer.claim.{head}"
    return "{% if " + expr + " is string %}{{ " + expr + " }}{% else %}{{ " + expr + "|amount }}元{% endif %}"


TOTAL = (
    "{% if transfer.claim.total is string %}{{ transfer.claim.total }}{% else %}{{ transfer.claim.total|amount }}元"
    "（{{ transfer.claim.total|rmb_upper }}）{% endif %}"
)
GUARANTORS = "{% for g in guarantors %}{{ g.name }}{% if not loop.last %}、{% endif %}{% endfor %}"


def transfer_notice():
    doc = new_document("债权转让通知书 {{ matter.number }}")
    prose = Prose(doc)
    prose.title("债权转让通知书", after=0)
    p = doc.add_paragraph()
    fmt(p, align=WD_ALIGN_PARAGRAPH.RIGHT, after=6)
    write(p, "编号：{{ matter.number }}", FANG, BODY_SIZE)

    prose.p(
        [("债务人：", True), (
            "{{ debtor.name }}（{% if debtor.is_person %}身份证号码：{{ debtor.id_number_masked }}"
            "{% else %}统一社会信用代码：{{ debtor.uscc }}{% endif %}），地址：{{ debtor.address }}", False)],
        indent=False,
    )  # fmt: skip
    prose.tag("for g in guarantors")
    prose.p(
        [("保证人：", True), (
            "{{ g.name }}（{% if g.is_person %}身份证号码：{{ g.id_number_masked }}"
            "{% else %}统一社会信用代码：{{ g.uscc }}{% endif %}），地址：{{ g.address }}", False)],
        indent=False,
    )  # fmt: skip
    prose.tag("endfor")

    prose.p(
        f"{ASSIGNOR}（以下简称“转让人”）与{{{{ creditor.name }}}}（以下简称“受让人”）签订"
        "{% if transfer.agreement %}{{ transfer.agreement }}{% else %}《债权转让协议》{% endif %}，"
        f"转让人将其对您享有的下列债权及其从权利依法转让给受让人，转让自{ASSIGNED_ON}起生效。"
        "根据《中华人民共和国民法典》第五百四十五条、第五百四十六条的规定，现将债权转让事宜通知如下：",
        before=6,
    )

    prose.heading("一、转让的债权")
    prose.p(
        "原债权人：" + filled("transfer.original_creditor")
        + "{% if transfer.original_creditor and transfer.original_creditor != transfer.assignor %}"
        "（该债权此前已由原债权人转让，转让人依法受让取得）{% endif %}。"
    )
    prose.p(
        "债权依据：您于{{ debt.contract_date|cn_date }}与原债权人签订的《{{ debt.contract_name }}》"
        f"（编号：{{{{ debt.contract_number }}}}），{ACCOUNT}：{{{{ debt.account_number_masked }}}}。"
    )
    # The claim as at the transfer date: after a judgment, what the instrument fixes less
    # recoveries (issue 17: never the escalation's figures once a judgment is confirmed).
    prose.tag("if transfer.claim.judged")
    prose.p(
        "生效法律文书：{{ transfer.claim.instrument }}。"
        "{% if transfer.claim.terminated_on %}该案执行中，人民法院已于{{ transfer.claim.terminated_on|cn_date }}作出"
        "{{ transfer.claim.termination_ruling_number }}执行裁定终结本次执行程序；终结本次执行程序后，上述债权仍可依法申请恢复执行。{% endif %}"
    )
    prose.p(
        "转让的债权金额：截至转让日{{ transfer.claim.as_of|cn_date }}，依上述生效法律文书，您尚欠本金" + MONEY("principal")
        + "、利息" + MONEY("interest") + "、诉讼费用" + MONEY("costs") + "、迟延履行期间的债务利息" + MONEY("delay_interest")
        + "{% if transfer.claim.recovered %}（已扣除生效法律文书作出后已收回的{{ transfer.claim.recovered|amount }}元）{% endif %}，"
        "合计" + TOTAL + "。"
        "自{{ transfer.claim.as_of|cn_date }}次日起依生效法律文书继续计算的利息及迟延履行期间的债务利息，随同上述债权一并转让。"
    )
    prose.tag("else")
    prose.p(
        f"转让的债权金额：截至{{{{ debt.amounts_as_of|cn_date }}}}，您尚欠{BREAKDOWN}，"
        "合计{{ debt.claim_total|amount }}元（{{ debt.claim_total|rmb_upper }}）"
        "{% if transfer.claim.recovered %}；此后至转让日{{ transfer.claim.as_of|cn_date }}已收回"
        "{{ transfer.claim.recovered|amount }}元，尚欠{{ transfer.claim.total|amount }}元（{{ transfer.claim.total|rmb_upper }}）"
        "{% endif %}。"
        "自{{ debt.charges_from|cn_date }}起按合同约定继续计收的利息、罚息、复利等，随同上述债权一并转让。"
    )
    prose.tag("endif")

    prose.heading("二、向受让人履行")
    prose.p(
        f"自{ASSIGNED_ON}起，受让人{{{{ creditor.name }}}}取代转让人成为上述债权的债权人，依法享有与该债权有关的全部权利。"
        "请您自收到本通知之日起向受让人履行还款义务；收到本通知后您向转让人所作的清偿，不得对抗受让人。"
        "您对转让人享有的抗辩，可以向受让人主张（《中华人民共和国民法典》第五百四十八条）。"
    )
    prose.p(
        "受让人：{{ creditor.name }}，住所地：{{ creditor.address }}，统一社会信用代码：{{ creditor.uscc }}"
        "{% if creditor.phone %}，联系电话：{{ creditor.phone }}{% endif %}。"
    )
    prose.p(
        "还款方式：请将款项汇入受让人指定的收款账户（户名：{{ creditor.name }}；开户行：{{ transfer.collection_bank }}；"
        "账号：{{ transfer.collection_account }}），并在汇款附言中注明您的姓名及上述合同编号；或与受让人联系约定其他还款方式。"
    )

    prose.tag("if guarantors")
    prose.heading("三、保证责任")
    prose.p(
        f"保证人{GUARANTORS}：根据《中华人民共和国民法典》第五百四十七条、第六百九十六条的规定，债权转让的，"
        "保证债权随之转让。现一并通知您：您为上述债务提供的保证继续有效，请您在原保证范围和保证期间内向受让人承担保证责任。"
    )
    prose.tag("endif")

    prose.heading("{% if guarantors %}四{% else %}三{% endif %}、其他事项")
    prose.tag("if transfer.newspaper")
    prose.p(
        "转让人与受让人已于{{ transfer.announced_on|cn_date }}在《{{ transfer.newspaper }}》刊登债权转让暨催收公告，"
        "本通知与该公告内容一致。"
    )
    prose.tag("endif")
    prose.p(
        "本通知同时是受让人向您主张上述债权的催收通知。如您对上述债权金额有异议，请于收到本通知之日起十日内"
        "以书面形式向受让人提出，并提供还款凭证等相关证据。"
    )
    prose.p("特此通知。")

    prose.signature([
        (f"转让人（盖章）：{ASSIGNOR}", 28),
        ("法定代表人或负责人（签字）：＿＿＿＿＿＿", 0),
        ("受让人（盖章）：{{ creditor.name }}", 28),
        ("法定代表人或负责人（签字）：＿＿＿＿＿＿", 0),
        ("{{ today|cn_date }}", 14),
    ])
    return doc
