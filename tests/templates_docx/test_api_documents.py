"""Generated documents through the API: 202, the jobs, status, missing elements, audited downloads."""

import pytest
from django.urls import reverse

from legalcase.jobs import job_run
from legalcase.models import EventKind, Job, MatterEvent, Role
from templates_docx.models import DocumentStatus, DocumentTemplate, GeneratedDocument
from templates_docx.services import CONVERT_JOB, template_store
from tests.evidence.conftest import stored_files
from tests.factories import make_firm, make_forum, make_matter, make_user
from tests.templates_docx.docx_samples import make_template, read_back

pytestmark = pytest.mark.django_db

BODY = "被告：{{ debtor.name }}，身份证号 {{ debtor.id_number }}，出生 {{ debtor.birth_date|cn_date }}，标的 {{ debt.claim_total|amount }} 元（{{ debt.claim_total|rmb_upper }}），此致 {{ forum.name }}"


@pytest.fixture
def template(db):
    return template_store(user=None, code="test_filing", name="测试文书", content=make_template(BODY), activate=True)


@pytest.fixture
def counsel(client):
    user = make_user(Role.COUNSEL)
    client.force_login(user)
    return client


def generate(client, matter, code="test_filing"):
    return client.post(reverse("templates_api:matter-documents", args=[matter.pk]), {"template": code}, format="json")


def run_all_jobs():
    """Run pending jobs in creation order until none is left (generation, then conversion)."""
    while job := Job.objects.filter(status="pending").order_by("created_at").first():
        job_run(job_id=job.pk)


def test_generating_answers_202_and_the_document_becomes_done_with_its_docx(counsel, template, evidence_storage):
    matter = make_matter()
    response = generate(counsel, matter)
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "pending"
    run_all_jobs()
    detail = counsel.get(reverse("templates_api:document-detail", args=[body["id"]])).json()
    assert detail["status"] == "done", detail
    assert detail["template"] == "test_filing"
    assert detail["version"] == 1
    assert "docx" in detail["formats"]
    # No forum chosen: marked in the filing and listed.
    assert detail["missing"] == ["管辖法院"]
    download = counsel.get(reverse("templates_api:document-download", args=[body["id"]]), {"format": "docx"})
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    text = read_back(b"".join(download.streaming_content))["body"]
    debt = matter.debt
    assert debt.debtor.name in text and debt.debtor.id_number in text
    assert "【待补充：管辖法院】" in text
    assert "{{" not in text and "{%" not in text


def test_the_filing_names_the_forum_once_chosen(counsel, template, evidence_storage):
    matter = make_matter()
    forum = make_forum("上海市测试新区人民法院")
    matter.forum = forum
    matter.save(update_fields=["forum"])
    document_id = generate(counsel, matter).json()["id"]
    run_all_jobs()
    document = GeneratedDocument.objects.get(pk=document_id)
    assert document.missing == []
    response = counsel.get(reverse("templates_api:document-download", args=[document_id]))
    assert "此致 上海市测试新区人民法院" in read_back(b"".join(response.streaming_content))["body"]


