"""GET /api/v1/matters/, /matters/{id}/, /firms/, /jobs/{id}/ and the debtor reveal (API.md "Matters")."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from legalcase.access import visible_matters
from legalcase.jobs import job_create
from legalcase.models import EventKind, Guarantee, LawFirm, Matter, MatterEvent, Role
from legalcase.pagination import ESTIMATE_COUNT_ABOVE, estimated_count
from tests.factories import make_firm, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL, username="counsel1")


@pytest.fixture
def matter(counsel):
    debtor = make_party("张三", phone="13812345678")
    matter = make_matter(debtor=debtor, owner=counsel, account_number="6225880012345678")
    guarantor = make_party("李四", phone="13987654321")
    Guarantee.objects.create(
        debt=matter.debt, guarantor=guarantor, guarantee_type="joint", guarantee_period_ends_on=dt.date(2027, 3, 1)
    )
    return matter


def test_the_detail_is_api_md_s_example(counsel, matter):
    response = client_for(counsel).get(f"/api/v1/matters/{matter.pk}/")

    assert response.status_code == 200
    body = response.json()
    id_number = matter.debt.debtor.id_number
    guarantor = matter.debt.guarantees.get().guarantor
    assert body == {
        "id": matter.pk,
        "number": matter.number,
        "stage": "intake",
        "closing_reason": "",
        "allowed_moves": ["pre_litigation", "preservation", "arbitration", "litigation", "settled", "closed"],
        "product": "credit_card",
        "creditor": {
            "id": matter.debt.creditor_id,
            "name": matter.debt.creditor.name,
            "uscc": matter.debt.creditor.uscc,
            "address": "北京市西城区金融大街1号",
            "representative": "王某",
            "representative_title": "",
            "service_phone": "",
        },
        "debtor": {
            "id": matter.debt.debtor_id,
            "name": "张三",
            "id_number": id_number[:6] + "********" + id_number[-4:],
            "phone": "138****5678",
            "kind": "person",
            "gender": matter.debt.debtor.gender,
            "phones": [{"id": matter.debt.debtor.phones.get().pk, "number": "138****5678", "status": "ok"}],
            "ethnicity": "",
            "workplace": "",
            "position": "",
            "address": "北京市朝阳区******",
            "habitual_residence": "",
            "service_address": "",
            "representative": "",
            "representative_title": "",
        },
        "account_number": "6225********5678",
        "amounts": {
            "as_of": "2025-06-30",
            "principal": "48230.55",
            "interest": "3120.40",
            "penalty_interest": "812.00",
            "compound_interest": "95.10",
            "late_fees": "300.00",
            "fees": "0.00",
            "total": "52558.05",
            "repaid_principal": "0.00",
            "repaid_interest": "0.00",
            "interest_paid_to": None,
        },
        "outstanding": {"costs": "0.00", "interest": "4327.50", "principal": "48230.55", "total": "52558.05"},
        "overdue_since": "2024-11-05",
        "limitation_expires_on": None,
        "time_barred": False,
        "owner": "counsel1",
        "assigned_firm": None,
        "recovered_total": "0.00",
        "deadlines": [],
        "guarantors": [
            {
                "id": guarantor.pk,
                "name": "李四",
                "id_number": guarantor.masked_id_number,
                "phone": "139****4321",
                "kind": "person",
                "gender": guarantor.gender,
                "phones": [{"id": guarantor.phones.get().pk, "number": "139****4321", "status": "ok"}],
                "ethnicity": "",
                "workplace": "",
                "position": "",
                "address": "北京市朝阳区******",
                "habitual_residence": "",
                "service_address": "",
                "representative": "",
                "representative_title": "",
                "guarantee_type": "joint",
                "guarantee_type_presumed": False,
                "guarantee_period_ends_on": "2027-03-01",
                "guarantee_signed_on": None,
                "guarantee_agreed_period": "",
            }
        ],
        "forum": None,
        "debt": {
            "contract_number": matter.debt.contract_number,
            "contract_date": None,
            "loan_amount": None,
            "disbursed_on": None,
            "term_ends_on": None,
            "repayment_method": "",
            "branch": "",
            "rates": {"annual_interest_rate": None, "penalty_rate": None, "compound_rate": None, "day_count": 360},
            "matured_on": None,
            "last_payment_date": None,
        },
        "assignment": None,
        "review": None,
        "score": None,
    }


def test_the_list_uses_the_same_representation(counsel, matter):
    firm = make_firm("金杜")
    matter.assigned_firm = firm
    matter.save(update_fields=["assigned_firm"])

    body = client_for(counsel).get("/api/v1/matters/").json()
    detail = client_for(counsel).get(f"/api/v1/matters/{matter.pk}/").json()

    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    (row,) = body["results"]
    assert row["assigned_firm"] == {"id": firm.pk, "name": "金杜"}
    # The detail adds the guarantors, the forum, the debt's terms, the assignment, the review and the score, and
    # details to the creditor and the debtor; the rest is the list's row.
    added = ("guarantors", "forum", "debt", "assignment", "creditor", "debtor", "review", "score")
    assert {key: value for key, value in row.items() if key not in added} == {
        key: value for key, value in detail.items() if key not in added
    }
    for key in ("creditor", "debtor"):
        assert row[key] == {name: value for name, value in detail[key].items() if name in row[key]}
    assert list(row) == [key for key in detail if key in row]


def test_the_list_runs_a_fixed_number_of_queries(counsel, django_assert_max_num_queries):
    for _ in range(10):
        make_matter(firm=make_firm(), owner=counsel)
    client = client_for(counsel)

    # The count (on PostgreSQL first the planner's estimate), the page, the names of its
    # owners, firms and creditors, and its current deadlines, whatever the number of rows.
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/matters/")

    assert len(response.json()["results"]) == 10


def test_the_list_filters_by_stage_product_firm_owner_and_q(counsel):
    firm = make_firm()
    other_owner = make_user(Role.COUNSEL)
    litigating = make_matter(stage="litigation", owner=counsel, firm=firm)
    loan = make_matter(product="loan", owner=other_owner)
    named = make_matter(debtor=make_party("欧阳娜娜"))
    client = client_for(counsel)

    def ids(query: str) -> set[int]:
        response = client.get(f"/api/v1/matters/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("stage=litigation") == {litigating.pk}
    assert ids("product=loan") == {loan.pk}
    assert ids(f"firm={firm.pk}") == {litigating.pk}
    assert ids("firm=none") == {loan.pk, named.pk}
    assert ids(f"owner={other_owner.pk}") == {loan.pk}
    assert ids("owner=none") == {named.pk}
    assert ids("q=欧阳") == {named.pk}
    assert ids(f"q={loan.number}") == {loan.pk}
    assert ids(f"q={loan.debt.account_number}") == {loan.pk}
    assert ids("stage=&product=&firm=&owner=&q=") == {litigating.pk, loan.pk, named.pk}


@pytest.mark.parametrize(
    "query, parameter",
    [("stage=appeal", "stage"), ("product=mortgage", "product"), ("firm=abc", "firm"), ("owner=1.5", "owner")],
)
def test_an_invalid_filter_answers_400_naming_it(counsel, query, parameter):
    response = client_for(counsel).get(f"/api/v1/matters/?{query}")

    assert response.status_code == 400
    assert list(response.json()) == [parameter]


def test_the_page_size_is_capped_at_500(counsel):
    LawFirm.objects.bulk_create(LawFirm(name=f"律所{n:04d}") for n in range(501))

    response = client_for(counsel).get("/api/v1/firms/?page_size=1000")

    body = response.json()
    assert body["count"] == 501
    assert len(body["results"]) == 500
    assert "page=2" in body["next"]
    assert "count_is_estimate" not in body


def test_pages_follow_each_other_and_the_count_is_exact(counsel):
    matters = [make_matter() for _ in range(3)]
    client = client_for(counsel)

    first = client.get("/api/v1/matters/?page_size=2").json()
    second = client.get(first["next"]).json()

    assert first["count"] == second["count"] == 3
    assert [row["id"] for row in first["results"] + second["results"]] == [m.pk for m in reversed(matters)]
    assert second["next"] is None and second["previous"] is not None


def test_a_count_is_never_estimated_off_postgresql_or_for_a_filtered_list(counsel):
    make_matter()
    firm = make_firm()

    assert estimated_count(Matter.objects.filter(stage="intake")) is None
    assert estimated_count(visible_matters(make_user(Role.LAWYER, firm=firm))) is None
    if connection.vendor != "postgresql":
        assert estimated_count(Matter.objects.all()) is None


def pretend_analyze_counted(rows: int) -> None:
    """Set the planner's row estimate for the matter table; the test's transaction rolls it back."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the estimate is pg_class.reltuples, which SQLite does not keep")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pg_class SET reltuples = %s WHERE oid = 'legalcase_matter'::regclass", [rows])


