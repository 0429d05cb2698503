"""``python manage.py storage_migrate [--source DIR]``: copy a local installation's files to the bucket.

Run once, with ``STORAGE_BACKEND=s3`` and the S3_* settings of the new bucket, on the
host that holds the old STORAGE_ROOT (the default ``--source``). Every file under it is
stored under the same name in the bucket (``filer_private/…`` stays ``filer_private/…``,
so the database needs no change), then read back and its SHA-256 compared with the
local file's. An object already in the bucket with the same SHA-256 is skipped, so a run
that stopped half way is simply run again. Prints its progress; exits 1 listing every
file whose copy does not match (nothing is overwritten), 0 when all are in the bucket.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.management.base import BaseCommand, CommandError, no_translations

from legalcase.files import file_storage, stored_names, stored_sha256

PROGRESS_EVERY = 100


class Command(BaseCommand):
    help = "Copy the files of local storage (STORAGE_ROOT) to the S3 bucket, checking each SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("--source", default=None, help="the local storage folder (default: STORAGE_ROOT)")

    @no_translations
    def handle(self, *args, source: str | None, **options):
        if settings.STORAGE_BACKEND != "s3":
            raise CommandError("STORAGE_BACKEND is not s3: set it and the S3_* settings of the bucket to copy into.")
        root = Path(source or settings.STORAGE_ROOT)
        if not root.is_dir():
            raise CommandError(f"No such folder: {root}")
        local, bucket = FileSystemStorage(location=str(root)), file_storage()
        names = list(stored_names(local))
        copied = skipped = 0
        mismatched: list[tuple[str, str]] = []
        self.stdout.write(f"{len(names)} files to check in {root}")
        for number, name in enumerate(names, start=1):
            expected = stored_sha256(local, name)
            if bucket.exists(name):
                actual = stored_sha256(bucket, name)
                if actual == expected:
                    skipped += 1
                else:
                    mismatched.append((name, "a different object is already in the bucket"))
            else:
                with local.open(name, "rb") as handle:
                    stored = bucket.save(name, handle)
                if stored != name:
                    mismatched.append((name, f"stored as {stored}"))
                elif stored_sha256(bucket, name) != expected:
                    mismatched.append((name, "the copy's SHA-256 differs"))
                else:
                    copied += 1
            if number % PROGRESS_EVERY == 0 or number == len(names):
                self.stdout.write(f"[{number}/{len(names)}] copied {copied}, already there {skipped}, mismatched {len(mismatched)}")
        for name, why in mismatched:
            self.stdout.write(f"MISMATCH {name}: {why}")
        self.stdout.write(f"{copied} copied, {skipped} already in the bucket, {len(mismatched)} mismatched.")
        if mismatched:
            raise CommandError(f"{len(mismatched)} files are not in the bucket as they are on disk.", returncode=1)
