"""Keep the search digests of parties' identity numbers and phones (legalcase.search, SearchKey)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction

from legalcase.models import Party, PartyPhone, SearchKey
from legalcase.search import ID_NUMBER, PHONE, digest

KEYS_BATCH = 5_000

# Where each kind of identifier is stored: (model, the party's id field, the value's field).
# Another phone column or table is one more line here. Every number of a party is found,
# a wrong or do-not-call one too: the user who knows it is looking for that debtor.
SOURCES: dict[str, list[tuple[type, str, str]]] = {
    ID_NUMBER: [(Party, "pk", "id_number")],
    PHONE: [(Party, "pk", "phone"), (PartyPhone, "party_id", "number")],
}


def keys_refresh(*, party_ids: Iterable[int], sources: dict, key_model: type) -> int:
    """Make ``key_model``'s rows for these parties match ``sources``; returns the rows added and removed.

    Shared with the migration that fills the table (historical models passed in).
    """
    ids = sorted(set(party_ids))
    changed = 0
    for start in range(0, len(ids), KEYS_BATCH):
        chunk = ids[start : start + KEYS_BATCH]
        wanted: set[tuple[int, str, str]] = set()
        for kind, kind_sources in sources.items():
            for model, party_field, value_field in kind_sources:
                rows = model.objects.filter(**{f"{party_field}__in": chunk}).values_list(party_field, value_field)
                for party_id, value in rows.iterator(chunk_size=KEYS_BATCH):
                    value_digest = digest(kind, value or "")
                    if value_digest:
                        wanted.add((party_id, kind, value_digest))
        present = {
            (party_id, kind, value_digest): pk
            for pk, party_id, kind, value_digest in key_model.objects.filter(party_id__in=chunk).values_list(
                "pk", "party_id", "kind", "digest"
            )
        }
        stale = [pk for key, pk in present.items() if key not in wanted]
        if stale:
            key_model.objects.filter(pk__in=stale).delete()
        missing = [key_model(party_id=p, kind=k, digest=d) for p, k, d in wanted if (p, k, d) not in present]
        key_model.objects.bulk_create(missing, batch_size=KEYS_BATCH, ignore_conflicts=True)
        changed += len(stale) + len(missing)
    return changed


@transaction.atomic
def party_keys_refresh(*, party_ids: Iterable[int]) -> int:
    """Digest these parties' identity numbers and phones again (after any change to them)."""
    return keys_refresh(party_ids=party_ids, sources=SOURCES, key_model=SearchKey)


def party_keys_refresh_all(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Every party's keys, a batch per transaction (``manage.py search_keys_refresh``)."""
    ids = list(Party.objects.order_by("pk").values_list("pk", flat=True))
    changed = 0
    for start in range(0, len(ids), KEYS_BATCH):
        changed += party_keys_refresh(party_ids=ids[start : start + KEYS_BATCH])
        if progress:
            progress(min(start + KEYS_BATCH, len(ids)), len(ids))
    return changed
