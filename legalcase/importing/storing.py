"""Storing an escalation file: the import use case, its job and its upload (API.md, "Operations").

Rows are read by ``reading``, gathered in chunks of ``CHUNK_ROWS`` and handed to
``services.escalations_apply``, the same service the API calls with a batch of one:
it validates each row and writes the chunk set-based. A rejected row creates nothing
and is written to ``<file>.errors.csv`` as it was in the file, after its line number and
its reasons (header: 行号, 错误原因, then the file's own headers), so it can be
corrected in the errors file and imported again.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from legalcase.access import require
from legalcase.escalation_input import escalation_validated
from legalcase.identity import mask_account, mask_address, mask_id_number, mask_phone
from legalcase.files import copy_to_disk, file_storage, is_storage_name, store_replacing
from legalcase.importing.reading import (
    EXTENSIONS,
    HEADERS,
    EscalationFile,
    ImportFileError,
    _text,
    count_rows,
    escalation_body,
    escalation_reasons,
)
from legalcase.jobs import job_create, without_paths
from legalcase.models import Job, Role, User, holiday_calendar
from legalcase.safetext import spreadsheet_text, visible_controls
from legalcase.services import INVALID, escalations_apply

# Rows validated, then stored, together: the bulk path's unit of work and of progress.
CHUNK_ROWS = 2000
# The largest file the upload page accepts; a bigger export goes through the command.
IMPORT_MAX_BYTES = 200 * 1024 * 1024


def _account_key(cells: dict[str, Any]) -> int:
    key = f"{_text(cells.get('creditor_uscc')).upper()}\x1f{_text(cells.get('account_number'))}"
    # A 64-bit digest, not the numbers: a set of ints stays small for a million rows.
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


# --- The use case ---------------------------------------------------------------------


def errors_path(path: Path | str) -> Path:
    return Path(f"{path}.errors.csv")


# The errors file's first two columns; the line number stays first (``_errors_cut`` reads it).
ERRORS_HEADER = ["行号", "错误原因"]
# How many rejected rows the job page shows; the errors file has them all.
REJECTED_SHOWN = 50


def _safe(text: str) -> str:
    """``text`` as a spreadsheet shows it, never run (``legalcase.safetext``)."""
    return spreadsheet_text(text)


def _cell_text(value: Any) -> str:
    """A cell as it read in the file: an XLSX date as a date, a whole number without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def errors_row(line: int, reasons: list[str], row: list[Any]) -> list:
    return [line, _safe("；".join(reasons)), *(_safe(_cell_text(value)) for value in row)]


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
    rejected row creates nothing. Rows are stored a chunk at a time through
    ``escalations_apply``, and ``report`` is called after each chunk. A row whose
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
    chunk: list[tuple[int, dict, dict[str, str], bool]] = []
    originals: dict[int, list[Any]] = {}  # the chunk's rows as they were, by line
    with EscalationFile(path) as rows:
        header = [*ERRORS_HEADER, *(_safe(text) for text in rows.header)]
        if resume:
            _errors_cut(errors_path(path), after=start_after, header=header)
        with open(errors_path(path), "a" if resume else "w", encoding="utf-8" if resume else "utf-8-sig", newline="") as out:
            errors = csv.writer(out)
            if not resume:
                errors.writerow(header)

            def flush() -> None:
                nonlocal done
                with transaction.atomic():
                    rejected = _chunk_store(user=user, chunk=chunk, labels=rows.labels, calendar=calendar, counts=counts)
                    for line, reasons in sorted(rejected):
                        counts["rejected"] += 1
                        errors.writerow(errors_row(line, reasons, originals[line]))
                    out.flush()
                    done += len(chunk)
                    if report is not None:
                        report(done=done, total=total, result={**counts, "resume": {"line": chunk[-1][0], "done": done}})
                chunk.clear()
                originals.clear()

            for line, cells, row in rows.records():
                key = _account_key(cells)
                if line <= start_after:  # stored by an earlier run: only remembered for duplicates
                    seen.add(key)
                    continue
                body, cell_errors = escalation_body(cells)
                chunk.append((line, body, cell_errors, key in seen))
                originals[line] = row
                seen.add(key)
                if len(chunk) >= CHUNK_ROWS:
                    flush()
            if chunk:
                flush()
    return {**counts, "errors_file": str(errors_path(path))}


