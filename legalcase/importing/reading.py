"""Reading an escalation file (API.md, "Import file columns"): rows in, escalation bodies out.

A ``.csv`` (UTF-8, UTF-8 with a BOM, GBK or GB18030) or ``.xlsx`` file is read as a
stream of rows, so memory stays flat however large the file. Each row becomes an
escalation body in API.md's shape (``escalation_body``); the reasons a row is refused
name the file's own column headers (``escalation_reasons``).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from legalcase.escalation_input import escalation_validated

EXTENSIONS = (".csv", ".xlsx")

# API.md's table: column -> (Chinese headers accepted, required).
COLUMNS: dict[str, tuple[tuple[str, ...], bool]] = {
    "creditor_name": (("债权人名称",), True),
    "creditor_uscc": (("统一社会信用代码",), True),
    "product": (("产品类型",), True),
    "account_number": (("卡号", "账号"), True),
    "contract_number": (("合同编号",), False),
    "contract_date": (("合同日期",), False),
    "debtor_name": (("债务人姓名", "姓名"), True),
    "debtor_id_number": (("身份证号", "证件号码"), True),
    "debtor_gender": (("性别",), False),
    "debtor_birth_date": (("出生日期",), False),
    "debtor_phone": (("手机号", "联系电话"), False),
    "debtor_address": (("地址", "住址"), False),
    "principal": (("本金", "透支本金"), True),
    "interest": (("利息",), False),
    "penalty_interest": (("罚息",), False),
    "compound_interest": (("复利",), False),
    "late_fees": (("滞纳金",), False),
    "fees": (("手续费",), False),
    "amounts_as_of": (("欠款截止日",), True),
    "overdue_since": (("逾期日期",), True),
    "matured_on": (("到期日",), False),
    "last_payment_date": (("最后还款日",), False),
    "last_demand_date": (("最后催收日",), False),
    "last_demand_channel": (("催收方式",), False),
    "last_demand_delivered": (("是否送达",), False),
    "portfolio": (("资产包",), False),
    # v1.1: what the 要素式 complaint forms need and a bank's system exports.
    "loan_amount": (("授信额度", "贷款金额"), False),
    "disbursed_on": (("发卡日期", "放款日期"), False),
    "term_ends_on": (("贷款到期日",), False),
    "repayment_method": (("还款方式",), False),
    "branch": (("经办机构", "支行"), False),
    "debtor_workplace": (("工作单位",), False),
    "debtor_ethnicity": (("民族",), False),
    "debtor_service_address": (("约定送达地址",), False),
    "repaid_principal": (("已还本金",), False),
    "repaid_interest": (("已还利息",), False),
    "interest_paid_to": (("利息已还至",), False),
    "last_demand_outlet": (("公告媒体",), False),
}
HEADERS = {
    **{name: name for name in COLUMNS},
    **{header: name for name, (headers, _required) in COLUMNS.items() for header in headers},
}
DATE_COLUMNS = (
    "contract_date",
    "debtor_birth_date",
    "amounts_as_of",
    "overdue_since",
    "matured_on",
    "last_payment_date",
    "last_demand_date",
    "disbursed_on",
    "term_ends_on",
    "interest_paid_to",
)
AMOUNT_COLUMNS = ("principal", "interest", "penalty_interest", "compound_interest", "late_fees", "fees")
# v1.1 columns that go into the body's ``amounts`` and ``debt``.
REPAYMENT_COLUMNS = ("repaid_principal", "repaid_interest", "interest_paid_to")
DEBT_TERM_COLUMNS = ("loan_amount", "disbursed_on", "term_ends_on", "repayment_method", "branch")
DEBTOR_COLUMNS = ("name", "id_number", "gender", "birth_date", "phone", "address", "workplace", "ethnicity",
                  "service_address")  # fmt: skip
REPAYMENT_METHODS = {
    "等额本息": "equal_installment",
    "等额本金": "equal_principal",
    "到期一次还本付息": "bullet",
    "按月付息": "monthly_interest",
    "按月付息到期还本": "monthly_interest",
    "按季付息": "quarterly_interest",
    "按季付息到期还本": "quarterly_interest",
    "按年付息": "yearly_interest",
    "按年付息到期还本": "yearly_interest",
    "其他": "other",
}
PRODUCTS = {"信用卡": "credit_card", "贷款": "loan"}
GENDERS = {"男": "male", "女": "female"}
CHANNELS = {"电话": "phone", "短信": "sms", "信函": "letter", "邮件": "email", "上门": "visit", "公告": "public_notice"}
BOOLEANS = {"true": True, "是": True, "1": True, "false": False, "否": False, "0": False}

# Where a serializer error lands, back in the file's columns.
ERROR_COLUMNS = {
    ("creditor", "name"): "creditor_name",
    ("creditor", "uscc"): "creditor_uscc",
    ("amounts", "as_of"): "amounts_as_of",
    **{("amounts", name): name for name in AMOUNT_COLUMNS},
    **{("amounts", name): name for name in REPAYMENT_COLUMNS},
    **{("debt", name): name for name in DEBT_TERM_COLUMNS},
    **{("debtor", name[len("debtor_") :]): name for name in COLUMNS if name.startswith("debtor_")},
    **{("demands", name[len("last_demand_") :]): name for name in COLUMNS if name.startswith("last_demand_")},
}

DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
)


class ImportFileError(Exception):
    """The file itself cannot be read: missing, of an unknown format, or without a required column."""


# --- Reading ------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` when the whole file decodes strictly as UTF-8, else ``gb18030`` (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        try:
            with open(path, "rb") as stream:
                while chunk := stream.read(1 << 20):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ImportFileError(_("The file is neither UTF-8 nor GBK/GB18030 text."))


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    with open(path, encoding=detect_encoding(path), newline="") as stream:
        yield from csv.reader(stream)


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    import openpyxl  # only the upload of a spreadsheet needs it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from exc
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def table_rows(path: Path) -> Iterator[list[Any]]:
    """The file's rows as lists of cell values (strings for CSV), header included."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(_("No such file: %(path)s") % {"path": path})
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path)
    if suffix == ".xlsx":
        return _xlsx_rows(path)
    raise ImportFileError(_("Unknown file format “%(suffix)s”: give a .csv or .xlsx file.") % {"suffix": suffix})


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


