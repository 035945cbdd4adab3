"""Fixtures for the transition service tests: fast passwords and extra personas."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from accounts.models import User
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    # Every test creates personas; PBKDF2 costs most of a second per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user(username: str, *memberships: tuple[str, Any]) -> User:
    user = UserFactory(username=username, full_name=username)
    for role, organization in memberships:
        MembershipFactory(user=user, role=role, organization=organization)
    return user


@pytest.fixture
def director_mediator(world: SimpleNamespace) -> User:
    """A district director who also mediates, so may be assigned to a case."""
    return _user("director_mediator", ("director", world.district), ("mediator", world.district))


@pytest.fixture
def second_director(world: SimpleNamespace) -> User:
    return _user("second_director", ("director", world.district))


@pytest.fixture
def town_director(world: SimpleNamespace) -> User:
    return _user("town_director", ("director", world.town))


@pytest.fixture
def town_mediator(world: SimpleNamespace) -> User:
    return _user("town_mediator", ("mediator", world.town))
