"""转法律援助 (docs/lawyers.md "Legal aid"): what linkage already did (the type, the legal aid
centre as agency, which cases may be referred, the outcome 给予法律援助, no recovered money
through legal aid) and the gap filled here: the worker's recorded consent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import CaseEvent
from cases.workflow import Status
from core.exceptions import ApplicationError
from linkage import services, vocab
from linkage.models import Transfer
from tests.factories import AgencyFactory, MembershipFactory, UserFactory

T = vocab.TransferType
TODAY = timezone.localdate


@pytest.fixture
def legal_aid(world):
    return AgencyFactory(code="aid", name="大兴区法律援助中心", kind="legal_aid", district=world.district)


def _counts(case):
    return Transfer.objects.count(), CaseEvent.objects.filter(case=case).count(), Transfer.history.count()


@pytest.mark.parametrize(
    ("consent_on", "message"),
    [
        (None, "转法律援助须征得劳动者同意，请填写劳动者同意的日期。"),
        (dt.date(2099, 1, 1), "同意日期不能晚于今天。"),
        (dt.date(2000, 1, 1), "同意日期不能早于收到调解申请的日期。"),
    ],
)
def test_a_legal_aid_referral_needs_the_workers_recorded_consent(case_in, people, legal_aid, consent_on, message):
    case = case_in(Status.IN_MEDIATION)
    before = _counts(case)
    with pytest.raises(ApplicationError) as refused:
        services.transfer_create(
            case=case,
            actor=people.mediator,
            agency=legal_aid,
            transfer_type=T.LEGAL_AID,
            reason="申请人经济困难，拟申请法律援助。",
            worker_consent_on=consent_on,
        )
    assert refused.value.fields == {"worker_consent_on": [message]}
    assert _counts(case) == before  # nothing written


def test_with_consent_the_referral_runs_to_legal_aid_granted(case_in, people, legal_aid):
    case = case_in(Status.IN_MEDIATION)
    transfer = services.transfer_create(
        case=case,
        actor=people.mediator,
        agency=legal_aid,
        transfer_type=T.LEGAL_AID,
        reason="申请人经济困难，拟申请法律援助。",
        worker_consent_on=TODAY(),
    )
    draft = CaseEvent.objects.get(case=case, name="transfer_draft")
    assert draft.payload["worker_consent_on"] == TODAY().isoformat()
    services.transfer_approve(transfer=transfer, actor=people.director)
    services.transfer_send(transfer=transfer, actor=people.clerk, sent_on=TODAY(), channel=vocab.SendChannel.ESCORTED)
    liaison = UserFactory(username="aid_liaison")
    MembershipFactory(user=liaison, role="liaison", organization=None, agency=legal_aid)
    services.transfer_record_outcome(
        transfer=transfer,
        actor=liaison,
        outcome=vocab.TransferOutcome.LEGAL_AID_GRANTED,
        outcome_on=TODAY(),
        external_number="京兴法援〔2026〕12号",
    )
    transfer.refresh_from_db()
    assert (transfer.status, transfer.outcome) == ("outcome_recorded", "legal_aid_granted")


def test_the_legal_aid_type_goes_only_to_a_legal_aid_centre_and_not_for_closed_cases(case_in, people, world):
    case = case_in(Status.IN_MEDIATION)
    with pytest.raises(ApplicationError) as refused:
        services.transfer_create(
            case=case,
            actor=people.mediator,
            agency=world.court,
            transfer_type=T.LEGAL_AID,
            reason="x",
            worker_consent_on=TODAY(),
        )
    assert refused.value.fields["agency"] == ["该类移送应送法律援助中心。"]
    assert services.offer_problem(case_in(Status.CLOSED), T.LEGAL_AID) is not None


def test_other_transfer_types_need_no_consent_date(case_in, people, world):
    case = case_in(Status.TERMINATED)
    transfer = services.transfer_create(
        case=case, actor=people.mediator, agency=world.court, transfer_type=T.LITIGATION_GUIDANCE, reason="调解不成。"
    )
    assert "worker_consent_on" not in CaseEvent.objects.get(case=case, name="transfer_draft").payload
    assert transfer.status == "draft"
