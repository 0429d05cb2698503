"""The ``settlement`` part of a filing context: the settlement agreement's terms (和解协议)."""

from __future__ import annotations

from legalcase.models import Matter
from templates_docx.sample import missing


def settlement_context(matter: Matter) -> dict:
    """The settlement as ``SAMPLE_CONTEXT["settlement"]`` describes it."""
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
