"""The one function that turns a matter into a filing context: plain data, never models.

The shape is ``templates_docx.sample.SAMPLE_CONTEXT`` (a test holds the two equal in
keys and types). An element the matter lacks becomes a ``missing("label")`` marker, so
the filing shows it highlighted and the document lists it; elements a form may leave
empty are "".
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from evidence.bundling import exhibit_numbers
from evidence.models import EvidenceItem
from legalcase.calculators import annual_charge_rate, claim_interest, court_fees
from legalcase.models import (
    LAPSING_KINDS,
    LIMITATION_INTERRUPTING_KINDS,
    Asset,
    Assignment,
    AssignmentLawyer,
    ClaimTransfer,
    DemandRecord,
    EnforcementAction,
    Guarantee,
    Matter,
    Party,
    Proceeding,
    RulingParty,
    Settlement,
)
from legalcase.notices import DELIVERY_REFUSED_RULE, DELIVERY_RETURNED_RULE, DELIVERY_SIGNED_RULE
from legalcase.periods import FREEZE_PERIODS
from legalcase.services.bound_parties import LIABILITY_LABELS, enforcement_bound
from legalcase.services.claims import enforcement_application_amounts
from templates_docx.context_cross_examination import cross_examination_context
from templates_docx.context_settlement import settlement_context
from templates_docx.context_transfer import transfer_context
from templates_docx.models import FilingDetails
from templates_docx.sample import missing

ZERO = Decimal("0.00")
GENDER_LABELS = {"male": "男", "female": "女"}
ORIGINALS = {"contract": "原件", "identity": "复印件"}
CAP = Decimal("0.24")
AGENCY_TERM = "自本授权委托书签署之日起至本案一审、二审及执行程序终结之日止"
# Days the collection letter gives for payment or objection.
LETTER_DAYS = 10
REPAYMENT_INSTRUCTIONS = {
    True: "可通过发卡机构营业网点柜台、手机银行、网上银行或他行跨行转账向您名下上述信用卡账户还款。",
    False: "可通过贷款机构营业网点柜台、手机银行、网上银行或转账方式向您名下上述贷款账户还款。",
}


def _or_missing(value, label: str):
    return value if value not in (None, "") else missing(label)


def party_context(party: Party, *, role: str) -> dict:
    """A debtor or guarantor as the forms need it; ``role`` (被告, 保证人) prefixes missing labels."""
    is_person = party.kind == Party.Kind.PERSON
    return {
        "kind": str(party.kind),
        "is_person": is_person,
        "name": party.name,
        "gender": party.gender,
        "gender_label": GENDER_LABELS.get(party.gender, "") if is_person else "",
        "birth_date": _or_missing(party.birth_date, f"{role}出生日期") if is_person else "",
        # As recorded (PATCH …/parties/{id}/); the forms accept them left blank.
        "ethnicity": party.ethnicity if is_person else "",
        "workplace": party.workplace if is_person else "",
        "position": party.position if is_person else "",
        "phone": party.phone,
        "address": _or_missing(party.address, f"{role}住所地"),
        "habitual_residence": party.habitual_residence if is_person else "",
        "service_address": party.service_address,
        "id_type": "居民身份证" if is_person else "统一社会信用代码",
        "id_number": party.id_number if is_person else party.uscc,
        "id_number_masked": party.masked_id_number,
        "uscc": party.uscc,
        "representative": "" if is_person else _or_missing(party.representative, f"{role}法定代表人"),
        "representative_title": "" if is_person else (party.representative_title or "法定代表人"),
        # The form's 类型 and 所有制性质 boxes: not recorded, so none is ticked.
        "org_type": "",
        "ownership": "",
    }


# How a filing names the courier (the choices' labels carry parentheses of their own).
COURIER_NAMES = {"ems": "EMS", "sf": "顺丰速运", "other": "快递"}


def _delivery_phrase(demand: DemandRecord, to: str) -> str:
    """How the demand reached ``to``, by the rule that decided it (LEGAL_RULES Part 2, B.3)."""
    on = _cn(demand.effective_on)
    if demand.delivery_rule == DELIVERY_SIGNED_RULE:
        return f"{to}于{on}签收"
    if demand.delivery_rule == DELIVERY_REFUSED_RULE:
        return f"{to}于{on}拒收（寄往约定的送达地址，视为送达）"
    if demand.delivery_rule == DELIVERY_RETURNED_RULE:
        return f"邮件于{on}被退回（寄往约定的送达地址，视为送达）"
    return f"于{on}送达{to}"


def demand_entry(demand: DemandRecord, *, debt, exhibits: dict[int, str]) -> dict:
    """One demand as the forms list it: delivered only when it was, its proof by exhibit number."""
    to = demand.party.name if demand.party_id else debt.debtor.name
    return {
        "date": demand.date,
        "channel": demand.channel,
        "channel_label": str(demand.get_channel_display()),
        "to": to,
        "courier_label": COURIER_NAMES.get(demand.courier, ""),
        "waybill": demand.waybill,
        "delivered": demand.delivered,
        "delivered_on": demand.effective_on if demand.delivered else "",
        "delivery": _delivery_phrase(demand, to) if demand.delivered else "",
        # Evidence withdrawn (or not in this filing) is no exhibit: no number is claimed.
        "proof": exhibits.get(demand.proof_id, "") if demand.proof_id else "",
        "note": demand.note,
    }


def demand_proof_purpose(demand: DemandRecord, *, debt) -> str:
    """What the proof of a demand proves: the sending, and the delivery only when it was delivered."""
    to = demand.party.name if demand.party_id else debt.debtor.name
    courier = f"（{COURIER_NAMES.get(demand.courier, '快递')}，运单号{demand.waybill}）" if demand.courier else ""
    text = f"证明原告于{_cn(demand.date)}以{demand.get_channel_display()}方式向{to}催收{courier}"
    if demand.delivered:
        text += f"，{_delivery_phrase(demand, to)}，诉讼时效自该日中断"
    return text


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def matter_context(matter: Matter, *, today: date) -> dict:
    """Everything a filing may print about ``matter``, as of ``today`` (the filing date)."""
    debt = matter.debt
    creditor = debt.creditor
    # Through the related managers, so a caller building many contexts can prefetch
    # them (``with_filing_data``); sorted here, so the order never depends on that.
    guarantees = sorted(debt.guarantees.all(), key=lambda guarantee: guarantee.pk)
    demands = sorted(debt.demands.all(), key=lambda demand: (demand.date, demand.pk))
    # Withdrawn evidence (撤回) is out of every new filing; the rest in the matter's order.
    evidence = sorted(
        (item for item in matter.evidence.all() if item.withdrawn_at is None), key=lambda item: (item.position, item.pk)
    )
    exhibits = dict(zip((item.pk for item in evidence), exhibit_numbers([item.group for item in evidence]), strict=True))
    # A proof of delivery says what it proves from its demand (LEGAL_RULES Part 2, B.3).
    proof_purposes = {demand.proof_id: demand_proof_purpose(demand, debt=debt) for demand in demands if demand.proof_id}
    charges_total = debt.non_principal_total
    claim_total = debt.claim_total
    fees = court_fees(claim_total) if claim_total > 0 else None
    interest = claim_interest(
        principal=debt.principal,
        interest_unpaid=debt.interest,
        penalty_rate=debt.penalty_rate or ZERO,
        compound_rate=debt.compound_rate or ZERO,
        start=debt.amounts_as_of,
        end=max(today, debt.amounts_as_of),
        day_count=debt.day_count,
    )
    is_card = debt.product == "credit_card"
    repayment_labels = dict(type(debt).RepaymentMethod.choices)
    forum = matter.forum
    firm = matter.assigned_firm
    claims = enforcement_application_amounts(matter, on=today)
    case = enforcement_case_context(matter)
    details = filing_details_of(matter)
    freezes = freezes_context(matter)
    lawyers = current_lawyers(matter) if firm is not None else []
    repaid = repayments_context(debt)
    numbers = exhibit_numbers([item.group for item in evidence])
    return {
        "today": today,
        "matter": {"number": matter.number, "stage": matter.stage, "stage_label": str(matter.get_stage_display())},
        "creditor": {
            "kind": "organisation",
            "is_person": False,
            "name": creditor.name,
            "uscc": creditor.uscc,
            "address": _or_missing(creditor.address, "原告住所地"),
            "representative": _or_missing(creditor.representative, "原告法定代表人/负责人"),
            "representative_title": creditor.representative_title
            or ("负责人" if creditor.name.endswith(("中心", "分行", "支行")) else "法定代表人"),
            "phone": "",
            "org_type": "",
            "ownership": "",
            "service_phone": _or_missing(creditor.service_phone, "发卡机构客服电话" if is_card else "贷款机构联系电话"),
            "repayment_instructions": REPAYMENT_INSTRUCTIONS[is_card],
        },
        "debtor": party_context(debt.debtor, role="被告"),
        "guarantors": [
            {
                **party_context(guarantee.guarantor, role="保证人"),
                "guarantee_type": guarantee.guarantee_type,
                "guarantee_type_label": "连带责任保证" if guarantee.guarantee_type == "joint" else "一般保证",
                "guarantee_period_ends_on": guarantee.guarantee_period_ends_on or "",
                "guarantee_signed_on": _or_missing(guarantee.guarantee_signed_on, "保证合同签订日期"),
            }
            for guarantee in guarantees
        ],
        **bound_context(matter),
        "agent": {
            "present": firm is not None,
            # The current assignment's lawyers (at most two), joined as the forms print them.
            "name": (_or_missing(_joined(lawyers, "name"), "代理律师姓名") if firm is not None else ""),
            "firm": firm.name if firm is not None else "",
            "phone": (_joined(lawyers, "phone") or firm.phone) if firm is not None else "",
            "authority": "special",
            "firm_address": _or_missing(firm.address, "律师事务所地址") if firm is not None else "",
            "license_number": (
                _or_missing(_joined(lawyers, "licence_number"), "代理律师执业证号") if firm is not None else ""
            ),
            "term": AGENCY_TERM,
        },
        "debt": {
            "product": debt.product,
            "product_label": str(debt.get_product_display()),
            "is_credit_card": is_card,
            "is_loan": not is_card,
            "account_number": debt.account_number,
            "account_number_masked": debt.masked_account_number,
            "contract_number": debt.contract_number or ("" if is_card else missing("借款合同编号")),
            "contract_name": "信用卡领用合约" if is_card else "借款合同",
            "contract_date": _or_missing(debt.contract_date, "合同签订日期"),
            "branch": _or_missing(debt.branch, "办卡行" if is_card else "贷款经办机构"),
            "loan_amount": _or_missing(debt.loan_amount, "信用额度" if is_card else "借款金额"),
            "disbursed_on": _or_missing(debt.disbursed_on, "办卡时间" if is_card else "借款发放日期"),
            "matured_on": debt.matured_on or "",
            "term_ends_on": "" if is_card else _or_missing(debt.term_ends_on, "借款约定到期日"),
            "disbursed_amount": "" if is_card else _or_missing(debt.loan_amount, "实际发放金额"),
            # The repayments of the current statement of amounts (POST …/amounts/).
            **repaid,
            "is_matured": bool(debt.matured_on and debt.matured_on <= today),
            "repayment_method": debt.repayment_method,
            "repayment_method_label": repayment_labels.get(debt.repayment_method, ""),
            "amounts_as_of": debt.amounts_as_of,
            "overdue_since": debt.overdue_since,
            # Counted to the date the filings state the amounts at ("截至…已逾期…天"), not to today.
            "overdue_days": max((debt.amounts_as_of - debt.overdue_since).days, 0),
            "last_payment_date": debt.last_payment_date or "",
            "principal": debt.principal,
            "interest": debt.interest,
            "penalty_interest": debt.penalty_interest,
            "compound_interest": debt.compound_interest,
            "late_fees": debt.late_fees,
            "fees": debt.fees,
            "charges_total": charges_total,
            "interest_total": debt.interest + debt.penalty_interest + debt.compound_interest,
            "charges_from": debt.amounts_as_of + timedelta(days=1),
            "claim_total": claim_total,
            "annual_interest_rate": _or_missing(debt.annual_interest_rate, "合同利率"),
            "penalty_rate": _or_missing(debt.penalty_rate, "罚息利率"),
            "compound_rate": _or_missing(debt.compound_rate, "复利利率"),
            "day_count": debt.day_count,
            "exceeds_24_percent": exceeds_24_percent(debt),
        },
        "demands": [demand_entry(demand, debt=debt, exhibits=exhibits) for demand in demands],
        "evidence": [
            {
                "number": number,
                "title": item.title,
                "kind_label": str(item.get_kind_display()),
                "source": item.source or "原告提供",
                "purpose": item.purpose or proof_purposes.get(item.pk) or missing(f"{item.title}的证明目的"),
                "pages": item.page_count or "",
                "page_range": page_range,
                "document_date": item.document_date or "",
                "original": ORIGINALS.get(item.kind, "复印件"),
            }
            for number, item, page_range in zip(numbers, evidence, page_ranges(evidence))
        ],
        # Shown only when the list is empty (a marker that a render of the list would not print is no marker).
        "evidence_missing": "" if evidence else missing("证据（尚未上传）"),
        "forum": {
            "name": forum.name if forum else missing("管辖法院"),
            "kind": forum.kind if forum else "court",
            "is_court": forum.kind == "court" if forum else True,
            "address": (forum.address or missing("法院地址" if forum.kind == "court" else "仲裁机构地址"))
            if forum
            else missing("法院地址"),
        },
        "fees": {
            "acceptance": fees.acceptance if fees else ZERO,
            "acceptance_simplified": fees.acceptance_simplified if fees else ZERO,
            "preservation": fees.preservation if fees else ZERO,
            "enforcement": fees.enforcement if fees else ZERO,
        },
        "interest_to_date": {
            "from": debt.amounts_as_of,
            "to": today,
            "days": interest.days,
            "penalty_interest": interest.penalty_interest,
            "compound_interest": interest.compound_interest,
            "total": interest.total,
            "day_count": debt.day_count,
        },
        "instrument": instrument_context(claims),
        "assets": assets_context(matter),
        "assets_missing": "" if matter.assets.all() else missing("财产线索"),
        "preservation": {
            "amount": claim_total,
            "security": _or_missing(details.preservation_security, "保全担保方式"),
            **preservation_context(matter),
        },
        # What the 要素式 forms ask that a matter does not record: the lawyer completes it.
        "facts": {
            "terms_notice_given": True if details.terms_notice else None,
            "terms_notice": _or_missing(details.terms_notice, "合约主要条款提示说明的方式、时间及地点"),
            "termination_terms": _or_missing(details.termination_terms, "合约解除条件"),
            "collateral": False,
            "contract_place": _or_missing(details.contract_place, "合同签订地点"),
        },
        "transfer": {
            **transfer_context(matter),
            "claim": transfer_claim_context(matter, today=today, case=case),
            # The assignee's account the debtor is told to pay into (债权转让通知书).
            "collection_bank": _or_missing(details.collection_bank, "受让人收款账户开户行"),
            "collection_account": _or_missing(details.collection_account, "受让人收款账号"),
        },
        "settlement": settlement_context(matter),
        "cross_examination": cross_examination_context(matter, list(zip(numbers, evidence))),
        # A 律师函 is the firm's letter: without an assigned firm its name is to be supplied.
        "letter": {"deadline": today + timedelta(days=LETTER_DAYS), "firm": firm.name if firm else missing("律师事务所")},
        # The enforcement case from its proceeding and measures; the 执行通知书 is not recorded.
        "enforcement": {
            **case,
            "notice_served_on": _or_missing(details.notice_served_on, "执行通知书送达日期"),
            "notice_deadline": _or_missing(details.notice_deadline, "执行通知书履行期限"),
            "recovered_total": matter.recovered_total,
            "unpaid_total": claim_total,
            "unpaid_as_of": debt.amounts_as_of,
            # What the application claims on ``today``: the instrument's amounts less
            # recoveries, 迟延履行 interest to today, the costs the debtor bears.
            **enforcement_amounts_context(claims),
        },
        # The applicant's account for the enforcement money (执行款账户确认书).
        "payout": {
            "bank": _or_missing(details.payout_bank, "执行款收款账户开户行"),
            "account": _or_missing(details.payout_account, "执行款收款账号"),
            "contact": _or_missing(details.payout_contact, "执行款收款联系人"),
            "phone": _or_missing(details.payout_phone, "执行款收款联系电话"),
        },
        "freezes": freezes,
        "freezes_missing": "" if freezes else missing("查封、冻结财产明细"),
        "service": {
            "case_number": "",
            "address": _or_missing(creditor.address, "送达地址"),
            # Who receives for the applicant: as recorded, else the first assigned lawyer.
            "recipient": _or_missing(details.service_recipient or _first(lawyers, "name"), "收件人"),
            "phone": _or_missing(details.service_recipient_phone or _first(lawyers, "phone"), "收件人联系电话"),
            "postcode": "",
            "email": "",
            "fax": "",
            "im_account": "",
            "electronic_consent": None,
            "methods": [],
        },
    }


def with_filing_data(matters: QuerySet[Matter]) -> QuerySet[Matter]:
    """``matters`` with everything ``matter_context`` reads, in a fixed number of queries."""
    return matters.select_related(
        "debt__creditor", "debt__debtor", "debt__original_creditor", "forum", "assigned_firm"
    ).prefetch_related(
        Prefetch("debt__guarantees", queryset=Guarantee.objects.select_related("guarantor")),
        Prefetch("debt__demands", queryset=DemandRecord.objects.select_related("party")),
        Prefetch("debt__transfers", queryset=ClaimTransfer.objects.select_related("from_creditor", "to_creditor")),
        Prefetch("settlements", queryset=Settlement.objects.prefetch_related("instalments")),
        Prefetch(
            "evidence",
            queryset=EvidenceItem.objects.defer("text").select_related("cross_examination__proceeding__forum"),
        ),
        # enforcement_application_amounts; the current deadlines come from the caller's
        # ``with_current_deadlines()`` when it adds it, else one query per matter.
        "rulings",
        Prefetch("rulings__bound_parties", queryset=RulingParty.objects.select_related("party").order_by("id")),
        "costs",
        "recoveries",
        Prefetch("proceedings", queryset=Proceeding.objects.select_related("forum").order_by("created_at", "id")),
        Prefetch("assets", queryset=Asset.objects.select_related("owner").order_by("found_on", "id")),
        Prefetch(
            "enforcement_actions",
            queryset=EnforcementAction.objects.select_related("asset__owner").order_by("started_on", "id"),
        ),
        "filing_details",
        Prefetch(
            "assignments",
            queryset=Assignment.objects.filter(ended_at__isnull=True).prefetch_related("lawyers"),
            to_attr="current_assignments",
        ),
    )


def filing_details_of(matter: Matter) -> FilingDetails:
    """The matter's ``FilingDetails``, or an unsaved empty one (nothing recorded yet)."""
    try:
        return matter.filing_details
    except FilingDetails.DoesNotExist:
        return FilingDetails(matter=matter)


