"""Counsel and administrators add and correct courts and commissions (API and page), audited."""

import pytest
from rest_framework.test import APIClient

from legalcase.models import AuditEvent, Forum, Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NEW = {"kind": "court", "name": "浙江省测试市测试区人民法院", "level": "basic", "region": "浙江省测试市测试区"}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("role", [Role.COUNSEL, Role.ADMIN])
def test_counsel_and_admins_add_a_court_audited(role):
    user = make_user(role)
    response = api(user).post("/api/v1/forums/", {**NEW, "address": "测试路1号"}, format="json")

    assert response.status_code == 201
    forum = Forum.objects.get(name=NEW["name"])
    assert response.json() == {"id": forum.pk, **NEW, "address": "测试路1号"}
    audit = AuditEvent.objects.get(action="forum_added")
    assert (audit.actor, audit.target) == (user, f"forum:{forum.pk}")
    assert audit.detail["new"]["name"] == NEW["name"] and audit.detail["new"]["address"] == "测试路1号"


def test_a_commission_is_added_without_a_level():
    response = api(make_user(Role.COUNSEL)).post(
        "/api/v1/forums/", {"kind": "arbitration", "name": "测试仲裁委员会", "region": "浙江省测试市"}, format="json"
    )
    assert response.status_code == 201
    assert Forum.objects.get(name="测试仲裁委员会").level == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW, "name": "浙江省杭州市萧山区人民法院"}, "name"),  # in the national table
        ({**NEW, "name": " 浙江省杭州市萧山区人民法院 "}, "name"),
        ({**NEW, "level": ""}, "level"),
        ({**NEW, "level": "county"}, "level"),
        ({**NEW, "kind": "arbitration", "name": "测试仲裁委员会"}, "level"),
        ({**NEW, "region": ""}, "region"),
        ({**NEW, "kind": "tribunal"}, "kind"),
    ],
)
def test_a_bad_or_known_forum_is_refused_and_nothing_stored(body, field):
    before = Forum.objects.count()
    response = api(make_user(Role.COUNSEL)).post("/api/v1/forums/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Forum.objects.count() == before
    assert not AuditEvent.objects.filter(action="forum_added").exists()


@pytest.mark.parametrize("role", [Role.LAWYER, Role.MANAGER])
def test_lawyers_and_managers_may_not_add_or_correct(role):
    user = make_user(role)
    forum = Forum.objects.get(name="浙江省杭州市萧山区人民法院")
    assert api(user).post("/api/v1/forums/", NEW, format="json").status_code == 403
    assert api(user).patch(f"/api/v1/forums/{forum.pk}/", {"address": "x"}, format="json").status_code == 403
    forum.refresh_from_db()
    assert forum.address == "" and not Forum.objects.filter(name=NEW["name"]).exists()
    client = api(user)
    client.force_login(user)
    assert client.get("/forums/").status_code == 200  # the list is open to all
    assert client.get(f"/forums/{forum.pk}/edit/").status_code == 403
    assert client.post("/forums/", NEW).status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="forum_").exists()


def test_counsel_corrects_address_region_level_and_retires_audited():
    user = make_user(Role.COUNSEL)
    forum = Forum.objects.get(name="浙江省杭州市萧山区人民法院")
    body = {"address": "浙江省杭州市萧山区市心北路", "region": "浙江省杭州市萧山区 ", "level": "basic", "active": False}

    response = api(user).patch(f"/api/v1/forums/{forum.pk}/", body, format="json")

    assert response.status_code == 200
    assert response.json()["address"] == "浙江省杭州市萧山区市心北路"
    forum.refresh_from_db()
    assert (forum.address, forum.region, forum.active) == ("浙江省杭州市萧山区市心北路", "浙江省杭州市萧山区", False)
    audit = AuditEvent.objects.get(action="forum_updated")
    assert audit.detail == {
        "name": forum.name,
        "old": {"address": "", "active": True},
        "new": {"address": "浙江省杭州市萧山区市心北路", "active": False},
    }


