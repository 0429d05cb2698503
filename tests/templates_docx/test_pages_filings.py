"""The filings section of the matter page: pick a template, see its fields, generate, download."""

import pytest
from django.urls import reverse

from legalcase.models import Role
from templates_docx.models import GeneratedDocument
from templates_docx.services import template_store
from tests.factories import make_firm, make_matter, make_user
from tests.templates_docx.docx_samples import make_template
from tests.templates_docx.test_api_documents import run_all_jobs

pytestmark = pytest.mark.django_db

BODY = "被告：{{ debtor.name }}；此致 {{ forum.name }}；{{ debtor.address }}"


@pytest.fixture(autouse=True)
def template(db):
    return template_store(user=None, code="test_filing", name="测试文书", content=make_template(BODY), activate=True)


def section(client, matter, **query):
    return client.get(reverse("filings_section", args=[matter.pk]), query)


def test_choosing_a_template_lists_its_fields_with_the_missing_ones_highlighted(client):
    client.force_login(make_user(Role.COUNSEL))
    matter = make_matter()
    page = section(client, matter, template="test_filing").content.decode()
    assert "debtor.name" in page and "forum.name" in page
    assert "filing-missing" in page
    assert "管辖法院" in page


def test_generating_from_the_page_lists_the_document_with_its_downloads(client, evidence_storage):
    client.force_login(make_user(Role.COUNSEL))
    matter = make_matter()
    response = client.post(
        reverse("document_generate", args=[matter.pk]), {"template": "test_filing"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "测试文书" in response.content.decode()
    run_all_jobs()
    page = section(client, matter).content.decode()
    document = GeneratedDocument.objects.get()
    assert reverse("templates_api:document-download", args=[document.pk]) + "?format=docx" in page
    assert "v1" in page
    assert "Regenerate" in page or "重新生成" in page


def test_an_unknown_template_shows_the_error_and_stores_nothing(client):
    client.force_login(make_user(Role.COUNSEL))
    matter = make_matter()
    response = client.post(reverse("document_generate", args=[matter.pk]), {"template": "nope"}, HTTP_HX_REQUEST="true")
    assert "没有可用的模板：nope" in response.content.decode()
    assert not GeneratedDocument.objects.exists()


def test_a_manager_sees_documents_but_no_generate_form(client):
    client.force_login(make_user(Role.MANAGER))
    matter = make_matter()
    page = section(client, matter).content.decode()
    assert reverse("document_generate", args=[matter.pk]) not in page
    assert client.post(reverse("document_generate", args=[matter.pk]), {"template": "test_filing"}).status_code == 403


def test_another_firms_lawyer_gets_404(client):
    matter = make_matter(firm=make_firm("甲律所"))
    client.force_login(make_user(Role.LAWYER, firm=make_firm("乙律所")))
    assert section(client, matter).status_code == 404
    assert client.post(reverse("document_generate", args=[matter.pk]), {"template": "test_filing"}).status_code == 404
    assert not GeneratedDocument.objects.exists()


def test_the_matter_page_includes_the_filings_section(client):
    client.force_login(make_user(Role.COUNSEL))
    matter = make_matter()
    page = client.get(reverse("matter_detail", args=[matter.pk])).content.decode()
    assert reverse("filings_section", args=[matter.pk]) in page


def test_a_claim_above_24_percent_a_year_is_flagged_not_cut(client):
    from decimal import Decimal

    client.force_login(make_user(Role.COUNSEL))
    matter = make_matter(penalty_rate=Decimal("0.36"))
    page = section(client, matter).content.decode()
    assert "warn-24" in page
    calm = make_matter(penalty_rate=Decimal("0.18"), interest=Decimal("0"), penalty_interest=Decimal("0"),
                       compound_interest=Decimal("0"), late_fees=Decimal("0"))
    assert "warn-24" not in section(client, calm).content.decode()


def test_a_loan_matter_is_not_offered_the_credit_card_complaint(client):
    client.force_login(make_user(Role.COUNSEL))
    page = section(client, make_matter(product="loan")).content.decode()
    assert 'value="complaint_loan"' in page
    assert 'value="complaint_credit_card"' not in page
