"""The secret calendar address: issue, reset, revoke, and the iCalendar file it serves."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from legalcase.models import AuditEvent, CalendarFeed, Deadline, Role
from legalcase.services.notifications import (
    calendar_feed_issue,
    calendar_feed_revoke,
    calendar_feed_user,
    deadline_uid,
    deadlines_ics,
)
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 10)


def make_deadline(matter, on: dt.date, *, kind: str = "appeal", **fields) -> Deadline:
    return Deadline.objects.create(matter=matter, kind=kind, due_on=on, rule=f"{kind}@2024", **fields)


def unfold(raw: bytes) -> list[str]:
    """RFC 5545 lines: every line ends in CRLF, is at most 75 octets, continuation lines start with a space."""
    assert raw.endswith(b"\r\n")
    physical = raw[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in physical)
    assert all(len(line) <= 75 for line in physical)
    for line in physical:
        line.decode()  # a fold never splits a UTF-8 character
    logical: list[bytes] = []
    for line in physical:
        if line.startswith(b" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return [line.decode() for line in logical]


def events(lines: list[str]) -> list[dict[str, str]]:
    found, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None and ":" in line and "ALARM" not in line:
            name, _, value = line.partition(":")
            current.setdefault(name, value)
    return found


@pytest.fixture
def counsel_with_deadlines():
    counsel = make_user(Role.COUNSEL)
    matter = make_matter(owner=counsel)
    deadlines = {
        "appeal": make_deadline(matter, TODAY + dt.timedelta(days=5)),
        "long": make_deadline(matter, TODAY + dt.timedelta(days=200), kind="limitation", verified_calendar=False),
        "done": make_deadline(matter, TODAY + dt.timedelta(days=3), kind="fee_payment", status="done"),
        "superseded": make_deadline(
            matter, TODAY + dt.timedelta(days=9), kind="freeze_expiry", superseded_at=timezone.now()
        ),
    }
    make_deadline(make_matter(), TODAY + dt.timedelta(days=4), kind="freeze_renewal")  # not counsel's
    return counsel, matter, deadlines


def test_the_ics_has_one_all_day_event_per_open_current_deadline_of_the_users_matters(counsel_with_deadlines):
    counsel, matter, deadlines = counsel_with_deadlines
    raw = deadlines_ics(counsel, today=TODAY)
    lines = unfold(raw)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 2
    assert lines.count("BEGIN:VALARM") == 2 and lines.count("TRIGGER:-P3D") == 2
    found = {event["UID"]: event for event in events(lines)}
    assert set(found) == {deadline_uid(deadlines["appeal"], "localhost"), deadline_uid(deadlines["long"], "localhost")}
    appeal = found[deadline_uid(deadlines["appeal"], "localhost")]
    assert appeal["DTSTART;VALUE=DATE"] == (TODAY + dt.timedelta(days=5)).strftime("%Y%m%d")
    assert appeal["DTEND;VALUE=DATE"] == (TODAY + dt.timedelta(days=6)).strftime("%Y%m%d")
    assert "上诉期届满" in appeal["SUMMARY"] and matter.number in appeal["SUMMARY"]
    assert "appeal@2024" in appeal["DESCRIPTION"] and f"/matters/{matter.pk}/" in appeal["DESCRIPTION"]
    debtor = matter.debt.debtor
    text = raw.decode()
    assert debtor.name not in text and matter.debtor_name not in text
    assert debtor.id_number not in text and debtor.phone not in text


def test_the_uid_stays_the_same_when_the_date_moves(counsel_with_deadlines):
    counsel, _matter, deadlines = counsel_with_deadlines
    before = unfold(deadlines_ics(counsel, today=TODAY))
    Deadline.objects.filter(pk=deadlines["appeal"].pk).update(due_on=TODAY + dt.timedelta(days=8))
    after = unfold(deadlines_ics(counsel, today=TODAY))
    uid = f"UID:{deadline_uid(deadlines['appeal'], 'localhost')}"
    assert uid in before and uid in after


def test_long_lines_are_folded_without_splitting_a_character_and_text_is_escaped(counsel_with_deadlines):
    counsel, _matter, deadlines = counsel_with_deadlines
    rule = "期限规则,甲;乙\\丙" * 6  # 60 characters, most of them 3 octets in UTF-8
    Deadline.objects.filter(pk=deadlines["appeal"].pk).update(rule=rule)
    raw = deadlines_ics(counsel, today=TODAY)
    lines = unfold(raw)  # asserts CRLF, the 75-octet limit, and that folding split no character
    description = next(line for line in lines if line.startswith("DESCRIPTION:") and "期限规则" in line)
    assert "期限规则\\,甲\\;乙\\\\丙" in description
    assert "\\n" in description  # the rule and the address on separate lines
    assert any(line.startswith(b" ") for line in raw.split(b"\r\n"))


def test_a_lawyers_feed_holds_the_firms_open_deadlines_only():
    firm = make_firm()
    lawyer = make_user(Role.LAWYER, firm=firm)
    ours = make_deadline(make_matter(firm=firm), TODAY)
    make_deadline(make_matter(firm=make_firm()), TODAY)
    make_deadline(make_matter(), TODAY)
    lines = unfold(deadlines_ics(lawyer, today=TODAY))
    assert [event["UID"] for event in events(lines)] == [deadline_uid(ours, "localhost")]


def test_the_feed_address_serves_the_calendar_without_a_sign_in(client, counsel_with_deadlines):
    counsel, _matter, _deadlines = counsel_with_deadlines
    key = calendar_feed_issue(user=counsel)
    response = client.get(reverse("calendar_feed", args=[key]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")
    assert CalendarFeed.objects.get(user=counsel).last_used_at is not None


def test_only_the_digest_of_the_key_is_stored(counsel_with_deadlines):
    counsel, _matter, _deadlines = counsel_with_deadlines
    key = calendar_feed_issue(user=counsel)
    feed = CalendarFeed.objects.get(user=counsel)
    assert key not in feed.digest and len(feed.digest) == 64


def test_an_unknown_key_answers_404(client):
    assert client.get(reverse("calendar_feed", args=["not-a-key"])).status_code == 404


def test_reset_makes_the_old_address_404_and_the_new_one_work(client, counsel_with_deadlines):
    counsel, _matter, _deadlines = counsel_with_deadlines
    old = calendar_feed_issue(user=counsel)
    new = calendar_feed_issue(user=counsel)
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("calendar_feed", args=[new])).status_code == 200
    assert CalendarFeed.objects.filter(user=counsel).count() == 1


def test_revoke_makes_the_address_404(client, counsel_with_deadlines):
    counsel, _matter, _deadlines = counsel_with_deadlines
    key = calendar_feed_issue(user=counsel)
    calendar_feed_revoke(user=counsel)
    assert calendar_feed_user(key) is None
    assert client.get(reverse("calendar_feed", args=[key])).status_code == 404


def test_issuing_and_revoking_the_address_are_audited_and_a_second_revoke_is_not(counsel_with_deadlines):
    counsel, _matter, _deadlines = counsel_with_deadlines
    calendar_feed_issue(user=counsel)
    calendar_feed_revoke(user=counsel)
    calendar_feed_revoke(user=counsel)  # nothing left to revoke
    events = AuditEvent.objects.order_by("at", "id")
    assert [(e.actor, e.action, e.target) for e in events] == [
        (counsel, "calendar_feed_issued", f"user:{counsel.pk}"),
        (counsel, "calendar_feed_revoked", f"user:{counsel.pk}"),
    ]


def test_a_deactivated_users_address_answers_404(client, counsel_with_deadlines):
    counsel, _matter, _deadlines = counsel_with_deadlines
    key = calendar_feed_issue(user=counsel)
    counsel.is_active = False
    counsel.save(update_fields=["is_active"])
    assert client.get(reverse("calendar_feed", args=[key])).status_code == 404


def test_the_page_issues_shows_the_address_once_resets_and_revokes(client, counsel_with_deadlines):
    counsel, _matter, _deadlines = counsel_with_deadlines
    client.force_login(counsel)
    html = client.post(reverse("calendar_feed_issue"), HTTP_HX_REQUEST="true").content.decode()
    first_url = html.split('value="', 1)[1].split('"', 1)[0]
    assert first_url.startswith("http://testserver/calendar/") and first_url.endswith(".ics")
    assert client.get(first_url).status_code == 200
    page = client.get(reverse("deadline_list")).content.decode()
    assert first_url not in page and 'id="calendar-feed"' in page

    html = client.post(reverse("calendar_feed_issue"), HTTP_HX_REQUEST="true").content.decode()
    second_url = html.split('value="', 1)[1].split('"', 1)[0]
    assert second_url != first_url
    assert client.get(first_url).status_code == 404

    client.post(reverse("calendar_feed_revoke"), HTTP_HX_REQUEST="true")
    assert client.get(second_url).status_code == 404
    assert not CalendarFeed.objects.filter(user=counsel).exists()


def test_without_htmx_the_issued_address_is_shown_on_a_page_of_its_own(client, counsel_with_deadlines):
    counsel, _matter, _deadlines = counsel_with_deadlines
    client.force_login(counsel)
    response = client.post(reverse("calendar_feed_issue"))
    assert response.status_code == 200 and "/calendar/" in response.content.decode()
    assert client.post(reverse("calendar_feed_revoke")).status_code == 302


def test_issuing_needs_a_sign_in_and_a_post(client):
    assert client.post(reverse("calendar_feed_issue")).status_code == 302
    client.force_login(make_user(Role.MANAGER))
    assert client.get(reverse("calendar_feed_issue")).status_code == 405
