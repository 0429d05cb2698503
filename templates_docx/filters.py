"""The filters a Word template may use, and nothing else (the renderer's allowlist).

Each takes plain data. A missing-element marker (``sample.missing``) or any other text
passes through unchanged, so a template never fails on a matter that lacks a value.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from legalcase.identity import mask_account, mask_id_number, mask_phone
from legalcase.money import FEN, percent_text

DIGITS = "零壹贰叁肆伍陆柒捌玖"
# Units inside a group of four digits, and the group units (万, 亿, 万亿).
SMALL_UNITS = ("", "拾", "佰", "仟")
GROUP_UNITS = ("", "万", "亿", "万亿")


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.replace(",", "").strip())
        except InvalidOperation:
            return None
    return None


def _group_upper(number: int) -> str:
    """Four digits or fewer in capitals, with 零 for inner gaps (1010 → 壹仟零壹拾)."""
    text = ""
    zero = False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += DIGITS[digit] + SMALL_UNITS[position]
    return text


def rmb_upper(value) -> str:
    """人民币大写: 12345.60 → 人民币壹万贰仟叁佰肆拾伍元陆角整; rounded half-up to the fen.

    Follows the banking convention (《支付结算办法》附件 正确填写票据和结算凭证的基本规定):
    "整" after 元 or 角 when no 分 follows, none after 分; 零 where digits are skipped.
    """
    amount = _decimal(value)
    if amount is None:
        return value if isinstance(value, str) else ""
    amount = amount.quantize(FEN, rounding=ROUND_HALF_UP)
    sign = "负" if amount < 0 else ""
    amount = abs(amount)
    fen_total = int(amount * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if yuan >= 10**16:
        raise ValueError("amount too large for 人民币大写")
    groups = []
    rest = yuan
    while rest:
        groups.append(rest % 10000)
        rest //= 10000
    text = ""
    pending_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            pending_zero = bool(text)
            continue
        if text and (pending_zero or group < 1000):
            text += "零"
        text += _group_upper(group) + GROUP_UNITS[index]
        pending_zero = False
    if text:
        text += "元"
    if jiao == 0 and fen == 0:
        return f"人民币{sign}{text or '零元'}整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    else:
        text += "整"
    return f"人民币{sign}{text}"


def amount(value) -> str:
    """Money with thousands separators and two decimals: 1234567.8 → 1,234,567.80."""
    number = _decimal(value)
    if number is None:
        return value if isinstance(value, str) else ""
    return f"{number.quantize(FEN, rounding=ROUND_HALF_UP):,}"


def cn_date(value) -> str:
    """A date as a filing writes it: 2026年3月2日 (no leading zeros)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return value if isinstance(value, str) else ""


def percent(value) -> str:
    """An annual rate held as a fraction (as Fasu stores rates): 0.1825 → 18.25%."""
    number = _decimal(value)
    if number is None:
        return value if isinstance(value, str) else ""
    return percent_text(number)  # the pages' format, exactly as agreed


def box(value) -> str:
    """A form's check box: ☑ when the value is true, ☐ otherwise."""
    return "☑" if value is True else "☐"


def mask(value, kind: str = "id") -> str:
    """A masked identity number (``id``), phone (``phone``) or card/account number (``account``)."""
    if not isinstance(value, str) or not value or value.startswith("【"):
        return value if isinstance(value, str) else ""
    if kind == "phone":
        return mask_phone(value)
    if kind == "account":
        return mask_account(value)
    return mask_id_number(value)


FASU_FILTERS = {
    "rmb_upper": rmb_upper,
    "amount": amount,
    "cn_date": cn_date,
    "percent": percent,
    "box": box,
    "mask": mask,
}

# Jinja's own filters a template may use: pure formatting, no attribute access, no
# string formatting with user-chosen specs (``format``), no ``attr``/``map``/``map``-like
# lookups that reach attributes by name.
JINJA_FILTERS = (
    "default",
    "first",
    "last",
    "join",
    "length",
    "lower",
    "upper",
    "replace",
    "trim",
    "truncate",
    "round",
    "int",
    "string",
    "abs",
    "escape",
    "e",
)
