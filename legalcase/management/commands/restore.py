"""``python manage.py restore DIR``: a backup of ``manage.py backup`` into an empty database.

Run with the environment of the installation the backup came from (the same SECRET_KEY
and keys) against a new, empty database; then ``manage.py verify_evidence`` confirms
every evidence file. Exits 1 listing every stored object that is missing or differs.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from legalcase.backups import BackupError, restore_read


class Command(BaseCommand):
    help = "Restore a backup of manage.py backup into an empty database, and check every stored file's SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("source", help="the backup's folder")

    @no_translations
    def handle(self, *args, source: str, **options):
        try:
            problems = restore_read(source=Path(source), say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        for name, why in problems:
            self.stdout.write(f"MISMATCH {name}: {why}")
        if problems:
            raise CommandError(f"{len(problems)} stored files are missing or differ from the backup.", returncode=1)
        self.stdout.write("Restored. Now run: manage.py verify_evidence")
