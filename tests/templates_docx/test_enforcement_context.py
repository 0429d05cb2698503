"""The enforcement filings (renewal, resumption, property clues) read the recorded enforcement case."""

import datetime as dt
from decimal import Decimal

import pytest

from legalcase.models import Forum, Role
from legalcase.services import enforcement_action_record, proceeding_record
from templates_docx.context import matter_context, with_filing_data
from templates_docx.models import DocumentTemplate
from templates_docx.rendering import render_docx
from templates_docx.sample import missing
from tests.factories import make_firm, make_matter, make_party, make_user

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 20)
ACCOUNT = "6225880212345678901"


@pytest.fixture
def enforced():
    firm = make_firm()
    matter = make_matter(firm=firm, debtor=make_party("张伟"))
    lawyer = make_user(Role.LAWYER, firm=firm)
    court = Forum.objects.get(name="上海市浦东新区人民法院")  # installed by the migration
    proceeding_record(
        user=lawyer, matter_id=matter.pk, kind="enforcement", forum_id=court.pk,
        case_number="(2026)沪0115执1234号", filed_on=D(2026, 1, 5), accepted_on=D(2026, 1, 8),
    )  # fmt: skip
    enforcement_action_record(
        user=lawyer, matter_id=matter.pk, kind="freeze_deposit", court=court.name,
        case_number="（2026）沪0115执1234号", started_on=D(2026, 1, 20), amount=Decimal("56719.65"),
        new_asset={"kind": "bank_account", "description": "招商银行 尾号8901", "identifier": ACCOUNT},
    )  # fmt: skip
    enforcement_action_record(
        user=lawyer, matter_id=matter.pk, kind="termination_current", court=court.name,
        case_number="（2026）沪0115执1234号之一", started_on=D(2026, 6, 30),
    )  # fmt: skip
    return with_filing_data(type(matter).objects.filter(pk=matter.pk)).get()


def test_the_context_carries_the_enforcement_case_its_termination_freezes_and_assets(enforced):
    context = matter_context(enforced, today=TODAY)
    enforcement = context["enforcement"]
    assert (enforcement["court"], enforcement["case_number"]) == ("上海市浦东新区人民法院", "（2026）沪0115执1234号")
    assert enforcement["filed_on"] == D(2026, 1, 5)
    assert (enforcement["terminated_on"], enforcement["termination_ruling_number"]) == (
        D(2026, 6, 30),
        "（2026）沪0115执1234号之一",
    )
    [freeze] = context["freezes"]
    assert freeze["kind_label"] == "银行存款" and freeze["renewal_period_label"] == "一年"
    assert (freeze["started_on"], freeze["expires_on"]) == (D(2026, 1, 20), D(2027, 1, 19))
    assert ACCOUNT in freeze["asset"] and freeze["asset"].startswith("被执行人张伟名下")
    [asset] = context["assets"]
    assert ACCOUNT in asset["description"]  # court filings carry the full number


def test_without_enforcement_the_filings_mark_what_is_missing():
    context = matter_context(make_matter(), today=TODAY)
    assert context["enforcement"]["court"] == missing("执行法院")
    assert context["enforcement"]["terminated_on"] == ""
    assert context["freezes"] == [] and context["assets"] == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [("resumption_application", "（2026）沪0115执1234号之一"), ("renewal_application", ACCOUNT)],
)
def test_the_renewal_and_resumption_applications_print_them(enforced, code, expected):
    from tests.templates_docx.docx_samples import read_back

    template = DocumentTemplate.objects.filter(code=code).current(on=TODAY).get()
    rendered = render_docx(bytes(template.content), matter_context(enforced, today=TODAY))
    assert expected in read_back(rendered.docx)["body"]
    assert "执行案号" not in rendered.missing and "执行法院" not in rendered.missing
