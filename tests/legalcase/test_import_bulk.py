"""The import's set-based path: same validation as the API, same rows as ``matter_escalate``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from legalcase import escalation_input
from legalcase.api import EscalationSerializer
from legalcase.importing import escalation_body, escalation_fast_validate, escalation_validate, escalations_import
from legalcase.importing import storing
from legalcase.models import (
    Creditor,
    Deadline,
    Debt,
    DemandRecord,
    Matter,
    MatterEvent,
    Party,
    Portfolio,
    Role,
)
from legalcase.services import escalations as service
from tests.factories import make_user
from tests.legalcase.test_import import ENGLISH, _bad_rows, row, write_csv

pytestmark = pytest.mark.django_db


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _cells(values: dict) -> dict:
    return {name: values[name] for name in ENGLISH}


def _variants() -> list[dict]:
    return [
        row(1),
        row(2, debtor_gender="", debtor_birth_date="", debtor_phone="", debtor_address=""),
        row(3, last_demand_date="", last_demand_channel="", last_demand_delivered=""),
        row(4, last_demand_delivered="否", last_demand_channel="电话"),
        row(
            5,
            matured_on="2024年12月31日",
            portfolio="2025年第一批",
            product="贷款",
            debtor_gender="男" if int(row(5)["debtor_id_number"][16]) % 2 else "女",
        ),
        row(6, principal=48230.5, interest=12, fees=0.0, contract_date=dt.date(2021, 3, 15)),
        row(7, principal="12345678901234.99", interest="", contract_number=""),
        row(8, principal="0", last_payment_date="", debtor_id_number=row(8)["debtor_id_number"].lower()),
        row(9, last_demand_delivered="", debtor_name="张" * 200),
    ]


def _odd_rows() -> list[dict]:
    """Rows the fast path must leave to the serializer (or, where valid, agree on)."""
    good = {i: row(i) for i in range(10)}
    return [
        *_bad_rows(good).values(),
        row(20, principal="1e5"),
        row(21, principal="0012.5"),
        row(22, principal="12.345"),
        row(23, principal="123456789012345.00"),
        row(24, debtor_name="张" * 201),
        row(25, account_number="9" * 41),
        row(26, debtor_birth_date="1960-01-01"),
        row(27, overdue_since="20241105"),
        row(28, last_demand_delivered="maybe"),
        row(29, last_demand_date="", last_demand_channel="sms"),
        row(30, debtor_phone="1" * 21),
        row(31, creditor_uscc=row(31)["creditor_uscc"].lower()),
        row(32, principal="NaN"),
        row(33, debtor_gender="unknown"),
    ]


def test_the_fast_validator_returns_what_the_serializer_validates():
    for values in _variants():
        body, cell_errors = escalation_body(_cells(values))
        assert not cell_errors
        serializer = EscalationSerializer(data=body)
        assert serializer.is_valid(), serializer.errors
        fast = escalation_fast_validate(body)
        assert fast is not None, values
        assert _plain(fast) == _plain(serializer.validated_data)
        # Same values and the same text of every amount (as stored and compared later).
        assert {k: str(v) for k, v in fast["amounts"].items()} == {
            k: str(v) for k, v in serializer.validated_data["amounts"].items()
        }


def test_bad_rows_get_the_serializers_own_reasons(monkeypatch):
    labels = {name: name for name in ENGLISH}
    with_fast = [escalation_validate(_cells(values), labels) for values in _odd_rows()]
    for values in _odd_rows():
        body, _errors = escalation_body(_cells(values))
        fast = escalation_fast_validate(body)
        if fast is not None:  # accepted only where the serializer accepts the same data
            serializer = EscalationSerializer(data=body)
            assert serializer.is_valid(), values
            assert _plain(fast) == _plain(serializer.validated_data)
    monkeypatch.setattr(escalation_input, "escalation_fast_validate", lambda body: None)
    serializer_only = [escalation_validate(_cells(values), labels) for values in _odd_rows()]
    assert [(_plain(d), r) for d, r in with_fast] == [(_plain(d), r) for d, r in serializer_only]
    assert sum(1 for data, _reasons in with_fast if data is None) >= 15


def _snapshot() -> dict:
    return {
        "creditors": sorted(Creditor.objects.values_list("uscc", "name", "address", "representative")),
        "portfolios": sorted(Portfolio.objects.values_list("name", flat=True)),
        "parties": sorted(
            Party.objects.values_list("id_number", "kind", "name", "uscc", "gender", "birth_date", "phone", "address")
        ),
        "debts": sorted(
            (
                {
                    k: v
                    for k, v in d.items()
                    if k not in ("id", "creditor", "debtor", "portfolio", "original_creditor")
                }
                for d in Debt.objects.values(
                    *[f.attname for f in Debt._meta.concrete_fields],
                    "creditor__uscc",
                    "debtor__id_number",
                    "portfolio__name",
                    "original_creditor__uscc",
                )
            ),
            key=lambda d: d["account_number"],
        ),
        "matters": sorted(
            Matter.objects.values_list(
                "number", "debt__account_number", "debtor_name", "stage", "closing_reason", "owner", "assigned_firm"
            )
        ),
        "events": sorted(
            (e["matter__number"], e["actor"], e["kind"], repr(e["old"]), repr(e["new"]), e["note"])
            for e in MatterEvent.objects.values("matter__number", "actor", "kind", "old", "new", "note")
        ),
        "demands": sorted(
            DemandRecord.objects.values_list("debt__account_number", "date", "channel", "delivered", "note")
        ),
        "deadlines": sorted(
            (
                d["matter__number"], d["kind"], d["due_on"], d["rule"], d["status"], d["status_reason"],
                d["verified_calendar"], repr(d["computed_from"]), d["party__id_number"], d["superseded_at"],
            )
            for d in Deadline.objects.values(
                "matter__number", "kind", "due_on", "rule", "status", "status_reason", "verified_calendar",
                "computed_from", "party__id_number", "superseded_at",
            )
        ),
    }


def _debt_id_fields(snapshot: dict) -> None:
    for debt in snapshot["debts"]:
        for name in ("creditor_id", "debtor_id", "portfolio_id", "original_creditor_id"):
            debt.pop(name, None)


def test_the_bulk_path_writes_exactly_what_the_per_row_path_writes(tmp_path, monkeypatch):
    counsel = make_user(Role.COUNSEL)
    stored = Party.objects.create(name="早已登记", id_number=row(40)["debtor_id_number"])
    rows = [
        *_variants(),
        *(row(i) for i in range(10, 40)),
        row(40),  # a debtor already stored: the stored party (and its name) is used
        # The debtor of row 10 again, on another account.
        row(
            41,
            debtor_id_number=row(10)["debtor_id_number"],
            debtor_name="测试10",
            debtor_gender=row(10)["debtor_gender"],
            debtor_birth_date=row(10)["debtor_birth_date"],
        ),
        row(42, last_payment_date="2025-03-01", overdue_since="2023-01-01", last_demand_date="2022-12-01"),
        row(43, portfolio="2025年第一批", matured_on="2026-02-28"),
    ]
    path = write_csv(tmp_path / "same.csv", rows)
    calls = []
    real = service._rows_write

    def refuse(**kwargs):
        if len(kwargs["rows"]) == 1:
            return real(**kwargs)  # the fallback: each row a batch of one, as the API stores it
        calls.append("refused")
        raise IntegrityError("as if a concurrent writer came first")

    monkeypatch.setattr(service, "_rows_write", refuse)
    with transaction.atomic():
        result = escalations_import(user=counsel, path=path)
        assert result["created"] == len(rows) and result["rejected"] == 0
        per_row = _snapshot()
        transaction.set_rollback(True)
    assert calls == ["refused"]  # the chunk fell back to the per-row path
    assert not Matter.objects.exists()

    def spy(**kwargs):
        calls.append(len(kwargs["rows"]))
        return real(**kwargs)

    monkeypatch.setattr(service, "_rows_write", spy)
    result = escalations_import(user=counsel, path=path)
    assert result["created"] == len(rows) and result["rejected"] == 0
    assert calls == ["refused", len(rows)]  # every row went the set-based way
    bulk = _snapshot()

    for snapshot in (per_row, bulk):
        _debt_id_fields(snapshot)
    assert set(bulk) == set(per_row)
    for name in per_row:
        assert bulk[name] == per_row[name], name
    assert len(bulk["matters"]) == len(rows) and len(bulk["deadlines"]) == len(rows)
    assert Matter.objects.get(debt__account_number=row(40)["account_number"]).debtor_name == stored.name


def test_a_debtor_twice_in_a_chunk_is_one_party(tmp_path):
    counsel = make_user(Role.COUNSEL)
    first = row(50)
    second = row(51, debtor_id_number=first["debtor_id_number"], debtor_name="另一个名字",
                 debtor_gender=first["debtor_gender"], debtor_birth_date=first["debtor_birth_date"])
    path = write_csv(tmp_path / "twice.csv", [first, second])

    result = escalations_import(user=counsel, path=path)

    assert result["created"] == 2
    assert Party.objects.filter(id_number=first["debtor_id_number"]).count() == 1
    debts = Debt.objects.filter(account_number__in=[first["account_number"], second["account_number"]])
    assert len({debt.debtor_id for debt in debts}) == 1
    assert set(Matter.objects.values_list("debtor_name", flat=True)) == {first["debtor_name"]}


def test_a_row_repeated_across_chunks_never_makes_a_second_matter(tmp_path, monkeypatch):
    monkeypatch.setattr(storing, "CHUNK_ROWS", 3)
    counsel = make_user(Role.COUNSEL)
    rows = [row(i) for i in range(60, 65)] + [row(61, principal="99.00")]  # the repeat is in the second chunk
    path = write_csv(tmp_path / "repeat.csv", rows)
    reports = []

    result = escalations_import(user=counsel, path=path, report=lambda **kw: reports.append(kw["done"]), total=6)

    assert (result["created"], result["rejected"]) == (5, 1)
    assert reports == [3, 6]
    assert Matter.objects.filter(debt__account_number=row(61)["account_number"]).count() == 1

    # A later file: the stored account is updated in the same chunk as a new one is created.
    write_csv(path, [row(66), row(61, principal="99.00"), row(62), row(67)])
    result = escalations_import(user=counsel, path=path)

    assert (result["created"], result["updated"], result["unchanged"], result["rejected"]) == (2, 1, 1, 0)
    assert Matter.objects.count() == 7
    assert Debt.objects.get(account_number=row(61)["account_number"]).principal == 99
    assert MatterEvent.objects.filter(kind="updated").count() == 1
