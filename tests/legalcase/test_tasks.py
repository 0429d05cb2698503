"""Playbooks, plans and tasks (issue 19 item 4; API.md "Triage, plans and tasks")."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from legalcase.models import (
    AuditEvent,
    Deadline,
    EventKind,
    Holiday,
    MatterEvent,
    Plan,
    Playbook,
    PlaybookVersion,
    Role,
    Task,
    TaskStatus,
)
from legalcase.periods import HolidayCalendar
from legalcase.services import step_due_on, tasks_from_deadlines
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

STEPS = [
    {"day": 1, "working_days": False, "action": "sms", "title": "短信提醒", "owner_role": "counsel"},
    {"day": 3, "working_days": True, "action": "phone", "title": "电话催收", "owner_role": "counsel"},
    {"day": 10, "working_days": True, "action": "letter", "title": "催收函", "owner_role": "lawyer"},
    {"day": 10, "working_days": False, "action": "demand", "title": "律师函", "owner_role": "manager"},
]
# The National Day holiday of 2026: 1-7 October rest days, Saturday 10 October a working day.
NATIONAL_DAY = HolidayCalendar(
    holidays=frozenset(dt.date(2026, 10, day) for day in range(1, 8)),
    working_weekend_days=frozenset({dt.date(2026, 10, 10)}),
    verified_years=frozenset({2026}),
)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def desk():
    """A counsel owning a card matter assigned to a firm with one lawyer user; a card playbook."""
    counsel = make_user(Role.COUNSEL)
    firm = make_firm()
    lawyer = make_user(Role.LAWYER, firm=firm)
    matter = make_matter(owner=counsel, firm=firm)
    playbook = api(counsel).post(
        "/api/v1/playbooks/", {"name": "信用卡标准流程", "product": "credit_card", "steps": STEPS}, format="json"
    )
    assert playbook.status_code == 201, playbook.json()
    for day in range(1, 8):
        Holiday.objects.update_or_create(date=dt.date(2026, 10, day), defaults={"is_rest_day": True, "name": "国庆节"})
    Holiday.objects.update_or_create(date=dt.date(2026, 10, 10), defaults={"is_rest_day": False, "name": "国庆节"})
    return {"counsel": counsel, "lawyer": lawyer, "firm": firm, "matter": matter, "playbook": playbook.json()}


def start(user, matter, playbook_id, start_on="2026-09-29"):
    return api(user).post(
        f"/api/v1/matters/{matter.pk}/playbook/", {"playbook": playbook_id, "start_on": start_on}, format="json"
    )


def test_working_days_skip_the_national_day_holiday_and_count_its_working_saturday():
    start_on = dt.date(2026, 9, 29)  # a Tuesday
    assert step_due_on(start_on=start_on, day=0, working_days=True, calendar=NATIONAL_DAY) == start_on
    # 30 Sep (1), 1-7 Oct rest, 8 Oct (2), 9 Oct (3)
    assert step_due_on(start_on=start_on, day=3, working_days=True, calendar=NATIONAL_DAY) == dt.date(2026, 10, 9)
    # ... 10 Oct, a working Saturday (4), 11 Oct rest, 12-16 Oct (5-9), 17-18 weekend, 19 Oct (10)
    assert step_due_on(start_on=start_on, day=10, working_days=True, calendar=NATIONAL_DAY) == dt.date(2026, 10, 19)
    assert step_due_on(start_on=start_on, day=10, working_days=False, calendar=NATIONAL_DAY) == dt.date(2026, 10, 9)


def test_a_plan_makes_one_task_per_step_with_due_dates_and_assignees(desk):
    response = start(desk["counsel"], desk["matter"], desk["playbook"]["id"])
    assert response.status_code == 201, response.json()
    tasks = {task["title"]: task for task in response.json()["tasks"]}
    assert {title: task["due_on"] for title, task in tasks.items()} == {
        "短信提醒": "2026-09-30",
        "电话催收": "2026-10-09",
        "催收函": "2026-10-19",
        "律师函": "2026-10-09",
    }
    assert tasks["短信提醒"]["assignee"] == desk["counsel"].pk  # counsel steps: the matter's owner
    assert tasks["催收函"]["assignee"] == desk["lawyer"].pk  # the firm's only lawyer
    assert tasks["律师函"]["assignee"] is None  # manager steps: nobody
    assert tasks["电话催收"]["source"] == {"playbook": desk["playbook"]["id"], "version": 1, "step": 1}
    assert MatterEvent.objects.filter(matter=desk["matter"], kind=EventKind.PLAN_STARTED).count() == 1


def test_a_lawyer_step_is_unassigned_when_the_firm_has_two_lawyers(desk):
    make_user(Role.LAWYER, firm=desk["firm"])
    response = start(desk["counsel"], desk["matter"], desk["playbook"]["id"])
    letter = next(task for task in response.json()["tasks"] if task["title"] == "催收函")
    assert letter["assignee"] is None


def test_a_second_plan_is_refused_while_one_runs_and_stopping_skips_open_tasks(desk):
    counsel, matter, playbook = desk["counsel"], desk["matter"], desk["playbook"]["id"]
    first = start(counsel, matter, playbook).json()
    again = start(counsel, matter, playbook)
    assert again.status_code == 409 and again.json()["detail"] == "本案已有正在执行的催收方案，请先停止。"
    assert Plan.objects.filter(matter=matter).count() == 1 and Task.objects.filter(matter=matter).count() == 4
    done = first["tasks"][0]["id"]
    assert api(counsel).patch(f"/api/v1/tasks/{done}/", {"status": "done"}, format="json").status_code == 200
    stopped = api(counsel).delete(f"/api/v1/matters/{matter.pk}/playbook/")
    assert stopped.status_code == 200 and stopped.json()["end_reason"] == "stopped"
    statuses = dict(Task.objects.filter(matter=matter).values_list("pk", "status"))
    assert statuses.pop(done) == TaskStatus.DONE
    assert set(statuses.values()) == {TaskStatus.SKIPPED}
    assert start(counsel, matter, playbook, "2026-11-02").status_code == 201


def test_changing_the_steps_makes_a_new_version_and_a_running_plan_keeps_its_own(desk):
    counsel, playbook = desk["counsel"], desk["playbook"]
    start(counsel, desk["matter"], playbook["id"])
    changed = api(counsel).patch(
        f"/api/v1/playbooks/{playbook['id']}/", {"steps": STEPS[:1]}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2 and len(changed.json()["steps"]) == 1
    assert PlaybookVersion.objects.filter(playbook_id=playbook["id"]).count() == 2
    plan = Plan.objects.get(matter=desk["matter"])
    assert plan.playbook_version.version == 1 and len(plan.playbook_version.steps) == 4
    renamed = api(counsel).patch(f"/api/v1/playbooks/{playbook['id']}/", {"name": "信用卡流程（新）"}, format="json")
    assert renamed.json()["version"] == 2
    assert AuditEvent.objects.filter(target=f"playbook:{playbook['id']}").count() == 3


def test_a_bad_playbook_is_refused_in_chinese_and_nothing_is_stored(desk):
    before = (Playbook.objects.count(), PlaybookVersion.objects.count(), AuditEvent.objects.count())
    bad = [
        {"day": -1, "working_days": True, "action": "sms", "title": "短信", "owner_role": "counsel"},
        {"day": 3, "working_days": False, "action": "fax", "title": "传真", "owner_role": "boss"},
    ]
    response = api(desk["counsel"]).post(
        "/api/v1/playbooks/", {"name": "错误方案", "product": "credit_card", "steps": bad}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["steps"] == [
        "第 1 步：天数须为 0 至 3650 的整数。",
        "第 2 步：动作须为联系渠道（电话、短信、信函、电子邮件、上门、公告）、律师函、复核或起诉；"
        "负责角色须为法务、律师、资产管理人员或管理员。",
    ]
    patched = api(desk["counsel"]).patch(f"/api/v1/playbooks/{desk['playbook']['id']}/", {"steps": []}, format="json")
    assert patched.json() == {"steps": ["催收方案至少需要一个步骤。"]}
    assert (Playbook.objects.count(), PlaybookVersion.objects.count(), AuditEvent.objects.count()) == before


def test_only_counsel_and_admins_write_playbooks_and_a_lawyer_reads_them(desk):
    lawyer = api(desk["lawyer"])
    assert lawyer.get("/api/v1/playbooks/").json()[0]["name"] == "信用卡标准流程"
    refused = lawyer.post("/api/v1/playbooks/", {"name": "x", "product": "loan", "steps": STEPS}, format="json")
    assert refused.status_code == 403 and Playbook.objects.count() == 1


def test_an_assignee_who_cannot_see_the_matter_is_refused_and_nothing_is_stored(desk):
    stranger = make_user(Role.LAWYER)  # another firm
    events = MatterEvent.objects.count()
    response = api(desk["counsel"]).post(
        "/api/v1/tasks/",
        {"matter": desk["matter"].pk, "title": "核实工作单位", "due_on": "2026-10-20", "assignee": stranger.pk},
        format="json",
    )
    assert response.status_code == 400 and response.json() == {"assignee": ["该用户无权查看本案。"]}
    assert Task.objects.count() == 0 and MatterEvent.objects.count() == events
    given = api(desk["counsel"]).post(
        "/api/v1/tasks/",
        {"matter": desk["matter"].pk, "title": "核实工作单位", "due_on": "2026-10-20", "assignee": desk["lawyer"].pk},
        format="json",
    )
    assert given.status_code == 201 and given.json()["assignee"] == desk["lawyer"].pk


def test_skipping_needs_a_note_and_done_sets_done_at(desk):
    counsel = api(desk["counsel"])
    task = start(desk["counsel"], desk["matter"], desk["playbook"]["id"]).json()["tasks"][0]
    refused = counsel.patch(f"/api/v1/tasks/{task['id']}/", {"status": "skipped"}, format="json")
    assert refused.status_code == 400 and refused.json() == {"note": ["跳过任务须说明原因。"]}
    assert Task.objects.get(pk=task["id"]).status == TaskStatus.OPEN
    skipped = counsel.patch(f"/api/v1/tasks/{task['id']}/", {"status": "skipped", "note": "已承诺还款"}, format="json")
    assert skipped.json()["status"] == "skipped" and skipped.json()["done_at"]
    assert MatterEvent.objects.filter(kind=EventKind.TASK_CLOSED).count() == 1


def test_another_firms_lawyer_sees_none_of_the_tasks(desk):
    start(desk["counsel"], desk["matter"], desk["playbook"]["id"])
    stranger = make_user(Role.LAWYER)
    listed = api(stranger).get("/api/v1/tasks/")
    assert listed.status_code == 200 and listed.json()["results"] == []
    task = Task.objects.filter(matter=desk["matter"]).first()
    assert api(stranger).patch(f"/api/v1/tasks/{task.pk}/", {"status": "done"}, format="json").status_code == 404
    mine = api(desk["lawyer"]).get("/api/v1/tasks/?assignee=me").json()["results"]
    assert [row["title"] for row in mine] == ["催收函"]
    unassigned = api(desk["counsel"]).get("/api/v1/tasks/?assignee=none&due_before=2026-10-09").json()["results"]
    assert [row["title"] for row in unassigned] == ["律师函"]


def test_a_deadline_due_soon_gets_one_task_for_the_owner(desk):
    matter = desk["matter"]
    due = Deadline.objects.create(matter=matter, kind="appeal", due_on=dt.date(2026, 6, 15), rule="appeal@2024")
    Deadline.objects.create(matter=matter, kind="limitation", due_on=dt.date(2026, 9, 1), rule="limitation@2021")
    assert tasks_from_deadlines(today=dt.date(2026, 6, 10)) == {"deadline_tasks": 1}
    tasks_from_deadlines(today=dt.date(2026, 6, 10))
    tasks_from_deadlines(today=dt.date(2026, 6, 11))
    task = Task.objects.get(deadline=due)
    assert (task.title, task.assignee, task.due_on) == ("处理期限：上诉期届满", desk["counsel"], due.due_on)
    assert Task.objects.count() == 1


def test_numbers_typed_into_a_task_are_masked_in_answers_and_on_the_timeline(desk):
    response = api(desk["counsel"]).post(
        "/api/v1/tasks/",
        {"matter": desk["matter"].pk, "title": "致电13812345678核实110105198503070011", "due_on": "2026-10-20"},
        format="json",
    )
    assert response.json()["title"] == "致电138****5678核实110105********0011"
    event = MatterEvent.objects.get(kind=EventKind.TASK_ADDED)
    assert "13812345678" not in str(event.new) and "110105198503070011" not in str(event.new)
