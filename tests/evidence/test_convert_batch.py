"""Batch conversion: several DOCX/XLSX files in one LibreOffice run, and the batching job handler.

The tests that run soffice skip where it is not installed (CI installs it: .ci/run).
"""

from pathlib import Path

import pikepdf
import pypdf
import pytest

from evidence import conversion
from evidence.models import PdfStatus
from legalcase.jobs import job_claim, job_run
from legalcase.models import Job, JobStatus, Role
from tests.evidence.test_conversion import CLAUSES, chinese_docx, soffice_processes, upload
from tests.factories import make_matter, make_user

pytestmark = pytest.mark.django_db

needs_soffice = pytest.mark.skipif(
    conversion.soffice_path() is None,
    reason="LibreOffice (soffice) is not installed here, so nothing can be converted; "
    ".ci/run installs libreoffice-writer-nogui",
)


@pytest.fixture
def soffice_runs(monkeypatch):
    """The input files of every soffice run, one list per run."""
    runs = []
    real = conversion._run

    def counting(command, **kwargs):
        runs.append([Path(arg).name for arg in command[command.index("--outdir") + 2 :]])
        return real(command, **kwargs)

    monkeypatch.setattr(conversion, "_run", counting)
    return runs


def pdf_text(path: Path) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(path).pages).replace(" ", "")


@needs_soffice
@pytest.mark.libreoffice
def test_convert_many_converts_three_docx_files_in_one_soffice_run(tmp_path, soffice_runs):
    paths = []
    for number, pages in enumerate((1, 2, 3), start=1):
        path = tmp_path / f"借款合同{number}.docx"
        path.write_bytes(chinese_docx(pages=pages))
        paths.append(path)
    results = conversion.convert_many(paths, outdir=tmp_path / "out")
    assert len(soffice_runs) == 1 and len(soffice_runs[0]) == 3
    assert list(results) == paths
    for path, pages in zip(paths, (1, 2, 3)):
        pdf = results[path]
        assert isinstance(pdf, Path) and pdf.parent == tmp_path / "out", pdf
        with pikepdf.open(pdf) as opened:
            assert len(opened.pages) == pages
        text = pdf_text(pdf)
        assert "借款人张三" in text and "100000元" in text
        if pages > 1:
            assert "二〇二四年一月十五日" in text
    assert not soffice_processes()


@needs_soffice
@pytest.mark.libreoffice
def test_one_broken_file_among_good_ones_fails_alone(tmp_path, soffice_runs):
    good = chinese_docx(pages=1)
    first, broken, last = tmp_path / "a.docx", tmp_path / "broken.docx", tmp_path / "c.docx"
    first.write_bytes(good)
    broken.write_bytes(good[: len(good) // 2])  # a truncated zip: LibreOffice cannot load it
    last.write_bytes(good)
    results = conversion.convert_many([first, broken, last], outdir=tmp_path / "out")
    assert isinstance(results[broken], conversion.ConversionFailed)
    assert "未生成 PDF" in str(results[broken])
    for path in (first, last):
        assert isinstance(results[path], Path)
        assert CLAUSES[0].split("　")[1][:5] in pdf_text(results[path])
    # One run for the batch, then the broken file once more on its own.
    assert soffice_runs == [["00000.docx", "00001.docx", "00002.docx"], ["00001.docx"]]


@needs_soffice
def test_files_with_one_stem_and_unconvertible_files_get_their_own_results(tmp_path):
    openpyxl = pytest.importorskip("openpyxl", reason="openpyxl is not installed")
    book = openpyxl.Workbook()
    book.active.append(["还款金额", "5000.00"])
    (tmp_path / "合同.docx").write_bytes(chinese_docx(pages=1))
    book.save(tmp_path / "合同.xlsx")
    (tmp_path / "note.txt").write_text("x")
    results = conversion.convert_many(
        [tmp_path / "合同.docx", tmp_path / "合同.xlsx", tmp_path / "note.txt"], outdir=tmp_path / "out"
    )
    assert isinstance(results[tmp_path / "note.txt"], conversion.ConversionFailed)
    docx_pdf, xlsx_pdf = results[tmp_path / "合同.docx"], results[tmp_path / "合同.xlsx"]
    assert docx_pdf != xlsx_pdf and "借款人张三" in pdf_text(docx_pdf) and "还款金额" in pdf_text(xlsx_pdf)


def test_convert_many_without_libreoffice_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(conversion, "SOFFICE_PATH", str(tmp_path / "missing-soffice"))
    path = tmp_path / "a.docx"
    path.write_bytes(chinese_docx(pages=1))
    with pytest.raises(conversion.ConversionUnavailable, match="PDF 转换不可用"):
        conversion.convert_many([path])


@needs_soffice
def test_the_handler_claims_pending_conversions_and_finishes_each(settings, soffice_runs):
    settings.EVIDENCE_CONVERT_BATCH = 10
    counsel = make_user(Role.COUNSEL)
    matter = make_matter()
    items = [upload(counsel, matter, f"借款合同{n}.docx", chinese_docx(pages=n)) for n in (1, 2, 3)]
    # Its stored original no longer matches its SHA-256: that job fails, alone.
    tampered = upload(counsel, matter, "补充协议.docx", chinese_docx(pages=1))
    with tampered.file.file.storage.open(tampered.file.file.name, "wb") as handle:
        handle.write(chinese_docx(pages=2))
    # Another worker holds this one: it is not touched.
    elsewhere = upload(counsel, matter, "还款计划.docx", chinese_docx(pages=1))
    other_claim = job_claim(job_id=elsewhere.pdf_job_id)
    assert other_claim is not None

    job = job_run(job_id=items[0].pdf_job_id)
    assert job.status == JobStatus.DONE, job.error
    assert len(soffice_runs) == 1 and len(soffice_runs[0]) == 3
    for item, pages in zip(items, (1, 2, 3)):
        item.refresh_from_db()
        assert item.pdf_status == PdfStatus.CONVERTED and item.page_count == pages
        assert item.pdf_job.status == JobStatus.DONE and item.pdf_job.result == {
            "evidence_id": item.pk,
            "page_count": pages,
        }
    tampered.refresh_from_db()
    assert tampered.pdf_job.status == JobStatus.FAILED and tampered.pdf_file_id is None
    assert "no longer matches its SHA-256" in tampered.pdf_job.error
    elsewhere.refresh_from_db()
    held = elsewhere.pdf_job
    assert (held.status, held.claim, held.attempts, held.finished_at) == (JobStatus.RUNNING, other_claim, 1, None)
    assert elsewhere.pdf_file_id is None
    # The jobs it finished are not run again.
    assert all(job_run(job_id=item.pdf_job_id) is None for item in items[1:])
    assert not soffice_processes()


@needs_soffice
def test_the_batch_is_at_most_evidence_convert_batch_jobs(settings, soffice_runs):
    settings.EVIDENCE_CONVERT_BATCH = 2
    counsel = make_user(Role.COUNSEL)
    matter = make_matter()
    items = [upload(counsel, matter, f"证据{n}.docx", chinese_docx(pages=1)) for n in range(3)]
    assert job_run(job_id=items[0].pdf_job_id).status == JobStatus.DONE
    statuses = [Job.objects.get(pk=item.pdf_job_id).status for item in items]
    assert statuses == [JobStatus.DONE, JobStatus.DONE, JobStatus.PENDING]
    assert soffice_runs == [["00000.docx", "00001.docx"]]
