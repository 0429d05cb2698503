"""任务记录 (/jobs/): a user's own batches, imports and bulk jobs with their results; an admin sees everyone's."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from legalcase.jobs import job_create, job_run
from legalcase.models import Job, JobStatus, Role, Stage
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db


def jobs_html(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("job_list"))
    assert response.status_code == 200
    return unescape(response.content.decode())


def rows(html: str) -> list[str]:
    return re.findall(r'<tr class="job-row[^"]*">(.*?)</tr>', html, flags=re.S)


def test_a_finished_bulk_job_is_listed_in_chinese_with_its_result_and_link(client):
    counsel = make_user(Role.COUNSEL)
    movable, stuck = make_matter(), make_matter(stage=Stage.ARBITRATION)
    client.force_login(counsel)
    client.post(
        reverse("matter_bulk"),
        {"action": "move_stage", "bulk_to": "pre_litigation", "scope": "selected", "matters": [movable.pk, stuck.pk]},
    )
    job = Job.objects.get()
    job_run(job_id=job.pk)

    (row,) = rows(jobs_html(client, counsel))
    assert "批量操作" in row
    assert "共 2 个案件，失败 1 个" in row
    assert "已完成" in row
    assert "2 / 2" in row
    assert f'href="{reverse("job_detail", args=[job.pk])}">详情</a>' in row


def test_jobs_are_newest_first_and_only_the_users_own(client):
    counsel, other = make_user(Role.COUNSEL), make_user(Role.COUNSEL)
    bulk = {"action": "unassign_firm", "matter_ids": [1]}
    older = job_create(kind="matters_bulk", user=counsel, payload=bulk, total=1)
    newer = job_create(kind="escalations_import", user=counsel, payload={"name": "十二月.xlsx"}, total=0)
    theirs = job_create(kind="matters_bulk", user=other, payload=bulk, total=1)
    chunk = job_create(kind="batch_chunk", user=counsel, payload={"batch_id": 1, "item_ids": [1]}, total=1)

    html = jobs_html(client, counsel)
    listed = rows(html)
    assert len(listed) == 2
    assert "批量导入" in listed[0] and "十二月.xlsx" in listed[0]
    assert "批量操作" in listed[1]
    assert str(older.pk) in listed[1] and str(newer.pk) in listed[0]
    assert str(theirs.pk) not in html and str(chunk.pk) not in html  # another user's; a batch's part
    # Another user's job: not listed, and its page is not found.
    assert client.get(reverse("job_detail", args=[theirs.pk])).status_code == 404


def test_a_failed_job_shows_its_error_without_the_exception_class(client):
    counsel = make_user(Role.COUNSEL)
    job = job_create(kind="matters_bulk", user=counsel, payload={"action": "unassign_firm", "matter_ids": []}, total=3)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="ValidationError: 文件无法读取")
    html = jobs_html(client, counsel)
    (row,) = rows(html)
    assert "任务出错停止：文件无法读取" in row and "ValidationError" not in row
    assert "失败" in row


def test_a_batch_links_to_its_page_and_an_import_to_its_rejected_rows(client):
    counsel = make_user(Role.COUNSEL)
    job_create(kind="batch_run", user=counsel, payload={"batch_id": 7}, total=12)
    imported = job_create(kind="escalations_import", user=counsel, payload={"name": "a.csv"}, total=3)
    Job.objects.filter(pk=imported.pk).update(
        status=JobStatus.DONE, result={"created": 1, "updated": 1, "unchanged": 0, "rejected": 1}, progress_done=3
    )
    html = jobs_html(client, counsel)
    batch_row, import_row = sorted(rows(html), key=lambda row: "批量生成文书" not in row)
    assert "12 个案件" in batch_row and f'href="{reverse("batch_detail", args=[7])}">批次页面</a>' in batch_row
    assert "a.csv：新建 1，更新 1，拒收 1" in import_row
    assert f'href="{reverse("escalation_import_errors", args=[imported.pk])}">未导入的行</a>' in import_row


def test_an_admin_sees_everyones_jobs_but_opens_only_their_own(client):
    admin, lawyer = make_user(Role.ADMIN), make_user(Role.LAWYER, firm=make_firm())
    theirs = job_create(kind="matters_bulk", user=lawyer, payload={"action": "unassign_firm", "matter_ids": []})
    html = jobs_html(client, admin)
    (row,) = rows(html)
    assert lawyer.display_name in row and "发起人" in html
    assert reverse("job_detail", args=[theirs.pk]) not in row  # access_job: the starter's only


def test_a_lawyer_with_no_jobs_is_told_what_will_appear(client):
    html = jobs_html(client, make_user(Role.LAWYER, firm=make_firm()))
    assert rows(html) == []
    assert "暂无任务" in html
    assert f'<a href="{reverse("job_list")}" class="active">任务记录</a>' in html


def test_the_jobs_page_needs_a_sign_in(client):
    response = client.get(reverse("job_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
