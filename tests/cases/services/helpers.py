"""Shared helpers for the transition service tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from cases.models import Case, CaseAssignment, CaseEvent, CaseNumberSequence
from cases.workflow import Status

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALL_STATES = list(Status)

_WATCHED_FIELDS = (
    "case_number",
    "registry_number",
    "received_at",
    "acceptance_due_on",
    "arbitration_release_on",
    "accepted_at",
    "mediation_due_on",
    "clerk_id",
    "outcome_at",
    "closed_at",
    "rejection_reason",
    "withdrawal_reason",
    "termination_reason",
    "outcome_note",
    "pre_closure_status",
)


def beijing(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Snapshot:
    status: str
    events: int
    history: int
    sequences: tuple[tuple[int, int, str, int], ...]
    assignments: tuple[tuple[int, str, bool], ...]
    fields: tuple[tuple[str, Any], ...]


def snapshot(case: Case) -> Snapshot:
    """Everything a refused transition must leave as it was, read fresh from the database."""
    fresh = Case.objects.get(pk=case.pk)
    return Snapshot(
        status=fresh.status,
        events=CaseEvent.objects.filter(case_id=case.pk).count(),
        history=Case.history.filter(id=case.pk).count(),
        sequences=tuple(
            CaseNumberSequence.objects.order_by("pk").values_list("organization_id", "year", "series", "last_value")
        ),
        assignments=tuple(
            CaseAssignment.objects.filter(case_id=case.pk).order_by("pk").values_list("user_id", "role", "active")
        ),
        fields=tuple((name, getattr(fresh, name)) for name in _WATCHED_FIELDS),
    )


def assert_unchanged(case: Case, before: Snapshot) -> None:
    case.refresh_from_db()
    assert case.status == before.status
    assert snapshot(case) == before


def last_event(case: Case) -> CaseEvent:
    event = CaseEvent.objects.filter(case_id=case.pk).order_by("-id").first()
    assert event is not None
    return event


def last_history(case: Case) -> Any:
    return Case.history.filter(id=case.pk).order_by("-history_id").first()


def assert_transition_recorded(
    case: Case, before: Snapshot, *, name: str, from_status: str, to_status: str, actor: Any, reason: str = ""
) -> None:
    """Exactly one transition event and one history row, both naming the actor."""
    assert CaseEvent.objects.filter(case_id=case.pk).count() == before.events + 1
    event = last_event(case)
    assert (event.kind, event.name, event.from_status, event.to_status, event.actor_id, event.reason) == (
        "transition",
        name,
        from_status,
        to_status,
        actor.pk,
        reason,
    )
    assert Case.history.filter(id=case.pk).count() == before.history + 1
    row = last_history(case)
    assert row.history_user_id == actor.pk
    assert row.history_change_reason.startswith(name)
    assert row.status == to_status


def serve_pending_documents(case: Case, clerk: Any) -> None:
    """Closure needs every outcome notice served (the mediation layer's guard on
    submit_closure); serve them the way `case_in` does."""
    from tests import mediation_steps

    mediation_steps.serve_everything(case, clerk)
