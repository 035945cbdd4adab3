"""`manage.py bench` (reports/bench/, docs/performance.md): a smoke run on a tiny data set.
Times are never asserted: only that the command runs and writes its summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases.models import Case
from reports.bench.measures import CHEAP, TARGETS
from tests.factories import CaseFactory


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
    assert summary["meta"]["targets"] == {name: TARGETS[name] for name in CHEAP}
    assert isinstance(summary["meta"]["within_targets"], bool)
    # the list costs the same queries for 10 rows as for 50
    for listing in ("case_list", "case_list_api"):
        assert summary["queries"][listing]["rows_10"] == summary["queries"][listing]["rows_50"]


@pytest.mark.django_db
def test_bench_refuses_a_database_with_other_cases(tmp_path: Path) -> None:
    """A working database (cases outside the bench's organisations) is never benchmarked."""
    CaseFactory()
    out = tmp_path / "bench.json"

    with pytest.raises(CommandError, match="outside the bench's organisations"):
        call_command("bench", cases=10, repeat=1, json=str(out), only=["case_list"])

    assert not out.exists()
    assert Case.objects.count() == 1
