"""Courts and arbitration commissions: the installed set, the search API and a matter's forum."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.db.models import ProtectedError
from rest_framework.test import APIClient

from legalcase.models import EventKind, Forum, MatterEvent, Role
from legalcase.services import matter_set_forum
from tests.api_schema import api_schema
from tests.factories import make_firm, make_forum, make_matter, make_user

pytestmark = pytest.mark.django_db

install = importlib.import_module("legalcase.migrations.0007_install_forums")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


# The installed starting set -----------------------------------------------------------


def test_the_migration_installed_a_useful_starting_set():
    assert Forum.objects.count() > 100
    assert Forum.objects.filter(kind="court", level="high").count() >= 31
    supreme = Forum.objects.get(name="最高人民法院")
    assert (supreme.kind, supreme.level, supreme.active) == ("court", "supreme", True)
    assert Forum.objects.get(name="上海金融法院").level == "special"
    assert Forum.objects.get(name="北京仲裁委员会").kind == "arbitration"
    assert Forum.objects.get(name="上海市浦东新区人民法院").level == "basic"


def test_commissions_have_no_court_level_and_every_row_has_a_region():
    assert not Forum.objects.filter(kind="arbitration").exclude(level="").exists()
    assert not Forum.objects.filter(kind="court", level="").exists()
    assert not Forum.objects.filter(region="").exists()


def test_the_data_names_each_forum_once():
    rows = [row[1] for row in install.FORUMS]
    assert len(rows) == len(set(rows))


def test_installing_again_keeps_an_administrators_row_and_adds_nothing():
    edited = Forum.objects.get(name="北京市朝阳区人民法院")
    edited.address = "由管理员核实的地址"
    edited.save(update_fields=["address"])
    before = Forum.objects.count()

    install.install_forums(global_apps, None)

    assert Forum.objects.count() == before
    edited.refresh_from_db()
    assert edited.address == "由管理员核实的地址"


def test_reversing_removes_only_installed_rows_no_matter_uses():
    own = make_forum("上海市测试法院")
    edited = Forum.objects.get(name="北京市海淀区人民法院")
    edited.address = "由管理员核实的地址"
    edited.save(update_fields=["address"])
    used = Forum.objects.get(name="上海市浦东新区人民法院")
    matter_set_forum(user=make_user(Role.ADMIN), matter_id=make_matter().pk, forum_id=used.pk)

    install.remove_forums(global_apps, None)

    # The national table (migration 0022) stays: only this migration's rows are judged here.
    installed = {row[1] for row in install.FORUMS}
    left = set(Forum.objects.values_list("name", flat=True))
    assert own.name in left
    assert left & installed == {edited.name, used.name}


# Search -------------------------------------------------------------------------------


def test_searching_by_part_of_the_name_lists_matching_active_forums():
    retired = Forum.objects.get(name="北京市东城区人民法院")
    retired.active = False
    retired.save(update_fields=["active"])

    response = api(make_user()).get("/api/v1/forums/", {"q": "北京市"})

    assert response.status_code == 200
    found = names(response)
    assert "北京市朝阳区人民法院" in found and "北京市高级人民法院" in found
    assert "北京市东城区人民法院" not in found
    assert all("北京市" in row["name"] or "北京市" in row["region"] for row in response.json()["results"])


def test_searching_by_region_finds_courts_and_commissions_courts_first():
    response = api(make_user()).get("/api/v1/forums/", {"q": "广东省深圳市", "page_size": 500})

    rows = response.json()["results"]
    found = [row["name"] for row in rows]
    assert "广东省深圳市福田区人民法院" in found and "深圳国际仲裁院" in found
    kinds = [row["kind"] for row in rows]
    assert kinds == sorted(kinds, key=lambda kind: kind != "court")
    court_names = [row["name"] for row in rows if row["kind"] == "court"]
    assert court_names == sorted(court_names)


def test_the_search_ignores_case():
    make_forum("Test Court of Shanghai", region="Shanghai")
    assert names(api(make_user()).get("/api/v1/forums/", {"q": "test court"})) == ["Test Court of Shanghai"]


def test_a_forum_is_shown_with_its_kind_level_region_and_address():
    response = api(make_user()).get("/api/v1/forums/", {"q": "上海市高级人民法院"})
    forum = Forum.objects.get(name="上海市高级人民法院")
    assert response.json()["results"] == [
        {
            "id": forum.pk,
            "kind": "court",
            "name": "上海市高级人民法院",
            "level": "high",
            "region": "上海市",
            "address": "上海市徐汇区肇嘉浜路308号",
        }
    ]


def test_the_list_is_paginated_like_the_other_lists():
    body = api(make_user()).get("/api/v1/forums/", {"page_size": 10}).json()
    assert body["count"] == Forum.objects.filter(active=True).count()
    assert len(body["results"]) == 10 and body["next"] and body["previous"] is None


@pytest.mark.parametrize("role", [Role.LAWYER, Role.MANAGER, Role.COUNSEL, Role.ADMIN])
def test_every_signed_in_role_sees_the_forums(role):
    response = api(make_user(role)).get("/api/v1/forums/", {"q": "仲裁委员会"})
    assert response.status_code == 200
    assert "北京仲裁委员会" in names(response)


def test_the_forum_list_needs_a_signed_in_user():
    assert APIClient().get("/api/v1/forums/").status_code == 401


# A matter's forum -----------------------------------------------------------------------


def forum_events(matter):
    return MatterEvent.objects.filter(matter=matter, kind=EventKind.FORUM_SET)


def test_counsel_sets_the_forum_and_the_timeline_records_it():
    matter = make_matter()
    counsel = make_user(Role.COUNSEL)
    forum = Forum.objects.get(name="上海市浦东新区人民法院")

    response = api(counsel).post(f"/api/v1/matters/{matter.pk}/forum/", {"forum": forum.pk}, format="json")

    assert response.status_code == 200
    assert response.json()["forum"] == {"id": forum.pk, "name": "上海市浦东新区人民法院"}
    matter.refresh_from_db()
    assert matter.forum == forum
    event = forum_events(matter).get()
    assert (event.actor, event.old, event.new) == (counsel, None, {"forum": forum.name, "forum_id": forum.pk})


def test_the_matter_detail_shows_no_forum_until_one_is_set():
    matter = make_matter()
    assert api(make_user()).get(f"/api/v1/matters/{matter.pk}/").json()["forum"] is None


def test_the_matter_list_rows_stay_without_the_forum():
    make_matter()
    row = api(make_user()).get("/api/v1/matters/").json()["results"][0]
    assert "forum" not in row


def test_setting_null_clears_the_forum_and_records_the_old_one():
    matter = make_matter()
    counsel = make_user(Role.COUNSEL)
    forum = Forum.objects.get(name="北京仲裁委员会")
    matter_set_forum(user=counsel, matter_id=matter.pk, forum_id=forum.pk)

    response = api(counsel).post(f"/api/v1/matters/{matter.pk}/forum/", {"forum": None}, format="json")

    assert response.status_code == 200 and response.json()["forum"] is None
    matter.refresh_from_db()
    assert matter.forum is None
    assert forum_events(matter).first().old == {"forum": forum.name, "forum_id": forum.pk}


def test_choosing_the_same_forum_again_records_nothing():
    matter = make_matter()
    counsel = make_user(Role.COUNSEL)
    forum = make_forum()
    matter_set_forum(user=counsel, matter_id=matter.pk, forum_id=forum.pk)
    matter_set_forum(user=counsel, matter_id=matter.pk, forum_id=forum.pk)
    assert forum_events(matter).count() == 1


def test_the_assigned_firms_lawyer_may_set_the_forum():
    firm = make_firm()
    matter = make_matter(firm=firm)
    forum = make_forum()
    response = api(make_user(Role.LAWYER, firm=firm)).post(
        f"/api/v1/matters/{matter.pk}/forum/", {"forum": forum.pk}, format="json"
    )
    assert response.status_code == 200
    matter.refresh_from_db()
    assert matter.forum == forum


def test_a_manager_gets_403_and_nothing_changes():
    matter = make_matter()
    forum = make_forum()
    response = api(make_user(Role.MANAGER)).post(
        f"/api/v1/matters/{matter.pk}/forum/", {"forum": forum.pk}, format="json"
    )
    assert response.status_code == 403 and "detail" in response.json()
    matter.refresh_from_db()
    assert matter.forum is None and not forum_events(matter).exists()


def test_a_lawyer_of_another_firm_gets_404_and_nothing_changes():
    matter = make_matter(firm=make_firm())
    forum = make_forum()
    response = api(make_user(Role.LAWYER, firm=make_firm())).post(
        f"/api/v1/matters/{matter.pk}/forum/", {"forum": forum.pk}, format="json"
    )
    assert response.status_code == 404
    matter.refresh_from_db()
    assert matter.forum is None and not forum_events(matter).exists()


@pytest.mark.parametrize("given", ["unknown", "inactive", "not a number", "missing"])
def test_an_unknown_or_inactive_forum_answers_400_and_the_matter_is_unchanged(given):
    matter = make_matter()
    counsel = make_user(Role.COUNSEL)
    current = make_forum()
    matter_set_forum(user=counsel, matter_id=matter.pk, forum_id=current.pk)
    retired = make_forum(active=False)
    body = {
        "unknown": {"forum": 987654321},
        "inactive": {"forum": retired.pk},
        "not a number": {"forum": "上海市浦东新区人民法院"},
        "missing": {},
    }[given]

    response = api(counsel).post(f"/api/v1/matters/{matter.pk}/forum/", body, format="json")

    assert response.status_code == 400
    assert "forum" in response.json()
    matter.refresh_from_db()
    assert matter.forum == current
    assert forum_events(matter).count() == 1


def test_a_used_forum_cannot_be_deleted():
    matter = make_matter()
    forum = make_forum()
    matter_set_forum(user=make_user(Role.ADMIN), matter_id=matter.pk, forum_id=forum.pk)
    with pytest.raises(ProtectedError):
        forum.delete()
    assert Forum.objects.filter(pk=forum.pk).exists()


# Schema and demo ----------------------------------------------------------------------


def test_the_schema_documents_the_forum_endpoints_and_the_matters_forum():
    schema = api_schema()
    assert {"/api/v1/forums/", "/api/v1/matters/{matter_id}/forum/"} <= set(schema["paths"])
    assert "forum" in schema["components"]["schemas"]["MatterDetail"]["properties"]
    assert "forum" not in schema["components"]["schemas"]["Matter"]["properties"]


# The demo's forums and loan terms are checked on the seeded demo of test_commands.py (one seeding).
