"""Browser tests: Debian's Chromium driven by Playwright against a live Fasu.

Marked ``browser``; CI always runs them (``.ci/run`` installs Chromium). On a developer
machine without Chromium they skip and say why, never under ``CI=true``.
"""

from __future__ import annotations

import os
import shutil

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API keeps an event loop in the test's thread; the ORM calls the tests
# make between page actions are ordinary synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WIDTHS = {"phone": 390, "tablet": 768, "laptop": 1280, "desktop": 1920}


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is missing at {CHROMIUM}: .ci/run installs Debian's chromium")
        pytest.skip(f"needs Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield browser
        browser.close()


# Every page a browser test opens is also checked against the Content-Security-Policy:
# Chromium reports each blocked inline script, handler or style on the console.
CSP_REPORT = "Content Security Policy"


@pytest.fixture
def open_page(chromium, live_server):
    """``open_page(user, path, width=1280)``: a page signed in as ``user`` at that width.

    The test fails if any page it opened broke the Content-Security-Policy.
    """
    contexts = []
    violations: list[str] = []

    def open_(user, path: str, *, width: int = WIDTHS["laptop"], height: int = 900):
        context = chromium.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            host = live_server.url.split("//", 1)[1].split(":")[0]
            context.add_cookies([{"name": cookie.key, "value": cookie.value, "domain": host, "path": "/"}])
        page = context.new_page()
        page.on("console", lambda message: CSP_REPORT in message.text and violations.append(f"{path}: {message.location} {message.text}"))
        page.goto(live_server.url + path)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not violations, violations[:3]


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than its viewport (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
