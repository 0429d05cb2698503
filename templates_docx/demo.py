"""A fully recorded matter: every fact every shipped template reads, so that none prints a 【待补充】.

``record_everything`` completes an opened matter (creditor, parties, guarantees, debt
terms and repayments, forum, firm and lawyers, filing details, evidence, assets,
proceedings, measures, the confirmed judgment and its deadlines, a settlement). The
zero-marker test (tests/templates_docx/test_zero_markers.py) runs it for every
template; the demo (``manage.py seed_complete_demo``, which ``make run`` runs after seed_demo) adds
such matters so a user can generate every filing and see none.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pikepdf
from django.db import transaction
from django.utils import timezone

from evidence.services import cross_examination_record, evidence_upload
from legalcase.identity import build_resident_id, build_uscc
from legalcase.models import (
    Asset,
    Assignment,
    AssignmentLawyer,
    ClaimTransfer,
    Creditor,
    Deadline,
    DeadlineKind,
    EnforcementAction,
    Forum,
    Guarantee,
    LawFirm,
    Matter,
    Party,
    Proceeding,
    Ruling,
    RulingParty,
    Settlement,
    User,
)
from templates_docx.models import FilingDetails

D = dt.date
M = Decimal


def _pdf(pages: int = 2) -> io.BytesIO:
    out = io.BytesIO()
    with pikepdf.new() as pdf:
        for _ in range(pages):
            pdf.add_blank_page(page_size=(595, 842))
        pdf.save(out)
    out.seek(0)
    out.name = "evidence.pdf"
    return out


@transaction.atomic
def record_everything(*, matter: Matter, user: User, firm: LawFirm, forum: Forum, seq: int = 1) -> Matter:
    """Complete ``matter`` with every fact the shipped templates read; returns it reloaded.

    ``user`` (counsel or admin) uploads the evidence; ``firm`` is assigned with two
    lawyers; ``forum`` hears the claim and gets an address if it has none. ``seq``
    varies the identity numbers so several such matters can coexist.
    """
    debt = matter.debt
    is_card = debt.product == "credit_card"
    creditor = debt.creditor
    creditor.address = creditor.address or "上海市浦东新区陆家嘴环路1000号"
    creditor.representative = creditor.representative or "王建国"
    creditor.representative_title = "负责人" if creditor.name.endswith(("中心", "分行", "支行")) else "法定代表人"
    creditor.service_phone = creditor.service_phone or "95555"
    creditor.save()

    debtor = debt.debtor
    if debtor.kind == Party.Kind.PERSON:
        debtor.birth_date = debtor.birth_date or D(1985, 3, 7)
        debtor.gender = debtor.gender or "male"
        debtor.ethnicity = "汉族"
        debtor.workplace = "上海某某贸易有限公司"
        debtor.position = "销售经理"
        debtor.habitual_residence = "上海市闵行区七莘路100弄5号301室"
    else:
        debtor.representative = debtor.representative or "赵某"
        debtor.representative_title = debtor.representative_title or "法定代表人"
    debtor.address = debtor.address or "上海市徐汇区漕溪北路200号"
    debtor.service_address = "上海市闵行区七莘路100弄5号301室"
    debtor.save()

    # A person and a company stand surety, so both kinds of guarantor are printed.
    person = Party.objects.create(
        kind=Party.Kind.PERSON,
        name="李保国",
        id_number=build_resident_id(area_code="310104", birth_date=D(1980, 6, 1), sequence=200 + 2 * (seq % 300) + 1),
        gender="male",
        birth_date=D(1980, 6, 1),
        ethnicity="汉族",
        phone="13900001111",
        address="上海市徐汇区天钥桥路30号",
        workplace="上海某某物流有限公司",
        position="职员",
        habitual_residence="上海市徐汇区天钥桥路30号",
        service_address="上海市徐汇区天钥桥路30号",
    )
    company = Party.objects.create(
        kind=Party.Kind.ORGANISATION,
        name=("上海恒信融资担保有限公司", "上海汇诚融资担保有限公司", "上海中联融资担保有限公司")[seq % 3],
        uscc=build_uscc(f"91310000MA{700000 + seq:07d}"),
        address="上海市黄浦区中山东一路18号",
        representative="钱某",
        representative_title="法定代表人",
        service_address="上海市黄浦区中山东一路18号",
    )
    for guarantor in (person, company):
        Guarantee.objects.create(
            debt=debt,
            guarantor=guarantor,
            guarantee_type=Guarantee.Type.JOINT,
            guarantee_signed_on=D(2021, 3, 15),
            guarantee_agreed_period="主债务履行期限届满之日起三年",
            guarantee_period_ends_on=D(2027, 11, 4),
        )

    debt.contract_number = debt.contract_number or f"{'XYK' if is_card else 'JK'}-2021-{seq:06d}"
    debt.contract_date = D(2021, 3, 15)
    debt.branch = "上海分行营业部"
    debt.loan_amount = M("50000.00")
    debt.disbursed_on = D(2021, 3, 20)
    if not is_card:
        debt.term_ends_on = D(2024, 3, 20)
        debt.repayment_method = "equal_installment"
    debt.annual_interest_rate = debt.annual_interest_rate or M("0.1825")
    debt.penalty_rate = debt.penalty_rate or M("0.27375")
    debt.compound_rate = debt.compound_rate or M("0.27375")
    debt.repaid_principal = M("1769.45")
    debt.repaid_interest = M("880.00")
    debt.interest_paid_to = D(2024, 10, 5)
    debt.save()

    if not forum.address:
        forum.address = "上海市浦东新区丁香路611号"
        forum.save(update_fields=["address"])
    firm.address = firm.address or "上海市静安区南京西路1266号恒隆广场30楼"
    firm.phone = firm.phone or "021-62881234"
    firm.save(update_fields=["address", "phone"])
    assignment = Assignment.objects.filter(matter=matter, ended_at__isnull=True).first()
    if assignment is None or assignment.firm_id != firm.pk:
        Assignment.objects.filter(matter=matter, ended_at__isnull=True).update(ended_at=timezone.now())
        assignment = Assignment.objects.create(matter=matter, firm=firm)
    AssignmentLawyer.objects.filter(assignment=assignment).delete()
    AssignmentLawyer.objects.create(
        assignment=assignment, name="周律", licence_number="13101201810123456", phone="13800138001", position=1
    )
    AssignmentLawyer.objects.create(
        assignment=assignment, name="吴法", licence_number="13101201910654321", phone="13800138002", position=2
    )
    Matter.objects.filter(pk=matter.pk).update(forum=forum, assigned_firm=firm)

    FilingDetails.objects.update_or_create(
        matter=matter,
        defaults={
            "contract_place": "上海市浦东新区",
            "terms_notice": "2021年3月15日于申请人上海分行营业部柜台，以加粗字体和经办人员口头说明的方式提示",
            "termination_terms": "借款人连续三期或累计六期未按约还款的，贷款人有权宣布贷款提前到期并解除合同",
            "preservation_security": "由某某财产保险股份有限公司出具诉讼财产保全责任保险保函提供担保",
            "notice_served_on": D(2026, 2, 10),
            "notice_deadline": D(2026, 2, 20),
            "service_recipient": "周律",
            "service_recipient_phone": "13800138001",
            "collection_bank": "中国工商银行上海市分行营业部",
            "collection_account": f"10012345090000{seq:05d}",
            "payout_bank": "某某银行股份有限公司上海分行营业部",
            "payout_account": f"31001234560000{seq:05d}",
            "payout_contact": "周律",
            "payout_phone": "13800138001",
        },
    )

    contract = "信用卡领用合约" if is_card else "借款合同"
    items = []
    for kind, title, purpose in (
        ("contract", contract, f"证明原、被告之间存在{contract}关系及双方的权利义务"),
        ("statement", "对账单及欠款明细", "证明被告逾期未还款及欠款金额"),
        ("identity", "被告身份证明", "证明被告的诉讼主体资格"),
    ):
        items.append(evidence_upload(
            user=user, matter_id=matter.pk, uploaded_file=_pdf(), kind=kind, title=title, purpose=purpose,
            source="原告提供", document_date=D(2021, 3, 15), filename=f"{title}.pdf",
        ))  # fmt: skip

    account = Asset.objects.create(
        matter=matter, owner=debtor, kind=Asset.Kind.BANK_ACCOUNT, description="招商银行上海分行储蓄账户",
        identifier=f"62148301{seq:08d}", source=Asset.Source.COURT_SEARCH, found_on=D(2026, 1, 12),
    )  # fmt: skip
    court = forum.name
    first_instance = Proceeding.objects.create(
        matter=matter, kind=Proceeding.Kind.FIRST_INSTANCE, forum=forum,
        case_number=f"（2025）沪0115民初{4800 + seq}号", filed_on=D(2025, 9, 1), accepted_on=D(2025, 9, 8),
    )  # fmt: skip
    # At the hearing the debtor disputed the contract and the statement (质证意见).
    for item, opinions in zip(items, _cross_examination_opinions(contract), strict=True):
        cross_examination_record(
            user=user, evidence_id=item.pk,
            changes={"proceeding": first_instance.pk, "examined_on": D(2025, 10, 20), **opinions},
        )  # fmt: skip
    ruling = Ruling.objects.create(
        matter=matter, kind=Ruling.Kind.JUDGMENT, case_number=f"（2025）沪0115民初{4800 + seq}号", court=court,
        decided_on=D(2025, 11, 20), served_on=D(2025, 11, 25), principal_awarded=debt.principal,
        interest_awarded=debt.interest, acceptance_fee_charged=M("545.00"), appealable=True,
        performance_days=10, confirmed=True, confirmed_at=timezone.now(),
    )  # fmt: skip
    # The judgment orders the debtor to pay and each guarantor to answer jointly.
    RulingParty.objects.create(
        ruling=ruling, party=debt.debtor, role=RulingParty.Role.DEBTOR, liability=RulingParty.Liability.PRINCIPAL
    )
    for guarantee in debt.guarantees.select_related("guarantor"):
        RulingParty.objects.create(
            ruling=ruling, party=guarantee.guarantor, role=RulingParty.Role.GUARANTOR,
            liability=RulingParty.Liability.JOINT,
        )  # fmt: skip
    Deadline.objects.create(matter=matter, kind=DeadlineKind.JUDGMENT_EFFECTIVE, due_on=D(2025, 12, 11), rule="demo@2026")
    Deadline.objects.create(matter=matter, kind=DeadlineKind.PERFORMANCE_END, due_on=D(2025, 12, 21), rule="demo@2026")
    Proceeding.objects.create(
        matter=matter, kind=Proceeding.Kind.ENFORCEMENT, forum=forum,
        case_number=f"（2026）沪0115执{1200 + seq}号", filed_on=D(2026, 1, 5), accepted_on=D(2026, 1, 8),
    )  # fmt: skip
    EnforcementAction.objects.create(
        matter=matter, kind=EnforcementAction.Kind.FREEZE_DEPOSIT, court=court,
        case_number=f"（2026）沪0115执{1200 + seq}号", started_on=D(2026, 1, 20), expires_on=D(2027, 1, 19),
        amount=debt.claim_total, asset=account,
    )  # fmt: skip
    EnforcementAction.objects.create(
        matter=matter, kind=EnforcementAction.Kind.TERMINATION_CURRENT, court=court,
        case_number=f"（2026）沪0115执{1200 + seq}号之一", started_on=D(2026, 6, 30),
    )  # fmt: skip

    outstanding = debt.claim_total
    settlement = Settlement.objects.create(
        matter=matter, agreed_on=D(2026, 7, 15), outstanding_at_agreement=outstanding, reduction=M("2000.00"),
        settlement_amount=outstanding - M("2000.00"), created_by=user,
    )  # fmt: skip
    half = ((outstanding - M("2000.00")) / 2).quantize(M("0.01"))
    settlement.instalments.create(sequence=1, due_on=D(2026, 8, 15), amount=half)
    settlement.instalments.create(sequence=2, due_on=D(2026, 9, 15), amount=outstanding - M("2000.00") - half)

    # The claim came to the creditor by assignment after the judgment (债权转让通知书,
    # 变更申请执行人申请书 read the step); the debtor was told by post.
    original, _created = Creditor.objects.get_or_create(
        uscc=build_uscc("91310000MA1FL0900"),
        defaults={"name": "华信银行股份有限公司上海分行", "address": "上海市黄浦区中山东一路8号", "representative": "赵立新"},
    )
    ClaimTransfer.objects.create(
        debt=debt, from_creditor=original, to_creditor=debt.creditor, effective_on=D(2026, 2, 1),
        agreement=f"《债权转让协议》（编号ZR-2026-{seq:04d}）", notified_on=D(2026, 2, 10),
        notice=f"EMS邮寄送达（运单号EMS10{seq:08d}CN）",
    )  # fmt: skip
    debt.original_creditor = original
    debt.save(update_fields=["original_creditor"])
    return Matter.objects.get(pk=matter.pk)


def _cross_examination_opinions(contract: str) -> list[dict]:
    """What the debtor said of each demo exhibit at the hearing, and the creditor's reply."""
    admitted = {"admitted": True, "opinion": ""}
    return [
        {
            "authenticity": {"admitted": False, "opinion": f"{contract}系格式条款，被告签字时未见全部条款"},
            "legality": admitted,
            "relevance": admitted,
            "purpose": {"admitted": False, "opinion": "原告未就利息、罚息条款履行提示说明义务"},
            "reply": f"{contract}经被告本人签字确认，重要条款均以加粗字体提示，被告长期按约履行，应认定合同成立并有效",
        },
        {
            "authenticity": {"admitted": False, "opinion": "对账单系原告单方制作，被告不予认可"},
            "legality": admitted,
            "relevance": admitted,
            "purpose": {"admitted": False, "opinion": "欠款金额计算有误"},
            "reply": "对账单由原告业务系统自动生成，与交易流水一致，被告未提交相反证据，欠款金额应予认定",
        },
        {
            "authenticity": admitted,
            "legality": admitted,
            "relevance": admitted,
            "purpose": admitted,
            "reply": "被告对该证据无异议，请法庭予以确认",
        },
    ]


