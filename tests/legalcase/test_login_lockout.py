"""The login lockout counts tries per username AND client address, claimed atomically before the
password is checked: a stranger elsewhere cannot lock a user out, concurrent guesses cannot pass
the limit, and X-Forwarded-For names the client only when a trusted proxy sent it."""

import threading

import pytest
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from legalcase import authentication
from legalcase.authentication import LoginLocked, login_attempt
from legalcase.models import LoginFailure, LoginThrottle
from tests.factories import PASSWORD, make_user

TOKEN_URL = "/api/v1/auth/token/"


def from_address(address: str):
    return RequestFactory().post("/login/", REMOTE_ADDR=address)


@pytest.mark.django_db
def test_a_stranger_locked_out_elsewhere_does_not_lock_the_user_out_of_their_own_address():
    user = make_user()
    for _ in range(5):
        assert login_attempt(request=from_address("203.0.113.9"), username=user.username, password="guess") is None
    with pytest.raises(LoginLocked) as locked:
        login_attempt(request=from_address("203.0.113.9"), username=user.username, password=PASSWORD)
    assert "15" in str(locked.value)

    assert login_attempt(request=from_address("10.1.2.3"), username=user.username, password=PASSWORD) == user
    assert LoginFailure.objects.filter(username=user.username, ip_address="203.0.113.9").count() == 5


@pytest.mark.django_db
def test_the_right_password_gives_the_tries_back_for_that_address():
    user = make_user()
    for _ in range(4):
        login_attempt(request=from_address("10.1.2.3"), username=user.username, password="guess")
    assert login_attempt(request=from_address("10.1.2.3"), username=user.username, password=PASSWORD) == user
    assert not LoginThrottle.objects.filter(username=user.username, client_address="10.1.2.3").exists()


@pytest.mark.django_db
def test_the_login_page_says_so_in_chinese_when_the_address_is_locked(client):
    user = make_user()
    for _ in range(5):
        client.post(reverse("login"), {"username": user.username, "password": "guess"})
    html = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).content.decode()
    assert "登录失败次数过多，请 15 分钟后再试。" in html
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_x_forwarded_for_is_ignored_from_an_untrusted_sender(settings):
    # Without it, a guesser would pick a fresh "address" for every five guesses.
    settings.TRUSTED_PROXY_IPS = []
    user = make_user()
    api = APIClient(REMOTE_ADDR="198.51.100.7")
    for n in range(5):
        api.post(TOKEN_URL, {"username": user.username, "password": "guess"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    response = api.post(TOKEN_URL, {"username": user.username, "password": "guess"}, HTTP_X_FORWARDED_FOR="10.0.0.99")
    assert response.status_code == 429
    assert set(LoginThrottle.objects.values_list("client_address", flat=True)) == {"198.51.100.7"}


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_client_is_the_right_most_untrusted_forwarded_address(settings):
    settings.TRUSTED_PROXY_IPS = ["10.9.0.0/16"]
    user = make_user()
    api = APIClient(REMOTE_ADDR="10.9.0.2")
    # The client wrote "1.1.1.1"; the proxy appended what it saw, 203.0.113.5; an inner proxy 10.9.0.7.
    forwarded = "1.1.1.1, 203.0.113.5, 10.9.0.7"
    for _ in range(5):
        api.post(TOKEN_URL, {"username": user.username, "password": "guess"}, HTTP_X_FORWARDED_FOR=forwarded)
    assert list(LoginThrottle.objects.values_list("client_address", "tries")) == [("203.0.113.5", 5)]
    other = api.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert other.status_code == 200


def _in_own_connection(work) -> None:
    """Run ``work`` in a thread, so it commits on a connection of its own."""
    thread = threading.Thread(target=lambda: (work(), connection.close()))
    thread.start()
    thread.join()


@pytest.mark.django_db
def test_forty_concurrent_wrong_passwords_get_at_most_five_password_checks(postgres_only, monkeypatch, settings):
    # No user row is needed: the password check is counted, not run. The guessers commit on
    # their own connections (a transactional test would cost a 20 s flush), so their rows
    # are removed at the end the same way.
    assert settings.LOGIN_MAX_FAILURES == 5
    username = "race-target"
    checks: list[int] = []
    lock = threading.Lock()

    def wrong_password(request, **credentials):
        with lock:
            checks.append(1)
        return None

    monkeypatch.setattr(authentication, "authenticate", wrong_password)
    guessers = 40
    barrier = threading.Barrier(guessers)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def guess() -> None:
        try:
            barrier.wait()
            try:
                login_attempt(request=from_address("203.0.113.9"), username=username, password="guess")
                outcomes.append("checked")
            except LoginLocked:
                outcomes.append("locked")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(guessers)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        tries: list[int] = []
        rows = LoginThrottle.objects.filter(username=username)
        _in_own_connection(lambda: tries.extend(rows.values_list("tries", flat=True)))
    finally:

        def clean_up() -> None:
            LoginThrottle.objects.filter(username=username).delete()
            LoginFailure.objects.filter(username=username).delete()

        _in_own_connection(clean_up)
    assert not errors, errors[:3]
    assert len(checks) == 5 and outcomes.count("checked") == 5 and outcomes.count("locked") == 35
    assert tries == [5]
