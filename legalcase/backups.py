"""Backups and their restore (API.md, "Operations at scale"; README, "Backup and restore drill").

A backup is a folder: the database (``pg_dump`` custom format on PostgreSQL, a consistent
copy of the file on SQLite), ``manifest.csv`` naming every stored object with its size
and SHA-256, ``backup.json`` (when, which database kind, the counts) and, with
``files``, a copy of every object under ``files/`` (a local installation's files; a
bucket keeps its own versions). It never holds a key or a password: restore needs the
same environment (SECRET_KEY, the encryption and digest keys) as the installation it
came from.

A restore goes into an empty database only, puts back any object the storage lacks
from ``files/``, and checks every object of the manifest against its SHA-256.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from legalcase.files import CHUNK, file_storage, stored_names, stored_sha256

MANIFEST = "manifest.csv"
MANIFEST_HEADER = ["name", "size", "sha256"]
INFO = "backup.json"
FILES = "files"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
PROGRESS_EVERY = 100


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why."""


def _vendor() -> str:
    if connection.vendor not in DUMPS:
        raise BackupError(f"Cannot back up a {connection.vendor} database (PostgreSQL or SQLite only).")
    return connection.vendor


def _pg_command(program: str) -> tuple[list[str], dict]:
    """``program``'s connection arguments and environment for the default database (the password in PGPASSWORD)."""
    db = settings.DATABASES["default"]
    args = [program, "--no-owner", "--no-privileges", f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    environ = {**os.environ}
    if db.get("PASSWORD"):
        environ["PGPASSWORD"] = db["PASSWORD"]
    if (db.get("OPTIONS") or {}).get("sslmode"):
        environ["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return args, environ


def _run(args: list[str], environ: dict) -> None:
    done = subprocess.run(args, env=environ, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _dump_database(target: Path, vendor: str) -> None:
    if vendor == "postgresql":
        args, environ = _pg_command("pg_dump")
        _run([*args, "--format=custom", f"--file={target}"], environ)
        return
    # SQLite's online backup, through Django's own connection: a consistent copy even while others write.
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()


def backup_write(*, target: Path, files: bool, say: Callable[[str], None]) -> dict:
    """Write a backup into the folder ``target`` (absent or empty); return what ``backup.json`` says."""
    vendor = _vendor()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} is not an empty folder: a backup never overwrites another.")
    storage = file_storage()
    location = getattr(storage, "location", None)
    if settings.STORAGE_BACKEND == "local" and location and target.resolve().is_relative_to(Path(location).resolve()):
        raise BackupError(f"{target} is inside the storage folder {location}: the backup would hold itself.")
    target.mkdir(parents=True, exist_ok=True)
    dump = DUMPS[vendor]
    say(f"dumping the {vendor} database to {dump}")
    _dump_database(target / dump, vendor)
    count = size = 0
    with open(target / MANIFEST, "w", encoding="utf-8", newline="") as out:
        manifest = csv.writer(out)
        manifest.writerow(MANIFEST_HEADER)
        for name in stored_names(storage):
            digest, length = hashlib.sha256(), 0
            copy = None
            if files:
                (target / FILES / name).parent.mkdir(parents=True, exist_ok=True)
                copy = open(target / FILES / name, "wb")
            try:
                with storage.open(name, "rb") as handle:
                    while chunk := handle.read(CHUNK):
                        digest.update(chunk)
                        length += len(chunk)
                        if copy is not None:
                            copy.write(chunk)
            finally:
                if copy is not None:
                    copy.close()
            manifest.writerow([name, length, digest.hexdigest()])
            count, size = count + 1, size + length
            if count % PROGRESS_EVERY == 0:
                say(f"{count} objects listed")
    info = {
        "created_at": timezone.now().isoformat(),
        "database": vendor,
        "dump": dump,
        "objects": count,
        "bytes": size,
        "files": files,
        "storage": settings.STORAGE_BACKEND,
    }
    (target / INFO).write_text(json.dumps(info, indent=2), encoding="utf-8")
    say(f"{count} objects ({size} bytes) in {MANIFEST}" + (f", copied under {FILES}/" if files else ""))
    return info


def manifest_rows(source: Path) -> list[tuple[str, int, str]]:
    with open(source / MANIFEST, encoding="utf-8", newline="") as manifest:
        reader = csv.reader(manifest)
        if next(reader, None) != MANIFEST_HEADER:
            raise BackupError(f"{MANIFEST} does not start with {','.join(MANIFEST_HEADER)}.")
        return [(name, int(size), sha256) for name, size, sha256 in reader]


def database_is_empty() -> bool:
    return not connection.introspection.table_names()


def _restore_database(source: Path, vendor: str) -> None:
    dump = source / DUMPS[vendor]
    if vendor == "postgresql":
        args, environ = _pg_command("pg_restore")
        _run([*args, "--exit-on-error", "--single-transaction", str(dump)], environ)
        return
    name = settings.DATABASES["default"]["NAME"]
    connections.close_all()
    backup = sqlite3.connect(dump)
    target = sqlite3.connect(name)
    try:
        backup.backup(target)
    finally:
        target.close()
        backup.close()


def restore_read(*, source: Path, say: Callable[[str], None]) -> list[tuple[str, str]]:
    """Restore the backup in ``source`` into the (empty) database and the storage.

    Returns the objects of the manifest that the storage does not hold as they were
    (``(name, why)``); an empty list means every file is back.
    """
    vendor = _vendor()
    try:
        info = json.loads((source / INFO).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source} holds no {INFO}: not a Fasu backup.") from None
    if info.get("database") != vendor:
        raise BackupError(f"The backup is of a {info.get('database')} database; this installation uses {vendor}.")
    rows = manifest_rows(source)
    if not database_is_empty():
        raise BackupError("The database is not empty: restore only into a new, empty database.")
    say(f"restoring the database from {info['dump']}")
    _restore_database(source, vendor)
    storage = file_storage()
    copies = source / FILES
    problems: list[tuple[str, str]] = []
    put_back = 0
    for number, (name, _size, expected) in enumerate(rows, start=1):
        if ".." in PurePosixPath(name).parts or name.startswith("/"):
            problems.append((name, "not a storage name"))
            continue
        if not storage.exists(name) and (copies / name).is_file():
            with open(copies / name, "rb") as handle:
                stored = storage.save(name, handle)
            if stored != name:
                problems.append((name, f"stored as {stored}"))
                continue
            put_back += 1
        if not storage.exists(name):
            problems.append((name, "missing"))
        elif stored_sha256(storage, name) != expected:
            problems.append((name, "SHA-256 differs"))
        if number % PROGRESS_EVERY == 0 or number == len(rows):
            say(f"[{number}/{len(rows)}] objects checked, {put_back} put back, {len(problems)} problems")
    return problems

