"""POST /api/v1/escalations/ (API.md "Escalations"): intake, idempotency, validation, roles."""

import copy
import datetime as dt
import json
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from legalcase.identity import build_resident_id, build_uscc
from legalcase.models import (
    Creditor,
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
from tests.factories import escalation_body, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/escalations/"
ID_NUMBER = "110105199001011232"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


def post(client, body):
    return client.post(URL, body, format="json")


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Matter, Party, Debt, DemandRecord, Guarantee, Creditor))


def test_the_example_body_opens_a_matter_with_its_limitation_date(counsel):
    response = post(client_for(counsel), escalation_body())
    assert response.status_code == 201, response.json()
    data = response.json()
    # Default 2024-11-05; the delivered SMS of 2025-01-15 restarts 3 years: 2028-01-15 is a
    # Saturday, so the period ends on Monday 2028-01-17 (2028 is past the holiday data).
    assert data["limitation_expires_on"] == "2028-01-17"
    assert data["time_barred"] is False
    limitation = [d for d in data["deadlines"] if d["kind"] == "limitation"]
    assert limitation == [
        {
            "id": limitation[0]["id"],
            "kind": "limitation",
            "due_on": "2028-01-17",
            "rule": "limitation@2021",
            "status": "open",
            "verified_calendar": False,
            "at": None,
            "place": None,
            "court": None,
        }
    ]
    assert data["debtor"]["id_number"] == "110105********1232"
    assert data["amounts"]["total"] == "52558.05"
    matter = Matter.objects.get(pk=data["id"])
    assert matter.debt.demands.get().delivered is True
    assert matter.events.filter(kind=EventKind.CREATED).count() == 1
    assert matter.debt.guarantees.get().guarantor.name == "李四"


def test_a_guarantor_without_an_agreed_period_gets_six_months_from_the_due_date(counsel):
    data = post(client_for(counsel), escalation_body()).json()
    (guarantee,) = [d for d in data["deadlines"] if d["kind"] == "guarantee_period"]
    # 2024-11-05 + 6 months = 2025-05-05, the last day of the Labour Day holiday: 2025-05-06.
    assert guarantee["due_on"] == "2025-05-06"
    assert guarantee["rule"] == "guarantee_period@2021" and guarantee["verified_calendar"] is True


def test_a_repeat_answers_200_with_the_same_matter_amounts_replaced_and_no_duplicate_demand(counsel):
    client = client_for(counsel)
    first = post(client, escalation_body()).json()
    body = escalation_body(
        amounts={"as_of": "2025-07-31", "principal": "47000.00", "interest": "3500.00"},
        demands=[
            {"date": "2025-01-15", "channel": "sms", "delivered": True, "note": "再次推送"},
            {"date": "2025-03-02", "channel": "letter", "delivered": True},
        ],
    )
    response = post(client, body)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["id"] == first["id"]
    assert data["amounts"]["as_of"] == "2025-07-31"
    assert data["amounts"]["principal"] == "47000.00"
    assert data["amounts"]["penalty_interest"] == "0.00"
    assert DemandRecord.objects.count() == 2
    # The letter of 2025-03-02 restarted limitation: 2028-03-02 is a Thursday.
    assert data["limitation_expires_on"] == "2028-03-02"
    assert Matter.objects.count() == 1
    update = MatterEvent.objects.get(matter_id=data["id"], kind=EventKind.UPDATED)
    assert update.old["amounts"]["principal"] == "48230.55"
    assert update.new["amounts"]["principal"] == "47000.00"
    assert update.new["demands_added"] == 1
    # The old limitation row is kept, superseded.
    matter = Matter.objects.get(pk=data["id"])
    assert matter.deadlines.filter(kind="limitation").count() == 2
    assert matter.deadlines.filter(kind="limitation", superseded_at__isnull=True).get().due_on == dt.date(2028, 3, 2)


def test_an_identical_repeat_records_no_update(counsel):
    client = client_for(counsel)
    first = post(client, escalation_body()).json()
    assert post(client, escalation_body()).status_code == 200
    assert not MatterEvent.objects.filter(matter_id=first["id"], kind=EventKind.UPDATED).exists()
    assert Matter.objects.get(pk=first["id"]).deadlines.count() == 2


def test_a_repeat_with_another_debtor_answers_409_and_changes_nothing(counsel):
    client = client_for(counsel)
    post(client, escalation_body())
    before = counts()
    other = build_resident_id(area_code="110105", birth_date=dt.date(1990, 1, 1), sequence=15)
    body = escalation_body(
        debtor={"name": "王五", "id_number": other}, amounts={"as_of": "2025-07-31", "principal": "1.00"}
    )
    response = post(client, body)
    assert response.status_code == 409
    assert response.json()["stage"] == "intake"
    assert other not in response.content.decode() and ID_NUMBER not in response.content.decode()
    assert counts() == before
    assert Debt.objects.get().principal == Decimal("48230.55")


