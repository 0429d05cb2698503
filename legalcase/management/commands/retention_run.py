"""Anonymise now the personal data of the matters past their retention period (LEGAL_RULES B.9)."""

from django.core.management.base import BaseCommand

from legalcase.services.retention import retention_run


class Command(BaseCommand):
    help = (
        "Anonymise the personal data of matters closed longer than RETENTION_DAYS, except under a legal hold; "
        "--dry-run lists them and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list the matters due; change nothing")

    def handle(self, *args, dry_run: bool, **options):
        outcome = retention_run(dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"{outcome['due']:,} matters closed more than {outcome['retention_days']} days ago would be anonymised (dry run):")
            for number in outcome["matters"]:
                self.stdout.write(f"  {number}")
            return
        self.stdout.write(
            f"{outcome['anonymised']:,} of {outcome['due']:,} matters anonymised; {outcome['parties']:,} parties anonymised, "
            f"{outcome['parties_kept']:,} kept for other matters."
        )
