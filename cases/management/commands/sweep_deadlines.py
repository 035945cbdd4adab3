import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services import system_user
from cases.services import deadlines_sweep


class Command(BaseCommand):
    help = "Raise overdue deadline alerts (clocks A, B, C) and resolve those that no longer apply. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Sweep as if today were YYYY-MM-DD (Beijing date).")

    def handle(self, *args: object, **options: object) -> None:
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(str(options["today"]))
            except ValueError as exc:
                raise CommandError(f"--today must be YYYY-MM-DD, got {options['today']!r}") from exc
        counts = deadlines_sweep(actor=system_user(), today=today)
        self.stdout.write(f"alerts created: {counts['created']}, resolved: {counts['resolved']}")
