"""PATCH /api/v1/cases/{id}/: basic data corrected while the case is editable, 409 after."""

from __future__ import annotations

from typing import Any

import pytest

from cases.workflow import Status
from tests.api.conftest import assert_error

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def test_a_draft_is_corrected_field_by_field_with_history(api: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.REGISTERED)
    response = api(clerk).patch(
        f"{V1}/cases/{case.pk}/", {"facts_summary": "补充：拖欠三个月工资。", "workers_involved": 12}, format="json"
    )
    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert case.facts_summary == "补充：拖欠三个月工资。" and case.workers_involved == 12 and case.is_collective
    assert case.history.latest().history_user == clerk


def test_bad_values_are_refused_and_change_nothing(api: Any, clerk: Any, case_in: Any) -> None:
    case = case_in(Status.DRAFT)
    before = case.facts_summary
    error = assert_error(
        api(clerk).patch(f"{V1}/cases/{case.pk}/", {"workers_involved": 0, "facts_summary": "x"}, format="json"),
        400,
        "invalid",
    )
    assert "workers_involved" in error["fields"]
    case.refresh_from_db()
    assert case.facts_summary == before


def test_an_accepted_case_is_a_conflict_and_other_towns_see_nothing(
    api: Any, clerk: Any, auditor: Any, other_town_clerk: Any, case_in: Any
) -> None:
    accepted = case_in(Status.ACCEPTED)
    assert_error(api(clerk).patch(f"{V1}/cases/{accepted.pk}/", {"facts_summary": "x"}, format="json"), 409, "conflict")
    draft = case_in(Status.DRAFT)
    assert api(auditor).patch(f"{V1}/cases/{draft.pk}/", {"facts_summary": "x"}, format="json").status_code == 403
    assert (
        api(other_town_clerk).patch(f"{V1}/cases/{draft.pk}/", {"facts_summary": "x"}, format="json").status_code == 404
    )


def test_facts_longer_than_the_cap_are_refused_by_the_service_too(clerk: Any, case_in: Any) -> None:
    """RELIABILITY.md T18: free text is capped at the model layer, whatever the entry path."""
    from cases import services
    from core.exceptions import ApplicationError

    case = case_in(Status.DRAFT)
    too_long = "拖" * (services.FACTS_MAX_LENGTH + 1)
    with pytest.raises(ApplicationError) as refused:
        services.case_update(case=case, actor=clerk, changes={"facts_summary": too_long})
    assert "facts_summary" in refused.value.fields
    with pytest.raises(ApplicationError) as refused:
        services.case_create(
            actor=clerk, organization=case.organization, dispute_type=case.dispute_type, facts_summary=too_long
        )
    assert "facts_summary" in refused.value.fields
    case.refresh_from_db()
    assert case.facts_summary != too_long
