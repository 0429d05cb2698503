"""``python manage.py seed_demo``: demo creditors, firms, users and 300 matters, once."""

from django.core.management.base import BaseCommand, CommandError, no_translations

from legalcase.demo import DemoConflict, demo_logins, seed_demo
from legalcase.demo.tour import demo_tour


class Command(BaseCommand):
    help = "Add demo creditors, law firms, users and matters (fictional data); running it twice adds nothing."

    def add_arguments(self, parser):
        parser.add_argument("--matters", type=int, default=300, help="How many demo matters (default 300).")

    @no_translations
    def handle(self, *args, matters: int, **options):
        if matters < 1:
            raise CommandError("--matters must be at least 1.")
        try:
            result = seed_demo(matters=matters, progress=self._progress)
        except DemoConflict as exc:
            raise CommandError(f"Cannot seed the demo: {exc}.") from None
        if result.created:
            counts = ", ".join(f"{n} {name}" for name, n in result.counts.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data added: {counts}."))
        else:
            self.stdout.write("demo data already present")
        stops = demo_tour()
        if stops:
            self.stdout.write("")
            self.stdout.write("演示导览（README 的“五分钟导览”）：")
            for stop in stops:
                self.stdout.write(f"  {stop.number}  /matters/{stop.matter_id}/  {stop.shows}")
        logins = demo_logins()
        if not logins:
            return
        self.stdout.write("")
        self.stdout.write("Demo users (DEMO PASSWORDS: for trying Fasu out only, never on a real server):")
        headers = ("username", "role", "firm", "password")
        widths = [max(_width(row[i]) for row in [headers, *logins]) for i in range(len(headers))]
        self.stdout.write(_row(headers, widths))
        self.stdout.write(_row(tuple("-" * w for w in widths), widths))
        for row in logins:
            self.stdout.write(_row(row, widths))

    def _progress(self, line: str) -> None:
        # Flushed at once: ``make run`` shows it while the seeding goes on.
        self.stdout.write(line)
        self.stdout.flush()


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _row(cells: tuple[str, ...], widths: list[int]) -> str:
    return "  ".join(cell + " " * (width - _width(cell)) for cell, width in zip(cells, widths)).rstrip()
