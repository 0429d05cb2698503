"""A playbook started at the debtor review, chosen by product and the debtor's willingness (issue 19 item 4)."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from legalcase.models import DebtorReview, EventKind, MatterEvent, Plan, Playbook, Role, Task
from legalcase.services import plan_for_review
from legalcase.timeline import event_text
from tests.factories import make_matter, make_user

pytestmark = pytest.mark.django_db

STEPS = [
    {"day": 1, "working_days": True, "action": "phone", "title": "电话了解困难情况", "owner_role": "counsel"},
    {"day": 10, "working_days": False, "action": "letter", "title": "寄送分期还款方案", "owner_role": "counsel"},
]
# Thursday 1 October 2026, the first day of the National Day holiday (1-7 October; as installed from chinesecalendar).
REVIEWED_ON = dt.date(2026, 10, 1)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def add_playbook(counsel, name, **fields):
    response = api(counsel).post("/api/v1/playbooks/", {"name": name, "product": "credit_card", "steps": STEPS, **fields}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def desk():
    counsel = make_user(Role.COUNSEL)
    hardship = add_playbook(counsel, "信用卡困难客户", segment="hardship", start_on_review=True)
    anyone = add_playbook(counsel, "信用卡通用流程", segment="", start_on_review=True)
    add_playbook(counsel, "信用卡恶意拖欠（手动）", segment="wilful")  # not started at review
    return {"counsel": counsel, "hardship": hardship, "any": anyone, "matter": make_matter(owner=counsel)}


def review(matter, *, willingness="hardship", recommendation="negotiate"):
    return DebtorReview.objects.create(
        matter=matter, willingness=willingness, recommendation=recommendation, recommendation_reason="失业，愿意分期"
    )


def test_the_playbook_for_the_debtors_willingness_starts_at_review(desk):
    counsel, matter = desk["counsel"], desk["matter"]
    assert desk["hardship"]["segment"] == "hardship" and desk["hardship"]["start_on_review"] is True

    plan = plan_for_review(actor=counsel, matter=matter, review=review(matter), today=REVIEWED_ON)

    assert plan.playbook_version.playbook_id == desk["hardship"]["id"]
    tasks = Task.objects.filter(plan=plan).order_by("step")
    # One working day after the holiday's first day: Thursday 8 October; ten calendar days: 11 October.
    assert [(t.title, t.due_on, t.assignee) for t in tasks] == [
        ("电话了解困难情况", dt.date(2026, 10, 8), counsel),
        ("寄送分期还款方案", dt.date(2026, 10, 11), counsel),
    ]
    event = MatterEvent.objects.get(matter=matter, kind=EventKind.PLAN_STARTED)
    assert event.actor == counsel and event.new["trigger"] == "review"
    assert event_text(event) == "自2026年10月1日起执行催收方案「信用卡困难客户」（第1版），共2项任务，于债务人评估后自动启动。"


def test_without_a_playbook_for_the_willingness_the_one_for_any_debtor_starts(desk):
    matter = desk["matter"]
    plan = plan_for_review(actor=None, matter=matter, review=review(matter, willingness="wilful", recommendation="sue"), today=REVIEWED_ON)
    assert plan.playbook_version.playbook_id == desk["any"]["id"]


@pytest.mark.parametrize("recommendation", ["", "sell", "write_off"])
def test_no_playbook_starts_without_a_recommendation_to_pursue_the_debt(desk, recommendation):
    matter = desk["matter"]
    assert plan_for_review(actor=None, matter=matter, review=review(matter, recommendation=recommendation), today=REVIEWED_ON) is None
    assert not Plan.objects.exists() and not Task.objects.exists()


def test_no_second_plan_starts_while_one_runs_nor_on_a_closed_matter(desk):
    counsel, matter = desk["counsel"], desk["matter"]
    first = plan_for_review(actor=counsel, matter=matter, review=review(matter), today=REVIEWED_ON)
    assert plan_for_review(actor=counsel, matter=matter, review=matter.review, today=REVIEWED_ON) is None
    assert list(Plan.objects.values_list("pk", flat=True)) == [first.pk] and Task.objects.count() == 2
    closed = make_matter(stage="closed", owner=counsel)
    assert plan_for_review(actor=counsel, matter=closed, review=review(closed), today=REVIEWED_ON) is None
    assert Plan.objects.count() == 1


def test_a_second_review_playbook_for_the_same_debtors_and_a_bad_segment_are_refused(desk):
    counsel = desk["counsel"]
    again = api(counsel).post(
        "/api/v1/playbooks/",
        {"name": "另一个困难流程", "product": "credit_card", "segment": "hardship", "start_on_review": True, "steps": STEPS},
        format="json",
    )
    assert again.status_code == 400
    assert again.json()["start_on_review"] == ["该产品的此类债务人已有评估后自动启动的催收方案。"]
    bad = api(counsel).patch(f"/api/v1/playbooks/{desk['any']['id']}/", {"segment": "rich"}, format="json")
    assert bad.status_code == 400 and bad.json()["segment"] == ["适用债务人须为 hardship、wilful、unknown 或留空（不限）。"]
    assert Playbook.objects.count() == 3 and Playbook.objects.get(pk=desk["any"]["id"]).segment == ""
    # The same segment for the other product is another group of debtors.
    loan = api(counsel).post(
        "/api/v1/playbooks/",
        {"name": "贷款困难流程", "product": "loan", "segment": "hardship", "start_on_review": True, "steps": STEPS},
        format="json",
    )
    assert loan.status_code == 201


def test_the_editor_sets_the_segment_and_the_start_at_review(desk, client):
    client.force_login(desk["counsel"])
    playbook = Playbook.objects.get(name="信用卡恶意拖欠（手动）")
    page = client.get(f"/playbooks/{playbook.pk}/")
    assert '<option value="wilful" selected>恶意拖欠</option>' in page.content.decode()
    response = client.post(
        f"/playbooks/{playbook.pk}/",
        {
            "name": playbook.name,
            "product": "credit_card",
            "segment": "wilful",
            "start_on_review": "1",
            "day": ["1"],
            "title": ["电话催收"],
            "action": ["phone"],
            "owner_role": ["counsel"],
        },
    )
    assert response.status_code == 302
    playbook.refresh_from_db()
    assert (playbook.segment, playbook.start_on_review, playbook.version) == ("wilful", True, 2)
    listing = client.get("/playbooks/").content.decode()
    assert "评估后自动启动（恶意拖欠）" in listing and "评估后自动启动（不限债务人）" in listing


def test_a_review_saved_through_the_api_starts_its_playbook_once(desk):
    counsel, matter = desk["counsel"], desk["matter"]
    url = f"/api/v1/matters/{matter.pk}/review/"
    body = {"willingness": "hardship", "recommendation": "negotiate", "recommendation_reason": "失业，愿意分期"}

    assert api(counsel).patch(url, body, format="json").status_code == 200
    (plan,) = Plan.objects.filter(matter=matter)
    assert plan.playbook_version.playbook_id == desk["hardship"]["id"]

    # A new recommendation while the plan runs starts nothing more; a note alone changes nothing.
    body = {"recommendation": "sue", "recommendation_reason": "有财产可供执行"}
    assert api(counsel).patch(url, body, format="json").status_code == 200
    assert api(counsel).patch(url, {"employment": "外卖骑手"}, format="json").status_code == 200
    assert Plan.objects.filter(matter=matter).count() == 1


def test_a_refused_review_starts_no_playbook(desk):
    counsel, matter = desk["counsel"], desk["matter"]
    response = api(counsel).patch(f"/api/v1/matters/{matter.pk}/review/", {"recommendation": "negotiate"}, format="json")

    assert response.status_code == 400 and "recommendation_reason" in response.json()
    assert not Plan.objects.filter(matter=matter).exists() and not DebtorReview.objects.filter(matter=matter).exists()
