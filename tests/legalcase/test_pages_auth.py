"""Signing in and out of the web pages."""

import pytest
from django.urls import reverse

from legalcase.models import LoginFailure
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_every_page_sends_an_anonymous_visitor_to_the_login_page(client):
    response = client.get(reverse("matter_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_login_page_renders_in_chinese_by_default(client):
    html = client.get(reverse("login")).content.decode()
    assert "登录法诉" in html
    assert 'lang="zh-hans"' in html


def test_a_user_signs_in_and_lands_on_the_matter_list(client):
    user = make_user()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("matter_list")
    assert client.get(reverse("matter_list")).status_code == 200


def test_signing_in_follows_a_local_next_but_not_another_site(client):
    user = make_user()
    response = client.post(
        reverse("login") + "?next=/matters/1/", {"username": user.username, "password": PASSWORD, "next": "/matters/1/"}
    )
    assert response["Location"] == "/matters/1/"
    client.logout()
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("matter_list")


def test_a_wrong_password_is_refused_and_counted(client):
    user = make_user()
    response = client.post(reverse("login"), {"username": user.username, "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert LoginFailure.objects.filter(username=user.username).count() == 1


def test_repeated_failures_lock_the_username_with_the_throttle_message(client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    user = make_user()
    for _ in range(3):
        client.post(reverse("login"), {"username": user.username, "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    html = response.content.decode()
    assert response.status_code == 200
    assert "登录失败次数过多" in html
    assert "_auth_user_id" not in client.session


def test_logging_out_takes_a_post_and_ends_the_session(client):
    user = make_user()
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert client.get(reverse("matter_list")).status_code == 302


def test_the_header_shows_a_chinese_name_family_name_first_and_the_role(client):
    user = make_user()
    user.last_name, user.first_name = "王", "敏"
    user.save(update_fields=["last_name", "first_name"])
    client.force_login(user)
    html = client.get(reverse("matter_list")).content.decode()
    assert "王敏" in html
    assert "法务人员" in html
