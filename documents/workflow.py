"""What archiving adds to the case workflow: the `archive` guard (the outcome's document
checklist) and the rule that an archived case changes no more (only supplements)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from cases.models import Case
from cases.workflow import Status, register_guard
from core.exceptions import ConflictError
from core.history import register_write_guard
from documents.archive import archive_blockers

#: How to get from a row to its case, for the rows that belong to one.
_CASE_PATHS = (
    ("case_id",),
    ("session", "case_id"),
    ("agreement", "case_id"),
    ("transcript", "session", "case_id"),
    ("obligation", "agreement", "case_id"),
)


def case_id_of(obj: models.Model) -> int | None:
    if isinstance(obj, Case):
        return obj.pk
    for path in _CASE_PATHS:
        value: Any = obj
        for attr in path:
            value = getattr(value, attr, None)
            if value is None:
                break
        if isinstance(value, int):
            return value
    return None


#: Rows that may still be written for an archived case: its documents (copies, downloads),
#: its volumes and supplements (the logged way to add to an archived file).
def _exempt(obj: models.Model) -> bool:
    return obj._meta.app_label == "documents"


def refuse_archived(obj: models.Model) -> None:
    if _exempt(obj):
        return
    case_id = case_id_of(obj)
    if case_id is None:
        return
    if Case.objects.filter(pk=case_id, status=Status.ARCHIVED).exists():
        raise ConflictError(_("本案已归档，不能再修改；如需补充材料，请办理补充归档。"))


def _checklist(case: Case) -> str | None:
    return " ".join(archive_blockers(case)) or None


def register() -> None:
    register_guard("archive")(_checklist)
    register_write_guard(refuse_archived)
