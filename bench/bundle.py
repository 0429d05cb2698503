#!/usr/bin/env python
"""A 500-page evidence bundle from 100 exhibits: Fasu's builder beside a raw pikepdf run.

DESIGN.md, Budgets: "evidence bundle, 500 pages: pikepdf merge + stamp + bookmarks about
0.45 s; Fasu under 1 s". Both sides get the same 100 five-page PDF exhibits (made here
with reportlab, text on every page) and write to memory:

- raw: pikepdf merges the exhibits, overlays a reportlab page-number page ("第 N 页 共 M
  页", same CJK font) on every page, adds one bookmark per exhibit, saves;
- Fasu: ``evidence.bundling.build_bundle`` does that plus the 证据目录 index pages.

No database is needed. Run on demand; not part of the test suite:

    python bench/bundle.py                     # 100 exhibits x 5 pages, best of 5
    python bench/bundle.py --exhibits 50 --pages 10 --repeat 3
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pikepdf  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from evidence.bundling import Exhibit, build_bundle, cjk_font  # noqa: E402


def make_exhibit(number: int, pages: int) -> bytes:
    font, _ = cjk_font()
    out = io.BytesIO()
    sheet = canvas.Canvas(out, pagesize=A4)
    for page in range(1, pages + 1):
        sheet.setFont(font, 11)
        for line in range(40):
            sheet.drawString(
                60, 780 - line * 18, f"证据{number} 第{page}页 借款合同条款 第{line + 1}条 甲方乙方约定还款事项"
            )
        sheet.showPage()
    sheet.save()
    return out.getvalue()


def raw_bundle(exhibits: list[bytes]) -> int:
    font, _ = cjk_font()
    sources = [pikepdf.open(io.BytesIO(data)) for data in exhibits]
    bundle = pikepdf.new()
    starts = []
    for pdf in sources:
        starts.append(len(bundle.pages))
        bundle.pages.extend(pdf.pages)
    total = len(bundle.pages)
    out = io.BytesIO()
    sheet = canvas.Canvas(out)
    for number, page in enumerate(bundle.pages, start=1):
        box = [float(v) for v in page.mediabox]
        sheet.setPageSize((box[2] - box[0], box[3] - box[1]))
        sheet.setFont(font, 9)
        sheet.drawCentredString((box[2] - box[0]) / 2, 20, f"第 {number} 页 共 {total} 页")
        sheet.showPage()
    sheet.save()
    stamps = pikepdf.open(io.BytesIO(out.getvalue()))
    for page, stamp in zip(bundle.pages, stamps.pages, strict=True):
        page.add_overlay(stamp, pikepdf.Rectangle(*[float(v) for v in page.mediabox]))
    with bundle.open_outline() as outline:
        for number, start in enumerate(starts, start=1):
            outline.root.append(pikepdf.OutlineItem(f"证据{number}", start))
    result = io.BytesIO()
    bundle.save(result)
    return total


def fasu_bundle(exhibits: list[bytes]) -> int:
    items = [
        Exhibit(f"证据{n}", f"借款合同{n}", "原告提供", "证明借款关系成立及欠款金额", "application/pdf", data)
        for n, data in enumerate(exhibits, start=1)
    ]
    return build_bundle(title="bench", heading="案件编号：FS-2026-000001", exhibits=items, out=io.BytesIO()).page_count


def timed(function, exhibits, repeat: int) -> tuple[list[float], int]:
    times, pages = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        pages = function(exhibits)
        times.append(time.perf_counter() - start)
    return times, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exhibits", type=int, default=100)
    parser.add_argument("--pages", type=int, default=5, help="pages per exhibit")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    font, embedded = cjk_font()
    exhibits = [make_exhibit(n, args.pages) for n in range(1, args.exhibits + 1)]
    print(f"{args.exhibits} exhibits x {args.pages} pages; font {font} ({'embedded' if embedded else 'not embedded'})")
    for name, function in (
        ("raw pikepdf merge+stamp+bookmarks", raw_bundle),
        ("Fasu build_bundle (with index)", fasu_bundle),
    ):
        times, pages = timed(function, exhibits, args.repeat)
        print(f"{name:36} {pages:5d} pages  best {min(times):6.3f} s  median {statistics.median(times):6.3f} s")
    print("budget (DESIGN.md): Fasu under 1 s for 500 pages")


if __name__ == "__main__":
    main()
