"""Whether background work is done, asked one way (``BackgroundWork``) of documents, bundles and evidence.

Each kind keeps its own status; ``work_status`` reads it as a job status, and the pages
poll and show the state with one include (``legalcase/_work_state.html``).
"""

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from filer.models import File as FilerFile

from evidence.models import EvidenceBundle, EvidenceItem, PdfStatus
from legalcase.models import BackgroundWork, Job, JobStatus
from templates_docx.models import DocumentStatus, DocumentTemplate, GeneratedDocument
from tests.factories import make_matter, make_user

pytestmark = pytest.mark.django_db


def states(work: BackgroundWork) -> tuple[bool, bool, bool]:
    return work.is_pending, work.is_ready, work.is_failed


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (DocumentStatus.PENDING, (True, False, False)),
        (DocumentStatus.RUNNING, (True, False, False)),
        (DocumentStatus.DONE, (False, True, False)),
        (DocumentStatus.FAILED, (False, False, True)),
    ],
)
def test_a_document_is_done_by_its_status(status, expected):
    document = GeneratedDocument(status=status, error="模板渲染失败" if status == DocumentStatus.FAILED else "")

    assert states(document) == expected
    assert document.work_status == status
    assert document.work_error == document.error


@pytest.mark.parametrize(
    ("job_status", "has_file", "expected"),
    [
        (JobStatus.PENDING, False, (True, False, False)),
        (JobStatus.RUNNING, False, (True, False, False)),
        (JobStatus.FAILED, False, (False, False, True)),
        (JobStatus.DONE, True, (False, True, False)),
        # The file is stored: the bundle is done whatever its job row says.
        (JobStatus.RUNNING, True, (False, True, False)),
    ],
)
def test_a_bundle_is_done_when_its_file_is_stored_and_otherwise_by_its_job(job_status, has_file, expected):
    user = make_user()
    error = "LibreOffice 退出" if job_status == JobStatus.FAILED else ""
    job = Job.objects.create(kind="evidence_bundle", status=job_status, error=error)
    bundle = EvidenceBundle.objects.create(
        matter=make_matter(),
        title="证据材料",
        version=1,
        created_by=user,
        job=job,
        file=FilerFile.objects.create(original_filename="证据材料.pdf") if has_file else None,
    )

    assert states(bundle) == expected
    assert bundle.work_error == job.error


@pytest.mark.parametrize(
    ("pdf_status", "expected"),
    [
        (PdfStatus.NATIVE, (False, True, False)),
        (PdfStatus.CONVERTED, (False, True, False)),
        (PdfStatus.PENDING, (True, False, False)),
        (PdfStatus.FAILED, (False, False, True)),
        (PdfStatus.UNAVAILABLE, (False, False, True)),
    ],
)
def test_an_evidence_item_is_done_when_its_pdf_is_there_or_not_needed(monkeypatch, pdf_status, expected):
    monkeypatch.setattr(EvidenceItem, "pdf_status", property(lambda item: pdf_status))

    assert states(EvidenceItem()) == expected


def test_the_include_shows_the_status_and_the_error():
    document = GeneratedDocument(status=DocumentStatus.FAILED, error="模板渲染失败")
    with translation.override("zh-hans"):
        failed = render_to_string("legalcase/_work_state.html", {"work": document})
        done = render_to_string("legalcase/_work_state.html", {"work": GeneratedDocument(status=DocumentStatus.DONE)})

    assert failed.strip() == f'{DocumentStatus.FAILED.label} <span class="errorlist">模板渲染失败</span>'
    assert "errorlist" not in done and done.strip() == str(DocumentStatus.DONE.label)


def test_the_filings_page_polls_while_a_document_is_being_made(client):
    user = make_user()
    matter = make_matter()
    template = DocumentTemplate.objects.first()
    document = GeneratedDocument.objects.create(matter=matter, template=template, created_by=user)
    client.force_login(user)
    url = f"/matters/{matter.pk}/filings/"

    assert "hx-trigger=\"load delay:2s\"" in client.get(url).content.decode()

    GeneratedDocument.objects.filter(pk=document.pk).update(status=DocumentStatus.FAILED, error="模板渲染失败")
    html = client.get(url).content.decode()
    assert "hx-trigger=\"load delay:2s\"" not in html
    assert '<span class="errorlist">模板渲染失败</span>' in html
