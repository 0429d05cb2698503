"""The evidence API: uploads validated before storage, downloads audited, access per API.md."""

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from filer.models import File as FilerFile

from evidence.models import EvidenceItem
from evidence.services import evidence_upload
from legalcase.models import EventKind, MatterEvent, Role
from tests.api_schema import api_schema
from tests.evidence import samples
from tests.evidence.conftest import stored_files
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db


def evidence_url(matter):
    return reverse("evidence_api:matter-evidence", args=[matter.pk])


def download_url(item):
    return reverse("evidence_api:evidence-download", args=[item.pk])


def post_file(client, matter, name, data, **fields):
    body = {"file": SimpleUploadedFile(name, data), "kind": "contract", "title": "借款合同", **fields}
    return client.post(evidence_url(matter), body, format="multipart")


def add_item(matter, user, name="借款合同.pdf", data=None):
    upload = SimpleUploadedFile(name, data if data is not None else samples.pdf_bytes(2))
    return evidence_upload(user=user, matter_id=matter.pk, uploaded_file=upload, kind="contract", title="借款合同")


@pytest.fixture
def counsel_client(client):
    user = make_user(Role.COUNSEL)
    client.force_login(user)
    client.user = user
    return client


@pytest.mark.parametrize(
    ("name", "make", "pages", "content_type"),
    [
        ("2024-01-15 借款合同.pdf", lambda: samples.pdf_bytes(3), 3, "application/pdf"),
        ("身份证.jpg", lambda: samples.image_bytes("JPEG"), 1, "image/jpeg"),
        ("还款记录.png", lambda: samples.image_bytes("PNG"), 1, "image/png"),
        ("催收记录.docx", samples.docx_bytes, None, samples.DOCX_TYPE),
        ("还款计划.xlsx", samples.xlsx_bytes, None, samples.XLSX_TYPE),
        ("银行对账单.pdf", samples.owner_password_only_pdf, 2, "application/pdf"),
    ],
)
def test_an_upload_is_stored_with_its_sha256_size_and_page_count(
    counsel_client, evidence_storage, name, make, pages, content_type
):
    import hashlib

    matter = make_matter()
    data = make()
    response = post_file(counsel_client, matter, name, data, purpose="证明借款关系成立", source="原告提供")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "kind", "title", "sha256", "size", "page_count"}
    assert (body["sha256"], body["size"], body["page_count"]) == (hashlib.sha256(data).hexdigest(), len(data), pages)
    item = EvidenceItem.objects.get(pk=body["id"])
    assert (item.original_filename, item.content_type, item.purpose, item.source) == (
        name,
        content_type,
        "证明借款关系成立",
        "原告提供",
    )
    assert item.file.is_public is False
    [stored] = stored_files(evidence_storage)
    assert stored.read_bytes() == data
    event = MatterEvent.objects.get(matter=matter, kind=EventKind.EVIDENCE_ADDED)
    assert event.actor == counsel_client.user and event.new["sha256"] == body["sha256"]


@pytest.mark.parametrize("case", sorted(samples.hostile_corpus()))
def test_a_hostile_upload_answers_400_and_stores_nothing(counsel_client, evidence_storage, case):
    matter = make_matter()
    name, data = samples.hostile_corpus()[case]
    response = post_file(counsel_client, matter, name, data)
    assert response.status_code == 400, response.content
    assert "file" in response.json()
    assert not EvidenceItem.objects.exists() and not FilerFile.objects.exists()
    assert stored_files(evidence_storage) == []
    assert not MatterEvent.objects.filter(kind=EventKind.EVIDENCE_ADDED).exists()


