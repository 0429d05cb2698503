"""Money as Fasu takes it in and writes it out: yuan and fen, two places (API.md, "Conventions").

One reading of an amount for every service (``money_input``: the same refusals, nothing
stored on any of them), one reading of an amount as people type it (``amount_digits``:
"12,000.00", full-width "１２，０００．００"), one way to write it in events and answers
(``money_text``), one way to write a rate (``percent_text``), and the form field's limits
every page shares (``MONEY_FIELD``, used by ``forms.MoneyField``); the fen (``FEN``) and the
money and rate columns' sizes (``MONEY``, ``RATE``) are defined here and nowhere else.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# One fen, the smallest amount: every amount is quantized to it.
FEN = Decimal("0.01")
# What a money column holds: 16 digits, 2 of them after the point; a rate column, 6 places.
MONEY = {"max_digits": 16, "decimal_places": 2}
RATE = {"max_digits": 9, "decimal_places": 6}

# The first amount a money column cannot hold.
LIMIT = Decimal(10) ** (MONEY["max_digits"] - MONEY["decimal_places"])
MONEY_FIELD = {"max_digits": MONEY["max_digits"], "decimal_places": MONEY["decimal_places"]}

# A Chinese input method types full-width digits and marks; they mean their ASCII twins.
FULL_WIDTH = str.maketrans("０１２３４５６７８９，．＋－　", "0123456789,.+- ")
# Thousands separators every three digits from the point: 12,000.00 and 1,234,567 but not
# 12,00 (12.00 in much of Europe, or a slip for 1,200) nor 1,2345.00.
GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")


def amount_digits(text: str) -> str:
    """An amount as typed, as plain digits: "12,000.00" and "１２，０００．００" -> "12000.00".

    Commas are thousands separators only where they fall every three digits; anywhere
    else the amount could be read two ways, and is refused rather than guessed.
    """
    plain = text.translate(FULL_WIDTH).strip()
    if "," not in plain:
        return plain
    if not GROUPED.fullmatch(plain):
        raise ValidationError(
            _("“%(value)s” cannot be read: put a thousands separator after every three digits, as in 12,000.00.")
            % {"value": text.strip()},
            code="grouping",
        )
    return plain.replace(",", "")


def money_text(value: Decimal) -> str:
    """``"48230.55"``: the amount with two places, as answers and timeline entries carry it."""
    return f"{value:.2f}"


def money_input(value, field: str, *, allow_zero: bool = False) -> Decimal:
    """An amount given to a service, in yuan and fen: above zero (or at least zero); refused by ``field`` if not."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise ValidationError({field: _("Give the amount as a number.")})
    if isinstance(value, str):
        try:
            value = amount_digits(value)
        except ValidationError as error:
            raise ValidationError({field: error.messages}) from None
    try:
        value = Decimal(value)
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Give the amount as a number.")}) from None
    if not value.is_finite():
        raise ValidationError({field: _("Give the amount as a number.")})
    if value < 0 or (value == 0 and not allow_zero):
        message = _("The amount cannot be negative.") if allow_zero else _("The amount must be more than zero.")
        raise ValidationError({field: message})
    if value >= LIMIT:
        raise ValidationError({field: _("The amount is too large.")})
    if value != value.quantize(FEN):
        raise ValidationError({field: _("Give the amount in yuan and fen: at most two decimal places.")})
    return value.quantize(FEN)


# A computed ratio (a recovery rate) is shown to one decimal place of a percent.
RATIO_PLACES = 1


def percent_text(fraction, places: int | None = None) -> str:
    """A rate held as a fraction, as every page and filing writes it: ``"18.25%"``, ``"—"`` for none.

    One format: the percentage with a half-width ``%`` and no space. An agreed rate (interest,
    penalty, a contingency fee) is written exactly, without trailing zeros, since a filing
    must carry the contract's figure (0.1825 -> "18.25%", 0.08 -> "8%"); a computed ratio
    passes ``places=RATIO_PLACES`` and is rounded half-up to that many places, always shown
    (0.224213 -> "22.4%", 0.5 -> "50.0%").
    """
    if fraction is None or fraction == "":
        return "—"
    value = Decimal(fraction) * 100
    if places is None:
        text = f"{value.normalize():f}"
        return f"{text}%"
    return f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"
