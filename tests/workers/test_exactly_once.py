"""Exactly once under faults: a worker killed at any step of a batch chunk, an import or a
bulk job loses and doubles nothing; a job given up on settles its items with the reason.

A kill is a ``Killed`` (a BaseException, as SIGKILL is not catchable either) raised at the
step; the job then stays ``running`` with its lease, the clock moves past the lease, and
``jobs_requeue_stale`` sends it again, as the periodic sweep does after a real crash.
LibreOffice is faked: its output is a one-page PDF per DOCX.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from filer.models import File as FilerFile

import templates_docx.batches as batches
from evidence.models import EvidenceBundle
from legalcase.importing import storing as importing  # the chunking lives in the storing half
from legalcase.files import file_storage
from legalcase.jobs import JobReporter, job_run, jobs_requeue_stale
from legalcase.models import EventKind, Job, JobStatus, Matter, MatterEvent, Role
from legalcase.services import matters_bulk_start
from legalcase.services import matters as matter_services
from templates_docx.models import Batch, GeneratedDocument
from tests.evidence import samples
from tests.evidence.conftest import evidence_storage, stored_files  # noqa: F401  (private storage in a temp dir)
from tests.factories import make_firm, make_matter, make_user
from tests.legalcase.test_import import csv_bytes, row
from tests.templates_docx.test_batches import add_exhibit, read_zip

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
MATTERS = 5  # one chunk (MIN_CHUNK)


class Killed(BaseException):
    """The worker process dies here."""


def fake_convert_many(paths, *, outdir=None, timeout=None, on_ready=None):
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    results = {}
    for path in map(Path, paths):
        target = outdir / f"{path.stem}.pdf"
        target.write_bytes(samples.pdf_bytes(1))
        results[path] = target
        if on_ready is not None:
            on_ready(path, target)
    return results


@pytest.fixture
def fake_libreoffice(monkeypatch):
    monkeypatch.setattr(batches, "convert_many", fake_convert_many)
    monkeypatch.setattr(batches, "conversion_available", lambda: True)


@pytest.fixture
def counsel(client):
    user = make_user(Role.COUNSEL)
    client.force_login(user)
    client.user = user
    return client


def kill_on_call(monkeypatch, target, name: str, *, call: int, after: bool = False, every: bool = False):
    """Replace ``target.name`` so that its ``call``-th call (and every later one with ``every``)
    kills the worker, before the original runs, or after it returned with ``after``."""
    original = getattr(target, name)
    counter = itertools.count(1)

    def wrapper(*args, **kwargs):
        number = next(counter)
        dies = number == call or (every and number > call)
        if dies and not after:
            raise Killed(name)
        result = original(*args, **kwargs)
        if dies:
            raise Killed(name)
        return result

    monkeypatch.setattr(target, name, wrapper)
    return original


def run_killed(job_id) -> None:
    with pytest.raises(Killed):
        job_run(job_id=job_id)


def resume_after_lease(attempt: int) -> None:
    """The clock past the dead worker's lease; the sweep sends the job again."""
    lease = dt.timedelta(seconds=django_settings.JOB_LEASE_SECONDS + 1)
    return time_machine.travel(START + attempt * lease, tick=False)


