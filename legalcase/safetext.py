"""Text that stays what it says: names without invisible controls, cells that never run.

Two findings of issue 21. A name (a party's, a creditor's, a firm's) is printed on
filings and shown on every page, so characters a reader cannot see are refused: control
characters and the bidirectional overrides and marks (U+202A–U+202E, U+2066–U+2069,
U+200E/U+200F, U+061C) that make "invoice\u202efdp.exe" read as "invoiceexe.pdf". And every text a
spreadsheet opens (the batch's manifest.csv, the import's errors file, the .xlsx exports)
goes through ``spreadsheet_text``, so a name starting with ``=`` is shown, never run as
a formula (OWASP's advice: a leading ``'``).

Markup needs nothing here: ``<script>`` in a name is stored as typed and escaped by the
templates on every output.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 and C1 controls (a tab or a newline has no place in a name either), the bidi
# embeddings, overrides, isolates and marks, and the byte-order mark.
UNSAFE_NAME_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")

NAME_REFUSAL = _(
    "The name contains control characters or text-direction marks (invisible characters); type it again without them."
)


def name_error(value: Any) -> str | None:
    """The refusal for a name holding an invisible control or direction character, else None."""
    if isinstance(value, str) and UNSAFE_NAME_CHARACTERS.search(value):
        return str(NAME_REFUSAL)
    return None


def visible_controls(text: str) -> str:
    """``text`` with each invisible control or direction character shown as ``⟨U+202E⟩``.

    For showing text as it was received (an import's rejected row): a direction override
    there would turn the rest of the line around, numbers included.
    """
    return UNSAFE_NAME_CHARACTERS.sub(lambda match: f"⟨U+{ord(match.group(0)):04X}⟩", text)


def validate_name(value: Any) -> None:
    """Django validator (model fields, forms, serializers) for names."""
    if name_error(value):
        raise ValidationError(NAME_REFUSAL, code="unsafe_characters")


# What makes a spreadsheet take a cell for a formula (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: Any) -> Any:
    """``value`` as a spreadsheet should show it: text starting like a formula gets a leading ``'``.

    Numbers, dates and None pass unchanged (a negative amount written as a number is a
    number, not a formula); only text is guarded.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_row(row: Iterable[Any]) -> list[Any]:
    """Every cell of a CSV or XLSX row through ``spreadsheet_text``."""
    return [spreadsheet_text(value) for value in row]
