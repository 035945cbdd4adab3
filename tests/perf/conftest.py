"""Data for the query-count tests (CONVENTIONS.md §13): the bench's world (a district with
four towns, a director, a clerk and a mediator) filled in bulk by the bench's own generator,
so that a page can be fetched once with few rows and again with many."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.services import system_user
from reports.bench import dataset


@pytest.fixture
def bench_world(db: Any) -> dataset.BenchWorld:
    return dataset.world_get_or_create(system=system_user())


@pytest.fixture
def grow(bench_world: dataset.BenchWorld) -> Callable[[int], list[int]]:
    """grow(n): n more synthetic cases in every state (parties, claims, agreements, payments,
    events), with a different seed each time."""
    calls = {"seed": 100}

    def add(count: int) -> list[int]:
        calls["seed"] += 1
        return dataset.cases_add(world=bench_world, count=count, seed=calls["seed"])

    return add


@pytest.fixture
def client_of() -> Callable[[Any], Client]:
    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
