"""Bulk import of escalations from bank exports (API.md, "Import file columns").

A ``.csv`` (UTF-8, UTF-8 with a BOM, GBK or GB18030) or ``.xlsx`` file is read as a
stream of rows, so memory stays flat however large the file. Each row becomes an
escalation body, is validated as the API's ``EscalationSerializer`` validates it (a
plainly valid row by ``escalation_fast_validate``, which returns the same data; any
other by the serializer itself, which names what is wrong). Rows are stored in chunks
of ``CHUNK_ROWS``: a stored account goes through ``matter_escalate`` on its own, the
new accounts of a chunk are written together by ``_escalations_create`` with the same
result. A rejected row creates nothing and is written, with its line number and
reasons, to ``<file>.errors.csv``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import logging
import re
import secrets
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from legalcase.access import require
from legalcase.api import EscalationSerializer
from legalcase.identity import IdentityError, parse_resident_id, validate_uscc
from legalcase.jobs import job_create
from legalcase.models import (
    ClaimTransfer,
    Creditor,
    Deadline,
    DeadlineKind,
    Debt,
    DemandChannel,
    DemandRecord,
    EventKind,
    Job,
    Matter,
    MatterEvent,
    Party,
    Portfolio,
    Product,
    Role,
    Stage,
    User,
    holiday_calendar,
)
from legalcase.services import (
    EscalationConflict,
    escalation_unchanged,
    limitation_computed,
    matter_escalate,
    matter_number_allocate,
)
from legalcase.services.escalations import _creditor_get_or_create, _debt_values

log = logging.getLogger(__name__)

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
)
AMOUNT_COLUMNS = ("principal", "interest", "penalty_interest", "compound_interest", "late_fees", "fees")
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
    **{("debtor", name[len("debtor_") :]): name for name in COLUMNS if name.startswith("debtor_")},
    **{("demands", name[len("last_demand_") :]): name for name in COLUMNS if name.startswith("last_demand_")},
}

DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
)
# Rows validated, then stored, together: the bulk path's unit of work and of progress.
CHUNK_ROWS = 2000
# The largest file the upload page accepts; a bigger export goes through the command.
IMPORT_MAX_BYTES = 200 * 1024 * 1024


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


class EscalationFile:
    """An import file whose header has been read and checked; iterate for ``(line, cells)``.

    ``line`` counts records from the header (line 1); ``cells`` maps API.md's column
    names to the raw cell values of the columns present. Blank rows are skipped.
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
        for position, cell in enumerate(header):
            text = str(cell).strip().lstrip("\ufeff") if cell is not None else ""
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
        for line, row in enumerate(self._rows, start=2):
            if all(_blank(value) for value in row):
                continue
            yield line, {name: row[i] if i < len(row) else None for name, i in self.positions.items()}

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
        return sum(1 for row in rows if not all(_blank(value) for value in row))
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
    if not text:
        return None
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


