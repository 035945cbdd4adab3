"""The status field cannot be set directly, and CaseEvent rows cannot be changed."""

import pytest

from cases.models import CaseEvent
from cases.workflow import Status


def test_status_assignment_is_refused(case_in):
    case = case_in(Status.REGISTERED)
    with pytest.raises(AttributeError):
        case.status = Status.CLOSED


def test_case_event_is_append_only(case_in):
    case = case_in(Status.REGISTERED)
    event = CaseEvent.objects.filter(case=case).last()
    event.reason = "changed"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(case=case).update(reason="x")
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(case=case).delete()
    assert CaseEvent.objects.get(pk=event.pk).reason == ""
