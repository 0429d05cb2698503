"""The enforcement application filing claims the amounts ``enforcement_application_amounts`` computes."""

import datetime as dt
from decimal import Decimal

import pytest

from templates_docx.context import matter_context, with_filing_data
from templates_docx.filters import amount, rmb_upper
from templates_docx.models import DocumentTemplate
from templates_docx.rendering import render_docx
from templates_docx.sample import missing
from tests.factories import make_matter
from tests.legalcase.test_claims import APPLICATION, judged_matter, recover

pytestmark = pytest.mark.django_db

M = Decimal


def render(matter, today=APPLICATION):
    from tests.templates_docx.docx_samples import read_back

    template = DocumentTemplate.objects.filter(code="enforcement_application").current(on=today).get()
    matter = with_filing_data(type(matter).objects.filter(pk=matter.pk)).get()
    rendered = render_docx(bytes(template.content), matter_context(matter, today=today))
    return rendered, read_back(rendered.docx)["body"]


def test_the_context_fills_the_enforcement_amounts_and_the_instrument_from_the_ruling():
    context = matter_context(judged_matter(), today=APPLICATION)
    enforcement = context["enforcement"]
    assert (enforcement["principal"], enforcement["interest"], enforcement["costs"]) == (
        M("50000.00"),
        M("1200.00"),
        M("545.00"),
    )
    # The acceptance fee is not in the base (LEGAL_RULES B.6): 50,000.00 x 0.000175 x 30 days
    # (2026-04-08 to 2026-05-07) = 262.50
    assert enforcement["delay_interest"] == M("262.50")
    assert enforcement["delay_interest_from"] == dt.date(2026, 4, 8)
    assert enforcement["delay_interest_days"] == 30
    assert enforcement["total"] == M("52007.50")
    instrument = context["instrument"]
    assert instrument["case_number"] == "（2026）沪0115民初1234号"
    assert instrument["kind_label"] == "民事判决书"
    assert instrument["effective_on"] == dt.date(2026, 3, 28)
    assert instrument["total_awarded"] == M("51745.00")


def test_without_a_ruling_every_amount_is_a_marker():
    enforcement = matter_context(make_matter(), today=APPLICATION)["enforcement"]
    assert enforcement["principal"] == missing("判决本金")
    assert enforcement["delay_interest"] == missing("迟延履行期间的债务利息")
    assert enforcement["total"] == missing("申请执行金额合计")


def test_the_filing_prints_the_amounts_in_figures_and_words_and_marks_none_of_them():
    rendered, text = render(judged_matter())
    assert "本金50,000.00元" in text
    assert "利息1,200.00元" in text
    assert "诉讼费用545.00元" in text
    assert "自2026年4月8日起" in text and "共30日" in text
    assert f"{amount(M('262.50'))}元（{rmb_upper(M('262.50'))}）" in text
    assert f"合计{amount(M('52007.50'))}元（{rmb_upper(M('52007.50'))}）" in text
    assert "（2026）沪0115民初1234号民事判决书" in text
    for label in ("判决本金", "判决利息", "诉讼费用", "迟延履行期间的债务利息", "迟延履行起算日", "迟延履行天数",
                  "申请执行金额合计", "生效文书案号", "生效日期", "履行期限届满日"):
        assert label not in rendered.missing
        assert missing(label) not in text


def test_the_filing_claims_what_recoveries_left_unpaid():
    matter = judged_matter()
    recover(matter, dt.date(2026, 4, 17), costs="545.00", interest="1200.00", principal="255.00")
    _, text = render(matter)
    assert "本金49,745.00元" in text and "利息0.00元" in text and "诉讼费用0.00元" in text
    # 50,000.00 x 0.000175 x 10 (04-08 to 04-17) = 87.50; 49,745.00 x 0.000175 x 20 = 174.1075;
    # 261.6075 -> 261.61. 49,745.00 + 261.61 = 50,006.61.
    assert f"合计{amount(M('50006.61'))}元" in text


def test_a_missing_performance_end_is_marked_in_the_filing_not_computed():
    from tests.legalcase.test_claims import make_ruling

    matter = make_matter(stage="judgment")
    make_ruling(matter, served_on=None)
    rendered, text = render(matter)
    assert "迟延履行期间的债务利息" in rendered.missing
    assert "申请执行金额合计" in rendered.missing
    assert "本金50,000.00元" in text