def _errors_cut(path: Path, *, after: int, header: list[str]) -> None:
    """Keep the header and the rows of lines up to ``after`` (a resumed import writes the rest again).

    The first column is the line number (行号) in every row but the header, which is
    written again as ``header`` (the file's own headers after 行号 and 错误原因).
    """
    kept = [header]
    if path.exists():
        with open(path, encoding="utf-8-sig", newline="") as source:
            kept += [row for number, row in enumerate(csv.reader(source)) if number > 0 and row and int(row[0]) <= after]
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows(kept)


def _chunk_store(*, user: User, chunk: list, labels: dict, calendar, counts: dict) -> list[tuple[int, list[str]]]:
    """Store a chunk's rows through ``escalations_apply``; count them; return ``(line, reasons)`` of the rejected.

    A row with a cell already found wrong, or repeating an earlier row's account, is
    not offered to the service; its reasons still come from the one validation.
    """
    rejected: list[tuple[int, list[str]]] = []
    offered = [(line, body) for line, body, cell_errors, duplicate in chunk if not cell_errors and not duplicate]
    outcomes = escalations_apply(user=user, rows=[body for _line, body in offered], calendar=calendar)
    for (line, _body), outcome in zip(offered, outcomes, strict=True):
        if outcome.stored:
            counts[outcome.status] += 1
        elif outcome.status == INVALID:
            rejected.append((line, escalation_reasons(outcome.errors, {}, labels)))
        else:
            rejected.append((line, [outcome.reason]))
    for line, body, cell_errors, duplicate in chunk:
        if cell_errors or duplicate:
            data, errors = escalation_validated(body)
            reasons = escalation_reasons(errors, cell_errors, labels) if data is None or cell_errors else []
            if duplicate:
                reasons.append(_("duplicate account in the file"))
            rejected.append((line, reasons))
    return rejected


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


def _stored_import(payload: dict) -> str:
    """The storage name of a job's uploaded file (``imports/….csv``).

    Jobs created before files went through the storage API named a path under
    STORAGE_ROOT; that path is the same file's name in the local storage.
    """
    if payload.get("file"):
        return payload["file"]
    return _name_under_root(payload.get("path", ""))


def _name_under_root(path: str) -> str:
    try:
        return Path(path).relative_to(Path(settings.STORAGE_ROOT)).as_posix()
    except ValueError:
        return ""


def stored_errors_name(name: str) -> str:
    """The storage name of the errors file of the stored import file ``name``."""
    return f"{name}.errors.csv"


def escalations_import_run(*, job: Job, report) -> dict:
    """The ``escalations_import`` job: import the uploaded file with a progress bar.

    The stored file is copied to a temporary folder to be read; the errors file is
    written there and stored beside the upload (``<name>.errors.csv``) before each chunk's
    progress commits that rejected rows, and once more at the end; the job's result names
    it by its storage name, never a path.

    Safe to run again after a crash: it resumes after the last chunk the dead run
    committed (recorded in the job's result), so every row is counted once.
    """
    user = User.objects.get(pk=job.payload["user_id"])
    storage = file_storage()
    name = _stored_import(job.payload)
    errors_name = stored_errors_name(name)
    with tempfile.TemporaryDirectory(prefix="fasu-import-") as work:
        path = copy_to_disk(storage, name, Path(work) / PurePosixPath(name).name)
        total = count_rows(path)
        resume = job.result.get("resume")
        if resume:
            resume = {**resume, "counts": job.result}
            if storage.exists(errors_name):  # the dead run's rejected rows, cut back on resuming
                copy_to_disk(storage, errors_name, errors_path(path))
        report(done=resume["done"] if resume else 0, total=total)
        stored_rejected = [None]

        def report_stored(*, done, total=None, result=None):
            rejected = (result or {}).get("rejected")
            if rejected != stored_rejected[0]:
                store_replacing(storage, errors_name, errors_path(path))
                stored_rejected[0] = rejected
            report(done=done, total=total, result=result)

        result = escalations_import(user=user, path=path, report=report_stored, total=total, resume=resume)
        store_replacing(storage, errors_name, errors_path(path))
    return {**result, "errors_file": errors_name, "failed": result["rejected"], "name": job.payload.get("name", "")}


