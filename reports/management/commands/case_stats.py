"""`manage.py case_stats --organization CODE --from YYYY-MM-DD --to YYYY-MM-DD
[--include-children] --format json`: the statistics of one organisation over one period, as
one JSON object (IMPORT_FORMAT.md "Statistics", docs/statistics.md)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organization
from core.api import EARLIEST, LATEST
from reports.selectors import case_stats


def parse_date(value: str | None, option: str) -> dt.date:
    if not value:
        raise CommandError(f"{option} is required (a date, YYYY-MM-DD).")
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} {value!r} is not a date; use YYYY-MM-DD, e.g. 2025-01-31.") from None
    if not EARLIEST <= date <= LATEST:
        raise CommandError(f"{option} {value} is out of range ({EARLIEST} to {LATEST}).")
    return date


class Command(BaseCommand):
    help = "Print the case statistics of an organisation over a period (Beijing dates, inclusive) as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", required=True, help="organisation code, e.g. DX")
        parser.add_argument("--from", dest="date_from", required=True, help="first day, YYYY-MM-DD (Beijing)")
        parser.add_argument("--to", dest="date_to", required=True, help="last day, YYYY-MM-DD (Beijing), inclusive")
        parser.add_argument(
            "--include-children", action="store_true", help="add the sub-organisations (a district and its towns)"
        )
        parser.add_argument("--format", choices=["json"], default="json", help="output format (json only)")

    def handle(self, *args: Any, **options: Any) -> None:
        date_from = parse_date(options["date_from"], "--from")
        date_to = parse_date(options["date_to"], "--to")
        if date_from > date_to:
            raise CommandError(f"--from {date_from} is after --to {date_to}.")
        code = (options["organization"] or "").strip()
        organization = Organization.objects.filter(code=code).first() if code else None
        if organization is None:
            known = ", ".join(Organization.objects.order_by("code").values_list("code", flat=True)) or "none"
            raise CommandError(f"Unknown organisation {code!r} (known codes: {known}).")
        stats = case_stats(
            organization=organization,
            date_from=date_from,
            date_to=date_to,
            include_children=options["include_children"],
        )
        self.stdout.write(json.dumps(stats, ensure_ascii=False, indent=2))
