"""One escalation service for the API and the import (``services.escalations_apply``)."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from legalcase.identity import build_resident_id, build_uscc
from legalcase.importing import escalation_body as file_body
from legalcase.importing import escalations_import
from legalcase.models import (
    Creditor,
    Deadline,
    Debt,
    DemandRecord,
    EventKind,
    Guarantee,
    Matter,
    MatterEvent,
    Party,
    Portfolio,
    Role,
)
from legalcase.services import escalations_apply
from legalcase.services.transfers import portfolio_add_matters, portfolio_create, portfolio_transfer
from tests.factories import escalation_body, make_user
from tests.legalcase.test_import import ENGLISH, row, write_csv
from tests.legalcase.test_import_bulk import _debt_id_fields, _snapshot

pytestmark = pytest.mark.django_db


def _state() -> dict:
    snapshot = _snapshot()
    _debt_id_fields(snapshot)
    # When a row was superseded differs between two runs; that it was does not.
    snapshot["deadlines"] = [(*d[:-1], d[-1] is not None) for d in snapshot["deadlines"]]
    return snapshot


def _first_file() -> list[dict]:
    return [
        row(1),
        row(2, product="loan", portfolio="2025年第一批", matured_on="2024-12-31"),
        row(3, last_demand_date="", last_demand_channel="", last_demand_delivered=""),
        row(4, debtor_id_number=row(1)["debtor_id_number"], debtor_name="测试1", debtor_gender=row(1)["debtor_gender"],
            debtor_birth_date=row(1)["debtor_birth_date"]),
        row(5, last_demand_delivered="false", last_demand_channel="letter"),
        row(6, principal="-1"),  # invalid
    ]  # fmt: skip


def _second_file() -> list[dict]:
    return [
        row(1),  # unchanged
        row(2, product="loan", portfolio="2025年第一批", matured_on="2024-12-31", principal="47000.00"),  # updated
        row(3, last_demand_date="2025-03-02", last_demand_channel="letter", last_demand_delivered="true"),  # demand
        row(7, account_number=row(5)["account_number"]),  # another debtor: conflict
        row(8),  # new
    ]


def _api_post(client: APIClient, rows: list[dict]) -> list[int]:
    codes = []
    for values in rows:
        body, cell_errors = file_body({name: values[name] for name in ENGLISH})
        assert not cell_errors
        codes.append(client.post("/api/v1/escalations/", body, format="json").status_code)
    return codes


def test_the_api_and_the_import_leave_the_same_rows(tmp_path):
    counsel = make_user(Role.COUNSEL)
    client = APIClient()
    client.force_authenticate(counsel)
    with transaction.atomic():
        assert _api_post(client, _first_file()) == [201, 201, 201, 201, 201, 400]
        assert _api_post(client, _second_file()) == [200, 200, 200, 409, 201]
        by_api = _state()
        transaction.set_rollback(True)
    assert not Matter.objects.exists() and not Party.objects.exists()

    first = escalations_import(user=counsel, path=write_csv(tmp_path / "first.csv", _first_file()))
    second = escalations_import(user=counsel, path=write_csv(tmp_path / "second.csv", _second_file()))
    by_import = _state()

    assert (first["created"], first["rejected"]) == (5, 1)
    assert (second["created"], second["updated"], second["unchanged"], second["rejected"]) == (1, 2, 1, 1)
    assert set(by_api) == set(by_import)
    for name in by_api:
        assert by_import[name] == by_api[name], name
    assert len(by_import["matters"]) == 6 and len(by_import["demands"]) == 6
    assert sum(1 for e in by_import["events"] if e[2] == EventKind.UPDATED) == 2
    assert sum(1 for d in by_import["deadlines"] if d[-1]) == 1  # row 3's limitation, restarted by the letter


AMC = {"name": "某某资产管理股份有限公司", "uscc": build_uscc("91310000MA1AMC001")}


def _body(n: int, **overrides) -> dict:
    body = escalation_body(
        account_number=f"62258800{n:08d}",
        debtor={
            "name": f"债务人{n}",
            "id_number": build_resident_id(area_code="110105", birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=n),
                                           sequence=200 + n),
        },  # fmt: skip
        guarantors=[],
    )
    body.update(overrides)
    return body


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Matter, Debt, Party, DemandRecord, Guarantee, MatterEvent, Deadline))


def test_a_mixed_batch_gets_an_outcome_per_row_and_stores_nothing_for_the_refused(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2026, 4, 1))
    counsel = make_user(Role.COUNSEL)
    escalations_apply(user=counsel, rows=[_body(1), _body(2), _body(3), _body(4)])
    sold = Matter.objects.get(debt__account_number=_body(4)["account_number"])
    portfolio = portfolio_create(user=counsel, name="2026年第一期资产包")
    portfolio_add_matters(user=counsel, portfolio_id=portfolio.pk, matter_ids=[sold.pk])
    portfolio_transfer(user=counsel, portfolio_id=portfolio.pk, to_creditor=AMC, effective_on=dt.date(2026, 2, 1),
                       agreement="《债权转让协议》（编号：ZR-2026-001）")  # fmt: skip
    before = _counts()
    stored_two = Debt.objects.get(account_number=_body(2)["account_number"])
    lender = {"name": "新原债权人", "uscc": build_uscc("91310000MA1YUAN01")}
    other_debtor = _body(3, debtor=_body(90)["debtor"], original_creditor=lender, portfolio="冲突资产包")
    changed = _body(2, amounts={"as_of": "2025-07-31", "principal": "47000.00"})
    bad_uscc = _body(6, creditor={"name": "某银行", "uscc": "91310000MA1FL0099A"})
    missing_principal = _body(7, amounts={"as_of": "2025-07-31"})
    rows = [
        _body(5, guarantors=[{"name": "李四", "id_number": build_resident_id(
            area_code="110105", birth_date=dt.date(1988, 5, 20), sequence=124)}]),  # new, with a guarantor
        _body(1),  # a repeat, equal to what is stored
        changed,  # a repeat with new amounts
        other_debtor,  # a stored account with another debtor
        _body(4),  # an account the bank sold
        bad_uscc,
        missing_principal,
        _body(8),  # new
        _body(8, demands=[{"date": "2025-03-02", "channel": "letter", "delivered": True}]),  # the same account again
    ]  # fmt: skip

    outcomes = escalations_apply(user=counsel, rows=copy.deepcopy(rows))

    assert [o.status for o in outcomes] == [
        "created", "unchanged", "updated", "conflict", "conflict", "invalid", "invalid", "created", "updated",
    ]  # fmt: skip
    new = Matter.objects.get(debt__account_number=rows[0]["account_number"])
    assert outcomes[0].matter_id == new.pk and new.debt.guarantees.get().guarantor.name == "李四"
    assert new.deadlines.filter(kind="guarantee_period").count() == 1
    assert outcomes[1].matter_id == Matter.objects.get(debt__account_number=_body(1)["account_number"]).pk
    assert outcomes[2].matter_id == stored_two.matter.pk
    assert Debt.objects.get(pk=stored_two.pk).principal == Decimal("47000.00")
    assert MatterEvent.objects.filter(matter=stored_two.matter, kind=EventKind.UPDATED).count() == 1
    conflict = Matter.objects.get(debt__account_number=_body(3)["account_number"])
    assert conflict.number in outcomes[3].reason and outcomes[3].error.stage == conflict.stage
    assert other_debtor["debtor"]["id_number"] not in outcomes[3].reason
    assert sold.number in outcomes[4].reason and AMC["name"] in outcomes[4].reason
    assert list(outcomes[5].errors) == ["creditor"] and "uscc" in outcomes[5].errors["creditor"]
    assert list(outcomes[6].errors) == ["amounts"] and "principal" in outcomes[6].errors["amounts"]
    assert outcomes[7].matter_id == outcomes[8].matter_id
    eight = Matter.objects.get(pk=outcomes[7].matter_id)
    assert list(eight.debt.demands.values_list("channel", flat=True).order_by("date")) == ["sms", "letter"]
    # Nothing of the refused rows: no debt, party or creditor; the conflicts changed nothing.
    assert not Debt.objects.filter(account_number__in=[_body(n)["account_number"] for n in (6, 7)]).exists()
    assert not Party.objects.filter(id_number__in=[other_debtor["debtor"]["id_number"],
                                                   bad_uscc["debtor"]["id_number"],
                                                   missing_principal["debtor"]["id_number"]]).exists()  # fmt: skip
    assert not Creditor.objects.filter(name__in=["某银行", lender["name"]]).exists()
    assert not Portfolio.objects.filter(name="冲突资产包").exists()
    assert Debt.objects.get(account_number=_body(3)["account_number"]).debtor.name == "债务人3"
    assert Debt.objects.filter(account_number=_body(4)["account_number"]).count() == 1
    matters, debts, parties, demands, guarantees, events, deadlines = before
    assert _counts()[:5] == (matters + 2, debts + 2, parties + 3, demands + 3, guarantees + 1)


@pytest.mark.parametrize("missing", ["product", "account_number", "creditor", "debtor", "amounts", "overdue_since"])
def test_a_plain_body_missing_a_required_part_answers_400_naming_it(missing):
    body, _errors = file_body({name: row(1)[name] for name in ENGLISH})
    del body[missing]
    client = APIClient()
    client.force_authenticate(make_user(Role.COUNSEL))

    response = client.post("/api/v1/escalations/", body, format="json")

    assert response.status_code == 400 and list(response.json()) == [missing]
    assert not Matter.objects.exists() and not Party.objects.exists()


def test_a_part_of_the_wrong_shape_answers_400():
    body, _errors = file_body({name: row(1)[name] for name in ENGLISH})
    client = APIClient()
    client.force_authenticate(make_user(Role.COUNSEL))
    for part, value in (("debtor", "张三"), ("amounts", ["1"]), ("demands", {"date": "2025-01-15"}), ("creditor", None)):
        response = client.post("/api/v1/escalations/", {**body, part: value}, format="json")
        assert response.status_code == 400 and part in response.json(), (part, response.json())
    assert not Matter.objects.exists()
