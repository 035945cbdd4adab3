from cases.workflow import Status


def test_accept_allocates_number(case_in):
    case = case_in(Status.ACCEPTED)
    assert case.case_number.startswith("（")
