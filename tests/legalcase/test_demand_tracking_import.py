"""Importing a courier's export of tracking events as a job (API.md, "Collection desk"): bad rows and the errors file."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from legalcase.jobs import job_run
from legalcase.models import DemandTracking, Job, JobStatus, Role
from legalcase.services.demands import demand_record
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db


def csv_file(rows, name="EMS导出.csv", encoding="utf-8-sig") -> SimpleUploadedFile:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), content_type="text/csv")


@pytest.fixture
def letters(settings, tmp_path):
    settings.STORAGE_ROOT = tmp_path
    counsel = make_user(Role.COUNSEL)
    matter = make_matter(overdue_since=dt.date(2022, 10, 8))
    common = {"user": counsel, "matter_id": matter.pk, "channel": "letter", "address": "北京市朝阳区建国路88号"}
    signed, _ = demand_record(date=dt.date(2023, 9, 28), courier="ems", waybill="EA100000001CN", address_kind="domicile", **common)
    refused, _ = demand_record(date=dt.date(2023, 4, 28), courier="sf", waybill="SF200000002", address_kind="service_address", **common)
    return {"counsel": counsel, "matter": matter, "signed": signed, "refused": refused}


def test_a_chinese_export_is_applied_as_a_job_and_bad_rows_go_to_a_spreadsheet_safe_errors_file(letters):
    client = APIClient()
    client.force_authenticate(letters["counsel"])
    rows = [
        ["运单号", "状态", "时间", "备注"],
        ["EA100000001CN", "已揽收", "2023-09-28 16:00", ""],
        ["EA100000001CN", "已签收", "2023-10-02 10:15", "本人签收"],  # Beijing time: no offset
        ["SF200000002", "拒收", "2023-05-04T11:00:00+08:00", ""],
        ["EA100000001CN", "已签收", "2023-10-02 10:15", ""],  # a repeat: unchanged
        ["=HYPERLINK(\"http://x\")", "已签收", "2023-10-02 10:15", ""],  # unknown waybill, a formula
        ["EA100000001CN", "丢失", "2023-10-03 10:15", ""],  # unknown status
        ["EA100000001CN", "运输中", "昨天下午", ""],  # unreadable time
        ["SF200000002", "运输中", "2023-04-20 09:00", ""],  # before the letter was sent
        ["", "", "", ""],  # blank: skipped
    ]
    answer = client.post("/api/v1/demands/tracking-imports/", {"file": csv_file(rows)}, format="multipart")
    assert answer.status_code == 202, answer.content
    job = Job.objects.get(pk=answer.json()["job"])
    assert (job.kind, job.progress_total) == ("demand_tracking_import", 8)

    job_run(job_id=job.pk)

    state = client.get(f"/api/v1/jobs/{job.pk}/").json()
    assert state["status"] == JobStatus.DONE, state
    result = state["result"]
    assert {k: result[k] for k in ("applied", "unchanged", "unmatched", "rejected")} == {
        "applied": 3, "unchanged": 1, "unmatched": 1, "rejected": 3,
    }  # fmt: skip
    assert result["errors_url"] == reverse("demand_tracking_errors", args=[job.pk])
    assert "imports" not in str(result)  # no answer holds a path
    assert state["progress"]["done"] == 8
    signed, refused = letters["signed"], letters["refused"]
    signed.refresh_from_db()
    refused.refresh_from_db()
    assert (signed.delivered_on, signed.delivery_rule) == (dt.date(2023, 10, 2), "demand.delivery.signed@2021")
    assert (refused.delivered_on, refused.delivery_rule) == (dt.date(2023, 5, 4), "demand.delivery.refused@2021")
    assert signed.tracking.get(status="signed").at == dt.datetime(2023, 10, 2, 2, 15, tzinfo=dt.UTC)
    assert DemandTracking.objects.count() == 3

    page = APIClient()
    page.force_login(letters["counsel"])
    download = page.get(result["errors_url"])
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    lines = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert lines[0] == ["行号", "错误原因", "运单号", "状态", "时间"]
    by_line = {row[0]: row for row in lines[1:]}
    assert set(by_line) == {"6", "7", "8", "9"}
    assert by_line["6"][2] == "'=HYPERLINK(\"http://x\")" and "运单号" in by_line["6"][1]
    assert "丢失" in by_line["7"][1]
    assert "昨天下午" in by_line["8"][1]
    assert "2023-04-28" in by_line["9"][1]
    # Only the user who started the job gets the file.
    page.force_login(make_user(Role.COUNSEL))
    assert page.get(result["errors_url"]).status_code == 404


def test_another_firms_lawyer_cannot_reach_the_letters_by_waybill(letters):
    lawyer = make_user(Role.LAWYER, firm=make_firm())
    client = APIClient()
    client.force_authenticate(lawyer)
    rows = [["waybill", "status", "time"], ["EA100000001CN", "signed", "2023-10-02T10:15:00+08:00"]]
    job = Job.objects.get(pk=client.post("/api/v1/demands/tracking-imports/", {"file": csv_file(rows)}).json()["job"])
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.result["unmatched"], job.result["applied"]) == (1, 0)
    assert not DemandTracking.objects.exists()


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("a.txt", b"waybill,status,time\n"), ".csv"),
        (csv_file([["运单号", "时间"], ["EA100000001CN", "2023-10-02 10:15"]]), "状态"),
    ],
)
def test_a_file_of_another_format_or_without_a_column_is_refused_before_any_job(letters, upload, message):
    client = APIClient()
    client.force_authenticate(letters["counsel"])
    answer = client.post("/api/v1/demands/tracking-imports/", {"file": upload}, format="multipart")
    assert answer.status_code == 400 and message in answer.json()["file"][0]
    assert not Job.objects.exists()


def test_the_upload_page_starts_the_job_and_shows_its_progress(client, letters):
    client.force_login(letters["counsel"])
    page = client.get(reverse("tracking_import"))
    assert page.status_code == 200 and "运单号" in page.content.decode()
    rows = [["waybill", "status", "time"], ["EA100000001CN", "signed", "2023-10-02 10:15"]]
    answer = client.post(reverse("tracking_import"), {"file": csv_file(rows)})
    job = Job.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("job_detail", args=[job.pk])
    job_run(job_id=job.pk)
    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "progressbar" in html and "快递状态导入" in html


def test_an_xlsx_export_with_time_cells_is_read_as_beijing_time(letters):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["快递单号", "物流状态", "操作时间"])
    sheet.append(["SF200000002", "退回", dt.datetime(2023, 5, 10, 9, 30)])
    content = io.BytesIO()
    book.save(content)
    client = APIClient()
    client.force_authenticate(letters["counsel"])
    upload = SimpleUploadedFile("顺丰.xlsx", content.getvalue())
    job = Job.objects.get(pk=client.post("/api/v1/demands/tracking-imports/", {"file": upload}).json()["job"])
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.result["applied"], job.result["errors_url"]) == (1, None)
    event = DemandTracking.objects.get(demand=letters["refused"])
    assert event.at == dt.datetime(2023, 5, 10, 1, 30, tzinfo=dt.UTC) and event.source == "import"
    letters["refused"].refresh_from_db()
    # Returned from the agreed service address: delivered on the return day.
    assert letters["refused"].delivered_on == dt.date(2023, 5, 10)
