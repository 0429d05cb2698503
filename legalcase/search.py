"""Exact search on personal identifiers without a second clear copy: keyed HMAC digests.

A party's identity number and phone are found by the digest of their normal form
(``SearchKey`` rows, one per party, kind and value), never by the clear value: a copy
of the search table tells nothing without the key. ``digest(kind, value)`` is what a
row stores (under the first key); ``query_digests(kind, value)`` is what a search looks
up (under every key of ``SEARCH_DIGEST_KEYS``, so a key can be rotated: add the new key
first, run ``manage.py search_keys_refresh``, then drop the old one). The encryption of
these columns at rest (API.md, "Operations at scale") reuses the same digests.

This module reads no models; ``legalcase.services.search`` writes the rows.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings

ID_NUMBER, PHONE = "id_number", "phone"
KINDS = (ID_NUMBER, PHONE)

_SEPARATORS = re.compile(r"[\s\-‐‑–—_.()（）]+")
_ID_NUMBER = re.compile(r"\d{17}[\dX]|\d{15}")
_DIGITS = re.compile(r"\d{5,15}")
# Brackets of a case number as typed or pasted: (2024)、〔2024〕、[2024]、［2024］ all read （2024）.
CASE_BRACKETS = {"(": "（", ")": "）", "〔": "（", "〕": "）", "[": "（", "]": "）", "［": "（", "］": "）", " ": "", "　": ""}


def normal_id_number(value: str) -> str:
    """``"11010519491231002x"`` → ``"11010519491231002X"``; empty unless it has an identity number's shape."""
    value = _SEPARATORS.sub("", value or "").upper()
    return value if _ID_NUMBER.fullmatch(value) else ""


def normal_phone(value: str) -> str:
    """Digits only, without the country code: ``"+86 138-0013-8000"`` → ``"13800138000"``; empty if no phone."""
    value = _SEPARATORS.sub("", value or "")
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
            break
    else:
        if len(value) == 13 and value.startswith("861"):
            value = value[2:]
    return value if _DIGITS.fullmatch(value) else ""


NORMALISERS = {ID_NUMBER: normal_id_number, PHONE: normal_phone}


def digest_keys() -> list[bytes]:
    """The keys, the first writes; from ``SEARCH_DIGEST_KEYS`` (settings)."""
    keys = [key.encode() for key in settings.SEARCH_DIGEST_KEYS if key]
    if not keys:
        raise RuntimeError("SEARCH_DIGEST_KEYS is empty")
    return keys


def _mac(key: bytes, kind: str, normal: str) -> str:
    return hmac.new(key, f"{kind}:{normal}".encode(), hashlib.sha256).hexdigest()


def digest(kind: str, value: str) -> str:
    """The digest a ``SearchKey`` row stores for ``value`` of ``kind``; empty when it normalises to nothing."""
    normal = NORMALISERS[kind](value)
    return _mac(digest_keys()[0], kind, normal) if normal else ""


def query_digests(kind: str, value: str) -> list[str]:
    """What a search for ``value`` looks up: its digest under every key (none if not of that kind)."""
    normal = NORMALISERS[kind](value)
    return [_mac(key, kind, normal) for key in digest_keys()] if normal else []


def exact_digest(kind: str, value: str) -> str:
    """The digest a column stores beside an encrypted value (``legalcase.fields.DerivedCharField``).

    Exact, like the equality it replaces (only surrounding spaces dropped), under the
    first key; empty for an empty value. Separate from the search digests above (another
    label inside the MAC), so a column's digest says nothing about a ``SearchKey`` row.
    """
    value = (value or "").strip()
    return _mac(digest_keys()[0], f"exact:{kind}", value) if value else ""


def exact_query_digests(kind: str, value: str) -> list[str]:
    """What an exact lookup of ``value`` compares a digest column with: its digest under every key."""
    value = (value or "").strip()
    return [_mac(key, f"exact:{kind}", value) for key in digest_keys()] if value else []


def normal_case_number(value: str) -> str:
    """A court case number with its brackets made full-width and spaces dropped: ``（2024）浙0109民初123号``."""
    return (value or "").strip().translate(str.maketrans(CASE_BRACKETS))


def looks_like_case_number(value: str) -> bool:
    """A year in brackets or a 号: worth a look in the proceedings and enforcement actions."""
    return bool(re.search(r"\d{4}", value)) and bool(re.search(r"[\u4e00-\u9fff]", value))
