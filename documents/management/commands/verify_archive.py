"""python manage.py verify_archive CASE_NUMBER [...] | --all

Recomputes the SHA-256 of an archived case's package, manifest and documents and reports any
difference. Exit status 1 when anything differs or a case is not found."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.models import Case
from cases.workflow import Status
from documents.archive import archive_verify


class Command(BaseCommand):
    help = "Verify the hashes of archived case files (卷宗) and their archive packages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case_numbers", nargs="*", help="案号, e.g. （2026）京兴工调字第0001号")
        parser.add_argument("--all", action="store_true", help="verify every archived case")

    def handle(self, *args: Any, **options: Any) -> None:
        numbers: list[str] = options["case_numbers"]
        if options["all"]:
            cases = list(Case.objects.filter(status=Status.ARCHIVED).order_by("pk"))
        elif numbers:
            cases = []
            for number in numbers:
                found = list(Case.objects.filter(case_number=number))
                if not found:
                    raise CommandError(f"no case with number {number}")
                cases += found
        else:
            raise CommandError("give one or more case numbers, or --all")
        failures = 0
        for case in cases:
            problems = archive_verify(case)
            if problems:
                failures += 1
                self.stdout.write(self.style.ERROR(f"{case.case_number}: {len(problems)} difference(s)"))
                for problem in problems:
                    self.stdout.write(f"  - {problem}")
            else:
                self.stdout.write(self.style.SUCCESS(f"{case.case_number}: intact"))
        if failures:
            raise CommandError(f"{failures} of {len(cases)} archived case(s) differ from their hashes")