def test_a_correction_that_changes_nothing_is_not_audited():
    forum = Forum.objects.get(name="浙江省杭州市萧山区人民法院")
    response = api(make_user(Role.ADMIN)).patch(f"/api/v1/forums/{forum.pk}/", {"level": "basic"}, format="json")
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="forum_updated").exists()


@pytest.mark.parametrize(
    ("body", "field"), [({"level": "county"}, "level"), ({"region": "  "}, "region"), ({"active": "perhaps"}, "active")]
)
def test_a_bad_correction_is_refused_and_nothing_stored(body, field):
    forum = Forum.objects.get(name="浙江省杭州市萧山区人民法院")
    response = api(make_user(Role.ADMIN)).patch(f"/api/v1/forums/{forum.pk}/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    forum.refresh_from_db()
    assert (forum.level, forum.region, forum.active) == ("basic", "浙江省杭州市萧山区", True)


def test_a_commission_cannot_be_given_a_level_and_an_unknown_forum_is_404():
    commission = Forum.objects.get(name="杭州仲裁委员会")
    client = api(make_user(Role.ADMIN))
    assert client.patch(f"/api/v1/forums/{commission.pk}/", {"level": "basic"}, format="json").status_code == 400
    assert client.patch("/api/v1/forums/999999999/", {"address": "x"}, format="json").status_code == 404


def test_the_page_searches_adds_and_edits(client):
    user = make_user(Role.COUNSEL)
    client.force_login(user)

    page = client.get("/forums/", {"q": "萧山"}).content.decode()
    assert "浙江省杭州市萧山区人民法院" in page and "浙江省杭州市西湖区人民法院" not in page

    refused = client.post("/forums/", {**NEW, "name": "浙江省杭州市萧山区人民法院"})
    assert refused.status_code == 400
    assert "已" in refused.content.decode() or "already" in refused.content.decode()

    added = client.post("/forums/", {**NEW, "address": ""})
    assert added.status_code == 302
    forum = Forum.objects.get(name=NEW["name"])
    saved = client.post(f"/forums/{forum.pk}/edit/", {"level": "basic", "region": NEW["region"], "address": "测试路2号", "active": "on"})
    assert saved.status_code == 302
    forum.refresh_from_db()
    assert forum.address == "测试路2号" and forum.active
    assert list(AuditEvent.objects.filter(target=f"forum:{forum.pk}").values_list("action", flat=True).order_by("id")) == [
        "forum_added",
        "forum_updated",
    ]


def test_the_filing_context_carries_the_corrected_address():
    import datetime as dt

    from legalcase.models import Matter
    from legalcase.services import matter_set_forum
    from templates_docx.context import matter_context, with_filing_data
    from tests.factories import make_matter

    user = make_user(Role.COUNSEL)
    forum = Forum.objects.get(name="浙江省杭州市萧山区人民法院")
    matter = make_matter()
    matter_set_forum(user=user, matter_id=matter.pk, forum_id=forum.pk)
    api(user).patch(f"/api/v1/forums/{forum.pk}/", {"address": "浙江省杭州市萧山区市心北路"}, format="json")

    loaded = with_filing_data(Matter.objects.filter(pk=matter.pk)).get()
    forum_context = matter_context(loaded, today=dt.date(2026, 12, 7))["forum"]
    assert (forum_context["name"], forum_context["address"]) == ("浙江省杭州市萧山区人民法院", "浙江省杭州市萧山区市心北路")


def test_the_court_list_is_in_the_more_menu_of_counsel_and_admins_and_on_the_templates_page(client):
    counsel = make_user(Role.COUNSEL)
    client.force_login(counsel)
    more = 'class="navmore-panel">'
    assert 'href="/forums/"' in client.get("/").content.decode().split(more, 1)[1]
    admin = make_user(Role.ADMIN)
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    client.force_login(admin)
    assert 'href="/forums/"' in client.get("/").content.decode().split(more, 1)[1]
    assert 'href="/forums/"' in client.get("/templates/").content.decode()
