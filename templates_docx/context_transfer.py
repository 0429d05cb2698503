"""The ``transfer`` part of a filing context: the claim's chain of creditors (债权转让)."""

from __future__ import annotations

from legalcase.models import Matter
from templates_docx.sample import missing


def transfer_context(matter: Matter) -> dict:
    """The claim's assignment as ``SAMPLE_CONTEXT["transfer"]`` describes it."""
    original = matter.debt.original_creditor
    assigned = original is not None
    return {
        "assigned": assigned,
        "original_creditor": original.name if assigned else "",
        "assignor": original.name if assigned else "",
        "assigned_on": missing("债权转让日期") if assigned else "",
        "notice": missing("债权转让通知方式") if assigned else "",
        "agreement": missing("债权转让协议名称及编号") if assigned else "",
        "notified_on": missing("债权转让通知日期") if assigned else "",
        "newspaper": "",
        "announced_on": "",
        "chain": [],
    }
