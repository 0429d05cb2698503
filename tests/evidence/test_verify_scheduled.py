"""The nightly evidence re-hash: the schedule's job runs ``evidence_verify_all`` and keeps what it found."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence.services import evidence_upload, evidence_verify_all
from legalcase.jobs import job_run
from legalcase.models import EventKind, JobStatus, MatterEvent, Role
from legalcase.schedule import ENTRIES, schedule_due
from tests.evidence import samples
from tests.factories import make_matter, make_user

pytestmark = pytest.mark.django_db


def add(matter, user, name):
    upload = SimpleUploadedFile(name, samples.pdf_bytes(1))
    return evidence_upload(user=user, matter_id=matter.pk, uploaded_file=upload, kind="contract", title=name)


def test_the_nightly_job_flags_a_changed_file_and_lists_it_in_its_result(evidence_storage):
    user = make_user(Role.COUNSEL)
    matter = make_matter()
    changed, intact = add(matter, user, "合同.pdf"), add(matter, user, "对账单.pdf")
    (evidence_storage / changed.file.file.name).write_bytes(samples.pdf_bytes(2))
    [run] = schedule_due(
        now=dt.datetime(2026, 3, 2, 2, 0, 4, tzinfo=ZoneInfo("Asia/Shanghai")), entries=[ENTRIES["evidence_verify"]]
    )
    job = job_run(job_id=run.job_id)
    assert job.status == JobStatus.DONE, job.error
    assert job.result["checked"] == 2
    assert job.result["mismatched"] == [{"evidence": changed.pk, "matter": matter.number, "title": "合同.pdf"}]
    event = MatterEvent.objects.get(matter=matter, kind=EventKind.EVIDENCE_TAMPERED)
    assert event.new["evidence"] == changed.pk and intact.pk != changed.pk


def test_progress_is_reported_as_files_are_checked(evidence_storage, monkeypatch):
    monkeypatch.setattr("evidence.services.VERIFY_REPORT_EVERY", 2)
    user = make_user(Role.COUNSEL)
    matter, other = make_matter(), make_matter()
    for name in ("一.pdf", "二.pdf", "三.pdf"):
        add(matter, user, name)
    add(other, user, "四.pdf")
    reports = []
    outcome = evidence_verify_all(report=lambda **kw: reports.append(kw))
    assert outcome == {"checked": 4, "mismatched": []}
    assert reports == [{"done": 2, "total": 4}, {"done": 4, "total": 4}]
    assert evidence_verify_all(matter_id=other.pk)["checked"] == 1