COMMENT = "#"


def _skipped(row: list[Any]) -> bool:
    """A blank row, or a comment row (its first cell begins with ``#``: no creditor's name does)."""
    if all(_blank(value) for value in row):
        return True
    return bool(row) and isinstance(row[0], str) and row[0].lstrip("\ufeff ").startswith(COMMENT)


class EscalationFile:
    """An import file whose header has been read and checked; iterate for ``(line, cells)``.

    ``line`` counts records from the header (line 1); ``cells`` maps API.md's column
    names to the raw cell values of the columns present. Blank rows are skipped, and so
    are comment rows (first cell beginning with ``#``: the downloadable template's notes
    and example). ``header`` is the file's own header row, every column, as text;
    ``records()`` also yields each row as it was, for the errors file.
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._rows = table_rows(self.path)
        try:
            header = next(self._rows, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ImportFileError(_("The file cannot be read: %(error)s") % {"error": exc}) from exc
        if header is None:
            raise ImportFileError(_("The file is empty."))
        self.positions: dict[str, int] = {}
        self.labels: dict[str, str] = {}
        self.header: list[str] = []
        for position, cell in enumerate(header):
            text = str(cell).strip().lstrip("\ufeff") if cell is not None else ""
            self.header.append(text)
            name = HEADERS.get(text) or HEADERS.get(text.lower())
            if name and name not in self.positions:
                self.positions[name] = position
                self.labels[name] = text
        missing = [name for name, (_headers, required) in COLUMNS.items() if required and name not in self.positions]
        if missing:
            self.close()
            raise ImportFileError(
                _("Required columns missing: %(columns)s.")
                % {"columns": ", ".join(f"{name} ({'/'.join(COLUMNS[name][0])})" for name in missing)}
            )

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for line, cells, _row in self.records():
            yield line, cells

    def records(self) -> Iterator[tuple[int, dict[str, Any], list[Any]]]:
        """``(line, cells, row)``: as iterating, plus the row's cells as they are in the file."""
        for line, row in enumerate(self._rows, start=2):
            if _skipped(row):
                continue
            yield line, {name: row[i] if i < len(row) else None for name, i in self.positions.items()}, row

    def close(self) -> None:
        self._rows.close()

    def __enter__(self) -> EscalationFile:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def count_rows(path: Path | str) -> int:
    """How many non-blank data rows the file holds (a streaming pass, for the progress bar)."""
    rows = table_rows(Path(path))
    try:
        next(rows, None)
        return sum(1 for row in rows if not _skipped(row))
    finally:
        rows.close()


# --- One row --------------------------------------------------------------------------


class CellError(ValueError):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a spreadsheet cell: 13812345678.0
    return str(value).strip()


