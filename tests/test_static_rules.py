"""Rules the code itself must keep (DESIGN.md §4): the status moves only through the state
machine. These read the source, so they fail the moment someone writes a bypass."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_DIRS = ["accounts", "cases", "mediation", "linkage", "documents", "reports", "core", "config"]


def _source_files() -> list[Path]:
    files = []
    for app in APP_DIRS:
        files += [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]
    return files


def test_source_files_are_found() -> None:
    names = {p.name for p in _source_files()}
    assert {"services.py", "models.py", "workflow.py"} <= names


def test_no_queryset_update_of_status() -> None:
    pattern = re.compile(r"\.(update|bulk_update)\([^)]*\bstatus\b")
    offenders = [
        f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}"
        for path in _source_files()
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


#: A case's status is set only by django-fsm; other models' status fields are plain data.
CASE_STATUS_ASSIGNMENT = re.compile(r"\b(case|locked|self|instance|obj)\.status\s*=(?!=)")


def test_no_direct_status_assignment() -> None:
    pattern = CASE_STATUS_ASSIGNMENT
    offenders = [
        f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}"
        for path in _source_files()
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_the_rule_sees_a_bypass(tmp_path: Path) -> None:
    """Negative control: the pattern does catch the forbidden forms."""
    pattern = re.compile(r"\.(update|bulk_update)\([^)]*\bstatus\b")
    assert pattern.search('Case.objects.filter(pk=1).update(status="closed")')
    assert pattern.search('Case.objects.bulk_update(cases, ["status"])')
    assert CASE_STATUS_ASSIGNMENT.search('case.status = "closed"')
    assert CASE_STATUS_ASSIGNMENT.search('locked.status = "closed"')
    assert not CASE_STATUS_ASSIGNMENT.search('if case.status == "closed":')
