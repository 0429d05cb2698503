"""The bundle form of the evidence section: ticked items, in the order the user dragged them."""

import io

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.models import EvidenceBundle
from evidence.services import evidence_upload
from legalcase.jobs import job_run
from legalcase.models import Role
from tests.evidence import samples
from tests.factories import make_matter, make_user

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def add(matter, user, title, pages=1):
    upload = SimpleUploadedFile(f"{title}.pdf", samples.pdf_bytes(pages))
    return evidence_upload(user=user, matter_id=matter.pk, uploaded_file=upload, kind="contract", title=title)


def test_the_form_lists_every_item_ticked_with_move_buttons(client):
    matter, user = make_matter(), make_user(Role.COUNSEL)
    items = [add(matter, user, title) for title in ("借款合同", "催收函")]
    client.force_login(user)
    html = client.get(reverse("evidence_section", args=[matter.pk]), **HTMX).content.decode()
    assert "data-bundle-order" in html and 'draggable="true"' in html
    for item in items:
        assert f'name="evidence" value="{item.pk}" checked' in html
    assert html.count('data-move="up"') == html.count('data-move="down"') == 2


def test_ticked_items_are_bundled_in_the_order_sent(client):
    matter, user = make_matter(), make_user(Role.COUNSEL)
    first, second, third = (add(matter, user, title, pages) for title, pages in (("借款合同", 1), ("催收函", 2), ("收据", 1)))
    client.force_login(user)
    response = client.post(
        reverse("evidence_bundle_build", args=[matter.pk]),
        {"title": "一审证据", "pick": "1", "evidence": [third.pk, first.pk]},
        **HTMX,
    )
    assert response.status_code == 200
    bundle = EvidenceBundle.objects.get()
    assert bundle.evidence_ids == [third.pk, first.pk]
    job_run(job_id=bundle.job_id)
    bundle.refresh_from_db()
    assert [entry["evidence"] for entry in bundle.manifest] == [third.pk, first.pk]
    assert [entry["title"] for entry in bundle.manifest] == ["收据", "借款合同"]
    reader = pypdf.PdfReader(io.BytesIO(bundle.file.file.read()))
    index = reader.pages[0].extract_text()
    assert index.index("收据") < index.index("借款合同") and "催收函" not in index
    assert [item.title for item in reader.outline] == ["证据目录", "证据1 收据", "证据2 借款合同"]
    assert second.pk not in bundle.evidence_ids


def test_a_foreign_id_is_refused_by_name_and_nothing_is_stored(client):
    matter, other, user = make_matter(), make_matter(), make_user(Role.COUNSEL)
    mine = add(matter, user, "借款合同")
    foreign = add(other, user, "别人的合同")
    client.force_login(user)
    url = reverse("evidence_bundle_build", args=[matter.pk])
    html = client.post(url, {"title": "证据", "pick": "1", "evidence": [mine.pk, foreign.pk]}, **HTMX).content.decode()
    assert str(foreign.pk) in html and "errorlist" in html
    html = client.post(url, {"title": "证据", "pick": "1", "evidence": [mine.pk, "x1"]}, **HTMX).content.decode()
    assert "x1" in html and "errorlist" in html
    response = client.post(url, {"title": "证据", "pick": "1", "evidence": [foreign.pk]})
    assert response.status_code == 302
    assert not EvidenceBundle.objects.exists()


def test_nothing_ticked_is_refused(client):
    matter, user = make_matter(), make_user(Role.COUNSEL)
    add(matter, user, "借款合同")
    client.force_login(user)
    html = client.post(
        reverse("evidence_bundle_build", args=[matter.pk]), {"title": "证据", "pick": "1"}, **HTMX
    ).content.decode()
    assert "errorlist" in html
    assert not EvidenceBundle.objects.exists()
