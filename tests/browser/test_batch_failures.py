"""A batch with a failed matter and a missing bundle, in the browser (issue 22, item 4)."""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from legalcase.importing import escalations_import_start
from legalcase.jobs import job_run
from legalcase.models import Job, Role
from templates_docx.batches import batch_request
from templates_docx.services import templates_install_defaults
from tests.evidence.conftest import evidence_storage  # noqa: F401  (private storage in a temp dir)
from tests.factories import make_matter, make_user
from tests.legalcase.test_import import csv_bytes, row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_failed_matter_shows_red_on_the_bar_with_its_reason_in_chinese(open_page, evidence_storage):  # noqa: F811
    # A transactional test run before this one in the worker may have flushed the templates
    # the migrations install: install them again (a no-op when present).
    templates_install_defaults()
    counsel = make_user(Role.COUNSEL)
    card, loan, bare = make_matter(), make_matter(product="loan"), make_matter()
    batch = batch_request(
        user=counsel, matter_ids=[card.pk, loan.pk, bare.pk], template_code="complaint_credit_card", bundle=True
    )
    while job := Job.objects.filter(status="pending").order_by("created_at").first():
        job_run(job_id=job.pk)

    page = open_page(counsel, f"/batches/{batch.pk}/", width=1280)
    page.wait_for_selector(".progress .part-failed")
    bar = page.locator(".progress").bounding_box()
    failed = page.locator(".progress .part-failed").bounding_box()
    done = page.locator(".progress .part-done").bounding_box()
    # One matter in three failed: a third of the bar, in red, after the two thirds done.
    assert abs(failed["width"] - bar["width"] / 3) < 2
    assert abs(done["width"] - 2 * bar["width"] / 3) < 2 and failed["x"] >= done["x"] + done["width"] - 1
    red = page.locator(".progress .part-failed").evaluate("e => getComputedStyle(e).backgroundColor")
    green = page.locator(".progress .part-done").evaluate("e => getComputedStyle(e).backgroundColor")
    r, g, b = (int(part) for part in red[red.index("(") + 1 : -1].split(",")[:3])
    assert r > 150 and g < 100 and b < 100, red
    assert green != red
    failed_table = page.locator("table.batch-failed").inner_text()
    assert loan.number in failed_table and "仅适用于信用卡案件" in failed_table
    bundles = page.locator("table.batch-bundle-errors").inner_text()
    assert bare.number in bundles and card.number in bundles and "证据材料无法生成" in bundles
    body = page.inner_text("body")
    assert page.get_by_role("link", name="下载 ZIP 压缩包").count() == 1
    for english in ("Failed", "Reason", "bundle", "error"):
        assert english not in body.replace("bundle_errors.csv", "").replace("manifest.csv", "")
    page.screenshot(path="/tmp/batchimport-batch.png", full_page=True)


def test_the_import_page_offers_the_template_and_the_job_page_lists_the_rejected_rows(open_page, settings, tmp_path):
    settings.STORAGE_ROOT = tmp_path
    counsel = make_user(Role.COUNSEL)
    page = open_page(counsel, "/imports/escalations/", width=1280)
    links = page.locator("p.import-template a")
    assert links.all_inner_texts() == ["下载导入模板（XLSX）", "下载导入模板（CSV）"]
    assert "信用卡、贷款" in page.locator("table.grid").inner_text()
    page.screenshot(path="/tmp/batchimport-import.png", full_page=True)

    upload = SimpleUploadedFile("银行导出.csv", csv_bytes([row(1), row(2, product="房贷"), row(3, debtor_name="")]))
    job = escalations_import_start(user=counsel, upload=upload)
    job_run(job_id=job.pk)
    assert job.payload["file"].startswith("imports/") and not job.payload["file"].startswith("/")  # a storage name
    page = open_page(counsel, f"/jobs/{job.pk}/", width=1280)
    table = page.locator("table.import-rejected").inner_text()
    assert "不是允许的取值" in table and "product：房贷" in table
    assert [line.split("\t")[0] for line in table.splitlines()[1:]] == ["3", "4"]
    page.screenshot(path="/tmp/batchimport-import-job.png", full_page=True)