def start_batch(client, matters, *, bundle=True) -> Batch:
    response = client.post(
        reverse("templates_api:batch-list"),
        {"matters": [m.pk for m in matters], "template": "complaint_credit_card", "bundle": bundle},
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    batch = Batch.objects.get(pk=response.json()["id"])
    job_run(job_id=batch.job_id)  # the coordinating job: one chunk
    return batch


def assert_exactly_once(batch: Batch, root: Path, *, done: int) -> None:
    items = list(batch.items.order_by("position"))
    assert [item.status for item in items] == ["done"] * done + ["failed"] * (len(items) - done)
    matter_ids = [item.matter_id for item in items]
    for matter_id in matter_ids[:done]:
        assert GeneratedDocument.objects.filter(matter_id=matter_id).count() == 1
        assert EvidenceBundle.objects.filter(matter_id=matter_id).count() == 1
        assert MatterEvent.objects.filter(matter_id=matter_id, kind=EventKind.DOCUMENT_REQUESTED).count() == 1
    item_documents = {item.document_id for item in items if item.document_id}
    assert set(GeneratedDocument.objects.values_list("pk", flat=True)) == item_documents
    for item in items[:done]:
        assert item.bundle_id and item.bundle.file_id
        assert [entry["name"].rsplit(".", 1)[1] for entry in item.files] == ["docx", "pdf", "pdf"]
        assert item.files[2] == {
            "name": "证据材料.pdf", "sha256": item.bundle.sha256, "size": item.bundle.file.size, "file": item.bundle.file_id
        }
    # No orphan: every stored file has its row, every row its file.
    on_disk = {str(path.relative_to(root)) for path in stored_files(root)}
    assert on_disk == set(FilerFile.objects.values_list("file", flat=True))


def chunk_of(batch: Batch) -> Job:
    return Job.objects.get(kind="batch_chunk", payload__batch_id=batch.pk)


# (where the worker dies, how: module attribute, which call, after it returned)
KILL_POINTS = {
    "before render": ("matter_context", 3, False),
    "after render, before PDF": ("_convert_while", 1, False),
    "after PDF, before storing": ("_store", 3, False),
    "after a bundle was stored": ("_bundle", 2, True),
    "before the item's commit": ("record_event", 3, False),
}


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_chunk_killed_at_any_step_and_run_again_processes_every_matter_once(
    point, counsel, evidence_storage, fake_libreoffice, monkeypatch
):
    name, call, after = KILL_POINTS[point]
    matters = [make_matter() for _ in range(MATTERS)]
    for matter in matters:
        add_exhibit(matter, counsel.user)
    with time_machine.travel(START, tick=False):
        batch = start_batch(counsel, matters)
        chunk = chunk_of(batch)
        original = kill_on_call(monkeypatch, batches, name, call=call, after=after)
        run_killed(chunk.pk)
    monkeypatch.setattr(batches, name, original)
    assert Job.objects.get(pk=chunk.pk).status == JobStatus.RUNNING
    with resume_after_lease(1):
        assert jobs_requeue_stale() == 1
        finished = job_run(job_id=chunk.pk)
    assert finished.status == JobStatus.DONE and finished.attempts == 2
    assert_exactly_once(batch, evidence_storage, done=MATTERS)
    counsel.force_login(counsel.user)  # the session saved under the travelled clock has expired
    detail = counsel.get(reverse("templates_api:batch-detail", args=[batch.pk])).json()
    assert (detail["status"], detail["done"], detail["failed"], detail["errors"]) == ("done", MATTERS, 0, [])
    assert len({name.split("/")[0] for name in read_zip(counsel, batch.pk).namelist() if "/" in name}) == MATTERS


def test_a_chunk_that_dies_on_its_last_attempt_fails_its_unfinished_matters_and_the_batch_ends(
    counsel, evidence_storage, fake_libreoffice, monkeypatch
):
    matters = [make_matter() for _ in range(MATTERS)]
    for matter in matters:
        add_exhibit(matter, counsel.user)
    # Two matters are stored, then the worker dies at the third, on every attempt.
    kill_on_call(monkeypatch, batches, "record_event", call=3, every=True)
    with time_machine.travel(START, tick=False):
        batch = start_batch(counsel, matters)
        chunk = chunk_of(batch)
        run_killed(chunk.pk)
    for attempt in (1, 2):
        with resume_after_lease(attempt):
            assert jobs_requeue_stale() == 1
            run_killed(chunk.pk)
    with resume_after_lease(3):
        assert jobs_requeue_stale() == 0  # given up on, not sent again
    chunk.refresh_from_db()
    assert chunk.status == JobStatus.FAILED
    assert chunk.error == "工作进程在运行此任务时中断了 3 次，已停止重试"
    assert_exactly_once(batch, evidence_storage, done=2)
    failed = list(batch.items.filter(status="failed").order_by("position"))
    assert [item.error for item in failed] == ["未能处理：工作进程在运行此任务时中断了 3 次，已停止重试"] * 3
    assert all(item.finished_at is not None for item in failed)

    counsel.force_login(counsel.user)  # the session saved under the travelled clock has expired
    detail = counsel.get(reverse("templates_api:batch-detail", args=[batch.pk])).json()
    assert (detail["status"], detail["done"], detail["failed"]) == ("done", 2, 3)
    assert [error["matter"] for error in detail["errors"]] == [m.pk for m in matters[2:]]
    assert detail["download_url"] == reverse("templates_api:batch-download", args=[batch.pk])
    archive = read_zip(counsel, batch.pk)
    assert {name.split("/")[0] for name in archive.namelist() if "/" in name} == {
        f"{m.number}_{m.debtor_name}" for m in matters[:2]
    }
    manifest = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert [line[0] for line in manifest[1:]] == [m.number for m in matters[:2]]
    assert archive.read("failed.csv").startswith("\ufeff".encode())
    failed_rows = list(csv.reader(io.StringIO(archive.read("failed.csv").decode("utf-8-sig"))))
    assert failed_rows[0] == ["matter_number", "debtor_name", "error"]
    assert [(line[0], line[2]) for line in failed_rows[1:]] == [
        (m.number, "未能处理：工作进程在运行此任务时中断了 3 次，已停止重试") for m in matters[2:]
    ]
    items = counsel.get(reverse("templates_api:batch-items", args=[batch.pk]), {"status": "failed"}).json()
    assert [(i["matter"], i["status"], i["files"]) for i in items["results"]] == [(m.pk, "failed", []) for m in matters[2:]]


def test_a_chunk_whose_handler_raises_fails_its_matters_with_the_reason(
    counsel, evidence_storage, fake_libreoffice, monkeypatch
):
    matters = [make_matter() for _ in range(MATTERS)]

    def broken(*args, **kwargs):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(batches, "_convert_while", broken)
    batch = start_batch(counsel, matters, bundle=False)
    finished = job_run(job_id=chunk_of(batch).pk)
    assert finished.status == JobStatus.FAILED and finished.error == "RuntimeError: 磁盘已满"
    assert set(batch.items.values_list("status", "error")) == {("failed", "未能处理：RuntimeError: 磁盘已满")}
    detail = counsel.get(reverse("templates_api:batch-detail", args=[batch.pk])).json()
    assert (detail["status"], detail["done"], detail["failed"], detail["download_url"]) == ("done", 0, MATTERS, None)
    response = counsel.get(reverse("templates_api:batch-download", args=[batch.pk]))
    assert response.status_code == 400 and "没有成功" in str(response.json())
    assert not MatterEvent.objects.filter(kind=EventKind.DOCUMENT_DOWNLOADED).exists()
    assert stored_files(evidence_storage) == []


def test_a_batch_whose_coordinating_job_is_given_up_on_fails_every_matter(counsel, monkeypatch):
    matters = [make_matter() for _ in range(3)]
    # The first call stores the batch's own job; the coordinating job dies making chunks.
    kill_on_call(monkeypatch, batches, "job_create", call=2, every=True)
    with time_machine.travel(START, tick=False):
        response = counsel.post(
            reverse("templates_api:batch-list"),
            {"matters": [m.pk for m in matters], "template": "complaint_credit_card"},
            content_type="application/json",
        )
    batch = Batch.objects.get(pk=response.json()["id"])
    for attempt in range(3):
        with time_machine.travel(START + attempt * dt.timedelta(hours=1), tick=False):
            run_killed(batch.job_id)
    with time_machine.travel(START + dt.timedelta(hours=4), tick=False):
        jobs_requeue_stale()
    assert not Job.objects.filter(kind="batch_chunk").exists()
    assert set(batch.items.values_list("status", flat=True)) == {"failed"}
    assert batch.status == "done"


# --- The import job -------------------------------------------------------------------------

ROWS = 25
CHUNK = 10
BAD_LINES = {4, 16}  # a bad row in the first chunk and one in the second (header = line 1)


@pytest.fixture
def import_job(client, tmp_storage, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", CHUNK)
    counsel = make_user(Role.COUNSEL)
    rows = [row(n, product="mortgage") if n + 2 in BAD_LINES else row(n) for n in range(ROWS)]
    client.force_login(counsel)
    with time_machine.travel(START, tick=False):
        client.post(reverse("escalation_import"), {"file": SimpleUploadedFile("导出.csv", csv_bytes(rows))})
    return Job.objects.get(kind="escalations_import")


def errors_lines(job: Job) -> list[str]:
    with file_storage().open(importing.stored_errors_name(job.payload["file"]), "rb") as stored:
        return [line[0] for line in csv.reader(io.TextIOWrapper(stored, encoding="utf-8-sig", newline=""))]


def test_an_import_killed_mid_chunk_resumes_after_the_last_stored_chunk_and_counts_each_row_once(
    import_job, monkeypatch
):
    # The worker dies while the second chunk's errors are written and its progress recorded.
    original = JobReporter.__call__

    def dying(self, *, done, total=None, result=None):
        if result and result.get("resume", {}).get("done") == 2 * CHUNK:
            raise Killed("report")
        return original(self, done=done, total=total, result=result)

    monkeypatch.setattr(JobReporter, "__call__", dying)
    with time_machine.travel(START, tick=False):
        run_killed(import_job.pk)
    import_job.refresh_from_db()
    assert import_job.progress_done == CHUNK and Matter.objects.count() == CHUNK - 1
    monkeypatch.setattr(JobReporter, "__call__", original)
    with resume_after_lease(1):
        assert jobs_requeue_stale() == 1
        finished = job_run(job_id=import_job.pk)
    assert finished.status == JobStatus.DONE, finished.error
    assert {key: finished.result[key] for key in ("created", "updated", "unchanged", "rejected")} == {
        "created": ROWS - 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 2,
    }
    assert Matter.objects.count() == ROWS - 2
    assert MatterEvent.objects.filter(kind=EventKind.CREATED).count() == ROWS - 2
    assert errors_lines(finished) == ["行号", *map(str, sorted(BAD_LINES))]


def test_an_import_given_up_on_says_how_far_it_got(import_job, monkeypatch):
    kill_on_call(monkeypatch, importing, "_chunk_store", call=2, every=True)
    with time_machine.travel(START, tick=False):
        run_killed(import_job.pk)
    for attempt in (1, 2):
        with resume_after_lease(attempt):
            assert jobs_requeue_stale() == 1
            run_killed(import_job.pk)
    with resume_after_lease(3):
        jobs_requeue_stale()
    import_job.refresh_from_db()
    assert import_job.status == JobStatus.FAILED
    assert import_job.error.startswith("工作进程在运行此任务时中断了 3 次，已停止重试。已处理前 10 行（至第 11 行）")
    assert import_job.result["created"] == CHUNK - 1 and Matter.objects.count() == CHUNK - 1


# --- The bulk job ---------------------------------------------------------------------------


def test_a_bulk_job_killed_mid_way_assigns_every_matter_once(monkeypatch):
    counsel, firm = make_user(Role.COUNSEL), make_firm()
    matters = [make_matter() for _ in range(6)]
    with time_machine.travel(START, tick=False):
        job = matters_bulk_start(user=counsel, action="assign_firm", matter_ids=[m.pk for m in matters], firm_id=firm.pk)
        # Dies after the fourth matter's change, before its progress was recorded.
        original = kill_on_call(monkeypatch, matter_services, "_bulk_apply_one", call=4, after=True)
        run_killed(job.pk)
    monkeypatch.setattr(matter_services, "_bulk_apply_one", original)
    assert Job.objects.get(pk=job.pk).progress_done == 3
    assert MatterEvent.objects.filter(kind=EventKind.FIRM_ASSIGNED).count() == 3
    with resume_after_lease(1):
        jobs_requeue_stale()
        finished = job_run(job_id=job.pk)
    assert finished.status == JobStatus.DONE and finished.result["failed"] == 0
    for matter in matters:
        assert MatterEvent.objects.filter(matter=matter, kind=EventKind.FIRM_ASSIGNED).count() == 1
        assert matter.assignments.count() == 1


def test_a_bulk_job_given_up_on_fails_the_matters_it_did_not_reach(monkeypatch):
    counsel, firm = make_user(Role.COUNSEL), make_firm()
    matters = [make_matter() for _ in range(5)]
    kill_on_call(monkeypatch, matter_services, "_bulk_apply_one", call=3, every=True)
    with time_machine.travel(START, tick=False):
        job = matters_bulk_start(user=counsel, action="assign_firm", matter_ids=[m.pk for m in matters], firm_id=firm.pk)
        run_killed(job.pk)
    for attempt in (1, 2):
        with resume_after_lease(attempt):
            jobs_requeue_stale()
            run_killed(job.pk)
    with resume_after_lease(3):
        jobs_requeue_stale()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "工作进程在运行此任务时中断了 3 次，已停止重试。已处理 2 个案件，其余 3 个未处理。"
    assert job.result["failed"] == 3
    assert job.result["errors"] == [
        {"matter": m.pk, "error": "未处理：工作进程在运行此任务时中断了 3 次，已停止重试"} for m in matters[2:]
    ]
    assert MatterEvent.objects.filter(kind=EventKind.FIRM_ASSIGNED).count() == 2


def test_a_give_up_handler_that_fails_leaves_the_job_to_be_given_up_again(monkeypatch):
    counsel = make_user(Role.COUNSEL)
    matters = [make_matter() for _ in range(2)]
    job = matters_bulk_start(user=counsel, action="unassign_firm", matter_ids=[m.pk for m in matters])
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=3, lease_expires_at=START, claim="00000000-0000-0000-0000-000000000001"
    )

    def refuses(*, job, reason):
        raise RuntimeError("database hiccup")

    original = matter_services.matters_bulk_give_up
    monkeypatch.setattr(matter_services, "matters_bulk_give_up", refuses)
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        jobs_requeue_stale()
        assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING
        monkeypatch.setattr(matter_services, "matters_bulk_give_up", original)
        jobs_requeue_stale()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.result["failed"] == 2


# --- A single document ------------------------------------------------------------------------


def test_a_document_whose_generation_is_given_up_on_fails_with_the_reason(counsel, monkeypatch):
    import templates_docx.services as document_services

    matter = make_matter()
    response = counsel.post(
        reverse("templates_api:matter-documents", args=[matter.pk]), {"template": "evidence_list"},
        content_type="application/json",
    )
    document = GeneratedDocument.objects.get(pk=response.json()["id"])
    kill_on_call(monkeypatch, document_services, "document_render", call=1, every=True)
    for attempt in range(3):
        with time_machine.travel(START + attempt * dt.timedelta(hours=1), tick=False):
            run_killed(document.job_id)
    document.refresh_from_db()
    assert document.status == "running"
    with time_machine.travel(START + dt.timedelta(hours=4), tick=False):
        jobs_requeue_stale()
    document.refresh_from_db()
    assert (document.status, document.error) == ("failed", "工作进程在运行此任务时中断了 3 次，已停止重试")
    counsel.force_login(counsel.user)
    detail = counsel.get(reverse("templates_api:document-detail", args=[document.pk])).json()
    assert (detail["status"], detail["error"]) == ("failed", "工作进程在运行此任务时中断了 3 次，已停止重试")
