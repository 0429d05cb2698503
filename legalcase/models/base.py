"""What the models of several subjects share: the append-only row of a log; the ``any_of`` lookup."""

from __future__ import annotations

from django.db import models


class AppendOnlyError(Exception):
    """Raised on an attempt to edit or delete an entry of an append-only log."""


class AppendOnly(models.Model):
    """A row that is written once: ``save`` refuses an update and ``delete`` refuses outright.

    A mistake is put right by a new row (an event, a counter-entry), never by an edit.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


@models.IntegerField.register_lookup
@models.ForeignKey.register_lookup
class AnyOf(models.Lookup):
    """``pk__any_of=ids``: ``IN`` for a collection of ids, sent to PostgreSQL as one array.

    Django writes ``IN (%s, %s, …)``, one parameter per id: for the thousand ids of a common
    name's search, compiling and quoting them cost about 2 ms of Python per query
    (bench/matter_list_cpu.py). ``= ANY('{…}'::bigint[])`` is the same condition to
    PostgreSQL's planner and index scans; other databases get an ``IN``.

    Pass many ids as a set or frozenset, not a list or tuple: Django resolves each item of
    those as a possible expression before the lookup sees them (7,800 calls for the ids of
    a common name).
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(map(int, self.rhs))

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        if not self.rhs:
            return "1 = 0", []
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", [*params, *self.rhs]

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        # An array literal: quoting a list parameter costs psycopg2 nearly as much as the IN's.
        return f"{lhs} = ANY(%s::bigint[])", [*params, "{" + ",".join(map(str, self.rhs)) + "}"]
