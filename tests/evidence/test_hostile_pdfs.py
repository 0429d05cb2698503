"""The PDF validator walks every object: each file of the hostile corpus is refused, by the
pure check, at the evidence upload and at the ruling upload, with a Chinese message naming
what was found, and nothing is stored; PDFs with links, bookmarks and plain forms pass."""

import io

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from filer.models import File as FilerFile
from rest_framework.test import APIClient

from evidence.models import EvidenceItem
from evidence.validation import UploadRefused, pdf_active_content, validate_upload
from legalcase.models import Role, Ruling
from tests.evidence import hostile_pdfs
from tests.evidence.conftest import stored_files
from tests.factories import make_matter, make_user

# What the uploader reads for each kind found (the Chinese of ``_pdf_active_labels``).
CHINESE = {
    "javascript": "JavaScript 脚本",
    "launch": "启动外部程序的动作",
    "submit": "提交表单数据的动作",
    "import": "导入数据的动作",
    "remote": "打开其他文件的链接",
    "attachment": "附件（嵌入文件）",
    "media": "嵌入的多媒体内容",
    "xfa": "XFA 动态表单",
    "automatic": "自动执行的动作",
}


def check(name: str, data: bytes):
    with translation.override("zh-hans"):
        return validate_upload(io.BytesIO(data), name, max_bytes=50 * 1024 * 1024)


def test_the_corpus_has_at_least_twenty_hostile_pdfs_each_holding_what_it_claims():
    assert len(hostile_pdfs.HOSTILE) >= 20
    for case, (_build, kind) in hostile_pdfs.HOSTILE.items():
        with pikepdf.open(io.BytesIO(hostile_pdfs.hostile(case))) as pdf:
            assert kind in pdf_active_content(pdf), case


@pytest.mark.parametrize("case", sorted(hostile_pdfs.HOSTILE))
def test_the_validator_refuses_each_hostile_pdf_naming_what_it_found_in_chinese(case):
    kind = hostile_pdfs.HOSTILE[case][1]
    with pytest.raises(UploadRefused) as refused:
        check("借款合同.pdf", hostile_pdfs.hostile(case))
    with translation.override("zh-hans"):
        message = str(refused.value.message)
    assert CHINESE[kind] in message and "打印为新的 PDF" in message, message


@pytest.mark.parametrize("case", sorted(hostile_pdfs.BENIGN))
def test_pdfs_with_links_bookmarks_and_plain_forms_are_accepted(case):
    checked = check("借款合同.pdf", hostile_pdfs.benign(case))
    assert checked.file_type.name == "pdf" and checked.page_count >= 1


@pytest.fixture
def counsel_api():
    client = APIClient()
    client.force_authenticate(make_user(Role.COUNSEL))
    return client


@pytest.mark.django_db
def test_every_hostile_pdf_is_refused_at_the_evidence_upload_and_nothing_is_stored(counsel_api, evidence_storage):
    matter = make_matter()
    for case, (_build, kind) in sorted(hostile_pdfs.HOSTILE.items()):
        body = {"file": SimpleUploadedFile("借款合同.pdf", hostile_pdfs.hostile(case)), "kind": "contract", "title": "借款合同"}
        response = counsel_api.post(f"/api/v1/matters/{matter.pk}/evidence/", body, format="multipart")
        assert response.status_code == 400, (case, response.content)
        assert CHINESE[kind] in response.json()["file"][0], case
    assert not EvidenceItem.objects.exists() and not FilerFile.objects.exists()
    assert stored_files(evidence_storage) == []


@pytest.mark.django_db
def test_every_hostile_pdf_is_refused_at_the_ruling_upload_and_nothing_is_stored(counsel_api, evidence_storage):
    matter = make_matter()
    for case, (_build, kind) in sorted(hostile_pdfs.HOSTILE.items()):
        body = {"file": SimpleUploadedFile("判决书.pdf", hostile_pdfs.hostile(case))}
        response = counsel_api.post(f"/api/v1/matters/{matter.pk}/rulings/", body, format="multipart")
        assert response.status_code == 400, (case, response.content)
        assert CHINESE[kind] in str(response.json()), case
    assert not Ruling.objects.exists() and not EvidenceItem.objects.exists()
    assert stored_files(evidence_storage) == []


@pytest.mark.django_db
def test_a_benign_pdf_with_links_is_stored_as_evidence(counsel_api, evidence_storage):
    matter = make_matter()
    data = hostile_pdfs.benign("link_and_goto")
    body = {"file": SimpleUploadedFile("借款合同.pdf", data), "kind": "contract", "title": "借款合同"}
    response = counsel_api.post(f"/api/v1/matters/{matter.pk}/evidence/", body, format="multipart")
    assert response.status_code == 201, response.content
    assert EvidenceItem.objects.get().file.file.read() == data
