"""The matter page's evidence section in the browser: one row per chosen file, edit in place, withdraw."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence.models import EvidenceItem
from evidence.services import evidence_upload
from legalcase.models import Role
from tests.evidence import samples
from tests.evidence.conftest import evidence_storage  # noqa: F401  (private storage in a temp dir)
from tests.factories import make_matter, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_chosen_file_gets_its_own_row_and_keeps_its_purpose(open_page, evidence_storage, tmp_path):  # noqa: F811
    counsel = make_user(Role.COUNSEL)
    matter = make_matter()
    first, second = tmp_path / "2024-01-15 借款合同.pdf", tmp_path / "还款记录.pdf"
    first.write_bytes(samples.pdf_bytes(2))
    second.write_bytes(samples.pdf_bytes(1))
    page = open_page(counsel, f"/matters/{matter.pk}/", width=1280)
    section = page.locator("form.evidence-upload")
    section.locator("input[data-evidence-files]").set_input_files([str(first), str(second)])
    rows = section.locator(".evidence-file-row")
    assert rows.count() == 2
    assert rows.nth(0).locator('input[name="title_0"]').input_value() == "借款合同"
    assert rows.nth(0).locator('input[name="document_date_0"]').input_value() == "2024-01-15"
    assert rows.nth(1).locator('input[name="title_1"]').input_value() == "还款记录"
    assert section.locator("label[data-shared-default]").first.is_hidden()
    rows.nth(0).locator('select[name="kind_0"]').select_option("contract")
    rows.nth(0).locator('input[name="purpose_0"]').fill("证明借款关系成立")
    rows.nth(1).locator('select[name="kind_1"]').select_option("repayment_record")
    rows.nth(1).locator('input[name="purpose_1"]').fill("证明被告的还款情况")
    page.locator("section:has(form.evidence-upload)").screenshot(path="/tmp/evidence-upload-rows.png")
    section.locator('button[type="submit"]').click()
    page.wait_for_selector("table.evidence tr.evidence-item >> nth=1")
    stored = list(
        EvidenceItem.objects.filter(matter=matter).order_by("position").values_list("title", "kind", "document_date", "purpose")
    )
    assert stored == [
        ("借款合同", "contract", dt.date(2024, 1, 15), "证明借款关系成立"),
        ("还款记录", "repayment_record", None, "证明被告的还款情况"),
    ]


def test_an_item_is_edited_in_place_and_withdrawn_with_its_reason(open_page, evidence_storage):  # noqa: F811
    counsel = make_user(Role.COUNSEL)
    matter = make_matter()
    for title in ("借款合同", "对账单", "还款记录"):
        evidence_upload(
            user=counsel,
            matter_id=matter.pk,
            uploaded_file=SimpleUploadedFile(f"{title}.pdf", samples.pdf_bytes(1)),
            kind="contract",
            title=title,
        )
    page = open_page(counsel, f"/matters/{matter.pk}/", width=1280)
    page.wait_for_selector("table.evidence")
    row = page.locator("table.evidence tr.evidence-tools").nth(1)
    row.locator("details.evidence-edit summary").click()
    row.locator('details.evidence-edit input[name="title"]').fill("信用卡对账单")
    row.locator('details.evidence-edit textarea[name="purpose"]').fill("证明欠款金额")
    page.locator("section:has(table.evidence)").screenshot(path="/tmp/evidence-edit-open.png")
    row.locator('details.evidence-edit button[type="submit"]').first.click()
    page.wait_for_selector("text=已保存")
    assert EvidenceItem.objects.get(title="信用卡对账单").purpose == "证明欠款金额"

    row = page.locator("table.evidence tr.evidence-tools").nth(2)
    row.locator('button[value="up"]').click()
    page.wait_for_selector("text=已移至第 2 项")
    assert list(EvidenceItem.objects.filter(matter=matter).order_by("position").values_list("title", flat=True)) == [
        "借款合同",
        "还款记录",
        "信用卡对账单",
    ]

    row = page.locator("table.evidence tr.evidence-tools").nth(0)
    row.locator("details.evidence-withdraw summary").click()
    row.locator('input[name="reason"]').fill("原件无法提供")
    row.locator("details.evidence-withdraw button[type=submit]").click()
    page.wait_for_selector("tr.withdrawn")
    withdrawn = page.locator("tr.evidence-item.withdrawn")
    assert "已撤回" in withdrawn.inner_text() and "原件无法提供" in withdrawn.inner_text()
    grey = withdrawn.locator("td").nth(2).evaluate("e => getComputedStyle(e).color")
    plain = page.locator("tr.evidence-item:not(.withdrawn) td").nth(2).evaluate("e => getComputedStyle(e).color")
    assert grey != plain
    page.locator("section:has(table.evidence)").screenshot(path="/tmp/evidence-withdrawn.png")
    page.locator("tr.evidence-tools.withdrawn").locator("text=恢复").click()
    page.wait_for_selector("text=已恢复")
    assert page.locator("tr.withdrawn").count() == 0
    assert EvidenceItem.objects.filter(withdrawn_at__isnull=False).count() == 0


def test_the_section_with_its_tools_fits_a_phone(open_page, evidence_storage):  # noqa: F811
    from tests.browser.conftest import horizontal_overflow

    counsel = make_user(Role.COUNSEL)
    matter = make_matter()
    evidence_upload(
        user=counsel,
        matter_id=matter.pk,
        uploaded_file=SimpleUploadedFile("借款合同.pdf", samples.pdf_bytes(1)),
        kind="contract",
        title="借款合同",
    )
    page = open_page(counsel, f"/matters/{matter.pk}/", width=390)
    page.wait_for_selector("table.evidence")
    page.locator("tr.evidence-tools details.evidence-edit summary").click()
    page.locator("section:has(table.evidence)").screenshot(path="/tmp/evidence-phone.png")
    assert horizontal_overflow(page) == 0
