"""Assignments and owners through the API; a firm loses access on its very next request."""

import pytest
from rest_framework.test import APIClient

from legalcase.authentication import token_issue
from legalcase.models import Assignment, EventKind, MatterEvent, Role
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    key, _ = token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def listed(client) -> set[int]:
    return {row["id"] for row in client.get("/api/v1/matters/").json()["results"]}


def test_ending_the_assignment_takes_access_away_at_once():
    firm = make_firm()
    matter = make_matter(firm=firm)
    lawyer = token_client(make_user(Role.LAWYER, firm=firm))
    counsel = token_client(make_user(Role.COUNSEL))
    assert lawyer.get(f"/api/v1/matters/{matter.pk}/").status_code == 200

    ended = counsel.delete(f"/api/v1/matters/{matter.pk}/assignment/")

    assert ended.status_code == 200 and ended.json()["assigned_firm"] is None
    assert lawyer.get(f"/api/v1/matters/{matter.pk}/").status_code == 404
    assert matter.pk not in listed(lawyer)
    assert Assignment.objects.get(matter=matter).ended_at is not None


def test_reassigning_moves_access_to_the_new_firm():
    old_firm, new_firm = make_firm(), make_firm()
    matter = make_matter(firm=old_firm)
    old_lawyer = token_client(make_user(Role.LAWYER, firm=old_firm))
    new_lawyer = token_client(make_user(Role.LAWYER, firm=new_firm))
    counsel = token_client(make_user(Role.COUNSEL))
    assert new_lawyer.get(f"/api/v1/matters/{matter.pk}/").status_code == 404

    response = counsel.post(f"/api/v1/matters/{matter.pk}/assignment/", {"firm": new_firm.pk}, format="json")

    assert response.status_code == 200
    assert response.json()["assigned_firm"] == {"id": new_firm.pk, "name": new_firm.name}
    assert old_lawyer.get(f"/api/v1/matters/{matter.pk}/").status_code == 404
    assert matter.pk not in listed(old_lawyer)
    assert new_lawyer.get(f"/api/v1/matters/{matter.pk}/").status_code == 200
    assert listed(new_lawyer) == {matter.pk}
    assert Assignment.objects.filter(matter=matter, ended_at__isnull=True).get().firm == new_firm


def test_assigning_an_unknown_firm_answers_400_and_changes_nothing():
    matter = make_matter()
    counsel = token_client(make_user(Role.COUNSEL))

    missing = counsel.post(f"/api/v1/matters/{matter.pk}/assignment/", {"firm": 987654}, format="json")
    absent = counsel.post(f"/api/v1/matters/{matter.pk}/assignment/", {}, format="json")

    assert missing.status_code == 400 and list(missing.json()) == ["firm"]
    assert absent.status_code == 400 and list(absent.json()) == ["firm"]
    assert not Assignment.objects.filter(matter=matter).exists()


def test_the_owner_is_set_and_cleared():
    matter = make_matter()
    owner = make_user(Role.COUNSEL, username="counsel_zhao")
    counsel = token_client(make_user(Role.COUNSEL))
    url = f"/api/v1/matters/{matter.pk}/owner/"

    assert counsel.post(url, {"owner": owner.pk}, format="json").json()["owner"] == "counsel_zhao"
    assert counsel.post(url, {"owner": None}, format="json").json()["owner"] is None
    kinds = MatterEvent.objects.filter(matter=matter, kind=EventKind.OWNER_CHANGED).count()
    assert kinds == 2


def test_only_an_in_house_counsel_may_own_a_matter():
    matter = make_matter()
    counsel = token_client(make_user(Role.COUNSEL))
    manager = make_user(Role.MANAGER)

    response = counsel.post(f"/api/v1/matters/{matter.pk}/owner/", {"owner": manager.pk}, format="json")

    assert response.status_code == 400 and list(response.json()) == ["owner"]
    matter.refresh_from_db()
    assert matter.owner is None
