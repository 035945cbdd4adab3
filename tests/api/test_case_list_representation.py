"""The case list's hand-written representation (cases.apis.CaseListApi.OutputSerializer,
written out for speed) says exactly what DRF's field-by-field one says, for every state."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework import serializers

from cases import selectors
from cases.apis import CaseListApi
from cases.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_fast_representation_equals_the_declared_fields(director: Any, case_in: Any, language: str) -> None:
    from django.utils import translation

    for status in (Status.DRAFT, Status.REGISTERED, Status.IN_MEDIATION, Status.CLOSED):
        case_in(status)
    cases = list(selectors.case_list(user=director, filters={}))
    assert len(cases) == 4
    with translation.override(language):
        fast = CaseListApi.OutputSerializer(cases, many=True).data
        slow = [serializers.Serializer.to_representation(CaseListApi.OutputSerializer(), case) for case in cases]
    assert [dict(row) for row in fast] == [dict(row) for row in slow]
    draft_label = next(row["status_label"] for row in fast if row["status"] == Status.DRAFT)
    assert draft_label == ("草稿" if language == "zh-hans" else "Draft")
