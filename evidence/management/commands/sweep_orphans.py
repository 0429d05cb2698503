"""``python manage.py sweep_orphans [--dry-run] [--hours N]``: remove stored files no row references.

See ``evidence.sweep``: a file written to private storage by a process killed before its
row committed. Only files older than a day (``--hours``) are removed.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand

from evidence.sweep import ORPHAN_AGE, storage_orphans_sweep


class Command(BaseCommand):
    help = "Remove files in private storage that no row references and that are older than a day."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list the orphans, remove nothing")
        parser.add_argument(
            "--hours", type=float, default=ORPHAN_AGE.total_seconds() / 3600, help="minimum age of a removed file"
        )

    def handle(self, *args, dry_run: bool, hours: float, **options):
        result = storage_orphans_sweep(older_than=timedelta(hours=hours), dry_run=dry_run)
        for name in result.removed:
            self.stdout.write(f"{'orphan' if dry_run else 'removed'} {name}")
        verb = "found" if dry_run else "removed"
        self.stdout.write(
            f"{result.checked} files checked, {len(result.removed)} orphans {verb}, {result.kept_young} younger ones kept."
        )
