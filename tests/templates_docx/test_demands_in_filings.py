"""Evidence of collection in filings (issue 18): the 通知和催收 item and the 证据目录 list delivered
demands with their proof; an undelivered letter is listed as sent, never as delivered."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from evidence.services import evidence_upload
from legalcase.models import Role
from legalcase.services.demands import demand_record, demand_track, demand_update
from templates_docx.context import matter_context
from templates_docx.models import DocumentTemplate
from templates_docx.rendering import render_docx
from tests.evidence import samples
from tests.factories import make_matter, make_user
from tests.templates_docx.docx_samples import read_back

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 15)))


def test_the_complaint_and_the_evidence_list_claim_only_the_delivered_letter(evidence_storage):
    counsel = make_user(Role.COUNSEL)
    matter = make_matter(overdue_since=dt.date(2024, 11, 5))
    common = {"user": counsel, "matter_id": matter.pk, "channel": "letter", "address": "北京市朝阳区建国路88号"}
    signed, _ = demand_record(date=dt.date(2025, 3, 3), courier="ems", waybill="EA1CN", address_kind="domicile", **common)
    returned, _ = demand_record(date=dt.date(2025, 4, 1), courier="sf", waybill="SF2", address_kind="domicile", **common)
    demand_track(user=counsel, demand_id=signed.pk, status="signed", at=at(dt.date(2025, 3, 5)))
    demand_track(user=counsel, demand_id=returned.pk, status="returned", at=at(dt.date(2025, 4, 8)))
    for demand in (signed, returned):
        proof = evidence_upload(
            user=counsel, matter_id=matter.pk, kind="delivery_proof", title=f"邮件详情单{demand.waybill}",
            uploaded_file=SimpleUploadedFile("详情单.pdf", samples.pdf_bytes(1)),
        )  # fmt: skip
        demand_update(user=counsel, demand_id=demand.pk, changes={"proof": proof.pk})

    context = matter_context(matter, today=TODAY)
    first, second = context["demands"]
    assert (first["delivered"], first["delivery"], first["proof"]) == (True, "张三于2025年3月5日签收", "证据1")
    assert (second["delivered"], second["delivery"], second["delivered_on"]) == (False, "", "")
    purposes = [item["purpose"] for item in context["evidence"]]
    assert purposes[0].endswith("张三于2025年3月5日签收，诉讼时效自该日中断")
    assert "送达" not in purposes[1] and "中断" not in purposes[1] and "SF2" in purposes[1]

    complaint = DocumentTemplate.objects.filter(code="complaint_credit_card").current(on=TODAY).get()
    body = read_back(render_docx(bytes(complaint.content), context).docx)["body"]
    assert "2025年3月3日，以信函方式向张三催收（EMS，运单号EA1CN），张三于2025年3月5日签收（见证据1）；" in body
    assert "2025年4月1日，以信函方式向张三催收（顺丰速运，运单号SF2）；" in body
    listing = DocumentTemplate.objects.filter(code="evidence_list").current(on=TODAY).get()
    body = read_back(render_docx(bytes(listing.content), context).docx)["body"]
    assert "邮件详情单EA1CN" in body and "诉讼时效自该日中断" in body
