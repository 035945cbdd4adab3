"""Linkage screens: drafting, approving and sending a transfer through the pages; the
liaison's inbox and transfer page (acknowledge, outcome with money recovered, return); the
scope (404 outside the cases sent to the liaison's agency), read-only roles (403) and refusals
(400 with the service's message, nothing created); the director's overview; the result
reported to a referring court."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertRedirects

from accounts.services import system_user
from cases.models import CaseEvent
from cases.workflow import Status, blockers
from core.history import save_with_history
from linkage import services, vocab
from linkage.models import ReferralReport, Transfer
from mediation.models import PaymentRecord
from mediation.services.agreements import live_agreement
from tests.conftest import drive
from tests.factories import AgencyFactory, CaseFactory, MembershipFactory, UserFactory

T = vocab.TransferType
S = vocab.TransferStatus
TODAY = timezone.localdate
EXTERNAL = "（2026）京0115民特123号"


@pytest.fixture
def confirmable(world: Any) -> Any:
    world.district.court_listed = True
    save_with_history(world.district, actor=system_user(), reason="listed by the court")
    return world.district


@pytest.fixture
def arbitration(world: Any) -> Any:
    return AgencyFactory(code="arb", name="大兴区劳动人事争议仲裁委员会", kind="arbitration", district=world.district)


def _html(response: Any) -> str:
    return response.content.decode()


def _url(name: str, case: Any, transfer: Any = None) -> str:
    kwargs = {"case_id": case.pk} | ({"transfer_id": transfer.pk} if transfer is not None else {})
    return reverse(f"linkage:{name}", kwargs=kwargs)


def _state() -> dict[str, Any]:
    return {
        "transfers": sorted(Transfer.objects.values_list("pk", "status", "external_number")),
        "transfer_history": Transfer.history.count(),  # type: ignore[attr-defined]
        "events": CaseEvent.objects.count(),
        "payments": PaymentRecord.objects.count(),
        "reports": ReferralReport.objects.count(),
    }


def _sent(case: Any, people: Any, agency: Any, transfer_type: str = T.JUDICIAL_CONFIRMATION) -> Transfer:
    transfer = services.transfer_create(
        case=case, actor=people.mediator, agency=agency, transfer_type=transfer_type, reason="双方共同申请司法确认。"
    )
    services.transfer_approve(transfer=transfer, actor=people.director)
    return services.transfer_send(
        transfer=transfer, actor=people.clerk, sent_on=TODAY(), channel=vocab.SendChannel.IN_PERSON
    )


def test_full_path_through_the_pages(client, case_in, people, liaison, world, confirmable):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    worker = case.parties.get(side="applicant").person
    worker.id_number = "110115199001011234"
    save_with_history(worker, actor=system_user(), reason="test")

    # the mediator drafts: the page offers judicial confirmation and greys out the rest
    client.force_login(people.mediator)
    page = _html(client.get(_url("transfer_new", case) + "?transfer_type=judicial_confirmation"))
    assert "申请司法确认" in page and "劳动保障监察投诉" in page
    assert "引导仲裁或诉讼用于调解不成、未履行或不予受理的案件。" in page
    assert world.court.name in page
    response = client.post(
        _url("transfer_new", case),
        {"transfer_type": T.JUDICIAL_CONFIRMATION, "agency": world.court.pk, "reason": "双方共同申请司法确认。"},
    )
    assertRedirects(response, reverse("cases:detail", kwargs={"case_id": case.pk}) + "#linkage")
    transfer = Transfer.objects.get(case=case)
    assert (transfer.status, transfer.agency, transfer.requested_by) == (S.DRAFT, world.court, people.mediator)

    # the director approves the letter
    client.force_login(people.director)
    assert "批准移送函" in _html(client.get(f"/cases/{case.pk}/"))
    home = _html(client.get("/"))
    assert "待审批的移送函" in home and str(case) in home.split("待审批的移送函")[1]
    assert client.post(_url("transfer_approve", case, transfer)).status_code == 302
    transfer.refresh_from_db()
    assert (transfer.status, transfer.approved_by) == (S.APPROVED, people.director)

    # the clerk records that it was sent
    client.force_login(people.clerk)
    home = _html(client.get("/"))
    assert str(case) in home.split("已审批、待登记移送")[1]
    response = client.post(
        _url("transfer_send", case, transfer),
        {"send-sent_on": TODAY().isoformat(), "send-channel": vocab.SendChannel.IN_PERSON},
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert (transfer.status, transfer.sent_on) == (S.SENT, TODAY())

    # the liaison sees it first in the inbox and on the landing page, and acknowledges
    client.force_login(liaison)
    inbox = _html(client.get(reverse("linkage:inbox")))
    assert str(case) in inbox and _url("transfer", case, transfer) in inbox
    assert worker.name in inbox and "110115199001011234" not in inbox and "1234" not in inbox
    home = _html(client.get("/"))
    assert "待接收的移送" in home and str(case) in home
    response = client.post(_url("transfer_acknowledge", case, transfer), {"ack-external_number": EXTERNAL})
    assertRedirects(response, _url("transfer", case, transfer))
    transfer.refresh_from_db()
    assert (transfer.status, transfer.external_number, transfer.handled_by) == (S.ACKNOWLEDGED, EXTERNAL, liaison)

    # ... and records the confirmation with the money recovered through the court
    obligation = live_agreement(case).obligations.get()
    response = client.post(
        _url("transfer_outcome", case, transfer),
        {
            "outcome-outcome": vocab.TransferOutcome.CONFIRMED,
            "outcome-outcome_on": TODAY().isoformat(),
            "outcome-note": "裁定调解协议有效，已执行到位。",
            "outcome-external_number": "",
            "outcome-amount_recovered": "12000.00",
            "outcome-obligation": obligation.pk,
        },
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert (transfer.status, transfer.outcome, transfer.external_number) == (S.OUTCOME_RECORDED, "confirmed", EXTERNAL)
    payment = PaymentRecord.objects.get(obligation=obligation)
    assert (payment.amount, payment.channel, payment.agency) == (Decimal("12000.00"), "court", world.court)

    # the case page shows the amount under the court
    client.force_login(people.director)
    page = _html(client.get(f"/cases/{case.pk}/"))
    assert "裁定调解协议有效（司法确认）" in page and EXTERNAL in page
    assert "12,000.00" in page and "法院（司法确认/支付令/执行） ¥12,000.00" in page
    names = list(CaseEvent.objects.filter(case=case, kind="linkage").values_list("actor__username", "name"))
    assert names == [
        ("mediator", "transfer_draft"),
        ("director", "transfer_approve"),
        ("clerk", "transfer_send"),
        ("liaison", "transfer_acknowledge"),
        ("liaison", "transfer_outcome"),
    ]


def test_a_type_not_offered_is_refused_with_its_reason(client, case_in, people, world, arbitration):
    case = case_in(Status.ACCEPTED)
    client.force_login(people.mediator)
    before = _state()
    response = client.post(
        _url("transfer_new", case),
        {"transfer_type": T.ARBITRATION, "agency": arbitration.pk, "reason": "调解不成，引导申请仲裁。"},
    )
    assert response.status_code == 400
    assert "引导仲裁或诉讼用于调解不成、未履行或不予受理的案件。" in _html(response)
    assert _state() == before


def test_the_agency_must_match_the_type(client, case_in, people, world, arbitration):
    case = case_in(Status.IN_MEDIATION)
    client.force_login(people.mediator)
    before = _state()
    response = client.post(
        _url("transfer_new", case),
        {"transfer_type": T.ARBITRATION, "agency": world.court.pk, "reason": "调解不成，引导申请仲裁。"},
    )
    assert response.status_code == 400
    assert "该类移送应送劳动人事争议仲裁委员会。" in _html(response)
    assert _state() == before


def test_the_liaison_gets_404_outside_their_transfers(client, case_in, people, liaison, world, confirmable):
    transferred, other = case_in(Status.AGREEMENT_EFFECTIVE), case_in(Status.AGREEMENT_EFFECTIVE)
    transfer = _sent(transferred, people, world.court)
    other_transfer = services.transfer_create(
        case=other, actor=people.mediator, agency=world.court, transfer_type=T.JUDICIAL_CONFIRMATION, reason="拟申请"
    )
    client.force_login(liaison)
    assert client.get(_url("transfer", transferred, transfer)).status_code == 200
    assert client.get(f"/cases/{other.pk}/").status_code == 404
    assert client.get(_url("transfer", other, other_transfer)).status_code == 404
    # another case's transfer id through a case they do see
    assert client.get(_url("transfer", transferred, other_transfer)).status_code == 404
    before = _state()
    response = client.post(_url("transfer_acknowledge", transferred, other_transfer), {"ack-external_number": "x"})
    assert response.status_code == 404
    response = client.post(_url("transfer_acknowledge", other, other_transfer), {"ack-external_number": "x"})
    assert response.status_code == 404
    assert _state() == before


def test_another_agency_liaison_cannot_see_or_act(client, case_in, people, world, confirmable, arbitration):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    transfer = _sent(case, people, world.court)
    outsider = UserFactory(username="arb_liaison")
    MembershipFactory(user=outsider, role="liaison", organization=None, agency=arbitration)
    client.force_login(outsider)
    before = _state()
    assert client.get(_url("transfer", case, transfer)).status_code in (403, 404)
    response = client.post(_url("transfer_acknowledge", case, transfer), {"ack-external_number": "x"})
    assert response.status_code in (403, 404)
    assert str(case) not in _html(client.get(reverse("linkage:inbox")))
    assert _state() == before


def test_read_only_roles_get_403_on_posts(client, case_in, people, auditor, liaison, world, confirmable):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    draft = services.transfer_create(
        case=case, actor=people.mediator, agency=world.court, transfer_type=T.JUDICIAL_CONFIRMATION, reason="拟申请"
    )
    client.force_login(auditor)
    assert client.get(_url("transfer", case, draft)).status_code == 200
    before = _state()
    posts = [
        (_url("transfer_new", case), {"transfer_type": T.LEGAL_AID, "agency": world.court.pk, "reason": "x"}),
        (_url("transfer_approve", case, draft), {}),
        (_url("transfer_send", case, draft), {"send-sent_on": TODAY().isoformat(), "send-channel": "post"}),
        (_url("transfer_acknowledge", case, draft), {"ack-external_number": "x"}),
        (_url("transfer_return", case, draft), {"return-reason": "x"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert client.get(reverse("linkage:inbox")).status_code == 403
    assert _state() == before
    # the liaison is not case staff: a staff step is refused too
    services.transfer_approve(transfer=draft, actor=people.director)
    services.transfer_send(transfer=draft, actor=people.clerk, sent_on=TODAY(), channel="post")
    client.force_login(liaison)
    before = _state()
    assert client.post(_url("transfer_new", case), {"transfer_type": T.LEGAL_AID}).status_code == 403
    assert _state() == before


def test_the_liaison_returns_a_transfer_with_a_reason(client, case_in, people, liaison, world, confirmable):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    transfer = _sent(case, people, world.court)
    client.force_login(liaison)
    before = _state()
    response = client.post(_url("transfer_return", case, transfer), {"return-reason": ""})
    assert response.status_code == 400
    assert _state() == before
    response = client.post(_url("transfer_return", case, transfer), {"return-reason": "材料不全：缺少双方身份证明。"})
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert (transfer.status, transfer.returned_reason) == (S.RETURNED, "材料不全：缺少双方身份证明。")
    inbox = _html(client.get(reverse("linkage:inbox")))
    assert "已退回" in inbox and str(case) in inbox


def test_the_inbox_costs_the_same_queries_for_many_transfers(
    client, case_in, people, liaison, world, confirmable, django_assert_max_num_queries
):
    for _ in range(3):
        _sent(case_in(Status.AGREEMENT_EFFECTIVE), people, world.court)
    client.force_login(liaison)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("linkage:inbox"))
    assert _html(response).count("确认接收") >= 3


def test_the_overview_shows_the_court_amount(client, case_in, people, liaison, auditor, world, confirmable):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    transfer = _sent(case, people, world.court)
    services.transfer_acknowledge(transfer=transfer, actor=liaison, external_number=EXTERNAL)
    services.transfer_record_outcome(
        transfer=transfer,
        actor=liaison,
        outcome=vocab.TransferOutcome.CONFIRMED,
        outcome_on=TODAY(),
        amount_recovered="5000.00",
        obligation=live_agreement(case).obligations.get(),
    )
    waiting = case_in(Status.AGREEMENT_EFFECTIVE)
    _sent(waiting, people, world.court)
    today = TODAY().isoformat()
    for user in (people.director, auditor):
        client.force_login(user)
        response = client.get(reverse("linkage:overview"), {"from": today, "to": today})
        page = _html(response)
        assert response.status_code == 200
        assert world.court.name in page and "5,000.00" in page
        assert "裁定调解协议有效（司法确认）" in page
    response = client.get(reverse("linkage:overview"), {"from": "2020-01-01", "to": "2020-12-31"})
    assert "5,000.00" not in _html(response)


def test_the_overview_refuses_bad_dates_and_other_roles(client, people, liaison):
    client.force_login(people.director)
    response = client.get(reverse("linkage:overview"), {"from": "2026-13-40", "to": "x"})
    assert response.status_code == 400
    assert "输入一个有效的日期" in _html(response)
    response = client.get(reverse("linkage:overview"), {"from": "2026-05-01", "to": "2026-04-01"})
    assert response.status_code == 400
    assert "起始日期不能晚于截止日期。" in _html(response)
    for user in (people.clerk, liaison):
        client.force_login(user)
        assert client.get(reverse("linkage:overview")).status_code == 403


def test_a_referred_case_reports_its_result_before_closure(client, world, people):
    case = CaseFactory(
        organization=world.district,
        created_by=people.clerk,
        source="court_prefiling",
        referring_body="北京市大兴区人民法院",
        source_reference="（2026）京0115民诉前调45号",
    )
    for step in ("register", "reject"):
        case = drive(case, step, people)
    assert any("反馈调解结果" in b for b in blockers(case, "submit_closure"))
    client.force_login(people.clerk)
    page = _html(client.get(f"/cases/{case.pk}/"))
    assert "结案前须向其反馈调解结果" in page and _url("referral_report", case) in page
    response = client.post(_url("referral_report", case), {"reported_on": TODAY().isoformat(), "channel": "letter"})
    assert response.status_code == 400
    assert not ReferralReport.objects.exists()
    response = client.post(
        _url("referral_report", case),
        {"reported_on": TODAY().isoformat(), "channel": "letter", "summary": "申请人撤回，不予受理。"},
    )
    assert response.status_code == 302
    report = ReferralReport.objects.get(case=case)
    assert (report.channel, report.summary, report.reported_by) == ("letter", "申请人撤回，不予受理。", people.clerk)
    assert not [b for b in blockers(case, "submit_closure") if "反馈调解结果" in b]
    assert "已向委派机关反馈结果" in _html(client.get(f"/cases/{case.pk}/"))


def test_the_referral_report_page_is_only_for_referred_cases(client, case_in, people, other_town_clerk, world):
    case = case_in(Status.REJECTED)
    client.force_login(people.clerk)
    assert client.get(_url("referral_report", case)).status_code == 404
    client.force_login(other_town_clerk)
    assert client.get(_url("transfer_new", case)).status_code == 404
