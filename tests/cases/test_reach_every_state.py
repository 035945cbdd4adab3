import pytest

from cases.workflow import Status


@pytest.mark.parametrize("state", Status.values)
def test_reach(case_in, state):
    assert case_in(state).status == state
