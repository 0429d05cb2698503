"""The timeline on the matter page and the firm's activity page, as a lawyer sees them in Chromium."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from legalcase.models import MatterEvent, Role
from templates_docx.models import DocumentTemplate
from tests.browser.conftest import WIDTHS, horizontal_overflow
from tests.factories import make_firm, make_matter, make_party, make_user
from tests.legalcase.timeline_samples import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_timeline_reads_as_chinese_prose_on_the_matter_and_firm_activity_pages(open_page, live_server):
    firm = make_firm("衡平律师事务所")
    lawyer = make_user(Role.LAWYER, firm=firm)
    lawyer.last_name, lawyer.first_name = "钱", "律师"
    lawyer.save()
    matter = make_matter(firm=firm, debtor=make_party("张三"))
    # The installed defaults are gone after an earlier transactional test flushed the tables.
    template = DocumentTemplate.objects.order_by("code", "-version").first() or DocumentTemplate.objects.create(
        code="complaint_test", name="民事起诉状", version=1, effective_from="2020-01-01", content=b"x", sha256="0" * 64
    )
    shapes = samples(
        owner_username=lawyer.username, template_code=template.code, template_version=template.version,
        document_id=None, firm_id=firm.pk,
    )  # fmt: skip
    at = timezone.now() - dt.timedelta(days=2)
    for n, (kind, entries) in enumerate(shapes.items()):
        for m, (old, new, note) in enumerate(entries):
            MatterEvent.objects.create(
                matter=matter, actor=lawyer, kind=kind, old=old, new=new, note=note, at=at + dt.timedelta(minutes=7 * n + m)
            )

    page = open_page(lawyer, f"/matters/{matter.pk}/#matter-timeline")
    page.wait_for_load_state("networkidle")
    timeline = page.inner_text("#timeline-rows")
    assert "登记回款1,234.56元，到账日2026年6月30日" in timeline
    assert f"生成文书《{template.name}》。" in timeline
    assert horizontal_overflow(page) == 0
    page.locator("#matter-timeline").screenshot(path="/tmp/timeline-matter-1280.png")

    page = open_page(lawyer, f"/firms/{firm.pk}/")
    assert "将还款方式由「等额本息」改为「到期一次性还本付息」" in page.inner_text("#timeline-rows")
    assert horizontal_overflow(page) == 0
    page.screenshot(path="/tmp/timeline-firm-activity-1280.png", full_page=True)

    page = open_page(lawyer, f"/matters/{matter.pk}/", width=WIDTHS["phone"])
    page.wait_for_load_state("networkidle")
    assert horizontal_overflow(page) == 0
    page.locator("#matter-timeline").screenshot(path="/tmp/timeline-matter-390.png")
