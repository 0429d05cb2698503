"""``manage.py verify_evidence``: a changed or missing file is reported, flagged on the page and in the timeline."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from evidence.services import evidence_upload
from legalcase.models import EventKind, MatterEvent, Role
from tests.evidence import samples
from tests.factories import make_matter, make_user

pytestmark = pytest.mark.django_db


def add(matter, user, name="合同.pdf"):
    upload = SimpleUploadedFile(name, samples.pdf_bytes(1))
    return evidence_upload(user=user, matter_id=matter.pk, uploaded_file=upload, kind="contract", title=name)


def test_intact_files_pass(evidence_storage):
    add(make_matter(), make_user(Role.COUNSEL))
    out = io.StringIO()
    call_command("verify_evidence", stdout=out)
    assert "1 files checked, 0 mismatched." in out.getvalue()


def test_a_tampered_or_missing_file_is_reported_flagged_and_recorded_once(client, evidence_storage):
    user = make_user(Role.COUNSEL)
    matter = make_matter()
    tampered, missing, intact = (
        add(matter, user, "合同.pdf"),
        add(matter, user, "对账单.pdf"),
        add(matter, user, "通知.pdf"),
    )
    (evidence_storage / tampered.file.file.name).write_bytes(samples.pdf_bytes(2))
    (evidence_storage / missing.file.file.name).unlink()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_evidence", stdout=out)
    assert f"MISMATCH evidence {tampered.pk}" in out.getvalue()
    assert f"MISMATCH evidence {missing.pk}" in out.getvalue()
    assert f"evidence {intact.pk} " not in out.getvalue()
    with pytest.raises(CommandError):
        call_command("verify_evidence", stdout=io.StringIO())
    events = MatterEvent.objects.filter(matter=matter, kind=EventKind.EVIDENCE_TAMPERED)
    assert sorted(event.new["evidence"] for event in events) == sorted([tampered.pk, missing.pk])
    client.force_login(user)
    html = client.get(reverse("evidence_section", args=[matter.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert html.count("文件已被改动或缺失") == 2
