from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.audit import INVARIANTS, check_invariants


class Command(BaseCommand):
    help = (
        "Scan cases for impossible states (RELIABILITY.md T8): status vs timestamps, case numbers, "
        "deadlines, history, the event and history paths through the workflow graph, money, "
        "open work after the outcome. Exit status 1 and one line per violation when any is found."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--case", type=int, action="append", help="Check this case id (repeatable).")

    def handle(self, *args: object, **options: object) -> None:
        case_ids = options.get("case")
        violations = check_invariants(case_ids if isinstance(case_ids, list) else None)
        for violation in violations:
            self.stdout.write(str(violation))
        if violations:
            raise CommandError(f"{len(violations)} invariant violation(s)", returncode=1)
        self.stdout.write(f"0 violations ({len(INVARIANTS)} checks)")
