"""STORAGE_BACKEND=s3 against a local moto S3 server (API.md, "Operations at scale").

Evidence, a bundle, a filing and an import go through the bucket and come back byte for
byte through the audited views; every answer and job result names no path of this host;
nothing is left on local disk; ``storage_migrate`` copies a local installation's files,
skips what is there, and lists mismatches. Few and coarse: each starts real S3 calls.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import Resolver404, resolve, reverse

from evidence.models import EvidenceBundle, EvidenceItem
from evidence.services import evidence_verify, private_storage
from evidence.sweep import storage_orphans_sweep
from legalcase.jobs import job_run
from legalcase.models import Job, JobStatus, Role
from templates_docx.services import template_store
from tests.evidence import samples
from tests.evidence.conftest import evidence_storage  # noqa: F401  (the local filer folder, to check it stays empty)
from tests.factories import make_matter, make_user
from tests.legalcase.test_import import csv_bytes, row
from tests.templates_docx.docx_samples import make_template, read_back

pytestmark = [pytest.mark.django_db, pytest.mark.s3]

# A path rooted at / as a JSON string value or inside one (after a quote, a space, a colon or =).
ROOTED = re.compile(r"""(?:^|(?<=["'\s:：=]))/(?:[^\s"'/<>?#]+/)+[^\s"'/<>?#]*""")


def no_rooted_path(answer) -> None:
    """Every /-rooted string of ``answer`` is one of Fasu's own URLs, never a path of this host."""
    text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
    for match in ROOTED.finditer(text):
        path = match.group(0)
        if path.startswith(f"/{settings.STATIC_URL.strip('/')}/"):
            continue
        try:
            resolve(path)
        except Resolver404:
            pytest.fail(f"a path that is not a URL of Fasu: {path}")


def run_all_jobs() -> list[Job]:
    ran = []
    while job := Job.objects.filter(status="pending").order_by("created_at").first():
        ran.append(job_run(job_id=job.pk))
    return ran


def local_files(*folders: Path) -> list[Path]:
    return [path for folder in folders for path in folder.rglob("*") if path.is_file()]


def fasu_temp_folders() -> set[str]:
    """Fasu's temporary folders, but LibreOffice's profiles (kept for the process's life, no data)."""
    return {path.name for path in Path(tempfile.gettempdir()).glob("fasu-*") if not path.name.startswith("fasu-lo-")}


@pytest.fixture
def counsel(client):
    user = make_user(Role.COUNSEL)
    client.force_login(user)
    client.user = user
    return client


def test_evidence_a_bundle_and_a_filing_live_in_the_bucket_and_download_through_the_audited_views(
    s3_storage, counsel, settings, evidence_storage
):
    temp_before = fasu_temp_folders()
    matter = make_matter(owner=counsel.user)
    pdf, png = samples.pdf_bytes(2), samples.image_bytes()
    for name, data in (("借款合同.pdf", pdf), ("还款记录.png", png)):
        response = counsel.post(
            reverse("evidence_api:matter-evidence", args=[matter.pk]),
            {"file": SimpleUploadedFile(name, data), "kind": "contract", "title": name.split(".")[0]},
        )
        assert response.status_code == 201, response.content
        no_rooted_path(response.json())
    listing = counsel.get(reverse("evidence_api:matter-evidence", args=[matter.pk])).json()
    no_rooted_path(listing)

    response = counsel.post(
        reverse("evidence_api:matter-bundles", args=[matter.pk]), {"title": "一审证据"}, content_type="application/json"
    )
    assert response.status_code == 202, response.content
    bundle_id = response.json()["id"]
    template_store(user=None, code="s3_filing", name="测试文书", content=make_template("被告：{{ debtor.name }}"), activate=True)
    response = counsel.post(reverse("templates_api:matter-documents", args=[matter.pk]), {"template": "s3_filing"})
    assert response.status_code == 202, response.content
    document_id = response.json()["id"]
    jobs = run_all_jobs()
    assert jobs and all(job.status == JobStatus.DONE for job in jobs), [(job.kind, job.error) for job in jobs]
    for job in jobs:
        no_rooted_path(counsel.get(reverse("api:job-detail", args=[job.pk])).json())

    # Every file is an object of the private bucket, under the names the rows keep.
    keys = {item.key for item in s3_storage.bucket.objects.all()}
    items = list(EvidenceItem.objects.filter(matter=matter).select_related("file"))
    bundle = EvidenceBundle.objects.select_related("file").get(pk=bundle_id)
    for stored in [item.file for item in items] + [bundle.file]:
        assert f"filer_private/{stored.file.name}" in keys
    for key in sorted(keys)[:2]:
        grants = s3_storage.bucket.Object(key).Acl().grants
        assert all("URI" not in grant["Grantee"] for grant in grants), (key, grants)  # no AllUsers / AuthenticatedUsers

    # Downloads stream through the audited views, byte for byte.
    for item, data in zip(sorted(items, key=lambda item: item.position), (pdf, png), strict=True):
        response = counsel.get(reverse("evidence_api:evidence-download", args=[item.pk]))
        assert response.status_code == 200 and b"".join(response.streaming_content) == data
    response = counsel.get(reverse("evidence_api:bundle-download", args=[bundle_id]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    detail = counsel.get(reverse("templates_api:document-detail", args=[document_id])).json()
    assert detail["status"] == "done", detail
    no_rooted_path(detail)
    response = counsel.get(reverse("templates_api:document-download", args=[document_id]), {"format": "docx"})
    assert matter.debt.debtor.name in read_back(b"".join(response.streaming_content))["body"]

    # With signed URLs allowed, a download is a redirect to a short-lived signed URL of the bucket.
    settings.S3_SIGNED_URLS = True
    response = counsel.get(reverse("evidence_api:evidence-download", args=[items[0].pk]))
    assert response.status_code == 302 and "X-Amz-Signature=" in response["Location"]
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    with urllib.request.urlopen(response["Location"], timeout=10) as signed:
        assert signed.read() in (pdf, png)
    with pytest.raises(urllib.error.HTTPError):  # the object itself is private
        urllib.request.urlopen(response["Location"].split("?")[0], timeout=10)

    # The orphan sweep lists the bucket too: an object no row names goes, the rows' files stay.
    private = private_storage()
    private.save("zz/orphan.pdf", ContentFile(b"%PDF-1.7 left by a killed worker"))
    swept = storage_orphans_sweep(older_than=timedelta(0))
    assert swept.removed == ["zz/orphan.pdf"] and swept.checked == len(keys) + 1
    assert all(private.exists(item.file.file.name) for item in items)
    # The nightly re-hash reads the bucket: intact files pass, a vanished object is flagged.
    assert evidence_verify(item=items[0]) is True
    private.delete(items[0].file.file.name)
    assert evidence_verify(item=items[0]) is False

    # Nothing on local disk: not under STORAGE_ROOT, not in the local filer folder, no temp folders left.
    assert local_files(Path(settings.STORAGE_ROOT), evidence_storage) == []
    assert fasu_temp_folders() <= temp_before


def test_an_import_and_its_errors_file_go_through_the_bucket(s3_storage, counsel, settings):
    response = counsel.post(
        reverse("escalation_import"), {"file": SimpleUploadedFile("导出.csv", csv_bytes([row(1), row(2, product="mortgage")]))}
    )
    assert response.status_code == 302
    job = Job.objects.get(kind="escalations_import")
    assert job.payload["file"].startswith("imports/") and s3_storage.exists(job.payload["file"])
    job = job_run(job_id=job.pk)
    assert job.status == JobStatus.DONE, job.error
    assert (job.result["created"], job.result["rejected"]) == (1, 1)
    assert s3_storage.exists(job.result["errors_file"])
    no_rooted_path(counsel.get(reverse("api:job-detail", args=[job.pk])).json())
    assert "product" in counsel.get(reverse("job_detail", args=[job.pk])).content.decode()
    download = counsel.get(reverse("escalation_import_errors", args=[job.pk]))
    lines = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("行号,错误原因") and lines[1].startswith("3,")
    assert local_files(Path(settings.STORAGE_ROOT)) == []


def test_storage_migrate_copies_checks_resumes_and_lists_mismatches(s3_storage, tmp_path):
    source = tmp_path / "old-storage"
    files = {
        "filer_private/ab/cd/uuid-1/evidence.pdf": samples.pdf_bytes(1),
        "filer_private/ef/01/uuid-2/file.docx": b"docx bytes",
        "imports/0123.csv": "债权人名称\n".encode(),
    }
    for name, data in files.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(data)

    out = io.StringIO()
    call_command("storage_migrate", source=str(source), stdout=out)
    assert "3 copied, 0 already in the bucket, 0 mismatched." in out.getvalue()
    assert "[3/3]" in out.getvalue()
    for name, data in files.items():
        with s3_storage.open(name, "rb") as stored:
            assert stored.read() == data

    # Run again (as after an interruption): nothing is copied twice.
    out = io.StringIO()
    call_command("storage_migrate", source=str(source), stdout=out)
    assert "0 copied, 3 already in the bucket, 0 mismatched." in out.getvalue()

    # A different object under a name: listed, not overwritten, exit status 1.
    (source / "imports/0123.csv").write_bytes(b"changed on disk")
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("storage_migrate", source=str(source), stdout=out)
    assert refused.value.returncode == 1
    assert "MISMATCH imports/0123.csv: a different object is already in the bucket" in out.getvalue()
    with s3_storage.open("imports/0123.csv", "rb") as stored:
        assert stored.read() == files["imports/0123.csv"]
