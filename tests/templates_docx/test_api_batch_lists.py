"""GET /api/v1/batches/ and /api/v1/batches/{id}/items/ (API.md, "Operations at scale")."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from legalcase.models import Role
from legalcase.services import matter_unassign_firm
from templates_docx.batches import batch_request
from templates_docx.models import Batch, BatchItemStatus
from tests.api_schema import api_schema
from tests.factories import make_firm, make_matter, make_user
from tests.templates_docx.test_api_documents import run_all_jobs

pytestmark = pytest.mark.django_db

LIST = reverse("templates_api:batch-list")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def items_url(batch) -> str:
    return reverse("templates_api:batch-items", args=[batch.pk])


@pytest.fixture
def finished_batch(evidence_storage):
    """A counsel's batch of three: two done, one failed (a loan matter, the card complaint refuses it)."""
    counsel = make_user(Role.COUNSEL)
    matters = [make_matter(), make_matter(product="loan"), make_matter()]
    batch = batch_request(
        user=counsel, matter_ids=[m.pk for m in matters], template_code="complaint_credit_card", bundle=False
    )
    run_all_jobs()
    return counsel, batch, matters


def test_the_list_shows_the_callers_batches_newest_first_with_their_counts(finished_batch):
    counsel, batch, matters = finished_batch
    newer = batch_request(user=counsel, matter_ids=[matters[0].pk], template_code="evidence_list", bundle=False)
    batch_request(user=make_user(Role.COUNSEL), matter_ids=[matters[0].pk], template_code="evidence_list", bundle=False)

    body = client_for(counsel).get(LIST).json()

    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    assert body["results"][0] == {
        "id": newer.pk,
        "status": "pending",
        "total": 1,
        "done": 0,
        "failed": 0,
        "template": "evidence_list",
        "created_at": body["results"][0]["created_at"],
    }
    assert body["results"][1]["id"] == batch.pk
    assert {key: body["results"][1][key] for key in ("status", "total", "done", "failed", "template")} == {
        "status": "done",
        "total": 3,
        "done": 2,
        "failed": 1,
        "template": "complaint_credit_card",
    }
    assert body["results"][1]["created_at"].endswith("+08:00")


def test_the_list_is_paginated_and_an_admin_sees_every_batch(finished_batch):
    counsel, batch, matters = finished_batch
    batch_request(user=counsel, matter_ids=[matters[0].pk], template_code="evidence_list", bundle=False)
    body = client_for(counsel).get(LIST, {"page_size": 1}).json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"].endswith("page=2&page_size=1")
    admin = client_for(make_user(Role.ADMIN)).get(LIST).json()
    assert admin["count"] == 2
    assert client_for(make_user(Role.COUNSEL)).get(LIST).json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_the_items_show_each_matter_in_order_with_its_status_reason_and_files(finished_batch):
    counsel, batch, matters = finished_batch
    body = client_for(counsel).get(items_url(batch)).json()
    assert body["count"] == 3
    rows = body["results"]
    assert [(row["matter"], row["position"], row["status"]) for row in rows] == [
        (matters[0].pk, 1, "done"),
        (matters[1].pk, 2, "failed"),
        (matters[2].pk, 3, "done"),
    ]
    assert "仅适用于信用卡案件" in rows[1]["error"] and rows[1]["files"] == []
    assert rows[0]["error"] == "" and rows[0]["finished_at"].endswith("+08:00")
    stored = batch.items.get(matter=matters[0]).files
    assert rows[0]["files"] == [{key: entry[key] for key in ("name", "sha256", "size")} for entry in stored]
    assert [entry["name"].rsplit(".", 1)[1] for entry in rows[0]["files"]][0] == "docx"

    failed = client_for(counsel).get(items_url(batch), {"status": "failed"}).json()
    assert [row["matter"] for row in failed["results"]] == [matters[1].pk]


def test_an_unknown_status_filter_is_400(finished_batch):
    counsel, batch, _ = finished_batch
    response = client_for(counsel).get(items_url(batch), {"status": "lost"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_another_users_batch_is_404_and_not_listed(finished_batch):
    _, batch, _ = finished_batch
    other = client_for(make_user(Role.COUNSEL))
    assert other.get(items_url(batch)).status_code == 404
    assert other.get(reverse("templates_api:batch-items", args=[batch.pk + 1000])).status_code == 404
    assert client_for(make_user(Role.ADMIN)).get(items_url(batch)).status_code == 200


def test_a_lawyer_whose_firm_lost_a_matter_no_longer_sees_the_batch(evidence_storage):
    firm = make_firm("甲律所")
    lawyer = make_user(Role.LAWYER, firm=firm)
    kept, lost = make_matter(firm=firm), make_matter(firm=firm)
    batch = batch_request(user=lawyer, matter_ids=[kept.pk, lost.pk], template_code="evidence_list", bundle=False)
    client = client_for(lawyer)
    assert client.get(LIST).json()["count"] == 1
    matter_unassign_firm(user=make_user(Role.COUNSEL), matter_id=lost.pk)
    assert client.get(LIST).json()["count"] == 0
    assert client.get(items_url(batch)).status_code == 404
    assert Batch.objects.filter(pk=batch.pk).exists()


def test_signed_out_callers_get_401():
    assert APIClient().get(LIST).status_code == 401


def test_the_schema_lists_both_endpoints():
    schema = api_schema()
    assert "get" in schema["paths"]["/api/v1/batches/"] and "post" in schema["paths"]["/api/v1/batches/"]
    items = schema["paths"]["/api/v1/batches/{batch_id}/items/"]["get"]
    assert [sorted(p["schema"]["enum"]) for p in items["parameters"] if p["name"] == "status"] == [
        sorted(BatchItemStatus.values)
    ]
