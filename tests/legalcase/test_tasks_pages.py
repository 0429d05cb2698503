"""The task pages and the hooks elsewhere: 我的任务, the matter's section, playbooks, digest, feed, escalation."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from legalcase.models import Plan, Playbook, Role, Task, TaskStatus
from legalcase.services import playbook_create, task_create
from legalcase.services.notifications import deadlines_daily, deadlines_ics, digest_text
from tests.factories import escalation_body, make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 10)
STEPS = [
    {"day": 1, "working_days": False, "action": "sms", "title": "短信提醒", "owner_role": "counsel"},
    {"day": 5, "working_days": False, "action": "phone", "title": "电话催收", "owner_role": "lawyer"},
]


@pytest.fixture
def desk():
    counsel = make_user(Role.COUNSEL)
    counsel.email = "counsel@example.com"
    counsel.save(update_fields=["email"])
    matter = make_matter(owner=counsel)
    overdue = task_create(user=counsel, matter_id=matter.pk, title="核实工作单位", due_on=TODAY - dt.timedelta(days=3), assignee_id=counsel.pk)
    today = task_create(user=counsel, matter_id=matter.pk, title="电话回访", due_on=TODAY, assignee_id=counsel.pk)
    later = task_create(user=counsel, matter_id=matter.pk, title="寄送催收函", due_on=TODAY + dt.timedelta(days=4), assignee_id=counsel.pk)
    return {"counsel": counsel, "matter": matter, "overdue": overdue, "today": today, "later": later}


@time_machine.travel(dt.datetime(2026, 6, 10, 10, 0, tzinfo=dt.UTC), tick=False)
def test_my_tasks_lists_overdue_then_today_then_upcoming_and_closes_by_htmx(client, desk):
    client.force_login(desk["counsel"])
    page = client.get(reverse("my_tasks")).content.decode()
    assert page.index("核实工作单位") < page.index("电话回访") < page.index("寄送催收函")
    assert 'id="tasks-overdue"' in page
    refused = client.post(reverse("task_close", args=[desk["overdue"].pk]), {"status": "skipped"}, HTTP_HX_REQUEST="true")
    assert "跳过任务须说明原因。" in refused.content.decode()
    assert Task.objects.get(pk=desk["overdue"].pk).status == TaskStatus.OPEN
    done = client.post(reverse("task_close", args=[desk["overdue"].pk]), {"status": "done"}, HTTP_HX_REQUEST="true")
    assert done.status_code == 200 and 'data-status="done"' in done.content.decode()


def test_another_firms_lawyer_cannot_close_a_task_or_open_the_section(client, desk):
    client.force_login(make_user(Role.LAWYER))
    assert client.post(reverse("task_close", args=[desk["later"].pk]), {"status": "done"}).status_code == 404
    assert client.get(reverse("tasks_section", args=[desk["matter"].pk])).status_code == 404
    assert "寄送催收函" not in client.get(reverse("my_tasks")).content.decode()


def test_the_section_starts_and_stops_a_playbook(client, desk):
    counsel, matter = desk["counsel"], desk["matter"]
    playbook = playbook_create(user=counsel, data={"name": "信用卡流程", "product": "credit_card", "steps": STEPS})
    client.force_login(counsel)
    section = client.get(reverse("tasks_section", args=[matter.pk])).content.decode()
    assert "信用卡流程" in section and "启动方案" in section
    started = client.post(
        reverse("plan_start", args=[matter.pk]), {"playbook": playbook.pk, "start_on": "2026-06-01"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "短信提醒" in started and "停止方案" in started
    again = client.post(
        reverse("plan_start", args=[matter.pk]), {"playbook": playbook.pk, "start_on": "2026-06-01"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "本案已有正在执行的催收方案，请先停止。" in again and Plan.objects.count() == 1
    client.post(reverse("plan_stop", args=[matter.pk]), HTTP_HX_REQUEST="true")
    assert set(Task.objects.filter(plan__isnull=False).values_list("status", flat=True)) == {TaskStatus.SKIPPED}


def test_the_playbook_editor_saves_a_new_version_and_refuses_a_bad_step(client, desk):
    client.force_login(desk["counsel"])
    form = {"name": "贷款流程", "product": "loan", "day": ["1", "3"], "working_days": ["1"], "action": ["sms", "phone"],
            "title": ["短信", "电话"], "owner_role": ["counsel", "counsel"]}  # fmt: skip
    assert client.post(reverse("playbook_new"), form).status_code == 302
    playbook = Playbook.objects.get(name="贷款流程")
    assert playbook.current.steps[1] == {"day": 3, "working_days": True, "action": "phone", "title": "电话", "owner_role": "counsel"}
    bad = client.post(reverse("playbook_edit", args=[playbook.pk]), {**form, "action": ["sms", "fax"]})
    assert bad.status_code == 400 and "第 2 步：动作须为联系渠道" in bad.content.decode()
    assert Playbook.objects.get(pk=playbook.pk).version == 1
    client.post(reverse("playbook_edit", args=[playbook.pk]), {**form, "day": ["2", "3"]})
    assert Playbook.objects.get(pk=playbook.pk).version == 2
    client.force_login(make_user(Role.MANAGER))
    assert client.get(reverse("playbook_new")).status_code == 403


def test_overdue_tasks_are_in_the_digest_and_the_daily_job_makes_deadline_tasks(desk):
    subject, body, count = digest_text(user=desk["counsel"], today=TODAY)
    assert "逾期任务 (1)" in body and "核实工作单位" in body and desk["matter"].number in body
    assert "电话回访" not in body and count == 1
    deadlines_daily(today=TODAY)
    assert len(mail.outbox) == 1 and "核实工作单位" in mail.outbox[0].body


def test_overdue_tasks_are_all_day_events_with_stable_uids_in_the_feed(desk):
    first = deadlines_ics(desk["counsel"], today=TODAY).decode()
    later = deadlines_ics(desk["counsel"], today=TODAY + dt.timedelta(days=1)).decode()
    uid = f"UID:task-{desk['overdue'].pk}@"
    assert uid in first and uid in later
    assert "DTSTART;VALUE=DATE:20260610" in first and "DTSTART;VALUE=DATE:20260611" in later
    assert f"task-{desk['today'].pk}@" not in first  # due today: not overdue yet
    assert f"task-{desk['today'].pk}@" in later


def test_an_auto_start_playbook_begins_on_newly_escalated_matters_of_its_product():
    counsel = make_user(Role.COUNSEL)
    firm = make_firm()
    make_user(Role.LAWYER, firm=firm)
    playbook_create(user=counsel, data={"name": "自动流程", "product": "credit_card", "auto_start": True, "steps": STEPS})
    client = APIClient()
    client.force_authenticate(counsel)
    response = client.post("/api/v1/escalations/", escalation_body(), format="json")
    assert response.status_code == 201, response.json()
    plan = Plan.objects.get(matter_id=response.json()["id"])
    assert plan.playbook_version.playbook.name == "自动流程" and plan.tasks.count() == 2
    # A second auto-start playbook for the same product is refused.
    second = client.post(
        "/api/v1/playbooks/", {"name": "另一个", "product": "credit_card", "auto_start": True, "steps": STEPS}, format="json"
    )
    assert second.status_code == 400 and second.json() == {"auto_start": ["该产品已有另一个移交时自动启动的催收方案。"]}
