"""Tasks from stage moves (issue 19 item 4; ``STAGE_TASKS`` in legalcase/services/tasks.py)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from legalcase.jobs import job_run
from legalcase.models import Deadline, EventKind, Holiday, MatterEvent, Role, Task
from legalcase.services import matters as matter_services
from legalcase.services import matters_bulk_start, stage_tasks_move
from legalcase.timeline import event_text
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

# Tuesday 29 September 2026, 10:00 in Beijing: the National Day holiday (1-7 October, with
# Saturday 10 October a working day) starts on Thursday.
MOVED_AT = dt.datetime(2026, 9, 29, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def desk():
    """A counsel owning a card matter at intake, assigned to a firm with one lawyer user."""
    for day in range(1, 8):
        Holiday.objects.update_or_create(date=dt.date(2026, 10, day), defaults={"is_rest_day": True, "name": "国庆节"})
    Holiday.objects.update_or_create(date=dt.date(2026, 10, 10), defaults={"is_rest_day": False, "name": "国庆节"})
    counsel = make_user(Role.COUNSEL)
    firm = make_firm()
    lawyer = make_user(Role.LAWYER, firm=firm)
    client = APIClient()
    client.force_authenticate(counsel)
    return {"counsel": counsel, "lawyer": lawyer, "firm": firm, "client": client, "matter": make_matter(owner=counsel, firm=firm)}


def move(desk, to, matter=None, **body):
    matter = matter or desk["matter"]
    with time_machine.travel(MOVED_AT, tick=False):
        return desk["client"].post(f"/api/v1/matters/{matter.pk}/transition/", {"to": to, **body}, format="json")


def tasks_of(desk, matter=None):
    matter = matter or desk["matter"]
    rows = desk["client"].get(f"/api/v1/tasks/?matter={matter.pk}").json()["results"]
    return [(row["stage"], row["title"], row["due_on"], row["assignee"], row["origin"], row["source"]) for row in rows]


def test_each_stage_entered_gives_its_tasks_with_their_assignee_and_due_date(desk):
    counsel, lawyer = desk["counsel"].pk, desk["lawyer"].pk
    for stage in ("pre_litigation", "litigation", "judgment", "enforcement", "enforcement_terminated"):
        assert move(desk, stage).status_code == 200

    assert tasks_of(desk) == [
        # 7 days from 29 September end on 6 October, a holiday: the next working day.
        ("litigation", "跟进立案受理并缴纳诉讼费", "2026-10-08", lawyer, "stage", None),
        ("enforcement", "提交财产线索并跟进网络查控", "2026-10-09", lawyer, "stage", None),
        # 5 working days: 30 Sep, 8 Oct, 9 Oct, Saturday 10 Oct (a working day), 12 Oct.
        ("pre_litigation", "完成债务人评估与诉前筛查", "2026-10-12", counsel, "stage", None),
        ("judgment", "核对判决书并关注上诉期届满", "2026-10-12", lawyer, "stage", None),
        ("judgment", "准备申请强制执行", "2026-10-29", counsel, "stage", None),
        # After 终本 the court re-checks the debtor's assets every 6 months.
        ("enforcement_terminated", "核查被执行人财产状况，发现可供执行的财产即申请恢复执行", "2027-03-29", counsel, "stage", None),
    ]
    review = Task.objects.get(stage="pre_litigation")
    assert (review.action, review.owner_role, review.created_by_id) == ("review", "counsel", counsel)
    event = MatterEvent.objects.get(kind=EventKind.TASK_ADDED, new__task=review.pk)
    assert event.actor_id == counsel and event.new["rule"] == "review.before_action@2026"
    assert event_text(event) == f"新增任务「完成债务人评估与诉前筛查」，期限2026年10月12日，交由{desk['counsel'].display_name}办理。"
    # Each move left the tasks of the stage before it behind: skipped, saying why.
    assert dict(Task.objects.values_list("stage", "status").distinct()) == {
        "pre_litigation": "skipped",
        "litigation": "skipped",
        "judgment": "skipped",
        "enforcement": "skipped",
        "enforcement_terminated": "open",
    }
    assert review.status == "skipped" and review.note == "案件已进入「诉讼」阶段"
    skipped = MatterEvent.objects.get(kind=EventKind.TASK_CLOSED, new__task=review.pk)
    assert event_text(skipped) == "将任务「完成债务人评估与诉前筛查」标记为「已跳过」，备注：案件已进入「诉讼」阶段。"


def test_entering_a_stage_again_leaves_one_open_task_for_it(desk):
    matter = desk["matter"]
    hand = desk["client"].post(
        "/api/v1/tasks/", {"matter": matter.pk, "title": "核实执行法院", "due_on": "2026-10-20"}, format="json"
    )
    for stage in ("litigation", "judgment", "enforcement", "enforcement_terminated", "enforcement"):
        assert move(desk, stage).status_code == 200
    assert list(Task.objects.filter(matter=matter, stage="enforcement").values_list("status", flat=True).order_by("id")) == [
        "skipped",
        "open",
    ]
    # Made again for the same stage: nothing new.
    matter.refresh_from_db()
    assert stage_tasks_move(actor=desk["counsel"], matters=[matter]) == []
    assert Task.objects.filter(matter=matter, stage="enforcement", status="open").count() == 1
    # A task given by hand stays open whatever the moves.
    assert Task.objects.get(pk=hand.json()["id"]).status == "open"


def test_a_recorded_termination_ruling_gives_the_follow_ups_so_the_stage_adds_none(desk):
    matter = make_matter(stage="enforcement", owner=desk["counsel"])
    Deadline.objects.create(
        matter=matter, kind="termination_follow_up", due_on=dt.date(2027, 3, 29), rule="termination.follow_up@2016"
    )
    assert move(desk, "enforcement_terminated", matter=matter).status_code == 200
    assert tasks_of(desk, matter) == []


def test_without_an_owner_or_a_single_firm_lawyer_the_task_waits_unassigned(desk):
    make_user(Role.LAWYER, firm=desk["firm"])  # two lawyers: the firm decides who
    no_owner = make_matter(stage="intake", firm=desk["firm"])
    assert move(desk, "litigation").status_code == 200
    assert move(desk, "pre_litigation", matter=no_owner).status_code == 200
    assert tasks_of(desk) == [("litigation", "跟进立案受理并缴纳诉讼费", "2026-10-08", None, "stage", None)]
    assert tasks_of(desk, no_owner) == [("pre_litigation", "完成债务人评估与诉前筛查", "2026-10-12", None, "stage", None)]


def test_a_refused_move_gives_no_task(desk):
    matter = desk["matter"]
    refused = move(desk, "enforcement")
    assert refused.status_code == 409 and refused.json()["stage"] == "intake"
    unknown = move(desk, "appeal")
    assert unknown.status_code == 400
    no_reason = move(desk, "closed")
    assert no_reason.status_code == 400 and no_reason.json()["reason"] == ["结案须选择结案原因。"]
    lawyer = APIClient()
    lawyer.force_authenticate(make_user(Role.LAWYER))  # another firm's lawyer
    with time_machine.travel(MOVED_AT, tick=False):
        assert lawyer.post(f"/api/v1/matters/{matter.pk}/transition/", {"to": "litigation"}, format="json").status_code == 404
    assert Task.objects.count() == 0 and not MatterEvent.objects.filter(kind=EventKind.TASK_ADDED).exists()
    matter.refresh_from_db()
    assert matter.stage == "intake"


def run_bulk_move(desk, matters, to, counting=None):
    """Move the matters by a bulk job; the queries of the job's run (counted by ``counting`` if given)."""
    with time_machine.travel(MOVED_AT, tick=False):
        job = matters_bulk_start(user=desk["counsel"], action="move_stage", matter_ids=[m.pk for m in matters], to=to)
        with counting or CaptureQueriesContext(connection) as queries:
            job = job_run(job_id=job.pk)
    assert job.status == "done" and job.result["failed"] == 0, job.result
    return len(queries)


