"""``python manage.py backup DIR [--files | --no-files]``: the database and a manifest of the stored files.

See ``legalcase.backups`` and README, "Backup and restore drill". Files are copied into
the backup by default on a local installation (``--no-files``: the manifest only) and
not from a bucket (``--files``: copy them too).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, no_translations

from legalcase.backups import BackupError, backup_write


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format, or the SQLite file) and the stored files' manifest with SHA-256s."

    def add_arguments(self, parser):
        parser.add_argument("target", help="a new or empty folder for the backup")
        parser.add_argument(
            "--files",
            action="store_true",
            default=None,
            help="copy every stored file into the backup (default on a local installation)",
        )
        parser.add_argument("--no-files", dest="files", action="store_false", help="write the manifest only")

    @no_translations
    def handle(self, *args, target: str, files: bool | None, **options):
        if files is None:
            files = settings.STORAGE_BACKEND == "local"
        try:
            info = backup_write(target=Path(target), files=files, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Backup written: {info['objects']} objects, database {info['database']}.")
