"""POST /api/v1/matters/{id}/transition/ against API.md's table of allowed moves."""

import pytest
from rest_framework.test import APIClient

from legalcase.models import ALLOWED_MOVES, EventKind, MatterEvent, Role, Stage
from tests.factories import make_matter, make_user

pytestmark = pytest.mark.django_db

EVERY_ALLOWED_MOVE = [(source, target) for source, targets in ALLOWED_MOVES.items() for target in targets]
SOME_REFUSED_MOVES = [
    ("intake", "judgment"),
    ("intake", "enforcement"),
    ("intake", "intake"),
    ("arbitration", "litigation"),
    ("litigation", "enforcement"),
    ("enforcement", "litigation"),
    ("settled", "judgment"),
    ("closed", "intake"),
    ("closed", "enforcement"),
]


@pytest.fixture
def client():
    client = APIClient()
    client.force_authenticate(make_user(Role.COUNSEL))
    return client


def move(client, matter, **body):
    return client.post(f"/api/v1/matters/{matter.pk}/transition/", body, format="json")


def assert_unchanged(matter, stage: str, events: int):
    matter.refresh_from_db()
    assert matter.stage == stage and matter.closing_reason == ""
    assert MatterEvent.objects.filter(matter=matter).count() == events


@pytest.mark.parametrize("source, target", EVERY_ALLOWED_MOVE)
def test_every_allowed_move_answers_200_and_is_recorded(client, source, target):
    matter = make_matter(stage=source)
    reason = "recovered" if target == Stage.CLOSED else ""

    response = move(client, matter, to=target, note="依据", reason=reason)

    assert response.status_code == 200, response.content
    assert response.json()["stage"] == target
    matter.refresh_from_db()
    assert matter.stage == target
    event = MatterEvent.objects.get(matter=matter, kind=EventKind.STAGE_CHANGED)
    assert event.old == {"stage": source} and event.new["stage"] == target and event.note == "依据"


@pytest.mark.parametrize("source, target", SOME_REFUSED_MOVES)
def test_a_move_outside_the_table_answers_409_with_the_current_stage(client, source, target):
    assert target not in ALLOWED_MOVES[source]
    matter = make_matter(stage=source)
    events = MatterEvent.objects.filter(matter=matter).count()

    response = move(client, matter, to=target, reason="other" if target == Stage.CLOSED else "")

    assert response.status_code == 409
    assert response.json()["stage"] == source and response.json()["detail"]
    assert_unchanged(matter, source, events)


def test_an_unknown_stage_answers_400(client):
    matter = make_matter()

    response = move(client, matter, to="appeal")

    assert response.status_code == 400 and "to" in response.json()
    assert_unchanged(matter, "intake", 1)


@pytest.mark.parametrize("reason", ["", "bored"])
def test_closing_needs_a_valid_reason(client, reason):
    matter = make_matter()

    response = move(client, matter, to="closed", reason=reason)

    assert response.status_code == 400 and "reason" in response.json()
    assert_unchanged(matter, "intake", 1)


def test_a_reason_is_only_for_closing(client):
    matter = make_matter()

    response = move(client, matter, to="litigation", reason="recovered")

    assert response.status_code == 400 and "reason" in response.json()
    assert_unchanged(matter, "intake", 1)


def test_closing_records_the_reason(client):
    matter = make_matter(stage="enforcement_terminated")

    response = move(client, matter, to="closed", reason="written_off")

    assert response.status_code == 200
    assert response.json()["closing_reason"] == "written_off"
    assert response.json()["allowed_moves"] == []
