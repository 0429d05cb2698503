"""The template registry: administrators upload checked versions; old versions stay; audited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from legalcase.models import Role
from templates_docx.models import DocumentTemplate, TemplateEvent
from tests.factories import make_user
from tests.templates_docx.docx_samples import make_template

pytestmark = pytest.mark.django_db

GOOD = "被告：{{ debtor.name }}，标的 {{ debt.claim_total|rmb_upper }}"


def upload(client, content: bytes, *, code="test_filing", name="测试文书.docx", **fields):
    body = {
        "code": code,
        "name": "测试文书",
        "form_version": "",
        "effective_from": "2026-01-01",
        "file": SimpleUploadedFile(name, content),
        "activate": "on",
        **fields,
    }
    return client.post(reverse("template_registry"), body)


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(Role.ADMIN))
    return client


def test_an_administrator_uploads_a_version_with_the_variables_read_from_the_file(admin_client):
    response = upload(admin_client, make_template(GOOD))
    assert response.status_code == 302
    template = DocumentTemplate.objects.get(code="test_filing")
    assert template.version == 1 and template.active
    assert template.variables == ["debtor.name", "debt.claim_total"]
    assert list(TemplateEvent.objects.filter(template=template).values_list("kind", flat=True)) == ["activated", "uploaded"]


def test_a_second_upload_is_a_new_version_and_the_old_one_stays(admin_client):
    upload(admin_client, make_template(GOOD))
    upload(admin_client, make_template(GOOD + "。"))
    assert list(DocumentTemplate.objects.filter(code="test_filing").values_list("version", flat=True)) == [2, 1]
    page = admin_client.get(reverse("template_registry")).content.decode()
    assert "v1" in page and "v2" in page


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"not a zip at all", "x.docx", "不是有效的 Word"),
        (make_template("{{ debtor.nmae }}"), "x.docx", "未知变量 debtor.nmae"),
        (make_template("{{ debtor.name|attr('x') }}"), "x.docx", "不允许使用的过滤器 attr"),
        (make_template("{% macro m() %}{% endmacro %}"), "x.docx", "macro"),
        (make_template("{{ debtor.name "), "x.docx", "模板语法错误"),
        (make_template("{{ debtor.name * 100000000 }}"), "x.docx", "试生成失败"),
        (make_template("没有变量"), "x.docx", "没有任何变量"),
        (make_template(GOOD), "x.pdf", ".docx"),
    ],
)
def test_a_bad_template_is_refused_with_the_reason_and_nothing_is_stored(admin_client, content, name, message):
    response = upload(admin_client, content, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DocumentTemplate.objects.filter(code="test_filing").exists()
    assert not TemplateEvent.objects.exists()


def test_a_zip_with_a_path_outside_the_document_is_refused(admin_client):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(make_template(GOOD))) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("../../evil.xml", "<x/>")
    response = upload(admin_client, buffer.getvalue())
    assert "部件名称不安全" in response.content.decode()
    assert not DocumentTemplate.objects.filter(code="test_filing").exists()


def test_a_zip_bomb_is_refused(admin_client):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(make_template(GOOD))) as source, zipfile.ZipFile(
        buffer, "w", zipfile.ZIP_DEFLATED
    ) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("word/media/bomb.xml", b"0" * (80 * 1024 * 1024))
    response = upload(admin_client, buffer.getvalue())
    assert "解压后的内容过大" in response.content.decode() or "压缩比异常" in response.content.decode()
    assert not DocumentTemplate.objects.filter(code="test_filing").exists()


@pytest.mark.parametrize("role", [Role.COUNSEL, Role.LAWYER, Role.MANAGER])
def test_only_administrators_upload_or_activate(client, role):
    from tests.factories import make_firm

    client.force_login(make_user(role, firm=make_firm() if role == Role.LAWYER else None))
    assert upload(client, make_template(GOOD)).status_code == 403
    assert not DocumentTemplate.objects.filter(code="test_filing").exists()
    page = client.get(reverse("template_registry"))
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' not in page.content.decode()
    template = DocumentTemplate.objects.order_by("pk").first()
    if template is not None:
        active = template.active
        assert client.post(reverse("template_activate", args=[template.pk]), {"active": "0"}).status_code == 403
        template.refresh_from_db()
        assert template.active == active


def test_retiring_and_activating_are_audited(admin_client):
    upload(admin_client, make_template(GOOD))
    template = DocumentTemplate.objects.get(code="test_filing")
    admin_client.post(reverse("template_activate", args=[template.pk]), {"active": "0"})
    template.refresh_from_db()
    assert not template.active
    admin_client.post(reverse("template_activate", args=[template.pk]), {"active": "1"})
    assert list(TemplateEvent.objects.filter(template=template).order_by("pk").values_list("kind", flat=True)) == [
        "uploaded",
        "activated",
        "deactivated",
        "activated",
    ]
