"""Case numbers and transitions under real concurrency (PostgreSQL row locks)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from cases import services
from cases.models import Case, CaseEvent, CaseNumberSequence
from cases.workflow import Status
from core.exceptions import ConflictError
from tests.factories import CaseFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Start `count` threads together; each returns its result or the exception it raised."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def target(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _registered_cases(world, people, organization, count: int) -> list[Case]:
    cases = []
    for _ in range(count):
        case = CaseFactory(organization=organization, created_by=people.clerk)
        cases.append(services.case_register(case=case, actor=people.clerk))
    return cases


def test_20_threads_accepting_200_cases_get_gapless_unique_numbers(world, people):
    cases = _registered_cases(world, people, world.district, 200)
    other = _registered_cases(world, people, world.town, 20)
    per_thread = 10

    def work(index: int) -> list[str]:
        numbers = []
        batch = cases[index * per_thread : (index + 1) * per_thread] + ([other[index]] if index < len(other) else [])
        for case in batch:
            accepted = services.case_accept(case=case, actor=people.director, mediators=[people.mediator])
            numbers.append(accepted.case_number)
        return numbers

    results = run_threads(20, work)
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    district_numbers = sorted(Case.objects.filter(organization=world.district).values_list("case_number", flat=True))
    year = Case.objects.filter(organization=world.district).first().accepted_at.astimezone().year
    assert district_numbers == [f"（{year}）京兴工调字第{n:04d}号" for n in range(1, 201)]
    town_numbers = sorted(Case.objects.filter(organization=world.town).values_list("case_number", flat=True))
    assert town_numbers == [f"（{year}）京兴西工调字第{n:04d}号" for n in range(1, 21)]
    assert CaseNumberSequence.objects.get(organization=world.district, series="case").last_value == 200
    assert CaseEvent.objects.filter(name="accept").count() == 220


def test_conflicting_transitions_on_one_case_exactly_one_wins(world, people):
    cases = _registered_cases(world, people, world.district, 20)

    for case in cases:

        def work(index: int, case: Case = case) -> str:
            if index % 2:
                services.case_reject(case=case, actor=people.director, reason_code="duplicate")
            else:
                services.case_withdraw(case=case, actor=people.clerk, reason_code="settled_privately")
            return "ok"

        results = run_threads(6, work)
        outcomes = Counter("ok" if r == "ok" else type(r).__name__ for r in results)
        assert outcomes == Counter({"ok": 1, ConflictError.__name__: 5}), results

    for case in cases:
        case.refresh_from_db()
        assert case.status in (Status.REJECTED, Status.WITHDRAWN)
        assert CaseEvent.objects.filter(case=case, kind="transition").exclude(name="register").count() == 1
        assert case.history.filter(history_change_reason__in=["reject", "withdraw"]).count() == 1