# The seeded demo's fully recorded matters (one credit card, one loan), by their account numbers.
DEMO_ACCOUNTS = {"credit_card": "6225880099990001", "loan": "LN-DEMO-COMPLETE-0001"}
DEMO_COURT = "上海市浦东新区人民法院"


def seed_complete_demo_command(say=None) -> dict:
    """``manage.py seed_complete_demo``: the two matters, after ``seed_demo``; adds nothing when present."""
    from legalcase.models import Debt, LawFirm

    if Debt.objects.filter(account_number__in=DEMO_ACCOUNTS.values()).exists():
        return {}
    users = {user.username: user for user in User.objects.filter(username__in=["counsel1", "lawyer1"])}
    if "counsel1" not in users:
        raise RuntimeError("run seed_demo first: the matters are counsel1's")
    with transaction.atomic():
        counts = seed_complete_demo(users=users, firms=list(LawFirm.objects.order_by("pk")), say=say)
    if counts.get("complete_matters"):
        from legalcase.services.scoring import score_all

        # The two matters get their recovery likelihood like the others (the active model or the rules).
        counts["scored"] = score_all()["scored"]
    return counts


def seed_complete_demo(*, users: dict, firms: list, say=None) -> dict:
    """Two matters every shipped template fills without a marker (``make run`` adds them after seed_demo).

    Held by counsel1, assigned to lawyer1's firm (so lawyer1 sees them too), in
    enforcement with the whole history recorded (judgment, enforcement case, freeze,
    终本, settlement). 
    """
    from legalcase.models import Creditor, Debt, Stage
    from legalcase.services import matter_open

    counsel = users["counsel1"]
    lawyer = users.get("lawyer1")
    firm = lawyer.firm if lawyer is not None and lawyer.firm_id else firms[0]
    forum = Forum.objects.filter(name=DEMO_COURT).first() or Forum.objects.filter(kind="court", active=True).first()
    if forum is None:
        return {}
    if say:
        say("演示数据：要素齐全的案件（生成任何文书均无【待补充】）…")
    creditor = Creditor.objects.order_by("pk").first()
    made = 0
    for seq, (product, account) in enumerate(DEMO_ACCOUNTS.items(), start=1):
        debtor = Party.objects.create(
            kind=Party.Kind.PERSON,
            name="陈明远" if product == "credit_card" else "林晓燕",
            id_number=build_resident_id(area_code="310115", birth_date=D(1986, 4, 12), sequence=900 + 2 * seq + (seq % 2)),
            gender="male" if seq % 2 else "female",
            birth_date=D(1986, 4, 12),
            phone=f"1391234{seq:04d}",
            address="上海市浦东新区张杨路500号",
        )
        debt = Debt.objects.create(
            creditor=creditor,
            debtor=debtor,
            product=product,
            account_number=account,
            contract_number=f"{'XYK' if product == 'credit_card' else 'JK'}-2021-DEMO{seq:02d}",
            amounts_as_of=D(2025, 6, 30),
            principal=M("48230.55"),
            interest=M("3120.40"),
            penalty_interest=M("812.00"),
            compound_interest=M("95.10"),
            late_fees=M("300.00") if product == "credit_card" else M("0.00"),
            fees=M("0.00"),
            overdue_since=D(2024, 11, 5),
            last_payment_date=D(2024, 10, 5),
        )
        matter = matter_open(debt=debt, actor=counsel, owner=counsel)
        Matter.objects.filter(pk=matter.pk).update(stage=Stage.ENFORCEMENT)
        record_everything(matter=matter, user=counsel, firm=firm, forum=forum, seq=900 + seq)
        made += 1
    return {"complete_matters": made}
