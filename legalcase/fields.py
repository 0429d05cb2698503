"""Model fields for personal data encrypted at rest, and the digests that find it.

``EncryptedCharField`` / ``EncryptedTextField`` hold clear text in Python and
ciphertext in the database (``legalcase.crypto``; the column is ``text`` whatever
``max_length`` says, which still bounds the clear value in forms and ``full_clean``).
A value is readable only through the ORM: ``connection.cursor()``, a dump or a backup
sees ``e1:…`` only.

Exact search stays possible through a ``DerivedCharField(source=…, derive="digest:<kind>")``
beside the encrypted one: it stores the keyed digest (``legalcase.search.exact_digest``),
set on every save, ``bulk_create`` and ``legalcase.bulk.rows_insert``. With it,
``filter(field=value)`` and ``filter(field__in=[…])`` keep working unchanged: the lookup
compares the digest column with the value's digest under every listed key (one index
lookup, no decryption). Every other lookup on an encrypted field (``icontains``,
``startswith``…) is refused, since it would silently match ciphertext. Ordering by an
encrypted field orders ciphertext: don't.

A model with derived fields mixes in ``DerivedFieldsMixin`` so that
``save(update_fields=["id_number"])`` writes the digest too. ``QuerySet.update()`` of an
encrypted field with a digest would not; use ``save(update_fields=…)`` instead.

To encrypt another column (the contact log's contact points, for example)::

    value = EncryptedCharField(_("number"), max_length=40)
    value_digest = DerivedCharField(source="value", derive="digest:phone", max_length=64, blank=True, db_index=True)

then add the model to ``DerivedFieldsMixin``'s users and ``rotate_keys`` finds it by itself.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In, IsNull

from legalcase import crypto
from legalcase.search import exact_digest, exact_query_digests


def _last4(value: str) -> str:
    return (value or "").strip()[-4:]


def deriver(name: str) -> Callable[[str], str]:
    """``digest:<kind>`` (a keyed digest, ``legalcase.search.exact_digest``) or ``last4``."""
    if name == "last4":
        return _last4
    if name.startswith("digest:"):
        kind = name.removeprefix("digest:")
        return lambda value: exact_digest(kind, value)
    raise ValueError(f"unknown deriver {name!r}")


class EncryptedMixin:
    """Clear text in Python, ``legalcase.crypto`` ciphertext in the column."""

    encrypted = True

    def db_type(self, connection):
        # Ciphertext is longer than the clear text: about 4/3 of its UTF-8 bytes plus 49.
        return "text"

    def from_db_value(self, value, expression, connection):
        return crypto.decrypt(value) if value else value

    def get_db_prep_value(self, value, connection, prepared=False):
        value = super().get_db_prep_value(value, connection, prepared)
        return crypto.encrypt(value) if value else value

    def get_lookup(self, lookup_name):
        if lookup_name not in {"exact", "in", "isnull"}:
            return None
        return super().get_lookup(lookup_name)

    def digest_field(self) -> DerivedCharField | None:
        for field in self.model._meta.concrete_fields:
            if isinstance(field, DerivedCharField) and field.source == self.name and field.derive.startswith("digest:"):
                return field
        return None


class EncryptedCharField(EncryptedMixin, models.CharField):
    """A ``CharField`` whose column holds ciphertext (see the module's docstring)."""


class EncryptedTextField(EncryptedMixin, models.TextField):
    """A ``TextField`` whose column holds ciphertext (free-text notes that may hold numbers or addresses)."""


class DerivedCharField(models.CharField):
    """A value computed from another field of the row on every save: a keyed digest or the last four characters."""

    def __init__(self, *args, source: str, derive: str, **kwargs):
        deriver(derive)  # fail at import on a typo
        self.source, self.derive = source, derive
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, derive=self.derive)
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def value_from(self, source_value: str) -> str:
        return deriver(self.derive)(source_value or "")

    def pre_save(self, model_instance, add):
        value = self.value_from(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def derived_fields(model) -> list[DerivedCharField]:
    return [field for field in model._meta.concrete_fields if isinstance(field, DerivedCharField)]


def encrypted_fields(model) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if getattr(field, "encrypted", False)]


class DerivedFieldsMixin:
    """``save(update_fields=[source])`` also writes the fields derived from ``source``."""

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            update_fields = set(update_fields)
            update_fields |= {field.name for field in derived_fields(type(self)) if field.source in update_fields}
            kwargs["update_fields"] = update_fields
        super().save(*args, **kwargs)


def _digest_column(lookup) -> tuple[Col, str]:
    field = lookup.lhs.output_field
    digest = field.digest_field() if isinstance(lookup.lhs, Col) else None
    if digest is None:
        raise FieldError(f"{field.model.__name__}.{field.name} is encrypted and has no digest: it cannot be searched")
    return Col(lookup.lhs.alias, digest), digest.derive.removeprefix("digest:")


def _in_digests(compiler, connection, column: Col, digests: list[str]):
    if not digests:
        return "1 = 0", []
    sql, params = compiler.compile(column)
    return f"{sql} IN ({', '.join(['%s'] * len(digests))})", [*params, *digests]


class EncryptedExact(Exact):
    """``field = value`` as ``digest column IN (value's digest under every key)``; ``field = ''`` as is."""

    def as_sql(self, compiler, connection):
        if self.rhs == "" or self.rhs is None:
            return super().as_sql(compiler, connection)
        if hasattr(self.rhs, "resolve_expression"):
            raise FieldError("an encrypted field can only be compared with a value")
        column, kind = _digest_column(self)
        return _in_digests(compiler, connection, column, exact_query_digests(kind, str(self.rhs)))


class EncryptedIn(In):
    """``field IN (values)`` as ``digest column IN (their digests under every key)``."""

    prepare_rhs = False

    def get_prep_lookup(self):
        if hasattr(self.rhs, "resolve_expression"):
            raise FieldError("an encrypted field can only be compared with values")
        return [value for value in self.rhs if value is not None]

    def as_sql(self, compiler, connection):
        column, kind = _digest_column(self)
        digests = [digest for value in self.rhs for digest in exact_query_digests(kind, str(value))]
        return _in_digests(compiler, connection, column, digests)


for _field in (EncryptedCharField, EncryptedTextField):
    _field.register_lookup(EncryptedExact)
    _field.register_lookup(EncryptedIn)
    _field.register_lookup(IsNull)
