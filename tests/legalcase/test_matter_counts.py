"""The kept matter counts (MatterCount, PostgreSQL): the triggers keep them through every
kind of write, the schedule compacts and recounts them, and a list filtered by stage, firm
and owner alone is counted from them exactly (legalcase.services.matter_counts)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from rest_framework.test import APIClient

from legalcase import pagination
from legalcase.access import visible_matters
from legalcase.models import Matter, MatterCount, Role
from legalcase.schedule import ENTRIES
from legalcase.services.matter_counts import (
    counted_key,
    matter_count,
    matter_counts_compact,
    matter_counts_recount,
)
from legalcase.services.matters import matter_assign_firm, matter_set_owner, matter_transition
from legalcase.views import matters as matter_views
from tests.factories import make_debt, make_firm, make_matter, make_party, make_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the counts are kept by PostgreSQL triggers"),
]


def kept() -> dict[tuple, int]:
    rows = {}
    for stage, firm, owner, n in MatterCount.objects.values_list("stage", "firm_id", "owner_id", "matters"):
        rows[(stage, firm, owner)] = rows.get((stage, firm, owner), 0) + n
    return {key: n for key, n in rows.items() if n}


def truth() -> dict[tuple, int]:
    rows = {}
    for key in Matter.objects.values_list("stage", "assigned_firm_id", "owner_id"):
        rows[key] = rows.get(key, 0) + 1
    return rows


def test_the_counts_follow_services_bulk_updates_and_deletes():
    counsel, other = make_user(Role.COUNSEL), make_user(Role.COUNSEL)
    firm = make_firm()
    matters = [make_matter(owner=counsel) for _ in range(4)]
    assert kept() == truth() == {("intake", None, counsel.pk): 4}

    matter_transition(user=counsel, matter_id=matters[0].pk, to="litigation", note="")
    matter_assign_firm(user=counsel, matter_id=matters[0].pk, firm_id=firm.pk)
    matter_set_owner(user=counsel, matter_id=matters[1].pk, owner_id=other.pk)
    assert kept() == truth()
    assert kept()[("litigation", firm.pk, counsel.pk)] == 1

    # Writes past the services: a bulk update, an update that moves nothing, a delete.
    Matter.objects.filter(pk__in=[matters[2].pk, matters[3].pk]).update(stage="pre_litigation")
    rows_before = MatterCount.objects.count()
    Matter.objects.filter(pk=matters[2].pk).update(recovered_costs=0)
    assert MatterCount.objects.count() == rows_before  # nothing moved: no row added
    # A bulk insert and a delete (of matters without a timeline, which would protect them).
    bare = Matter.objects.bulk_create(
        [Matter(debt=make_debt(), number=f"FS-2026-99000{n}", stage="judgment", owner=other) for n in range(3)]
    )
    assert kept()[("judgment", None, other.pk)] == 3
    Matter.objects.filter(pk__in=[bare[0].pk, bare[1].pk]).delete()
    assert kept() == truth() == {
        ("litigation", firm.pk, counsel.pk): 1,
        ("intake", None, other.pk): 1,
        ("pre_litigation", None, counsel.pk): 2,
        ("judgment", None, other.pk): 1,
    }


def test_a_truncate_of_the_matters_empties_the_counts():
    make_matter()
    with connection.cursor() as cursor:
        # The foreign keys' deferred checks first: TRUNCATE refuses to run with checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE legalcase_matter CASCADE")
    assert not MatterCount.objects.exists()


def test_compaction_leaves_a_row_per_key_and_no_key_at_zero():
    counsel = make_user(Role.COUNSEL)
    matters = [make_matter(owner=counsel) for _ in range(3)]
    for matter in matters:
        matter_transition(user=counsel, matter_id=matter.pk, to="pre_litigation", note="")
    assert MatterCount.objects.count() > 2

    assert matter_counts_compact() == {"rows": 1}

    assert list(MatterCount.objects.values_list("stage", "owner_id", "matters")) == [
        ("pre_litigation", counsel.pk, 3)
    ]
    assert ENTRIES["matter_counts_compact"].resolve() is matter_counts_compact


def test_the_recount_repairs_counts_that_a_write_with_the_triggers_off_left_wrong():
    make_matter(stage="litigation")
    make_matter(stage="litigation")
    MatterCount.objects.create(stage="litigation", firm_id=None, owner_id=None, matters=5)  # as if bypassed
    MatterCount.objects.create(stage="closed", firm_id=None, owner_id=None, matters=1)

    assert matter_counts_recount() == {"keys": 1, "wrong": 2}

    assert kept() == truth() == {("litigation", None, None): 2}
    assert matter_counts_recount() == {"keys": 1, "wrong": 0}
    assert ENTRIES["matter_counts_recount"].resolve() is matter_counts_recount


def test_only_filters_on_the_counted_columns_have_a_key():
    firm, owner = make_firm(), make_user(Role.COUNSEL)
    lawyer = make_user(Role.LAWYER, firm=firm)
    matters = Matter.objects.all()

    assert counted_key(matters) == []
    assert counted_key(matters.filter_by(stage="litigation", firm=str(firm.pk), owner="none").for_list()) == [
        ("stage", "litigation", False), ("firm_id", firm.pk, False), ("owner_id", None, False),
    ]  # fmt: skip
    assert counted_key(visible_matters(lawyer).filter(stage="judgment")) == [
        ("firm_id", firm.pk, False), ("stage", "judgment", False),
    ]  # fmt: skip
    assert counted_key(matters.filter(Q(stage="litigation") & Q(owner=owner))) == [
        ("stage", "litigation", False), ("owner_id", owner.pk, False),
    ]  # fmt: skip
    # A worklist: the open matters.
    assert counted_key(matters.exclude(stage="closed").filter(owner=owner)) == [
        ("stage", "closed", True), ("owner_id", owner.pk, False),
    ]  # fmt: skip
    for other in (
        matters.filter_by(q="张三"),
        matters.filter_by(product="credit_card"),
        matters.filter(recommendation="sue"),
        matters.exclude(stage="closed", owner=owner),  # NOT (a AND b)
        matters.exclude(owner=owner),  # NOT (owner = x AND owner IS NOT NULL)
        matters.filter(owner__isnull=False),
        matters.filter(Q(stage="litigation") | Q(stage="judgment")),
        matters.filter(stage__in=["litigation", "judgment"]),
        matters.filter(assigned_firm__name="某律所"),
        matters.filter(pk=1),
        matters.filter(stage="litigation").distinct(),
        matters.filter(stage="litigation").union(matters.filter(stage="judgment")),
        matters.filter(stage="litigation")[:2],
    ):
        assert counted_key(other) is None, other.query


def test_the_kept_counts_answer_as_the_matters_do():
    counsel, other = make_user(Role.COUNSEL), make_user(Role.COUNSEL)
    firm = make_firm()
    for stage, owner, with_firm in [("litigation", counsel, True), ("closed", counsel, False), ("intake", other, True),
                                    ("closed", other, True), ("litigation", None, False)]:  # fmt: skip
        make_matter(stage=stage, owner=owner, firm=firm if with_firm else None)
    matters = Matter.objects.all()
    for chosen in (
        matters,
        matters.exclude(stage="closed"),
        matters.exclude(stage="closed").filter(owner=counsel),
        matters.exclude(stage="closed").filter(assigned_firm=firm),
        matters.filter(owner__isnull=True),
        matters.filter(assigned_firm__isnull=True, stage="litigation"),
        matters.exclude(assigned_firm__isnull=True),
    ):
        assert matter_count(chosen) == chosen.count(), chosen.query


def test_a_long_filtered_list_is_counted_from_the_kept_counts(monkeypatch):
    firm = make_firm()
    lawyer = make_user(Role.LAWYER, firm=firm)
    for _ in range(3):
        make_matter(stage="litigation", firm=firm)
    make_matter(stage="litigation")
    monkeypatch.setattr(pagination, "SMALL_LIST", 2)
    client = APIClient()
    client.force_authenticate(lawyer)

    body = client.get("/api/v1/matters/", {"stage": "litigation", "page_size": 2}).json()
    assert body["count"] == 3 and "count_is_estimate" not in body and len(body["results"]) == 2
    assert matter_count(visible_matters(lawyer).filter(stage="litigation")) == 3

    # The count is the kept one (a wrong row shows), not a count of the matters.
    MatterCount.objects.create(stage="litigation", firm_id=firm.pk, owner_id=None, matters=1)
    assert client.get("/api/v1/matters/", {"stage": "litigation"}).json()["count"] == 4
    # A search is counted from the matters.
    assert client.get("/api/v1/matters/", {"q": "张三"}).json()["count"] == 3


def test_a_long_stage_filtered_page_shows_the_exact_count(client, monkeypatch):
    for _ in range(4):
        make_matter(stage="litigation")
    make_matter(stage="intake", debtor=make_party("李四"))
    monkeypatch.setattr(pagination, "SMALL_LIST", 2)
    monkeypatch.setattr(matter_views, "PAGE_SIZE", 1)
    client.force_login(make_user())

    html = client.get(reverse("matter_list"), {"stage": "litigation"}).content.decode()

    assert '<span class="sub">共 4 件</span>' in html
    assert "符合筛选条件的全部案件（4 件）" in html
    assert "第 1 / 4 页" in html and "估算" not in html
    assert len(re.findall(r'<td><a href="/matters/\d+/">', html)) == 1


def test_a_worklist_by_stage_firm_or_owner_is_counted_from_the_kept_counts(client):
    counsel = make_user(Role.COUNSEL)
    for stage in ("litigation", "litigation", "judgment", "closed"):
        make_matter(stage=stage, owner=counsel)
    api = APIClient()
    api.force_authenticate(counsel)

    assert api.get("/api/v1/worklists/").json()["count"] == 3
    assert api.get("/api/v1/worklists/", {"stage": "litigation"}).json()["count"] == 2
    # The count is the kept one (a wrong row shows), where the filters are its columns only.
    MatterCount.objects.create(stage="litigation", firm_id=None, owner_id=counsel.pk, matters=1)
    body = api.get("/api/v1/worklists/", {"stage": "litigation"}).json()
    assert body["count"] == 3 and "count_is_estimate" not in body
    assert api.get("/api/v1/worklists/", {"stage": "litigation", "q": "张三"}).json()["count"] == 2
    client.force_login(counsel)
    html = client.get(reverse("worklist"), {"owner": counsel.pk}).content.decode()
    assert '<span class="sub">4 件未结案件 · ' in html