def current_lawyers(matter: Matter) -> list[AssignmentLawyer]:
    """The lawyers of the matter's current assignment (prefetched by ``with_filing_data`` when it ran)."""
    assignments = getattr(matter, "current_assignments", None)
    if assignments is None:
        return list(AssignmentLawyer.objects.filter(assignment__matter=matter, assignment__ended_at__isnull=True))
    return sorted((lawyer for a in assignments for lawyer in a.lawyers.all()), key=lambda x: (x.position, x.pk))


def _joined(lawyers: list[AssignmentLawyer], attribute: str) -> str:
    return "、".join(value for value in (getattr(lawyer, attribute) for lawyer in lawyers) if value)


def _first(lawyers: list[AssignmentLawyer], attribute: str) -> str:
    return getattr(lawyers[0], attribute) if lawyers else ""


def repayments_context(debt) -> dict:
    """The forms' 已还款 items from the current statement of amounts.

    ``repaid_principal`` and ``repaid_interest`` default to 0.00, which cannot tell "none
    repaid" from "not stated": the repayments count as recorded once a statement gives
    either a sum or the date interest is paid up to (a debtor who never paid interest
    has it paid up to the disbursement day). ``repaid_total`` (被告逾期部分已还金额) is
    principal plus interest repaid.
    """
    recorded = debt.interest_paid_to is not None or debt.repaid_principal > 0 or debt.repaid_interest > 0
    if not recorded:
        return {
            "repaid_total": missing("被告逾期部分已还金额"),
            "repaid_principal": missing("已还本金"),
            "repaid_interest": missing("已还利息"),
            "interest_paid_to": missing("还息截止日期"),
        }
    return {
        "repaid_total": debt.repaid_principal + debt.repaid_interest,
        "repaid_principal": debt.repaid_principal,
        "repaid_interest": debt.repaid_interest,
        "interest_paid_to": _or_missing(debt.interest_paid_to, "还息截止日期"),
    }


