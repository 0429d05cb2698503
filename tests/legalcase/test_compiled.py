"""A query compiled once answers as the ORM does, with the ORM's conversions, for any ids given."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from legalcase.compiled import CompiledQuery
from legalcase.models import Debt, Matter, Party
from tests.factories import make_matter

pytestmark = pytest.mark.django_db


def _debts(first, last):
    # Dates, a decimal and an encrypted column: each needs the ORM's converters on one database or the other.
    return (
        Debt.objects.filter(matter__pk__range=(first, last))
        .order_by("id")
        .values_list("id", "principal", "overdue_since", "debtor__id_number", "debtor__name")
    )


def test_the_rows_are_the_orms_for_each_range_given():
    matters = [make_matter() for _ in range(3)]
    query = CompiledQuery(_debts)
    first, last = matters[0].pk, matters[-1].pk
    for span in ((first, last), (first, first), (last, last), (last + 1, last + 5)):
        assert query.rows(*span) == list(_debts(*span))
    assert query.rows(first, last)[0][3] == Party.objects.get(debts__matter=matters[0]).id_number != ""


def test_it_runs_one_query_and_builds_the_sql_once():
    matter = make_matter()
    query = CompiledQuery(lambda pk: Matter.objects.filter(pk=pk).values_list("stage"))
    query.rows(matter.pk)
    with CaptureQueriesContext(connection) as captured:
        assert query.rows(matter.pk) == [(matter.stage,)]
    assert len(captured) == 1 and str(matter.pk) in captured[0]["sql"]


def test_a_value_the_query_does_not_use_and_a_wrong_count_are_refused():
    unused = CompiledQuery(lambda pk: Matter.objects.filter(pk__gt=0).values_list("pk"))
    with pytest.raises(ValueError, match=r"does not use values \[0\]"):
        unused.rows(1)
    with pytest.raises(TypeError, match="expected 2 values, got 1"):
        CompiledQuery(_debts).rows(1)
