"""Refusals in every mode: Fasu's own Chinese 404 and 403 pages, and one log line each.

DEBUG=1 (``make run``) would otherwise show Django's English debug page for every "not
yours" matter and log a 403 with its traceback.
"""

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse

from legalcase.models import Role
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

NOT_FOUND = "该页面不存在，或您无权查看。"
NOT_ALLOWED = "您的角色无权执行此操作。"


def request_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "django.request"]


@pytest.mark.parametrize("debug", [True, False])
def test_another_firms_matter_is_fasus_chinese_404_page_in_every_mode(client, caplog, debug):
    theirs = make_matter(firm=make_firm())
    client.force_login(make_user(Role.LAWYER, firm=make_firm()))
    with override_settings(DEBUG=debug), caplog.at_level(logging.INFO):
        response = client.get(reverse("matter_detail", args=[theirs.pk]))
    html = response.content.decode()
    assert response.status_code == 404
    assert "<title>未找到 · 法诉</title>" in html
    assert NOT_FOUND in html
    assert f'href="{reverse("matter_list")}"' in html  # the way home
    assert "Django" not in html and "technical_404" not in html and "URLconf" not in html
    [record] = request_records(caplog)
    assert record.getMessage() == f"Not Found: {reverse('matter_detail', args=[theirs.pk])}"
    assert record.exc_info is None


@pytest.mark.parametrize("debug", [True, False])
def test_an_action_the_role_may_not_take_is_the_chinese_403_page_logged_in_one_line(client, caplog, debug):
    client.force_login(make_user(Role.LAWYER))
    with override_settings(DEBUG=debug), caplog.at_level(logging.INFO):
        response = client.get(reverse("escalation_import"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "<title>无权操作 · 法诉</title>" in html
    assert NOT_ALLOWED in html
    assert f'href="{reverse("matter_list")}"' in html
    assert "Traceback" not in html and "PermissionDenied" not in html
    [record] = request_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.getMessage() == f"Forbidden: {reverse('escalation_import')}"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_a_mistyped_address_under_debug_is_the_404_page_not_the_url_list(client):
    client.force_login(make_user())
    with override_settings(DEBUG=True):
        response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert NOT_FOUND in html
    assert "URLconf" not in html
    # The page passes through the middleware above it like any other.
    assert response["X-Frame-Options"] == "DENY"


def test_the_api_keeps_its_json_refusals_under_debug(client):
    theirs = make_matter(firm=make_firm())
    client.force_login(make_user(Role.LAWYER, firm=make_firm()))
    with override_settings(DEBUG=True):
        missing = client.get(f"/api/v1/matters/{theirs.pk}/")
        unknown = client.get("/api/v1/no-such-endpoint/")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
    assert missing.json() == {"detail": "matter not found"}
    assert unknown.status_code == 404
    assert "该页面不存在" not in unknown.content.decode()


def test_a_refusal_django_answers_itself_is_logged_without_its_traceback(caplog):
    # What reaches django.request with the exception attached (a PermissionDenied that
    # no view answered) is cut to its line; a real fault keeps its traceback.
    logger = logging.getLogger("django.request")
    with caplog.at_level(logging.INFO):
        try:
            raise PermissionDenied("no")
        except PermissionDenied as refusal:
            logger.warning("Forbidden (Permission denied): %s", "/x/", exc_info=refusal)
        try:
            raise RuntimeError("boom")
        except RuntimeError as fault:
            logger.error("Internal Server Error: %s", "/y/", exc_info=fault)
    refusal_record, fault_record = request_records(caplog)
    assert refusal_record.exc_info is None
    assert fault_record.exc_info is not None
    assert caplog.text.count("Traceback") == 1
