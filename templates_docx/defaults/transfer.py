"""债权转让通知书 (placeholder until the full document is written)."""

from __future__ import annotations

from templates_docx.defaults.layout import Prose, new_document


def transfer_notice():
    doc = new_document("债权转让通知书 {{ matter.number }}")
    prose = Prose(doc)
    prose.title("债权转让通知书")
    prose.p("{{ creditor.name }} {{ debtor.name }} {{ today|cn_date }}")
    return doc