def test_the_original_creditor_and_a_new_portfolio_are_stored(counsel):
    original = {"name": "某某银行股份有限公司", "uscc": "91310000MA1FL0099U"}
    body = escalation_body(
        creditor={"name": "某某资产管理股份有限公司", "uscc": build_uscc("91110000MA0000001")},
        original_creditor=original,
        portfolio="2025年第一批不良资产包",
    )
    assert post(client_for(counsel), body).status_code == 201
    debt = Debt.objects.get()
    assert debt.original_creditor.uscc == "91310000MA1FL0099U"
    assert debt.portfolio.name == "2025年第一批不良资产包"
    assert Portfolio.objects.count() == 1


def test_a_debtor_with_two_accounts_is_one_party(counsel):
    client = client_for(counsel)
    post(client, escalation_body())
    assert post(client, escalation_body(account_number="6225880099990000", guarantors=[])).status_code == 201
    assert Party.objects.filter(id_number=ID_NUMBER).count() == 1
    assert Matter.objects.count() == 2


def _set(body: dict, path: str, value) -> dict:
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    target = body
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return body


def _error_at(errors, path: str):
    for key in path.split("."):
        errors = errors[int(key)] if isinstance(errors, list) else errors[key]
    return errors


BAD = [
    ("creditor.uscc", "91310000MA1FL0099A"),
    ("debtor.id_number", "110105199001011231"),
    ("debtor.id_number", "11010519900230123X"),
    ("debtor.gender", "female"),
    ("debtor.birth_date", "1990-01-02"),
    ("amounts.principal", "-1.00"),
    ("amounts.interest", "-0.01"),
    ("overdue_since", "2025-02-30"),
    ("demands.0.date", "2025-02-30"),
    ("product", "mortgage"),
    ("demands.0.channel", "pigeon"),
    ("guarantors.0.guarantee_type", "moral"),
    ("guarantors.0.id_number", "110105198805201240"),
    ("creditor.name", KeyError),
    ("creditor.uscc", KeyError),
    ("product", KeyError),
    ("account_number", KeyError),
    ("debtor.name", KeyError),
    ("debtor.id_number", KeyError),
    ("amounts.as_of", KeyError),
    ("amounts.principal", KeyError),
    ("overdue_since", KeyError),
]


@pytest.mark.parametrize(("path", "value"), BAD, ids=[f"{p}={v if v is not KeyError else 'missing'}" for p, v in BAD])
def test_an_invalid_field_answers_400_naming_it_and_stores_nothing(counsel, path, value):
    before = counts()
    body = _set(escalation_body(), path, value)
    response = post(client_for(counsel), body)
    assert response.status_code == 400
    assert _error_at(response.json(), path)
    text = response.content.decode()
    assert ID_NUMBER not in text and "110105199001011231" not in text and "110105198805201240" not in text
    assert counts() == before


def test_the_gender_error_names_gender_not_the_number(counsel):
    body = _set(escalation_body(), "debtor.gender", "female")
    errors = post(client_for(counsel), body).json()
    assert list(errors) == ["debtor"] and list(errors["debtor"]) == ["gender"]


@pytest.mark.parametrize("role", [Role.LAWYER, Role.MANAGER])
def test_lawyers_and_managers_may_not_escalate(role):
    response = post(client_for(make_user(role)), escalation_body())
    assert response.status_code == 403
    assert Matter.objects.count() == 0


def test_an_administrator_may_escalate():
    assert post(client_for(make_user(Role.ADMIN)), escalation_body()).status_code == 201


def test_without_credentials_it_answers_401():
    response = APIClient().post(URL, json.dumps(escalation_body()), content_type="application/json")
    assert response.status_code == 401


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_first_escalations_of_one_account_open_one_matter(postgres_only):
    import threading

    from django.db import connection

    from legalcase.api import EscalationSerializer
    from legalcase.services import matter_escalate

    user = make_user(Role.COUNSEL)
    serializer = EscalationSerializer(data=escalation_body())
    serializer.is_valid(raise_exception=True)
    results: list = []
    barrier = threading.Barrier(4)

    def escalate():
        try:
            barrier.wait()
            results.append(matter_escalate(user=user, data=copy.deepcopy(serializer.validated_data)))
        finally:
            connection.close()

    threads = [threading.Thread(target=escalate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    assert sorted(created for _matter, created in results) == [False, False, False, True]
    assert len({matter.pk for matter, _created in results}) == 1
    assert Matter.objects.count() == 1 and DemandRecord.objects.count() == 1