def escalation_body(cells: dict[str, Any]) -> tuple[dict, dict[str, str]]:
    """The escalation body (API.md's shape) of one row, and the cells already found wrong."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, value in cells.items():
        try:
            if name in DATE_COLUMNS:
                values[name] = _date(value)
            elif name in AMOUNT_COLUMNS:
                values[name] = _amount(value)
            elif name == "product":
                values[name] = _choice(value, PRODUCTS)
            elif name == "debtor_gender":
                values[name] = _choice(value, GENDERS)
            elif name == "last_demand_channel":
                values[name] = _choice(value, CHANNELS)
            elif name == "last_demand_delivered":
                values[name] = _boolean(value)
            else:
                values[name] = _text(value)
        except CellError as exc:
            errors[name] = str(exc)
    given = {name: value for name, value in values.items() if value not in (None, "")}
    body: dict[str, Any] = {
        "creditor": {"name": given.get("creditor_name", ""), "uscc": given.get("creditor_uscc", "")},
        "product": given.get("product", ""),
        "account_number": given.get("account_number", ""),
        "debtor": {
            key: given[f"debtor_{key}"]
            for key in ("name", "id_number", "gender", "birth_date", "phone", "address")
            if f"debtor_{key}" in given
        },
        "amounts": {
            **({"as_of": given["amounts_as_of"]} if "amounts_as_of" in given else {}),
            **{name: given[name] for name in AMOUNT_COLUMNS if name in given},
        },
    }
    for name in ("contract_number", "contract_date", "overdue_since", "matured_on", "last_payment_date", "portfolio"):
        if name in given:
            body[name] = given[name]
    demand = {key: given[f"last_demand_{key}"] for key in ("date", "channel", "delivered") if f"last_demand_{key}" in given}
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


# --- Fast acceptance -------------------------------------------------------------------
#
# ``EscalationSerializer`` costs about 0.75 ms a row, more than the whole import may
# spend. ``escalation_fast_validate`` accepts the plainly valid body of an import row
# and returns exactly the ``validated_data`` the serializer would (same keys, defaults,
# types, quantized amounts); for anything else it answers None and the serializer
# decides, so every error message still comes from the serializer alone.
# tests/legalcase/test_import.py proves the agreement row by row.

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONEY = re.compile(r"\d{1,14}(?:\.\d{1,2})?")
_UNSAFE = re.compile("[\x00\ud800-\udfff]")
_CENT = Decimal("0.01")
_PRODUCT_VALUES = frozenset(Product.values)
_GENDER_VALUES = frozenset(Party.Gender.values)
_CHANNEL_VALUES = frozenset(DemandChannel.values)
_TOP_KEYS = frozenset(
    {"creditor", "product", "account_number", "debtor", "amounts", "demands", "contract_number", "contract_date",
     "overdue_since", "matured_on", "last_payment_date", "portfolio"}
)


class _Defer(Exception):
    pass


def _fast_text(value: Any, max_length: int) -> str:
    if not isinstance(value, str) or not value or value != value.strip() or len(value) > max_length:
        raise _Defer
    if _UNSAFE.search(value):
        raise _Defer
    return value


def _fast_date(value: Any) -> dt.date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise _Defer
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _Defer from None


def _fast_money(value: Any) -> Decimal:
    if not isinstance(value, str) or not _MONEY.fullmatch(value):
        raise _Defer
    return Decimal(value).quantize(_CENT)


def escalation_fast_validate(body: dict) -> dict | None:
    """``EscalationSerializer(data=body).validated_data`` for a plainly valid import body, else None."""
    try:
        if not _TOP_KEYS.issuperset(body):
            raise _Defer
        creditor, debtor, amounts = body["creditor"], body["debtor"], body["amounts"]
        if set(creditor) != {"name", "uscc"}:
            raise _Defer
        uscc = _fast_text(creditor["uscc"], 18)
        try:
            uscc = validate_uscc(uscc)
        except IdentityError:
            raise _Defer from None
        data: dict[str, Any] = {
            "creditor": {"name": _fast_text(creditor["name"], 200), "uscc": uscc, "address": "", "representative": ""}
        }
        if body["product"] not in _PRODUCT_VALUES:
            raise _Defer
        data["product"] = body["product"]
        data["account_number"] = _fast_text(body["account_number"], 40)
        if not {"name", "id_number"} <= set(debtor):
            raise _Defer
        id_number = _fast_text(debtor["id_number"], 18)
        try:
            birth, gender = parse_resident_id(id_number)
        except IdentityError:
            raise _Defer from None
        person: dict[str, Any] = {"name": _fast_text(debtor["name"], 200), "id_number": id_number.upper()}
        if "gender" in debtor:
            if debtor["gender"] not in _GENDER_VALUES or debtor["gender"] != gender:
                raise _Defer
            person["gender"] = debtor["gender"]
        if "birth_date" in debtor:
            if _fast_date(debtor["birth_date"]) != birth:
                raise _Defer
            person["birth_date"] = birth
        person["phone"] = _fast_text(debtor["phone"], 20) if "phone" in debtor else ""
        person["address"] = _fast_text(debtor["address"], 300) if "address" in debtor else ""
        data["debtor"] = person
        if "as_of" not in amounts or "principal" not in amounts:
            raise _Defer
        data["amounts"] = {
            "as_of": _fast_date(amounts["as_of"]),
            **{name: _fast_money(amounts[name]) if name in amounts else Decimal("0.00") for name in AMOUNT_COLUMNS},
        }
        if "contract_number" in body:
            data["contract_number"] = _fast_text(body["contract_number"], 60)
        if "portfolio" in body:
            data["portfolio"] = _fast_text(body["portfolio"], 200)
        if "overdue_since" not in body:
            raise _Defer
        for name in ("contract_date", "overdue_since", "matured_on", "last_payment_date"):
            if name in body:
                data[name] = _fast_date(body[name])
        if "demands" in body:
            demands = body["demands"]
            if not isinstance(demands, list) or len(demands) != 1:
                raise _Defer
            (demand,) = demands
            if not {"date", "channel"} <= set(demand) <= {"date", "channel", "delivered"}:
                raise _Defer
            if demand["channel"] not in _CHANNEL_VALUES or not isinstance(demand.get("delivered", False), bool):
                raise _Defer
            data["demands"] = [
                {
                    "date": _fast_date(demand["date"]),
                    "channel": demand["channel"],
                    "delivered": demand.get("delivered", False),
                    "note": "",
                }
            ]
    except _Defer:
        return None
    return data


def escalation_validate(cells: dict[str, Any], labels: dict[str, str]) -> tuple[dict | None, list[str]]:
    """Validate one row as the API validates a request: ``(data, [])`` or ``(None, reasons)``.

    Reasons name the file's own column headers and repeat no cell's value except an
    impossible date (identity, phone and account numbers stay out of the errors file).
    A plainly valid row is accepted by ``escalation_fast_validate``; any other goes
    through ``EscalationSerializer``, which names what is wrong.
    """
    body, cell_errors = escalation_body(cells)
    if not cell_errors:
        data = escalation_fast_validate(body)
        if data is not None:
            return data, []
    serializer = EscalationSerializer(data=body)
    reasons = [f"{labels.get(name, name)}: {message}" for name, message in cell_errors.items()]
    if serializer.is_valid() and not reasons:
        return serializer.validated_data, []
    for path, message in _flatten(serializer.errors):
        column = ERROR_COLUMNS.get(path[:2]) or (path[0] if path and path[0] in COLUMNS else None)
        if column in cell_errors:
            continue  # already said, in the file's terms
        label = labels.get(column, column) if column else ".".join(map(str, path)) or "row"
        reasons.append(f"{label}: {message}")
    return None, reasons


def _account_key(cells: dict[str, Any]) -> int:
    key = f"{_text(cells.get('creditor_uscc')).upper()}\x1f{_text(cells.get('account_number'))}"
    # A 64-bit digest, not the numbers: a set of ints stays small for a million rows.
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


# --- The use case ---------------------------------------------------------------------


def errors_path(path: Path | str) -> Path:
    return Path(f"{path}.errors.csv")


def escalations_import(
    *,
    user: User,
    path: Path | str,
    report: Callable[..., None] | None = None,
    total: int | None = None,
    resume: dict | None = None,
) -> dict:
    """Import every row of an escalation file; return the counts and the errors file's path.

    Each row stands alone: it is validated like ``POST /api/v1/escalations/``, and a
    rejected row creates nothing. Valid rows are stored a chunk at a time (see
    ``_chunk_store``), and ``report`` is called after each chunk. A row whose
    account (credit code and account number) appeared earlier in the file is rejected;
    a row equal to what is stored counts as ``unchanged`` and writes nothing. Rejected
    rows go to ``<path>.errors.csv`` (UTF-8 with a BOM for Excel; header = line 1).
    Raises ``ImportFileError`` before storing anything when the file cannot be read.

    Each chunk and its ``report`` (which records ``resume``: the chunk's last line, the
    rows done, with the counts) commit together, so a run killed anywhere resumes with
    ``resume`` after the last committed chunk and counts every row exactly once; the
    errors file is cut back to that line first.
    """
    require(user, "escalate")
    counts = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    calendar = holiday_calendar()
    seen: set[int] = set()
    done, start_after = 0, 0
    if resume:
        counts.update({key: resume["counts"].get(key, 0) for key in counts})
        done, start_after = resume["done"], resume["line"]
        _errors_cut(errors_path(path), after=start_after)
    chunk: list[tuple[int, dict | None, list[str]]] = []
    with EscalationFile(path) as rows, open(
        errors_path(path), "a" if resume else "w", encoding="utf-8" if resume else "utf-8-sig", newline=""
    ) as out:
        errors = csv.writer(out)
        if not resume:
            errors.writerow(["line", "reasons"])

        def flush() -> None:
            nonlocal done
            with transaction.atomic():
                rejected = _chunk_store(user=user, chunk=chunk, calendar=calendar, counts=counts)
                for line, reasons in sorted(rejected):
                    counts["rejected"] += 1
                    errors.writerow([line, "; ".join(reasons)])
                out.flush()
                done += len(chunk)
                if report is not None:
                    report(done=done, total=total, result={**counts, "resume": {"line": chunk[-1][0], "done": done}})
            chunk.clear()

        for line, cells in rows:
            key = _account_key(cells)
            if line <= start_after:  # stored by an earlier run: only remembered for duplicates
                seen.add(key)
                continue
            data, reasons = escalation_validate(cells, rows.labels)
            if key in seen:
                reasons.append(_("duplicate account in the file"))
            seen.add(key)
            chunk.append((line, data, reasons))
            if len(chunk) >= CHUNK_ROWS:
                flush()
        if chunk:
            flush()
    return {**counts, "errors_file": str(errors_path(path))}


def _errors_cut(path: Path, *, after: int) -> None:
    """Keep the header and the rows of lines up to ``after`` (a resumed import writes the rest again)."""
    if not path.exists():
        with open(path, "w", encoding="utf-8-sig", newline="") as out:
            csv.writer(out).writerow(["line", "reasons"])
        return
    with open(path, encoding="utf-8-sig", newline="") as source:
        kept = [row for number, row in enumerate(csv.reader(source)) if number == 0 or (row and int(row[0]) <= after)]
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows(kept)


def _chunk_store(*, user: User, chunk: list, calendar, counts: dict) -> list[tuple[int, list[str]]]:
    """Store the valid rows of a chunk; return ``(line, reasons)`` of the rejected ones.

    Rows whose account is stored already go through ``escalation_unchanged`` and
    ``matter_escalate`` one by one; the new accounts are written together, in one
    transaction, by ``_escalations_create``. Should that transaction fail (a concurrent
    writer took an account or identity number first), its rows go the per-row way.
    """
    rejected = [(line, reasons) for line, _data, reasons in chunk if reasons]
    valid = [(line, data) for line, data, reasons in chunk if not reasons]
    stored: set[tuple[str, str]] = set()
    if valid:
        usccs = {data["creditor"]["uscc"] for _line, data in valid}
        accounts = {data["account_number"] for _line, data in valid}
        stored = set(
            Debt.objects.filter(creditor__uscc__in=usccs, account_number__in=accounts).values_list(
                "creditor__uscc", "account_number"
            )
        )
        # Accounts these creditors have transferred away go the per-row way, which refuses them.
        stored |= set(
            ClaimTransfer.objects.filter(
                from_creditor__uscc__in=usccs, debt__account_number__in=accounts
            ).values_list("from_creditor__uscc", "debt__account_number")
        )
    fresh, single = [], []
    for line, data in valid:
        simple = not data.get("guarantors") and "original_creditor" not in data
        key = (data["creditor"]["uscc"], data["account_number"])
        (fresh if simple and key not in stored else single).append((line, data))
    if fresh:
        try:
            _escalations_create(user=user, rows=[data for _line, data in fresh], calendar=calendar)
        except (IntegrityError, DataError):
            log.info("a bulk chunk could not be stored at once; storing its rows one by one")
            single = sorted(single + fresh, key=lambda item: item[0])
        else:
            counts["created"] += len(fresh)
    for line, data in single:
        outcome = _escalate_one(user=user, data=data, calendar=calendar)
        if outcome in counts:
            counts[outcome] += 1
        else:
            rejected.append((line, [outcome]))
    return rejected


@transaction.atomic
def _escalations_create(*, user: User, rows: list[dict], calendar) -> list[Matter]:
    """Open a matter for each escalation of a new account, as ``matter_escalate`` would, set-based.

    ``rows`` are validated escalations without guarantors or original creditor whose
    accounts are not stored and appear once. The same rows through ``matter_escalate``
    write the same creditors, parties, debts, matters, ``created`` events, demand
    records and limitation deadlines (tests/legalcase/test_import.py compares them).
    """
    usccs = {data["creditor"]["uscc"] for data in rows}
    creditors: dict[str, Creditor] = {creditor.uscc: creditor for creditor in Creditor.objects.filter(uscc__in=usccs)}
    for data in rows:
        if data["creditor"]["uscc"] not in creditors:
            creditors[data["creditor"]["uscc"]] = _creditor_get_or_create(data["creditor"])
    names = {data["portfolio"] for data in rows if data.get("portfolio")}
    portfolios = {p.name: p for p in Portfolio.objects.filter(name__in=names)}
    for name in names - set(portfolios):
        portfolios[name] = Portfolio.objects.get_or_create(name=name)[0]
    ids = {data["debtor"]["id_number"] for data in rows}
    parties = {p.id_number: p for p in Party.objects.filter(id_number__in=ids)}
    missing: dict[str, Party] = {}
    for data in rows:
        person = data["debtor"]
        if person["id_number"] not in parties and person["id_number"] not in missing:
            missing[person["id_number"]] = Party(
                id_number=person["id_number"],
                kind=Party.Kind.PERSON,
                name=person["name"],
                gender=person.get("gender") or "",
                birth_date=person.get("birth_date"),
                phone=person.get("phone", ""),
                address=person.get("address", ""),
            )
    for party in Party.objects.bulk_create(list(missing.values())):
        parties[party.id_number] = party
    debts = []
    for data in rows:
        fields = _debt_values(data)
        if "portfolio" in data:
            fields["portfolio"] = portfolios[data["portfolio"]] if data["portfolio"] else None
        debts.append(
            Debt(
                creditor=creditors[data["creditor"]["uscc"]],
                debtor=parties[data["debtor"]["id_number"]],
                account_number=data["account_number"],
                **fields,
            )
        )
    Debt.objects.bulk_create(debts)
    now = timezone.now()
    numbers = matter_number_allocate(year=timezone.localdate(now).year, count=len(debts))
    matters = Matter.objects.bulk_create(
        [
            Matter(
                number=number,
                debt=debt,
                debtor_name=debt.debtor.name,
                owner=None,
                stage=Stage.INTAKE,
                created_at=now,
                stage_changed_at=now,
            )
            for number, debt in zip(numbers, debts)
        ]
    )
    MatterEvent.objects.bulk_create(
        [
            MatterEvent(
                matter=matter, actor=user, kind=EventKind.CREATED, new={"number": matter.number, "stage": matter.stage}
            )
            for matter in matters
        ]
    )
    demands, deadlines = [], []
    for data, debt, matter in zip(rows, debts, matters):
        recorded: dict[tuple, dict] = {}
        for demand in data.get("demands") or []:
            recorded.setdefault((demand["date"], demand["channel"]), demand)  # the first of a repeat wins
        demands += [
            DemandRecord(
                debt=debt,
                date=day,
                channel=channel,
                delivered=demand.get("delivered", False),
                note=demand.get("note", ""),
            )
            for (day, channel), demand in recorded.items()
        ]
        delivered = [day for (day, _channel), demand in recorded.items() if demand.get("delivered", False)]
        computed = limitation_computed(debt=debt, delivered_demand_dates=delivered, calendar=calendar)
        deadlines.append(
            Deadline(
                matter=matter,
                kind=DeadlineKind.LIMITATION,
                party=None,
                due_on=computed.on,
                rule=computed.rule,
                verified_calendar=computed.verified_calendar,
                computed_from=computed.computed_from,
                basis_digest=computed.basis_digest,
            )
        )
    DemandRecord.objects.bulk_create(demands)
    Deadline.objects.bulk_create(deadlines)
    return matters


def _escalate_one(*, user: User, data: dict, calendar) -> str:
    """``created``, ``updated`` or ``unchanged``; any other answer is the reason the row was rejected."""
    if escalation_unchanged(data=data):
        return "unchanged"
    try:
        _matter, created = matter_escalate(user=user, data=data, calendar=calendar)
    except EscalationConflict as exc:
        return str(exc)
    except ValidationError as exc:
        return "; ".join(exc.messages)
    except (IntegrityError, DataError):
        log.exception("an import row could not be stored")
        return _("The row could not be stored.")
    return "created" if created else "updated"


def import_user(username: str | None = None) -> User:
    """The acting user of a command-line import: the named counsel or administrator, else the first active admin."""
    allowed = User.objects.filter(is_active=True, role__in=[Role.COUNSEL, Role.ADMIN])
    if username:
        user = allowed.filter(username=username).first()
        if user is None:
            raise ImportFileError(_("No active counsel or administrator named “%(name)s”.") % {"name": username})
        return user
    user = allowed.filter(role=Role.ADMIN).order_by("id").first()
    if user is None:
        raise ImportFileError(_("No active administrator to act as; give --user."))
    return user


def escalations_import_run(*, job: Job, report) -> dict:
    """The ``escalations_import`` job: import the uploaded file with a progress bar.

    Safe to run again after a crash: it resumes after the last chunk the dead run
    committed (recorded in the job's result), so every row is counted once.
    """
    user = User.objects.get(pk=job.payload["user_id"])
    path = Path(job.payload["path"])
    total = count_rows(path)
    resume = job.result.get("resume")
    if resume:
        resume = {**resume, "counts": job.result}
    report(done=resume["done"] if resume else 0, total=total)
    result = escalations_import(user=user, path=path, report=report, total=total, resume=resume)
    return {**result, "failed": result["rejected"], "name": job.payload.get("name", "")}


def escalations_import_give_up(*, job: Job, reason: str) -> None:
    """The import failed for good: say how far it got, so the rest can be imported again."""
    resume = job.result.get("resume") or {"line": 1, "done": 0}
    Job.objects.filter(pk=job.pk).update(
        error=f"{reason}。已处理前 {resume['done']} 行（至第 {resume['line']} 行），其后的行未导入；"
        "重新导入该文件即可补齐（已导入的行计为未变）。"
    )


def import_folder() -> Path:
    """Where uploaded import files and their errors files live, in private storage."""
    return Path(settings.STORAGE_ROOT) / "imports"


def escalations_import_start(*, user: User, upload: UploadedFile) -> Job:
    """Store an uploaded escalation file under a random name and start its import job.

    A file of another format, too large, or without a required column is refused
    here (ValidationError on ``file``), before any job exists.
    """
    require(user, "escalate")
    name = Path(upload.name or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ValidationError({"file": _("Give a .csv or .xlsx file.")})
    if upload.size > IMPORT_MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(size)s MB.") % {"size": IMPORT_MAX_BYTES // (1024 * 1024)}}
        )
    folder = import_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(16)}{suffix}"
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        EscalationFile(path).close()
    except ImportFileError as exc:
        path.unlink(missing_ok=True)
        raise ValidationError({"file": str(exc)}) from None
    return job_create(
        kind="escalations_import", user=user, payload={"user_id": user.pk, "path": str(path), "name": name}
    )


def import_errors_file(job: Job) -> Path | None:
    """The errors file of a finished import job, if it is still in private storage."""
    if job.kind != "escalations_import" or not job.result.get("errors_file"):
        return None
    path = Path(job.result["errors_file"]).resolve()
    if path.parent != import_folder().resolve() or not path.is_file():
        return None
    return path
