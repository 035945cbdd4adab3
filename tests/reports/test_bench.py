"""`manage.py bench` (reports/bench/, docs/performance.md): a smoke run on a tiny data set.
Times are never asserted: only that the command runs and writes its summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from reports.bench.measures import CHEAP


@pytest.mark.django_db
def test_bench_runs_the_cheap_measures_and_writes_the_summary(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"

    call_command("bench", cases=200, repeat=1, json=str(out), only=list(CHEAP))

    summary = json.loads(out.read_text(encoding="utf-8"))
    assert set(summary) == {*CHEAP, "queries", "meta"}
    for name in CHEAP:
        assert set(summary[name]) == {"ms", "floor_ms", "ratio"}
        assert isinstance(summary[name]["ratio"], int | float)
        assert summary[name]["ratio"] > 0
    assert summary["meta"]["stats_floor_agrees"] is True
    assert summary["meta"]["cases"] >= 200
    # the list costs the same queries for 10 rows as for 50
    for listing in ("case_list", "case_list_api"):
        assert summary["queries"][listing]["rows_10"] == summary["queries"][listing]["rows_50"]
