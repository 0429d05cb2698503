"""The demo's debtor reviews (债务人评估) on a handful of matters before court.

Written through ``review_update``, as a person would: the first matters before court
are the collection desk's stories (a promise kept, a promise broken, ...), so their
reviews can lean on those facts. One review is left without a recommendation, half done.
"""

from __future__ import annotations

from legalcase.models import Matter, Stage, User
from legalcase.services.triage import review_update

CONFIRMED = {"confirmed": True}
REVIEWS = [
    # The promise kept (demo/collection.py): keep talking.
    {
        "ability_to_pay": "partial", "willingness": "hardship", "monthly_income": "3500.00",
        "employment": "餐饮店服务员，收入不固定", "assets_known": "无房产、无车辆",
        "willingness_facts": "承诺后按期还款，称因疫情期间失业导致逾期",
        "recommendation": "negotiate", "recommendation_reason": "已按承诺还款，有还款意愿，继续协商分期还款",
        "screening": {"identity_known": CONFIRMED, "service_address_known": CONFIRMED},
    },
    # The promise broken: sue.
    {
        "ability_to_pay": "partial", "willingness": "wilful", "monthly_income": "8000.00",
        "employment": "某科技公司销售经理，在职", "assets_known": "名下小型轿车一辆",
        "willingness_facts": "两次承诺还款均未履行，电话中明确拒绝还款",
        "recommendation": "sue", "recommendation_reason": "有稳定收入和车辆，多次失信；诉讼时效内，金额达到起诉标准",
        "screening": {"identity_known": CONFIRMED, "service_address_known": CONFIRMED, "limitation_alive": CONFIRMED},
    },
    # The wrong number, then a payment: a payment order, the debt being undisputed.
    {
        "ability_to_pay": "full", "willingness": "unknown",
        "recommendation": "payment_order", "recommendation_reason": "债权债务关系明确、无争议，已能联系到债务人，可申请支付令",
        "screening": {
            "assets_found": {"confirmed": True, "result": True, "reason": "网络查询发现住房公积金账户"},
        },
    },
    # The dispute (resolved): reviewed in part, no recommendation yet.
    {
        "ability_to_pay": "unknown", "willingness": "unknown",
        "willingness_facts": "曾称已还清，对账后异议已解决，尚待再次联系",
    },
    # The complaint: a settlement with a reduction.
    {
        "ability_to_pay": "none", "willingness": "hardship", "monthly_income": "0.00",
        "employment": "长期患病，无业", "assets_known": "无",
        "willingness_facts": "拒绝还款，称无力偿还；已向监管部门投诉催收过频",
        "recommendation": "settle_with_reduction",
        "recommendation_reason": "确无还款能力，起诉难以执行；减免利息后分期更可能收回本金",
    },
]  # fmt: skip


def add_reviews(*, matter_ids: list[int], users: dict[str, User]) -> dict[str, int]:
    """Review the first matters before court (the collection desk's stories), as counsel1."""
    counsel = users["counsel1"]
    early = list(
        Matter.objects.filter(pk__in=matter_ids, stage__in=[Stage.INTAKE, Stage.PRE_LITIGATION]).order_by("pk")[
            : len(REVIEWS)
        ]
    )
    for matter, changes in zip(early, REVIEWS):
        review_update(user=counsel, matter_id=matter.pk, changes=changes)
    return {"reviews": len(early)}