# The freeze table's words for each property type (periods.FREEZE_PERIODS) and period.
FREEZE_LABELS = {"deposit": "银行存款", "movable": "动产", "real_estate": "不动产", "property_right": "财产权利"}
PERIOD_LABELS = {1: "一年", 2: "二年", 3: "三年"}
ENFORCEMENT_KINDS = (
    Proceeding.Kind.ENFORCEMENT,
    Proceeding.Kind.RESUMED_ENFORCEMENT,
    Proceeding.Kind.NOTARIAL_ENFORCEMENT,
)


def _asset_text(asset: Asset) -> str:
    """The asset as a filing names it, with its full number (court filings carry it whole)."""
    number = f"（{asset.identifier}）" if asset.identifier else ""
    return f"{asset.description}{number}"


def assets_context(matter: Matter) -> list[dict]:
    """The debtor's known assets, for the applications that list property clues (财产线索)."""
    return [
        {"kind_label": asset.get_kind_display(), "description": f"{asset.owner.name}名下{_asset_text(asset)}"}
        for asset in matter.assets.all()
    ]


def freezes_context(matter: Matter) -> list[dict]:
    """The freezes and seizures in force, for the renewal application's table."""
    rows = []
    for action in matter.enforcement_actions.all():
        if action.status != EnforcementAction.Status.ACTIVE or action.kind not in LAPSING_KINDS:
            continue
        kind = LAPSING_KINDS[action.kind]
        asset = action.asset
        rows.append(
            {
                "kind": kind,
                "kind_label": FREEZE_LABELS[kind],
                "asset": f"被执行人{asset.owner.name}名下{_asset_text(asset)}" if asset else action.get_kind_display(),
                "court": action.court or missing("查封法院"),
                "case_number": action.case_number or missing("查封案号"),
                "started_on": action.started_on,
                "expires_on": action.expires_on,
                "amount": action.amount if action.amount is not None else "",
                "renewal_period_label": PERIOD_LABELS[FREEZE_PERIODS[kind][0]],
            }
        )
    return rows


