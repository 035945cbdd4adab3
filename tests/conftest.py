"""Role personas (CONVENTIONS.md §12): a district with two towns, one person per role.

`world` builds the organisations; each persona fixture is a user with one membership.
`case_in(state, org)` walks a case through the real services to any state.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from accounts.models import Organization, User
from cases import services
from cases.models import Case
from cases.workflow import Status
from tests import mediation_steps
from tests.factories import AgencyFactory, CaseFactory, MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture(autouse=True)
def _test_runtime(settings: Any, tmp_path: Any) -> None:
    """Tests serve static files without a collectstatic manifest and run Celery tasks in
    process, whatever the environment configures (CI sets a Redis broker). Files they write
    (rendered documents, archive packages, uploads) go to a temporary folder."""
    from config.celery import app

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    app.conf.task_always_eager = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


def pytest_configure(config: Any) -> None:
    """The test client and the live server (built once per session, before any per-test
    setting) speak plain HTTP: no redirect to HTTPS, cookies without the Secure flag. CI runs
    with DEBUG off, where production turns both on (test_t25_deployment checks the production
    settings in a process of their own)."""
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Tests marked `postgres` need row locks or PostgreSQL constraints; on SQLite they are
    deselected (and listed as such in the summary). CI runs them against PostgreSQL."""
    if connection.vendor == "postgresql":
        return
    deselected = [item for item in items if "postgres" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if "postgres" not in item.keywords]


@pytest.fixture
def world(db: Any) -> SimpleNamespace:
    district = OrganizationFactory(
        code="DX", name="大兴区总工会劳动争议调解中心", short_code="京兴工调", level="district"
    )
    town = OrganizationFactory(
        code="XHM", name="西红门镇调解分中心", short_code="京兴西工调", level="street_town", parent=district
    )
    other_town = OrganizationFactory(
        code="JG", name="旧宫镇调解分中心", short_code="京兴旧工调", level="street_town", parent=district
    )
    court = AgencyFactory(code="court", name="北京市大兴区人民法院", kind="court", district=district)
    return SimpleNamespace(district=district, town=town, other_town=other_town, court=court)


def _persona(username: str, role: str, organization: Organization | None = None, agency: Any = None) -> User:
    user = UserFactory(username=username, full_name=username)
    MembershipFactory(user=user, role=role, organization=organization, agency=agency)
    return user


@pytest.fixture
def director(world: SimpleNamespace) -> User:
    return _persona("director", "director", world.district)


@pytest.fixture
def mediator(world: SimpleNamespace) -> User:
    return _persona("mediator", "mediator", world.district)


@pytest.fixture
def clerk(world: SimpleNamespace) -> User:
    return _persona("clerk", "clerk", world.district)


@pytest.fixture
def auditor(world: SimpleNamespace) -> User:
    return _persona("auditor", "auditor", world.district)


@pytest.fixture
def liaison(world: SimpleNamespace) -> User:
    return _persona("liaison", "liaison", agency=world.court)


@pytest.fixture
def admin_user(world: SimpleNamespace) -> User:
    return _persona("admin", "admin", world.district)


@pytest.fixture
def town_clerk(world: SimpleNamespace) -> User:
    return _persona("town_clerk", "clerk", world.town)


@pytest.fixture
def other_town_clerk(world: SimpleNamespace) -> User:
    return _persona("other_town_clerk", "clerk", world.other_town)


#: How to reach each state from draft: (transition, who) steps, run through the services.
_PATHS: dict[str, list[str]] = {
    Status.DRAFT: [],
    Status.REGISTERED: ["register"],
    Status.AWAITING_CONSENT: ["register", "seek_consent"],
    Status.ACCEPTED: ["register", "accept"],
    Status.IN_MEDIATION: ["register", "accept", "start"],
    Status.AGREEMENT_PENDING: ["register", "accept", "start", "draft_agreement"],
    Status.AGREEMENT_EFFECTIVE: ["register", "accept", "start", "draft_agreement", "make_effective"],
    Status.PERFORMED: ["register", "accept", "start", "draft_agreement", "make_effective", "confirm_performance"],
    Status.NOT_PERFORMED: [
        "register",
        "accept",
        "start",
        "draft_agreement",
        "make_effective",
        "record_non_performance",
    ],
    Status.TERMINATED: ["register", "accept", "terminate"],
    Status.WITHDRAWN: ["register", "withdraw"],
    Status.REJECTED: ["register", "reject"],
    Status.CLOSING: ["register", "reject", "submit_closure"],
    Status.CLOSED: ["register", "reject", "submit_closure", "approve_closure"],
    Status.ARCHIVED: ["register", "reject", "submit_closure", "approve_closure", "archive"],
}


def drive(case: Case, step: str, people: SimpleNamespace) -> Case:
    """Run one step through the real services, with a user who may do it."""
    if step == "register":
        return services.case_register(case=case, actor=people.clerk)
    if step == "seek_consent":
        return services.case_seek_consent(case=case, actor=people.clerk)
    if step == "accept":
        return services.case_accept(case=case, actor=people.director, mediators=[people.mediator])
    if step == "reject":
        return services.case_reject(case=case, actor=people.director, reason_code="not_labour_dispute")
    if step == "terminate":
        return services.case_terminate(case=case, actor=people.director, reason_code="no_agreement")
    if step == "withdraw":
        return services.case_withdraw(case=case, actor=people.clerk, reason_code="settled_privately")
    if step == "submit_closure":
        mediation_steps.serve_everything(case, people.clerk)
        return services.case_submit_closure(case=case, actor=people.clerk)
    if step == "approve_closure":
        return services.case_approve_closure(case=case, actor=people.director)
    if step == "archive":
        from documents.archive import archive_build, archive_request

        volume = archive_request(case=case, actor=people.clerk)
        archive_build(volume.pk)
        case.refresh_from_db()
        return case
    getattr(mediation_steps, step)(case, people)
    case.refresh_from_db()
    return case


@pytest.fixture
def people(director: User, mediator: User, clerk: User) -> SimpleNamespace:
    return SimpleNamespace(director=director, mediator=mediator, clerk=clerk)


@pytest.fixture
def case_in(world: SimpleNamespace, people: SimpleNamespace) -> Callable[..., Case]:
    def make(state: str, organization: Organization | None = None) -> Case:
        case = CaseFactory(organization=organization or world.district, created_by=people.clerk)
        for step in _PATHS[state]:
            case = drive(case, step, people)
        assert case.status == state
        return case

    return make
