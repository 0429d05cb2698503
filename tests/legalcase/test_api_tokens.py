"""POST /api/v1/auth/token/: expiring keys and the shared lock on password guessing."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from legalcase.authentication import LoginLocked, login_attempt
from legalcase.models import ApiToken, LoginFailure, Role
from tests.factories import PASSWORD, make_matter, make_user

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def user():
    return make_user(Role.COUNSEL, username="counsel_li")


def sign_in(username: str, password: str):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json")


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_key_is_issued_and_works(user):
    make_matter()

    response = sign_in("counsel_li", PASSWORD)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    expires_at = dt.datetime.fromisoformat(body["expires_at"])
    assert abs(expires_at - timezone.now() - dt.timedelta(days=settings.TOKEN_TTL_DAYS)) < dt.timedelta(minutes=1)
    # Only a digest is stored.
    assert not ApiToken.objects.filter(digest=body["token"]).exists()
    assert with_token(body["token"]).get("/api/v1/matters/").json()["count"] == 1


def test_an_expired_key_answers_401(user):
    key = sign_in("counsel_li", PASSWORD).json()["token"]
    client = with_token(key)

    with time_machine.travel(timezone.now() + dt.timedelta(days=settings.TOKEN_TTL_DAYS, seconds=1)):
        response = client.get("/api/v1/matters/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_an_unknown_key_answers_401():
    assert with_token("not-a-key").get("/api/v1/matters/").status_code == 401


@pytest.mark.parametrize(
    "method, url",
    [
        ("get", "/api/v1/matters/"),
        ("get", "/api/v1/matters/1/"),
        ("post", "/api/v1/matters/1/transition/"),
        ("post", "/api/v1/matters/1/assignment/"),
        ("delete", "/api/v1/matters/1/assignment/"),
        ("post", "/api/v1/matters/1/owner/"),
        ("get", "/api/v1/matters/1/debtor/"),
        ("get", "/api/v1/firms/"),
        ("get", "/api/v1/jobs/00000000-0000-0000-0000-000000000000/"),
    ],
)
def test_without_credentials_every_endpoint_answers_401(method, url):
    response = getattr(APIClient(), method)(url)

    assert response.status_code == 401


def test_a_wrong_password_answers_400_and_stores_only_the_failure(user):
    response = sign_in("counsel_li", "wrong-password")

    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert b"wrong-password" not in response.content
    assert LoginFailure.objects.filter(username="counsel_li").count() == 1
    assert not ApiToken.objects.exists()


def test_a_missing_field_answers_400_naming_it():
    response = APIClient().post(TOKEN_URL, {"username": "counsel_li"}, format="json")

    assert response.status_code == 400 and list(response.json()) == ["password"]


def test_after_five_failures_even_the_right_password_answers_429(user):
    assert settings.LOGIN_MAX_FAILURES == 5
    for _ in range(5):
        assert sign_in("counsel_li", "wrong-password").status_code == 400

    response = sign_in("counsel_li", PASSWORD)

    assert response.status_code == 429
    assert response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_the_lock_lifts_after_the_lockout(user):
    for _ in range(5):
        sign_in("counsel_li", "wrong-password")

    later = timezone.now() + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES, seconds=1)
    with time_machine.travel(later):
        response = sign_in("counsel_li", PASSWORD)

    assert response.status_code == 200


def test_failures_at_the_web_login_lock_the_api_too(user):
    # The login page calls login_attempt, as the token endpoint does; both count per client address.
    web = RequestFactory().post("/login/")  # from 127.0.0.1, as the API client below
    for _ in range(5):
        assert login_attempt(request=web, username="counsel_li", password="wrong-password") is None

    assert sign_in("counsel_li", PASSWORD).status_code == 429


def test_failures_at_the_api_lock_the_web_login_too(user):
    for _ in range(5):
        sign_in("COUNSEL_LI", "wrong-password")

    with pytest.raises(LoginLocked):
        login_attempt(request=RequestFactory().post("/login/"), username="counsel_li", password=PASSWORD)
