"""Batches through the API: 50 matters, one without its bundle, a ZIP whose manifest matches its files."""

import csv
import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.models import EvidenceItem
from evidence.services import evidence_upload, private_storage
from legalcase.models import EventKind, Job, MatterEvent, Role
from templates_docx.models import Batch, BatchItem, GeneratedDocument
from tests.evidence import samples
from tests.factories import make_firm, make_matter, make_user
from tests.templates_docx.test_api_documents import run_all_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def counsel(client):
    user = make_user(Role.COUNSEL)
    client.force_login(user)
    client.user = user
    return client


def start(client, chosen, **body):
    payload = {"matters": [matter.pk for matter in chosen], "template": "evidence_list", "bundle": False, **body}
    return client.post(reverse("templates_api:batch-list"), payload, content_type="application/json")


def add_exhibit(matter, user, title="借款合同"):
    upload = SimpleUploadedFile(f"{title}.pdf", samples.pdf_bytes(2))
    return evidence_upload(user=user, matter_id=matter.pk, uploaded_file=upload, kind="contract", title=title)


def read_zip(client, batch_id) -> zipfile.ZipFile:
    response = client.get(reverse("templates_api:batch-download", args=[batch_id]))
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_a_batch_of_fifty_with_one_broken_bundle_files_all_fifty_and_names_the_bundle(counsel, evidence_storage, settings):
    settings.BATCH_CHUNK = 25
    matters = [make_matter() for _ in range(50)]
    for matter in matters:
        add_exhibit(matter, counsel.user)
    # The broken one: its exhibit is gone from storage, so its bundle cannot be built;
    # its complaint is generated all the same.
    broken = matters[17]
    private_storage().delete(EvidenceItem.objects.get(matter=broken).file.file.name)

    response = start(counsel, matters, template="complaint_credit_card", bundle=True)
    assert response.status_code == 202, response.content
    body = response.json()
    assert body == {"id": body["id"], "status": "pending", "total": 50, "done": 0, "failed": 0}
    run_all_jobs()
    # 50 matters in chunks of at most 25, and eight chunks where possible: 8 chunks of 7 or fewer.
    assert Job.objects.filter(kind="batch_chunk").count() == 8

    detail = counsel.get(reverse("templates_api:batch-detail", args=[body["id"]])).json()
    assert (detail["status"], detail["done"], detail["failed"], detail["errors"]) == ("done", 50, 0, [])
    assert detail["bundle_errors"] == [
        {"matter": broken.pk, "number": broken.number, "bundle_error": "证据材料无法生成：证据文件无法读取或合并"}
    ]
    item = BatchItem.objects.get(batch_id=body["id"], matter=broken)
    assert (item.status, item.bundle_id, item.document.matter_id) == ("done", None, broken.pk)

    archive = read_zip(counsel, body["id"])
    folders = {name.split("/")[0] for name in archive.namelist() if "/" in name}
    assert len(folders) == 50
    assert sorted(name.split("/")[1] for name in archive.namelist() if name.startswith(broken.number)) == [
        "民事起诉状（信用卡纠纷）.docx", "民事起诉状（信用卡纠纷）.pdf"
    ]
    bundle_errors = list(csv.reader(io.StringIO(archive.read("bundle_errors.csv").decode("utf-8-sig"))))
    assert bundle_errors == [
        ["matter_number", "debtor_name", "bundle_error"],
        [broken.number, broken.debtor_name, "证据材料无法生成：证据文件无法读取或合并"],
    ]
    assert "failed.csv" not in archive.namelist()
    manifest = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert archive.read("manifest.csv").startswith("\ufeff".encode())
    assert manifest[0] == ["matter_number", "debtor_name", "claim_total", "files", "sha256"]
    assert len(manifest) == 51
    for number, debtor_name, claim_total, files, digests in manifest[1:]:
        names, hashes = files.split(";"), digests.split(";")
        assert len(names) == (2 if number == broken.number else 3)  # DOCX, PDF, bundle
        for name, digest in zip(names, hashes, strict=True):
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest
        assert all(name.startswith(number) for name in names)
    # Every matter in the ZIP has its download on the timeline.
    assert MatterEvent.objects.filter(kind=EventKind.DOCUMENT_DOWNLOADED).count() == 50


def test_a_batch_naming_another_firms_matter_is_refused_and_nothing_is_stored(client):
    firm, other = make_firm("甲律所"), make_firm("乙律所")
    mine, theirs = make_matter(firm=firm), make_matter(firm=other)
    client.force_login(make_user(Role.LAWYER, firm=firm))
    response = start(client, [mine, theirs])
    assert response.status_code == 400
    assert str(theirs.pk) in str(response.json())
    assert not Batch.objects.exists() and not Job.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"matters": []},
        {"matters": ["x"]},
        {"template": "no_such_template"},
        {"procedure": "fast"},
    ],
)
def test_bad_requests_are_400_and_store_nothing(counsel, body):
    matter = make_matter()
    response = start(counsel, [matter], **body)
    assert response.status_code == 400, response.content
    assert not Batch.objects.exists() and not BatchItem.objects.exists() and not Job.objects.exists()


def test_a_manager_may_not_start_a_batch(client):
    client.force_login(make_user(Role.MANAGER))
    assert start(client, [make_matter()]).status_code == 403
    assert not Batch.objects.exists()


def test_someone_elses_batch_is_404(counsel, client):
    batch_id = start(counsel, [make_matter()]).json()["id"]
    client.force_login(make_user(Role.COUNSEL))
    assert client.get(reverse("templates_api:batch-detail", args=[batch_id])).status_code == 404
    assert client.get(reverse("templates_api:batch-download", args=[batch_id])).status_code == 404


def test_a_batch_that_is_not_done_cannot_be_downloaded(counsel):
    batch_id = start(counsel, [make_matter()]).json()["id"]
    response = counsel.get(reverse("templates_api:batch-download", args=[batch_id]))
    assert response.status_code == 400
    assert not MatterEvent.objects.filter(kind=EventKind.DOCUMENT_DOWNLOADED).exists()


@pytest.mark.libreoffice  # the batch's real soffice run, PDFs collected as it announces each file
def test_running_a_chunk_twice_processes_each_matter_once(counsel, evidence_storage):
    matters = [make_matter() for _ in range(3)]
    batch_id = start(counsel, matters).json()["id"]
    run_all_jobs()
    from legalcase.jobs import job_run

    chunk = Job.objects.get(kind="batch_chunk")
    Job.objects.filter(pk=chunk.pk).update(status="pending")
    job_run(job_id=chunk.pk)
    assert GeneratedDocument.objects.count() == 3
    assert Batch.objects.get(pk=batch_id).counts() == {"pending": 0, "done": 3, "failed": 0}


def test_a_matter_the_template_is_not_written_for_fails_with_the_reason(counsel, evidence_storage):
    card, loan = make_matter(), make_matter(product="loan")
    batch_id = start(counsel, [card, loan], template="complaint_credit_card").json()["id"]
    run_all_jobs()
    detail = counsel.get(reverse("templates_api:batch-detail", args=[batch_id])).json()
    assert (detail["done"], detail["failed"]) == (1, 1)
    assert detail["errors"][0]["matter"] == loan.pk
    assert "仅适用于信用卡案件" in detail["errors"][0]["error"]
