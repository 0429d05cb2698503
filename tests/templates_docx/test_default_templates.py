"""The shipped templates, rendered from demo matters and read back as a clerk would read them.

For every template and every demo matter: the debtor's name, the identity number (the
letter shows it masked), the claim in figures and in 大写, the forum, the date, and no
Jinja tag left anywhere (body, tables, headers, footers, title).
"""

import copy
import datetime as dt

import pytest

from legalcase.demo import seed_demo
from legalcase.models import Matter
from templates_docx.context import matter_context
from templates_docx.defaults import DEFAULT_TEMPLATES, ENFORCEMENT_CODES
from templates_docx.filters import amount, cn_date, rmb_upper
from templates_docx.models import DocumentTemplate
from templates_docx.rendering import analyse_template, render_docx
from templates_docx.sample import SAMPLE_CONTEXT
from tests.shared_rows import shared_rows
from tests.templates_docx.docx_samples import read_back

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)
CODES = [default["code"] for default in DEFAULT_TEMPLATES]
# What each filing must carry besides the debtor's name and the date.
CLAIM_IN_FIGURES_AND_WORDS = {
    "complaint_credit_card",
    "complaint_loan",
    "arbitration_application",
    "preservation_application",
    "demand_letter",
    "renewal_application",
    "resumption_application",
    "consumption_restriction_application",
    "dishonest_listing_application",
    "payment_order_application",
}
NAMES_THE_FORUM = {
    "complaint_credit_card",
    "complaint_loan",
    "arbitration_application",
    "preservation_application",
    "payment_order_application",
}
# Court filings identify the debtor in full; the letter and the agent's papers do not need to.
FULL_IDENTITY = CLAIM_IN_FIGURES_AND_WORDS - {"demand_letter"} | {"enforcement_application", "change_of_applicant"}


def test_the_codes_api_md_and_the_batch_issue_require_are_shipped():
    assert set(CODES) >= {
        "power_of_attorney",
        "renewal_application",
        "resumption_application",
        "change_of_applicant",
        "consumption_restriction_application",
        "dishonest_listing_application",
        "service_address_confirmation",
        "payment_order_application",
        "complaint_credit_card",
        "complaint_loan",
        "arbitration_application",
        "preservation_application",
        "enforcement_application",
        "demand_letter",
        "evidence_list",
    }


def test_migrate_installed_every_default_active_with_its_variables():
    for code in CODES:
        template = DocumentTemplate.objects.filter(code=code).current(on=TODAY).get()
        assert template.variables
        assert template.active


@pytest.mark.parametrize("code", CODES)
def test_every_default_passes_the_upload_check(code):
    template = DocumentTemplate.objects.filter(code=code).order_by("-version").first()
    assert analyse_template(bytes(template.content), SAMPLE_CONTEXT).problems == []


@pytest.fixture(scope="module")
def demo_matters(django_db_setup, django_db_blocker):
    """24 demo matters and their filing contexts, made once for every template's test (tests/shared_rows.py).

    A matter's context does not depend on the template: it is built once, not once per template.
    """
    with shared_rows(django_db_blocker, "seed_demo(matters=24)"):
        seed_demo(matters=24)
        matters = Matter.objects.select_related("debt__debtor", "debt__creditor", "forum", "assigned_firm")
        yield [(matter, matter_context(matter, today=TODAY)) for matter in matters]


@pytest.mark.parametrize("code", CODES)
def test_each_template_renders_every_demo_matter_with_nothing_left_over(code, demo_matters):
    template = DocumentTemplate.objects.filter(code=code).current(on=TODAY).get()
    assert len(demo_matters) == 24
    for matter, context in copy.deepcopy(demo_matters):
        rendered = render_docx(bytes(template.content), context)
        text = read_back(rendered.docx)
        everything = "\n".join(text.values())
        assert "{{" not in everything and "{%" not in everything and "%}" not in everything, matter.number
        debt = matter.debt
        assert cn_date(TODAY) in text["body"]
        if code in ENFORCEMENT_CODES and not context["bound"]:
            # No confirmed instrument binding anyone: the 被执行人 is the reason, never a guess.
            assert f"被执行人：{context['bound_missing']}" in text["body"], (code, matter.number)
            assert debt.debtor.name not in text["body"].split("执行依据")[0].split("被执行人")[1]
            continue
        assert debt.debtor.name in text["body"]
        if code in FULL_IDENTITY:
            assert debt.debtor.id_number in text["body"], (code, matter.number)
        if code == "demand_letter":
            assert debt.debtor.masked_id_number in text["body"]
            assert debt.debtor.id_number not in text["body"]
        if code in CLAIM_IN_FIGURES_AND_WORDS:
            assert amount(debt.claim_total) in text["body"], (code, matter.number)
            assert rmb_upper(debt.claim_total).removeprefix("人民币") in text["body"], (code, matter.number)
        if code in NAMES_THE_FORUM:
            assert context["forum"]["name"] in text["body"]
        assert matter.number in text["title"]
        # Every marker in the document is listed, and every listed one is in it.
        for label in rendered.missing:
            assert f"【待补充：{label}】" in everything


def test_a_preservation_application_asks_for_the_claim_in_figures_and_words():
    seed_demo(matters=3)
    matter = Matter.objects.select_related("debt").first()
    template = DocumentTemplate.objects.filter(code="preservation_application").current(on=TODAY).get()
    text = read_back(render_docx(bytes(template.content), matter_context(matter, today=TODAY)).docx)["body"]
    assert amount(matter.debt.claim_total) in text
    assert rmb_upper(matter.debt.claim_total).removeprefix("人民币") in text


def test_an_enforcement_application_lists_what_the_missing_instrument_leaves_open():
    seed_demo(matters=3)
    matter = Matter.objects.first()
    template = DocumentTemplate.objects.filter(code="enforcement_application").current(on=TODAY).get()
    rendered = render_docx(bytes(template.content), matter_context(matter, today=TODAY))
    assert "生效文书案号" in rendered.missing
    assert "迟延履行期间的债务利息" in rendered.missing


@pytest.mark.parametrize("code", ["complaint_credit_card", "complaint_loan", "arbitration_application"])
def test_an_organisation_debtor_with_a_guarantor_and_evidence_fills_the_right_blocks(code, evidence_storage):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from evidence.services import evidence_upload
    from legalcase.identity import build_uscc
    from legalcase.models import Guarantee
    from tests.evidence import samples
    from tests.factories import make_matter, make_party, make_user

    company = make_party("上海某某贸易有限公司", kind="organisation", id_number="", uscc=build_uscc("91310115MA1K4XXX0"),
                         gender="", birth_date=None)
    matter = make_matter(debtor=company, product="loan" if code == "complaint_loan" else "credit_card")
    Guarantee.objects.create(debt=matter.debt, guarantor=make_party("王五"))
    evidence_upload(user=make_user(), matter_id=matter.pk, kind="contract", title="借款合同",
                    uploaded_file=SimpleUploadedFile("借款合同.pdf", samples.pdf_bytes(3)))
    template = DocumentTemplate.objects.filter(code=code).current(on=TODAY).get()
    rendered = render_docx(bytes(template.content), matter_context(matter, today=TODAY))
    body = read_back(rendered.docx)["body"]
    assert company.uscc in body
    assert "王五" in body
    assert "借款合同" in body
    assert "证据（尚未上传）" not in rendered.missing
