"""The matter page's demand section: send a letter, record its courier events, upload its proof, mask the address."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.models import EvidenceItem
from legalcase.models import DemandRecord, Role
from tests.evidence.samples import pdf_bytes
from tests.factories import make_firm, make_matter, make_user

pytestmark = pytest.mark.django_db


def test_a_collector_sends_a_letter_tracks_it_and_uploads_its_proof_on_the_page(client, settings, tmp_path):
    settings.STORAGE_ROOT = tmp_path
    counsel = make_user(Role.COUNSEL)
    matter = make_matter(overdue_since=dt.date(2022, 10, 8))
    client.force_login(counsel)
    page = client.get(reverse("matter_detail", args=[matter.pk])).content.decode()
    assert "寄送律师函或记录催收" in page and reverse("demand_record", args=[matter.pk]) in page

    form = {
        "date": "2023-09-28", "channel": "letter", "party": matter.debt.debtor_id, "courier": "ems",
        "waybill": "EA555000111CN", "address_kind": "domicile", "address": "北京市朝阳区建国路88号院", "note": "律师函",
    }  # fmt: skip
    section = client.post(reverse("demand_record", args=[matter.pk]), form, HTTP_HX_REQUEST="true").content.decode()
    demand = DemandRecord.objects.get(debt=matter.debt)
    assert "催收已记录" in section and "EA555000111CN" in section
    assert "建国路" not in section and "北京市朝阳区****" in section

    # A time typed in the form is Beijing time.
    track = reverse("demand_track", args=[matter.pk, demand.pk])
    section = client.post(track, {"status": "signed", "at": "2023-10-02T10:15"}, HTTP_HX_REQUEST="true").content.decode()
    demand.refresh_from_db()
    assert (demand.delivered_on, demand.delivery_rule) == (dt.date(2023, 10, 2), "demand.delivery.signed@2021")
    assert "签收，当日送达" in section

    # A bad event is shown next to its field; nothing is stored.
    section = client.post(track, {"status": "refused", "at": "2023-09-01T10:15"}, HTTP_HX_REQUEST="true").content.decode()
    assert "早于信函寄出日期" in section and demand.tracking.count() == 1

    upload = SimpleUploadedFile("签收底单.pdf", pdf_bytes(1), content_type="application/pdf")
    answer = client.post(reverse("evidence_demand_proof", args=[matter.pk, demand.pk]), {"file": upload})
    assert answer.status_code == 302
    demand.refresh_from_db()
    proof = EvidenceItem.objects.get(pk=demand.proof_id)
    assert (proof.kind, proof.matter_id) == ("delivery_proof", matter.pk)
    page = client.get(reverse("matter_detail", args=[matter.pk])).content.decode()
    assert proof.title in page

    # A refused file stores neither evidence nor a link.
    bad = SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    client.post(reverse("evidence_demand_proof", args=[matter.pk, demand.pk]), {"file": bad})
    assert EvidenceItem.objects.filter(matter=matter).count() == 1


def test_another_firms_lawyer_cannot_post_to_the_section(client):
    matter = make_matter()
    demand = DemandRecord.objects.create(debt=matter.debt, date=dt.date(2025, 1, 2), channel="letter", courier="ems", waybill="E1", address_kind="domicile")
    client.force_login(make_user(Role.LAWYER, firm=make_firm()))
    assert client.get(reverse("demands_section", args=[matter.pk])).status_code == 404
    answer = client.post(reverse("demand_track", args=[matter.pk, demand.pk]), {"status": "signed", "at": "2025-01-03T10:00"})
    assert answer.status_code == 404 and not demand.tracking.exists()
