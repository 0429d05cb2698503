"""Pagination of every API list (API.md, "Lists are paginated").

Kept apart from ``legalcase.api`` because REST_FRAMEWORK's DEFAULT_PAGINATION_CLASS is
imported while ``rest_framework.generics`` itself is being imported: the module it
names must not import views, or the two imports go round in a circle.
"""

from __future__ import annotations

import heapq
import json
import time

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql.where import AND, OR, WhereNode
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

from legalcase.models.base import AnyOf
from legalcase.services.matter_counts import matter_count

# Above this many rows, an unfiltered list's count may be PostgreSQL's estimate.
ESTIMATE_COUNT_ABOVE = 100_000


def estimated_count(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the table's rows, for an unfiltered query over a big table.

    An exact count(*) of a million matters costs more than the page itself; the
    planner's ``reltuples`` (kept by ANALYZE and autovacuum) is free. None when the
    query has a WHERE clause (a filter, a lawyer's firm), the database is not
    PostgreSQL, or the table is not big enough for an estimate to be worth it.
    """
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or queryset.query.where:
        return None
    estimate = _reltuples(connection, queryset.model._meta.db_table)
    return estimate if estimate > ESTIMATE_COUNT_ABOVE else None


# (alias, table) -> (when read, reltuples): an estimate that ANALYZE moves a few times a day.
_RELTUPLES: dict[tuple[str, str], tuple[float, int]] = {}


def _reltuples(connection, table: str) -> int:
    """``pg_class.reltuples`` of ``table`` (-1 never analysed), read at most once per
    ``COUNT_ESTIMATE_SECONDS`` in a process: a query less on every unfiltered list page."""
    key, now = (connection.alias, table), time.monotonic()
    cached = _RELTUPLES.get(key)
    if cached is not None and now - cached[0] < settings.COUNT_ESTIMATE_SECONDS:
        return cached[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    estimate = int(row[0]) if row else -1
    _RELTUPLES[key] = (now, estimate)
    return estimate


class EstimatingPaginator(Paginator):
    """Django's paginator, counting with ``estimated_count`` where it applies."""

    count_is_estimate = False

    @cached_property
    def count(self) -> int:
        estimate = estimated_count(self.object_list) if isinstance(self.object_list, QuerySet) else None
        if estimate is None:
            count = super().count
            # An object list that counts for itself may say its count is an estimate (evidence search).
            self.count_is_estimate = bool(getattr(self.object_list, "count_is_estimate", False))
            return count
        self.count_is_estimate = True
        return estimate


# A filtered matter list reads the ids of up to this many matches first (``MatterPaginator``);
# a page beyond them raises the bound to reach it.
SMALL_LIST = 1000
# A list the kept counts cannot count (a search, a product) reads up to this many at once:
# a common name (6,796 张伟 in a million) is then counted and paged from its ids, in one
# bitmap scan (13 ms). Read 1,001 at a time, the planner, estimating 12,000 matches after
# an ANALYZE, walked the table hoping to meet them early: 24 ms (bench/matter_list.py).
WIDE_LIST = 10_000


def planned_rows(queryset: QuerySet) -> int | None:
    """PostgreSQL's estimate of the rows ``queryset`` matches: the planner's, from ``EXPLAIN``.

    Close for filters on columns with statistics (a stage, a firm: most common values);
    a guess for a search's prefix and id lists. None off PostgreSQL.
    """
    if connections[queryset.db].vendor != "postgresql":
        return None
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def matter_ids(queryset: QuerySet, limit: int) -> list[int]:
    """The ids of at most ``limit`` rows of ``queryset``, in no order.

    A filter with one OR of alternatives (a search: the name's prefix, the matter number,
    the debts found by contract or account, the matters found by guarantor) and no join is
    read as a UNION of one query per alternative, each with the filter's other conditions:
    each is then an index scan of its own, where the OR's bitmap visits a table page per
    match (6,796 张伟 in a million matters: 6 ms against 16 ms, bench/matter_list.py). The
    ids come straight from the cursor: through the ORM's iterator, a row cost about 2 µs.
    """
    plain = queryset.order_by().values_list("pk", flat=True)
    parts = _alternatives(plain)
    if parts is None:
        return _read_ids(plain, limit)
    # An alternative that is a list of ids and nothing else (a search's matters found by
    # guarantor or case number, for a user who sees every matter) needs no query: its ids
    # are matters already.
    given = set()
    for part in list(parts):
        if (known := _given_ids(part)) is not None:
            given.update(known)
            parts.remove(part)
    if not parts:
        return list(given)[:limit]
    # UNION ALL, the repeats (a debtor found as a guarantor too) dropped here: PostgreSQL's
    # UNION hashed 6,800 ids for 2.5 ms. Cut at the limit, repeats could hide a match
    # beyond it: then the UNION reads them again, exactly.
    rows = _read_ids(parts[0].union(*parts[1:], all=True), limit)
    ids = set(rows)
    if len(rows) == limit and len(ids) < limit:
        ids = set(_read_ids(parts[0].union(*parts[1:]), limit))
    # All of the read ones (fewer than the limit) with the given ones; else the limit is reached.
    return list(ids | given)[:limit] if len(ids) < limit else list(ids)


def _alternatives(plain: QuerySet) -> list[QuerySet] | None:
    """``plain`` as one query per alternative of its one OR, each with its other conditions; None without such an OR."""
    query, where = plain.query, plain.query.where
    alternatives = [
        child
        for child in where.children
        if isinstance(child, WhereNode) and child.connector == OR and not child.negated and len(child.children) > 1
    ]
    joined = sum(1 for references in query.alias_refcount.values() if references) > 1
    if where.connector != AND or where.negated or len(alternatives) != 1 or joined:
        return None
    rest = [child for child in where.children if child is not alternatives[0]]
    parts = []
    for alternative in alternatives[0].children:
        part = plain.all()
        part.query.where = WhereNode([*rest, alternative], AND)
        parts.append(part)
    return parts


def _given_ids(part: QuerySet) -> list[int] | None:
    """The ids of a part whose whole filter is ``pk__any_of=ids``; None for any other part."""
    children = part.query.where.children
    if len(children) != 1 or not isinstance(children[0], AnyOf):
        return None
    lookup = children[0]
    return lookup.rhs if getattr(lookup.lhs, "target", None) == part.model._meta.pk else None


def _read_ids(plain: QuerySet, limit: int) -> list[int]:
    sql, params = plain[:limit].query.sql_with_params()
    connection = connections[plain.db]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As one array, which psycopg2 reads in C: 6,800 rows of one id cost 1.1 ms more of Python.
            cursor.execute(f'SELECT array_agg("pk") FROM ({sql}) AS found', params)
            return cursor.fetchone()[0] or []
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


class MatterPaginator(EstimatingPaginator):
    """The matter list's paginator (API): a small filtered list is counted by its ids.

    A filtered list on PostgreSQL first reads the ids of at most ``small`` + 1 matching
    matters (``wide_up_to`` + 1 for a list the kept counts cannot count: a search, a
    product), in no order (an index-bound query, cheap whatever the total). When that is
    all of them, their number is the exact count and the page is read among those ids
    (newest first, the page's own ids cut from them):
    told the ids, the planner sorts a few hundred rows, where from the filter alone it
    may walk the whole table in the list's order hoping to meet matches (four digits of
    an account walked 70,000 matters for a page of 50, bench/matter_list.py). A list
    filtered by stage, firm and owner alone is counted exactly from the kept counts first
    (``legalcase.services.matter_counts``: a sum of a few rows), its ids read only when
    they are few; any other longer list by ``count_beyond``: exactly here (API.md keeps a
    filtered count exact).
    An unfiltered list keeps ``EstimatingPaginator``'s estimate; other databases count exactly.
    """

    # A counted list's ids, in no order, when it is shown newest first (``count``).
    _newest_first: list[int] | None = None

    def __init__(
        self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, small: int | None = None, rows=None
    ):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.small = SMALL_LIST if small is None else small
        # How many ids a list the kept counts cannot count reads at once.
        self.wide_up_to = WIDE_LIST
        # ``rows(page's queryset)``: how a page is read (tuples of the API's columns), after
        # counting and slicing the plain queryset, whose count needs none of the rows' joins.
        self.rows = rows

    @cached_property
    def count(self) -> int:
        matters = self.object_list
        postgresql = isinstance(matters, QuerySet) and connections[matters.db].vendor == "postgresql"
        if not postgresql or not matters.query.where:
            return super().count
        kept = matter_count(matters)
        wide = kept is None
        limit = max(self.small, self.wide_up_to) if wide else self.small
        if not wide and kept > limit:
            # A stage's 200,000 matters: the kept count alone, not a thousand ids read first.
            return kept
        ids = matter_ids(matters, limit + 1)
        if len(ids) <= limit:
            # The ids stand for the filter (and the access rule, which chose them): left in, the
            # planner joins every match before sorting; alone, it reads the page's rows in order.
            self._unfiltered = matters.all()
            self._unfiltered.query.where = WhereNode()
            if matters.query.order_by == ("-id",):
                # Newest first (the list's default): a page is cut from the ids themselves, and
                # read by its own fifty (told 714, PostgreSQL spent 1.5 ms planning and filtering).
                self._newest_first = ids
            else:
                self.object_list = self._unfiltered.filter(pk__any_of=frozenset(ids))
            return len(ids)
        # Beyond ``limit`` yet not counted so (a writer in between): counted now.
        return self.count_beyond(matters, len(ids)) if wide else matter_count(matters)

    def count_beyond(self, matters: QuerySet, seen: int) -> int:
        return matters.count()

    def page(self, number):
        """A page; cut from a wide list's ids newest first, or sorted by the recovery score
        alone and read by its ids (``MatterQuerySet.ids_by_score``)."""
        number = self.validate_number(number)
        matters = self.object_list
        descending = matters.score_order() if hasattr(matters, "score_order") else None
        if descending is None and self._newest_first is None:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if self._newest_first is not None:
            # The page's ids alone are found: 0.14 ms for the first fifty of 6,800, where sorting them all took 0.56.
            shown = frozenset(heapq.nlargest(top, self._newest_first)[bottom:])
            return self._get_page(self._unfiltered.filter(pk__any_of=shown), number, self)
        ids = matters.ids_by_score(bottom, top - bottom, descending=descending)
        return self._get_page(matters.in_order_of(ids), number, self)

    def _get_page(self, object_list, number, paginator):
        if self.rows is not None and isinstance(object_list, QuerySet):
            object_list = self.rows(object_list)
        return super()._get_page(object_list, number, paginator)


class PageCountPaginator(MatterPaginator):
    """The list pages' paginator: an exact count only while it is cheap.

    An exact ``count(*)`` of 200,000 matters in one stage costs PostgreSQL more than the
    page itself, on every request. Beyond what ``MatterPaginator`` counts exactly (the ids
    it read, the kept counts), ``count`` is the planner's estimate with
    ``count_is_estimate`` set ("about N"), or, for a search (``estimate=False``: its
    estimates are guesses) or an estimate below what was seen, the ids seen with
    ``count_is_lower_bound`` set ("more than ``count_bound``"). ``small`` grows with the
    page asked for (``page``), so that every page up to it exists and links to the next.
    """

    count_is_lower_bound = False
    count_bound: int | None = None

    def __init__(self, object_list, per_page, *, page: str | int | None = None, estimate: bool = True):
        try:
            number = max(int(page), 1) if page is not None else 1
        except (TypeError, ValueError):
            number = 1
        super().__init__(object_list, per_page, small=max(SMALL_LIST, number * int(per_page)))
        self.estimate = estimate
        # A filter's estimate is good (the planner's statistics): its ids are read as far as
        # ``small`` only; a search's is a guess, so its ids are read to count it.
        self.wide_up_to = 0 if estimate else WIDE_LIST

    def count_beyond(self, matters: QuerySet, seen: int) -> int:
        planned = planned_rows(matters) if self.estimate else None
        if planned is not None and planned > seen:
            self.count_is_estimate = True
            return planned
        self.count_is_lower_bound = True
        self.count_bound = seen - 1  # "more than" this many
        return seen


class MatterPagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}`` plus ``count_is_estimate`` when it is one."""

    django_paginator_class = EstimatingPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        if self.page.paginator.count_is_estimate:
            response.data["count_is_estimate"] = True
        return response

    def get_paginated_response_schema(self, schema):
        response_schema = super().get_paginated_response_schema(schema)
        response_schema["properties"]["count_is_estimate"] = {
            "type": "boolean",
            "description": "Present (true) only when `count` is an estimate: an unfiltered list of over 100,000 rows.",
        }
        return response_schema


class MatterListPagination(MatterPagination):
    """The matter list's (``GET /api/v1/matters/``): a small filtered list counted by its ids (``MatterPaginator``)."""

    django_paginator_class = MatterPaginator