def test_an_unfiltered_list_of_a_big_table_carries_an_estimated_count(counsel):
    make_matter(stage="litigation")
    client = client_for(counsel)
    pretend_analyze_counted(250_000)

    unfiltered = client.get("/api/v1/matters/").json()
    filtered = client.get("/api/v1/matters/?stage=litigation").json()
    lawyer = client_for(make_user(Role.LAWYER)).get("/api/v1/matters/").json()

    assert unfiltered["count"] == 250_000 and unfiltered["count_is_estimate"] is True
    assert len(unfiltered["results"]) == 1
    assert filtered["count"] == 1 and "count_is_estimate" not in filtered
    assert lawyer["count"] == 0 and "count_is_estimate" not in lawyer


def test_a_table_of_up_to_100000_rows_is_counted_exactly(counsel):
    make_matter()
    pretend_analyze_counted(ESTIMATE_COUNT_ABOVE)

    body = client_for(counsel).get("/api/v1/matters/").json()

    assert body["count"] == 1 and "count_is_estimate" not in body


def test_every_signed_in_user_lists_the_firms():
    firm = make_firm("君合")
    lawyer = make_user(Role.LAWYER, firm=make_firm("方达"))

    body = client_for(lawyer).get("/api/v1/firms/").json()

    assert {"id": firm.pk, "name": "君合", "address": "", "phone": ""} in body["results"]
    assert body["count"] == 2


