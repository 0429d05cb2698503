"""Every answer carries the strict Content-Security-Policy, the pages use no inline script, style
attribute or event handler (so the policy breaks nothing), and TLS termination works behind a
trusted proxy only."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver

from config.env import SettingError, env_networks
from legalcase.models import Portfolio, Role
from tests.factories import make_firm, make_forum, make_matter, make_user
from tests.shared_rows import shared_rows

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
REQUIRED = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)


def assert_strict_policy(response, where: str) -> None:
    policy = response.headers.get("Content-Security-Policy", "")
    assert all(directive in policy for directive in REQUIRED), (where, response.status_code, policy)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where


def assert_no_inline_code(html: str, where: str) -> None:
    assert not INLINE_SCRIPT.search(html), (where, INLINE_SCRIPT.search(html).group(0))
    assert not HANDLER_ATTRIBUTE.search(html), (where, HANDLER_ATTRIBUTE.search(html).group(0))
    assert not STYLE_ATTRIBUTE.search(html), (where, STYLE_ATTRIBUTE.search(html).group(0))
    assert not STYLE_ELEMENT.search(html), where


def test_no_template_of_fasu_carries_inline_script_handlers_or_style_attributes():
    templates = [
        path
        for app in ("legalcase", "evidence", "templates_docx")
        for path in (ROOT / app / "templates").rglob("*.html")
    ]
    assert len(templates) > 50
    for path in templates:
        assert_no_inline_code(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))


def _patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


@pytest.fixture(scope="module")
def world_rows(django_db_setup, django_db_blocker):
    with shared_rows(django_db_blocker, "security headers world"):
        counsel = make_user(Role.COUNSEL)
        admin = make_user(Role.ADMIN)
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
        matter = make_matter(owner=counsel, firm=make_firm())
        debt = matter.debt
        ids = {
            "matter_id": matter.pk,
            "party_id": debt.debtor_id,
            "creditor_id": debt.creditor_id,
            "firm_id": make_firm().pk,
            "forum_id": make_forum().pk,
            "portfolio_id": Portfolio.objects.create(name="安全测试资产包").pk,
        }
        yield counsel, admin, ids


def _url(pattern: str, ids: dict) -> str | None:
    def fill(match):
        kind, name = match.group(1), match.group(2)
        if kind == "uuid":
            return str(uuid.uuid4())
        if kind == "str":
            return "xlsx" if name == "kind" else "x"
        if kind == "path":
            return "x"
        return str(ids.get(name, 999_999))

    if "(?P" in pattern or "^" in pattern:  # a regex route (admin's, filer's): covered by the admin sample
        return None
    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: fill(m) if m.group(1) else "x", pattern)


def test_every_page_and_answer_carries_the_strict_policy(world_rows):
    counsel, _admin, ids = world_rows
    client = Client()
    client.force_login(counsel)
    checked = pages = 0
    for pattern in _patterns(get_resolver().url_patterns):
        # The admin is sampled below; the OpenAPI schema (2 s to build) is JSON, the docs page shows it.
        if pattern.startswith("admin/") or pattern in ("logout/", "i18n/setlang/", "api/schema/"):
            continue
        url = _url(pattern, ids)
        if url is None:
            continue
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        assert_strict_policy(response, url)
        checked += 1
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            assert_no_inline_code(response.content.decode(), url)
            pages += 1
    assert checked > 150 and pages > 30, (checked, pages)


def test_the_login_page_the_admin_and_the_api_docs_carry_it_too(world_rows):
    _counsel, admin, ids = world_rows
    anonymous = Client()
    for url in ("/login/", "/", "/api/v1/matters/", "/static/legalcase/fasu.css"):
        assert_strict_policy(anonymous.get(url), url)
    staff = Client()
    staff.force_login(admin)
    for url in (
        "/admin/",
        "/admin/legalcase/lawfirm/",
        f"/admin/legalcase/lawfirm/{ids['firm_id']}/change/",
        "/admin/legalcase/party/",
        "/api/docs/",
        "/api/docs/?script=",
    ):
        response = staff.get(url)
        assert response.status_code == 200, url
        assert_strict_policy(response, url)
    # The split view serves its set-up script from a URL; Fasu's template drops the inline style.
    assert_no_inline_code(staff.get("/api/docs/").content.decode(), "/api/docs/")


def test_https_behind_a_trusted_proxy_does_not_redirect_and_is_secure(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.TRUSTED_PROXY_IPS = ["10.9.0.0/16"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proxied = Client(REMOTE_ADDR="10.9.0.2").get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
    # A client reaching Fasu directly cannot claim https: its header is dropped, it is redirected.
    direct = Client(REMOTE_ADDR="198.51.100.7").get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert direct.status_code == 301 and direct["Location"].startswith("https://")


def test_without_trusted_proxies_no_proxy_header_is_believed():
    assert django_settings.TRUSTED_PROXY_IPS == [] and django_settings.SECURE_PROXY_SSL_HEADER is None


def test_trusted_proxy_ips_are_read_as_networks_and_a_bad_one_names_the_variable():
    assert env_networks({"TRUSTED_PROXY_IPS": "10.0.0.5, 10.1.0.0/16,::1"}, "TRUSTED_PROXY_IPS") == [
        "10.0.0.5/32",
        "10.1.0.0/16",
        "::1/128",
    ]
    assert env_networks({}, "TRUSTED_PROXY_IPS") == []
    with pytest.raises(SettingError) as error:
        env_networks({"TRUSTED_PROXY_IPS": "10.0.0.5,proxy.local"}, "TRUSTED_PROXY_IPS")
    assert error.value.name == "TRUSTED_PROXY_IPS"
