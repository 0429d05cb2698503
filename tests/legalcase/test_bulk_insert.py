"""``legalcase.bulk.rows_insert`` stores what ``Model.objects.create`` stores (COPY on PostgreSQL)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict

from legalcase.bulk import rows_insert
from legalcase.models import Creditor, Deadline, Debt, Matter, MatterEvent, Party, Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

AWKWARD = ['逗号,引号"和\\反斜杠', "换行\n回车\r制表\t", "", "NULL", "\\N", " 前后空格 "]


def _stored(model, pk, *, leave=("id",)) -> dict:
    return {k: v for k, v in model_to_dict(model.objects.get(pk=pk)).items() if k not in leave}


def test_awkward_text_dates_numbers_booleans_and_json_arrive_as_given():
    creditor = Creditor.objects.create(name="某银行", uscc="91310000MA1FL0099U")
    columns = ("kind", "name", "id_number", "gender", "birth_date", "phone", "address")
    rows = [
        ("person", text, f"11010519900101{n:04d}", "", dt.date(1990, 1, n + 1) if n % 2 else None, text, text)
        for n, text in enumerate(AWKWARD)
    ]
    ids = rows_insert(Party, columns, rows)
    assert len(set(ids)) == len(rows)
    for pk, row in zip(ids, rows):
        party = Party.objects.get(pk=pk)
        assert tuple(getattr(party, name) for name in columns) == row

    debt_ids = rows_insert(
        Debt,
        ("creditor_id", "debtor_id", "product", "account_number", "amounts_as_of", "principal", "overdue_since",
         "annual_interest_rate"),
        [(creditor.pk, ids[0], "loan", "A-1", dt.date(2025, 6, 30), Decimal("12345678901234.99"), dt.date(2024, 1, 1),
          Decimal("0.18250000")),
         (creditor.pk, ids[1], "credit_card", "A-2", dt.date(2025, 6, 30), Decimal("0.00"), dt.date(2024, 1, 1), None)],
    )  # fmt: skip
    same = Debt.objects.create(
        creditor=creditor, debtor_id=ids[0], product="loan", account_number="A-3", amounts_as_of=dt.date(2025, 6, 30),
        principal=Decimal("12345678901234.99"), overdue_since=dt.date(2024, 1, 1), annual_interest_rate=Decimal("0.1825"),
    )  # fmt: skip
    assert _stored(Debt, debt_ids[0], leave=("id", "account_number")) == _stored(Debt, same.pk, leave=("id", "account_number"))
    assert Debt.objects.get(pk=debt_ids[1]).annual_interest_rate is None

    now = dt.datetime(2026, 4, 1, 9, 30, tzinfo=dt.UTC)
    (matter_id,) = rows_insert(
        Matter,
        ("number", "debt_id", "debtor_name", "stage", "created_at", "stage_changed_at"),
        [("FS-2026-000001", debt_ids[0], AWKWARD[0], "intake", now, now)],
    )
    matter = Matter.objects.get(pk=matter_id)
    assert (matter.debtor_name, matter.created_at, matter.closing_reason, matter.recovered_costs) == (
        AWKWARD[0], now, "", Decimal("0.00"),
    )  # fmt: skip
    user = make_user(Role.COUNSEL)
    computed_from = {"default": "2024-01-01", "events": [{"on": "2025-01-15", "kind": "demand"}], "note": AWKWARD[1]}
    (event_id,) = rows_insert(MatterEvent, ("matter_id", "actor_id", "kind", "new"), [(matter_id, user.pk, "created",
                                                                                      computed_from)])  # fmt: skip
    event = MatterEvent.objects.get(pk=event_id)
    assert (event.new, event.old, event.note) == (computed_from, None, "")
    (deadline_id,) = rows_insert(
        Deadline,
        ("matter_id", "kind", "due_on", "rule", "verified_calendar", "computed_from", "basis_digest"),
        [(matter_id, "limitation", dt.date(2028, 1, 17), "limitation@2021", False, computed_from, "abc")],
    )
    deadline = Deadline.objects.get(pk=deadline_id)
    assert (deadline.verified_calendar, deadline.computed_from, deadline.status, deadline.party_id) == (
        False, computed_from, "open", None,
    )  # fmt: skip
