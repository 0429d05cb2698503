"""``python manage.py import_escalations FILE [--user USERNAME]`` (API.md, "Operations")."""

from django.core.management.base import BaseCommand, CommandError

from legalcase.importing import ImportFileError, escalations_import, import_user


class Command(BaseCommand):
    help = (
        "Import a .csv (UTF-8, UTF-8 with BOM, GBK or GB18030) or .xlsx file of escalations; print the "
        "counts and write the rejected rows to FILE.errors.csv. Exits 0 when the file was processed, "
        "rejected rows included; non-zero only when the file cannot be read."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--user", default=None, help="the acting counsel or administrator (default: the first active admin)"
        )

    def handle(self, *args, file: str, user: str | None, **options):
        try:
            result = escalations_import(user=import_user(user), path=file)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        for name in ("created", "updated", "unchanged", "rejected"):
            self.stdout.write(f"{name}: {result[name]}")
        self.stdout.write(f"errors: {result['errors_file']}")
