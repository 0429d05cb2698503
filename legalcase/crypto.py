"""Personal data encrypted at rest: AES-256-GCM under the keys of ``FIELD_ENCRYPTION_KEYS``.

A stored value reads ``e1:<key id>:<base64 of nonce + ciphertext + tag>``. The key id is
the first 8 hex digits of the key's SHA-256, so a value says which key wrote it and any
listed key can read it; the first key writes. The key id is the AEAD's associated data:
a value whose id was altered fails to decrypt. An empty value is stored empty (a blank
phone or note is not a secret, and the constraints that test ``<> ''`` keep working).

Encryption is not de-identification's end: masking (``legalcase.identity``) still
governs what a page shows. This module reads no models; ``legalcase.fields`` uses it.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "e1:"
_NONCE_BYTES = 12


class DecryptionError(ValueError):
    """A stored value cannot be read: an unknown key id, a damaged value, or clear text where ciphertext belongs."""


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


@functools.lru_cache(maxsize=8)
def _keyring(keys: tuple[bytes, ...]) -> tuple[str, dict[str, AESGCM]]:
    if not keys:
        raise RuntimeError("FIELD_ENCRYPTION_KEYS is empty")
    ciphers = {key_id(key): AESGCM(key) for key in keys}
    return key_id(keys[0]), ciphers


def keyring() -> tuple[str, dict[str, AESGCM]]:
    """The id of the writing key and every listed key's cipher, by id (read from settings at each call)."""
    return _keyring(tuple(settings.FIELD_ENCRYPTION_KEYS))


def current_key_id() -> str:
    return keyring()[0]


def current_prefix() -> str:
    """What every value written under the first key begins with (``rotate_keys`` looks for the others)."""
    return f"{PREFIX}{current_key_id()}:"


def encrypt(value: str) -> str:
    """``value`` encrypted under the first key; empty stays empty."""
    if not value:
        return value
    kid, ciphers = keyring()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = ciphers[kid].encrypt(nonce, value.encode(), kid.encode())
    return f"{PREFIX}{kid}:{base64.b64encode(nonce + sealed).decode()}"


def is_encrypted(value: str | None) -> bool:
    return bool(value) and value.startswith(PREFIX)


def value_key_id(value: str) -> str:
    """The id of the key that wrote ``value`` (empty for an empty value)."""
    if not value:
        return ""
    if not value.startswith(PREFIX) or value[len(PREFIX) + 8 : len(PREFIX) + 9] != ":":
        raise DecryptionError("value is not encrypted")
    return value[len(PREFIX) : len(PREFIX) + 8]


def decrypt(value: str) -> str:
    """The clear text of a stored value; raises ``DecryptionError`` naming the key id it could not use."""
    if not value:
        return value
    kid = value_key_id(value)
    cipher = keyring()[1].get(kid)
    if cipher is None:
        raise DecryptionError(f"value written under key id {kid}, which FIELD_ENCRYPTION_KEYS does not list")
    try:
        raw = base64.b64decode(value[len(PREFIX) + 9 :], validate=True)
        return cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], kid.encode()).decode()
    except (binascii.Error, ValueError, InvalidTag):
        raise DecryptionError(f"value under key id {kid} is damaged") from None