def escalations_import_give_up(*, job: Job, reason: str) -> None:
    """The import failed for good: say how far it got, so the rest can be imported again."""
    resume = job.result.get("resume") or {"line": 1, "done": 0}
    Job.objects.filter(pk=job.pk).update(
        error=f"{reason}。已处理前 {resume['done']} 行（至第 {resume['line']} 行），其后的行未导入；"
        "重新导入该文件即可补齐（已导入的行计为未变）。"
    )


# The folder of the default storage that holds uploaded import files and their errors files.
IMPORT_FOLDER = "imports"


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
    # Checked on a local copy (the readers need a file on disk), stored only once it passes.
    with tempfile.TemporaryDirectory(prefix="fasu-upload-") as work:
        path = Path(work) / f"upload{suffix}"
        with open(path, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            EscalationFile(path).close()
        except ImportFileError as exc:
            raise ValidationError({"file": without_paths(str(exc))}) from None
        with open(path, "rb") as source:
            stored = file_storage().save(f"{IMPORT_FOLDER}/{secrets.token_hex(16)}{suffix}", File(source))
    return job_create(
        kind="escalations_import", user=user, payload={"user_id": user.pk, "file": stored, "name": name}
    )


def import_rejected(job: Job, *, limit: int = REJECTED_SHOWN) -> list[dict]:
    """The first ``limit`` rejected rows of an import job, each ``{"line", "reasons", "cells"}``
    (``cells``: the original cells under their headers), read back from its errors file."""
    name = import_errors_file(job)
    if name is None:
        return []
    shown = []
    with file_storage().open(name, "rb") as stored:
        reader = csv.reader(io.TextIOWrapper(stored, encoding="utf-8-sig", newline=""))
        header = next(reader, [])[len(ERRORS_HEADER) :]
        for row in reader:
            if len(shown) >= limit:
                break
            if not row:
                continue
            cells = [
                (visible_controls(label), _shown(label, value))
                for label, value in zip(header, row[len(ERRORS_HEADER) :])
                if value
            ]
            shown.append({"line": int(row[0]), "reasons": row[1].split("；"), "cells": cells})
    return shown


# A rejected row on the job page is masked as every page masks (API.md, "Conventions"); the
# errors file, downloaded by the uploader, keeps the cells as they were in their own file.
_SHOWN_MASKED = {
    "debtor_id_number": mask_id_number,
    "debtor_phone": mask_phone,
    "account_number": mask_account,
    "debtor_address": mask_address,
    "debtor_service_address": mask_address,
    "debtor_birth_date": lambda value: "*" * len(value),
}


def _shown(label: str, value: str) -> str:
    column = HEADERS.get(label.lstrip("'").strip())
    masked = _SHOWN_MASKED.get(column)
    return visible_controls(masked(value) if masked else value)


def import_errors_file(job: Job) -> str | None:
    """The storage name of a finished import job's errors file, if it is still stored."""
    if job.kind != "escalations_import" or not job.result.get("errors_file"):
        return None
    name = job.result["errors_file"]
    if name.startswith("/"):  # a job of before the storage API: its path under STORAGE_ROOT
        name = _name_under_root(name)
    if not is_storage_name(name, folder=IMPORT_FOLDER) or not file_storage().exists(name):
        return None
    return name
