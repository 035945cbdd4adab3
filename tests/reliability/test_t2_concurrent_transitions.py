"""T2 concurrent conflicting transitions (RELIABILITY.md §3): 10 threads fire different legal
transitions from the same state of the same case at the same moment; exactly one wins per
case, with one event and one history row. The negative control runs the same attempts
without the row lock, the state check of ConcurrentTransitionMixin and the status trigger,
and must see the race: otherwise the harness could not tell a lock from luck."""

from __future__ import annotations

import threading
from collections import Counter
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection, models, transaction

from cases import services
from cases.models import Case, CaseEvent, EventKind
from cases.workflow import TRANSITIONS, Status
from core.exceptions import ConflictError
from core.history import save_with_history
from tests.factories import CaseFactory
from tests.reliability.conftest import run_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CASES, THREADS = 100, 10
#: The two transitions out of 已登记 (registered) that exclude each other: after either one,
#: neither is legal any more. Five threads fire each (so the same transition also races itself).
ATTEMPTS = ("accept", "reject")
#: Every legal transition out of registered. withdraw is still legal after accept, and all
#: but seek_consent after seek_consent: those may follow the winner, one after the other.
ALL_FROM_REGISTERED = ("accept", "reject", "withdraw", "seek_consent")


def _guarded(case_id: int, name: str, people: SimpleNamespace) -> str:
    """One attempt through the services (the real path)."""
    case = Case(pk=case_id)
    try:
        if name == "accept":
            services.case_accept(case=case, actor=people.director, mediators=[people.mediator])
        elif name == "reject":
            services.case_reject(case=case, actor=people.director, reason_code="not_labour_dispute")
        elif name == "withdraw":
            services.case_withdraw(case=case, actor=people.clerk, reason_code="settled_privately")
        else:
            services.case_seek_consent(case=case, actor=people.clerk)
    except ConflictError:
        return "refused"
    return "ok"


def _unguarded(case_id: int, name: str, people: SimpleNamespace) -> str:
    """The same attempt with the protections taken out: no select_for_update, the status
    check of ConcurrentTransitionMixin bypassed, the status trigger off for the transaction.
    Only the check of the state read before the write remains (check-then-act)."""
    actor = people.director if name in ("accept", "reject") else people.clerk
    changes = {"reject": {"rejection_reason": "not_labour_dispute"}, "withdraw": {"withdrawal_reason": "other"}}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        case = Case.objects.get(pk=case_id)
        if case.status not in TRANSITIONS[name].sources:
            return "refused"
        from_status = case.status
        for field, value in changes.get(name, {}).items():
            setattr(case, field, value)
        case.outcome_note = "对照组"
        getattr(case, name)()
        save_with_history(case, actor=actor, reason=name)
        CaseEvent.objects.create(
            case=case, kind=EventKind.TRANSITION, name=name, from_status=from_status, to_status=case.status, actor=actor
        )
    return "ok"


def _race(
    world: SimpleNamespace,
    people: SimpleNamespace,
    attempt: Any,
    names: tuple[str, ...] = ATTEMPTS,
    count: int = CASES,
) -> tuple[list[Case], list[list[Any]]]:
    """THREADS threads; for each of `count` registered cases, all threads meet at a barrier
    and fire their transition at once. Returns the cases and per case the threads' results."""
    cases = [
        CaseFactory(organization=world.district, created_by=people.clerk, status=Status.REGISTERED)
        for _ in range(count)
    ]
    barrier = threading.Barrier(THREADS)

    def work(index: int) -> list[Any]:
        outcomes: list[Any] = []
        for case in cases:
            barrier.wait(timeout=60)
            try:
                outcomes.append(attempt(case.pk, names[index % len(names)], people))
            except Exception as exc:
                outcomes.append(exc)
        return outcomes

    per_thread = run_threads(THREADS, work)
    for result in per_thread:
        if isinstance(result, BaseException):
            raise result
    return cases, [[per_thread[t][c] for t in range(THREADS)] for c in range(count)]


def _transition_events(cases: list[Case]) -> Counter[int]:
    return Counter(
        CaseEvent.objects.filter(case__in=cases, kind=EventKind.TRANSITION).values_list("case_id", flat=True)
    )


def _history_changes(cases: list[Case]) -> Counter[int]:
    """History rows written after the case was created (the factory's insert is the first)."""
    return Counter(Case.history.filter(id__in=[c.pk for c in cases], history_type="~").values_list("id", flat=True))


def test_exactly_one_transition_wins_per_case(world, people):
    cases, results = _race(world, people, _guarded)
    errors = [r for per_case in results for r in per_case if r not in ("ok", "refused")]
    assert errors == []  # no deadlock, no other failure: the losers are refused with a conflict
    assert [per_case.count("ok") for per_case in results] == [1] * CASES
    events, changes = _transition_events(cases), _history_changes(cases)
    assert [events[c.pk] for c in cases] == [1] * CASES
    assert [changes[c.pk] for c in cases] == [1] * CASES
    assert not Case.history.filter(id__in=[c.pk for c in cases], history_user__isnull=True, history_type="~").exists()
    for case, per_case in zip(cases, results, strict=True):
        winner = ATTEMPTS[per_case.index("ok") % len(ATTEMPTS)]
        event = CaseEvent.objects.get(case=case, kind=EventKind.TRANSITION)
        assert event.name == winner
        assert Case.objects.get(pk=case.pk).status == event.to_status
    accepted = Case.objects.filter(pk__in=[c.pk for c in cases], status=Status.ACCEPTED)
    numbers = list(accepted.values_list("case_number", flat=True))
    assert len(numbers) == len(set(numbers)) and None not in numbers


def test_negative_control_the_harness_sees_a_race_without_the_guards(world, people, monkeypatch):
    monkeypatch.setattr(Case, "_do_update", models.Model._do_update)  # ConcurrentTransitionMixin off
    cases, results = _race(world, people, _unguarded)
    assert [r for per_case in results for r in per_case if r not in ("ok", "refused")] == []
    raced = sum(1 for per_case in results if per_case.count("ok") > 1)
    events = _transition_events(cases)
    # The race is visible both to the threads and in the database the detector reads.
    assert raced > 0
    assert sum(1 for c in cases if events[c.pk] > 1) == raced
    print(f"T2 negative control: {raced}/{CASES} cases with more than one winning transition")


def test_every_transition_out_of_registered_at_once_leaves_one_serial_history(world, people):
    """All four legal transitions at once: exactly one leaves 已登记; whatever else succeeds
    ran after it, from the state it left (a chain of events, never two from one state)."""
    cases, results = _race(world, people, _guarded, names=ALL_FROM_REGISTERED, count=30)
    assert [r for per_case in results for r in per_case if r not in ("ok", "refused")] == []
    changes = _history_changes(cases)
    for case, per_case in zip(cases, results, strict=True):
        events = list(CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).order_by("id"))
        assert len(events) == per_case.count("ok") == changes[case.pk]
        assert events[0].from_status == Status.REGISTERED
        assert [e.from_status for e in events[1:]] == [e.to_status for e in events[:-1]]
        assert Case.objects.get(pk=case.pk).status == events[-1].to_status
