"""Worklists (issue 19 item 3): the API and the page, ranked with none last, filtered, per firm,
the promise date they sort by, and the bulk hand-out of tasks."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from rest_framework.test import APIClient

from legalcase.models import DebtorReview, Job, Matter, MatterScore, Role, Task, TaskStatus
from legalcase.services.collection import promises_daily
from legalcase.services.recoveries import recovery_body_digest, recovery_record
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db
BEIJING = dt.timezone(dt.timedelta(hours=8))


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


@pytest.fixture
def world():
    """Five matters: three scored (one tie), one unscored, one closed with the best score."""
    counsel = make_user(Role.COUNSEL)
    firm_a, firm_b = make_firm(), make_firm()
    lawyer_a = make_user(Role.LAWYER, firm=firm_a)
    m1 = make_matter(stage="litigation", firm=firm_a, owner=counsel, principal=Decimal("90000.00"))
    m2 = make_matter(stage="pre_litigation", principal=Decimal("10000.00"))
    m3 = make_matter(stage="enforcement", firm=firm_b, principal=Decimal("50000.00"))
    m4 = make_matter(stage="intake", product="loan", principal=Decimal("30000.00"))
    m5 = make_matter(stage="closed", principal=Decimal("70000.00"))
    reasons = [{"code": "recent_payment", "text": "近90日有还款记录", "effect": "+"}]
    for matter, value in ((m1, "0.9000"), (m2, "0.5000"), (m4, "0.5000"), (m5, "0.9900")):
        MatterScore.objects.create(matter=matter, value=Decimal(value), kind="rules", reasons=reasons)
    DebtorReview.objects.create(matter=m1, recommendation="sue", recommendation_reason="有财产")
    DebtorReview.objects.create(matter=m2, recommendation="negotiate", recommendation_reason="困难")
    DebtorReview.objects.create(matter=m4)  # reviewed, no recommendation yet
    dates = {m1: (dt.date(2026, 4, 20), dt.date(2027, 5, 1)), m2: (dt.date(2026, 4, 10), None), m3: (None, dt.date(2026, 9, 1))}
    for matter, (promise, limitation) in dates.items():
        Matter.objects.filter(pk=matter.pk).update(promise_due_on=promise, limitation_expires_on=limitation)
    for status in (TaskStatus.OPEN, TaskStatus.OPEN, TaskStatus.DONE):
        Task.objects.create(matter=m1, title="致电", due_on=dt.date(2026, 4, 2), status=status)
    return {"counsel": counsel, "lawyer_a": lawyer_a, "firm_a": firm_a, "m": [None, m1, m2, m3, m4, m5]}


def test_by_default_it_ranks_by_score_with_the_unscored_last_and_no_closed_matter(world):
    m = world["m"]
    answer = api(world["counsel"]).get("/api/v1/worklists/")
    # The tie at 0.5: newest first (m4 after m2).
    assert numbers(answer) == [m[1].number, m[4].number, m[2].number, m[3].number]
    assert answer.json()["count"] == 4
    row = answer.json()["results"][0]
    assert row["recommendation"] == "sue"
    assert row["promise_due_on"] == "2026-04-20"
    assert row["open_tasks"] == 2
    assert row["score"] == {
        "value": "0.9000", "model": None, "kind": "rules", "computed_at": row["score"]["computed_at"],
        "reasons": [{"code": "recent_payment", "text": "近90日有还款记录", "effect": "+"}],
    }
    # The list's row is all there too.
    assert row["limitation_expires_on"] is None and row["debtor"]["id_number"].count("*") == 8
    unscored = answer.json()["results"][3]
    assert (unscored["score"], unscored["recommendation"], unscored["open_tasks"]) == (None, None, 0)


@pytest.mark.parametrize(
    "ordering, expected",
    [
        ("score", [4, 2, 1, 3]),
        ("-outstanding_total", [1, 3, 4, 2]),
        ("outstanding_total", [2, 4, 3, 1]),
        ("limitation_expires_on", [3, 1, 4, 2]),
        ("-limitation_expires_on", [1, 3, 4, 2]),
        ("promise_due_on", [2, 1, 4, 3]),
        ("-promise_due_on", [1, 2, 4, 3]),
    ],
)
def test_each_ordering_puts_matters_without_the_value_last(world, ordering, expected):
    m = world["m"]
    assert numbers(api(world["counsel"]).get("/api/v1/worklists/", {"ordering": ordering})) == [
        m[i].number for i in expected
    ]


def test_pages_run_on_from_the_scored_matters_into_the_unscored(world):
    m = world["m"]
    client = api(world["counsel"])
    assert numbers(client.get("/api/v1/worklists/", {"page_size": 3})) == [m[1].number, m[4].number, m[2].number]
    assert numbers(client.get("/api/v1/worklists/", {"page_size": 3, "page": 2})) == [m[3].number]
    assert numbers(client.get("/api/v1/worklists/", {"page_size": 2, "page": 2})) == [m[2].number, m[3].number]


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"recommendation": "sue"}, [1]),
        ({"recommendation": "none"}, [4, 3]),
        ({"stage": "enforcement"}, [3]),
        ({"product": "loan"}, [4]),
        ({"recommendation": "negotiate", "ordering": "promise_due_on"}, [2]),
    ],
)
def test_filters(world, query, expected):
    m = world["m"]
    assert numbers(api(world["counsel"]).get("/api/v1/worklists/", query)) == [m[i].number for i in expected]


@pytest.mark.parametrize("sort_matches_up_to", [0, 5000])
@pytest.mark.parametrize("ordering", ["-score", "score"])
def test_a_filtered_worklist_is_in_the_same_order_walked_by_score_or_sorted(world, monkeypatch, sort_matches_up_to, ordering):
    """A few matches are sorted among themselves, more walk the score's order: the same pages either way."""
    monkeypatch.setattr("legalcase.services.worklists.SORT_MATCHES_UP_TO", sort_matches_up_to)
    m = world["m"]
    for matter in (m[3], m[5]):
        DebtorReview.objects.create(matter=matter, recommendation="sue", recommendation_reason="有财产")
    MatterScore.objects.create(matter=m[3], value=Decimal("0.9000"), kind="rules")
    extra = make_matter(stage="litigation")  # newest, unscored
    DebtorReview.objects.create(matter=extra, recommendation="sue", recommendation_reason="有财产")
    client = api(world["counsel"])
    # m1 and m3 tie at 0.9, newest first in either direction; the unscored one last; m5 is closed.
    query = {"recommendation": "sue", "ordering": ordering, "page_size": 2}
    pages = [numbers(client.get("/api/v1/worklists/", {**query, "page": n})) for n in (1, 2)]
    assert pages == [[m[3].number, m[1].number], [extra.number]]