def enforcement_case_context(matter: Matter) -> dict:
    """The enforcement case (court, number, filing day) and its 终本 ruling, from what was recorded."""
    proceeding = next((p for p in reversed(matter.proceedings.all()) if p.kind in ENFORCEMENT_KINDS), None)
    actions = [a for a in matter.enforcement_actions.all() if a.court or a.case_number]
    terminated = next(
        (
            a
            for a in reversed(matter.enforcement_actions.all())
            if a.kind == EnforcementAction.Kind.TERMINATION_CURRENT and a.status == EnforcementAction.Status.ACTIVE
        ),
        None,
    )
    court = (proceeding.forum.name if proceeding and proceeding.forum else "") or (actions[-1].court if actions else "")
    number = (proceeding.case_number if proceeding else "") or (actions[-1].case_number if actions else "")
    return {
        "court": court or missing("执行法院"),
        "case_number": number or missing("执行案号"),
        "filed_on": (proceeding.filed_on if proceeding else None) or missing("申请执行日期"),
        # "" while the case runs (the sample's contract); the 恢复执行 application needs them.
        "terminated_on": terminated.started_on if terminated else "",
        "termination_ruling_number": (terminated.case_number or missing("终本裁定案号")) if terminated else "",
    }


def preservation_context(matter: Matter) -> dict:
    """Whether preservation came before suit (民诉法 Art. 104) and the case number it is asked in."""
    proceedings = list(matter.proceedings.all())
    before_suit = any(p.kind == Proceeding.Kind.PRE_SUIT_PRESERVATION for p in proceedings)
    suit = next((p for p in reversed(proceedings) if p.kind in LIMITATION_INTERRUPTING_KINDS and p.case_number), None)
    return {"before_suit": before_suit, "case_number": suit.case_number if suit else missing("受理案号")}


