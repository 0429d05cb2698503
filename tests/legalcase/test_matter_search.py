"""Finding a matter by what users know (API.md, ``q``): identifiers, digests, other firms, sorting, export."""

from __future__ import annotations

import copy
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from legalcase.models import (
    AuditEvent,
    Deadline,
    EnforcementAction,
    Matter,
    MatterScore,
    Party,
    Proceeding,
    Role,
    SearchKey,
)
from legalcase.search import digest, normal_phone, query_digests
from tests.factories import escalation_body, make_firm, make_matter, make_party, make_user
from tests.shared_rows import shared_rows

pytestmark = pytest.mark.django_db

DEBTOR_ID = "110105199001011232"
GUARANTOR_PHONE = "13987654321"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def numbers(user, **params) -> list[str]:
    response = api(user).get("/api/v1/matters/", params)
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """``world``'s rows, made once for the module's tests (tests/shared_rows.py)."""
    with shared_rows(django_db_blocker, "search world"):
        yield _world()


@pytest.fixture
def world(shared_world):
    """A matter escalated through the API (debtor 张三, guarantor 李四) held by one firm, and others."""
    return copy.deepcopy(shared_world)


def _world() -> dict:
    firm, other_firm = make_firm("本所律师事务所"), make_firm("他所律师事务所")
    counsel = make_user(Role.COUNSEL)
    response = api(counsel).post("/api/v1/escalations/", escalation_body(), format="json")
    assert response.status_code == 201, response.content
    found = Matter.objects.get(pk=response.json()["id"])
    Matter.objects.filter(pk=found.pk).update(assigned_firm=firm)
    Proceeding.objects.create(matter=found, kind="first_instance", case_number="（2025）沪0115民初12345号")
    EnforcementAction.objects.create(
        matter=found, kind="freeze_deposit", started_on=dt.date(2025, 9, 1), case_number="(2025)沪0115执678号"
    )
    decoys = [
        make_matter(debtor=make_party("王五"), contract_number=f"DECOY-{i}", account_number=f"62258800999900{i}1")
        for i in range(3)
    ]
    return {
        "matter": Matter.objects.get(pk=found.pk),
        "counsel": counsel,
        "lawyer": make_user(Role.LAWYER, firm=firm),
        "other_lawyer": make_user(Role.LAWYER, firm=other_firm),
        "decoys": decoys,
    }


QUERIES = {
    "debtor name": "张三",
    "guarantor name": "李四",
    "guarantor name prefix": "李",
    "identity number": DEBTOR_ID,
    "identity number with spaces": "110105 19900101 1232",
    "guarantor identity number": None,  # filled from the body
    "phone": "13812345678",
    "phone with +86, spaces and dashes": "+86 138-1234-5678",
    "guarantor phone": "0086 139 8765 4321",
    "last four digits": "5678",
    "contract number": "XYK-2021-000123",
    "account number": "6225880012345678",
    "proceeding case number, half-width brackets": "(2025)沪0115民初12345号",
    "proceeding case number as filed": "（2025）沪0115民初12345号",
    "enforcement case number, full-width": "（2025）沪0115执678号",
    "enforcement case number with 〔〕": "〔2025〕沪0115执678号",
}


@pytest.mark.parametrize("what", list(QUERIES))
def test_the_list_finds_the_matter_by_each_identifier(world, what):
    q = QUERIES[what] or escalation_body()["guarantors"][0]["id_number"]
    matter = world["matter"]
    assert matter.number in numbers(world["counsel"], q=q)
    assert matter.number in numbers(world["lawyer"], q=q)
    assert not {d.number for d in world["decoys"]} & set(numbers(world["counsel"], q=q))


@pytest.mark.parametrize("size", [4, 6, 8])
def test_part_of_a_matter_number_finds_it(world, size):
    matter = world["matter"]
    part = matter.number[-size:]
    assert matter.number in numbers(world["counsel"], q=part)
    assert matter.number in numbers(world["counsel"], q=part.lower())
    # Three characters are too few to mean a part of a number.
    assert matter.number not in numbers(world["counsel"], q=matter.number[-3:])


@pytest.mark.parametrize("what", list(QUERIES))
def test_another_firms_lawyer_finds_nothing(world, what):
    q = QUERIES[what] or escalation_body()["guarantors"][0]["id_number"]
    assert numbers(world["other_lawyer"], q=q) == []
    assert numbers(world["other_lawyer"], q=world["matter"].number[-6:]) == []


@pytest.mark.parametrize("q", ["13812345679", "110105199001011233", "5679", "王", "（2025）沪0115民初12346号", "1381234"])
def test_a_near_miss_finds_nothing(world, q):
    assert world["matter"].number not in numbers(world["counsel"], q=q)


def test_the_page_finds_it_too_and_not_for_another_firm(client, world):
    client.force_login(world["counsel"])
    page = client.get(reverse("matter_list"), {"q": "+86 138 1234 5678"}).content.decode()
    assert world["matter"].number in page
    client.force_login(world["other_lawyer"])
    page = client.get(reverse("matter_list"), {"q": "+86 138 1234 5678"}).content.decode()
    assert world["matter"].number not in page


def test_no_second_clear_copy_is_stored(world):
    party = Party.objects.get(id_number=DEBTOR_ID)
    keys = set(SearchKey.objects.filter(party=party).values_list("kind", "digest"))
    assert keys == {("id_number", digest("id_number", DEBTOR_ID)), ("phone", digest("phone", "13812345678"))}
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM legalcase_searchkey")
        dump = repr(cursor.fetchall())
    assert DEBTOR_ID not in dump and "13812345678" not in dump and "12345678" not in dump
    assert all(len(value) == 64 for _kind, value in keys)


