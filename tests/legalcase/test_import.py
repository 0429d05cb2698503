"""Bulk import of escalations (API.md, "Operations" and "Import file columns")."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from legalcase.identity import build_resident_id, build_uscc
from legalcase.importing import count_rows, errors_path, escalations_import
from legalcase.models import DemandRecord, Debt, Matter, MatterEvent, Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

USCC = "91310000MA1FL0099U"
ENGLISH = [
    "creditor_name", "creditor_uscc", "product", "account_number", "contract_number", "contract_date",
    "debtor_name", "debtor_id_number", "debtor_gender", "debtor_birth_date", "debtor_phone", "debtor_address",
    "principal", "interest", "penalty_interest", "compound_interest", "late_fees", "fees", "amounts_as_of",
    "overdue_since", "matured_on", "last_payment_date", "last_demand_date", "last_demand_channel",
    "last_demand_delivered", "portfolio",
]  # fmt: skip
CHINESE = [
    "债权人名称", "统一社会信用代码", "产品类型", "卡号", "合同编号", "合同日期", "姓名", "身份证号", "性别",
    "出生日期", "手机号", "住址", "透支本金", "利息", "罚息", "复利", "滞纳金", "手续费", "欠款截止日", "逾期日期",
    "到期日", "最后还款日", "最后催收日", "催收方式", "是否送达", "资产包",
]  # fmt: skip


def row(n: int, **overrides) -> dict:
    """One good row, in English column names and English values."""
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=n * 7 % 12000)
    sequence = 100 + n % 800
    values = {
        "creditor_name": "某某银行股份有限公司信用卡中心",
        "creditor_uscc": USCC,
        "product": "credit_card",
        "account_number": f"62258800{n:08d}",
        "contract_number": f"XYK-2021-{n:06d}",
        "contract_date": "2021-03-15",
        "debtor_name": f"测试{n}",
        "debtor_id_number": build_resident_id(area_code="110105", birth_date=birth, sequence=sequence),
        "debtor_gender": "male" if sequence % 2 else "female",
        "debtor_birth_date": birth.isoformat(),
        "debtor_phone": f"138{n:08d}",
        "debtor_address": "北京市朝阳区建国路88号",
        "principal": "48,230.55",
        "interest": "3120.40",
        "penalty_interest": "812.00",
        "compound_interest": "95.10",
        "late_fees": "300",
        "fees": "0",
        "amounts_as_of": "2025-06-30",
        "overdue_since": "2024/11/5",
        "matured_on": "",
        "last_payment_date": "2024年10月28日",
        "last_demand_date": "2025-01-15",
        "last_demand_channel": "sms",
        "last_demand_delivered": "true",
        "portfolio": "",
    }
    return {**values, **overrides}


def write_csv(path: Path, rows: list[dict], *, header: list[str] = ENGLISH, encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for values in rows:
            writer.writerow([values[name] for name in ENGLISH])
    return path


def read_errors(path: Path) -> list[list[str]]:
    raw = errors_path(path).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def run_command(path: Path, user) -> str:
    out = io.StringIO()
    call_command("import_escalations", str(path), user=user.username, stdout=out)
    return out.getvalue()


def test_a_gbk_file_with_chinese_headers_and_chinese_values_is_imported(tmp_path):
    counsel = make_user(Role.COUNSEL)
    chinese = {"product": "信用卡", "debtor_gender": None, "last_demand_channel": "短信", "last_demand_delivered": "是"}
    good = row(1, **{k: v for k, v in chinese.items() if v}, debtor_gender="男" if row(1)["debtor_gender"] == "male" else "女")
    path = write_csv(tmp_path / "bank.csv", [good], header=CHINESE, encoding="gbk")
    assert (tmp_path / "bank.csv").read_bytes().decode("gbk")  # really GBK, not UTF-8
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")

    output = run_command(path, counsel)

    assert "created: 1" in output and "rejected: 0" in output and str(errors_path(path)) in output
    debt = Debt.objects.get(account_number=good["account_number"])
    assert debt.product == "credit_card"
    assert debt.principal == Decimal("48230.55")
    assert debt.overdue_since == dt.date(2024, 11, 5)
    assert debt.last_payment_date == dt.date(2024, 10, 28)
    assert debt.debtor.name == "测试1"
    demand = DemandRecord.objects.get(debt=debt)
    assert (demand.channel, demand.delivered, demand.date) == ("sms", True, dt.date(2025, 1, 15))
    assert read_errors(path) == [["行号", "错误原因", *CHINESE]]


def test_a_utf8_bom_file_with_english_headers_is_imported(tmp_path):
    counsel = make_user(Role.COUNSEL)
    path = write_csv(tmp_path / "bank.csv", [row(1), row(2, product="loan", portfolio="2025年第一批")])
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    result = escalations_import(user=counsel, path=path)

    assert (result["created"], result["rejected"]) == (2, 0)
    loan = Debt.objects.get(account_number=row(2)["account_number"])
    assert loan.product == "loan" and loan.portfolio.name == "2025年第一批"
    assert Matter.objects.count() == 2


def test_an_xlsx_with_date_and_numeric_cells_is_imported(tmp_path):
    counsel = make_user(Role.COUNSEL)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(CHINESE)
    values = row(1)
    values.update(
        {
            "product": "贷款",
            "debtor_gender": "男" if values["debtor_gender"] == "male" else "女",
            "principal": 48230.55,
            "interest": 3120.4,
            "late_fees": 300,
            "debtor_phone": 13800000001,
            "amounts_as_of": dt.datetime(2025, 6, 30),
            "overdue_since": dt.date(2024, 11, 5),
            "debtor_birth_date": dt.datetime.fromisoformat(values["debtor_birth_date"]),
            "last_demand_channel": "上门",
            "last_demand_delivered": "否",
        }
    )
    sheet.append([values[name] for name in ENGLISH])
    path = tmp_path / "bank.xlsx"
    workbook.save(path)

    result = escalations_import(user=counsel, path=path)

    assert result["created"] == 1, read_errors(path)
    debt = Debt.objects.get(account_number=values["account_number"])
    assert debt.product == "loan"
    assert (debt.principal, debt.interest, debt.late_fees) == (Decimal("48230.55"), Decimal("3120.40"), Decimal("300"))
    assert debt.amounts_as_of == dt.date(2025, 6, 30) and debt.overdue_since == dt.date(2024, 11, 5)
    assert debt.debtor.phone == "13800000001"
    demand = DemandRecord.objects.get(debt=debt)
    assert (demand.channel, demand.delivered) == ("visit", False)


def _bad_rows(good: dict[int, dict]) -> dict[int, dict]:
    """Ten bad rows, keyed by the index they take in the file."""
    bad_id = row(1901)["debtor_id_number"]
    bad_id = bad_id[:17] + ("0" if bad_id[17] != "0" else "1")
    flipped = {"male": "female", "female": "male"}
    bad_uscc = build_uscc("91310000MA1FL0099")[:17] + ("0" if build_uscc("91310000MA1FL0099")[17] != "0" else "1")
    return {
        101: row(1901, debtor_id_number=bad_id),
        202: row(1902, debtor_gender=flipped[row(1902)["debtor_gender"]]),
        303: row(1903, principal="-100.00"),
        404: row(1904, product="mortgage"),
        505: row(1905, debtor_name=""),
        606: row(1906, overdue_since="2025-02-30"),
        707: row(1907, account_number=good[7]["account_number"]),  # the same account as an earlier row
        808: row(1908, creditor_uscc=bad_uscc),
        909: row(1909, last_demand_channel="fax"),
        990: row(1910, amounts_as_of=""),
    }


def test_a_thousand_rows_with_ten_bad_ones_land_the_990_good_and_name_the_10(tmp_path):
    counsel = make_user(Role.COUNSEL)
    good = {i: row(i) for i in range(1000)}
    bad = _bad_rows(good)
    rows = [bad.get(i, good[i]) for i in range(1000)]
    path = write_csv(tmp_path / "big.csv", rows)
    assert count_rows(path) == 1000

    output = run_command(path, counsel)

    assert "created: 990" in output and "rejected: 10" in output and "unchanged: 0" in output
    assert Matter.objects.count() == 990
    errors = read_errors(path)
    assert errors[0] == ["行号", "错误原因", *ENGLISH]
    # Header = line 1, so the row at index i is line i + 2.
    assert [int(line) for line, _reasons, *_cells in errors[1:]] == sorted(i + 2 for i in bad)
    reasons = {int(line): text for line, text, *_cells in errors[1:]}
    # Each rejected row follows its reasons as it was in the file.
    assert {int(line): cells for line, _text, *cells in errors[1:]} == {
        i + 2: [bad[i][name] for name in ENGLISH] for i in bad if i != 303
    } | {305: [("'-100.00" if name == "principal" else bad[303][name]) for name in ENGLISH]}  # formula-safe
    assert "debtor_gender" in reasons[204]
    assert "principal" in reasons[305]
    assert "product" in reasons[406]
    assert "debtor_name" in reasons[507]
    assert "overdue_since" in reasons[608] and "2025-02-30" in reasons[608]
    assert "creditor_uscc" in reasons[810]
    assert "last_demand_channel" in reasons[911]
    assert "amounts_as_of" in reasons[992]
    for text in reasons.values():  # no identity number is ever echoed
        assert not any(values["debtor_id_number"] in text for values in rows)
    assert not Debt.objects.filter(account_number__in=[bad[i]["account_number"] for i in bad if i != 707]).exists()
    duplicate = Debt.objects.get(account_number=good[7]["account_number"])
    assert duplicate.debtor.name == good[7]["debtor_name"]  # the first row won

    events = MatterEvent.objects.count()
    again = run_command(path, counsel)

    assert "created: 0" in again and "updated: 0" in again and "unchanged: 990" in again and "rejected: 10" in again
    assert MatterEvent.objects.count() == events
    assert Matter.objects.count() == 990


def test_a_changed_amount_counts_as_updated(tmp_path):
    counsel = make_user(Role.COUNSEL)
    path = write_csv(tmp_path / "a.csv", [row(1), row(2)])
    escalations_import(user=counsel, path=path)
    write_csv(path, [row(1, principal="50000.00"), row(2)])

    result = escalations_import(user=counsel, path=path)

    assert (result["created"], result["updated"], result["unchanged"], result["rejected"]) == (0, 1, 1, 0)
    assert Debt.objects.get(account_number=row(1)["account_number"]).principal == Decimal("50000.00")


def test_a_missing_required_column_refuses_the_whole_file(tmp_path):
    counsel = make_user(Role.COUNSEL)
    header = [name for name in ENGLISH if name not in ("principal", "overdue_since")]
    path = tmp_path / "short.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerow([row(1)[name] for name in header])

    with pytest.raises(CommandError, match="principal.*overdue_since"):
        run_command(path, counsel)

    assert not Matter.objects.exists() and not Debt.objects.exists()


def test_a_missing_file_or_an_unknown_format_is_a_command_error(tmp_path):
    counsel = make_user(Role.COUNSEL)
    with pytest.raises(CommandError):
        run_command(tmp_path / "nope.csv", counsel)
    (tmp_path / "bank.txt").write_text("x")
    with pytest.raises(CommandError):
        run_command(tmp_path / "bank.txt", counsel)


def test_the_command_acts_as_counsel_or_admin_only(tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1)])
    with pytest.raises(CommandError):
        run_command(path, make_user(Role.LAWYER))
    with pytest.raises(CommandError):  # no --user and no administrator
        call_command("import_escalations", str(path), stdout=io.StringIO())
    make_user(Role.ADMIN)
    out = io.StringIO()
    call_command("import_escalations", str(path), stdout=out)
    assert "created: 1" in out.getvalue()


# --- The upload page ------------------------------------------------------------------


def upload(client, user, name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(user)
    return client.post(reverse("escalation_import"), {"file": SimpleUploadedFile(name, content)})


def csv_bytes(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ENGLISH)
    for values in rows:
        writer.writerow([values[name] for name in ENGLISH])
    return out.getvalue().encode("utf-8-sig")


def test_counsel_uploads_a_file_and_the_job_imports_it_with_a_downloadable_errors_file(client, tmp_storage):
    from django.urls import reverse

    from legalcase.jobs import job_run
    from legalcase.models import Job, JobStatus

    counsel = make_user(Role.COUNSEL)
    client.force_login(counsel)
    page = client.get(reverse("escalation_import"))
    assert page.status_code == 200 and "批量导入" in page.content.decode()

    response = upload(client, counsel, "银行导出.csv", csv_bytes([row(1), row(2), row(3, product="mortgage")]))

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.kind == "escalations_import" and job.created_by == counsel
    # Stored by its storage name under imports/, never the client's name or a path of this host.
    stored = job.payload["file"]
    assert stored.startswith("imports/") and "银行导出" not in stored and "path" not in job.payload
    assert (tmp_storage / stored).is_file()

    job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert (job.result["created"], job.result["rejected"], job.progress_total) == (2, 1, 3)
    assert job.result["errors_file"] == f"{stored}.errors.csv" and "/" not in job.result["errors_file"][:1]
    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert reverse("escalation_import_errors", args=[job.pk]) in html
    download = client.get(reverse("escalation_import_errors", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    lines = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "行号,错误原因," + ",".join(ENGLISH) and lines[1].startswith("4,product")

    other = make_user(Role.COUNSEL)
    client.force_login(other)
    assert client.get(reverse("escalation_import_errors", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("role", [Role.LAWYER, Role.MANAGER])
def test_lawyers_and_managers_may_not_import(client, role):
    from django.urls import reverse

    from legalcase.models import Job

    user = make_user(role)
    client.force_login(user)
    assert client.get(reverse("escalation_import")).status_code == 403
    assert upload(client, user, "a.csv", csv_bytes([row(1)])).status_code == 403
    assert not Job.objects.exists()
    assert reverse("escalation_import") not in client.get(reverse("matter_list")).content.decode()


def test_the_upload_refuses_an_unknown_format_and_a_file_without_the_required_columns(client, tmp_storage):
    from legalcase.models import Job

    counsel = make_user(Role.COUNSEL)

    assert upload(client, counsel, "a.txt", b"hello").status_code == 200
    response = upload(client, counsel, "a.csv", "债权人名称,产品类型\n某银行,信用卡\n".encode())

    assert response.status_code == 200 and "统一社会信用代码" in response.content.decode()
    assert not Job.objects.exists()
    assert not list(tmp_storage.rglob("*.*"))


def test_a_row_naming_another_debtor_for_a_stored_account_is_rejected_without_echoing_numbers(tmp_path):
    counsel = make_user(Role.COUNSEL)
    path = write_csv(tmp_path / "a.csv", [row(1)])
    escalations_import(user=counsel, path=path)
    other = row(2, account_number=row(1)["account_number"])
    write_csv(path, [other])

    result = escalations_import(user=counsel, path=path)

    assert (result["rejected"], result["updated"]) == (1, 0)
    (line, reasons, *cells) = read_errors(path)[1]
    assert cells == [other[name] for name in ENGLISH]
    assert line == "2" and Matter.objects.get().number in reasons
    assert other["debtor_id_number"] not in reasons and other["account_number"] not in reasons
    assert Debt.objects.get().debtor.id_number == row(1)["debtor_id_number"]
