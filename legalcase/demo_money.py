"""The demo's money side: fee arrangements and invoices, portfolios and a transfer, settlements.

Called by ``demo.seed_demo`` once the matters exist, with the same services users call,
so every fee, invoice, transfer and settlement has its timeline entries. Dates count back
from today, so the figures (late and missed instalments, invoices awaiting approval)
look the same whenever the demo is seeded.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from django.db.models import Min
from django.utils import timezone

from legalcase.identity import build_uscc
from legalcase.money import FEN
from legalcase.models import (
    Assignment,
    Creditor,
    FeeInvoice,
    LawFirm,
    Matter,
    Proceeding,
    Stage,
    User,
)
from legalcase.services.fees import (
    assignments_fees,
    fee_arrangement_set,
    invoice_decide,
    invoice_pay,
    invoice_submit,
)
from legalcase.services.matters import matter_transition
from legalcase.services.recoveries import recovery_body_digest, recovery_record
from legalcase.services.settlements import settlement_record, settlements_refresh_due
from legalcase.services.transfers import (
    portfolio_add_matters,
    portfolio_create,
    portfolio_transfer,
)

# What each demo firm is paid (index into demo.FIRMS): staged, fixed plus a share, a capped share.
FEE_TERMS = (
    {
        "fixed_fee": Decimal("0.00"),
        "stage_fees": {
            "litigation": "1500.00",
            "arbitration": "1500.00",
            "judgment": "800.00",
            "enforcement": "1200.00",
        },
        "contingency_rate": Decimal("0"),
        "cap": None,
        "note": "按阶段计费：立案1500元，取得生效裁判800元，申请执行1200元",
    },
    {
        "fixed_fee": Decimal("2000.00"),
        "stage_fees": {},
        "contingency_rate": Decimal("0.05"),
        "cap": None,
        "note": "基础费用2000元，另按实际回款的5%计收风险代理费",
    },
    {
        "fixed_fee": Decimal("0.00"),
        "stage_fees": {},
        "contingency_rate": Decimal("0.10"),
        "cap": Decimal("20000.00"),
        "note": "全风险代理：按实际回款的10%计收，单案上限2万元",
    },
)
AMC = {
    "name": "华东明远资产管理有限公司",
    "uscc": build_uscc("91310000MA1AMC026"),
    "address": "上海市黄浦区中山东一路18号",
    "representative": "林德明",
}
PORTFOLIO_SOLD = "华信信用卡2025年第一批不良资产包"
PORTFOLIO_KEPT = "华信朝阳支行2025年个人经营贷资产包"


def add_money_side(*, matter_ids: list[int], firms: list[LawFirm], users: dict[str, User]) -> dict[str, int]:
    """Fee terms on every assignment, invoices, two portfolios (one sold to an AMC) and settlements."""
    today = timezone.localdate()
    counsel, manager = users["counsel1"], users["manager1"]
    lawyers = {user.firm_id: user for user in users.values() if user.role == "lawyer"}
    _backdate_assignments(matter_ids, today)
    counts = {"fee_arrangements": _fee_arrangements(matter_ids, firms, counsel)}
    counts["invoices"] = _invoices(matter_ids, lawyers, counsel, today)
    counts["portfolio_matters"] = _portfolios(matter_ids, manager, today)
    counts["settlements"] = _settlements(matter_ids, counsel, manager, today)
    return counts


def _backdate_assignments(matter_ids: list[int], today: dt.date) -> None:
    """Put the assignments where a real file has them: the firm instructed some weeks before its first filing.

    The services stamp an assignment with the time it is made, which is the seeding
    time, while the demo's court steps and recoveries lie in the past; the firms'
    scorecards and fees count what happened during an assignment, so the demo dates
    them back. An earlier firm held the matter for the 90 days before.
    """
    first_filed = dict(
        Proceeding.objects.filter(matter_id__in=matter_ids, filed_on__isnull=False)
        .values("matter_id")
        .annotate(first=Min("filed_on"))
        .values_list("matter_id", "first")
    )
    by_matter: dict[int, list[Assignment]] = {}
    for assignment in Assignment.objects.filter(matter_id__in=matter_ids).order_by("started_at", "pk"):
        by_matter.setdefault(assignment.matter_id, []).append(assignment)
    moved = []
    for matter_id, assignments in by_matter.items():
        # One to eight weeks before the first filing, varied so the scorecards' medians differ.
        anchor = first_filed.get(matter_id, today - dt.timedelta(days=45)) - dt.timedelta(days=7 + matter_id * 37 % 50)
        start = dt.datetime.combine(anchor, dt.time(10), tzinfo=timezone.get_current_timezone())
        for index, assignment in enumerate(reversed(assignments)):
            if assignment.ended_at is not None and index == 0:
                assignment.ended_at = max(start + dt.timedelta(days=30), timezone.now() - dt.timedelta(days=10))
            elif assignment.ended_at is not None:
                assignment.ended_at = start
                start -= dt.timedelta(days=90)
            assignment.started_at = start
            moved.append(assignment)
    Assignment.objects.bulk_update(moved, ["started_at", "ended_at"])


def _fee_arrangements(matter_ids: list[int], firms: list[LawFirm], counsel: User) -> int:
    terms = {firm.pk: FEE_TERMS[index] for index, firm in enumerate(firms)}
    assignments = Assignment.objects.filter(matter_id__in=matter_ids).order_by("pk")
    for assignment in assignments:
        fee_arrangement_set(user=counsel, assignment_id=assignment.pk, **terms[assignment.firm_id])
    return assignments.count()


def _invoices(matter_ids: list[int], lawyers: dict[int, User], counsel: User, today: dt.date) -> int:
    """Every fourth assignment that earned something is invoiced; some approved, paid or rejected."""
    assignments = Assignment.objects.filter(matter_id__in=matter_ids, firm_id__in=lawyers).select_related("firm")
    owed = [fees for fees in assignments_fees(assignments.order_by("pk"), today=today) if fees.invoiceable > 0]
    serial = 0
    for index, fees in enumerate(owed[::4]):
        assignment = fees.assignment
        serial += 1
        invoice = invoice_submit(
            user=lawyers[assignment.firm_id],
            assignment_id=assignment.pk,
            number=f"{assignment.firm.pk:02d}-{today.year}-{serial:04d}",
            amount=fees.invoiceable,
            issued_on=today - dt.timedelta(days=5 + index % 40),
            description="律师代理费",
        )
        if index % 5 == 4:
            invoice_decide(
                user=counsel, invoice_id=invoice.pk, approve=False, reason="发票抬头与委托合同不符，请重新开具"
            )
        elif index % 5 in (1, 2, 3):
            invoice_decide(user=counsel, invoice_id=invoice.pk, approve=True)
            if index % 5 == 1:
                paid = invoice.amount if index % 2 else (invoice.amount / 2).quantize(FEN, ROUND_DOWN)
                invoice_pay(user=counsel, invoice_id=invoice.pk, amount=paid, paid_on=today)
    return FeeInvoice.objects.filter(assignment__matter_id__in=matter_ids).count()


def _portfolios(matter_ids: list[int], manager: User, today: dt.date) -> int:
    """The card centre's early-stage accounts sold to an AMC with a newspaper announcement; a loan package kept."""
    card = Creditor.objects.get(uscc=build_uscc("91310000MA1FH2026"))
    branch = Creditor.objects.get(uscc=build_uscc("91110105MA01HX026"))
    early = (Stage.INTAKE, Stage.PRE_LITIGATION, Stage.ENFORCEMENT_TERMINATED)
    sold = list(
        Matter.objects.filter(pk__in=matter_ids, debt__creditor=card, stage__in=early)
        .order_by("pk")
        .values_list("pk", flat=True)[:40]
    )
    kept = list(
        Matter.objects.filter(pk__in=matter_ids, debt__creditor=branch).order_by("pk").values_list("pk", flat=True)[:30]
    )
    package = portfolio_create(
        user=manager, name=PORTFOLIO_SOLD, holder_id=card.pk, description="2025年6月末逾期信用卡账户"
    )
    portfolio_add_matters(user=manager, portfolio_id=package.pk, matter_ids=sold)
    portfolio_transfer(
        user=manager,
        portfolio_id=package.pk,
        to_creditor=AMC,
        effective_on=today - dt.timedelta(days=150),
        agreement="《不良资产转让协议》（编号：HX-MY-2026-01）",
        newspaper="上海法治报",
        announced_on=today - dt.timedelta(days=140),
    )
    loans = portfolio_create(user=manager, name=PORTFOLIO_KEPT, holder_id=branch.pk, description="个人经营性贷款")
    portfolio_add_matters(user=manager, portfolio_id=loans.pk, matter_ids=kept)
    return len(sold) + len(kept)


