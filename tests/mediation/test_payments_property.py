"""Property: whatever sequence of payments is attempted, the amount recovered for an
obligation never exceeds the amount agreed, and a payment is accepted exactly when it fits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.workflow import Status
from core.exceptions import ApplicationError
from mediation import services, vocab
from mediation.models import Obligation
from mediation.services.agreements import live_agreement
from mediation.services.performance import paid_total

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("20000"), places=2, allow_nan=False)


@pytest.fixture
def effective_case(case_in):
    return case_in(Status.AGREEMENT_EFFECTIVE)


# The fixture runs once for all examples; each example rolls its own rows back.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(agreed=amounts, attempts=st.lists(amounts, max_size=12))
def test_recovered_never_exceeds_agreed(effective_case, people, agreed, attempts):
    template = live_agreement(effective_case).obligations.first()
    savepoint = transaction.savepoint()
    try:
        obligation = Obligation.objects.create(
            agreement=template.agreement,
            kind=vocab.ObligationKind.PAYMENT,
            obligor=template.obligor,
            obligee=template.obligee,
            description="性质测试",
            amount=agreed,
            due_on=timezone.localdate(),
        )
        expected_left = agreed
        for amount in attempts:
            try:
                services.payment_record(
                    obligation=obligation,
                    actor=people.clerk,
                    amount=str(amount),
                    paid_on=timezone.localdate(),
                    method=vocab.PaymentMethod.BANK_TRANSFER,
                )
                accepted = True
            except ApplicationError:
                accepted = False
            assert accepted == (amount <= expected_left)
            if accepted:
                expected_left -= amount
            assert paid_total(obligation) == agreed - expected_left
            assert paid_total(obligation) <= agreed
    finally:
        transaction.savepoint_rollback(savepoint)