def copies(matter) -> tuple:
    return MatterScore.objects.filter(matter=matter).values_list("matter_firm_id", "matter_recommendation", "matter_open").get()


def test_the_database_keeps_the_scores_copies_of_firm_recommendation_and_openness(world):
    """Triggers (migration 0045) copy each matter's firm, recommendation and openness to its score, whoever writes."""
    from legalcase.services import matter_assign_firm

    m = world["m"]
    assert copies(m[1]) == (world["firm_a"].pk, "sue", True)
    assert copies(m[5]) == (None, "", False)
    matter_assign_firm(user=world["counsel"], matter_id=m[2].pk, firm_id=world["firm_a"].pk)
    Matter.objects.filter(pk=m[4].pk).update(stage="closed")  # a bulk update, no signal
    review = DebtorReview.objects.get(matter=m[1])
    review.recommendation, review.recommendation_reason = "arbitrate", "合同约定仲裁"
    review.save()
    assert copies(m[2]) == (world["firm_a"].pk, "negotiate", True)
    assert copies(m[4])[2] is False
    assert copies(m[1])[1] == "arbitrate"
    fresh = make_matter(stage="litigation", firm=world["firm_a"])
    MatterScore.objects.create(matter=fresh, value=Decimal("0.3000"), kind="rules")
    assert copies(fresh) == (world["firm_a"].pk, "", True)


