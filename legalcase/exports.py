"""Excel exports: one helper that turns columns and rows into an .xlsx file (openpyxl, write-only mode).

The header row is bold and frozen, columns have widths, money cells read ``#,##0.00``,
rates ``0.0%`` and dates are real dates, so a manager can sum and sort in Excel. The
caller audits the export (``AuditEvent``) in the same request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {
    "money": "#,##0.00",
    "rate": "0.0%",
    "date": "yyyy-mm-dd",
    "month": "yyyy-mm",
    "int": "0",
    "days": "0.0",
    "text": "General",
}
# What makes Excel (or openpyxl, writing the cell) take text for a formula (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WIDTHS = {"money": 16, "rate": 10, "date": 12, "month": 10, "int": 10, "days": 10, "text": 24}
# Excel's sheet names: at most 31 characters, none of these.
SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclasses.dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # a key of FORMATS
    width: float | None = None


def _value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind in ("money", "rate", "days"):
        return Decimal(value)
    if kind in ("date", "month") and isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        # Typed text (an asset's description, a name) must never become a formula in Excel.
        return "'" + value
    return value


def xlsx_bytes(*, sheet: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet with a bold, frozen header row and typed cells; returns the file's bytes."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet.translate(SHEET_FORBIDDEN)[:31] or "Sheet1")
    for number, column in enumerate(columns, start=1):
        worksheet.column_dimensions[get_column_letter(number)].width = column.width or WIDTHS[column.kind]
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(worksheet, value=str(column.header))
        cell.font = bold
        header.append(cell)
    worksheet.append(header)
    for row in rows:
        cells = []
        for column, value in zip(columns, row, strict=True):
            cell = WriteOnlyCell(worksheet, value=_value(value, column.kind))
            if column.kind != "text":
                cell.number_format = FORMATS[column.kind]
            cells.append(cell)
        worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
