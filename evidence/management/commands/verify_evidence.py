"""``python manage.py verify_evidence [--matter ID]``: re-hash every evidence file.

Prints each item whose stored bytes no longer match the SHA-256 taken at upload (or
whose file is gone), flags it on its matter page and in the timeline, and exits with
status 1 if any was found, so a cron job or monitoring can alert on it.
"""

from django.core.management.base import BaseCommand, CommandError, no_translations

from evidence.models import EvidenceItem
from evidence.services import evidence_verify


class Command(BaseCommand):
    help = "Re-hash every evidence file and report those that no longer match their SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("--matter", type=int, default=None, help="check only this matter's evidence")

    @no_translations
    def handle(self, *args, matter: int | None, **options):
        items = EvidenceItem.objects.select_related("file", "matter").order_by("id")
        if matter is not None:
            items = items.filter(matter_id=matter)
        checked, bad = 0, []
        for item in items.iterator(chunk_size=500):
            checked += 1
            if not evidence_verify(item=item):
                bad.append(item)
                self.stdout.write(f"MISMATCH evidence {item.pk} of matter {item.matter.number}: {item.title}")
        self.stdout.write(f"{checked} files checked, {len(bad)} mismatched.")
        if bad:
            raise CommandError(f"{len(bad)} evidence files do not match their SHA-256.", returncode=1)
