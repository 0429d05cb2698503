"""API.md "Errors": the services' exceptions answer with DRF's usual bodies, in one place."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from legalcase.api import exception_handler
from legalcase.models import Role
from legalcase.services import StageConflict
from tests.factories import make_matter, make_user


def test_a_field_error_from_a_service_keeps_its_field():
    response = exception_handler(ValidationError({"reason": ["Closing a matter needs a reason."]}), {})

    assert response.status_code == 400
    assert response.data == {"reason": ["Closing a matter needs a reason."]}


@pytest.mark.parametrize(
    "error", [ValidationError("Not allowed."), ValidationError({"__all__": ["Not allowed."]})]
)
def test_an_error_without_a_field_is_a_non_field_error(error):
    response = exception_handler(error, {})

    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["Not allowed."]}


@pytest.mark.django_db
def test_a_stage_conflict_answers_409_with_the_current_stage():
    matter = make_matter(stage="closed")

    response = exception_handler(StageConflict(matter, "intake"), {})

    assert response.status_code == 409
    assert response.data["stage"] == "closed" and response.data["detail"]


@pytest.mark.django_db
def test_an_invalid_choice_is_not_repeated_back():
    matter = make_matter()
    id_number = matter.debt.debtor.id_number
    client = APIClient()
    client.force_authenticate(make_user(Role.COUNSEL))

    responses = [
        client.get(f"/api/v1/matters/?stage={id_number}"),
        client.get(f"/api/v1/matters/?product={id_number}"),
        client.post(f"/api/v1/matters/{matter.pk}/transition/", {"to": id_number}, format="json"),
        client.post(
            f"/api/v1/matters/{matter.pk}/transition/", {"to": "closed", "reason": id_number}, format="json"
        ),
    ]

    assert [r.status_code for r in responses] == [400, 400, 400, 400]
    assert all(id_number.encode() not in r.content for r in responses)