def exceeds_24_percent(debt) -> bool:
    """Whether the claim's charges run above 24% a year (法发〔2017〕22号 Art. 2): warn, never cut.

    True when the penalty rate alone exceeds it, or when everything besides principal,
    spread over the time since the debt fell overdue, does.
    """
    if debt.penalty_rate is not None and debt.penalty_rate > CAP:
        return True
    days = (debt.amounts_as_of - debt.overdue_since).days
    if days <= 0 or debt.principal <= 0:
        return False
    rate = annual_charge_rate(
        principal=debt.principal, charges=debt.non_principal_total, days=days, day_count=debt.day_count
    )
    return rate > CAP


def page_ranges(evidence: list) -> list[str]:
    """Exhibit page ranges counted continuously from the first exhibit ("1-6", "7-18"); "" once a count is unknown."""
    ranges, next_page = [], 1
    for item in evidence:
        if next_page is None or not item.page_count:
            ranges.append("")
            next_page = None
            continue
        last = next_page + item.page_count - 1
        ranges.append(f"{next_page}-{last}" if last > next_page else str(next_page))
        next_page = last + 1
    return ranges


INSTRUMENT_LABELS = {
    "judgment": "民事判决书",
    "ruling": "民事裁定书",
    "mediation": "民事调解书",
    "arbitral_award": "仲裁裁决书",
    "payment_order": "支付令",
}


