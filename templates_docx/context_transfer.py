"""The ``transfer`` part of a filing context: the claim's chain of creditors (债权转让)."""

from __future__ import annotations

from legalcase.models import Matter
from legalcase.services.transfers import announcement_newspaper
from templates_docx.sample import missing


def transfer_context(matter: Matter) -> dict:
    """The claim's assignment as ``SAMPLE_CONTEXT["transfer"]`` describes it.

    From the recorded steps (``debt.transfers``, prefetched with both creditors by
    ``with_filing_data``), the last one being the assignment to the current creditor.
    A debt that names an original creditor but has no recorded step (an AMC's debt
    escalated after the purchase) gets markers for what the filing needs; a debt never
    assigned gets "".
    """
    debt = matter.debt
    steps = sorted(debt.transfers.all(), key=lambda step: (step.effective_on, step.pk))
    if steps:
        last = steps[-1]
        first_lender = debt.original_creditor or steps[0].from_creditor
        newspaper = announcement_newspaper(last.notice)
        return {
            "assigned": True,
            "original_creditor": first_lender.name,
            "assignor": last.from_creditor.name,
            "assigned_on": last.effective_on,
            "notice": last.notice or missing("债权转让通知方式"),
            "agreement": last.agreement,
            "notified_on": last.notified_on or missing("债权转让通知日期"),
            "newspaper": newspaper,
            "announced_on": last.notified_on if newspaper and last.notified_on else "",
            "chain": [
                {
                    "from_creditor": step.from_creditor.name,
                    "to_creditor": step.to_creditor.name,
                    "effective_on": step.effective_on,
                    "agreement": step.agreement,
                }
                for step in steps
            ],
        }
    original = debt.original_creditor
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
