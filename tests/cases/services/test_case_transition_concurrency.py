"""Two people acting on the same case from stale copies: exactly one transition wins, the
other gets a ConflictError and nothing is doubled. (Real threads: tests/cases/test_concurrency.py.)"""

from __future__ import annotations

import pytest

from cases import services
from cases.models import Case, CaseAssignment, CaseEvent, CaseNumberSequence
from cases.workflow import Status
from core.exceptions import ConflictError


def test_reject_then_withdraw_from_stale_copies(case_in, director, clerk):
    case = case_in(Status.REGISTERED)
    first, second = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    events_before = CaseEvent.objects.filter(case=case).count()
    history_before = case.history.count()

    services.case_reject(case=first, actor=director, reason_code="not_labour_dispute")
    with pytest.raises(ConflictError) as exc:
        services.case_withdraw(case=second, actor=clerk, reason_code="settled_privately")

    assert exc.value.message == "案件当前状态为“不予受理”，不能“撤回”。"
    case.refresh_from_db()
    assert (case.status, case.rejection_reason, case.withdrawal_reason) == (
        Status.REJECTED,
        "not_labour_dispute",
        "",
    )
    assert CaseEvent.objects.filter(case=case).count() == events_before + 1
    assert list(
        CaseEvent.objects.filter(case=case, kind="transition", name__in=["reject", "withdraw"]).values_list(
            "name", flat=True
        )
    ) == ["reject"]
    assert case.history.count() == history_before + 1


def test_accept_twice_from_stale_copies_allocates_one_number(case_in, director, mediator):
    case = case_in(Status.REGISTERED)
    first, second = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)

    services.case_accept(case=first, actor=director, mediators=[mediator])
    with pytest.raises(ConflictError) as exc:
        services.case_accept(case=second, actor=director, mediators=[mediator])

    assert exc.value.message == "案件当前状态为“已受理”，不能“受理”。"
    case.refresh_from_db()
    assert case.case_number.endswith("字第0001号")
    assert CaseNumberSequence.objects.get(series="case").last_value == 1
    assert CaseAssignment.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, name="accept").count() == 1


def test_register_twice_from_stale_copies_allocates_one_registry_number(case_in, clerk, mediator):
    case = case_in(Status.DRAFT)
    first, second = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)

    services.case_register(case=first, actor=clerk)
    with pytest.raises(ConflictError):
        services.case_register(case=second, actor=mediator)

    assert CaseNumberSequence.objects.get(series="registry").last_value == 1
    assert CaseEvent.objects.filter(case=case, name="register").count() == 1