def test_digests_are_keyed_and_every_listed_key_is_looked_up(settings):
    settings.SEARCH_DIGEST_KEYS = ["first-key"]
    first = digest("phone", "13812345678")
    settings.SEARCH_DIGEST_KEYS = ["second-key", "first-key"]
    assert digest("phone", "13812345678") != first
    assert query_digests("phone", "+86 138-1234-5678")[1] == first
    assert normal_phone("8613812345678") == "13812345678" and normal_phone("张三") == ""


def test_keys_follow_a_changed_phone(world):
    party = Party.objects.get(id_number=DEBTOR_ID)
    url = f"/api/v1/matters/{world['matter'].pk}/parties/{party.pk}/"
    response = api(world["counsel"]).patch(url, {"phones": [{"number": "13700000000", "status": "ok"}]}, format="json")
    assert response.status_code == 200, response.content
    assert numbers(world["counsel"], q="13812345678") == []
    assert numbers(world["counsel"], q="137-0000-0000") == [world["matter"].number]
    # The identity number and the one phone (on the party and in its list: one digest).
    assert SearchKey.objects.filter(party=party).count() == 2


def test_every_number_of_a_party_is_found_a_wrong_one_too(world):
    party = Party.objects.get(id_number=DEBTOR_ID)
    url = f"/api/v1/matters/{world['matter'].pk}/parties/{party.pk}/"
    phones = [{"number": "13812345678", "status": "wrong"}, {"number": "13900001111", "status": "ok"}]
    assert api(world["counsel"]).patch(url, {"phones": phones}, format="json").status_code == 200
    assert numbers(world["counsel"], q="13812345678") == [world["matter"].number]
    assert numbers(world["counsel"], q="+86 139 0000 1111") == [world["matter"].number]


def test_the_command_rebuilds_every_key_after_a_key_change(world, settings):
    from django.core.management import call_command

    settings.SEARCH_DIGEST_KEYS = ["a-new-key"]
    assert numbers(world["counsel"], q=DEBTOR_ID) == []
    call_command("search_keys_refresh", stdout=io.StringIO())
    assert numbers(world["counsel"], q=DEBTOR_ID) == [world["matter"].number]


# --- Sorting ------------------------------------------------------------------------------------


def test_score_sorts_highest_first_with_unscored_matters_last_and_ties_newest_first(world):
    a, b, c = world["decoys"]
    for matter, value in ((a, "0.2000"), (b, "0.9000"), (c, "0.2000")):
        MatterScore.objects.create(matter=matter, value=Decimal(value), kind="rules")
    unscored = world["matter"]
    assert numbers(world["counsel"], ordering="-score") == [b.number, c.number, a.number, unscored.number]
    assert numbers(world["counsel"], ordering="score") == [c.number, a.number, b.number, unscored.number]
    # A page at a time (read by ids: the scored through the score's index, then the unscored),
    # through the API and the list page, across the scored matters' end.
    paged = [numbers(world["counsel"], ordering="-score", page_size=3, page=n) for n in (1, 2)]
    assert paged == [[b.number, c.number, a.number], [unscored.number]]
    client = Client()
    client.force_login(world["counsel"])
    page = client.get("/", {"ordering": "-score"}).content.decode()
    positions = [page.index(f">{m.number}</a>") for m in (b, c, a, unscored)]
    assert positions == sorted(positions)


def test_limitation_sorts_soonest_first_and_matters_without_one_last(world):
    a, b, c = world["decoys"]
    Deadline.objects.filter(matter__in=[a, b, c, world["matter"]], kind="limitation").delete()
    for matter, due in ((a, dt.date(2027, 5, 1)), (b, dt.date(2026, 1, 1))):
        Deadline.objects.create(matter=matter, kind="limitation", due_on=due, rule="test")
    Deadline.objects.create(matter=c, kind="limitation", due_on=dt.date(2020, 1, 1), rule="old",
                            superseded_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))  # fmt: skip
    Matter.objects.all().sort_columns_refresh()  # the rows above bypass the deadline engine
    rest = [world["matter"].number, c.number]
    rest.sort(key=lambda number: -Matter.objects.get(number=number).pk)
    assert numbers(world["counsel"], ordering="limitation_expires_on") == [b.number, a.number, *rest]
    assert numbers(world["counsel"], ordering="-limitation_expires_on") == [a.number, b.number, *rest]


def test_outstanding_sorts_by_claim_plus_costs_less_recoveries(world):
    listed = numbers(world["counsel"], ordering="-outstanding_total")
    totals = [Matter.objects.get(number=number).outstanding["total"] for number in listed]
    assert totals == sorted(totals, reverse=True) and len(listed) == 4


# --- Export -------------------------------------------------------------------------------------


def test_the_export_of_a_search_is_masked_and_audited(world):
    response = api(world["counsel"]).get("/api/v1/matters/export.xlsx", {"q": DEBTOR_ID})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [world["matter"].number]
    text = repr(rows)
    assert DEBTOR_ID not in text and "13812345678" not in text and "6225880012345678" not in text
    audit = AuditEvent.objects.get(action="export", target="matters")
    assert audit.detail["filters"] == {"q": DEBTOR_ID} and audit.detail["rows"] == 1


def test_another_firms_lawyer_exports_nothing_by_identifier(world):
    response = api(world["other_lawyer"]).get("/api/v1/matters/export.xlsx", {"q": DEBTOR_ID})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1:] == []
