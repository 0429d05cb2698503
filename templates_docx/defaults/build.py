"""Build Fasu's default Word filing templates (docxtpl syntax) with python-docx.

Run from the repository root::

    .venv/bin/python templates_docx/defaults/build.py [code ...]

The .docx files are written next to this script. The output is deterministic: the core
properties carry fixed dates and the zip entries a fixed timestamp, so re-running gives
identical bytes. Every variable used is a key of ``templates_docx.sample.SAMPLE_CONTEXT``;
the only filters are those of ``templates_docx.filters``; check boxes come from ``|box``.

The documents live in modules by family (``complaints``, ``applications``,
``enforcement``), sharing ``layout`` (fonts, paragraphs, tables, footer, package bytes)
and ``blocks`` (parties, facts, law citations, signature).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make the repository root importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from templates_docx.defaults import applications, complaints, enforcement, settlement, submission, transfer  # noqa: E402
from templates_docx.defaults.layout import deterministic_bytes  # noqa: E402

HERE = Path(__file__).resolve().parent

BUILDERS = {
    "complaint_credit_card": complaints.complaint_credit_card,
    "complaint_loan": complaints.complaint_loan,
    "arbitration_application": applications.arbitration_application,
    "preservation_application": applications.preservation_application,
    "enforcement_application": enforcement.enforcement_application,
    "demand_letter": applications.demand_letter,
    "evidence_list": applications.evidence_list,
    "power_of_attorney": applications.power_of_attorney,
    "renewal_application": enforcement.renewal_application,
    "resumption_application": enforcement.resumption_application,
    "change_of_applicant": enforcement.change_of_applicant,
    "consumption_restriction_application": enforcement.consumption_restriction_application,
    "dishonest_listing_application": enforcement.dishonest_listing_application,
    "exit_ban_application": enforcement.exit_ban_application,
    "payout_account_confirmation": enforcement.payout_account_confirmation,
    "service_address_confirmation": applications.service_address_confirmation,
    "filing_submission_list": submission.filing_submission_list,
    "payment_order_application": applications.payment_order_application,
    "settlement_agreement": settlement.settlement_agreement,
    "transfer_notice": transfer.transfer_notice,
    "cross_examination_opinion": applications.cross_examination_opinion,
}


def main(argv: list[str]) -> int:
    codes = argv or list(BUILDERS)
    for code in codes:
        path = HERE / f"{code}.docx"
        path.write_bytes(deterministic_bytes(BUILDERS[code]()))
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
