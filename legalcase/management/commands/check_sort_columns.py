"""Check (and with --repair, fix) the matter list's stored sort columns against what they copy."""

import sys

from django.core.management.base import BaseCommand

from legalcase.models import Matter


class Command(BaseCommand):
    help = (
        "Compare every matter's claim_total and limitation_expires_on with its debt's claim and its current "
        "limitation deadline; exit 1 when any differ. --repair sets them (outstanding_total follows)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="set the columns that differ")

    def handle(self, *args, repair: bool = False, **options):
        wrong = list(Matter.objects.all().sort_columns_out_of_step())
        for pk, claim, claim_source, limitation, limitation_source in wrong[:20]:
            self.stdout.write(
                f"matter {pk}: claim_total {claim} (debt: {claim_source}), "
                f"limitation_expires_on {limitation} (deadline: {limitation_source})"
            )
        self.stdout.write(f"{len(wrong):,} matters out of step")
        if wrong and repair:
            ids = [row[0] for row in wrong]
            for start in range(0, len(ids), 5000):
                Matter.objects.filter(pk__in=ids[start : start + 5000]).sort_columns_refresh()
            self.stdout.write(f"{len(ids):,} matters repaired")
        elif wrong:
            sys.exit(1)
