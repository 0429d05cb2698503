"""GET /api/v1/calculators/court-fees/ (API.md "Deadlines and calculators")."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from legalcase.models import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/calculators/court-fees/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_court_fees_for_300000_are_legal_rules_worked_example():
    response = client_for(make_user(Role.COUNSEL)).get(URL, {"amount": "300000"})

    assert response.status_code == 200
    assert response.json() == {
        "amount": "300000.00",
        "acceptance_fee": "5800.00",
        "acceptance_fee_simplified": "2900.00",
        "enforcement_fee": "4400.00",
        "preservation_fee": "2020.00",
    }


@pytest.mark.parametrize("role", [Role.COUNSEL, Role.LAWYER, Role.MANAGER, Role.ADMIN])
def test_every_signed_in_role_may_compute_court_fees(role):
    response = client_for(make_user(role)).get(URL, {"amount": "12345.67"})

    assert response.status_code == 200
    assert response.json()["acceptance_fee"] == "108.64"


@pytest.mark.parametrize(
    "params, message",
    [
        ({}, "This field is required."),
        ({"amount": ""}, "A valid number is required."),
        ({"amount": "abc"}, "A valid number is required."),
        ({"amount": "300,000"}, "A valid number is required."),
        ({"amount": "NaN"}, "A valid number is required."),
        ({"amount": "0"}, "The claim amount must be more than zero."),
        ({"amount": "-5"}, "The claim amount must be more than zero."),
        ({"amount": "10000000000000.01"}, "The claim amount must be at most 10,000,000,000,000."),
        ({"amount": "1e20"}, "Ensure that there are no more than 16 digits in total."),
        ({"amount": "100.001"}, "Ensure that there are no more than 2 decimal places."),
    ],
)
def test_a_bad_amount_answers_400_naming_the_field(params, message):
    client = client_for(make_user(Role.COUNSEL))
    # In English: Fasu answers in Chinese unless the language cookie says otherwise.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(URL, params)

    assert response.status_code == 400
    assert response.json() == {"amount": [message]}


def test_the_largest_amount_allowed_is_answered():
    response = client_for(make_user(Role.COUNSEL)).get(URL, {"amount": "10000000000000"})

    assert response.status_code == 200
    # 141,800 up to 20,000,000, then 0.5% on 9,999,980,000,000.
    assert response.json()["acceptance_fee"] == "50000041800.00"


def test_without_credentials_court_fees_answer_401():
    assert APIClient().get(URL, {"amount": "300000"}).status_code == 401
