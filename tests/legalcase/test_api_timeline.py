"""The events API, the audit log, the users list and the owner endpoint (API.md Conventions and v1.1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from legalcase.authentication import token_issue
from legalcase.models import AuditAction, AuditEvent, EventKind, Matter, MatterEvent, Role, User
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    key, _ = token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def named(role, username, *, firm=None, last="", first="", active=True) -> User:
    user = make_user(role, firm=firm, username=username)
    user.last_name, user.first_name, user.is_active = last, first, active
    user.save()
    return user


# --- Events --------------------------------------------------------------------------------


@pytest.fixture
def timeline():
    firm, other = make_firm("衡平律师事务所"), make_firm("金诚律师事务所")
    matter = make_matter(firm=firm)
    start = timezone.now() - dt.timedelta(days=3)
    rows = [
        (EventKind.STAGE_CHANGED, {"stage": "intake"}, {"stage": "pre_litigation"}),
        (EventKind.FEE_ARRANGEMENT_SET, None, {"firm": other.name, "firm_id": other.pk, "fixed_fee": "1000.00"}),
        (EventKind.FEE_ARRANGEMENT_SET, None, {"firm": firm.name, "firm_id": firm.pk, "fixed_fee": "2000.00"}),
        (EventKind.STAGE_CHANGED, {"stage": "pre_litigation"}, {"stage": "litigation"}),
    ]
    events = [
        MatterEvent.objects.create(matter=matter, kind=kind, old=old, new=new, at=start + dt.timedelta(hours=n))
        for n, (kind, old, new) in enumerate(rows)
    ]
    return {"firm": firm, "other": other, "matter": matter, "events": events}


def test_events_come_newest_first_with_the_contract_fields(timeline):
    client = token_client(make_user(Role.COUNSEL))
    rows = client.get(f"/api/v1/matters/{timeline['matter'].pk}/events/").json()["results"]
    ids = [row["id"] for row in rows]
    mine = [event.pk for event in reversed(timeline["events"])]
    created = MatterEvent.objects.get(matter=timeline["matter"], kind=EventKind.CREATED).pk  # made just now
    assert ids == [created, *mine]
    ats = [row["at"] for row in rows]
    assert ats == sorted(ats, reverse=True)
    first = next(row for row in rows if row["id"] == timeline["events"][3].pk)
    assert set(first) >= {"id", "at", "actor", "kind", "text", "old", "new", "note"}
    assert first["text"] == "将案件阶段由「诉前」改为「诉讼」。"
    assert first["new"] == {"stage": "litigation"} and first["actor"] is None


def test_events_filter_by_kind_and_refuse_an_unknown_kind(timeline):
    client = token_client(make_user(Role.COUNSEL))
    url = f"/api/v1/matters/{timeline['matter'].pk}/events/"
    rows = client.get(url, {"kind": EventKind.STAGE_CHANGED}).json()["results"]
    assert [row["id"] for row in rows] == [timeline["events"][3].pk, timeline["events"][0].pk]
    bad = client.get(url, {"kind": "nonsense"})
    assert bad.status_code == 400 and list(bad.json()) == ["kind"]


def test_a_lawyer_reads_the_timeline_without_other_firms_fee_entries(timeline):
    lawyer = make_user(Role.LAWYER, firm=timeline["firm"])
    rows = token_client(lawyer).get(f"/api/v1/matters/{timeline['matter'].pk}/events/").json()["results"]
    ids = {row["id"] for row in rows}
    assert timeline["events"][2].pk in ids  # their own firm's fees
    assert timeline["events"][1].pk not in ids  # another firm's fees
    assert timeline["events"][0].pk in ids and timeline["events"][3].pk in ids


def test_another_firms_lawyer_gets_404_for_the_timeline(timeline):
    outsider = make_user(Role.LAWYER, firm=timeline["other"])
    assert token_client(outsider).get(f"/api/v1/matters/{timeline['matter'].pk}/events/").status_code == 404
    assert token_client(make_user(Role.COUNSEL)).get("/api/v1/matters/987654/events/").status_code == 404
    assert APIClient().get(f"/api/v1/matters/{timeline['matter'].pk}/events/").status_code == 401


# --- Audit log -------------------------------------------------------------------------------


@pytest.fixture
def audit():
    admin = make_user(Role.ADMIN, username="admin_audit")
    now = timezone.now()
    old = AuditEvent.objects.create(actor=admin, action=AuditAction.EXPORT, target="matters", at=now - dt.timedelta(days=10))
    new = AuditEvent.objects.create(
        actor=admin, action=AuditAction.PORTFOLIO_CHANGED, target="资产包", detail={"matters_added": [1]}, at=now
    )
    return {"admin": admin, "old": old, "new": new, "now": now}


def test_the_audit_log_is_for_admins_newest_first(audit):
    rows = token_client(audit["admin"]).get("/api/v1/audit-events/").json()["results"]
    assert [row["id"] for row in rows][:2] == [audit["new"].pk, audit["old"].pk]
    assert rows[0] == {
        "id": audit["new"].pk, "at": rows[0]["at"], "actor": "admin_audit", "action": "portfolio_changed",
        "action_label": rows[0]["action_label"], "target": "资产包", "detail": {"matters_added": [1]},
    }  # fmt: skip
    for role in (Role.COUNSEL, Role.MANAGER, Role.LAWYER):
        user = make_user(role, firm=make_firm() if role == Role.LAWYER else None)
        assert token_client(user).get("/api/v1/audit-events/").status_code == 403


def test_the_audit_log_filters_by_action_and_since(audit):
    client = token_client(audit["admin"])
    rows = client.get("/api/v1/audit-events/", {"action": "export"}).json()["results"]
    assert [row["id"] for row in rows] == [audit["old"].pk]
    since = (audit["now"] - dt.timedelta(days=1)).isoformat()
    rows = client.get("/api/v1/audit-events/", {"since": since}).json()["results"]
    assert [row["id"] for row in rows] == [audit["new"].pk]
    assert client.get("/api/v1/audit-events/", {"action": "nonsense"}).status_code == 400
    assert client.get("/api/v1/audit-events/", {"since": "yesterday"}).status_code == 400


# --- Users -----------------------------------------------------------------------------------


@pytest.fixture
def people():
    firm, other = make_firm("衡平律师事务所"), make_firm("金诚律师事务所")
    return {
        "firm": firm,
        "other": other,
        "zhao": named(Role.COUNSEL, "zhao", last="赵", first="敏"),
        "qian": named(Role.LAWYER, "qian", firm=firm, last="钱", first="多"),
        "sun": named(Role.LAWYER, "sun", firm=other, last="孙", first="立"),
        "gone": named(Role.COUNSEL, "gone", active=False),
        "li": named(Role.MANAGER, "li", last="李", first="四"),
    }


def usernames(client, **params) -> list[str]:
    return [row["username"] for row in client.get("/api/v1/users/", params).json()["results"]]


def test_users_are_active_ones_with_names_roles_and_firms(people):
    client = token_client(people["zhao"])
    rows = {row["username"]: row for row in client.get("/api/v1/users/").json()["results"]}
    assert "gone" not in rows
    assert rows["qian"] == {
        "id": people["qian"].pk, "username": "qian", "name": "钱多", "role": "lawyer",
        "firm": {"id": people["firm"].pk, "name": "衡平律师事务所"},
    }  # fmt: skip
    assert rows["zhao"]["firm"] is None and rows["zhao"]["name"] == "赵敏"


def test_users_filter_by_role_and_firm(people):
    client = token_client(people["zhao"])
    assert set(usernames(client, role="counsel")) == {"zhao"}
    assert usernames(client, firm=people["other"].pk) == ["sun"]
    assert usernames(client, role="lawyer", firm=people["firm"].pk) == ["qian"]
    assert client.get("/api/v1/users/", {"role": "boss"}).status_code == 400
    assert client.get("/api/v1/users/", {"firm": "x"}).status_code == 400


def test_a_lawyer_sees_only_their_own_firms_users(people):
    client = token_client(people["qian"])
    assert usernames(client) == ["qian"]
    assert usernames(client, firm=people["other"].pk) == []
    assert usernames(client, role="counsel") == []


# --- Owner -----------------------------------------------------------------------------------


def owner_of(matter) -> int | None:
    return Matter.objects.values_list("owner_id", flat=True).get(pk=matter.pk)


def test_counsel_and_admins_set_and_clear_the_owner_with_names_on_the_timeline(people):
    matter = make_matter(firm=people["firm"])
    admin = named(Role.ADMIN, "root", last="周", first="管")
    for actor in (people["zhao"], admin):
        client = token_client(actor)
        url = f"/api/v1/matters/{matter.pk}/owner/"
        response = client.post(url, {"owner": admin.pk}, format="json")
        assert response.status_code == 200 and response.json()["owner"] == "root"
        assert client.post(url, {"owner": None}, format="json").json()["owner"] is None
    events = list(MatterEvent.objects.filter(matter=matter, kind=EventKind.OWNER_CHANGED).order_by("id"))
    assert [(e.old["owner_name"], e.new["owner_name"]) for e in events] == [(None, "周管"), ("周管", None)] * 2


@pytest.mark.parametrize("role", [Role.LAWYER, Role.MANAGER])
def test_other_roles_may_not_set_the_owner(people, role):
    matter = make_matter(firm=people["firm"])
    user = people["qian"] if role == Role.LAWYER else people["li"]
    response = token_client(user).post(f"/api/v1/matters/{matter.pk}/owner/", {"owner": people["zhao"].pk}, format="json")
    assert response.status_code == 403
    assert owner_of(matter) is None
    assert not MatterEvent.objects.filter(matter=matter, kind=EventKind.OWNER_CHANGED).exists()


def test_another_firms_lawyer_and_a_missing_matter_get_404(people):
    matter = make_matter(firm=people["firm"])
    response = token_client(people["sun"]).post(f"/api/v1/matters/{matter.pk}/owner/", {"owner": None}, format="json")
    assert response.status_code == 404
    missing = token_client(people["zhao"]).post("/api/v1/matters/987654/owner/", {"owner": None}, format="json")
    assert missing.status_code == 404


@pytest.mark.parametrize("who", ["gone", "li", "qian", "nobody", "text"])
def test_an_owner_who_is_not_active_counsel_or_admin_is_refused(people, who):
    matter = make_matter(firm=people["firm"])
    owner = {"nobody": 987654, "text": "zhao"}.get(who) or people[who].pk
    response = token_client(people["zhao"]).post(f"/api/v1/matters/{matter.pk}/owner/", {"owner": owner}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["owner"]
    assert owner_of(matter) is None
    assert not MatterEvent.objects.filter(matter=matter, kind=EventKind.OWNER_CHANGED).exists()


def test_the_matter_pages_owner_form_goes_through_the_same_service(client, people):
    from django.urls import reverse

    matter = make_matter(firm=people["firm"])
    client.force_login(people["zhao"])
    client.post(reverse("matter_owner", args=[matter.pk]), {"owner": people["zhao"].pk})
    event = MatterEvent.objects.get(matter=matter, kind=EventKind.OWNER_CHANGED)
    assert event.new == {"owner": "zhao", "owner_name": "赵敏"}
    assert owner_of(matter) == people["zhao"].pk
