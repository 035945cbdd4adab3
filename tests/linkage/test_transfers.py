"""Transfers to partner agencies, the liaison's scope, money recovered through the court,
returns, and results reported to a referring court."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from accounts.services import system_user
from cases import services as case_services
from cases.models import CaseEvent
from cases.selectors import case_get_for_user, case_queryset_for_user
from cases.workflow import Status
from core.exceptions import ApplicationError, PermissionDeniedError
from core.history import save_with_history
from linkage import selectors, services, vocab
from linkage.models import Transfer
from mediation.models import PaymentRecord
from mediation.services.agreements import live_agreement
from tests.factories import AgencyFactory, CaseFactory, MembershipFactory, UserFactory

T = vocab.TransferType
TODAY = timezone.localdate


@pytest.fixture
def agencies(world):
    return {
        "court": world.court,
        "arbitration": AgencyFactory(
            code="arb", name="大兴区劳动人事争议仲裁委员会", kind="arbitration", district=world.district
        ),
        "labor_inspection": AgencyFactory(
            code="insp", name="大兴区劳动保障监察大队", kind="labor_inspection", district=world.district
        ),
        "legal_aid": AgencyFactory(code="aid", name="大兴区法律援助中心", kind="legal_aid", district=world.district),
    }


@pytest.fixture
def confirmable(world):
    world.district.court_listed = True
    save_with_history(world.district, actor=system_user(), reason="listed by the court")
    return world.district


def _sent(case, people, agency, transfer_type=T.JUDICIAL_CONFIRMATION):
    transfer = services.transfer_create(
        case=case, actor=people.mediator, agency=agency, transfer_type=transfer_type, reason="双方共同申请司法确认。"
    )
    services.transfer_approve(transfer=transfer, actor=people.director)
    return services.transfer_send(
        transfer=transfer, actor=people.clerk, sent_on=TODAY(), channel=vocab.SendChannel.IN_PERSON
    )


def test_judicial_confirmation_path_recovers_money_through_the_court(case_in, people, liaison, world, confirmable):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    transfer = _sent(case, people, world.court)
    assert case_get_for_user(case_id=case.pk, user=liaison).pk == case.pk
    services.transfer_acknowledge(transfer=transfer, actor=liaison, external_number="（2026）京0115民特123号")
    obligation = live_agreement(case).obligations.get()
    services.transfer_record_outcome(
        transfer=transfer,
        actor=liaison,
        outcome=vocab.TransferOutcome.CONFIRMED,
        outcome_on=TODAY(),
        note="裁定调解协议有效，已执行到位。",
        amount_recovered="12000.00",
        obligation=obligation,
    )
    transfer.refresh_from_db()
    assert (transfer.status, transfer.external_number, transfer.handled_by) == (
        vocab.TransferStatus.OUTCOME_RECORDED,
        "（2026）京0115民特123号",
        liaison,
    )
    payment = PaymentRecord.objects.get(obligation=obligation)
    assert (payment.amount, payment.channel, payment.agency, payment.confirmed_by) == (
        Decimal("12000.00"),
        "court",
        world.court,
        liaison,
    )
    assert selectors.recovered_by_channel(case=case)["court"] == Decimal("12000.00")
    names = list(CaseEvent.objects.filter(case=case, kind="linkage").values_list("name", flat=True))
    assert names == ["transfer_draft", "transfer_approve", "transfer_send", "transfer_acknowledge", "transfer_outcome"]
    assert transfer.history.filter(history_user=liaison).count() == 2


def test_liaison_sees_only_cases_transferred_to_their_court(case_in, people, liaison, world, confirmable, agencies):
    transferred = case_in(Status.AGREEMENT_EFFECTIVE)
    other = case_in(Status.AGREEMENT_EFFECTIVE)
    draft_only = case_in(Status.AGREEMENT_EFFECTIVE)
    _sent(transferred, people, world.court)
    services.transfer_create(
        case=draft_only,
        actor=people.mediator,
        agency=world.court,
        transfer_type=T.JUDICIAL_CONFIRMATION,
        reason="拟申请",
    )
    inspection = case_in(Status.IN_MEDIATION)
    _sent(inspection, people, agencies["labor_inspection"], T.LABOR_INSPECTION)
    assert list(case_queryset_for_user(liaison)) == [transferred]
    for case in (other, draft_only, inspection):
        with pytest.raises(Http404):
            case_get_for_user(case_id=case.pk, user=liaison)
    with pytest.raises(PermissionDeniedError):
        case_get_for_user(case_id=transferred.pk, user=liaison, for_write=True)


def test_liaison_pages_answer_404_outside_their_transfers(client, case_in, people, liaison, world, confirmable):
    transferred, other = case_in(Status.AGREEMENT_EFFECTIVE), case_in(Status.AGREEMENT_EFFECTIVE)
    _sent(transferred, people, world.court)
    client.force_login(liaison)
    assert client.get(f"/cases/{transferred.pk}/").status_code == 200
    assert client.get(f"/cases/{other.pk}/").status_code == 404
    listing = client.get("/cases/").content.decode()
    assert str(transferred.case_number) in listing and str(other.case_number) not in listing


def test_another_agency_liaison_cannot_act(case_in, people, world, confirmable, agencies):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    transfer = _sent(case, people, world.court)
    outsider = UserFactory(username="arb_liaison")
    MembershipFactory(user=outsider, role="liaison", organization=None, agency=agencies["arbitration"])
    with pytest.raises(PermissionDeniedError):
        services.transfer_acknowledge(transfer=transfer, actor=outsider)
    transfer.refresh_from_db()
    assert transfer.status == vocab.TransferStatus.SENT


def test_returned_transfer(case_in, people, liaison, world, confirmable):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    transfer = _sent(case, people, world.court)
    with pytest.raises(ApplicationError):
        services.transfer_return(transfer=transfer, actor=liaison, reason=" ")
    services.transfer_return(transfer=transfer, actor=liaison, reason="材料不全：缺少双方身份证明。")
    transfer.refresh_from_db()
    assert (transfer.status, transfer.returned_reason) == (
        vocab.TransferStatus.RETURNED,
        "材料不全：缺少双方身份证明。",
    )
    event = CaseEvent.objects.filter(case=case, name="transfer_return").get()
    assert (event.actor, event.reason) == (liaison, "材料不全：缺少双方身份证明。")
    # a returned transfer can be drafted again
    services.transfer_create(
        case=case,
        actor=people.mediator,
        agency=world.court,
        transfer_type=T.JUDICIAL_CONFIRMATION,
        reason="补齐材料后重新申请",
    )


def test_judicial_confirmation_needs_a_confirmable_organisation(case_in, people, world):
    case = case_in(Status.AGREEMENT_EFFECTIVE)  # the district is a plain union centre by default
    with pytest.raises(ApplicationError) as info:
        services.transfer_create(
            case=case, actor=people.mediator, agency=world.court, transfer_type=T.JUDICIAL_CONFIRMATION, reason="申请"
        )
    assert "组织形式" in info.value.fields["transfer_type"][0]


def test_judicial_confirmation_only_within_30_days(case_in, people, world, confirmable):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    agreement = live_agreement(case)
    agreement.judicial_confirmation_due_on = TODAY() - dt.timedelta(days=1)
    save_with_history(agreement, actor=system_user(), reason="test: the window closed")
    assert "超过30日" in services.offer_problem(case, T.JUDICIAL_CONFIRMATION)


def test_judicial_confirmation_needs_an_effective_agreement(case_in, confirmable):
    assert "已生效" in services.offer_problem(case_in(Status.IN_MEDIATION), T.JUDICIAL_CONFIRMATION)


def test_payment_order_only_for_eligible_claims_after_non_performance(case_in, people):
    case = case_in(Status.NOT_PERFORMED)  # its claim is WAGE: eligible
    assert services.offer_problem(case, T.PAYMENT_ORDER) is None
    assert "未按期履行" in services.offer_problem(case_in(Status.IN_MEDIATION), T.PAYMENT_ORDER)
    claim = case.claims.get()
    claim.claim_type = "SOC_LOSS"  # 社保待遇损失赔偿: not a payment-order item
    save_with_history(claim, actor=system_user(), reason="test: an ineligible claim")
    assert "没有可申请支付令的项目" in services.offer_problem(case, T.PAYMENT_ORDER)


def test_labor_inspection_only_for_wage_arrears(case_in, people, world, agencies):
    case = case_in(Status.IN_MEDIATION)
    assert services.offer_problem(case, T.LABOR_INSPECTION) is None
    other = CaseFactory(organization=world.district, created_by=people.clerk, dispute_type="TER", with_parties=False)
    assert "拖欠工资" in services.offer_problem(other, T.LABOR_INSPECTION)


def test_transfer_goes_to_the_right_kind_of_agency(case_in, people, agencies):
    case = case_in(Status.IN_MEDIATION)
    with pytest.raises(ApplicationError) as info:
        services.transfer_create(
            case=case, actor=people.mediator, agency=agencies["court"], transfer_type=T.LABOR_INSPECTION, reason="欠薪"
        )
    assert "agency" in info.value.fields
    assert not Transfer.objects.exists()


def test_director_approves_and_the_letter_cannot_be_sent_before(case_in, people, agencies):
    case = case_in(Status.IN_MEDIATION)
    transfer = services.transfer_create(
        case=case,
        actor=people.mediator,
        agency=agencies["labor_inspection"],
        transfer_type=T.LABOR_INSPECTION,
        reason="拖欠工资，移送监察。",
    )
    with pytest.raises(PermissionDeniedError):
        services.transfer_approve(transfer=transfer, actor=people.mediator)
    with pytest.raises(Exception, match="不能登记移送"):
        services.transfer_send(transfer=transfer, actor=people.clerk, sent_on=TODAY(), channel="post")


def test_referred_case_cannot_close_before_the_result_is_reported(people, world):
    case = CaseFactory(
        organization=world.district,
        created_by=people.clerk,
        source="court_prefiling",
        referring_body="北京市大兴区人民法院",
        source_reference="（2026）京0115民诉前调88号",
    )
    case = case_services.case_register(case=case, actor=people.clerk)
    case = case_services.case_withdraw(case=case, actor=people.clerk, reason_code="settled_privately")
    with pytest.raises(ApplicationError, match="须向北京市大兴区人民法院反馈调解结果"):
        case_services.case_submit_closure(case=case, actor=people.clerk)
    services.referral_report(
        case=case,
        actor=people.clerk,
        reported_on=TODAY(),
        channel="letter",
        summary="申请人撤回调解申请，双方自行和解。",
    )
    case = case_services.case_submit_closure(case=case, actor=people.clerk)
    assert case.status == Status.CLOSING
    assert CaseEvent.objects.filter(case=case, name="referral_report").count() == 1


def test_report_only_for_referred_cases(case_in, people):
    case = case_in(Status.WITHDRAWN)
    with pytest.raises(ApplicationError) as info:
        services.referral_report(case=case, actor=people.clerk, reported_on=TODAY(), channel="letter", summary="x")
    assert "case" in info.value.fields


def test_arbitration_review_within_15_days_and_not_for_confirming_a_relationship(case_in):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    assert services.offer_problem(case, T.ARBITRATION_REVIEW) is None
    agreement = live_agreement(case)
    later = timezone.localdate(agreement.effective_at) + dt.timedelta(days=16)
    assert "超过15日" in services.offer_problem(case, T.ARBITRATION_REVIEW, today=later)
    claim = case.claims.get()
    claim.claim_type, claim.amount = "CONFIRM_REL", None
    save_with_history(claim, actor=system_user(), reason="test: a relationship claim")
    assert "确认劳动关系" in services.offer_problem(case, T.ARBITRATION_REVIEW)


@pytest.mark.parametrize(
    ("state", "allowed"),
    [
        (Status.TERMINATED, True),
        (Status.NOT_PERFORMED, True),
        (Status.REJECTED, True),
        (Status.IN_MEDIATION, True),
        (Status.REGISTERED, False),
        (Status.PERFORMED, False),
    ],
)
def test_arbitration_and_litigation_guidance_after_mediation_failed(case_in, state, allowed):
    case = case_in(state)
    for transfer_type in (T.ARBITRATION, T.LITIGATION_GUIDANCE):
        assert (services.offer_problem(case, transfer_type) is None) is allowed


@pytest.mark.parametrize(
    ("state", "allowed"), [(Status.REGISTERED, True), (Status.DRAFT, False), (Status.CLOSED, False)]
)
def test_legal_aid_for_open_cases(case_in, state, allowed):
    assert (services.offer_problem(case_in(state), T.LEGAL_AID) is None) is allowed
