#!/usr/bin/env python
"""DOCX to PDF: Fasu's converter beside one raw ``soffice --convert-to pdf`` of the same files.

DESIGN.md, Budgets: "DOCX to PDF: one LibreOffice per core converting in batch about 4/s
per core; Fasu at least 90% of that". Both sides get the same generated DOCX files (two
pages of Chinese text in 宋体 each, made here with python-docx):

- raw: one ``soffice --headless --convert-to pdf --outdir ... *.docx`` call for all files,
  with a warmed-up profile of its own;
- Fasu: ``evidence.conversion.convert_many`` on the same files, as the batching
  ``evidence_convert`` handler does (one soffice run for the batch, the process's
  profile kept between runs, every output checked with pikepdf), after one warm-up
  conversion; ``--per-file`` also times ``convert_to_pdf`` once per file (one soffice
  run per file, as before batching).

Both run on one core (one converter); the job queue gives one converter per core. No
database is needed. Run on demand; not part of the test suite:

    python bench/convert.py               # 20 files
    python bench/convert.py --files 100
    python bench/convert.py --per-file    # also one soffice run per file
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pikepdf  # noqa: E402
from docx import Document  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402

from evidence import conversion  # noqa: E402


def make_docx(number: int) -> bytes:
    document = Document()
    for page in range(2):
        for line in range(12):
            run = document.add_paragraph().add_run(
                f"证据{number} 第{page + 1}页 第{line + 1}条 借款人向出借人借款人民币壹拾万元整，按月归还本息。"
            )
            run.font.name = "宋体"
            run._element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
        if page == 0:
            document.add_page_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def raw_batch(soffice: str, paths: list[Path], outdir: Path, profile: Path) -> None:
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *map(str, paths),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "FONTCONFIG_FILE": str(profile / "fonts.conf")},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--per-file", action="store_true", help="also time convert_to_pdf once per file")
    args = parser.parse_args()
    soffice = conversion.soffice_path()
    if soffice is None:
        sys.exit("soffice (LibreOffice) is not installed; see .ci/run for the packages")
    files = [make_docx(n) for n in range(1, args.files + 1)]
    with tempfile.TemporaryDirectory(prefix="fasu-bench-convert-") as work:
        work = Path(work)
        paths = []
        for number, data in enumerate(files, start=1):
            path = work / f"exhibit{number:03d}.docx"
            path.write_bytes(data)
            paths.append(path)
        profile = work / "profile"
        profile.mkdir()
        (profile / "fonts.conf").write_text(conversion.fontconfig_file_text(), encoding="utf-8")
        raw_batch(soffice, paths[:1], work / "warm", profile)  # first start writes the profile
        start = time.perf_counter()
        raw_batch(soffice, paths, work / "raw", profile)
        raw_seconds = time.perf_counter() - start
        raw_count = len(list((work / "raw").glob("*.pdf")))

        conversion.convert_to_pdf(files[0], conversion.DOCX_TYPE, timeout=120)  # warm-up
        start = time.perf_counter()
        results = conversion.convert_many(paths, outdir=work / "fasu", timeout=120)
        many_seconds = time.perf_counter() - start
        converted = [pdf for pdf in results.values() if isinstance(pdf, Path)]
        many_pages = 0
        for pdf in converted:
            with pikepdf.open(pdf) as opened:
                many_pages += len(opened.pages)

    print(f"{args.files} DOCX files (2 pages each, 宋体), one converter")
    raw_rate = raw_count / raw_seconds
    many_rate = len(converted) / many_seconds
    print(f"{'raw soffice, one call for all files':40} {raw_count:4d} files  {raw_seconds:7.2f} s  {raw_rate:6.2f} files/s")
    print(
        f"{'Fasu convert_many, one run per batch':40} {len(converted):4d} files  {many_seconds:7.2f} s  "
        f"{many_rate:6.2f} files/s  ({many_pages} pages)"
    )
    if args.per_file:
        start = time.perf_counter()
        pages = sum(conversion.convert_to_pdf(data, conversion.DOCX_TYPE, timeout=120).page_count for data in files)
        fasu_seconds = time.perf_counter() - start
        print(
            f"{'Fasu convert_to_pdf, one run per file':40} {args.files:4d} files  {fasu_seconds:7.2f} s  "
            f"{args.files / fasu_seconds:6.2f} files/s  ({pages} pages)"
        )
    print(f"Fasu / raw: {many_rate / raw_rate:.0%}  (budget, DESIGN.md: at least 90%)")

if __name__ == "__main__":
    main()