def _money_or_missing(value, label: str):
    return value if value is not None else missing(label)


def enforcement_amounts_context(amounts: dict) -> dict:
    """The enforcement application's amounts (``enforcement.*``), markers where a figure is missing."""
    return {
        "principal": _money_or_missing(amounts["principal"], "判决本金"),
        "interest": _money_or_missing(amounts["interest"], "判决利息"),
        "costs": _money_or_missing(amounts["costs"], "诉讼费用"),
        "delay_interest": _money_or_missing(amounts["delay_interest"], "迟延履行期间的债务利息"),
        "delay_interest_from": _or_missing(amounts["delay_interest_from"], "迟延履行起算日"),
        "delay_interest_days": _money_or_missing(amounts["delay_interest_days"], "迟延履行天数"),
        "total": _money_or_missing(amounts["total"], "申请执行金额合计"),
    }


def instrument_context(amounts: dict) -> dict:
    """The effective instrument (the confirmed ruling) as ``enforcement_application_amounts`` read it."""
    ruling = amounts["ruling"] or {}
    principal = amounts["judged"]["principal"]
    interest = amounts["judged"]["interest"]
    # What the instrument itself orders the debtor to bear, not the costs recorded since.
    costs = ruling.get("acceptance_fee_charged")
    parts = (principal, interest, costs)
    return {
        "court": _or_missing(ruling.get("court"), "作出生效文书的法院"),
        "kind_label": _or_missing(INSTRUMENT_LABELS.get(ruling.get("kind", "")), "生效文书种类"),
        "case_number": _or_missing(ruling.get("case_number"), "生效文书案号"),
        "decided_on": _or_missing(ruling.get("decided_on"), "文书作出日期"),
        "effective_on": _or_missing(amounts["effective_on"], "生效日期"),
        "performance_ends_on": _or_missing(amounts["performance_ends_on"], "履行期限届满日"),
        "principal_awarded": _money_or_missing(principal, "判决本金"),
        "interest_awarded": _money_or_missing(interest, "判决利息"),
        "costs_awarded": _money_or_missing(costs, "判决诉讼费"),
        "total_awarded": sum(parts) if None not in parts else missing("判决总额"),
        "delay_interest_from": _or_missing(amounts["delay_interest_from"], "迟延履行起算日"),
        "delay_interest": _money_or_missing(amounts["delay_interest"], "迟延履行期间的债务利息"),
    }


