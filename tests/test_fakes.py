"""The fakes of tests/fakes.py: installed unless a marker asks for the real program, and
faithful where the code under test looks (the pages and the text of the PDF)."""

import io
import subprocess

import openpyxl
import pikepdf
import pypdf
import pytest

from evidence import conversion
from tests import fakes
from tests.evidence.test_conversion import CLAUSES, chinese_docx


def pdf_text(path) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(path).pages).replace(" ", "")


def two_sheet_xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["日期", "还款金额"])
    book.active.append(["2024-01-15", "5000.00"])
    book.create_sheet("利息").append(["计息期间", "利息"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_unmarked_test_gets_the_fakes():
    assert conversion._run is fakes.fake_soffice_run
    assert subprocess.run.__qualname__ == "fake_ocr_run.<locals>.run"


@pytest.mark.libreoffice
@pytest.mark.tesseract
def test_a_marked_test_gets_the_real_programs():
    assert conversion._run is not fakes.fake_soffice_run
    assert subprocess.run.__module__ == "subprocess"


@pytest.mark.libreoffice
def test_the_fake_soffice_makes_the_pages_and_text_libreoffice_makes(tmp_path, monkeypatch):
    files = {"合同.docx": chinese_docx(pages=3), "还款.xlsx": two_sheet_xlsx(), "broken.docx": chinese_docx()[:900]}
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)

    real = conversion.convert_many(paths, outdir=tmp_path / "real")
    monkeypatch.setattr(conversion, "_run", fakes.fake_soffice_run)
    fake = conversion.convert_many(paths, outdir=tmp_path / "fake")

    docx, xlsx, broken = paths
    for made in (real, fake):
        with pikepdf.open(made[docx]) as pdf:
            assert len(pdf.pages) == 3
        assert CLAUSES[0].replace("　", "")[:10] in pdf_text(made[docx]).replace("　", "")
        assert "借款金额" in pdf_text(made[docx]) and "100000元" in pdf_text(made[docx])
        with pikepdf.open(made[xlsx]) as pdf:
            assert len(pdf.pages) == 2  # a page per sheet
        assert "还款金额" in pdf_text(made[xlsx]) and "计息期间" in pdf_text(made[xlsx])
        assert isinstance(made[broken], conversion.ConversionFailed) and "未生成 PDF" in str(made[broken])
