"""The sample filing context: the shape every template is written against.

``templates_docx.context.matter_context`` builds exactly this shape from a matter;
a template upload is test-rendered against this sample before it may become active,
and the template pages list these keys as the fields a template may use.

Conventions, for template authors:

- Money is ``Decimal`` (use ``|amount`` for 12,345.67 and ``|rmb_upper`` for 人民币大写),
  dates are ``date`` (``|cn_date`` gives 2026年3月2日), rates are annual fractions
  (``|percent`` gives 18.25% for 0.1825), booleans choose boxes (``|box`` gives ☑ or ☐).
- An element the matter lacks is the text ``【待补充：label】``. It passes through every
  filter unchanged, is highlighted in the generated document, and listed in the
  document's ``missing``. Elements a form may leave empty (工作单位, 经常居住地) are "".
- Lists (guarantors, demands, evidence, assets) may be empty; test with ``{% if x %}``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

MISSING_PREFIX = "【待补充："
MISSING_SUFFIX = "】"


def missing(label: str) -> str:
    """The visible marker for an element the matter lacks (``label`` in Chinese)."""
    return f"{MISSING_PREFIX}{label}{MISSING_SUFFIX}"


def _person(**values) -> dict:
    person = {
        "kind": "person",
        "is_person": True,
        "name": "",
        "gender": "",
        "gender_label": "",
        "birth_date": "",
        "ethnicity": "",
        "workplace": "",
        "position": "",
        "phone": "",
        "address": "",
        "habitual_residence": "",
        # The agreed service address (约定送达地址), "" when none was agreed.
        "service_address": "",
        "id_type": "居民身份证",
        "id_number": "",
        "id_number_masked": "",
        "uscc": "",
        "representative": "",
        "representative_title": "",
        # Organisations only (the 要素式 form's 类型 and 所有制性质 boxes), "" when unknown:
        # org_type one of limited_liability, joint_stock, listed, other_enterprise,
        # public_institution, social_group, foundation, social_service, government,
        # rural_collective, cooperative, grassroots, sole_proprietorship, partnership,
        # professional_service; ownership one of state_controlled, state_participating,
        # private, other.
        "org_type": "",
        "ownership": "",
    }
    person.update(values)
    return person


SAMPLE_CONTEXT: dict = {
    # The date the filing is generated (具状日期), and the matter itself.
    "today": date(2026, 3, 2),
    "matter": {"number": "FS-2026-000123", "stage": "intake", "stage_label": "立案前"},
    # The claimant: the creditor as a legal person (原告/申请人).
    "creditor": {
        "kind": "organisation",
        "is_person": False,
        "name": "示例银行股份有限公司信用卡中心",
        "uscc": "91310000MA1FL00013",
        "address": "上海市浦东新区陆家嘴环路1000号",
        "representative": "王建国",
        "representative_title": "负责人",
        "phone": "021-60000000",
        "org_type": "other_enterprise",
        "ownership": "",
        # For the collection letter (信用卡办法 Art. 69): the issuer's customer-service line
        # and how the debtor can repay.
        "service_phone": "95500",
        "repayment_instructions": "可通过发卡机构营业网点柜台、手机银行、网上银行或他行跨行转账向您名下上述信用卡账户还款。",
    },
    # The debtor (被告/被申请人/被执行人), a person or an organisation (same keys).
    "debtor": _person(
        name="张伟",
        gender="male",
        gender_label="男",
        birth_date=date(1985, 6, 15),
        ethnicity="汉族",
        phone="13812345678",
        address="上海市徐汇区漕溪北路88号",
        id_number="310104198506153216",
        id_number_masked="310104********3216",
    ),
    # Guarantors (保证人), each a party with the guarantee's type (joint / general).
    "guarantors": [
        _person(
            name="李娜",
            gender="female",
            gender_label="女",
            birth_date=date(1987, 2, 3),
            address="上海市长宁区延安西路1号",
            id_number="310105198702034225",
            id_number_masked="310105********4225",
            guarantee_type="joint",
            guarantee_type_label="连带责任保证",
            guarantee_period_ends_on=date(2028, 3, 1),
            guarantee_signed_on=date(2019, 5, 20),
        )
    ],
    # The parties the confirmed instrument binds (被执行人 of the enforcement filings), the
    # debtor first: role debtor/guarantor; liability principal/joint/supplementary/several/
    # limited with its words (liability_label, "" for the principal debtor) and limit (an
    # amount as text for limited, else ""). Empty when no confirmed instrument binds anyone;
    # bound_missing then says why (a marker), else "".
    "bound": [
        _person(
            name="张伟",
            gender="male",
            gender_label="男",
            birth_date=date(1985, 6, 15),
            ethnicity="汉族",
            phone="13812345678",
            address="上海市徐汇区漕溪北路88号",
            id_number="310104198506153216",
            id_number_masked="310104********3216",
            role="debtor",
            liability="principal",
            liability_label="",
            limit="",
        ),
        _person(
            name="李娜",
            gender="female",
            gender_label="女",
            birth_date=date(1987, 2, 3),
            address="上海市长宁区延安西路1号",
            id_number="310105198702034225",
            id_number_masked="310105********4225",
            role="guarantor",
            liability="joint",
            liability_label="承担连带清偿责任",
            limit="",
        ),
    ],
    "bound_missing": "",
    # The outside counsel instructed (委托诉讼代理人), when a firm is assigned.
    "agent": {
        "present": True,
        "name": "",
        "firm": "示例律师事务所",
        "phone": "",
        "authority": "special",
        # The firm's address and the lawyer's 执业证号, for the 授权委托书; "" when unknown.
        "firm_address": "上海市黄浦区中山东一路18号",
        "license_number": "",
        # The 委托期限 the power of attorney states.
        "term": "自本授权委托书签署之日起至本案一审、二审及执行程序终结之日止",
    },
    # The debt: product, contract, amounts by component as of ``amounts_as_of``.
    "debt": {
        "product": "credit_card",
        "product_label": "信用卡",
        "is_credit_card": True,
        "is_loan": False,
        "account_number": "6225880012345678",
        "account_number_masked": "6225********5678",
        "contract_number": "XYK-2019-0001",
        "contract_name": "信用卡领用合约",
        "contract_date": date(2019, 5, 20),
        "branch": "示例银行股份有限公司信用卡中心",
        "loan_amount": Decimal("50000.00"),
        "disbursed_on": date(2019, 5, 20),
        "matured_on": "",
        # Loans: the agreed maturity (约定期限) and the amount actually disbursed; "" for a card.
        "term_ends_on": "",
        "disbursed_amount": "",
        # Repayments made (已还金额); markers until Fasu records payments.
        "repaid_total": missing("被告逾期部分已还金额"),
        "repaid_principal": missing("已还本金"),
        "repaid_interest": missing("已还利息"),
        "interest_paid_to": missing("还息截止日期"),
        "is_matured": False,
        "repayment_method": "",
        "repayment_method_label": "",
        "amounts_as_of": date(2026, 2, 28),
        "overdue_since": date(2025, 8, 3),
        "overdue_days": 209,
        "last_payment_date": date(2025, 7, 15),
        "principal": Decimal("48235.60"),
        "interest": Decimal("6120.35"),
        "penalty_interest": Decimal("1803.22"),
        "compound_interest": Decimal("210.48"),
        "late_fees": Decimal("0.00"),
        "fees": Decimal("350.00"),
        # Everything besides principal: interest, penalty, compound, late fees and fees.
        "charges_total": Decimal("8484.05"),
        # Interest, penalty and compound interest only (a loan complaint's 欠利息 total).
        "interest_total": Decimal("8134.05"),
        # The day after amounts_as_of: charges from it run under the contract until paid.
        "charges_from": date(2026, 3, 1),
        "claim_total": Decimal("56719.65"),
        "annual_interest_rate": Decimal("0.1825"),
        "penalty_rate": Decimal("0.27375"),
        "compound_rate": Decimal("0.1825"),
        "day_count": 360,
        "exceeds_24_percent": True,
    },
    # Demands for payment (催收记录), oldest first.
    "demands": [
        {"date": date(2025, 9, 10), "channel": "phone", "channel_label": "电话", "to": "张三", "courier_label": "",
         "waybill": "", "delivered": True, "delivered_on": date(2025, 9, 10), "delivery": "于2025年9月10日送达张三", "proof": "",
         "note": ""},
        {"date": date(2025, 12, 1), "channel": "letter", "channel_label": "信函", "to": "张三",
         "courier_label": "EMS", "waybill": "EA123456789CN", "delivered": True,
         "delivered_on": date(2025, 12, 3), "delivery": "张三于2025年12月3日签收", "proof": "证据5", "note": ""},
        {"date": date(2026, 1, 5), "channel": "letter", "channel_label": "信函", "to": "张三",
         "courier_label": "顺丰速运", "waybill": "SF1400000001", "delivered": False, "delivered_on": "",
         "delivery": "", "proof": "", "note": "查无此人，退回"},
    ],
    # The evidence list (证据清单): numbered as in the bundle index.
    "evidence": [
        {
            "number": "证据1",
            "title": "信用卡申请表及领用合约",
            "kind_label": "合同",
            "source": "原告保存",
            "purpose": "证明原、被告之间存在信用卡合同关系及合同主要条款",
            "pages": 6,
            "page_range": "1-6",
            "document_date": date(2019, 5, 20),
            "original": "原件",
        },
        {
            "number": "证据2",
            "title": "信用卡对账单",
            "kind_label": "对账单",
            "source": "原告业务系统",
            "purpose": "证明被告透支消费及欠款金额",
            "pages": 12,
            "page_range": "7-18",
            "document_date": date(2026, 2, 28),
            "original": "复印件",
        },
    ],
    # Shown in place of the evidence when the matter has none yet.
    "evidence_missing": missing("证据（尚未上传）"),
    # The court or arbitration commission chosen for the matter (管辖法院/仲裁机构).
    "forum": {"name": "上海市浦东新区人民法院", "kind": "court", "is_court": True, "address": "上海市浦东新区丁香路611号"},
    # Court fees on the claim total (诉讼费用交纳办法), computed, not charged.
    "fees": {
        "acceptance": Decimal("1217.99"),
        "acceptance_simplified": Decimal("609.00"),
        "preservation": Decimal("587.20"),
        "enforcement": Decimal("750.79"),
    },
    # Interest from ``amounts_as_of`` to ``today`` at the contract rates (LEGAL_RULES §5).
    "interest_to_date": {
        "from": date(2026, 2, 28),
        "to": date(2026, 3, 2),
        "days": 2,
        "penalty_interest": Decimal("73.36"),
        "compound_interest": Decimal("6.21"),
        "total": Decimal("79.57"),
        "day_count": 360,
    },
    # The effective instrument (生效法律文书) for enforcement; markers until a ruling is confirmed.
    "instrument": {
        "court": "上海市浦东新区人民法院",
        "kind_label": "民事判决书",
        "case_number": "（2025）沪0115民初48213号",
        "decided_on": date(2025, 11, 20),
        "effective_on": date(2025, 12, 8),
        "performance_ends_on": date(2025, 12, 18),
        "principal_awarded": Decimal("48235.60"),
        "interest_awarded": Decimal("8484.05"),
        "costs_awarded": Decimal("609.00"),
        "total_awarded": Decimal("57328.65"),
        "delay_interest_from": date(2025, 12, 19),
        "delay_interest": Decimal("632.54"),
    },
    # Known property of the debtor (财产线索), for preservation and enforcement.
    "assets": [
        {"kind_label": "银行存款", "description": "招商银行 尾号1234 账户内存款"},
    ],
    # Shown in place of the property list when ``assets`` is empty.
    "assets_missing": missing("财产线索"),
    # Preservation: the amount to preserve and the security offered (担保).
    "preservation": {
        "amount": Decimal("56719.65"),
        "security": "由保险公司出具诉讼财产保全责任保险保函",
        # True for a 诉前保全 (民诉法 Art. 104), else the suit's case number (Art. 103).
        "before_suit": False,
        "case_number": missing("受理案号"),
    },
    # Facts the 要素式 complaints ask about that a matter does not record.
    "facts": {
        # Whether the issuer drew attention to the card agreement's main terms: True, False,
        # or None when unknown (both boxes stay empty); and how, when and where.
        "terms_notice_given": None,
        "terms_notice": missing("合约主要条款提示说明的方式、时间及地点"),
        "termination_terms": missing("合约解除条件"),
        # Security in property (抵押、质押); Fasu records personal guarantees only.
        "collateral": False,
        "contract_place": missing("合同签订地点"),
    },
    # The claim's assignment, when the creditor bought it (e.g. an AMC); filled from the
    # recorded transfers (templates_docx.context_transfer). original_creditor is the first
    # lender, assignor the creditor that assigned it to the current one (the same after one
    # transfer); chain lists every step, oldest first.
    "transfer": {
        "assigned": True,
        "original_creditor": "某某银行股份有限公司信用卡中心",
        "assignor": "某某银行股份有限公司信用卡中心",
        "assigned_on": date(2026, 2, 1),
        "notice": "《上海法治报》公告",
        # The assignment agreement (name and number) and the date the debtor was notified
        # (债权转让通知); "" when not assigned, markers when assigned but not recorded.
        "agreement": "《债权转让协议》（编号：ZR-2026-001）",
        "notified_on": date(2026, 2, 10),
        # The newspaper announcement (债权转让暨催收公告), "" when none was published.
        "newspaper": "上海法治报",
        "announced_on": date(2026, 2, 10),
        # The assignee's collection account (收款账户) the notice tells the debtor to pay into.
        "collection_bank": "中国工商银行上海市分行营业部",
        "collection_account": "1001234509000012345",
        # The claim on the day it was assigned (as_of): after a confirmed instrument
        # (judged) its amounts less recoveries, with 迟延履行 interest to that day, the
        # instrument with its number and a 终本 ruling made by then ("" if none); before
        # one, the debt as of amounts_as_of less what was recovered since.
        "claim": {
            "judged": True,
            "as_of": date(2026, 2, 1),
            "instrument": "上海市浦东新区人民法院（2025）沪0115民初48213号民事判决书",
            "principal": Decimal("40235.60"),
            "interest": Decimal("0.00"),
            "costs": Decimal("609.00"),
            "delay_interest": Decimal("321.14"),
            "recovered": Decimal("16484.05"),
            "total": Decimal("41165.74"),
            "terminated_on": date(2026, 1, 15),
            "termination_ruling_number": "（2026）沪0115执恢12号之一",
        },
        "chain": [
            {
                "from_creditor": "某某银行股份有限公司信用卡中心",
                "to_creditor": "某某资产管理股份有限公司上海市分公司",
                "effective_on": date(2026, 2, 1),
                "agreement": "《债权转让协议》（编号：ZR-2026-001）",
            },
        ],
    },
    # The settlement (和解协议) being performed or last agreed; present False (and the
    # figures as markers) when none is recorded. outstanding is the claim when agreed,
    # reduction what the creditor waives (减免), amount what the debtor is to pay in the
    # instalments listed; grace_days the days an instalment may be late before the
    # creditor may apply to resume enforcement.
    "settlement": {
        "present": True,
        "agreed_on": date(2026, 3, 2),
        "outstanding": Decimal("57961.19"),
        "reduction": Decimal("7961.19"),
        "amount": Decimal("50000.00"),
        "grace_days": 15,
        "instalment_count": 2,
        "instalments": [
            {"sequence": 1, "due_on": date(2026, 3, 31), "amount": Decimal("25000.00")},
            {"sequence": 2, "due_on": date(2026, 4, 30), "amount": Decimal("25000.00")},
        ],
        "monthly_income": Decimal("8000.00"),
        "assets_assessed": "名下无房产、车辆",
        "hardship": "失业半年，现已重新就业",
    },
    # The other side's cross-examination (质证) of our evidence at one hearing and our
    # reply, for the 质证意见: the proceeding's case number and court, the hearing's date,
    # and each item examined there (ordinal 一、二 for its heading, number and title as in the evidence list, the purpose
    # we offered it for), with the four points the court weighs (label 真实性、合法性、
    # 关联性、证明目的; admitted True/False/None; verdict 无异议/有异议/未发表意见; the
    # opinion as one sentence, "" when none) and our reply. exhibits is empty and missing a
    # marker when nothing is recorded.
    "cross_examination": {
        "case_number": "（2026）沪0115民初1234号",
        "court": "上海市浦东新区人民法院",
        "examined_on": date(2026, 3, 10),
        "exhibits": [
            {
                "ordinal": "一",
                "number": "证据1",
                "title": "信用卡申请表及领用合约",
                "purpose": "证明原、被告之间存在信用卡合同关系及合同主要条款。",
                "points": [
                    {"label": "真实性", "admitted": False, "verdict": "有异议", "opinion": "申请表上的签名并非被告本人所签。"},
                    {"label": "合法性", "admitted": True, "verdict": "无异议", "opinion": ""},
                    {"label": "关联性", "admitted": None, "verdict": "未发表意见", "opinion": ""},
                    {"label": "证明目的", "admitted": False, "verdict": "有异议", "opinion": "不能证明被告知悉合约条款。"},
                ],
                "reply": "申请表经被告本人签字确认，且被告持卡消费多年并按期还款，足以证明合同成立。",
            },
        ],
        "missing": "",
    },
    # The collection letter's deadline for payment and objections.
    "letter": {"deadline": date(2026, 3, 12), "firm": "示例律师事务所"},
    # The enforcement case (执行案件), once filed; markers until Fasu records it.
    "enforcement": {
        "court": "上海市浦东新区人民法院",
        "case_number": "（2026）沪0115执1234号",
        "filed_on": date(2026, 1, 5),
        # The 执行通知书: when it reached the debtor and the period it set for performance.
        "notice_served_on": date(2026, 1, 12),
        "notice_deadline": date(2026, 1, 22),
        # 终结本次执行程序 (终本): the ruling's date and number; "" while the case runs.
        "terminated_on": date(2026, 2, 16),
        "termination_ruling_number": "（2026）沪0115执1234号",
        # Recovered so far through enforcement, and what is still unpaid as of unpaid_as_of.
        "recovered_total": Decimal("0.00"),
        "unpaid_total": Decimal("57961.19"),
        "unpaid_as_of": date(2026, 3, 2),
        # What the enforcement application claims on ``today``: the instrument's principal
        # and interest less recoveries, the costs the debtor bears (acceptance fee and other
        # recoverable costs), 迟延履行 interest (法释〔2014〕8号: the unpaid principal the
        # instrument fixes, the 受理费 only when counsel includes it, x 1.75 per ten thousand
        # a day, from delay_interest_from to ``today``, both counted: delay_interest_days,
        # in periods split at each payment) and the total of the four.
        "principal": Decimal("48235.60"),
        "interest": Decimal("8484.05"),
        "costs": Decimal("609.00"),
        "delay_interest": Decimal("632.54"),
        "delay_interest_from": date(2025, 12, 19),
        "delay_interest_days": 74,
        "total": Decimal("57961.19"),
    },
    # Seizures and freezes in place (查封、扣押、冻结), for the renewal application.
    # kind is deposit (1 year), movable (2 years) or real_property (3 years, incl. other
    # property rights); renewal_period_label is the statutory renewal period in words
    # (民诉法解释 Art. 485).
    # Where recovered money is to be paid (执行款收款账户, LEGAL_RULES Part 2 B.7): the
    # applicant's own account; markers while Fasu records none.
    "payout": {
        "bank": "示例银行股份有限公司上海分行营业部",
        "account": "31001234567890123456",
        "contact": "王建国",
        "phone": "021-60000000",
    },
    "freezes": [
        {
            "kind": "deposit",
            "kind_label": "银行存款",
            "asset": "被执行人张伟名下招商银行尾号1234账户内存款",
            "court": "上海市浦东新区人民法院",
            "case_number": "（2025）沪0115执保567号",
            "started_on": date(2025, 4, 1),
            "expires_on": date(2026, 3, 31),
            "amount": Decimal("56719.65"),
            "renewal_period_label": "一年",
        },
        {
            "kind": "movable",
            "kind_label": "机动车",
            "asset": "被执行人张伟名下车牌号为沪A12345的小型轿车",
            "court": "上海市浦东新区人民法院",
            "case_number": "（2025）沪0115执保567号",
            "started_on": date(2024, 4, 3),
            "expires_on": date(2026, 4, 2),
            "amount": "",
            "renewal_period_label": "二年",
        },
    ],
    # Shown in place of the freezes when none is recorded.
    "freezes_missing": missing("需续行的查封、扣押、冻结财产"),
    # The creditor's service address (送达地址确认书) for the case ``case_number``
    # ("" before the court assigns one). electronic_consent is True, False or None
    # (unknown: both boxes empty); methods lists the chosen electronic means among
    # "sms" (手机号码), "email", "fax" and "im" (即时通讯账号).
    "service": {
        "case_number": "",
        "address": "上海市浦东新区陆家嘴环路1000号",
        "recipient": "王建国",
        "phone": "13900000000",
        "postcode": "200120",
        "email": "legal@example.com",
        "fax": "",
        "im_account": "",
        "electronic_consent": True,
        "methods": ["sms", "email"],
    },
}
