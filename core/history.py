"""One place that attaches the actor and the reason to django-simple-history rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

CHANGE_REASON_LENGTH = 100

#: Checks every write through save_with_history passes first (registered by apps: e.g. the
#: documents app refuses changes to archived cases). Each raises to refuse.
WRITE_GUARDS: list[Callable[[models.Model], None]] = []


def register_write_guard(func: Callable[[models.Model], None]) -> Callable[[models.Model], None]:
    if func not in WRITE_GUARDS:
        WRITE_GUARDS.append(func)
    return func


def save_with_history(
    obj: models.Model, *, actor: Any, reason: str = "", update_fields: list[str] | None = None
) -> None:
    """Save `obj` so that its history row names `actor` (never None: tasks and commands pass
    the system user) and carries `reason`."""
    if actor is None:
        raise ValueError("save_with_history needs an actor; use accounts.services.system_user()")
    for guard in WRITE_GUARDS:
        guard(obj)
    obj._history_user = actor  # type: ignore[attr-defined]
    # simple-history keeps at most 100 characters of a reason; the full text of a
    # transition's reason is in its CaseEvent.
    obj._change_reason = reason[:CHANGE_REASON_LENGTH]  # type: ignore[attr-defined]
    try:
        obj.save(update_fields=update_fields)
    finally:
        for attr in ("_history_user", "_change_reason"):
            if hasattr(obj, attr):
                delattr(obj, attr)


def delete_with_history(obj: models.Model, *, actor: Any, reason: str = "") -> None:
    """Delete `obj` so that its deletion row in the history names `actor` and `reason`."""
    if actor is None:
        raise ValueError("delete_with_history needs an actor; use accounts.services.system_user()")
    for guard in WRITE_GUARDS:
        guard(obj)
    obj._history_user = actor  # type: ignore[attr-defined]
    obj._change_reason = reason[:CHANGE_REASON_LENGTH]  # type: ignore[attr-defined]
    obj.delete()
