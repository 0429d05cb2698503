"""The matters the README's five-minute tour opens, picked by rule from what the demo holds.

The same seed draws the same demo, so on a fresh database the rules pick the same matters
every time (``seed_demo`` prints them, and the README names them); picked from the data
rather than hard-coded, a tour line cannot point at a matter that shows something else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from legalcase.demo.people import CREDITORS
from legalcase.demo_money import PORTFOLIO_SOLD
from legalcase.models import Matter, Settlement, Stage


@dataclass(frozen=True)
class TourStop:
    matter_id: int
    number: str
    shows: str  # what the matter shows, in Chinese


def demo_tour() -> list[TourStop]:
    """The tour's matters: a full court-and-enforcement record, a breached settlement, a sold debt."""
    demo = Matter.objects.filter(
        Q(debt__creditor__uscc__in=[c.uscc for c in CREDITORS]) | Q(debt__original_creditor__uscc__in=[c.uscc for c in CREDITORS])
    )
    stops: list[TourStop] = []
    candidates = (
        demo.filter(stage=Stage.ENFORCEMENT, settlements__isnull=True, debt__original_creditor__isnull=True)
        .filter(proceedings__kind="first_instance", rulings__confirmed=True)
        .annotate(
            renewals=Count("enforcement_actions", filter=Q(enforcement_actions__renews__isnull=False), distinct=True),
            paid=Count("recoveries", distinct=True),
            entries=Count("events", distinct=True),
        )
        .filter(renewals__gt=0, paid__gt=0)
        .order_by("-entries", "pk")
    )
    if (matter := candidates.first()) is not None:
        stops.append(
            TourStop(matter.pk, matter.number, "一审立案、判决及送达、强制执行（冻结及续冻）、执行回款，时间线完整")
        )
    breached = (
        Settlement.objects.filter(status=Settlement.Status.BREACHED, matter__in=demo).order_by("matter_id").first()
    )
    if breached is not None:
        stops.append(
            TourStop(breached.matter_id, breached.matter.number, "执行和解未按期履行：逾期分期、恢复执行提示")
        )
    in_package = demo.filter(debt__portfolio__name=PORTFOLIO_SOLD).order_by("pk")
    # A sold debt that went through court first shows more of the transfer's effects.
    sold = in_package.filter(stage=Stage.ENFORCEMENT_TERMINATED).first() or in_package.first()
    if sold is not None:
        stops.append(TourStop(sold.pk, sold.number, "随不良资产包转让给资产管理公司：债权转让记录与公告"))
    return stops
