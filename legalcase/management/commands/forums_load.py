"""Add the national table of courts and arbitration commissions (legalcase.courts) to the forums."""

from django.core.management.base import BaseCommand

from legalcase.courts import load_forums
from legalcase.models import Forum


class Command(BaseCommand):
    help = "Add every court and commission of the national table not yet known; safe to run again."

    def handle(self, *args, **options):
        added = load_forums(Forum)
        self.stdout.write(f"{added:,} forums added, {Forum.objects.count():,} known")
