"""The deadline list (scopes, panels, kind filter, inline forms) and the notifications page."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from legalcase.events import record_event
from legalcase.models import Deadline, EventKind, MatterEvent, Notification, Role
from legalcase.services.notifications import deadlines_daily, unread_notification_count
from legalcase.views.deadlines import PANEL_ROWS
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 10)  # a Wednesday


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 6, 10, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def make_deadline(matter, days: int, *, kind: str = "appeal", **fields) -> Deadline:
    return Deadline.objects.create(
        matter=matter, kind=kind, due_on=TODAY + dt.timedelta(days=days), rule=f"{kind}@2024", **fields
    )


def panel_ids(response, key: str) -> list[int]:
    [panel] = [panel for panel in response.context["panels"] if panel["key"] == key]
    return [deadline.pk for deadline in panel["rows"]]


def hx_post(client, name, deadline, data):
    return client.post(reverse(name, args=[deadline.pk]), data, HTTP_HX_REQUEST="true")


@pytest.fixture
def firm():
    return make_firm()


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


# --- Scopes and panels ------------------------------------------------------------------


def test_a_counsel_who_owns_matters_starts_on_mine_with_owned_and_handled_ones(client, counsel):
    owned, handled, other = make_matter(owner=counsel), make_matter(), make_matter()
    record_event(matter=handled, actor=counsel, kind=EventKind.UPDATED, note="补充材料")
    owned_d, handled_d, other_d = (make_deadline(matter, 3) for matter in (owned, handled, other))
    client.force_login(counsel)

    response = client.get(reverse("deadline_list"))
    assert response.context["scope"] == "mine"
    assert set(panel_ids(response, "week")) == {owned_d.pk, handled_d.pk}
    assert other.number not in response.content.decode()
    assert [key for key, _label in response.context["scopes"]] == ["mine", "all"]

    response = client.get(reverse("deadline_list"), {"scope": "all"})
    assert set(panel_ids(response, "week")) == {owned_d.pk, handled_d.pk, other_d.pk}


def test_a_manager_or_a_counsel_owning_nothing_starts_on_all(client, counsel):
    deadline = make_deadline(make_matter(), 2)
    for user in (counsel, make_user(Role.MANAGER)):
        client.force_login(user)
        response = client.get(reverse("deadline_list"))
        assert response.context["scope"] == "all" and panel_ids(response, "week") == [deadline.pk]


def test_a_lawyer_has_a_firm_tab_and_never_sees_another_firms_matters(client, firm):
    lawyer = make_user(Role.LAWYER, firm=firm)
    ours, mine = make_matter(firm=firm), make_matter(firm=firm)
    record_event(matter=mine, actor=lawyer, kind=EventKind.UPDATED, note="立案")
    theirs = make_matter(firm=make_firm())
    ours_d, mine_d, _theirs_d = (make_deadline(matter, -2) for matter in (ours, mine, theirs))
    client.force_login(lawyer)

    response = client.get(reverse("deadline_list"))
    assert [key for key, _label in response.context["scopes"]] == ["mine", "firm", "all"]
    assert response.context["scope"] == "mine" and panel_ids(response, "overdue") == [mine_d.pk]
    for scope in ("firm", "all"):
        response = client.get(reverse("deadline_list"), {"scope": scope})
        assert set(panel_ids(response, "overdue")) == {ours_d.pk, mine_d.pk}
        assert theirs.number not in response.content.decode()

    mine.assigned_firm = None
    mine.save(update_fields=["assigned_firm"])
    response = client.get(reverse("deadline_list"), {"scope": "mine"})
    assert panel_ids(response, "overdue") == [] and mine.number not in response.content.decode()


def test_the_firm_tab_is_empty_for_a_counsel(client, counsel):
    make_deadline(make_matter(owner=counsel), 1)
    client.force_login(counsel)
    response = client.get(reverse("deadline_list"), {"scope": "firm"})
    assert response.context["scope"] == "mine"  # not a scope of theirs: the default instead


def test_the_panels_split_at_their_edges_and_leave_closed_and_superseded_out(client, counsel):
    matter = make_matter(owner=counsel)
    by_days = {days: make_deadline(matter, days) for days in (-1, 0, 7, 8, 30, 31)}
    make_deadline(matter, 2, status="done")
    make_deadline(matter, 2, status="waived")
    make_deadline(matter, 2, superseded_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    client.force_login(counsel)
    response = client.get(reverse("deadline_list"))
    assert panel_ids(response, "overdue") == [by_days[-1].pk]
    assert panel_ids(response, "week") == [by_days[0].pk, by_days[7].pk]
    assert panel_ids(response, "month") == [by_days[8].pk, by_days[30].pk]
    assert [panel["count"] for panel in response.context["panels"]] == [1, 2, 2]


def test_a_row_shows_weekday_days_left_or_overdue_rule_and_flags(client, counsel):
    matter = make_matter(owner=counsel)
    overdue = make_deadline(matter, -3, verified_calendar=False)
    soon = make_deadline(matter, 2, kind="fee_payment")
    client.force_login(counsel)
    html = client.get(reverse("deadline_list")).content.decode()
    row = html.split(f'id="deadline-{overdue.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "2026-06-07" in row and "星期日" in row and "3" in row and "appeal@2024" in row
    assert "日历未核实" in row and matter.number in row and matter.debtor_name in row
    assert f'href="{reverse("matter_detail", args=[matter.pk])}"' in row
    assert "上诉期届满" in row
    row = html.split(f'id="deadline-{soon.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "2026-06-12" in row and "星期五" in row and "2" in row


def test_an_overridden_row_shows_the_computed_date_and_the_reason(client, counsel):
    deadline = make_deadline(make_matter(owner=counsel), 4)
    client.force_login(counsel)
    hx_post(client, "deadline_override", deadline, {"due_on": "2026-06-18", "reason": "法院通知载明的日期"})
    html = client.get(reverse("deadline_list")).content.decode()
    row = html.split(f'id="deadline-{deadline.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "2026-06-18" in row and "2026-06-14" in row and "法院通知载明的日期" in row


def test_the_kind_filter_keeps_one_kind(client, counsel):
    matter = make_matter(owner=counsel)
    appeal = make_deadline(matter, 1)
    make_deadline(matter, 1, kind="fee_payment")
    client.force_login(counsel)
    response = client.get(reverse("deadline_list"), {"kind": "appeal"})
    assert panel_ids(response, "week") == [appeal.pk]
    response = client.get(reverse("deadline_list"), {"kind": "no-such-kind"})
    assert len(panel_ids(response, "week")) == 2


def test_a_full_panel_is_capped_with_a_link_that_pages_through_it(client, counsel):
    matter = make_matter(owner=counsel)
    Deadline.objects.bulk_create(
        Deadline(matter=matter, kind="appeal", due_on=TODAY + dt.timedelta(days=3), rule="r") for _ in range(PANEL_ROWS + 5)
    )
    client.force_login(counsel)
    response = client.get(reverse("deadline_list"))
    [week] = [panel for panel in response.context["panels"] if panel["key"] == "week"]
    assert len(week["rows"]) == PANEL_ROWS and week["count"] == PANEL_ROWS + 5
    assert week["more_url"] and "panel=week" in week["more_url"]
    response = client.get(reverse("deadline_list") + week["more_url"])
    assert [panel["key"] for panel in response.context["panels"]] == ["week"]
    assert len(panel_ids(response, "week")) == PANEL_ROWS + 5


def test_the_page_needs_a_sign_in(client):
    assert client.get(reverse("deadline_list")).status_code == 302


def test_a_manager_sees_no_forms(client):
    make_deadline(make_matter(), 1)
    client.force_login(make_user(Role.MANAGER))
    html = client.get(reverse("deadline_list")).content.decode()
    assert 'name="due_on"' not in html and "deadline_complete" not in html


# --- Inline forms -----------------------------------------------------------------------


def test_marking_done_updates_the_row_and_records_the_event(client, counsel):
    deadline = make_deadline(make_matter(owner=counsel), 1)
    client.force_login(counsel)
    response = hx_post(client, "deadline_complete", deadline, {"status": "done", "reason": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<tr") and f'id="deadline-{deadline.pk}"' in html
    assert 'name="due_on"' not in html  # a closed deadline has no forms
    deadline.refresh_from_db()
    assert deadline.status == "done"
    event = MatterEvent.objects.get(matter=deadline.matter, kind=EventKind.DEADLINE_CLOSED)
    assert event.actor == counsel and event.new["status"] == "done"


def test_waiving_with_a_reason_waives(client, firm):
    lawyer = make_user(Role.LAWYER, firm=firm)
    deadline = make_deadline(make_matter(firm=firm), 1)
    client.force_login(lawyer)
    response = hx_post(client, "deadline_complete", deadline, {"status": "waived", "reason": "已和解"})
    assert response.status_code == 200
    deadline.refresh_from_db()
    assert (deadline.status, deadline.status_reason) == ("waived", "已和解")


def test_overriding_moves_the_date_and_records_the_event(client, counsel):
    deadline = make_deadline(make_matter(owner=counsel), 1)
    client.force_login(counsel)
    response = hx_post(client, "deadline_override", deadline, {"due_on": "2026-06-20", "reason": "法院通知"})
    html = response.content.decode()
    assert response.status_code == 200 and "2026-06-20" in html and "法院通知" in html
    deadline.refresh_from_db()
    assert deadline.due_on == dt.date(2026, 6, 20) and deadline.computed_on == dt.date(2026, 6, 11)
    assert MatterEvent.objects.filter(matter=deadline.matter, kind=EventKind.DEADLINE_OVERRIDDEN).count() == 1


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("deadline_complete", {"status": "waived", "reason": "  "}, "Waiving a deadline needs a reason."),
        ("deadline_complete", {"status": "maybe", "reason": "x"}, None),
        ("deadline_override", {"due_on": "2026-06-20", "reason": ""}, "Overriding a deadline needs a reason."),
        ("deadline_override", {"due_on": "20.06.2026", "reason": "法院通知"}, None),
        ("deadline_override", {"due_on": "", "reason": "法院通知"}, None),
        ("deadline_override", {"due_on": "2026-06-11", "reason": "同一天"}, None),
    ],
)
def test_bad_input_shows_the_error_in_the_row_and_stores_nothing(client, counsel, name, data, message):
    deadline = make_deadline(make_matter(owner=counsel), 1)
    client.force_login(counsel)
    response = hx_post(client, name, deadline, data)
    html = response.content.decode()
    assert response.status_code == 200 and 'class="errorlist"' in html
    if message:
        with translation.override("zh-hans"):
            assert translation.gettext(message) in html
    assert f'id="deadline-{deadline.pk}"' in html and 'name="due_on"' in html  # the forms stay
    reloaded = Deadline.objects.get(pk=deadline.pk)
    assert (reloaded.status, reloaded.due_on, reloaded.override_reason) == ("open", deadline.due_on, "")
    assert not MatterEvent.objects.filter(
        matter=deadline.matter, kind__in=[EventKind.DEADLINE_CLOSED, EventKind.DEADLINE_OVERRIDDEN]
    ).exists()


def test_a_closed_deadline_cannot_be_closed_or_moved_again(client, counsel):
    deadline = make_deadline(make_matter(owner=counsel), 1, status="done")
    client.force_login(counsel)
    for name, data in (
        ("deadline_complete", {"status": "waived", "reason": "x"}),
        ("deadline_override", {"due_on": "2026-06-20", "reason": "x"}),
    ):
        html = hx_post(client, name, deadline, data).content.decode()
        with translation.override("zh-hans"):
            assert translation.gettext("This deadline is already closed.") in html
    reloaded = Deadline.objects.get(pk=deadline.pk)
    assert (reloaded.status, reloaded.due_on) == ("done", deadline.due_on)
    assert not MatterEvent.objects.filter(matter=deadline.matter, kind__startswith="deadline_").exists()


@pytest.mark.parametrize("name", ["deadline_complete", "deadline_override"])
def test_a_manager_gets_403_and_another_firms_lawyer_404(client, name):
    deadline = make_deadline(make_matter(firm=make_firm()), 1)
    data = {"status": "waived", "reason": "x", "due_on": "2026-06-20"}
    client.force_login(make_user(Role.MANAGER))
    assert hx_post(client, name, deadline, data).status_code == 403
    client.force_login(make_user(Role.LAWYER, firm=make_firm()))
    assert hx_post(client, name, deadline, data).status_code == 404
    client.force_login(make_user(Role.MANAGER))
    assert hx_post(client, name, deadline, {}).status_code == 403  # bad input does not leak past the role check
    reloaded = Deadline.objects.get(pk=deadline.pk)
    assert (reloaded.status, reloaded.due_on) == ("open", deadline.due_on)
    assert not MatterEvent.objects.filter(matter=deadline.matter, kind__startswith="deadline_").exists()


def test_a_superseded_or_missing_deadline_answers_404(client, counsel):
    deadline = make_deadline(make_matter(owner=counsel), 1, superseded_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    client.force_login(counsel)
    assert hx_post(client, "deadline_complete", deadline, {"status": "done"}).status_code == 404
    assert client.post(reverse("deadline_complete", args=[999999]), {"status": "done"}).status_code == 404


def test_without_htmx_the_form_redirects_back_with_a_message(client, counsel):
    deadline = make_deadline(make_matter(owner=counsel), 1)
    client.force_login(counsel)
    back = reverse("deadline_list") + "?scope=all"
    response = client.post(
        reverse("deadline_complete", args=[deadline.pk]), {"status": "waived", "reason": "", "next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    response = client.post(
        reverse("deadline_complete", args=[deadline.pk]), {"status": "done", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("deadline_list")
    assert Deadline.objects.get(pk=deadline.pk).status == "done"


# --- Notifications ----------------------------------------------------------------------


def test_the_bell_shows_the_unread_count_with_one_query(client, counsel):
    matter = make_matter(owner=counsel)
    make_deadline(matter, -1)
    make_deadline(matter, 2)
    deadlines_daily(today=TODAY)
    client.force_login(counsel)
    html = client.get(reverse("deadline_list")).content.decode()
    assert reverse("notification_list") in html and '<span class="badge">2</span>' in html
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("limitation_watch"))
    assert len([q for q in queries if "legalcase_notification" in q["sql"]]) == 1


def test_the_bells_count_is_of_unread_notices_about_matters_the_user_still_sees(counsel):
    firm = make_firm()
    lawyer = make_user(Role.LAWYER, firm=firm)
    held, dropped = make_matter(firm=firm), make_matter(firm=firm)
    for user in (counsel, lawyer):
        for matter in (held, dropped):
            Notification.objects.create(user=user, matter=matter, deadline=make_deadline(matter, 1), kind="due_soon")
    Notification.objects.filter(user=counsel, matter=held).update(read_at=dt.datetime(2026, 6, 9, tzinfo=ZoneInfo("UTC")))
    dropped.assigned_firm = None
    dropped.save(update_fields=["assigned_firm"])

    # Counsel see every matter (the count written out); the lawyer no longer sees ``dropped``.
    assert unread_notification_count(counsel) == 1
    assert unread_notification_count(lawyer) == 1
    assert unread_notification_count(make_user(Role.COUNSEL)) == 0


def test_the_notifications_page_lists_links_and_marks_read(client, counsel):
    matter = make_matter(owner=counsel)
    make_deadline(matter, -1)
    make_deadline(matter, 2)
    deadlines_daily(today=TODAY)
    client.force_login(counsel)
    response = client.get(reverse("notification_list"))
    html = response.content.decode()
    assert len(response.context["page"].object_list) == 2
    assert f'href="{reverse("matter_detail", args=[matter.pk])}"' in html and matter.number in html

    first = Notification.objects.filter(user=counsel).first()
    assert client.post(reverse("notification_read", args=[first.pk])).status_code == 302
    assert Notification.objects.filter(user=counsel, read_at__isnull=True).count() == 1
    client.post(reverse("notifications_read_all"))
    assert not Notification.objects.filter(user=counsel, read_at__isnull=True).exists()


def test_a_user_cannot_mark_someone_elses_notification(client, counsel):
    make_deadline(make_matter(owner=counsel), 1)
    deadlines_daily(today=TODAY)
    note = Notification.objects.get(user=counsel)
    client.force_login(make_user(Role.COUNSEL))
    client.post(reverse("notification_read", args=[note.pk]))
    client.post(reverse("notifications_read_all"))
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_a_lawyers_notifications_about_a_matter_taken_away_disappear(client, firm):
    lawyer = make_user(Role.LAWYER, firm=firm)
    matter = make_matter(firm=firm)
    make_deadline(matter, 1)
    deadlines_daily(today=TODAY)
    client.force_login(lawyer)
    assert len(client.get(reverse("notification_list")).context["page"].object_list) == 1
    matter.assigned_firm = None
    matter.save(update_fields=["assigned_firm"])
    response = client.get(reverse("notification_list"))
    assert len(response.context["page"].object_list) == 0 and matter.number not in response.content.decode()
