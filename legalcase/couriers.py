"""Reading a courier's export of tracking events (API.md, "Collection desk"): pure, no models.

EMS and SF exports differ in their columns and words; Fasu reads three columns, by
their English or Chinese headers (``waybill``/运单号, ``status``/状态, ``time``/时间), the
statuses in English or in the couriers' Chinese, and times with or without an offset:
a time without one is Beijing time (the couriers' exports are). A cell a spreadsheet
would run as a formula is written back to the errors file as text.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
EXTENSIONS = (".csv", ".xlsx")

# API.md's names first, then the headers couriers' exports use.
HEADERS: dict[str, tuple[str, ...]] = {
    "waybill": ("waybill", "运单号", "快递单号", "运单编号"),
    "status": ("status", "状态", "物流状态"),
    "time": ("time", "时间", "操作时间"),
    "note": ("note", "备注", "描述"),
}
REQUIRED = ("waybill", "status", "time")

STATUS_WORDS: dict[str, str] = {
    "accepted": "accepted",
    "in_transit": "in_transit",
    "signed": "signed",
    "refused": "refused",
    "returned": "returned",
    "已揽收": "accepted",
    "揽收": "accepted",
    "已收寄": "accepted",
    "运输中": "in_transit",
    "在途": "in_transit",
    "派送中": "in_transit",
    "已签收": "signed",
    "签收": "signed",
    "妥投": "signed",
    "拒收": "refused",
    "已拒收": "refused",
    "退回": "returned",
    "已退回": "returned",
    "退件": "returned",
}

_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CourierFileError(Exception):
    """The file cannot be read, or lacks a required column."""


class CellError(ValueError):
    """A cell's value is not one Fasu reads (the message says why, in Chinese)."""


def spreadsheet_safe(text: str) -> str:
    """``text`` as a spreadsheet shows it, never runs it: a leading ``'`` before = + - @ (CSV injection)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _encoding(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.decode(raw, encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    raise CourierFileError("文件既不是 UTF-8 也不是 GBK/GB18030 文本。")


def table_rows(path: Path | str) -> Iterator[list[Any]]:
    """The rows of a CSV or XLSX file (header included), cells as read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with open(path, encoding=_encoding(path), newline="") as stream:
            yield from csv.reader(stream)
    elif suffix == ".xlsx":
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise CourierFileError("文件不是可读取的 .xlsx 工作簿。") from exc
        try:
            for row in workbook.worksheets[0].iter_rows(values_only=True):
                yield list(row)
        finally:
            workbook.close()
    else:
        raise CourierFileError("请上传 .csv 或 .xlsx 文件。")


def header_columns(header: list[Any]) -> dict[str, int]:
    """Which column holds each of ``HEADERS``' fields; CourierFileError naming the missing ones."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = str(cell or "").strip().lstrip("\ufeff").lower()
        for name, names in HEADERS.items():
            if text in names and name not in found:
                found[name] = index
    missing = [f"{name}（{HEADERS[name][1]}）" for name in REQUIRED if name not in found]
    if missing:
        raise CourierFileError("文件缺少必需的列：" + "、".join(missing))
    return found


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def status_read(value: Any) -> str:
    text = cell_text(value)
    status = STATUS_WORDS.get(text) or STATUS_WORDS.get(text.lower())
    if status is None:
        raise CellError(f"无法识别的状态“{text}”")
    return status


def time_read(value: Any) -> dt.datetime:
    """An aware datetime; a time without an offset is Beijing time."""
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = cell_text(value)
        parsed = None
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            for pattern in _TIME_FORMATS:
                try:
                    parsed = dt.datetime.strptime(text, pattern)
                    break
                except ValueError:
                    continue
        if parsed is None or not text or len(text) < 12:
            raise CellError(f"无法识别的时间“{text}”（例如 2026-03-04 10:15）")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=BEIJING)
