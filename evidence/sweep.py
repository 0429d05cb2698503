"""The orphan sweep: stored files that no row references, removed once they are a day old.

Every private file is written to storage before the row naming it commits (so a row
never names a missing file), and removed again when that transaction fails. A process
killed between the two (SIGKILL, power loss) cannot remove it: the file stays, named by
no ``filer.File`` row. ``storage_orphans_sweep`` finds such files through the storage
API (so it works for any Django storage) and deletes those older than ``older_than``;
the age keeps it clear of a file whose row is still being committed. The schedule runs
it daily; ``manage.py sweep_orphans`` runs it by hand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone
from filer.models import File as FilerFile

from evidence.services import private_storage
from legalcase.files import stored_names

log = logging.getLogger(__name__)

ORPHAN_AGE = timedelta(days=1)
LOOKUP_CHUNK = 1000


@dataclass
class SweepResult:
    """What a sweep saw: files checked, orphans removed (or found, on a dry run), young orphans kept."""

    checked: int = 0
    removed: list[str] = field(default_factory=list)
    kept_young: int = 0


def storage_orphans_sweep(*, older_than: timedelta = ORPHAN_AGE, dry_run: bool = False) -> SweepResult:
    """Delete the private files no row references that are older than ``older_than``; safe to run anywhere, any time."""
    storage = private_storage()
    cutoff = timezone.now() - older_than
    result = SweepResult()
    pending: list[str] = []

    def settle() -> None:
        referenced = set(FilerFile.objects.filter(file__in=pending).values_list("file", flat=True))
        for name in pending:
            if name in referenced:
                continue
            try:
                modified = storage.get_modified_time(name)
            except FileNotFoundError:  # removed meanwhile
                continue
            if modified >= cutoff:
                result.kept_young += 1
                continue
            if not dry_run:
                storage.delete(name)
                log.info("removed orphan file %s (stored %s)", name, modified.isoformat())
            result.removed.append(name)
        pending.clear()

    # A bucket has no folders to ask about: the listing of either kind of storage is all there is.
    for name in stored_names(storage):
        result.checked += 1
        pending.append(name)
        if len(pending) >= LOOKUP_CHUNK:
            settle()
    if pending:
        settle()
    return result
