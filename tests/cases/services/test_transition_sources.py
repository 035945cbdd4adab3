"""Every wired transition refuses to start from a state outside its sources: a ConflictError
(HTTP 409) naming the current state, and nothing written. Built as a matrix over the states
so that each state is reached once (the deep states run the whole mediation): for each state,
every wired transition that does not start there is tried by a user who could fire it."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from cases import services
from cases.workflow import TRANSITIONS, WIRED_TRANSITIONS, Status
from core.exceptions import ConflictError
from tests.cases.services.helpers import ALL_STATES, snapshot


def _calls(people: SimpleNamespace) -> dict[str, Callable[[Any], Any]]:
    """Each wired service with valid input and an actor holding the transition's role."""
    return {
        "register": lambda case: services.case_register(case=case, actor=people.clerk),
        "seek_consent": lambda case: services.case_seek_consent(case=case, actor=people.clerk),
        "accept": lambda case: services.case_accept(case=case, actor=people.director, mediators=[people.mediator]),
        "reject": lambda case: services.case_reject(case=case, actor=people.director, reason_code="not_labour_dispute"),
        "withdraw": lambda case: services.case_withdraw(case=case, actor=people.clerk, reason_code="settled_privately"),
        "terminate": lambda case: services.case_terminate(case=case, actor=people.director, reason_code="no_agreement"),
        "submit_closure": lambda case: services.case_submit_closure(case=case, actor=people.clerk),
        "approve_closure": lambda case: services.case_approve_closure(case=case, actor=people.director),
        "return_closure": lambda case: services.case_return_closure(case=case, actor=people.director, comment="退回"),
    }


def test_every_wired_transition_has_a_service_here(people):
    assert set(_calls(people)) == set(WIRED_TRANSITIONS)


@pytest.mark.parametrize("state", ALL_STATES)
def test_transitions_refuse_states_outside_their_sources(case_in, people, state):
    case = case_in(state)
    before = snapshot(case)
    refused = [name for name in WIRED_TRANSITIONS if state not in TRANSITIONS[name].sources]
    problems = []

    for name, call in _calls(people).items():
        if name not in refused:
            continue
        label = TRANSITIONS[name].label
        try:
            call(case)
        except ConflictError as exc:
            expected = f"案件当前状态为“{Status(state).label}”，不能“{label}”。"
            if exc.message != expected:
                problems.append(f"{name}: message {exc.message!r}, expected {expected!r}")
        except Exception as exc:
            problems.append(f"{name}: raised {type(exc).__name__}({exc}) instead of ConflictError")
        else:
            problems.append(f"{name}: was allowed from {state}")
        after = snapshot(case)
        if after != before:
            problems.append(f"{name}: changed the case: {before} -> {after}")

    assert refused  # every state refuses some wired transition
    assert problems == []


@pytest.mark.parametrize(
    ("name", "sources"),
    [
        ("register", {Status.DRAFT}),
        ("seek_consent", {Status.REGISTERED}),
        ("accept", {Status.REGISTERED, Status.AWAITING_CONSENT}),
        ("reject", {Status.REGISTERED, Status.AWAITING_CONSENT}),
        (
            "withdraw",
            {
                Status.REGISTERED,
                Status.AWAITING_CONSENT,
                Status.ACCEPTED,
                Status.IN_MEDIATION,
                Status.AGREEMENT_PENDING,
            },
        ),
        ("terminate", {Status.ACCEPTED, Status.IN_MEDIATION, Status.AGREEMENT_PENDING}),
        (
            "submit_closure",
            {Status.REJECTED, Status.WITHDRAWN, Status.TERMINATED, Status.PERFORMED, Status.NOT_PERFORMED},
        ),
        ("approve_closure", {Status.CLOSING}),
        ("return_closure", {Status.CLOSING}),
    ],
)
def test_sources_are_those_of_the_design(name, sources):
    """DESIGN.md §4, so the matrix above refuses exactly the states the design forbids."""
    assert set(TRANSITIONS[name].sources) == sources
