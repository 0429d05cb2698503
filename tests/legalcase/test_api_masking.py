"""Personal data stays masked in every API response but the audited reveal (API.md "Masking")."""

import pytest
from rest_framework.test import APIClient

from legalcase.models import EventKind, Guarantee, MatterEvent, Role
from tests.factories import make_firm, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def counsel_client():
    client = APIClient()
    client.force_authenticate(make_user(Role.COUNSEL))
    return client


@pytest.fixture
def matter():
    matter = make_matter(debtor=make_party("张三", phone="13812345678"), account_number="6225880012345678")
    Guarantee.objects.create(debt=matter.debt, guarantor=make_party("李四", phone="13987654321"))
    return matter


def secrets_of(matter) -> list[bytes]:
    guarantor = matter.debt.guarantees.get().guarantor
    debtor = matter.debt.debtor
    values = [debtor.id_number, debtor.phone, matter.debt.account_number, guarantor.id_number, guarantor.phone]
    return [value.encode() for value in values]


def test_no_response_but_the_reveal_carries_a_full_number(counsel_client, matter):
    base = f"/api/v1/matters/{matter.pk}/"
    owner = make_user(Role.COUNSEL)
    responses = [
        counsel_client.get("/api/v1/matters/"),
        counsel_client.get(f"/api/v1/matters/?q={matter.debt.account_number}"),
        counsel_client.get(base),
        counsel_client.post(base + "transition/", {"to": "litigation"}, format="json"),
        counsel_client.post(base + "transition/", {"to": "intake"}, format="json"),  # 409
        counsel_client.post(base + "assignment/", {"firm": make_firm().pk}, format="json"),
        counsel_client.delete(base + "assignment/"),
        counsel_client.post(base + "owner/", {"owner": owner.pk}, format="json"),
        counsel_client.post(base + "owner/", {"owner": None}, format="json"),
    ]

    assert [r.status_code for r in responses] == [200, 200, 200, 200, 409, 200, 200, 200, 200]
    assert len(responses[1].json()["results"]) == 1
    for response in responses:
        for secret in secrets_of(matter):
            assert secret not in response.content, response.request["PATH_INFO"]
    assert b"6225********5678" in responses[2].content
    assert b"138****5678" in responses[2].content and b"139****4321" in responses[2].content


def test_the_reveal_carries_the_full_numbers_and_its_purpose_is_audited(counsel_client, matter):
    response = counsel_client.get(f"/api/v1/matters/{matter.pk}/debtor/?purpose=核对送达地址")

    assert response.status_code == 200
    debtor_and_guarantor = secrets_of(matter)[:2] + secrets_of(matter)[3:]
    assert all(secret in response.content for secret in debtor_and_guarantor)
    event = MatterEvent.objects.get(matter=matter, kind=EventKind.DEBTOR_REVEALED)
    assert event.note == "核对送达地址"


def test_an_error_never_echoes_an_identity_number(counsel_client, matter):
    id_number = matter.debt.debtor.id_number

    responses = [
        counsel_client.get(f"/api/v1/matters/?firm={id_number}X"),
        counsel_client.post(f"/api/v1/matters/{matter.pk}/assignment/", {"firm": id_number}, format="json"),
        counsel_client.post(f"/api/v1/matters/{matter.pk}/owner/", {"owner": id_number}, format="json"),
    ]

    assert [r.status_code for r in responses] == [400, 400, 400]
    assert all(id_number.encode() not in response.content for response in responses)
