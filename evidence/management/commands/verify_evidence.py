"""``python manage.py verify_evidence [--matter ID]``: re-hash every evidence file.

Prints each item whose stored bytes no longer match the SHA-256 taken at upload (or
whose file is gone), flags it on its matter page and in the timeline, and exits with
status 1 if any was found, so monitoring can alert on it. The schedule runs the same
service (``evidence_verify_all``) every night at 02:00.
"""

from django.core.management.base import BaseCommand, CommandError, no_translations

from evidence.services import evidence_verify_all


class Command(BaseCommand):
    help = "Re-hash every evidence file and report those that no longer match their SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("--matter", type=int, default=None, help="check only this matter's evidence")

    @no_translations
    def handle(self, *args, matter: int | None, **options):
        outcome = evidence_verify_all(matter_id=matter)
        bad = outcome["mismatched"]
        for item in bad:
            self.stdout.write(f"MISMATCH evidence {item['evidence']} of matter {item['matter']}: {item['title']}")
        self.stdout.write(f"{outcome['checked']} files checked, {len(bad)} mismatched.")
        if bad:
            raise CommandError(f"{len(bad)} evidence files do not match their SHA-256.", returncode=1)
