"""The evidence section of the matter page: listed by HTMX, uploads of several files at once."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.models import EvidenceItem
from evidence.services import evidence_upload
from legalcase.models import Role
from tests.evidence import samples
from tests.evidence.conftest import stored_files
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_matter_page_loads_the_evidence_section_from_its_own_url(client):
    matter = make_matter()
    client.force_login(make_user(Role.COUNSEL))
    html = client.get(reverse("matter_detail", args=[matter.pk])).content.decode()
    assert f'hx-get="{reverse("evidence_section", args=[matter.pk])}"' in html


def test_the_section_lists_evidence_in_chinese_with_a_download_link(client):
    matter = make_matter()
    user = make_user(Role.COUNSEL)
    upload = SimpleUploadedFile("借款合同.pdf", samples.pdf_bytes(3))
    item = evidence_upload(
        user=user, matter_id=matter.pk, uploaded_file=upload, kind="contract", title="借款合同", purpose="证明借款关系"
    )
    client.force_login(user)
    html = client.get(reverse("evidence_section", args=[matter.pk]), **HTMX).content.decode()
    for text in ("证据", "名称", "证明目的", "借款合同", "证明借款关系", item.sha256[:12], "下载", "上传"):
        assert text in html, text
    assert reverse("evidence_api:evidence-download", args=[item.pk]) in html


def test_several_files_upload_at_once_each_accepted_or_refused_on_its_own(client, evidence_storage):
    matter = make_matter()
    client.force_login(make_user(Role.COUNSEL))
    files = [
        SimpleUploadedFile("2024-01-15 借款合同.pdf", samples.pdf_bytes(2)),
        SimpleUploadedFile("还款记录.png", samples.image_bytes("PNG")),
        SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00" + b"\0" * 100),
    ]
    response = client.post(
        reverse("evidence_upload", args=[matter.pk]),
        {"files": files, "kind": "contract", "purpose": "证明借款关系", "source": "原告提供"},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "病毒.pdf" in html
    items = list(EvidenceItem.objects.order_by("id"))
    assert [(i.title, i.document_date and i.document_date.isoformat()) for i in items] == [
        ("借款合同", "2024-01-15"),
        ("还款记录", None),
    ]
    assert len(stored_files(evidence_storage)) == 2


def test_a_manager_sees_the_section_without_the_upload_form_and_may_not_post(client):
    matter = make_matter()
    client.force_login(make_user(Role.MANAGER))
    html = client.get(reverse("evidence_section", args=[matter.pk]), **HTMX).content.decode()
    assert 'name="files"' not in html
    upload = SimpleUploadedFile("合同.pdf", samples.pdf_bytes(1))
    response = client.post(reverse("evidence_upload", args=[matter.pk]), {"files": [upload], "kind": "contract"})
    assert response.status_code == 403
    assert not EvidenceItem.objects.exists()


def test_the_assigned_lawyer_sees_the_upload_form(client):
    firm = make_firm()
    matter = make_matter(firm=firm)
    client.force_login(make_user(Role.LAWYER, firm=firm))
    html = client.get(reverse("evidence_section", args=[matter.pk]), **HTMX).content.decode()
    assert 'name="files"' in html


def test_a_bundle_is_built_from_the_section_and_listed_with_its_status(client):
    from evidence.models import EvidenceBundle
    from legalcase.jobs import job_run

    matter = make_matter()
    user = make_user(Role.COUNSEL)
    evidence_upload(
        user=user,
        matter_id=matter.pk,
        uploaded_file=SimpleUploadedFile("合同.pdf", samples.pdf_bytes(1)),
        kind="contract",
        title="借款合同",
    )
    client.force_login(user)
    html = client.post(
        reverse("evidence_bundle_build", args=[matter.pk]), {"title": "一审证据"}, **HTMX
    ).content.decode()
    assert "一审证据" in html and "v1" in html and 'hx-trigger="load delay:3s"' in html
    bundle = EvidenceBundle.objects.get()
    job_run(job_id=bundle.job_id)
    html = client.get(reverse("evidence_section", args=[matter.pk]), **HTMX).content.decode()
    assert reverse("evidence_api:bundle-download", args=[bundle.pk]) in html
    assert 'hx-trigger="load delay:3s"' not in html


def test_a_manager_sees_bundles_without_the_build_form(client):
    matter = make_matter()
    client.force_login(make_user(Role.MANAGER))
    html = client.get(reverse("evidence_section", args=[matter.pk]), **HTMX).content.decode()
    assert "bundle-build" not in html
    assert client.post(reverse("evidence_bundle_build", args=[matter.pk]), {"title": "x"}).status_code == 403
