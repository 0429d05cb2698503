"""Filing text shared by several families: law citations, parties, facts, evidence, signature."""

from __future__ import annotations

from templates_docx.defaults.layout import Prose

# After more than one transfer the last assignor is not the first lender: the filings
# name both ("原由甲享有，经转让后由乙于……转让予……"); "" after a single transfer.
CHAINED = "transfer.assignor != transfer.original_creditor"
CHAINED_ASSIGNOR = "{% if " + CHAINED + " %}经转让后由{{ transfer.assignor }}于{% endif %}"

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
AS_OF = "{{ debt.amounts_as_of|cn_date }}"
DISPUTE = "{% if debt.is_credit_card %}信用卡纠纷{% else %}金融借款合同纠纷{% endif %}"
RATES = (
    "{% if debt.is_credit_card %}透支利息{% else %}借款利息{% endif %}按年利率{{ debt.annual_interest_rate|percent }}计算，"
    "逾期罚息按年利率{{ debt.penalty_rate|percent }}计算，复利按年利率{{ debt.compound_rate|percent }}计算，"
    "按年{{ debt.day_count }}天计"
)


# --------------------------------------------------------------------------- prose parties


def prose_party(prose: Prose, role: str, v: str, *, with_agent: bool = False, note: str = "") -> None:
    """A party paragraph (申请人/被申请人/…) for a person or an organisation; ``note`` ends it (its liability)."""
    prose.tag(f"if {v}.is_person")
    prose.p(
        [(f"{role}：", True), (
            f"{{{{ {v}.name }}}}，{{% if {v}.gender_label %}}{{{{ {v}.gender_label }}}}，{{% endif %}}"
            f"{{% if {v}.birth_date %}}{{{{ {v}.birth_date|cn_date }}}}出生，{{% endif %}}"
            f"{{% if {v}.ethnicity %}}{{{{ {v}.ethnicity }}}}，{{% endif %}}住{{{{ {v}.address }}}}，"
            f"{{{{ {v}.id_type }}}}号码：{{{{ {v}.id_number }}}}"
            f"{{% if {v}.phone %}}，联系电话：{{{{ {v}.phone }}}}{{% endif %}}{note}。", False)],
        indent=False,
    )
    prose.tag("else")
    prose.p(
        [(f"{role}：", True), (
            f"{{{{ {v}.name }}}}，住所地：{{{{ {v}.address }}}}，统一社会信用代码：{{{{ {v}.uscc }}}}{note}。", False)],
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
# The enforcement filings' 被执行人: exactly the parties the confirmed instrument binds
# (LEGAL_RULES Part 2 B.7), each with its liability; the reason as a marker when none.
BOUND_NAMES = "{% for b in bound %}{% if not loop.first %}、{% endif %}{{ b.name }}{% else %}{{ bound_missing }}{% endfor %}"
BOUND_NOTE = (
    "{% if b.liability_label %}（依生效法律文书{% if b.liability == 'limited' %}在{{ b.limit|amount }}元范围内"
    "承担清偿责任{% else %}{{ b.liability_label }}{% endif %}）{% endif %}"
)


def prose_bound(prose: Prose, role: str = "被执行人") -> None:
    """One paragraph per party the instrument binds, with its liability; the reason when none."""
    prose.tag("for b in bound")
    prose_party(prose, role, "b", note=BOUND_NOTE)
    prose.tag("endfor")
    prose.tag("if not bound")
    prose.p([(f"{role}：", True), ("{{ bound_missing }}", False)], indent=False)
    prose.tag("endif")

BREAKDOWN = (
    "本金{{ debt.principal|amount }}元、利息{{ debt.interest|amount }}元、罚息{{ debt.penalty_interest|amount }}元、"
    "复利{{ debt.compound_interest|amount }}元、滞纳金{{ debt.late_fees|amount }}元、手续费{{ debt.fees|amount }}元"
)


def facts_paragraphs(prose: Prose, us: str, them: str, *, guarantors: bool = True) -> None:
    """事实和理由 composed from the debt (``us``: 申请人/原告, ``them``: 被申请人/被告).

    ``guarantors=False`` leaves out the guarantors' paragraph (a filing against the debtor only).
    """
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
    if guarantors:
        guarantor_paragraphs(prose, them)
    prose.tag("if transfer.assigned")
    prose.p(
        f"上述债权原由{{{{ transfer.original_creditor }}}}享有，{CHAINED_ASSIGNOR}{{{{ transfer.assigned_on|cn_date }}}}转让予{us}，"
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
    """此致, the court, the signer and the date, on the page of the last paragraph."""
    prose.keep_last()
    prose.p("此致", before=14, keep_next=True)
    prose.p(to, indent=False, keep_next=True)
    prose.right(signer, before=28, keep_next=True)
    prose.right("{{ today|cn_date }}")


def guarantor_paragraphs(prose: Prose, them: str) -> None:
    """Each guarantor's guarantee, as a paragraph of the facts."""
    prose.tag("for g in guarantors")
    prose.p(
        f"{them}{{{{ g.name }}}}为上述债务提供{{{{ g.guarantee_type_label }}}}"
        "{% if g.guarantee_period_ends_on %}，保证期间至{{ g.guarantee_period_ends_on|cn_date }}{% endif %}，"
        "应依法承担相应的保证责任。"
    )
    prose.tag("endfor")


BLANK = "＿＿＿＿＿＿＿＿"


def filled(expr: str, blank: str = BLANK) -> str:
    """``expr`` when it has a value (a marker included), else a line to fill in by hand."""
    return "{% if " + expr + " %}{{ " + expr + " }}{% else %}" + blank + "{% endif %}"


def money(expr: str) -> str:
    """An amount in figures and in 大写; a marker (or any text) shown once, as it is."""
    return ("{% if " + expr + " is string %}{{ " + expr + " }}{% else %}{{ " + expr + "|amount }}元（{{ "
            + expr + "|rmb_upper }}）{% endif %}")
