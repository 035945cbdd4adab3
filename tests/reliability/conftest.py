"""Helpers for the reliability tests (RELIABILITY.md §3): cases built only through the
services (so they carry their 'created' event and full history), and a way to step around
the PostgreSQL guards when a test must plant a bad row on purpose."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.db import connection

from accounts.models import Organization
from cases import services
from cases.models import Case
from tests.conftest import _PATHS, drive


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
