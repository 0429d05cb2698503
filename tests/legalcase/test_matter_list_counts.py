"""The matter list at scale: counts bounded on the page and exact in the API, small lists paged by
their ids, a guarantor's name searched on the guarantee (bench/matter_list.py)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from legalcase import pagination
from legalcase.models import Guarantee, Matter, Role, User, list_names
from legalcase.views import matters as matter_views
from legalcase.services.matters import matter_open
from tests.factories import escalation_body, make_debt, make_firm, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="bounded counts and the planner's estimate are PostgreSQL's"
)


def page(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("matter_list"), params)
    assert response.status_code == 200
    return response.content.decode()


def numbers_on(html: str) -> list[str]:
    return re.findall(r'<td><a href="/matters/\d+/">([^<]+)</a></td>', html)


def api_get(user, **params) -> dict:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/v1/matters/", params)
    assert response.status_code == 200, response.content
    return response.json()


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE legalcase_matter")


@needs_postgresql
def test_a_filtered_page_beyond_the_bound_shows_the_planners_estimate(client, monkeypatch):
    # A product is the debt's: no kept count has it (a stage's is exact, test_matter_counts).
    for _ in range(4):
        make_matter(product="loan")
    make_matter(product="credit_card")
    analyze()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE legalcase_debt")
    monkeypatch.setattr(pagination, "SMALL_LIST", 2)
    monkeypatch.setattr(matter_views, "PAGE_SIZE", 1)

    html = page(client, make_user(), product="loan")

    # After ANALYZE the planner knows the product's share exactly: about 4, said to be an estimate.
    assert re.search(r'<span class="sub">约 4 件</span>', html)
    assert "符合筛选条件的全部案件（约 4 件）" in html
    assert "第 1 / 4 页 （估算）" in html and len(numbers_on(html)) == 1


@needs_postgresql
def test_a_search_beyond_the_bound_says_more_than_and_every_page_is_reached(client, monkeypatch):
    matters = [make_matter(debtor=make_party(f"欧阳{n}")) for n in range(4)]
    make_matter(debtor=make_party("司马一"))
    monkeypatch.setattr(pagination, "SMALL_LIST", 2)
    monkeypatch.setattr(pagination, "WIDE_LIST", 2)  # more matches than it: "more than"
    monkeypatch.setattr(matter_views, "PAGE_SIZE", 1)
    user = make_user()

    first = page(client, user, q="欧阳")
    third = page(client, user, q="欧阳", page=3)
    last = page(client, user, q="欧阳", page=4)

    # Counted only through the page asked for: "more than", no number of pages, a next page.
    assert '<span class="sub">超过 2 件</span>' in first and "第 1 页" in first and "第 1 /" not in first
    assert "筛选出的全部案件（超过 2 个，最多取最新的 10,000 个）" in first
    assert "符合筛选条件的全部案件（超过 2 件）" in first
    assert "page=2" in first
    assert '<span class="sub">超过 3 件</span>' in third and "page=4" in third
    # The last page counts them all.
    assert '<span class="sub">共 4 件</span>' in last and "第 4 / 4 页" in last and "page=5" not in last
    shown = [numbers_on(page(client, user, q="欧阳", page=n)) for n in range(1, 5)]
    assert shown == [[matter.number] for matter in reversed(matters)]


@needs_postgresql
def test_a_wide_search_is_counted_and_paged_from_its_ids(client, monkeypatch):
    claims = [Decimal("300.00"), Decimal("100.00"), Decimal("400.00"), Decimal("200.00")]
    matters = [
        make_matter(debtor=make_party(f"欧阳{n}"), principal=claim, interest=0, penalty_interest=0,
                    compound_interest=0, late_fees=0)
        for n, claim in enumerate(claims)
    ]  # fmt: skip
    make_matter(debtor=make_party("司马一"))
    monkeypatch.setattr(pagination, "SMALL_LIST", 2)  # beyond it, within WIDE_LIST
    monkeypatch.setattr(matter_views, "PAGE_SIZE", 1)
    user = make_user()

    pages = [page(client, user, q="欧阳", page=n) for n in range(1, 5)]

    # Counted exactly from the ids read, every page cut from them newest first.
    assert all('<span class="sub">共 4 件</span>' in html for html in pages)
    assert "第 2 / 4 页" in pages[1] and "符合筛选条件的全部案件（4 件）" in pages[0]
    assert [numbers_on(html) for html in pages] == [[matter.number] for matter in reversed(matters)]

    newest = [api_get(user, q="欧阳", page_size=3, page=n) for n in (1, 2)]
    assert [row["id"] for row in api_get(user, q="欧阳", page_size=1, page=3)["results"]] == [matters[1].pk]
    assert [body["count"] for body in newest] == [4, 4] and "count_is_estimate" not in newest[0]
    assert [row["id"] for body in newest for row in body["results"]] == [m.pk for m in reversed(matters)]
    # Another order: sorted among the ids by the database.
    by_claim = api_get(user, q="欧阳", ordering="claim_total", page_size=3)
    assert [row["id"] for row in by_claim["results"]] == [matters[1].pk, matters[3].pk, matters[0].pk]


@needs_postgresql
def test_the_api_count_of_a_filtered_list_stays_exact_beyond_the_bound(monkeypatch):
    matters = [make_matter(stage="litigation") for _ in range(4)]
    analyze()
    monkeypatch.setattr(pagination, "SMALL_LIST", 2)

    body = api_get(make_user(), stage="litigation", page_size=3)

    assert body["count"] == 4 and "count_is_estimate" not in body
    assert [row["id"] for row in body["results"]] == [m.pk for m in reversed(matters)][:3]


def test_a_small_filtered_list_is_paged_in_its_sort_order():
    claims = [Decimal("900.00"), Decimal("100.00"), Decimal("500.00"), Decimal("700.00")]
    matters = [
        make_matter(stage="litigation", principal=claim, interest=0, penalty_interest=0, compound_interest=0,
                    late_fees=0)
        for claim in claims
    ]  # fmt: skip
    make_matter(stage="intake")
    user = make_user()

    pages = [api_get(user, stage="litigation", ordering="-claim_total", page_size=3, page=n) for n in (1, 2)]

    by_claim = [m.pk for m in sorted(matters, key=lambda m: -m.debt.claim_total)]
    assert [row["id"] for body in pages for row in body["results"]] == by_claim
    assert pages[0]["count"] == pages[1]["count"] == 4


def test_the_any_of_lookup_matches_what_in_matches():
    matters = [make_matter() for _ in range(3)]
    wanted = [matters[0].pk, matters[2].pk]

    assert set(Matter.objects.filter(pk__any_of=wanted).values_list("pk", flat=True)) == set(wanted)
    assert list(Matter.objects.filter(debt_id__any_of=[matters[1].debt_id])) == [matters[1]]
    assert not Matter.objects.filter(pk__any_of=[]).exists()


@pytest.mark.parametrize(
    "filters",
    [{"q": "欧阳"}, {"q": "欧阳", "stage": "litigation"}, {"q": "欧阳", "firm": "firm"}, {"q": "欧阳", "product": "loan"}],
)
def test_a_searchs_ids_are_read_per_alternative_and_are_the_filters_own(filters, django_assert_num_queries):
    firm = make_firm()
    by_name = [make_matter(debtor=make_party(f"欧阳{n}"), stage=stage, firm=firm if n else None, product=product)
               for n, (stage, product) in enumerate([("litigation", "loan"), ("intake", "loan"),
                                                     ("litigation", "credit_card")])]  # fmt: skip
    by_guarantee = make_matter(stage="litigation", firm=firm, product="loan")
    Guarantee.objects.create(debt=by_guarantee.debt, guarantor=make_party("欧阳保"))
    Guarantee.objects.create(debt=by_name[0].debt, guarantor=make_party("欧阳二"))  # found twice, read once
    make_matter(debtor=make_party("司马一"), stage="litigation", firm=firm)
    filters = {**filters, **({"firm": firm.pk} if "firm" in filters else {})}
    matters = Matter.objects.filter_by(**filters).order_by("-id")

    with django_assert_num_queries(1) as captured:
        ids = pagination.matter_ids(matters, 100)

    assert sorted(ids) == sorted(matters.values_list("pk", flat=True)) and len(ids) == len(set(ids)) > 0
    # The name, the number and the guarantees' debts as queries of their own, each with the
    # other filters; a filter through the debt (a join) keeps the one OR.
    assert ("UNION" in captured.captured_queries[0]["sql"]) is ("product" not in filters)
    # Unfiltered, the guarantees' matters are matters already: their ids are not read again.
    ids_read = re.search(r'"legalcase_matter"\."id" (= ANY|IN) ?\(', captured.captured_queries[0]["sql"])
    assert (ids_read is not None) is (filters != {"q": "欧阳"})
    # Five rows for four matters: cut at four or five, the repeat hides none of them.
    everyone = sorted(Matter.objects.filter_by(q="欧阳").values_list("pk", flat=True))
    assert [len(pagination.matter_ids(Matter.objects.filter_by(q="欧阳"), n)) for n in (2, 4)] == [2, 4]
    assert sorted(pagination.matter_ids(Matter.objects.filter_by(q="欧阳"), 5)) == everyone and len(everyone) == 4


def test_a_pages_names_are_read_by_id_in_one_query(django_assert_num_queries):
    owner, firm = make_user(Role.COUNSEL, username="wangmin"), make_firm("甲律师事务所")
    owner.first_name, owner.last_name = "敏", "王"
    owner.save(update_fields=["first_name", "last_name"])
    matter = make_matter(owner=owner, firm=firm)

    with django_assert_num_queries(1):
        users, firms, creditors = list_names(users={owner.pk, None}, firms=[firm.pk], creditors=[matter.debt.creditor_id])
    with django_assert_num_queries(0):
        assert list_names(users=[None], firms=(), creditors=()) == ({}, {}, {})

    assert users == {owner.pk: ("wangmin", "敏", "王")} and firms == {firm.pk: "甲律师事务所"}
    assert creditors == {matter.debt.creditor_id: (matter.debt.creditor.name, matter.debt.creditor.uscc)}


def _escalated() -> tuple[User, APIClient, Matter]:
    """A counsel, their API client and the matter it escalated (debtor 张三, guarantor 李四)."""
    counsel, client = make_user(Role.COUNSEL), APIClient()
    client.force_authenticate(counsel)
    created = client.post("/api/v1/escalations/", escalation_body(), format="json")
    assert created.status_code == 201, created.content
    return counsel, client, Matter.objects.get(pk=created.json()["id"])


def test_a_guarantee_copies_its_guarantors_name_and_a_correction_follows():
    counsel, client, matter = _escalated()
    guarantee = Guarantee.objects.get(debt=matter.debt)
    assert guarantee.guarantor_name == guarantee.guarantor.name == "李四"
    by_hand = Guarantee.objects.create(debt=make_matter().debt, guarantor=make_party("赵六"))
    assert Guarantee.objects.get(pk=by_hand.pk).guarantor_name == "赵六"

    response = client.patch(
        f"/api/v1/matters/{matter.pk}/parties/{guarantee.guarantor_id}/", {"name": "周八"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert Guarantee.objects.get(pk=guarantee.pk).guarantor_name == "周八"
    assert [row["id"] for row in api_get(counsel, q="周八")["results"]] == [matter.pk]
    assert api_get(counsel, q="李四")["count"] == 0


def test_a_guarantee_knows_its_matter_however_it_was_recorded_and_is_found_by_it():
    counsel, _, matter = _escalated()
    escalated = Guarantee.objects.get(debt=matter.debt)
    later = make_matter()
    after = Guarantee.objects.create(debt=later.debt, guarantor=make_party("赵六"))
    debt = make_debt()
    before = Guarantee.objects.create(debt=debt, guarantor=make_party("钱七"))
    assert before.matter_id is None

    opened = matter_open(debt=debt, actor=counsel)

    assert escalated.matter_id == matter.pk and after.matter_id == later.pk
    assert Guarantee.objects.get(pk=before.pk).matter_id == opened.pk
    for name, matter_id in (("李四", matter.pk), ("赵六", later.pk), ("钱七", opened.pk)):
        assert [row["id"] for row in api_get(counsel, q=name)["results"]] == [matter_id]


def test_a_filtered_page_runs_a_few_queries(client, django_assert_max_num_queries):
    for _ in range(5):
        make_matter(stage="litigation")
    client.force_login(make_user())
    # session, user, firms, owners, the kept count, the ids (few: the page is read among them),
    # the page, its names, the bell's unread count, the session saved with the remembered
    # filter (inside a savepoint: two more here)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("matter_list"), {"stage": "litigation"}).status_code == 200
