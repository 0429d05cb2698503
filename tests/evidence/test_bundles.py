"""Bundles: a 证据目录 index, the exhibits, continuous page numbers, one bookmark per exhibit, versions."""

import hashlib
import io
import re

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.bundling import cjk_font, exhibit_numbers
from evidence.models import EvidenceBundle
from evidence.services import evidence_upload
from legalcase.jobs import job_run
from legalcase.models import EventKind, JobStatus, MatterEvent, Role
from tests.evidence import samples
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db


def add(matter, user, name, data, kind="contract", **fields):
    upload = SimpleUploadedFile(name, data)
    title = name.rsplit(".", 1)[0]
    return evidence_upload(user=user, matter_id=matter.pk, uploaded_file=upload, kind=kind, title=title, **fields)


@pytest.fixture
def counsel_client(client):
    user = make_user(Role.COUNSEL)
    client.force_login(user)
    client.user = user
    return client


def build(client, matter, **body):
    response = client.post(
        reverse("evidence_api:matter-bundles", args=[matter.pk]),
        {"title": "一审证据", **body},
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    bundle = EvidenceBundle.objects.get(pk=response.json()["id"])
    job_run(job_id=bundle.job_id)
    return response.json(), client.get(reverse("evidence_api:bundle-detail", args=[bundle.pk])).json()


def download(client, bundle_id) -> bytes:
    response = client.get(reverse("evidence_api:bundle-download", args=[bundle_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    return b"".join(response.streaming_content)


def test_a_bundle_has_the_index_then_every_exhibit_numbered_continuously(counsel_client):
    matter = make_matter()
    user = counsel_client.user
    add(matter, user, "借款合同.pdf", samples.pdf_bytes(3), purpose="证明借款关系成立", source="原告提供")
    add(matter, user, "还款记录.png", samples.image_bytes("PNG"), kind="repayment_record", group="还款")
    add(matter, user, "身份证.jpg", samples.image_bytes("JPEG"), kind="identity", group="还款")
    add(matter, user, "银行对账单.pdf", samples.owner_password_only_pdf(), kind="statement")
    started, bundle = build(counsel_client, matter)
    assert (started["status"], started["version"]) == ("pending", 1)
    assert bundle["status"] == "done" and bundle["error"] == ""
    data = download(counsel_client, bundle["id"])
    assert bundle["sha256"] == hashlib.sha256(data).hexdigest()

    reader = pypdf.PdfReader(io.BytesIO(data))
    index_text = reader.pages[0].extract_text()
    assert "证据目录" in index_text and "借款合同" in index_text and "证明借款关系成立" in index_text
    index_pages = sum(1 for page in reader.pages if "证据目录" in page.extract_text())
    assert len(reader.pages) == bundle["page_count"] == index_pages + 3 + 1 + 1 + 2
    stamped = [re.search(r"第 (\d+) 页 共 (\d+) 页", page.extract_text()).groups() for page in reader.pages]
    assert stamped == [(str(n), str(len(reader.pages))) for n in range(1, len(reader.pages) + 1)]
    outline = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]
    first = index_pages
    assert outline == [
        ("证据目录", 0),
        ("证据1 借款合同", first),
        ("证据2-1 还款记录", first + 3),
        ("证据2-2 身份证", first + 4),
        ("证据3 银行对账单", first + 5),
    ]
    stored = EvidenceBundle.objects.get(pk=bundle["id"])
    assert [entry["sha256"] for entry in stored.manifest] == [
        item.sha256 for item in matter.evidence.order_by("uploaded_at", "id")
    ]


def test_the_index_font_is_embedded_when_a_truetype_cjk_font_is_installed():
    name, embedded = cjk_font()
    if not embedded:
        pytest.skip("no TrueType CJK font installed (Debian: fonts-wqy-microhei); the index uses a CID font")
    assert name == "FasuCJK"


def test_building_again_makes_a_new_version_and_keeps_the_old(counsel_client):
    matter = make_matter()
    first_item = add(matter, counsel_client.user, "借款合同.pdf", samples.pdf_bytes(1))
    _, first = build(counsel_client, matter)
    add(matter, counsel_client.user, "催收函.pdf", samples.pdf_bytes(2))
    _, second = build(counsel_client, matter)
    assert (first["version"], second["version"]) == (1, 2)
    assert first["sha256"] != second["sha256"]
    old = download(counsel_client, first["id"])
    assert hashlib.sha256(old).hexdigest() == first["sha256"]
    assert len(pypdf.PdfReader(io.BytesIO(old)).pages) == first["page_count"]
    _, chosen = build(counsel_client, matter, evidence=[first_item.pk])
    assert chosen["version"] == 3 and chosen["evidence"] == [first_item.pk]


def test_a_bundle_naming_evidence_of_another_matter_or_an_unconverted_docx_answers_400(counsel_client):
    matter, other = make_matter(), make_matter()
    foreign = add(other, counsel_client.user, "合同.pdf", samples.pdf_bytes(1))
    docx = add(matter, counsel_client.user, "催收记录.docx", samples.docx_bytes())
    url = reverse("evidence_api:matter-bundles", args=[matter.pk])
    for ids, named in (([foreign.pk], foreign.pk), ([docx.pk], docx.pk)):
        response = counsel_client.post(url, {"title": "证据", "evidence": ids}, content_type="application/json")
        assert response.status_code == 400
        assert str(named) in str(response.json()["evidence"])
    assert "尚未转换为PDF" in str(response.json()["evidence"])
    assert not EvidenceBundle.objects.exists()


def test_a_bundle_is_audited_on_download(counsel_client):
    matter = make_matter()
    add(matter, counsel_client.user, "合同.pdf", samples.pdf_bytes(1))
    _, bundle = build(counsel_client, matter)
    download(counsel_client, bundle["id"])
    event = MatterEvent.objects.filter(matter=matter, kind=EventKind.EVIDENCE_DOWNLOADED).get()
    assert event.new["bundle"] == bundle["id"]


def test_a_tampered_exhibit_fails_the_build_with_an_error(counsel_client, evidence_storage):
    matter = make_matter()
    item = add(matter, counsel_client.user, "合同.pdf", samples.pdf_bytes(1))
    path = evidence_storage / item.file.file.name
    path.write_bytes(samples.pdf_bytes(2))
    _, bundle = build(counsel_client, matter)
    assert bundle["status"] == JobStatus.FAILED and "SHA-256" in bundle["error"]
    assert counsel_client.get(reverse("evidence_api:bundle-download", args=[bundle["id"]])).status_code == 404


def test_another_firms_lawyer_gets_404_on_every_bundle_url(counsel_client, client):
    firm = make_firm()
    matter = make_matter(firm=firm)
    add(matter, counsel_client.user, "合同.pdf", samples.pdf_bytes(1))
    _, bundle = build(counsel_client, matter)
    client.force_login(make_user(Role.LAWYER, firm=make_firm()))
    assert client.get(reverse("evidence_api:matter-bundles", args=[matter.pk])).status_code == 404
    response = client.post(
        reverse("evidence_api:matter-bundles", args=[matter.pk]), {"title": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert client.get(reverse("evidence_api:bundle-detail", args=[bundle["id"]])).status_code == 404
    assert client.get(reverse("evidence_api:bundle-download", args=[bundle["id"]])).status_code == 404


def test_a_manager_may_read_bundles_but_not_build_them(counsel_client, client):
    matter = make_matter()
    add(matter, counsel_client.user, "合同.pdf", samples.pdf_bytes(1))
    _, bundle = build(counsel_client, matter)
    client.force_login(make_user(Role.MANAGER))
    response = client.post(
        reverse("evidence_api:matter-bundles", args=[matter.pk]), {"title": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert client.get(reverse("evidence_api:matter-bundles", args=[matter.pk])).json()["count"] == 1
    assert client.get(reverse("evidence_api:bundle-download", args=[bundle["id"]])).status_code == 200


def test_grouped_numbering():
    assert exhibit_numbers(["", "a", "a", "", "b"]) == ["证据1", "证据2-1", "证据2-2", "证据3", "证据4-1"]


def test_rotated_and_odd_sized_pages_are_stamped_too():
    import pikepdf

    from evidence.bundling import Exhibit, build_bundle

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(842, 595))
    pdf.add_blank_page(page_size=(300, 400))
    pdf.pages[0].obj.Rotate = 90
    data = io.BytesIO()
    pdf.save(data)
    out = io.BytesIO()
    built = build_bundle(
        title="t",
        heading="案件",
        exhibits=[Exhibit("证据1", "横向", "", "", "application/pdf", data.getvalue())],
        out=out,
    )
    reader = pypdf.PdfReader(io.BytesIO(out.getvalue()))
    assert built.page_count == len(reader.pages) == built.index_pages + 2
    for number, page in enumerate(reader.pages, start=1):
        assert f"第 {number} 页 共 {built.page_count} 页" in page.extract_text()
