"""T1 FSM model test (RELIABILITY.md §3): a Hypothesis state machine fires every transition
of the case workflow, as every role, at random, legal or not, and compares the database with
a pure-Python reference model of the graph after every step.

What the reference model decides (and the code under test must agree with):
- a transition is refused with ConflictError (409) when the state is not one of its sources,
  else with PermissionDeniedError (403) when the actor holds none of its roles over the case's
  organisation, else with ApplicationError (400) when a required reason is missing or a guard
  refuses; a refused call changes nothing (no status change, no event, no history row);
- an accepted call moves the case to the target of the graph (return_closure: back to the
  outcome state that was submitted) and writes exactly one transition event and one history
  row, with the actor and the transition's name as change reason;
- the bare django-fsm method raises TransitionNotAllowed from a state that is not a source;
- archived (the terminal state) has no outgoing transition.

The data guards of the higher layers (a session before `start`, a signed agreement before
`make_effective`, documents served before `submit_closure`, ...) depend on rows that are
tested with their own services; here they are replaced by one switch the machine draws at
each step, so a guard refusal is exercised for every transition without building sessions.
The foundation's guards (parties and claims, reason codes) stay real.

Each example runs inside a transaction that is rolled back in teardown (a clean database per
example, as Hypothesis requires: HypothesisWorks/hypothesis#3690); the organisations and the
personas are built once per test.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection, transaction
from django_fsm import TransitionNotAllowed
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.models import Role
from cases import services
from cases.models import Case, CaseEvent, EventKind
from cases.workflow import GUARDS, OUTCOME_STATES, TRANSITIONS, Status
from core.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from tests.conftest import _PATHS
from tests.reliability.conftest import reliability_profile

pytestmark = pytest.mark.django_db

STEPS = 50
#: Persona -> the roles it holds over the district centre (where the machine's case lives).
PERSONAS = {
    "director": {Role.DIRECTOR},
    "mediator": {Role.MEDIATOR},
    "clerk": {Role.CLERK},
    "auditor": set(),  # reads only
    "liaison": set(),  # a court liaison: no role in the centre
    "admin_user": set(),  # administers users, not cases
    "other_town_clerk": set(),  # a clerk of another town: outside the case's organisation
}
#: Reason codes the outcome transitions record (the foundation's guards require one).
CHANGES = {
    "reject": {"rejection_reason": "not_labour_dispute"},
    "withdraw": {"withdrawal_reason": "settled_privately"},
    "terminate": {"termination_reason": "no_agreement"},
}
REASONS = ("", "双方要求重新协商")
#: What the run exercised: transitions accepted, refusals by kind (checked after the run).
SEEN: set[str] = set()


class ReferenceModel:
    """The allowed graph, in plain Python, independent of django-fsm."""

    def __init__(self) -> None:
        self.status: str = Status.DRAFT
        self.pre_closure: str | None = None
        self.transitions = 0

    def refusal(self, name: str, roles: set[str], reason: str, guard_open: bool) -> type[Exception] | None:
        spec = TRANSITIONS[name]
        if self.status not in spec.sources:
            return ConflictError
        if not roles & spec.roles:
            return PermissionDeniedError
        if (spec.reason_required and not reason.strip()) or not guard_open:
            return ApplicationError
        return None

    def fire(self, name: str) -> None:
        spec = TRANSITIONS[name]
        if name == "submit_closure":
            self.pre_closure = self.status
        if spec.target is None:  # return_closure
            assert self.pre_closure in OUTCOME_STATES
            self.status = self.pre_closure
        else:
            self.status = spec.target
        self.transitions += 1

    def legal(self) -> list[str]:
        return [name for name, spec in TRANSITIONS.items() if self.status in spec.sources]


class GuardSwitch:
    """Stands in for the data guards of the higher layers (see the module docstring)."""

    open = True

    def __call__(self, case: Case) -> str | None:
        return None if self.open else "条件未满足（模型测试）"


def _run(world: SimpleNamespace, users: dict[str, Any], switch: GuardSwitch) -> None:
    clerk, mediator = users["clerk"], users["mediator"]
    worker = services.person_get_or_create(actor=clerk, name="张三")
    employer = services.employer_get_or_create(actor=clerk, name="北京测试有限公司")

    class CaseWorkflow(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.model = ReferenceModel()
            case = services.case_create(actor=clerk, organization=world.district, dispute_type="PAY")
            applicant = services.case_party_add(case=case, actor=clerk, side="applicant", person=worker)
            services.case_party_add(case=case, actor=clerk, side="respondent", employer=employer)
            services.claim_add(case=case, actor=clerk, claim_type="WAGE", description="工资", amount="100.00",
                               claimant=applicant)  # fmt: skip
            self.case_id = case.pk

        def teardown(self) -> None:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        def _call(self, name: str, persona: str, reason: str) -> None:
            actor, case = users[persona], Case(pk=self.case_id)
            if name == "register":
                services.case_register(case=case, actor=actor)
            elif name == "accept":
                services.case_accept(case=case, actor=actor, mediators=[mediator])
            else:
                services.case_transition(case=case, actor=actor, name=name, reason=reason, changes=CHANGES.get(name))

        def _attempt(self, name: str, persona: str, reason: str, guard_open: bool) -> None:
            expected = self.model.refusal(name, PERSONAS[persona], reason, guard_open)
            switch.open = guard_open
            try:
                self._call(name, persona, reason)
            except ApplicationError as exc:
                assert type(exc) is expected, f"{name} as {persona} from {self.model.status}: {exc.message}"
                SEEN.add(type(exc).__name__)
                return
            assert expected is None, f"{name} as {persona} from {self.model.status} should raise {expected}"
            self.model.fire(name)
            SEEN.add(name)
            event = CaseEvent.objects.filter(case_id=self.case_id, kind=EventKind.TRANSITION).latest("id")
            assert (event.name, event.actor_id, event.to_status) == (name, users[persona].pk, self.model.status)
            row = Case.history.filter(id=self.case_id).latest("history_id")
            assert row.history_user_id == users[persona].pk
            assert (row.history_change_reason or "").startswith(name)
            assert row.history_date.utcoffset() is not None

        @initialize(start=st.sampled_from(sorted(_PATHS)))
        def walk_to_a_starting_state(self, start: str) -> None:
            """Each example starts in a drawn state, reached by the shortest legal path (each
            step checked like any other), so every state's way out is tried in the run."""
            for name in _PATHS[start]:
                holders = sorted(p for p, roles in PERSONAS.items() if roles & TRANSITIONS[name].roles)
                self._attempt(name, holders[0], REASONS[1], True)
            assert self.model.status == start

        # Hypothesis tries rules in name order and shrinks towards the first: the legal walk
        # comes first, so that the simplest examples already go deep into the graph.
        @precondition(lambda self: bool(self.model.legal()))
        @rule(data=st.data(), guard_open=st.sampled_from((True, True, True, False)))
        def a_legal_transition(self, data: st.DataObject, guard_open: bool) -> None:
            """A transition the graph allows now, by a persona holding one of its roles, with a
            reason: so that the walk reaches every state within the steps of an example. Only
            the guard may refuse it; the other refusals are `b_any_transition`'s."""
            name = data.draw(st.sampled_from(self.model.legal()))
            holders = sorted(p for p, roles in PERSONAS.items() if roles & TRANSITIONS[name].roles)
            self._attempt(name, data.draw(st.sampled_from(holders)), REASONS[1], guard_open)

        @rule(
            name=st.sampled_from(sorted(TRANSITIONS)),
            persona=st.sampled_from(sorted(PERSONAS)),
            reason=st.sampled_from(REASONS),
            guard_open=st.sampled_from((True, True, True, False)),
            bare=st.booleans(),
        )
        def b_any_transition(self, name: str, persona: str, reason: str, guard_open: bool, bare: bool) -> None:
            """Any transition, any persona: mostly illegal calls that must change nothing.
            `bare`: the django-fsm method itself, which must refuse a state that is no source."""
            if bare and self.model.status not in TRANSITIONS[name].sources:
                case = Case.objects.get(pk=self.case_id)
                with pytest.raises(TransitionNotAllowed):
                    getattr(case, name)()
                SEEN.add("TransitionNotAllowed")
                return
            self._attempt(name, persona, reason, guard_open)

        @invariant()
        def database_matches_the_model(self) -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT c.status,"
                    " (SELECT COUNT(*) FROM cases_caseevent e WHERE e.case_id = c.id AND e.kind = 'transition'),"
                    " (SELECT COUNT(*) FROM cases_historicalcase h WHERE h.id = c.id),"
                    " (SELECT COUNT(*) FROM cases_historicalcase h WHERE h.id = c.id AND h.history_user_id IS NULL)"
                    " FROM cases_case c WHERE c.id = %s",
                    [self.case_id],
                )
                status, events, rows, anonymous = cursor.fetchone()
            assert status == self.model.status
            assert events == self.model.transitions
            assert rows == 1 + self.model.transitions  # the draft's row, then one per transition
            assert anonymous == 0

        @invariant()
        def terminal_states_have_no_way_out(self) -> None:
            if self.model.status == Status.ARCHIVED:
                assert self.model.legal() == []

    CaseWorkflow.TestCase.settings = settings(
        reliability_profile(),
        stateful_step_count=STEPS,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    run_state_machine_as_test(CaseWorkflow, settings=CaseWorkflow.TestCase.settings)


def test_the_workflow_matches_its_reference_model(world, director, mediator, clerk, auditor, liaison, admin_user,
                                                  other_town_clerk, monkeypatch):  # fmt: skip
    switch = GuardSwitch()
    for name, guards in GUARDS.items():
        foundation = [g for g in guards if g.__module__ == "cases.workflow"]
        monkeypatch.setitem(GUARDS, name, [*foundation, switch])
    users = {
        "director": director,
        "mediator": mediator,
        "clerk": clerk,
        "auditor": auditor,
        "liaison": liaison,
        "admin_user": admin_user,
        "other_town_clerk": other_town_clerk,
    }
    SEEN.clear()
    _run(world, users, switch)
    if reliability_profile().max_examples >= 200:  # the ci and nightly profiles
        expected = {*TRANSITIONS, "ConflictError", "PermissionDeniedError", "ApplicationError", "TransitionNotAllowed"}
        assert expected - SEEN == set()


def test_the_reference_model_reaches_every_state():
    """The model's graph is the workflow's: every state is reachable from draft, and only
    archived has no way out."""
    reached, frontier = {Status.DRAFT.value}, [Status.DRAFT.value]
    while frontier:
        state = frontier.pop()
        for spec in TRANSITIONS.values():
            if state in spec.sources:
                targets = OUTCOME_STATES if spec.target is None else (spec.target,)
                for target in targets:
                    if target not in reached:
                        reached.add(target)
                        frontier.append(target)
    assert reached == set(Status.values)
    dead_ends = {s for s in Status.values if not any(s in spec.sources for spec in TRANSITIONS.values())}
    assert dead_ends == {Status.ARCHIVED}