def _settlements(matter_ids: list[int], counsel: User, manager: User, today: dt.date) -> int:
    """Three settlements each of: being performed with one instalment late, breached (missed), performed in full."""
    # Money received after the agreement would count toward its instalments: matters
    # with none in the last 200 days (the earliest agreement) only.
    matters = Matter.objects.filter(pk__in=matter_ids, stage=Stage.ENFORCEMENT, assigned_firm__isnull=False)
    recent = matters.filter(recoveries__received_on__gte=today - dt.timedelta(days=200))
    candidates = list(matters.exclude(pk__in=recent.values("pk")).order_by("pk")[:9])
    for index, matter in enumerate(candidates):
        story = index % 3
        agreed_on = today - dt.timedelta(days=(100, 150, 200)[story])
        count = (6, 4, 3)[story]
        settlement = settlement_record(
            user=manager,
            matter_id=matter.pk,
            agreed_on=agreed_on,
            reduction=(matter.outstanding["total"] * Decimal("0.15")).quantize(Decimal("1"), ROUND_DOWN),
            count=count,
            first_due_on=agreed_on + dt.timedelta(days=30),
            monthly_income=Decimal(6000 + 1500 * index),
            assets_assessed="名下无房产；车辆一辆已抵押",
            hardship=("经营失败，现打工维持生活", "家庭成员患病，医疗支出较大", "已重新就业，收入稳定")[story],
            note="执行和解",
        )
        instalments = list(settlement.instalments.order_by("sequence"))
        paid = {0: 2, 1: 1, 2: 3}[story]  # performing (third late), breached (second missed), completed
        for instalment in instalments[:paid]:
            on = min(instalment.due_on + dt.timedelta(days=story), today)
            reference = f"和解第{instalment.sequence}期"
            recovery_record(
                user=manager,
                matter_id=matter.pk,
                idempotency_key=f"demo-{matter.number}-settlement-{instalment.sequence}",
                amount=instalment.amount,
                received_on=on,
                source="settlement",
                reference=reference,
                body_digest=recovery_body_digest(
                    amount=instalment.amount, received_on=on, source="settlement", reference=reference
                ),
            )
        matter_transition(user=counsel, matter_id=matter.pk, to=Stage.SETTLED, note="双方达成执行和解")
    settlements_refresh_due(today)
    return len(candidates)
