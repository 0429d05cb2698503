"""Browser sessions end after SESSION_IDLE_MINUTES without a request."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings

from tests.factories import PASSWORD, make_user

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


def sign_in(client, user):
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_an_idle_session_times_out(client):
    user = make_user("counsel")
    with time_machine.travel(START, tick=False):
        sign_in(client, user)
        assert client.get("/").status_code == 200
    idle = dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES, seconds=1)
    with time_machine.travel(START + idle, tick=False):
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_each_request_keeps_an_active_session_alive(client):
    user = make_user("counsel")
    step = dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES - 1)
    with time_machine.travel(START, tick=False):
        sign_in(client, user)
    for n in range(1, 4):
        with time_machine.travel(START + n * step, tick=False):
            assert client.get("/").status_code == 200
