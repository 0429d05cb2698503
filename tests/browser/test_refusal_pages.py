"""Refusal pages and the admin in a real browser, with DEBUG=1 as `make run` sets it."""

import pytest
from django.urls import reverse

from legalcase.models import Role
from tests.factories import make_firm, make_matter, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def test_another_firms_matter_is_the_chinese_404_page_under_debug(open_page, debug):
    theirs = make_matter(firm=make_firm())
    page = open_page(make_user(Role.LAWYER, firm=make_firm()), reverse("matter_detail", args=[theirs.pk]))
    page.screenshot(path="/tmp/small-404-debug.png", full_page=True)
    assert page.title() == "未找到 · 法诉"
    assert page.locator(".error-page h1").inner_text() == "未找到"
    assert "该页面不存在，或您无权查看。" in page.inner_text(".error-page")
    page.click(".error-page a")  # the way home works
    assert page.url.endswith(reverse("matter_list"))


def test_an_action_the_role_may_not_take_is_the_chinese_403_page_under_debug(open_page, debug):
    page = open_page(make_user(Role.LAWYER), reverse("escalation_import"))
    page.screenshot(path="/tmp/small-403-debug.png", full_page=True)
    assert page.title() == "无权操作 · 法诉"
    assert "您的角色无权执行此操作。" in page.inner_text(".error-page")


def test_the_admin_index_is_fasus_and_chinese(open_page):
    admin = make_user(Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    page = open_page(admin, reverse("admin:index"))
    page.screenshot(path="/tmp/small-admin-index.png", full_page=True)
    assert page.title() == "法诉 Fasu 管理 | 法诉 Fasu 管理"
    assert page.locator("#site-name").inner_text() == "法诉 Fasu 管理"
    assert "案件管理" in page.inner_text("#content-main")
