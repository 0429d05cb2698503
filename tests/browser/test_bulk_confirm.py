"""A bulk confirmation names the action and the count (Chromium, fasu.js), and cancelling sends nothing."""

import pytest

from legalcase.jobs import job_run
from legalcase.models import Job, Role, Stage
from tests.factories import make_firm, make_matter, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bulk_question_names_the_stage_and_the_ticked_count(open_page):
    counsel = make_user(Role.COUNSEL)
    matters = [make_matter() for _ in range(3)]
    firm = make_firm("北京衡信律师事务所")
    page = open_page(counsel, "/?stage=intake")
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    for matter in matters[:2]:
        page.check(f'input[name="matters"][value="{matter.pk}"]')
    page.select_option('select[name="action"]', "move_stage")
    page.select_option('select[name="bulk_to"]', "pre_litigation")
    page.screenshot(path="/tmp/lists-bulk-1280.png", full_page=True)
    page.click(".bulkbar button[type=submit]")
    assert asked == ["确定将选中的 2 个案件转入「诉前」阶段吗？"]
    assert not Job.objects.exists()  # cancelled: nothing sent

    page.check('input[name="scope"][value="all"]')
    page.select_option('select[name="action"]', "assign_firm")
    page.select_option('select[name="bulk_firm"]', str(firm.pk))
    with page.expect_navigation():
        page.click(".bulkbar button[type=submit]")
    assert asked[1] == "确定将筛选出的全部 3 个案件委托给「北京衡信律师事务所」吗？"
    job = Job.objects.get()
    assert job.payload["action"] == "assign_firm" and sorted(job.payload["matter_ids"]) == sorted(m.pk for m in matters)
    assert all(m.stage == Stage.INTAKE for m in matters)

    job_run(job_id=job.pk)
    page = open_page(counsel, "/jobs/")
    row = page.locator("tr.job-row").first
    assert "委托给" in row.inner_text() or "批量操作" in row.inner_text()
    assert "共 3 个案件，失败 0 个" in row.inner_text()
    page.screenshot(path="/tmp/lists-jobs-1280.png", full_page=True)


def test_the_sorted_list_marks_its_column_and_an_empty_jobs_page_says_so(open_page):
    counsel = make_user(Role.COUNSEL)
    for _ in range(4):
        make_matter()
    page = open_page(counsel, "/?ordering=-claim_total")
    assert page.locator('th[aria-sort="descending"]').inner_text().startswith("诉请金额")
    page.screenshot(path="/tmp/lists-list-sorted-1280.png", full_page=True)
    phone = open_page(counsel, "/?ordering=-claim_total", width=390)
    assert phone.get_by_text("导出 Excel").is_visible()
    phone.screenshot(path="/tmp/lists-list-sorted-390.png", full_page=True)
    page = open_page(counsel, "/jobs/")
    assert page.locator("h1").inner_text() == "任务记录"
    assert "暂无任务" in page.inner_text("body")
