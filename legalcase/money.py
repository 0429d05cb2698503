"""Money as Fasu takes it in and writes it out: yuan and fen, two places (API.md, "Conventions").

One reading of an amount for every service (``money_input``: the same refusals, nothing
stored on any of them), one way to write it in events and answers (``money_text``), and
the form field's limits every page shares (``MONEY_FIELD``); the fen (``FEN``) and the
money and rate columns' sizes (``MONEY``, ``RATE``) are defined here and nowhere else.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

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


def money_text(value: Decimal) -> str:
    """``"48230.55"``: the amount with two places, as answers and timeline entries carry it."""
    return f"{value:.2f}"


def money_input(value, field: str, *, allow_zero: bool = False) -> Decimal:
    """An amount given to a service, in yuan and fen: above zero (or at least zero); refused by ``field`` if not."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise ValidationError({field: _("Give the amount as a number.")})
    try:
        value = Decimal(value.strip() if isinstance(value, str) else value)
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
