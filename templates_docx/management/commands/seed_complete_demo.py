"""``manage.py seed_complete_demo``: two fully recorded demo matters (card, loan) that every shipped template fills."""

from django.core.management.base import BaseCommand

from templates_docx.demo import seed_complete_demo_command


class Command(BaseCommand):
    help = "Add two fully recorded demo matters (run after seed_demo); every filing generates without 【待补充】."

    def handle(self, *args, **options):
        counts = seed_complete_demo_command(say=self.stdout.write)
        self.stdout.write(f"要素齐全的演示案件：新增 {counts.get('complete_matters', 0)} 件。")
