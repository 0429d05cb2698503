"""The 证据目录 as an editable DOCX: the same rows as the bundle's PDF index, in 宋体."""

import io
import re
from urllib.parse import quote

import docx
import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx.oxml.ns import qn

from evidence.models import EvidenceBundle
from evidence.services import evidence_upload
from legalcase.jobs import job_run
from legalcase.models import EventKind, MatterEvent, Role
from tests.evidence import samples
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def add(matter, user, name, data, **fields):
    upload = SimpleUploadedFile(name, data)
    return evidence_upload(
        user=user, matter_id=matter.pk, uploaded_file=upload, kind="contract", title=name.rsplit(".", 1)[0], **fields
    )


@pytest.fixture
def built(client):
    user = make_user(Role.COUNSEL)
    matter = make_matter()
    add(matter, user, "借款合同.pdf", samples.pdf_bytes(3), purpose="证明借款关系成立", source="原告提供")
    add(matter, user, "还款记录.png", samples.image_bytes("PNG"), group="还款", purpose="证明已还部分")
    add(matter, user, "收据.pdf", samples.pdf_bytes(2), group="还款", source="被告出具")
    client.force_login(user)
    response = client.post(
        reverse("evidence_api:matter-bundles", args=[matter.pk]), {"title": "一审证据"}, content_type="application/json"
    )
    bundle = EvidenceBundle.objects.get(pk=response.json()["id"])
    job_run(job_id=bundle.job_id)
    bundle.refresh_from_db()
    return client, matter, bundle


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_index_docx_has_the_rows_of_the_pdf_index(built):
    client, matter, bundle = built
    detail = client.get(reverse("evidence_api:bundle-detail", args=[bundle.pk])).json()
    url = reverse("evidence_api:bundle-index-docx", args=[bundle.pk])
    assert detail["index_docx_url"] == url == f"/api/v1/bundles/{bundle.pk}/index.docx"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    filename = f"一审证据-v{bundle.version}-证据目录.docx"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert f"filename*=UTF-8''{quote(filename, safe='')}" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))

    paragraphs = [p.text for p in document.paragraphs if p.text.strip()]
    assert paragraphs[0] == "证据目录"
    case_line = paragraphs[1]
    assert matter.number in case_line and "案件编号" in case_line and "债权人" in case_line and "债务人" in case_line
    assert paragraphs[-1].startswith("提交人（签名或盖章）") and "日期" in paragraphs[-1]

    (table,) = document.tables
    rows = [tuple(cell.text for cell in row.cells) for row in table.rows]
    assert rows[0] == ("序号", "证据名称", "证据来源", "证明目的", "页码")

    # The PDF index: its rows come from the same build; page ranges follow the bookmarks.
    reader = pypdf.PdfReader(io.BytesIO(bundle.file.file.read()))
    outline = [(item.title, reader.get_destination_page_number(item) + 1) for item in reader.outline][1:]
    index_pages = outline[0][1] - 1
    index_text = squash("".join(reader.pages[n].extract_text() for n in range(index_pages)))
    expected = []
    for number, (title, first) in enumerate(outline):
        last = outline[number + 1][1] - 1 if number + 1 < len(outline) else len(reader.pages)
        entry = bundle.manifest[number]
        pages = f"{first}" if first == last else f"{first}-{last}"
        assert title == f"{entry['number']} {entry['title']}"
        expected.append((entry["number"], entry["title"], entry["source"], entry["purpose"], pages))
    assert rows[1:] == expected
    assert [row[0] for row in expected] == ["证据1", "证据2-1", "证据2-2"]
    for row in expected:
        for cell in row:
            assert squash(cell) in index_text

    # 宋体 for East Asian text on every run.
    runs = [run for p in document.paragraphs for run in p.runs] + [
        run for row in table.rows for cell in row.cells for p in cell.paragraphs for run in p.runs
    ]
    assert runs
    for run in runs:
        fonts = run.element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == "宋体"
    assert MatterEvent.objects.filter(matter=matter, kind=EventKind.EVIDENCE_DOWNLOADED, new__index="docx").exists()


def test_the_section_links_the_index_docx(built):
    client, matter, bundle = built
    html = client.get(reverse("evidence_section", args=[matter.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert reverse("evidence_api:bundle-index-docx", args=[bundle.pk]) in html


def test_another_firms_lawyer_gets_404_and_an_unbuilt_bundle_404(built):
    client, _matter, bundle = built
    url = reverse("evidence_api:bundle-index-docx", args=[bundle.pk])
    client.force_login(make_user(Role.LAWYER, firm=make_firm()))
    assert client.get(url).status_code == 404
    EvidenceBundle.objects.filter(pk=bundle.pk).update(file=None)
    client.force_login(make_user(Role.COUNSEL))
    assert client.get(url).status_code == 404