def test_a_bulk_move_makes_the_tasks_in_a_few_queries_whatever_the_number_of_matters(
    desk, django_assert_max_num_queries, monkeypatch
):
    firms = [make_firm() for _ in range(3)]
    lawyers = [make_user(Role.LAWYER, firm=firm) for firm in firms]
    owners = [desk["counsel"], make_user(Role.COUNSEL)]
    matters = [make_matter(owner=owners[n % 2], firm=firms[n % 3]) for n in range(12)]
    # The same move to a stage without tasks, for the queries a move costs anyway.
    baseline = run_bulk_move(desk, [make_matter(owner=owners[0], firm=firms[0]) for _ in range(12)], "preservation")

    # Five more for the tasks: the open ones, the firms' lawyers, the tasks, the names, the events.
    run_bulk_move(desk, matters, "litigation", counting=django_assert_max_num_queries(baseline + 5))

    tasks = Task.objects.filter(matter__in=matters).order_by("matter_id")
    assert [(t.matter_id, t.title, t.due_on, t.assignee_id, t.created_by_id) for t in tasks] == [
        (m.pk, "跟进立案受理并缴纳诉讼费", dt.date(2026, 10, 8), lawyers[n % 3].pk, desk["counsel"].pk)
        for n, m in enumerate(matters)
    ]
    assert MatterEvent.objects.filter(matter__in=matters, kind=EventKind.TASK_ADDED).count() == 12
    # Moved on by chunks of 5 (litigation -> judgment, then back on an appeal): one open task per stage task.
    monkeypatch.setattr(matter_services, "BULK_MOVE_CHUNK", 5)
    run_bulk_move(desk, matters, "judgment")
    assert Task.objects.filter(matter__in=matters, status="open", stage="judgment").count() == 24
    run_bulk_move(desk, matters, "litigation")
    open_tasks = Task.objects.filter(matter__in=matters, status="open")
    assert sorted(open_tasks.values_list("matter_id", "stage")) == sorted((m.pk, "litigation") for m in matters)
    assert Task.objects.filter(matter__in=matters, status="skipped").count() == 12 + 24


def test_my_tasks_shows_a_stage_task_with_the_stage_it_came_from(desk, client):
    assert move(desk, "litigation").status_code == 200
    client.force_login(desk["lawyer"])
    with time_machine.travel(MOVED_AT, tick=False):
        page = client.get("/tasks/").content.decode()
    assert "跟进立案受理并缴纳诉讼费" in page and "阶段任务：诉讼" in page and "2026-10-08" in page
