"""A lawyer overrides a deadline's date with a reason (issue 7: the deadline engine)."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from legalcase.models import DemandRecord, EventKind, Role
from legalcase.services import matter_deadlines_recompute
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db
D = dt.date


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def limitation():
    matter = make_matter(overdue_since=D(2025, 3, 3))
    matter_deadlines_recompute(matter_id=matter.pk)
    return matter.deadlines.get(kind="limitation", superseded_at__isnull=True)


def override(user, deadline, **body):
    return client_for(user).post(reverse("api:deadline-override", args=[deadline.pk]), body, format="json")


def test_an_override_moves_the_date_keeps_the_rules_date_and_is_on_the_timeline(limitation):
    counsel = make_user(Role.COUNSEL)
    response = override(counsel, limitation, due_on="2028-03-01", reason="法院通知载明的日期")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["due_on"] == "2028-03-01" and body["computed_on"] == "2028-03-03"
    assert body["override_reason"] == "法院通知载明的日期"
    event = limitation.matter.events.get(kind=EventKind.DEADLINE_OVERRIDDEN)
    assert event.actor == counsel and event.old["due_on"] == "2028-03-03" and event.new["due_on"] == "2028-03-01"
    assert event.note == "法院通知载明的日期"


def test_recomputation_keeps_the_override_and_updates_the_rules_date(limitation):
    override(make_user(Role.COUNSEL), limitation, due_on="2028-03-01", reason="法院通知")
    DemandRecord.objects.create(debt=limitation.matter.debt, date=D(2025, 6, 2), channel="letter", delivered=True)
    matter_deadlines_recompute(matter_id=limitation.matter_id)
    limitation.refresh_from_db()
    assert limitation.superseded_at is None
    assert limitation.due_on == D(2028, 3, 1)
    assert limitation.computed_on == D(2028, 6, 2)  # the demand restarted the rule's three years


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"due_on": "2028-03-01"}, "reason"),
        ({"due_on": "2028-03-01", "reason": "   "}, "reason"),
        ({"due_on": "2028-02-30", "reason": "x"}, "due_on"),
        ({"reason": "x"}, "due_on"),
        ({"due_on": "2028-03-03", "reason": "same date"}, "due_on"),
    ],
)
def test_a_bad_override_is_refused_and_changes_nothing(limitation, body, field):
    response = override(make_user(Role.COUNSEL), limitation, **body)
    assert response.status_code == 400 and field in response.json()
    limitation.refresh_from_db()
    assert limitation.due_on == D(2028, 3, 3) and limitation.overridden_at is None
    assert not limitation.matter.events.filter(kind=EventKind.DEADLINE_OVERRIDDEN).exists()


def test_a_closed_deadline_cannot_be_overridden(limitation):
    counsel = make_user(Role.COUNSEL)
    client_for(counsel).post(
        reverse("api:deadline-complete", args=[limitation.pk]), {"status": "waived", "reason": "已起诉"}, format="json"
    )
    response = override(counsel, limitation, due_on="2028-03-01", reason="x")
    assert response.status_code == 400 and "status" in response.json()


def test_override_access_follows_the_roles_table(limitation):
    firm, other = make_firm(), make_firm()
    limitation.matter.assigned_firm = firm
    limitation.matter.save(update_fields=["assigned_firm"])
    assert override(make_user(Role.MANAGER), limitation, due_on="2028-03-01", reason="x").status_code == 403
    assert override(make_user(Role.LAWYER, firm=other), limitation, due_on="2028-03-01", reason="x").status_code == 404
    assert override(make_user(Role.LAWYER, firm=firm), limitation, due_on="2028-03-01", reason="x").status_code == 200
