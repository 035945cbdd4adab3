"""T8 invariant checker (Caseflow-style): `check_case_invariants` finds nothing on clean
data and finds each kind of impossible state planted behind the services' back."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from cases.audit import INVARIANTS, check_invariants
from cases.models import Case, DeadlineAlert
from cases.workflow import Status
from core.history import save_with_history
from tests.factories import CaseFactory
from tests.reliability.conftest import raw, triggers_off

pytestmark = pytest.mark.django_db


def _run(capsys) -> tuple[int, str]:
    try:
        call_command("check_case_invariants")
    except CommandError as exc:
        return exc.returncode, capsys.readouterr().out
    return 0, capsys.readouterr().out


def test_cases_in_every_state_pass(service_case, capsys):
    for state in Status.values:
        service_case(state)
    assert check_invariants() == []
    assert _run(capsys) == (0, f"0 violations ({len(INVARIANTS)} checks)\n")


def test_the_seeded_demo_passes(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo", cases=15, stdout=io.StringIO())
    assert Case.objects.values("status").distinct().count() == len(Status.values)
    assert _run(capsys)[0] == 0


# --- one planted violation of each kind ---------------------------------------------------------


def _timestamps(case_in: Callable[..., Case], people: Any) -> Case:
    case = case_in(Status.IN_MEDIATION)
    raw("UPDATE cases_case SET closed_at = %s WHERE id = %s", [dt.datetime(2026, 1, 1, tzinfo=dt.UTC), case.pk])
    return case


def _number_reused(case_in: Callable[..., Case], people: Any) -> Case:
    first = case_in(Status.ACCEPTED)
    second = case_in(Status.ACCEPTED, organization=first.organization.children.first())
    raw("UPDATE cases_case SET case_number = %s WHERE id = %s", [first.case_number, second.pk])
    return second


def _number_missing(case_in: Callable[..., Case], people: Any) -> Case:
    case = case_in(Status.ACCEPTED)
    raw("UPDATE cases_case SET case_number = NULL WHERE id = %s", [case.pk])
    return case


def _deadline_missing(case_in: Callable[..., Case], people: Any) -> Case:
    case = case_in(Status.ACCEPTED)
    raw("UPDATE cases_case SET mediation_due_on = NULL WHERE id = %s", [case.pk])
    return case


def _no_history(case_in: Callable[..., Case], people: Any) -> Case:
    case = case_in(Status.REGISTERED)
    with triggers_off():
        raw("DELETE FROM cases_historicalcase WHERE id = %s", [case.pk])
    return case


def _no_created_event(case_in: Callable[..., Case], people: Any) -> Case:
    return CaseFactory(organization=case_in(Status.DRAFT).organization, created_by=people.clerk)


def _status_without_transition(case_in: Callable[..., Case], people: Any) -> Case:
    """An edge of the graph taken by an UPDATE: the trigger allows it, the events do not."""
    case = case_in(Status.REGISTERED)
    raw("UPDATE cases_case SET status = 'awaiting_consent' WHERE id = %s", [case.pk])
    return case


def _history_jumps(case_in: Callable[..., Case], people: Any) -> Case:
    """A status written past the trigger and then saved with history: draft -> closed."""
    case = case_in(Status.DRAFT)
    with triggers_off():
        raw("UPDATE cases_case SET status = 'closed' WHERE id = %s", [case.pk])
    case = Case.objects.get(pk=case.pk)
    save_with_history(case, actor=people.clerk, reason="bypass")
    return case


def _open_alert(case_in: Callable[..., Case], people: Any) -> Case:
    case = case_in(Status.CLOSED)
    DeadlineAlert.objects.create(case=case, clock="C", due_on=dt.date(2026, 1, 1))
    return case


def _scheduled_session(case_in: Callable[..., Case], people: Any) -> Case:
    case = case_in(Status.PERFORMED)
    raw("UPDATE mediation_mediationsession SET status = 'scheduled' WHERE case_id = %s", [case.pk])
    return case


def _overpaid(case_in: Callable[..., Case], people: Any) -> Case:
    case = case_in(Status.PERFORMED)
    raw(
        "UPDATE mediation_paymentrecord SET amount = amount + 0.01 WHERE obligation_id IN "
        "(SELECT o.id FROM mediation_obligation o JOIN mediation_agreement a ON a.id = o.agreement_id "
        "WHERE a.case_id = %s)",
        [case.pk],
    )
    return case


def _court_money_without_transfer(case_in: Callable[..., Case], people: Any) -> Case:
    case = case_in(Status.PERFORMED)
    raw(
        "UPDATE mediation_paymentrecord SET channel = 'court' WHERE obligation_id IN "
        "(SELECT o.id FROM mediation_obligation o JOIN mediation_agreement a ON a.id = o.agreement_id "
        "WHERE a.case_id = %s)",
        [case.pk],
    )
    return case


PLANTED = {
    "status vs timestamps": (_timestamps, "status_timestamps"),
    "case number reused in another organisation": (_number_reused, "case_number"),
    "accepted without case number": (_number_missing, "case_number"),
    "clock C missing": (_deadline_missing, "deadlines"),
    "no history rows": (_no_history, "history"),
    "no created event": (_no_created_event, "history"),
    "status changed without a transition": (_status_without_transition, "event_path"),
    "history jumps over the graph": (_history_jumps, "history_path"),
    "open alert on a closed case": (_open_alert, "open_alerts"),
    "session still scheduled after the outcome": (_scheduled_session, "open_sessions"),
    "paid more than owed": (_overpaid, "payments"),
    "court money without a transfer": (_court_money_without_transfer, "payments"),
}


@pytest.mark.parametrize("kind", list(PLANTED))
def test_each_planted_violation_is_reported(kind, service_case, people, capsys):
    bystander = service_case(Status.REGISTERED)
    plant, code = PLANTED[kind]
    bad = plant(service_case, people)
    found = check_invariants()
    assert found, kind
    assert bad.pk in {v.case_id for v in found}
    assert bystander.pk not in {v.case_id for v in found}
    assert code in {v.code for v in found}
    exit_code, output = _run(capsys)
    assert exit_code == 1
    assert f"[{code}] case {bad.pk}:" in output
    assert f"case {bystander.pk}:" not in output


def test_every_invariant_has_a_planted_violation():
    planted = {code for _, code in PLANTED.values()} | {"claims"}
    assert planted == set(INVARIANTS)


def test_negative_claims_are_refused_by_the_database_and_reported_if_they_slip_in(service_case):
    case = service_case(Status.REGISTERED)
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("UPDATE cases_claimitem SET amount = -1 WHERE case_id = %s", [case.pk])
    # Plant it anyway (as a restored backup or a dropped constraint would).
    if connection.vendor == "postgresql":
        raw("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks, so the table may be altered
        raw("ALTER TABLE cases_claimitem DROP CONSTRAINT claim_amount_not_negative")
        raw("UPDATE cases_claimitem SET amount = -1 WHERE case_id = %s", [case.pk])
    else:
        raw("PRAGMA ignore_check_constraints = ON")
        try:
            raw("UPDATE cases_claimitem SET amount = -1 WHERE case_id = %s", [case.pk])
        finally:
            raw("PRAGMA ignore_check_constraints = OFF")
    assert [v.code for v in check_invariants()] == ["claims"]
