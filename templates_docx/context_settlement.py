"""The ``settlement`` part of a filing context: the settlement agreement's terms (和解协议)."""

from __future__ import annotations

from legalcase.models import Matter, Settlement
from templates_docx.sample import missing


def _chosen(matter: Matter) -> Settlement | None:
    """The settlement being performed, else the latest one not cancelled (from the prefetched list)."""
    settlements = sorted(matter.settlements.all(), key=lambda s: (s.agreed_on, s.pk), reverse=True)
    active = next((s for s in settlements if s.status == Settlement.Status.ACTIVE), None)
    return active or next((s for s in settlements if s.status != Settlement.Status.CANCELLED), None)


def settlement_context(matter: Matter) -> dict:
    """The settlement as ``SAMPLE_CONTEXT["settlement"]`` describes it; markers when none is recorded."""
    settlement = _chosen(matter)
    if settlement is None:
        return {
            "present": False,
            "agreed_on": missing("和解协议签订日期"),
            "outstanding": missing("和解时欠款总额"),
            "reduction": missing("减免金额"),
            "amount": missing("和解还款总额"),
            "grace_days": 15,
            "instalment_count": 0,
            "instalments": [],
            "monthly_income": "",
            "assets_assessed": "",
            "hardship": "",
        }
    instalments = sorted(settlement.instalments.all(), key=lambda i: i.sequence)
    return {
        "present": True,
        "agreed_on": settlement.agreed_on,
        "outstanding": settlement.outstanding_at_agreement,
        "reduction": settlement.reduction,
        "amount": settlement.settlement_amount,
        "grace_days": settlement.grace_days,
        "instalment_count": len(instalments),
        "instalments": [{"sequence": i.sequence, "due_on": i.due_on, "amount": i.amount} for i in instalments],
        "monthly_income": settlement.monthly_income if settlement.monthly_income is not None else "",
        "assets_assessed": settlement.assets_assessed,
        "hardship": settlement.hardship,
    }
