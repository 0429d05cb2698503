"""Key rotation of the personal data encrypted at rest (``manage.py rotate_keys``).

A value carries the id of the key that wrote it (``legalcase.crypto``), so the rows still
under an older key are found by their prefix, without decrypting anything. Each batch
is read through the ORM (decrypted under whichever listed key wrote it), saved again
(encrypted under the first key, its digests computed under the first digest key) and
the parties' search keys digested again, in one transaction: a rotation stopped half-way
is taken up by running it again. Every model of every app with an encrypted field
(``legalcase.fields``) is covered, so a new encrypted column needs nothing here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.db import connection, models, transaction

from legalcase import crypto
from legalcase.fields import derived_fields, encrypted_fields

ROTATE_BATCH = 1_000


def encrypted_models() -> list[tuple[type[models.Model], list[models.Field]]]:
    """Every concrete model with an encrypted column, with those columns."""
    found = []
    for model in apps.get_models():
        fields = encrypted_fields(model)
        if fields and not model._meta.proxy:
            found.append((model, fields))
    return found


def _stale_where(fields: list[models.Field]) -> tuple[str, list[str]]:
    """SQL true for a row with a value under another key than the first (or, wrongly, in clear)."""
    quote = connection.ops.quote_name
    prefix = crypto.current_prefix() + "%"
    clauses = [f"({quote(f.column)} <> '' AND {quote(f.column)} NOT LIKE %s)" for f in fields]
    return " OR ".join(clauses), [prefix] * len(fields)


def stale_ids(model: type[models.Model], fields: list[models.Field], *, after: int = 0, limit: int = ROTATE_BATCH) -> list:
    table, pk = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(model._meta.pk.column)
    where, params = _stale_where(fields)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk} FROM {table} WHERE {pk} > %s AND ({where}) ORDER BY {pk} LIMIT {int(limit)}", [after, *params])
        return [row[0] for row in cursor.fetchall()]


def stale_count(model: type[models.Model], fields: list[models.Field]) -> int:
    table = connection.ops.quote_name(model._meta.db_table)
    where, params = _stale_where(fields)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", params)
        return cursor.fetchone()[0]


def keys_in_use() -> dict[str, int]:
    """``{model label: rows with a value not under the first key}``, only the models that have some."""
    counts = {model._meta.label: stale_count(model, fields) for model, fields in encrypted_models()}
    return {label: count for label, count in counts.items() if count}


@transaction.atomic
def rows_reencrypt(*, model: type[models.Model], ids: list) -> int:
    """Encrypt these rows' values under the first key again (digests too); returns the rows saved."""
    from legalcase.models import Party, PartyPhone
    from legalcase.services.search import party_keys_refresh

    derived = derived_fields(model)
    names = [field.name for field in (*encrypted_fields(model), *derived)]
    rows = list(model.objects.select_for_update().filter(pk__in=ids))
    for row in rows:
        for field in derived:  # what a save would set (bulk_update calls no pre_save)
            setattr(row, field.attname, field.value_from(getattr(row, field.source)))
    model.objects.bulk_update(rows, names, batch_size=200)
    party_ids = {row.pk for row in rows} if model is Party else {row.party_id for row in rows} if model is PartyPhone else ()
    if party_ids:
        party_keys_refresh(party_ids=party_ids)
    return len(rows)


def keys_rotate(*, batch: int = ROTATE_BATCH, progress: Callable[[str, int, int], None] | None = None) -> int:
    """Every value not under the first key, encrypted under it; returns the rows rewritten.

    Raises ``legalcase.crypto.DecryptionError`` on a value under a key no longer listed.
    """
    rewritten = 0
    for model, fields in encrypted_models():
        total, done, last = stale_count(model, fields), 0, 0
        while total:
            ids = stale_ids(model, fields, after=last, limit=batch)
            if not ids:
                break
            done += rows_reencrypt(model=model, ids=ids)
            last = ids[-1]
            if progress:
                progress(model._meta.label, done, total)
        rewritten += done
    return rewritten