def _date(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _text(value)
    return _date_text(text) if text else None


@functools.lru_cache(maxsize=8192)  # a file repeats its dates; an impossible one raises every time
def _date_text(text: str) -> str:
    for pattern in DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return dt.date(*map(int, match.groups())).isoformat()
            except ValueError:
                raise CellError(_("%(value)s is not a real date.") % {"value": text}) from None
    return text  # the serializer names the accepted format


def _amount(value: Any) -> str | None:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return str(Decimal(str(value)))
    text = _text(value).replace(",", "").replace("，", "").replace(" ", "")
    return text or None


def _choice(value: Any, mapping: dict[str, str]) -> str:
    text = _text(value)
    return mapping.get(text, text.lower())


def _boolean(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = _text(value)
    return BOOLEANS.get(text.lower(), text)


# How each column's cell is read (any other column: as text).
CELL_READERS: dict[str, Callable[[Any], Any]] = {
    **{name: _date for name in DATE_COLUMNS},
    **{name: _amount for name in (*AMOUNT_COLUMNS, "loan_amount", "repaid_principal", "repaid_interest")},
    "repayment_method": lambda value: _choice(value, REPAYMENT_METHODS),
    "product": lambda value: _choice(value, PRODUCTS),
    "debtor_gender": lambda value: _choice(value, GENDERS),
    "last_demand_channel": lambda value: _choice(value, CHANNELS),
    "last_demand_delivered": _boolean,
}


def escalation_body(cells: dict[str, Any]) -> tuple[dict, dict[str, str]]:
    """The escalation body (API.md's shape) of one row, and the cells already found wrong."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, value in cells.items():
        try:
            values[name] = CELL_READERS.get(name, _text)(value)
        except CellError as exc:
            errors[name] = str(exc)
    given = {name: value for name, value in values.items() if value not in (None, "")}
    body: dict[str, Any] = {
        "creditor": {"name": given.get("creditor_name", ""), "uscc": given.get("creditor_uscc", "")},
        "product": given.get("product", ""),
        "account_number": given.get("account_number", ""),
        "debtor": {
            key: given[f"debtor_{key}"]
            for key in DEBTOR_COLUMNS
            if f"debtor_{key}" in given
        },
        "amounts": {
            **({"as_of": given["amounts_as_of"]} if "amounts_as_of" in given else {}),
            **{name: given[name] for name in (*AMOUNT_COLUMNS, *REPAYMENT_COLUMNS) if name in given},
        },
    }
    terms = {name: given[name] for name in DEBT_TERM_COLUMNS if name in given}
    if terms:
        body["debt"] = terms
    for name in ("contract_number", "contract_date", "overdue_since", "matured_on", "last_payment_date", "portfolio"):
        if name in given:
            body[name] = given[name]
    demand = {
        key: given[f"last_demand_{key}"]
        for key in ("date", "channel", "delivered", "outlet")
        if f"last_demand_{key}" in given
    }
    if demand:
        body["demands"] = [demand]
    return body, errors


def _flatten(errors: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    if isinstance(errors, dict):
        for key, value in errors.items():
            # A list's items come keyed by index (demands.0.channel): the file has one demand.
            yield from _flatten(value, path if isinstance(key, int) else path + (key,))
    elif isinstance(errors, list) and errors and not isinstance(errors[0], str):
        for item in errors:  # a list of nested errors: demands
            yield from _flatten(item, path)
    else:
        for message in errors if isinstance(errors, list) else [errors]:
            yield path, str(message)


def escalation_reasons(errors: Any, cell_errors: dict[str, str], labels: dict[str, str]) -> list[str]:
    """Why a row is refused, in the file's terms: the cells found wrong, then the validation's errors.

    Reasons name the file's own column headers and repeat no cell's value except an
    impossible date (identity, phone and account numbers stay out of the errors file).
    """
    reasons = [f"{labels.get(name, name)}: {message}" for name, message in cell_errors.items()]
    for path, message in _flatten(errors):
        column = ERROR_COLUMNS.get(path[:2]) or (path[0] if path and path[0] in COLUMNS else None)
        if column in cell_errors:
            continue  # already said, in the file's terms
        label = labels.get(column, column) if column else ".".join(map(str, path)) or "row"
        reasons.append(f"{label}: {message}")
    return reasons


def escalation_validate(cells: dict[str, Any], labels: dict[str, str]) -> tuple[dict | None, list[str]]:
    """Validate one row as the API validates a request: ``(data, [])`` or ``(None, reasons)``.

    The same validation as ``services.escalations_apply`` (``escalation_validated``),
    without storing: the import uses it for the rows it refuses before storing.
    """
    body, cell_errors = escalation_body(cells)
    data, errors = escalation_validated(body)
    if data is not None and not cell_errors:
        return data, []
    return None, escalation_reasons(errors, cell_errors, labels)
