"""Querysets compiled to SQL once and run again with other ids: for the queries a service runs on every call.

Django builds a query's SQL afresh on each run: for the deadline engine's short
``values_list`` queries that costs 1.5-2 ms of Python each, against 0.3-0.6 ms in the
database, and every service that changes a matter recomputes its deadlines (twelve
such queries). A ``CompiledQuery`` asks Django for the SQL once per kind of database,
with marker ids in the places of the ids, and then runs that SQL with the ids given,
reading the rows through the same converters the ORM applies.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

# Ids no row has (negative, and far below any id a sequence gives): the places of the values.
_MARKERS = tuple(-7_340_000_001 - n for n in range(8))


class CompiledQuery:
    """A ``values_list`` queryset of some ids, compiled once per database vendor.

    ``build`` receives one integer per parameter it names and returns the queryset; each integer may
    appear anywhere an id goes (``pk__range=(first, last)``, ``matter_id=...``). Only
    integers are replaced: a date or a time in the query is compiled in as it was first
    built, so ``build`` must not read the clock or any other changing value.
    """

    def __init__(self, build: Callable[..., QuerySet]):
        self._build = build
        self._arity = len(inspect.signature(build).parameters)
        self._by_vendor: dict[str, tuple] = {}

    def rows(self, *values: int, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
        """The rows for these ids, as ``values_list`` gives them."""
        if len(values) != self._arity:
            raise TypeError(f"expected {self._arity} values, got {len(values)}")
        connection = connections[using]
        compiled = self._by_vendor.get(connection.vendor)
        if compiled is None:
            compiled = self._by_vendor[connection.vendor] = self._compiled(using)
        sql, params, places, converters = compiled
        params = list(params)
        for index, which in places:
            params[index] = values[which]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for index, functions, expression in converters:
                for function in functions:
                    row[index] = function(row[index], expression, connection)
            converted.append(tuple(row))
        return converted

    def _compiled(self, using: str) -> tuple:
        markers = _MARKERS[: self._arity]
        compiler = self._build(*markers).query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        places = [
            (index, markers.index(value))
            for index, value in enumerate(params)
            if type(value) is int and value in markers
        ]
        missing = set(range(self._arity)) - {which for _index, which in places}
        if missing:
            raise ValueError(f"the query does not use values {sorted(missing)} where Django puts parameters")
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = [
            (index, functions, expression)
            for index, (functions, expression) in compiler.get_converters(fields).items()
        ]
        return sql, tuple(params), places, converters
