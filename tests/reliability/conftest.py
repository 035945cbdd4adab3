"""Helpers for the reliability tests (RELIABILITY.md §3): cases built only through the
services (so they carry their 'created' event and full history), and a way to step around
the PostgreSQL guards when a test must plant a bad row on purpose."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection, connections
from hypothesis import settings as hypothesis_settings

from accounts.models import Organization
from cases import services
from cases.models import Case
from tests.conftest import _PATHS, drive

# Hypothesis profiles (RELIABILITY.md §3). Not loaded globally (that would change every other
# property test of the suite): the reliability tests apply `reliability_profile()`, `ci` unless
# the nightly job sets HYPOTHESIS_PROFILE=nightly.
hypothesis_settings.register_profile("ci", derandomize=True, max_examples=200, deadline=None)
hypothesis_settings.register_profile("nightly", max_examples=2000, deadline=None)
hypothesis_settings.register_profile("dev", derandomize=True, max_examples=10, deadline=None)


def reliability_profile() -> hypothesis_settings:
    return hypothesis_settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@contextmanager
def triggers_off() -> Iterator[None]:
    """Plant a row as a superuser would: on PostgreSQL, session_replication_role = replica
    skips ordinary triggers for the rest of the block (the test's transaction is rolled back
    anyway). SQLite has no triggers to skip."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")


def raw(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.fixture
def service_case(world: SimpleNamespace, people: SimpleNamespace) -> Callable[..., Case]:
    """`service_case(state, organization=None)`: a case created by services.case_create and
    walked to `state` by the same steps as `case_in`."""

    def make(state: str, organization: Organization | None = None) -> Case:
        clerk = people.clerk
        case = services.case_create(actor=clerk, organization=organization or world.district, dispute_type="PAY")
        worker = services.person_get_or_create(actor=clerk, name="张三")
        employer = services.employer_get_or_create(actor=clerk, name="北京测试有限公司")
        applicant = services.case_party_add(case=case, actor=clerk, side="applicant", person=worker)
        services.case_party_add(case=case, actor=clerk, side="respondent", employer=employer)
        services.claim_add(
            case=case, actor=clerk, claim_type="WAGE", description="支付拖欠工资", amount="12000.00", claimant=applicant
        )
        for step in _PATHS[state]:
            case = drive(case, step, people)
        assert case.status == state
        return case

    return make


def run_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` for i in range(count), each in its own thread with its own database
    connection; the threads start together behind a barrier. Returns the results in order
    (an exception raised by `work` is returned as the result, not lost)."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[index] = work(index)
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a thread did not finish (deadlock?)"
    return results
