"""The admin: branded Fasu and in Chinese; other apps' tables for administrators only."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from legalcase.admin_site import FASU_APPS
from legalcase.models import Role
from tests.factories import make_matter, make_user

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
HEADER = "法诉 Fasu 管理"
THIRD_PARTY = {"filer", "django_dramatiq", "auth"}


def administrator():
    user = make_user(Role.ADMIN)
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


def staff_with_every_permission():
    """Counsel made staff and given every permission in the admin: still not an administrator."""
    user = make_user(Role.COUNSEL)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.all())
    return user


def fasu_admins():
    return [(model, model_admin) for model, model_admin in admin.site._registry.items() if model._meta.app_label in FASU_APPS]


def test_the_index_is_branded_fasu_and_chinese(client):
    client.force_login(administrator())
    html = client.get(reverse("admin:index")).content.decode()
    assert f"<title>{HEADER} | {HEADER}</title>" in html
    assert f'<a href="/admin/">{HEADER}</a>' in html
    assert "Django 管理" not in html and "Django 站点管理" not in html and "站点管理" not in html
    assert "案件管理" in html and "案件" in html and "律所" in html and "节假日" in html and "文书模板" in html
    # Fasu's own apps first; the others under Chinese names.
    sections = re.findall(r'<a href="/admin/(\w+)/" class="section"[^>]*>([^<]+)</a>', html)
    assert [label for label, _name in sections][:2] == ["legalcase", "templates_docx"]
    assert ("django_dramatiq", "任务队列（dramatiq）") in sections and ("filer", "文件存储（filer）") in sections
    assert "队列任务" in html and "文件夹" in html and "Tasks" not in html and "Thumbnail options" not in html


def test_every_column_and_filter_of_fasus_tables_reads_in_chinese():
    with translation.override("zh-hans"):
        for model, model_admin in fasu_admins():
            names = [*model_admin.list_display, *(f for f in model_admin.list_filter if isinstance(f, str))]
            for name in names:
                label = str(label_for_field(name, model, model_admin))
                assert CJK.search(label), f"{model.__name__}.{name}: {label}"
            assert CJK.search(str(model._meta.verbose_name_plural)), model.__name__


def test_the_lists_render_with_their_chinese_headers(client):
    client.force_login(administrator())
    make_matter()
    checked = set()
    for model, model_admin in fasu_admins():
        response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
        assert response.status_code == 200, model.__name__
        html = response.content.decode()
        if not response.context["cl"].result_count:
            continue  # an empty table shows no columns
        checked.add(model.__name__)
        with translation.override("zh-hans"):
            for name in model_admin.list_display:
                if name != "__str__":
                    assert str(label_for_field(name, model, model_admin)) in html, f"{model.__name__}.{name}"
    assert {"Matter", "Debt", "Party", "Creditor", "User", "Forum", "Holiday", "DocumentTemplate"} <= checked
    # The matter list's columns, as a person reads them.
    html = client.get(reverse("admin:legalcase_matter_changelist")).content.decode()
    for header in ("案件编号", "阶段", "承办人", "委托律所", "创建时间"):
        assert header in html


def test_other_apps_are_hidden_and_closed_to_staff_who_are_not_administrators(client):
    make_matter()
    client.force_login(staff_with_every_permission())
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/legalcase/matter/" in index  # Fasu's own tables, as permissions allow
    for app in THIRD_PARTY:
        assert f"/admin/{app}/" not in index, app
    for url in ("/admin/filer/folder/", "/admin/filer/file/", "/admin/django_dramatiq/task/", "/admin/auth/group/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "您的角色无权执行此操作。" in response.content.decode()
    assert client.get("/admin/filer/").status_code == 404  # for them the app has no page
    assert client.get(reverse("admin:legalcase_matter_changelist")).status_code == 200


def test_an_administrator_still_reaches_the_other_apps(client):
    client.force_login(administrator())
    index = client.get(reverse("admin:index")).content.decode()
    for app in THIRD_PARTY:
        assert f"/admin/{app}/" in index, app
    for url in ("/admin/django_dramatiq/task/", "/admin/auth/group/", "/admin/filer/folder/"):
        assert client.get(url, follow=True).status_code == 200, url


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client):
    response = client.get("/admin/django_dramatiq/task/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