def test_a_firms_worklist_by_recommendation_reads_the_scores_copies_and_never_shows_what_they_got_wrong(world, client):
    """The page of a firm's "sue" matters comes off the score's index; a copy out of step sends it down the general path."""
    from django.db import connection

    m = world["m"]
    lawyer_a = world["lawyer_a"]
    others = [make_matter(stage="litigation", firm=world["firm_a"]) for _ in range(3)]
    for matter, value in zip(others, ("0.9500", "0.2000", "0.9000")):
        MatterScore.objects.create(matter=matter, value=Decimal(value), kind="rules")
        DebtorReview.objects.create(matter=matter, recommendation="sue", recommendation_reason="有财产")
    expected = [others[0].number, others[2].number, m[1].number, others[1].number]
    assert numbers(api(lawyer_a).get("/api/v1/worklists/", {"recommendation": "sue", "page_size": 2})) == expected[:2]
    assert numbers(api(lawyer_a).get("/api/v1/worklists/", {"recommendation": "sue", "page_size": 2, "page": 2})) == expected[2:]
    # Another firm's matter whose copy wrongly says firm A: never shown to firm A's lawyer.
    DebtorReview.objects.create(matter=m[3], recommendation="sue", recommendation_reason="有财产")
    MatterScore.objects.create(matter=m[3], value=Decimal("0.9900"), kind="rules")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE legalcase_matterscore SET matter_firm_id = %s WHERE matter_id = %s", [world["firm_a"].pk, m[3].pk])
    assert numbers(api(lawyer_a).get("/api/v1/worklists/", {"recommendation": "sue", "page_size": 2})) == expected[:2]
    client.force_login(lawyer_a)
    body = client.get("/worklist/", {"recommendation": "sue"}).content.decode().split("<tbody>", 1)[1]
    assert m[3].number not in body and all(number in body for number in expected)


def test_the_matter_keeps_a_copy_of_its_reviews_recommendation(world):
    """``Matter.recommendation`` follows the review as the service and the ORM save it."""
    from legalcase.services.triage import review_update

    m = world["m"]
    assert Matter.objects.get(pk=m[1].pk).recommendation == "sue"
    assert Matter.objects.get(pk=m[4].pk).recommendation == ""
    review_update(
        user=world["counsel"], matter_id=m[4].pk, changes={"recommendation": "arbitrate", "recommendation_reason": "合同约定仲裁"}
    )
    assert Matter.objects.get(pk=m[4].pk).recommendation == "arbitrate"
    review = DebtorReview.objects.get(matter=m[1])
    review.recommendation, review.recommendation_reason = "", ""
    review.save(update_fields=["recommendation", "recommendation_reason"])
    assert Matter.objects.get(pk=m[1].pk).recommendation == ""
    assert numbers(api(world["counsel"]).get("/api/v1/worklists/", {"recommendation": "none"})) == [m[1].number, m[3].number]


def test_the_owner_filter(world):
    m = world["m"]
    answer = api(world["counsel"]).get("/api/v1/worklists/", {"owner": world["counsel"].pk})
    assert numbers(answer) == [m[1].number]
    assert answer.json()["count"] == 1


def test_a_firm_lawyer_gets_only_their_firms_matters_and_another_firm_none(world, client):
    m = world["m"]
    assert numbers(api(world["lawyer_a"]).get("/api/v1/worklists/")) == [m[1].number]
    stranger = make_user(Role.LAWYER, firm=make_firm())
    answer = api(stranger).get("/api/v1/worklists/", {"ordering": "promise_due_on"})
    assert numbers(answer) == [] and answer.json()["count"] == 0
    client.force_login(stranger)
    page = client.get("/worklist/").content.decode()
    assert "工作清单" in page
    assert not any(matter.number in page for matter in m[1:])


@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"ordering": "claim_total"}, "ordering", "排序字段“claim_total”未知或重复，可用：score, outstanding_total, limitation_expires_on, promise_due_on。"),
        ({"ordering": "-score,-id"}, "ordering", "排序字段“-score,-id”未知或重复"),
        ({"stage": "closed"}, "stage", None),
        ({"recommendation": "maybe"}, "recommendation", None),
        ({"owner": "abc"}, "owner", None),
        ({"product": "mortgage"}, "product", None),
    ],
)
def test_bad_filters_and_orderings_answer_400_in_chinese_naming_the_field(world, query, field, message):
    answer = api(world["counsel"]).get("/api/v1/worklists/", query)
    assert answer.status_code == 400
    errors = answer.json()
    assert list(errors) == [field]
    if message:
        assert errors[field][0].startswith(message)
    else:
        assert errors[field][0] in ("不是允许的取值。", "请填写编号（整数）或“none”。"), errors


