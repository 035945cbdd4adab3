"""Every state of the machine is reachable through the real services (the `case_in` path)."""

import pytest

from cases.workflow import Status


@pytest.mark.parametrize("state", Status.values)
def test_every_state_is_reachable_through_the_services(case_in, state):
    assert case_in(state).status == state
