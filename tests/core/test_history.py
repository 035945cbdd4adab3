"""save_with_history: the actor is required and a long reason never breaks the write."""

from __future__ import annotations

from typing import Any

import pytest

from core.history import CHANGE_REASON_LENGTH, save_with_history

pytestmark = pytest.mark.django_db


def test_a_long_reason_is_cut_to_what_the_history_column_holds(case_in: Any, clerk: Any) -> None:
    case = case_in("draft")
    case.facts_summary = "改"
    save_with_history(case, actor=clerk, reason="理" * 300)
    record = case.history.latest()
    assert record.history_change_reason == "理" * CHANGE_REASON_LENGTH
    assert record.history_user == clerk


def test_no_actor_is_refused(case_in: Any) -> None:
    case = case_in("draft")
    with pytest.raises(ValueError):
        save_with_history(case, actor=None)