def test_the_page_shows_why_each_matter_is_there(world, client):
    m = world["m"]
    client.force_login(world["counsel"])
    page = client.get("/worklist/").content.decode()
    body = page.split("<tbody>", 1)[1]
    order = [body.index(matter.number) for matter in (m[1], m[4], m[2], m[3])]
    assert order == sorted(order)
    assert m[5].number not in page
    assert "4 件未结案件" in page
    first = body.split('<tr class="why">', 2)[1]
    assert "回收可能性 90%" in first and "近90日有还款记录" in first and "建议：" in first
    assert "承诺还款 2026-04-20" in first and "时效 2027-05-01" in first and "待办 2 项" in first
    assert 'href="/worklist/"' in page.split('class="mainnav"', 1)[1].split("navmore", 1)[0]
    # Filtered and reordered through the selects, bad values dropped rather than refused.
    page = client.get("/worklist/", {"recommendation": "negotiate", "ordering": "nonsense"}).content.decode()
    assert m[2].number in page and m[1].number not in page


def test_the_page_counts_exactly_only_up_to_its_limit_then_says_about(world, postgres_only):
    from legalcase.services.worklists import Worklist, worklist_matters

    # A product is the debt's: no kept count tells (test_matter_counts), the limit applies.
    cards = worklist_matters(world["counsel"], product="credit_card")
    rows = Worklist(cards, ordering="-score", filtered=True, exact_up_to=1)
    assert rows.count() >= 2 and rows.count_is_estimate
    exact = Worklist(cards, ordering="-score", filtered=True, exact_up_to=3)
    assert (exact.count(), exact.count_is_estimate) == (3, False)
    # Not closed alone: exact from the kept counts, whatever the limit.
    kept = Worklist(worklist_matters(world["counsel"]), ordering="-score", filtered=False, exact_up_to=2)
    assert (kept.count(), kept.count_is_estimate) == (4, False)


def hand_out(client, ticked, **over):
    data = {
        "action": "hand_out_tasks", "scope": "selected", "matters": [matter.pk for matter in ticked],
        "task_title": "今日致电", "task_due_on": "2026-04-03", **over,
    }  # fmt: skip
    return client.post("/worklist/bulk/", data)


def test_handing_out_tasks_gives_each_ticked_matter_one(world, client):
    m = world["m"]
    counsel = world["counsel"]
    colleague = make_user(Role.COUNSEL)
    client.force_login(counsel)
    before = Task.objects.count()
    response = hand_out(client, [m[1], m[2]], task_assignee=str(colleague.pk))
    assert response.status_code == 302
    made = list(Task.objects.filter(title="今日致电").order_by("matter_id").values_list("matter_id", "due_on", "assignee_id", "created_by_id"))
    assert made == [(m[1].pk, dt.date(2026, 4, 3), colleague.pk, counsel.pk), (m[2].pk, dt.date(2026, 4, 3), colleague.pk, counsel.pk)]
    assert Task.objects.count() == before + 2
    assert m[1].events.filter(kind="task_added").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "已分派 2 项任务" in page


def test_an_assignee_who_cannot_see_a_matter_is_refused_naming_it_and_nothing_is_created(world, client):
    m = world["m"]
    client.force_login(world["counsel"])
    before = Task.objects.count()
    page = client.get(hand_out(client, [m[1], m[2], m[3]], task_assignee=str(world["lawyer_a"].pk))["Location"])
    text = page.content.decode()
    assert m[2].number in text and m[3].number in text and "无法查看这些案件" in text
    assert Task.objects.count() == before


@pytest.mark.parametrize(
    "over, message",
    [
        ({"task_title": "  "}, "请填写任务标题"),
        ({"task_due_on": ""}, "请填写任务的截止日期"),
        ({"task_due_on": "2026-02-30"}, "有效的日期"),
        ({"task_assignee": ""}, "请选择由谁完成"),
        ({"matters": []}, "请至少勾选一件案件"),
    ],
)
def test_bad_hand_outs_store_nothing(world, client, over, message):
    client.force_login(world["counsel"])
    before = Task.objects.count()
    data = {"task_assignee": str(world["counsel"].pk), **over}
    page = client.get(hand_out(client, [world["m"][1]], **data)["Location"]).content.decode()
    assert message in page
    assert Task.objects.count() == before


