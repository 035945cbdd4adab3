from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.audit import chain_heads, verify_chain


class Command(BaseCommand):
    help = (
        "Recompute the hash chain over CaseEvent (per case) and report every broken link. "
        "Exit status 1 when a link is broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--case", type=int, help="Verify one case (its id) instead of all.")
        parser.add_argument(
            "--heads", action="store_true", help="Also print each case's last event id and hash (to ship off-site)."
        )

    def handle(self, *args: object, **options: object) -> None:
        case_id = options.get("case")
        checked, breaks = verify_chain(case_id=case_id if isinstance(case_id, int) else None)
        for problem in breaks:
            self.stderr.write(f"BROKEN {problem}")
        if options.get("heads"):
            for head_case, event_id, digest in chain_heads():
                self.stdout.write(f"head case={head_case} event={event_id} hash={digest}")
        if breaks:
            raise CommandError(f"{len(breaks)} broken link(s) in {checked} events", returncode=1)
        self.stdout.write(f"verified {checked} events: the chain is intact")
