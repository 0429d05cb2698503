"""Files through Django's storage API, whichever backend the settings chose (API.md,
"Operations at scale"): the local folder or a private S3-compatible bucket.

A stored file is named by its storage name (``imports/3f….csv``), never by a path on
this host; a program that needs a file on disk (LibreOffice, tesseract, openpyxl reading
an import) gets a copy in a temporary folder that is removed when it is done.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.storage import Storage, storages

CHUNK = 1024 * 1024


def file_storage() -> Storage:
    """The default storage: import files and their errors files (evidence lives in django-filer's)."""
    return storages["default"]


def copy_to_disk(storage: Storage, name: str, target: Path) -> Path:
    """Write the stored file ``name`` to ``target`` (a local path); return ``target``."""
    with storage.open(name, "rb") as source, open(target, "wb") as out:
        shutil.copyfileobj(source, out, CHUNK)
    return target


def store_replacing(storage: Storage, name: str, source: Path) -> None:
    """Store the local file ``source`` under exactly ``name``, replacing what was there."""
    if storage.exists(name):
        storage.delete(name)
    with open(source, "rb") as handle:
        stored = storage.save(name, File(handle, name=PurePosixPath(name).name))
    if stored != name:  # another run stored the name in between: keep its file, fail this one (retried)
        storage.delete(stored)
        raise FileExistsError(name)


def stored_sha256(storage: Storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def stored_names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file's name in ``storage`` under ``folder`` (a bucket: in key order, one listing)."""
    bucket = getattr(storage, "bucket", None)
    if bucket is not None:  # S3: one flat listing, not a request per folder
        location = storage.location.strip("/")
        prefix = "/".join(part for part in (location, folder.strip("/")) if part)
        for stored in bucket.objects.filter(Prefix=f"{prefix}/" if prefix else ""):
            if not stored.key.endswith("/"):
                yield stored.key[len(location) + 1 :] if location else stored.key
        return
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from stored_names(storage, f"{folder}/{sub}" if folder else sub)


def is_storage_name(name: str, *, folder: str) -> bool:
    """Whether ``name`` is a relative storage name inside ``folder`` (no root, no ``..``)."""
    path = PurePosixPath(name)
    return (
        bool(name)
        and not path.is_absolute()
        and "\\" not in name
        and ".." not in path.parts
        and path.parts[0] == folder
        and len(path.parts) > 1
    )