def test_a_lawyer_cannot_hand_out_tasks_on_another_firms_matter(world, client):
    client.force_login(world["lawyer_a"])
    before = Task.objects.count()
    response = hand_out(client, [world["m"][1], world["m"][3]], task_assignee=str(world["lawyer_a"].pk))
    text = client.get(response["Location"]).content.decode()
    assert f"{world['m'][3].pk}" in text and world["m"][3].number not in text
    assert Task.objects.count() == before


def test_the_lists_bulk_actions_run_from_the_worklist(world, client):
    client.force_login(world["counsel"])
    response = client.post(
        "/worklist/bulk/", {"action": "set_owner", "scope": "all", "bulk_owner": str(world["counsel"].pk), "recommendation": "sue"}
    )
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    # "All matching": the worklist's filter, so only the recommended-to-sue matter.
    assert job.payload["matter_ids"] == [world["m"][1].pk]


# --- Matter.promise_due_on follows the promises ---------------------------------------------


def test_the_promise_date_follows_the_open_promises(settings):
    settings.PROMISE_GRACE_DAYS = 3
    counsel = make_user(Role.COUNSEL)
    matter = make_matter()
    client = api(counsel)

    def promise(day, due_on, amount):
        body = {
            "channel": "phone", "direction": "outbound", "party": matter.debt.debtor_id,
            "contact_point": matter.debt.debtor.phone, "occurred_at": f"2026-04-0{day}T10:00:00+08:00",
            "duration_seconds": 60, "outcome": "promise_to_pay", "promise": {"amount": amount, "due_on": due_on},
        }  # fmt: skip
        assert client.post(f"/api/v1/matters/{matter.pk}/contacts/", body, format="json").status_code == 201

    def due():
        return Matter.objects.values_list("promise_due_on", flat=True).get(pk=matter.pk)

    with time_machine.travel(dt.datetime(2026, 4, 1, 10, 0, tzinfo=BEIJING), tick=False):
        assert due() is None
        promise(1, "2026-04-20", "5000.00")
        assert due() == dt.date(2026, 4, 20)
        promise(1, "2026-04-10", "1000.00")
        assert due() == dt.date(2026, 4, 10)
        # The earlier one is kept by a payment: the later one is next.
        money = {"amount": Decimal("1000.00"), "received_on": dt.date(2026, 4, 1), "source": "voluntary", "reference": ""}
        recovery_record(user=counsel, matter_id=matter.pk, idempotency_key="p1", body_digest=recovery_body_digest(**money), **money)
        assert due() == dt.date(2026, 4, 20)
    # The grace of the last one runs out: broken by the daily pass, no open promise left.
    with time_machine.travel(dt.datetime(2026, 4, 24, 8, 0, tzinfo=BEIJING), tick=False):
        promises_daily()
        assert due() is None


@pytest.mark.parametrize("query", [{}, {"recommendation": "sue"}, {"owner": "me"}])
def test_the_api_and_the_page_read_a_fixed_number_of_queries(world, client, query, django_assert_max_num_queries):
    """However many rows: the count, the page's ids, its rows, their names, deadlines, tasks, recommendations, scores."""
    m = world["m"]
    if "owner" in query:
        query = {"owner": world["counsel"].pk}
    for _ in range(3):  # more rows than the page shows ask no more queries
        make_matter(stage="intake")
    expected = [m[1].number] if query else None
    with django_assert_max_num_queries(9):
        answer = api(world["counsel"]).get("/api/v1/worklists/", {**query, "page_size": 2})
    if expected:
        assert numbers(answer) == expected
    else:
        assert numbers(answer) == [m[1].number, m[4].number] and answer.json()["count"] == 7
    client.force_login(world["counsel"])
    with django_assert_max_num_queries(15):  # 3 of them the session and its savepoint
        page = client.get("/worklist/", query).content.decode()
    body = page.split("<tbody>", 1)[1]
    assert m[1].number in body and m[5].number not in body


def test_a_page_comes_in_the_worklists_order_on_each_database(world):
    """The rows of a page follow the ids' order (PostgreSQL's array position, elsewhere a CASE)."""
    m = world["m"]
    ids = [m[3].pk, m[1].pk, m[4].pk]
    rows = Matter.objects.in_order_of(ids)
    assert list(rows.values_list("pk", flat=True)) == ids
