"""`manage.py bench [--cases N] [--repeat R] [--json FILE] [--only NAME ...]`: build (or reuse)
the synthetic data set of N cases and time each measure against its floor (docs/performance.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from accounts.services import system_user
from cases.models import Case
from reports.bench import dataset, measures


class Command(BaseCommand):
    help = "Time the case list, case page, API, statistics, PDFs, a transition and an import against their floors."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cases", type=int, default=None, help="data set size (default 100000 on PostgreSQL, 20000 on SQLite)"
        )
        parser.add_argument("--repeat", type=int, default=7, help="rounds of each measure and its floor (default 7)")
        parser.add_argument("--json", default="", help="also write the summary as JSON to this file")
        parser.add_argument("--only", nargs="*", choices=measures.ALL, default=None, help="run only these measures")
        parser.add_argument(
            "--import-rows", type=int, default=10_000, help="rows of the import measure (default 10000)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed of the data set")

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["cases"] or (100_000 if connection.vendor == "postgresql" else 20_000)
        repeat = options["repeat"]
        import_rows = options["import_rows"] or min(10_000, count)
        if count < 1 or repeat < 1 or import_rows < 1:
            raise CommandError("--cases, --repeat and --import-rows must be at least 1.")
        foreign = Case.objects.exclude(organization__code__startswith=dataset.BENCH_CODE).count()
        if foreign:
            raise CommandError(
                f"This database holds {foreign} cases outside the bench's organisations: it looks like a working "
                "database. Run the bench on its own database (make bench, or DATABASE_URL=...; docs/performance.md)."
            )
        world = dataset.world_get_or_create(system=system_user())
        have = world.case_count()
        if have >= count:
            self.stdout.write(f"Reusing the data set {dataset.BENCH_CODE}: {have} cases (asked for {count}).")
        else:
            self.stdout.write(f"Building the data set {dataset.BENCH_CODE}: {have} cases, adding {count - have}.")
            dataset.cases_add(world=world, count=count - have, seed=options["seed"] + have, progress=self._progress)
            self.stdout.write("")
        detail = dataset.detail_case_get_or_create(world=world)
        dataset.analyze()
        bench = measures.Bench(world, detail, repeat=repeat, import_rows=import_rows)
        names = options["only"] or list(measures.ALL)
        results = []
        for name in names:
            self.stdout.write(f"measuring {name} ...", ending="")
            self.stdout.flush()
            results.append(bench.run(name))
            self.stdout.write(f" {results[-1].ms:.1f} ms")
        queries = bench.query_counts()
        summary: dict[str, Any] = {r.name: r.as_json() for r in results}
        summary["queries"] = queries
        summary["meta"] = {
            "cases": world.case_count(),
            "repeat": repeat,
            "database": connection.vendor,
            "import_rows": import_rows,
            "stats_floor_agrees": bench.stats_agree(),
            "targets": {r.name: measures.TARGETS[r.name] for r in results},
            "within_targets": all(r.ratio <= measures.TARGETS[r.name] for r in results),
        }
        if "case_file_pdf" in names:
            summary["meta"]["case_file_pages"] = bench.case_file_pages
        self._table(results, queries)
        text = json.dumps(summary, ensure_ascii=False, indent=2)
        self.stdout.write(text)
        if options["json"]:
            Path(options["json"]).write_text(text + "\n", encoding="utf-8")

    def _progress(self, done: int, total: int) -> None:
        width = 40
        filled = width * done // total
        if self.stdout.isatty() or sys.stdout.isatty():
            self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} cases", ending="")
        else:
            self.stdout.write(f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} cases")
        self.stdout.flush()

    def _table(self, results: list[measures.Result], queries: dict[str, dict[str, int]]) -> None:
        self.stdout.write(f"{'measure':<16}{'median ms':>12}{'floor ms':>12}{'ratio':>9}{'target':>9}")
        for r in results:
            target = measures.TARGETS[r.name]
            verdict = "ok" if r.ratio <= target else "OVER"
            self.stdout.write(f"{r.name:<16}{r.ms:>12.1f}{r.floor_ms:>12.1f}{r.ratio:>9.1f}{target:>8}x {verdict}")
        self.stdout.write("queries per request: " + "; ".join(f"{k} {v}" for k, v in queries.items()))
