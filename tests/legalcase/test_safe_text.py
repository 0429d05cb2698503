"""Names refuse invisible control and direction characters (API, import, record, admin), markup in
a name is kept as text and escaped on the pages, and every spreadsheet Fasu writes shows a
formula-like text as text (the matter export, the import's errors file, the .xlsx helper)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from legalcase.exports import Column, xlsx_bytes
from legalcase.importing import errors_path, escalations_import
from legalcase.importing.blank import template_csv
from legalcase.models import Forum, LawFirm, Matter, Party, Role
from legalcase.safetext import name_error, spreadsheet_text
from tests.factories import escalation_body, make_matter, make_party, make_user
from tests.legalcase.test_import import row, write_csv
from tests.legalcase.test_import import ENGLISH
from tests.legalcase.test_import_fixable import import_through_the_page

pytestmark = pytest.mark.django_db

REFUSAL = "名称中含有控制字符或文字方向标记（不可见字符），请删除后重新输入。"
INVISIBLE = ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\x07", "\x1b", "\n", "\u0085"]


@pytest.fixture
def counsel_api():
    client = APIClient()
    user = make_user(Role.COUNSEL)
    client.force_authenticate(user)
    client.user = user
    return client


def test_the_rule_refuses_every_invisible_character_and_nothing_else():
    for char in INVISIBLE:
        assert name_error(f"张三{char}fdp.exe") is not None, repr(char)
    for fine in ("张三", "O'Brien-Smith", "某某银行股份有限公司（信用卡中心）", "<script>", "=SUM(A1)", "Zoë"):
        assert name_error(fine) is None, fine


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200f", "\x07"])
def test_the_escalation_api_refuses_a_debtor_name_with_it_and_stores_nothing(counsel_api, char):
    body = escalation_body()
    body["debtor"] = {**body["debtor"], "name": f"张三{char}exe"}
    response = counsel_api.post("/api/v1/escalations/", body, format="json")
    assert response.status_code == 400, response.content
    assert REFUSAL in response.content.decode() and "debtor" in response.json()
    assert not Matter.objects.exists() and not Party.objects.exists()


def test_the_escalation_api_refuses_it_in_the_creditors_and_a_guarantors_name(counsel_api):
    body = escalation_body()
    body["creditor"] = {**body["creditor"], "name": "某某银行\u202e"}
    body["guarantors"] = [{**body["guarantors"][0], "name": "李四\u2067"}]
    response = counsel_api.post("/api/v1/escalations/", body, format="json")
    assert response.status_code == 400
    errors = response.content.decode()
    assert "creditor" in response.json() and "guarantors" in response.json() and errors.count(REFUSAL) == 2
    assert not Matter.objects.exists()


def test_the_import_rejects_such_a_row_in_chinese_and_writes_formula_like_cells_as_text(tmp_path):
    counsel = make_user(Role.COUNSEL)
    rows = [row(1, debtor_name="=HYPERLINK(\"http://x\")"), row(2, debtor_name="王五\u202e"), row(3, debtor_name="@赵六")]
    rows[2]["principal"] = "abc"  # rejected too, its name starting with @
    path = write_csv(tmp_path / "names.csv", rows)

    result = escalations_import(user=counsel, path=path)

    assert (result["created"], result["rejected"]) == (1, 2)
    assert Party.objects.get().name == '=HYPERLINK("http://x")'  # a name may start so; spreadsheets get it as text
    with open(errors_path(path), encoding="utf-8-sig", newline="") as source:
        errors = list(csv.reader(source))
    by_line = {line[0]: line for line in errors[1:]}
    assert REFUSAL in by_line["3"][1] and "debtor_name" in by_line["3"][1]
    assert "'@赵六" in by_line["4"]


def test_the_party_correction_refuses_it(counsel_api):
    matter = make_matter()
    url = f"/api/v1/matters/{matter.pk}/parties/{matter.debt.debtor_id}/"
    response = counsel_api.patch(url, {"name": "张\u2068三"}, format="json")
    assert response.status_code == 400 and REFUSAL in response.json()["name"][0]
    assert Party.objects.get(pk=matter.debt.debtor_id).name == "张三"


def test_a_court_added_through_the_api_refuses_it(counsel_api):
    body = {"kind": "court", "name": "上海市\u202e人民法院", "level": "basic", "region": "上海市"}
    response = counsel_api.post("/api/v1/forums/", body, format="json")
    assert response.status_code == 400 and REFUSAL in response.json()["name"][0]
    assert not Forum.objects.filter(name__startswith="上海市\u202e").exists()


def test_the_admin_refuses_it_in_a_firms_name(client):
    admin = make_user(Role.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(admin)
    response = client.post("/admin/legalcase/lawfirm/add/", {"name": "某律师事务所\u202e", "address": "", "phone": ""})
    assert response.status_code == 200 and REFUSAL in response.content.decode()
    assert not LawFirm.objects.exists()


def test_markup_in_a_name_is_stored_as_typed_and_escaped_on_the_pages(client, counsel_api):
    body = escalation_body()
    body["debtor"] = {**body["debtor"], "name": "<script>alert(1)</script>张三"}
    response = counsel_api.post("/api/v1/escalations/", body, format="json")
    assert response.status_code == 201, response.content
    matter = Matter.objects.get()
    assert matter.debt.debtor.name == "<script>alert(1)</script>张三"
    client.force_login(counsel_api.user)
    for url in (reverse("matter_detail", args=[matter.pk]), reverse("matter_list")):
        html = client.get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;张三" in html, url
        assert "<script>alert(1)" not in html, url


def test_the_helper_guards_text_only():
    assert [spreadsheet_text(v) for v in ("=1+2", "+1", "-x", "@a", "\tb", "\rc", "张三", "", None, -5)] == [
        "'=1+2", "'+1", "'-x", "'@a", "'\tb", "'\rc", "张三", "", None, -5
    ]  # fmt: skip


def test_the_xlsx_helper_writes_formula_like_text_as_text():
    content = xlsx_bytes(sheet="s", columns=[Column("名称"), Column("金额", "money")], rows=[["=1+2", "-5.00"]])
    cell = load_workbook(io.BytesIO(content)).active["A2"]
    assert (cell.value, cell.data_type) == ("'=1+2", "s")


def test_the_matter_export_writes_a_formula_like_debtor_name_as_text(client):
    counsel = make_user(Role.COUNSEL)
    make_matter(debtor=make_party(name="=cmd|' /C calc'!A0"))
    client.force_login(counsel)
    response = client.get(reverse("matter_export"))
    assert response.status_code == 200
    values = [cell for line in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for cell in line]
    assert "'=cmd|' /C calc'!A0" in values
    assert not any(isinstance(value, str) and value.startswith("=") for value in values)


def test_the_import_template_has_no_formula_like_cell():
    lines = list(csv.reader(io.StringIO(template_csv().decode("utf-8-sig"))))
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line)


def test_the_job_page_shows_a_rejected_row_masked_with_its_invisible_characters_made_visible(client, settings, tmp_path):
    settings.STORAGE_ROOT = tmp_path
    client.force_login(make_user(Role.COUNSEL))
    bad = row(7, debtor_name="王五\u202e")
    # The page shows a row's first six cells: the name and the numbers first.
    order = ["debtor_name", "debtor_id_number", "account_number", "debtor_phone", "debtor_birth_date"]
    order += [name for name in ENGLISH if name not in order]
    out = io.StringIO()
    csv.writer(out).writerows([order, [bad[name] for name in order]])
    job = import_through_the_page(client, "bank.csv", out.getvalue().encode("utf-8-sig"))
    assert job.result["rejected"] == 1
    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    table = html.split('class="grid import-rejected"', 1)[1].split("</table>", 1)[0]
    assert "debtor_name：王五⟨U+202E⟩" in table and "\u202e" not in table
    assert bad["debtor_id_number"] not in table and "debtor_id_number：110105********" in table
    assert bad["account_number"] not in table and bad["debtor_phone"] not in table
    assert bad["debtor_birth_date"] not in table