def test_an_oversized_file_answers_400_and_stores_nothing(counsel_client, evidence_storage, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    response = post_file(counsel_client, make_matter(), "大文件.pdf", samples.pdf_bytes(40))
    assert response.status_code == 400
    assert "上限" in str(response.json()["file"])
    assert not EvidenceItem.objects.exists() and stored_files(evidence_storage) == []


def test_a_failure_after_storing_removes_the_file_again(counsel_client, evidence_storage, monkeypatch):
    import evidence.services

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(evidence.services, "record_event", broken)
    with pytest.raises(RuntimeError):
        add_item(make_matter(), counsel_client.user)
    assert not EvidenceItem.objects.exists() and not FilerFile.objects.exists()
    assert stored_files(evidence_storage) == []


def test_the_list_shows_the_matters_evidence_in_upload_order(counsel_client):
    matter = make_matter()
    first = add_item(matter, counsel_client.user)
    second = add_item(matter, counsel_client.user, "还款记录.png", samples.image_bytes("PNG"))
    add_item(make_matter(), counsel_client.user)
    body = counsel_client.get(evidence_url(matter)).json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [first.pk, second.pk]
    assert body["results"][0]["download_url"] == download_url(first)


def test_a_download_returns_the_original_bytes_with_safe_headers_and_is_audited(counsel_client):
    matter = make_matter()
    data = samples.pdf_bytes(2)
    item = add_item(matter, counsel_client.user, "2024-01-15 借款合同.pdf", data)
    response = counsel_client.get(download_url(item))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('2024-01-15 借款合同.pdf')}" in disposition
    assert 'filename="2024-01-15 .pdf"' in disposition or 'filename="' in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    event = MatterEvent.objects.get(matter=matter, kind=EventKind.EVIDENCE_DOWNLOADED)
    assert event.actor == counsel_client.user and event.new["evidence"] == item.pk


def test_no_file_is_reachable_by_a_media_or_filer_url(counsel_client):
    item = add_item(make_matter(), counsel_client.user)
    name = item.file.file.name
    for url in (f"/media/{name}", f"/private-files/{name}", f"/filer/private/{name}", item.file.url or "/x"):
        assert counsel_client.get(url).status_code == 404, url


def test_another_firms_lawyer_gets_404_on_every_evidence_url(client):
    firm, other = make_firm(), make_firm()
    matter = make_matter(firm=firm)
    item = add_item(matter, make_user(Role.COUNSEL))
    client.force_login(make_user(Role.LAWYER, firm=other))
    assert client.get(evidence_url(matter)).status_code == 404
    assert post_file(client, matter, "合同.pdf", samples.pdf_bytes(1)).status_code == 404
    assert post_file(client, matter, "合同.exe", b"MZ").status_code == 404
    assert client.get(download_url(item)).status_code == 404
    assert client.get(reverse("evidence_section", args=[matter.pk])).status_code == 404
    assert client.post(reverse("evidence_upload", args=[matter.pk])).status_code == 404
    assert client.post(reverse("evidence_bundle_build", args=[matter.pk]), {"title": "x"}).status_code == 404
    assert EvidenceItem.objects.count() == 1
    assert not MatterEvent.objects.filter(kind=EventKind.EVIDENCE_DOWNLOADED).exists()


def test_the_assigned_firms_lawyer_may_upload_and_download(client):
    firm = make_firm()
    matter = make_matter(firm=firm)
    client.force_login(make_user(Role.LAWYER, firm=firm))
    response = post_file(client, matter, "合同.pdf", samples.pdf_bytes(1))
    assert response.status_code == 201
    assert client.get(reverse("evidence_api:evidence-download", args=[response.json()["id"]])).status_code == 200


def test_a_manager_may_read_but_not_upload(client, evidence_storage):
    matter = make_matter()
    item = add_item(matter, make_user(Role.COUNSEL))
    client.force_login(make_user(Role.MANAGER))
    assert post_file(client, matter, "合同.pdf", samples.pdf_bytes(1)).status_code == 403
    assert client.get(evidence_url(matter)).json()["count"] == 1
    assert client.get(download_url(item)).status_code == 200
    assert EvidenceItem.objects.count() == 1 and len(stored_files(evidence_storage)) == 1


def test_a_missing_item_or_matter_answers_404(counsel_client):
    assert counsel_client.get(reverse("evidence_api:evidence-download", args=[999999])).status_code == 404
    assert counsel_client.get(reverse("evidence_api:matter-evidence", args=[999999])).status_code == 404


def test_an_anonymous_caller_gets_401(client):
    matter = make_matter()
    assert client.get(evidence_url(matter)).status_code in (401, 403)


def test_the_schema_documents_the_evidence_and_bundle_endpoints():
    schema = api_schema()
    assert {
        "/api/v1/matters/{matter_id}/evidence/",
        "/api/v1/evidence/{evidence_id}/download/",
        "/api/v1/matters/{matter_id}/bundles/",
        "/api/v1/bundles/{bundle_id}/",
        "/api/v1/bundles/{bundle_id}/download/",
    } <= set(schema["paths"])
    upload = schema["paths"]["/api/v1/matters/{matter_id}/evidence/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"201", "400", "403", "404"} <= set(upload["responses"])
