"""Pagination of every API list (API.md, "Lists are paginated").

Kept apart from ``legalcase.api`` because REST_FRAMEWORK's DEFAULT_PAGINATION_CLASS is
imported while ``rest_framework.generics`` itself is being imported: the module it
names must not import views, or the two imports go round in a circle.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination

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
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table])
        row = cursor.fetchone()
    # reltuples is -1 for a table never analysed.
    estimate = int(row[0]) if row else -1
    return estimate if estimate > ESTIMATE_COUNT_ABOVE else None


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
