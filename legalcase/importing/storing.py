"""Storing an escalation file: the import use case, its job and its upload (API.md, "Operations").

Rows are read by ``reading``, gathered in chunks of ``CHUNK_ROWS`` and handed to
``services.escalations_apply``, the same service the API calls with a batch of one:
it validates each row and writes the chunk set-based. A rejected row creates nothing
and is written, with its line number and reasons, to ``<file>.errors.csv``.
"""

from __future__ import annotations

import csv
import hashlib
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from legalcase.access import require
from legalcase.escalation_input import escalation_validated
from legalcase.importing.reading import (
    EXTENSIONS,
    EscalationFile,
    ImportFileError,
    _text,
    count_rows,
    escalation_body,
    escalation_reasons,
)
from legalcase.jobs import job_create
from legalcase.models import Job, Role, User, holiday_calendar
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


def escalations_import(
    *, user: User, path: Path | str, report: Callable[..., None] | None = None, total: int | None = None
) -> dict:
    """Import every row of an escalation file; return the counts and the errors file's path.

    Each row stands alone: it is validated like ``POST /api/v1/escalations/``, and a
    rejected row creates nothing. Rows are stored a chunk at a time through
    ``escalations_apply``, and ``report`` is called after each chunk. A row whose
    account (credit code and account number) appeared earlier in the file is rejected;
    a row equal to what is stored counts as ``unchanged`` and writes nothing. Rejected
    rows go to ``<path>.errors.csv`` (UTF-8 with a BOM for Excel; header = line 1).
    Raises ``ImportFileError`` before storing anything when the file cannot be read.
    """
    require(user, "escalate")
    counts = {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    calendar = holiday_calendar()
    seen: set[int] = set()
    done = 0
    chunk: list[tuple[int, dict, dict[str, str], bool]] = []
    with EscalationFile(path) as rows, open(errors_path(path), "w", encoding="utf-8-sig", newline="") as out:
        errors = csv.writer(out)
        errors.writerow(["line", "reasons"])

        def flush() -> None:
            nonlocal done
            rejected = _chunk_store(user=user, chunk=chunk, labels=rows.labels, calendar=calendar, counts=counts)
            for line, reasons in sorted(rejected):
                counts["rejected"] += 1
                errors.writerow([line, "; ".join(reasons)])
            done += len(chunk)
            chunk.clear()
            if report is not None:
                report(done=done, total=total, result=dict(counts))

        for line, cells in rows:
            body, cell_errors = escalation_body(cells)
            key = _account_key(cells)
            chunk.append((line, body, cell_errors, key in seen))
            seen.add(key)
            if len(chunk) >= CHUNK_ROWS:
                flush()
        if chunk:
            flush()
    return {**counts, "errors_file": str(errors_path(path))}


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


def escalations_import_run(*, job: Job, report) -> dict:
    """The ``escalations_import`` job: import the uploaded file with a progress bar.

    Safe to run twice: a rerun starts over and finds the rows already stored unchanged.
    """
    user = User.objects.get(pk=job.payload["user_id"])
    path = Path(job.payload["path"])
    total = count_rows(path)
    report(done=0, total=total)
    result = escalations_import(user=user, path=path, report=report, total=total)
    return {**result, "failed": result["rejected"], "name": job.payload.get("name", "")}


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
