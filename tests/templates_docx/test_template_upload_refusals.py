"""Template upload refusals, all in Chinese: Jinja tags in the document properties (core.xml,
app.xml, custom.xml), and a file name too long to keep."""

import io
import zipfile

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from evidence.models import EvidenceItem
from legalcase.models import Role
from templates_docx.models import DocumentTemplate, TemplateEvent
from tests.evidence import samples
from tests.factories import make_matter, make_user
from tests.templates_docx.docx_samples import make_template
from tests.templates_docx.test_registry import GOOD, admin_client, upload  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

CUSTOM_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="案号"><vt:lpwstr>%s</vt:lpwstr></property>'
    "</Properties>"
)


def with_part(content: bytes, name: str, text: str | None = None, *, replace: tuple[str, str] | None = None) -> bytes:
    """``content`` with part ``name`` added (``text``) or edited (``replace`` old -> new)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == name and replace:
                data = data.decode().replace(*replace).encode()
            target.writestr(info, data)
        if text is not None:
            target.writestr(name, text)
    return out.getvalue()


def refused(response, status: int = 200) -> str:
    assert response.status_code == status
    assert not DocumentTemplate.objects.filter(code="test_filing").exists() and not TemplateEvent.objects.exists()
    return response.content.decode()


@pytest.mark.parametrize(
    ("part", "make"),
    [
        ("core.xml", lambda: make_template(GOOD, title="{{r debtor.name }}")),
        ("core.xml", lambda: make_template(GOOD, title="{%p if debtor.name %}")),
        ("app.xml", lambda: with_part(make_template(GOOD), "docProps/app.xml", replace=("</Properties>", "<Company>{{ debtor.name }}</Company></Properties>"))),
        ("custom.xml", lambda: with_part(make_template(GOOD), "docProps/custom.xml", CUSTOM_XML % "{{r case_number }}")),
    ],
)
def test_a_jinja_tag_in_the_document_properties_is_refused_in_chinese(admin_client, part, make):  # noqa: F811
    html = refused(upload(admin_client, make()))
    assert f"文档属性（docProps/{part}）" in html, html[html.find("errorlist") - 200 : html.find("errorlist") + 600]


def test_a_plain_variable_in_the_title_is_still_allowed(admin_client):  # noqa: F811
    response = upload(admin_client, make_template(GOOD, title="{{ debtor.name }}"))
    assert response.status_code == 302


def multipart(fields: dict, filename: str, content: bytes, *, field: str = "file") -> tuple[bytes, str]:
    """A form body as a browser sends it: the test client's SimpleUploadedFile cuts names to 255."""
    boundary = "----fasu-test-boundary"
    lines = []
    for key, value in fields.items():
        lines += [f"--{boundary}", f'Content-Disposition: form-data; name="{key}"', "", value]
    lines += [
        f"--{boundary}",
        f'Content-Disposition: form-data; name="{field}"; filename="{filename}"',
        "Content-Type: application/octet-stream",
        "",
    ]
    body = "\r\n".join(lines).encode() + b"\r\n" + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


LONG_NAME = "起诉状" * 200 + ".docx"  # 605 characters, 1,805 bytes in UTF-8


def test_a_600_character_file_name_is_refused_in_chinese_not_with_the_parsers_english(admin_client):  # noqa: F811
    fields = {"code": "test_filing", "name": "测试文书", "effective_from": "2026-01-01", "activate": "on"}
    body, content_type = multipart(fields, LONG_NAME, make_template(GOOD))
    html = refused(admin_client.post(reverse("template_registry"), body, content_type=content_type), 400)
    assert "文件名过长，请将文件改名（不超过 255 个字符）后重新上传。" in html and "header size" not in html


def test_the_same_name_at_the_api_is_a_400_in_chinese(evidence_storage):
    api = APIClient()
    api.force_authenticate(make_user(Role.COUNSEL))
    matter = make_matter()
    body, content_type = multipart({"kind": "contract", "title": "借款合同"}, LONG_NAME[:-5] + ".pdf", samples.pdf_bytes(1))
    response = api.generic("POST", f"/api/v1/matters/{matter.pk}/evidence/", body, content_type=content_type)
    assert response.status_code == 400
    assert response.json() == {"detail": "文件名过长，请将文件改名（不超过 255 个字符）后重新上传。"}
    assert not EvidenceItem.objects.exists()


def test_a_300_character_latin_name_that_django_would_cut_silently_is_refused_too(admin_client):  # noqa: F811
    fields = {"code": "test_filing", "name": "测试文书", "effective_from": "2026-01-01", "activate": "on"}
    body, content_type = multipart(fields, "a" * 300 + ".docx", make_template(GOOD))
    html = refused(admin_client.post(reverse("template_registry"), body, content_type=content_type), 400)
    assert "文件名过长，请将文件改名（不超过 255 个字符）后重新上传。" in html
