"""Hearings out (issue 20 item 2): deadline lists, notifications, the digest and the calendar feed.

A hearing to come is a deadline with its time, place and court; moving it (``PATCH
/api/v1/hearings/{id}/``) updates the one calendar event (same UID, higher SEQUENCE);
the calendar address is rotated and revoked through the API; a summons served fewer
than 3 clear days before the hearing is flagged (LEGAL_RULES Part 2 B.4).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from rest_framework.test import APIClient

from legalcase.models import AuditEvent, Deadline, EventKind, Hearing, MatterEvent, Notification, Role
from legalcase.services import hearing_add, proceeding_court_dates_set, proceeding_record
from legalcase.services.notifications import (
    calendar_feed_user,
    deadlines_daily,
    deadlines_ics,
    digest_text,
)
from tests.factories import make_firm, make_forum, make_matter, make_user

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 6, 8, 10, 0, tzinfo=BEIJING)  # a Monday
TODAY = NOW.date()
COURT = "上海市测试浦东区人民法院"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def world():
    with time_machine.travel(NOW, tick=False):
        firm = make_firm("衡平测试律师事务所")
        counsel = make_user(Role.COUNSEL)
        lawyer = make_user(Role.LAWYER, firm=firm)
        matter = make_matter(owner=counsel, firm=firm, overdue_since=dt.date(2025, 3, 3))
        proceeding = proceeding_record(
            user=counsel,
            matter_id=matter.pk,
            kind="first_instance",
            forum_id=make_forum(COURT).pk,
            case_number="(2026)沪0115民初1234号",
            filed_on=dt.date(2026, 5, 6),
        )
        hearing = hearing_add(
            user=lawyer,
            proceeding_id=proceeding.pk,
            at=dt.datetime(2026, 6, 12, 9, 30, tzinfo=BEIJING),
            place="第十二法庭",
            summons_served_on=dt.date(2026, 6, 5),
        )
    with time_machine.travel(NOW, tick=False):
        yield {"counsel": counsel, "lawyer": lawyer, "matter": matter, "proceeding": proceeding, "hearing": hearing}


def hearing_rows(matter):
    return list(Deadline.objects.filter(matter=matter, kind="hearing", superseded_at__isnull=True))


def unfold(raw: bytes) -> list[str]:
    """RFC 5545 content lines: CRLF, at most 75 octets, continuation lines joined."""
    physical = raw[:-2].split(b"\r\n")
    assert raw.endswith(b"\r\n") and all(len(line) <= 75 for line in physical)
    logical: list[bytes] = []
    for line in physical:
        if line.startswith(b" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return [line.decode() for line in logical]


def unescape(value: str) -> str:
    return value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


def parse_ics(raw: bytes) -> dict:
    """A hand-written iCalendar reader (no icalendar package here): components, properties, parameters."""
    root: dict = {"name": "ROOT", "props": [], "children": []}
    stack = [root]
    for line in unfold(raw):
        name_part, _, value = line.partition(":")
        name, *params = name_part.split(";")
        if name == "BEGIN":
            component = {"name": value, "props": [], "children": []}
            stack[-1]["children"].append(component)
            stack.append(component)
        elif name == "END":
            assert stack.pop()["name"] == value
        else:
            stack[-1]["props"].append((name, dict(param.split("=", 1) for param in params), unescape(value)))
    assert len(stack) == 1
    (calendar,) = root["children"]
    return calendar


def prop(component: dict, name: str) -> tuple[dict, str]:
    found = [(params, value) for n, params, value in component["props"] if n == name]
    assert len(found) == 1, (name, found)
    return found[0]


def vevents(raw: bytes) -> list[dict]:
    return [child for child in parse_ics(raw)["children"] if child["name"] == "VEVENT"]


def hearing_event(raw: bytes, hearing) -> dict:
    found = [event for event in vevents(raw) if prop(event, "UID")[1].startswith(f"hearing-{hearing.pk}@")]
    assert len(found) == 1
    return found[0]


def test_an_upcoming_hearing_is_a_deadline_with_time_place_and_court_in_the_api(world):
    (row,) = hearing_rows(world["matter"])
    assert (row.due_on, row.rule, row.hearing_id) == (dt.date(2026, 6, 12), "court.hearing@2024", world["hearing"].pk)
    answer = client_for(world["lawyer"]).get("/api/v1/deadlines/", {"kind": "hearing"}).json()["results"]
    assert [(r["id"], r["kind"], r["due_on"]) for r in answer] == [(row.pk, "hearing", "2026-06-12")]
    assert (answer[0]["at"], answer[0]["place"], answer[0]["court"]) == ("2026-06-12T09:30:00+08:00", "第十二法庭", COURT)
    detail = client_for(world["counsel"]).get(f"/api/v1/matters/{world['matter'].pk}/").json()
    (hearing,) = [d for d in detail["deadlines"] if d["kind"] == "hearing"]
    assert (hearing["at"], hearing["place"], hearing["court"]) == ("2026-06-12T09:30:00+08:00", "第十二法庭", COURT)
    limitation = next(d for d in detail["deadlines"] if d["kind"] == "limitation")
    assert (limitation["at"], limitation["place"], limitation["court"]) == (None, None, None)


def test_a_hearing_due_this_week_is_notified_and_in_the_digest_with_place_and_court_in_chinese(world):
    counts = deadlines_daily(today=TODAY)
    assert counts["hearings_passed"] == 0
    (row,) = hearing_rows(world["matter"])
    notified = Notification.objects.filter(deadline=row, kind="due_soon")
    assert set(notified.values_list("user_id", flat=True)) == {world["counsel"].pk, world["lawyer"].pk}
    with translation.override("zh-hans"):
        subject, body, _count = digest_text(user=world["lawyer"], today=TODAY)
    line = next(line for line in body.splitlines() if line.startswith("- 2026-06-12"))
    assert line == f"- 2026-06-12  开庭  {world['matter'].number}  09:30 · {COURT}第十二法庭"
    assert world["matter"].debtor_name not in body


def test_the_pages_show_the_hearing_with_its_time_place_and_court(world, client):
    client.force_login(world["lawyer"])
    html = client.get("/deadlines/?scope=firm").content.decode()
    assert "开庭" in html and f"09:30 · {COURT}第十二法庭" in html
    notifications = client.get("/notifications/")
    deadlines_daily(today=TODAY)
    html = client.get("/notifications/").content.decode()
    assert notifications.status_code == 200 and f"09:30 · {COURT}第十二法庭" in html
    html = client.get(f"/matters/{world['matter'].pk}/").content.decode()
    assert f"09:30 · {COURT}第十二法庭" in html


def test_the_hearing_is_a_timed_event_in_beijing_time_with_its_place_and_court(world):
    proceeding_court_dates_set(user=world["lawyer"], proceeding=world["proceeding"], evidence_due_on=dt.date(2026, 6, 20))
    raw = deadlines_ics(world["lawyer"], today=TODAY)
    calendar = parse_ics(raw)
    assert [c for c in calendar["children"] if c["name"] == "VTIMEZONE"]
    event = hearing_event(raw, world["hearing"])
    assert prop(event, "DTSTART") == ({"TZID": "Asia/Shanghai"}, "20260612T093000")
    assert prop(event, "DTEND") == ({"TZID": "Asia/Shanghai"}, "20260612T113000")
    assert prop(event, "LOCATION")[1] == f"{COURT}第十二法庭"
    assert prop(event, "SEQUENCE")[1] == "0"
    assert prop(event, "SUMMARY")[1] == f"开庭 · {world['matter'].number}"
    assert prop(event, "LAST-MODIFIED")[1].endswith("Z") and prop(event, "DTSTAMP")[1].endswith("Z")
    # An evidence period is an all-day event at its court; 06-20 is a Saturday: Monday 06-22.
    (evidence,) = [e for e in vevents(raw) if "evidence_period" in prop(e, "UID")[1]]
    assert prop(evidence, "DTSTART") == ({"VALUE": "DATE"}, "20260622")
    assert prop(evidence, "LOCATION")[1] == COURT
    assert prop(evidence, "SUMMARY")[1] == f"期限：举证期限届满 · {world['matter'].number}"


def test_moving_a_hearing_updates_its_one_calendar_event(world):
    client = client_for(world["lawyer"])
    before = hearing_event(deadlines_ics(world["lawyer"], today=TODAY), world["hearing"])
    answer = client.patch(
        f"/api/v1/hearings/{world['hearing'].pk}/",
        {"at": "2026-06-19T14:00:00+08:00", "place": "第五法庭", "note": "法院通知改期"},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["at"], body["place"], body["revision"], body["court"]) == (
        "2026-06-19T14:00:00+08:00", "第五法庭", 1, COURT,
    )  # fmt: skip
    raw = deadlines_ics(world["lawyer"], today=TODAY)
    hearings = [e for e in vevents(raw) if prop(e, "UID")[1].startswith("hearing-")]
    assert len(hearings) == 1  # no duplicate
    after = hearings[0]
    assert prop(after, "UID") == prop(before, "UID")
    assert int(prop(after, "SEQUENCE")[1]) > int(prop(before, "SEQUENCE")[1])
    assert prop(after, "DTSTART") == ({"TZID": "Asia/Shanghai"}, "20260619T140000")
    assert prop(after, "LOCATION")[1] == f"{COURT}第五法庭"
    assert prop(after, "LAST-MODIFIED")[1] >= prop(before, "LAST-MODIFIED")[1]
    (row,) = hearing_rows(world["matter"])
    assert row.due_on == dt.date(2026, 6, 19)
    event = MatterEvent.objects.get(matter=world["matter"], kind=EventKind.HEARING_MOVED)
    assert event.old["at"] == "2026-06-12T09:30:00+08:00" and event.new["at"] == "2026-06-19T14:00:00+08:00"
    assert (event.old["place"], event.new["place"]) == ("第十二法庭", "第五法庭")
    # A change of time on the same day changes the row in place and the sequence again.
    client.patch(f"/api/v1/hearings/{world['hearing'].pk}/", {"at": "2026-06-19T15:30:00+08:00"}, format="json")
    again = hearing_event(deadlines_ics(world["lawyer"], today=TODAY), world["hearing"])
    assert prop(again, "UID") == prop(before, "UID") and prop(again, "SEQUENCE")[1] == "2"
    assert prop(again, "DTSTART")[1] == "20260619T153000"
    assert hearing_rows(world["matter"])[0].pk == row.pk


def test_a_passed_hearing_leaves_the_lists_and_raises_no_overdue_notice(world):
    Hearing.objects.filter(pk=world["hearing"].pk).update(at=dt.datetime(2026, 6, 5, 9, 30, tzinfo=BEIJING))
    Deadline.objects.filter(kind="hearing").update(due_on=dt.date(2026, 6, 5))
    counts = deadlines_daily(today=TODAY)
    assert counts["hearings_passed"] == 1
    assert hearing_rows(world["matter"]) == []
    assert not Notification.objects.filter(kind="overdue", deadline__kind="hearing").exists()


def test_a_summons_served_fewer_than_3_clear_days_before_is_flagged(world):
    client = client_for(world["lawyer"])
    url = f"/api/v1/hearings/{world['hearing'].pk}/"
    # Served 06-05 for 06-12: six clear days.
    assert client.patch(url, {"note": "x"}, format="json").json()["summons_late"] is False
    # Served 06-08 for 06-12: 9, 10, 11 are three clear days, in time.
    assert client.patch(url, {"summons_served_on": "2026-06-08"}, format="json").json()["summons_late"] is False
    # Hearing moved to 06-10: only the 9th between, late.
    moved = client.patch(url, {"at": "2026-06-10T09:00:00+08:00"}, format="json").json()
    assert moved["summons_late"] is True
    proceeding = client.get(f"/api/v1/matters/{world['matter'].pk}/proceedings/").json()["results"][0]
    assert proceeding["hearings"][0]["summons_late"] is True


def test_bad_hearing_moves_store_nothing(world):
    url = f"/api/v1/hearings/{world['hearing'].pk}/"
    lawyer = client_for(world["lawyer"])
    events_before = MatterEvent.objects.count()
    rows_before = list(Deadline.objects.values_list("pk", "due_on", "superseded_at", "computed_from"))

    def unchanged():
        hearing = Hearing.objects.get(pk=world["hearing"].pk)
        assert (hearing.at, hearing.place, hearing.revision) == (world["hearing"].at, "第十二法庭", 0)
        assert MatterEvent.objects.count() == events_before
        assert list(Deadline.objects.values_list("pk", "due_on", "superseded_at", "computed_from")) == rows_before

    answer = lawyer.patch(url, {"at": "下周五上午"}, format="json")
    assert answer.status_code == 400 and list(answer.json()) == ["at"]
    assert "日期时间格式错误" in answer.json()["at"][0]
    unchanged()
    answer = lawyer.patch(url, {"at": "2026-06-19"}, format="json")
    assert answer.status_code == 400 and list(answer.json()) == ["at"]
    answer = lawyer.patch(url, {"at": "2026-06-19T09:00:00"}, format="json")  # no zone
    assert answer.status_code == 400 and answer.json() == {"at": ["请填写带时区的日期和时间。"]}
    answer = lawyer.patch(url, {"room": "第五法庭"}, format="json")
    assert answer.status_code == 400 and list(answer.json()) == ["room"]
    answer = lawyer.patch(url, {"summons_served_on": "2026-06-30"}, format="json")
    assert answer.status_code == 400 and answer.json() == {"summons_served_on": ["传票送达日期不能晚于今天（2026-06-08）。"]}
    answer = lawyer.patch(url, {"at": "2026-06-01T09:00:00+08:00", "summons_served_on": "2026-06-03"}, format="json")
    assert answer.status_code == 400 and answer.json() == {"summons_served_on": ["传票送达日期不能晚于开庭日期。"]}
    unchanged()
    other_lawyer = client_for(make_user(Role.LAWYER, firm=make_firm("别家测试律师事务所")))
    answer = other_lawyer.patch(url, {"place": "第五法庭"}, format="json")
    assert answer.status_code == 404
    assert other_lawyer.patch("/api/v1/hearings/987654/", {"place": "x"}, format="json").status_code == 404
    manager = client_for(make_user(Role.MANAGER))
    assert manager.patch(url, {"place": "第五法庭"}, format="json").status_code == 403
    unchanged()


def test_rotating_the_calendar_address_revokes_the_old_one(world, client):
    api = client_for(world["counsel"])
    first = api.post("/api/v1/calendar-feed/")
    assert first.status_code == 201 and set(first.json()) == {"url"}
    second = api.post("/api/v1/calendar-feed/").json()["url"]
    assert second != first.json()["url"]
    old_key = first.json()["url"].rsplit("/", 1)[1].removesuffix(".ics")
    new_key = second.rsplit("/", 1)[1].removesuffix(".ics")
    assert calendar_feed_user(old_key) is None and calendar_feed_user(new_key) == world["counsel"]
    assert client.get(first.json()["url"]).status_code == 404
    assert client.get(second).status_code == 200
    assert api.delete("/api/v1/calendar-feed/").status_code == 200
    assert client.get(second).status_code == 404
    actions = list(AuditEvent.objects.filter(actor=world["counsel"]).order_by("id").values_list("action", flat=True))
    assert actions == ["calendar_feed_issued", "calendar_feed_issued", "calendar_feed_revoked"]
    assert APIClient().post("/api/v1/calendar-feed/").status_code == 401


def test_the_matter_page_shows_the_hearing_and_moves_it(world, client):
    from django.urls import reverse

    matter, proceeding, hearing = world["matter"], world["proceeding"], world["hearing"]
    client.force_login(world["lawyer"])
    section = reverse("proceedings_section", args=[matter.pk])
    html = client.get(section, HTTP_HX_REQUEST="true").content.decode()
    assert "传票送达日" in html and "2026-06-05" in html and COURT in html and "送达不足3日" not in html
    move = reverse("proceeding_hearing_move", args=[matter.pk, proceeding.pk, hearing.pk])
    assert f'action="{move}"' in html
    # The summons after the hearing: refused beside the field, nothing stored.
    html = client.post(
        move, {"at": "2026-06-12T09:30", "place": "第十二法庭", "summons_served_on": "2026-06-13"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "传票送达日期不能晚于今天（2026-06-08）。" in html
    assert Hearing.objects.get(pk=hearing.pk).revision == 0
    html = client.post(
        move,
        {"at": "2026-06-10T14:00", "place": "第三法庭", "summons_served_on": "2026-06-08"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    moved = Hearing.objects.get(pk=hearing.pk)
    assert (moved.at, moved.place, moved.revision) == (dt.datetime(2026, 6, 10, 14, tzinfo=BEIJING), "第三法庭", 1)
    assert "开庭已改期" in html and "送达不足3日" in html and "已修改1次" in html
    assert hearing_rows(matter)[0].due_on == dt.date(2026, 6, 10)
    # The court dates form.
    dates = reverse("proceeding_court_dates", args=[matter.pk, proceeding.pk])
    html = client.post(dates, {"evidence_due_on": "2026-06-20", "defence_due_on": ""}, HTTP_HX_REQUEST="true")
    assert "法院期限已保存" in html.content.decode()
    assert Deadline.objects.get(kind="evidence_period", superseded_at__isnull=True).due_on == dt.date(2026, 6, 22)


def test_a_hearing_deadline_is_moved_with_the_hearing_not_overridden(world):
    (row,) = hearing_rows(world["matter"])
    answer = client_for(world["counsel"]).post(
        f"/api/v1/deadlines/{row.pk}/override/", {"due_on": "2026-06-15", "reason": "法院电话通知"}, format="json"
    )
    assert answer.status_code == 400 and answer.json() == {"due_on": ["开庭日期以开庭安排为准，请改为对开庭进行改期。"]}
    row.refresh_from_db()
    assert (row.due_on, row.overridden_at) == (dt.date(2026, 6, 12), None)


def test_a_moved_evidence_period_keeps_its_uid_and_counts_a_sequence(world):
    set_dates = proceeding_court_dates_set
    set_dates(user=world["lawyer"], proceeding=world["proceeding"], evidence_due_on=dt.date(2026, 6, 22))

    def evidence_events():
        return [e for e in vevents(deadlines_ics(world["lawyer"], today=TODAY)) if "evidence_period" in prop(e, "UID")[1]]

    (before,) = evidence_events()
    set_dates(user=world["lawyer"], proceeding=world["proceeding"], evidence_due_on=dt.date(2026, 6, 29))
    (after,) = evidence_events()
    assert prop(after, "UID") == prop(before, "UID")
    assert (prop(before, "SEQUENCE")[1], prop(after, "SEQUENCE")[1]) == ("0", "1")
    assert prop(after, "DTSTART")[1] == "20260629"