@pytest.mark.libreoffice
def test_a_pdf_is_made_where_libreoffice_is_installed(counsel, template, evidence_storage):
    from evidence.conversion import conversion_available

    if not conversion_available():
        pytest.skip("LibreOffice is not installed here")
    matter = make_matter()
    document_id = generate(counsel, matter).json()["id"]
    run_all_jobs()
    assert Job.objects.filter(kind=CONVERT_JOB, status="done").count() == 1
    detail = counsel.get(reverse("templates_api:document-detail", args=[document_id])).json()
    assert detail["formats"] == ["docx", "pdf"]
    assert detail["status"] == "done"
    response = counsel.get(reverse("templates_api:document-download", args=[document_id]), {"format": "pdf"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_every_download_is_on_the_matter_timeline(counsel, template, evidence_storage):
    matter = make_matter()
    document_id = generate(counsel, matter).json()["id"]
    run_all_jobs()
    counsel.get(reverse("templates_api:document-download", args=[document_id]), {"format": "docx"})
    event = MatterEvent.objects.get(matter=matter, kind=EventKind.DOCUMENT_DOWNLOADED)
    assert event.new == {
        "document": document_id, "template": "test_filing", "version": 1, "template_name": "测试文书", "format": "docx"
    }  # fmt: skip


def test_an_unknown_template_is_400_and_nothing_is_stored(counsel, template, evidence_storage):
    matter = make_matter()
    response = generate(counsel, matter, code="no_such_template")
    assert response.status_code == 400
    assert "no_such_template" in str(response.json())
    assert not GeneratedDocument.objects.exists()
    assert not Job.objects.exists()
    assert stored_files(evidence_storage) == []


def test_a_retired_template_cannot_be_used(counsel, template):
    DocumentTemplate.objects.filter(pk=template.pk).update(active=False)
    response = generate(counsel, make_matter())
    assert response.status_code == 400
    assert not GeneratedDocument.objects.exists()


def test_a_manager_may_read_but_not_generate(client, template):
    matter = make_matter()
    client.force_login(make_user(Role.MANAGER))
    assert generate(client, matter).status_code == 403
    assert client.get(reverse("templates_api:matter-documents", args=[matter.pk])).status_code == 200
    assert not GeneratedDocument.objects.exists()


def test_another_firms_lawyer_gets_404_everywhere(client, counsel, template, evidence_storage):
    matter = make_matter(firm=make_firm("甲律所"))
    document_id = generate(counsel, matter).json()["id"]
    run_all_jobs()
    client.force_login(make_user(Role.LAWYER, firm=make_firm("乙律所")))
    assert generate(client, matter).status_code == 404
    assert client.get(reverse("templates_api:document-detail", args=[document_id])).status_code == 404
    assert client.get(reverse("templates_api:document-download", args=[document_id])).status_code == 404
    assert not MatterEvent.objects.filter(kind=EventKind.DOCUMENT_DOWNLOADED).exists()


def test_the_assigned_lawyer_generates_for_their_matter(client, template, evidence_storage):
    firm = make_firm("甲律所")
    matter = make_matter(firm=firm)
    client.force_login(make_user(Role.LAWYER, firm=firm))
    assert generate(client, matter).status_code == 202


def test_a_bad_format_is_400(counsel, template, evidence_storage):
    matter = make_matter()
    document_id = generate(counsel, matter).json()["id"]
    run_all_jobs()
    response = counsel.get(reverse("templates_api:document-download", args=[document_id]), {"format": "exe"})
    assert response.status_code == 400
    assert not MatterEvent.objects.filter(kind=EventKind.DOCUMENT_DOWNLOADED).exists()


def test_a_template_that_fails_at_render_time_fails_the_document_with_its_reason(counsel, evidence_storage):
    # Stored directly (as an old version might be), bypassing the upload check.
    content = make_template("{{ debtor.name * 100000000 }}")
    from templates_docx.rendering import sha256

    DocumentTemplate.objects.create(
        code="broken", name="坏模板", version=1, effective_from="2020-01-01", content=content, sha256=sha256(content),
        active=True,
    )
    matter = make_matter()
    document_id = generate(counsel, matter, code="broken").json()["id"]
    run_all_jobs()
    document = GeneratedDocument.objects.get(pk=document_id)
    assert document.status == DocumentStatus.FAILED
    assert "不允许" in document.error or "超" in document.error
    assert document.docx_file_id is None
    assert stored_files(evidence_storage) == []


def test_the_template_list_shows_the_version_in_effect(counsel, template):
    template_store(user=None, code="test_filing", name="测试文书", content=make_template(BODY + "。"), activate=True)
    rows = counsel.get(reverse("templates_api:template-list")).json()
    row = next(row for row in rows if row["code"] == "test_filing")
    assert row["version"] == 2
    assert set(row) == {"code", "name", "version", "form_version", "effective_from"}


def test_a_credit_card_complaint_is_refused_for_a_loan_and_nothing_is_stored(counsel, evidence_storage):
    matter = make_matter(product="loan")
    response = generate(counsel, matter, code="complaint_credit_card")
    assert response.status_code == 400
    assert "仅适用于信用卡案件" in str(response.json())
    assert not GeneratedDocument.objects.exists() and not Job.objects.exists()
