"""和解协议 (placeholder until the full document is written)."""

from __future__ import annotations

from templates_docx.defaults.layout import Prose, new_document


def settlement_agreement():
    doc = new_document("和解协议 {{ matter.number }}")
    prose = Prose(doc)
    prose.title("和解协议")
    prose.p("{{ creditor.name }} {{ debtor.name }} {{ today|cn_date }}")
    return doc
