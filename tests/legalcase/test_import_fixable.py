"""Imports people can fix (issue 22, item 5): a template to download, an errors file that
carries each rejected row as it was, spreadsheet-safe, and the reasons on the job page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from legalcase.importing import COLUMNS, escalations_import, errors_path
from legalcase.jobs import job_run
from legalcase.models import Debt, Job, JobStatus, Matter, Role
from tests.factories import make_user
from tests.legalcase.test_import import ENGLISH, csv_bytes, row

pytestmark = pytest.mark.django_db

TEMPLATE_HEADER = [headers[0] for headers, _required in COLUMNS.values()]


@pytest.fixture
def counsel(client, tmp_storage):
    user = make_user(Role.COUNSEL)
    client.force_login(user)
    return client


def import_through_the_page(client, name: str, content: bytes) -> Job:
    response = client.post(reverse("escalation_import"), {"file": SimpleUploadedFile(name, content)})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    return job


def errors_download(client, job) -> list[list[str]]:
    response = client.get(reverse("escalation_import_errors", args=[job.pk]))
    assert response.status_code == 200
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel reads the Chinese
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_xlsx_template_round_trip_two_good_rows_and_one_bad(counsel):
    page = counsel.get(reverse("escalation_import")).content.decode()
    assert reverse("escalation_import_template", args=["xlsx"]) in page
    assert reverse("escalation_import_template", args=["csv"]) in page
    response = counsel.get(reverse("escalation_import_template", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet, notes = workbook["案件"], workbook["填写说明"]
    assert [cell.value for cell in sheet[1]] == TEMPLATE_HEADER
    # The notes sheet: every column, required or not, the accepted values and an example.
    table = {values[0]: values[1:] for values in notes.iter_rows(min_row=2, values_only=True) if values[0] in TEMPLATE_HEADER}
    assert table["产品类型"][:2] == ("必填", "信用卡、贷款（或 credit_card、loan）")
    assert table["催收方式"][0] == "选填" and "短信" in table["催收方式"][1]
    assert "2025年6月30日" in table["逾期日期"][1] and "12,000.00" in table["本金"][1]
    # The example row sits in the data sheet as a comment row, which is not imported.
    example = [cell.value for cell in sheet[4]]
    assert example[0].startswith("# 示例") and example[TEMPLATE_HEADER.index("产品类型")] == "信用卡"

    good = [row(1), row(2)]
    bad = row(3, product="房贷", debtor_address="=HYPERLINK(\"http://evil.example\",\"点我\")")
    for offset, values in enumerate([good[0], bad, good[1]]):
        for column, name in enumerate(ENGLISH, start=1):
            cell = sheet.cell(row=5 + offset, column=column, value=values[name] or None)
            cell.data_type = "s" if values[name] else cell.data_type  # typed text, not a formula
    filled = io.BytesIO()
    workbook.save(filled)

    job = import_through_the_page(counsel, "填好的模板.xlsx", filled.getvalue())

    assert (job.result["created"], job.result["rejected"], job.progress_total) == (2, 1, 3)
    assert set(Debt.objects.values_list("account_number", flat=True)) == {good[0]["account_number"], good[1]["account_number"]}
    errors = errors_download(counsel, job)
    assert errors[0] == ["行号", "错误原因", *TEMPLATE_HEADER]
    assert len(errors) == 2
    line, reasons, *cells = errors[1]
    assert line == "6"
    assert reasons == "产品类型: 不是允许的取值。"  # the file's header, the serializer's Chinese
    expected = [bad.get(name, "") for name in COLUMNS]  # the template's columns: last_demand_outlet too
    expected[list(COLUMNS).index("debtor_address")] = "'" + bad["debtor_address"]  # text, never a formula
    assert cells == expected


def test_the_csv_template_imports_as_it_is_and_filled_below_the_notes(counsel, tmp_path):
    response = counsel.get(reverse("escalation_import_template", args=["csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[0] == TEMPLATE_HEADER
    assert all(values[0].startswith("#") for values in lines[1:]) and len(lines) == 4
    assert "信用卡、贷款" in lines[2][TEMPLATE_HEADER.index("产品类型")]
    user = make_user(Role.COUNSEL)
    empty = tmp_path / "template.csv"
    empty.write_bytes(raw)
    assert escalations_import(user=user, path=empty)["created"] == 0
    filled = tmp_path / "filled.csv"
    with open(filled, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerows(lines)
        writer.writerows([[values[name] for name in ENGLISH] for values in (row(1), row(2))])
    result = escalations_import(user=user, path=filled)
    assert (result["created"], result["rejected"]) == (2, 0)
    assert Matter.objects.count() == 2


@pytest.mark.parametrize("text", ["=1+2", "+86 138", "-3", "@SUM(A1)"])
def test_formula_like_cells_and_headers_are_written_as_text(tmp_path, text):
    user = make_user(Role.COUNSEL)
    path = tmp_path / "bank.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([*ENGLISH, text])  # an unknown column is kept in the errors file too
        writer.writerow([*(row(1, debtor_name=text, product="房贷")[name] for name in ENGLISH), text])
    result = escalations_import(user=user, path=path)
    assert result["rejected"] == 1 and not Matter.objects.exists()
    with open(errors_path(path), encoding="utf-8-sig", newline="") as source:
        header, rejected = list(csv.reader(source))
    assert header[-1] == "'" + text
    assert rejected[2 + ENGLISH.index("debtor_name")] == "'" + text and rejected[-1] == "'" + text
    assert not any(cell[:1] in "=+-@" for cell in header + rejected if cell)


def test_the_job_page_shows_the_first_fifty_rejected_rows_with_their_reasons(counsel):
    rows = [row(n, product="房贷") for n in range(52)] + [row(100)]
    job = import_through_the_page(counsel, "bank.csv", csv_bytes(rows))
    assert (job.result["created"], job.result["rejected"]) == (1, 52)
    html = counsel.get(reverse("job_detail", args=[job.pk])).content.decode()
    table = html.split('class="grid import-rejected"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 51  # the header and fifty rows
    assert "<td class=\"nowrap\">2</td>" in table and "<td class=\"nowrap\">51</td>" in table
    assert "<td class=\"nowrap\">52</td>" not in table
    assert table.count("product: 不是允许的取值。") == 50 and table.count("product：房贷") == 50
    assert "共 52 行未导入，此处显示前 50 行；下载错误文件可查看全部。" in html
    assert reverse("escalation_import_errors", args=[job.pk]) in html


def test_a_job_without_rejected_rows_shows_no_table(counsel):
    job = import_through_the_page(counsel, "bank.csv", csv_bytes([row(1)]))
    html = counsel.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "import-rejected" not in html and reverse("escalation_import_errors", args=[job.pk]) not in html


def test_the_template_refuses_unknown_formats_and_roles_that_may_not_import(client, counsel):
    assert counsel.get(reverse("escalation_import_template", args=["pdf"])).status_code == 404
    client.force_login(make_user(Role.MANAGER))
    assert client.get(reverse("escalation_import_template", args=["xlsx"])).status_code == 403
