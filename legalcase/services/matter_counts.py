"""Exact counts of big matter lists from the kept counts (``MatterCount``, PostgreSQL).

A list filtered by stage, firm and owner alone (a lawyer's firm is such a filter) is
counted by summing the kept rows of its key: a few hundred rows, where ``count(*)`` of
200,000 matters in one stage costs PostgreSQL 15-45 ms on every request. Any other
filter (a search, a product, a joined column) is counted as before: ``matter_count``
answers None.

The triggers of migration 0046 keep the rows; the schedule sums each key's rows into
one (``matter_counts_compact``) and, once a day, recounts them from the matters
(``matter_counts_recount``), which repairs what a write with the triggers off left behind
(``session_replication_role = replica``, as the benchmarks' fills do).
"""

from __future__ import annotations

import logging

from django.db import connection, connections, transaction
from django.db.models import Q, QuerySet, Sum
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, IsNull
from django.db.models.sql.where import AND, WhereNode

from legalcase.models import Matter, MatterCount

log = logging.getLogger(__name__)

# The matter's columns the counts are kept by, and their names in MatterCount.
COUNTED_COLUMNS = {"stage": "stage", "assigned_firm_id": "firm_id", "owner_id": "owner_id"}


def counted_key(matters: QuerySet) -> list[tuple[str, object, bool]] | None:
    """The conditions on the kept counts' columns that ``matters`` is filtered by, or None
    when its filter is anything else: ``(column, value, negated)``, value None for IS NULL.

    Only a conjunction of ``column = value``, ``column IS NULL`` and their negations (an
    ``exclude``: a worklist's "not closed") on the matter table's own counted columns
    qualifies; no join filter, no OR, no IN, no grouping, no distinct, no union, no slice. ``[]``
    for no filter at all.
    """
    query = matters.query
    if query.model is not Matter or query.combinator or query.distinct or query.group_by is not None or query.is_sliced:
        return None
    conditions = []
    for lookup, negated in _conjuncts(query.where, negated=False):
        if not isinstance(lookup, Exact | IsNull) or not isinstance(lookup.lhs, Col):
            return None
        column = COUNTED_COLUMNS.get(lookup.lhs.target.column)
        if column is None or lookup.lhs.alias != query.base_table:
            return None
        if isinstance(lookup, IsNull):
            if lookup.rhs is not True:
                return None
            conditions.append((column, None, negated))
        elif isinstance(lookup.rhs, int | str) and not isinstance(lookup.rhs, bool):
            conditions.append((column, lookup.rhs, negated))
        else:
            return None
    return conditions


def _conjuncts(where: WhereNode, *, negated: bool):
    """(lookup, negated) for each lookup a WHERE node ANDs together, nested ANDs flattened
    and a negated node of one lookup taken as its negation; (None, ...) for anything else."""
    if where.negated:
        if negated or len(where.children) != 1:
            yield None, negated
            return
        negated = True
    elif len(where.children) > 1 and (negated or where.connector != AND):
        # NOT (a AND b) is no conjunction; nor is an OR.
        yield None, negated
        return
    for child in where.children:
        if isinstance(child, WhereNode):
            yield from _conjuncts(child, negated=negated)
        else:
            yield child, negated


def matter_count(matters: QuerySet) -> int | None:
    """The exact number of ``matters`` from the kept counts; None where they cannot tell (``counted_key``)."""
    if matters.model is not Matter or connections[matters.db].vendor != "postgresql":
        return None
    conditions = counted_key(matters)
    if conditions is None:
        return None
    rows = MatterCount.objects.using(matters.db)
    for column, value, negated in conditions:
        condition = Q(**{f"{column}__isnull": True}) if value is None else Q(**{column: value})
        rows = rows.exclude(condition) if negated else rows.filter(condition)
    return rows.aggregate(total=Sum("matters"))["total"] or 0


def matter_counts_compact() -> dict:
    """Sum each key's rows into one (the schedule, every few minutes); keys at zero go.

    One statement: the rows it deletes are those it sums, so rows that writers add
    meanwhile stay, and a reader sees the rows before or after, the same sums.
    """
    if connection.vendor != "postgresql":
        return {"rows": 0}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH gone AS (DELETE FROM legalcase_mattercount RETURNING stage, firm_id, owner_id, matters)
            INSERT INTO legalcase_mattercount (stage, firm_id, owner_id, matters)
            SELECT stage, firm_id, owner_id, sum(matters) FROM gone GROUP BY 1, 2, 3 HAVING sum(matters) <> 0
            """
        )
        return {"rows": cursor.rowcount}


@transaction.atomic
def matter_counts_recount() -> dict:
    """Count the matters afresh into the kept counts; return how many keys were off (logged).

    Writers of matters wait for it (a share lock, about half a second at 1,000,000
    matters): the counts then match the table exactly.
    """
    if connection.vendor != "postgresql":
        return {"keys": 0, "wrong": 0}
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE legalcase_matter IN SHARE MODE")
        cursor.execute("SELECT stage, assigned_firm_id, owner_id, count(*) FROM legalcase_matter GROUP BY 1, 2, 3")
        truth = {row[:3]: row[3] for row in cursor.fetchall()}
        cursor.execute("SELECT stage, firm_id, owner_id, sum(matters) FROM legalcase_mattercount GROUP BY 1, 2, 3")
        kept = {row[:3]: row[3] for row in cursor.fetchall() if row[3]}
        wrong = sum(1 for key in truth.keys() | kept.keys() if truth.get(key, 0) != kept.get(key, 0))
        if wrong:
            log.warning("matter counts: %d of %d keys were off; recounted", wrong, len(truth))
        cursor.execute("DELETE FROM legalcase_mattercount")
    MatterCount.objects.bulk_create(
        [MatterCount(stage=stage, firm_id=firm, owner_id=owner, matters=n) for (stage, firm, owner), n in truth.items()],
        batch_size=2000,
    )
    return {"keys": len(truth), "wrong": wrong}