def bound_context(matter: Matter) -> dict:
    """``bound`` and ``bound_missing``: the parties the confirmed instrument binds (被执行人), or why none."""
    rows, reason = enforcement_bound(matter)
    return {
        "bound": [
            {
                **party_context(row.party, role="被执行人"),
                "role": row.role,
                "liability": row.liability,
                "liability_label": LIABILITY_LABELS[row.liability],
                "limit": str(row.limit) if row.limit is not None else "",
            }
            for row in rows
        ],
        "bound_missing": missing(reason) if reason else "",
    }


def transfer_claim_context(matter: Matter, *, today: date, case: dict) -> dict:
    """The claim as it stood on the day it was assigned (``transfer.claim``), for the 债权转让通知书.

    After a confirmed instrument: its amounts on that day (``enforcement_application_amounts``:
    the awards less recoveries received after the ruling, the costs, 迟延履行 interest to that
    day), the instrument and its number, and a 终本 ruling if one was recorded. Before
    one: the debt as of ``amounts_as_of`` and what was recovered since, by that day.
    ``as_of`` is the assignment's effective day, or ``today`` when none is recorded.
    ``case`` is the matter's ``enforcement_case_context``.
    """
    steps = sorted(matter.debt.transfers.all(), key=lambda step: (step.effective_on, step.pk))
    as_of = steps[-1].effective_on if steps else today
    amounts = enforcement_application_amounts(matter, on=as_of)
    ruling = amounts["ruling"]
    terminated = case["terminated_on"] if isinstance(case["terminated_on"], date) and case["terminated_on"] <= as_of else ""
    debt = matter.debt
    if ruling is None:
        recovered = sum(
            (r.amount for r in matter.recoveries.all() if debt.amounts_as_of < r.received_on <= as_of), ZERO
        )
        return {
            "judged": False,
            "as_of": as_of,
            "instrument": "",
            "principal": debt.principal,
            "interest": debt.interest + debt.penalty_interest + debt.compound_interest,
            "costs": ZERO,
            "delay_interest": ZERO,
            "recovered": recovered,
            "total": max(debt.claim_total - recovered, ZERO),
            "terminated_on": "",
            "termination_ruling_number": "",
        }
    label = INSTRUMENT_LABELS.get(ruling["kind"], "")
    instrument = f"{ruling['court']}{ruling['case_number']}{label}" if ruling["case_number"] else ""
    return {
        "judged": True,
        "as_of": as_of,
        "instrument": instrument or missing("生效法律文书及案号"),
        "principal": _money_or_missing(amounts["principal"], "判决本金"),
        "interest": _money_or_missing(amounts["interest"], "判决利息"),
        "costs": _money_or_missing(amounts["costs"], "诉讼费用"),
        "delay_interest": _money_or_missing(amounts["delay_interest"], "迟延履行期间的债务利息"),
        "recovered": sum(amounts["recovered"].values(), ZERO),
        "total": _money_or_missing(amounts["total"], "转让日债权金额合计"),
        "terminated_on": terminated,
        "termination_ruling_number": case["termination_ruling_number"] if terminated else "",
    }
