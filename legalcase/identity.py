"""Chinese identity numbers: validation and masking, as plain functions.

Resident identity numbers follow GB 11643-1999 (18 characters, ISO 7064 MOD 11-2
check character); unified social credit codes follow GB 32100-2015 (18 characters,
MOD 31 check character). Masking follows API.md: identity numbers keep 6 + 4
characters, phones 3 + 4, card and account numbers 4 + 4, addresses their first 6,
one star per hidden one.
"""

from __future__ import annotations

import datetime as dt

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
# Province-level codes of GB/T 2260 (the first two digits).
_PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


class IdentityError(ValueError):
    """An identity number or credit code is malformed; the message never echoes it."""


def resident_id_check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


def parse_resident_id(number: str, *, today: dt.date | None = None) -> tuple[dt.date, str]:
    """Validate an 18-character resident identity number; return (birth date, gender)."""
    number = number.strip().upper()
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdentityError("居民身份证号码应为18位：前17位为数字，最后一位为数字或X。")
    if number[:2] not in _PROVINCES:
        raise IdentityError("居民身份证号码的地址码无效。")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentityError("居民身份证号码中的出生日期不存在。") from None
    if birth > (today or dt.date.today()) or birth.year < 1900:
        raise IdentityError("居民身份证号码中的出生日期不合理。")
    if resident_id_check_char(number[:17]) != number[17]:
        raise IdentityError("居民身份证号码校验码错误。")
    gender = "male" if int(number[16]) % 2 == 1 else "female"
    return birth, gender


def validate_resident_id(
    number: str, *, gender: str | None = None, birth_date: dt.date | None = None
) -> str:
    """Return the normalised number, or raise IdentityError naming what disagrees."""
    birth, number_gender = parse_resident_id(number)
    if gender and gender != number_gender:
        raise IdentityError("性别与居民身份证号码不一致。")
    if birth_date and birth_date != birth:
        raise IdentityError("出生日期与居民身份证号码不一致。")
    return number.strip().upper()


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(char) * weight for char, weight in zip(first17, _USCC_WEIGHTS))
    return _USCC_CHARS[(31 - total % 31) % 31]


def validate_uscc(code: str) -> str:
    """Return the normalised unified social credit code, or raise IdentityError."""
    code = code.strip().upper()
    if len(code) != 18 or any(char not in _USCC_CHARS for char in code):
        raise IdentityError("统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）。")
    if uscc_check_char(code[:17]) != code[17]:
        raise IdentityError("统一社会信用代码校验码错误。")
    return code


def _mask(value: str, keep_start: int, keep_end: int) -> str:
    if not value:
        return value
    hidden = len(value) - keep_start - keep_end
    if hidden <= 0:
        return "*" * len(value)
    return value[:keep_start] + "*" * hidden + value[len(value) - keep_end :]


def mask_id_number(value: str) -> str:
    return _mask(value, 6, 4)


def mask_phone(value: str) -> str:
    return _mask(value, 3, 4)


def mask_account(value: str) -> str:
    return _mask(value, 4, 4)


def mask_address(value: str) -> str:
    """An address keeps its first 6 characters (the province and city, as a rule)."""
    return _mask(value, 6, 0)


def build_resident_id(*, area_code: str, birth_date: dt.date, sequence: int) -> str:
    """Compose a well-formed identity number (demo data, tests); ``sequence`` odd means male."""
    first17 = f"{area_code}{birth_date:%Y%m%d}{sequence % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def build_uscc(first17: str) -> str:
    """Complete a 17-character credit code prefix with its check character."""
    return first17 + uscc_check_char(first17)


def mask_email(value: str) -> str:
    """An e-mail address keeps its first character and its domain (API.md, "Conventions")."""
    local, at, domain = value.partition("@")
    if not at:
        return _mask(value, 1, 0)
    return _mask(local, 1, 0) + "@" + domain


def mask_contact_point(value: str, channel: str) -> str:
    """The number or address a collection contact used, masked by the kind it is.

    Phone-like channels mask as phones, e-mail as e-mail, letters and visits as
    addresses; anything else that looks like an e-mail or a number is masked as one.
    """
    value = value or ""
    if channel == "email" or "@" in value:
        return mask_email(value)
    if channel in ("phone", "sms") or value.replace("-", "").replace("+", "").isdigit():
        return mask_phone(value)
    return mask_address(value)