def test_the_debtor_reveal_shows_everything_and_is_audited(counsel, matter):
    debtor = matter.debt.debtor
    guarantor = matter.debt.guarantees.get().guarantor

    response = client_for(counsel).get(f"/api/v1/matters/{matter.pk}/debtor/?purpose=起诉状当事人信息")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response.json() == {
        "debtor": {
            "name": "张三",
            "kind": "person",
            "id_number": debtor.id_number,
            "uscc": "",
            "gender": debtor.gender,
            "birth_date": "1985-03-07",
            "phone": "13812345678",
            "address": debtor.address,
            "id": debtor.pk,
            "phones": [{"id": debtor.phones.get().pk, "number": "13812345678", "status": "ok"}],
            "ethnicity": "",
            "workplace": "",
            "position": "",
            "habitual_residence": "",
            "service_address": "",
            "representative": "",
            "representative_title": "",
        },
        "guarantors": [
            {
                "name": "李四",
                "kind": "person",
                "id_number": guarantor.id_number,
                "uscc": "",
                "gender": guarantor.gender,
                "birth_date": "1985-03-07",
                "phone": "13987654321",
                "address": guarantor.address,
                "id": guarantor.pk,
                "phones": [{"id": guarantor.phones.get().pk, "number": "13987654321", "status": "ok"}],
                "ethnicity": "",
                "workplace": "",
                "position": "",
                "habitual_residence": "",
                "service_address": "",
                "representative": "",
                "representative_title": "",
                "guarantee_type": "joint",
                "guarantee_type_presumed": False,
                "guarantee_period_ends_on": "2027-03-01",
                "guarantee_signed_on": None,
                "guarantee_agreed_period": "",
            }
        ],
    }
    event = MatterEvent.objects.get(matter=matter, kind=EventKind.DEBTOR_REVEALED)
    assert event.actor == counsel and event.note == "起诉状当事人信息"


def test_each_reveal_is_audited_again(counsel, matter):
    client = client_for(counsel)
    client.get(f"/api/v1/matters/{matter.pk}/debtor/")
    client.get(f"/api/v1/matters/{matter.pk}/debtor/?purpose=second")

    notes = MatterEvent.objects.filter(matter=matter, kind=EventKind.DEBTOR_REVEALED).values_list("note", flat=True)
    assert sorted(notes) == ["", "second"]


def test_a_job_is_shown_to_its_creator_only(counsel):
    job = job_create(kind="matters_bulk", user=counsel, payload={}, total=4)

    mine = client_for(counsel).get(f"/api/v1/jobs/{job.pk}/")
    theirs = client_for(make_user(Role.COUNSEL)).get(f"/api/v1/jobs/{job.pk}/")
    missing = client_for(counsel).get(f"/api/v1/jobs/{uuid.uuid4()}/")

    assert mine.status_code == 200
    assert mine.json() == {
        "id": str(job.pk),
        "kind": "matters_bulk",
        "status": "pending",
        "progress": {"done": 0, "total": 4},
        "error": "",
        "result": {},
    }
    assert theirs.status_code == missing.status_code == 404


@pytest.mark.django_db
def test_the_fast_matter_row_equals_what_the_declared_fields_give():
    """``matter_row`` is MatterSerializer's output written by hand; the schema comes from the fields."""
    from rest_framework import serializers as drf
    from rest_framework.renderers import JSONRenderer

    from legalcase.api import MatterDetailSerializer, MatterSerializer
    from legalcase.services import matter_deadlines_recompute, matter_set_owner

    admin = make_user("admin")
    plain = make_matter()
    full = make_matter(stage="closed", firm=make_firm(), principal=Decimal("1234.50"), fees=Decimal("0.10"))
    full.closing_reason = "written_off"
    full.save(update_fields=["closing_reason"])
    matter_set_owner(user=admin, matter_id=full.pk, owner_id=make_user("counsel").pk)
    matter_deadlines_recompute(matter_id=full.pk)
    for matter in Matter.objects.filter(pk__in=[plain.pk, full.pk]):
        for serializer_class in (MatterSerializer, MatterDetailSerializer):
            serializer = serializer_class()
            declared = drf.Serializer.to_representation(serializer, matter)
            fast = serializer.to_representation(matter)
            assert JSONRenderer().render(fast) == JSONRenderer().render(declared)
    # The list's rows, read as tuples, are the same rows.
    from legalcase.api.matters import LIST_COLUMNS, matter_row, matter_rows

    matters = Matter.objects.filter(pk__in=[plain.pk, full.pk]).order_by("pk")
    assert matter_rows(matters.values_list(*LIST_COLUMNS)) == [matter_row(matter) for matter in matters]
    assert any(row["deadlines"] for row in matter_rows(matters.values_list(*LIST_COLUMNS)))
