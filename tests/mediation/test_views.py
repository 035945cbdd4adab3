"""Mediation screens: sessions, transcripts, extension, agreement, payments, follow-ups and
service of documents, through the pages; scope (404), read-only roles (403) and bad input
(400 with the service's message, nothing changed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertRedirects

from cases.models import Case, CaseEvent
from cases.workflow import Status
from mediation import services, vocab
from mediation.models import (
    Agreement,
    AgreementSignature,
    AgreementTerm,
    Attendance,
    Extension,
    FollowUp,
    MediationSession,
    Obligation,
    PaymentRecord,
    ServiceRecord,
    Transcript,
    TranscriptBlock,
)
from mediation.services.agreements import live_agreement
from tests import mediation_steps

SHANGHAI = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WATCHED = (
    MediationSession,
    Attendance,
    Transcript,
    TranscriptBlock,
    Extension,
    Agreement,
    AgreementTerm,
    Obligation,
    AgreementSignature,
    PaymentRecord,
    FollowUp,
    ServiceRecord,
)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _html(response: Any) -> str:
    return response.content.decode()


def _state() -> dict[str, Any]:
    """Every mediation row, its history and the case events: a refusal leaves all as it was."""
    counts: dict[str, Any] = {m.__name__: m.objects.count() for m in WATCHED}
    counts |= {f"{m.__name__}.history": m.history.count() for m in WATCHED}  # type: ignore[attr-defined]
    counts["events"] = CaseEvent.objects.count()
    counts["statuses"] = sorted(Case.objects.values_list("pk", "status"))
    counts["due"] = sorted(Obligation.objects.values_list("pk", "due_on", "amount"))
    return counts


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def url(name: str, case: Case, **kwargs: Any) -> str:
    return reverse(f"mediation:{name}", kwargs={"case_id": case.pk, **kwargs})


def held_case(case_in: Any, people: Any) -> Case:
    case = case_in(Status.IN_MEDIATION)
    mediation_steps.hold_session(case, people)
    return case


def effective_case_at(case_in: Any, people: Any, *, hours_ago: int) -> Case:
    """A second effective case whose session does not collide with case_in's (which all
    sit two hours ago with the same mediator)."""
    case = case_in(Status.ACCEPTED)
    now = timezone.now()
    session = services.session_schedule(
        case=case,
        actor=people.mediator,
        kind="phone",
        starts_at=now - dt.timedelta(hours=hours_ago),
        ends_at=now - dt.timedelta(hours=hours_ago - 1),
        mediators=[people.mediator],
    )
    mediation_steps.hold_session(case, people, session)
    services.agreement_draft(case=case, actor=people.mediator)
    mediation_steps.make_effective(case, people)
    case.refresh_from_db()
    return case


# --- sessions -------------------------------------------------------------------------------


def test_mediator_schedules_the_first_session_and_the_case_is_in_mediation(client, people, case_in):
    case = case_in(Status.ACCEPTED)
    client.force_login(people.mediator)

    page = client.get(url("session_new", case))
    assert page.status_code == 200
    assert 'type="datetime-local"' in _html(page)
    assert f'value="{people.mediator.pk}"' in _html(page)

    response = client.post(
        url("session_new", case),
        {
            "kind": "joint",
            "starts_at": "2030-03-04T09:30",
            "ends_at": "2030-03-04T11:00",
            "mediators": [people.mediator.pk],
            "place": "第二调解室",
            "clerk": people.clerk.pk,
        },
        follow=True,
    )

    assertRedirects(response, f"/cases/{case.pk}/#mediation-sessions")
    session = MediationSession.objects.get(case=case)
    assert session.starts_at == dt.datetime(2030, 3, 4, 9, 30, tzinfo=SHANGHAI)
    assert session.ends_at == dt.datetime(2030, 3, 4, 11, 0, tzinfo=SHANGHAI)
    assert (session.place, session.clerk, session.kind) == ("第二调解室", people.clerk, "joint")
    assert list(session.mediator_slots.values_list("mediator_id", flat=True)) == [people.mediator.pk]
    case.refresh_from_db()
    assert case.status == Status.IN_MEDIATION
    html = _html(response)
    assert "已安排调解会议。" in html
    assert '<span class="badge big st-in_mediation">调解中</span>' in html
    assert "2030-03-04 09:30–11:00" in html
    assert url("session", case, session_id=session.pk) in html


def test_a_double_booking_is_refused_next_to_the_start_time_and_creates_nothing(client, people, case_in):
    busy = case_in(Status.IN_MEDIATION)
    taken = busy.sessions.get()
    case = case_in(Status.ACCEPTED)
    before = _state()
    client.force_login(people.mediator)
    start = timezone.localtime(taken.starts_at).replace(second=0, microsecond=0) + dt.timedelta(minutes=1)

    response = client.post(
        url("session_new", case),
        {
            "kind": "joint",
            "starts_at": _local(start),
            "ends_at": _local(start + dt.timedelta(minutes=20)),
            "mediators": [people.mediator.pk],
            "place": "第一调解室",
        },
    )

    assert response.status_code == 400
    html = _html(response)
    message = f"调解员mediator在{timezone.localtime(taken.starts_at):%m-%d %H:%M}"
    assert message in html
    start_field = html[html.index('name="starts_at"') : html.index('name="ends_at"')]
    assert "已安排案件" in start_field and 'class="error-text"' in start_field
    assert _state() == before


def test_bad_session_input_is_a_400_in_chinese(client, people, case_in):
    case = case_in(Status.ACCEPTED)
    before = _state()
    client.force_login(people.mediator)

    response = client.post(
        url("session_new", case),
        {"kind": "joint", "starts_at": "2030-03-04T11:00", "ends_at": "2030-03-04T10:00", "mediators": []},
    )

    assert response.status_code == 400
    html = _html(response)
    for text in ("结束时间须晚于开始时间。", "请选择参加调解的调解员。", "面对面或背对背调解须选择调解室或填写地点。"):
        assert text in html
    garbage = client.post(url("session_new", case), {"kind": "joint", "starts_at": "明天", "ends_at": ""})
    assert garbage.status_code == 400
    assert _state() == before


def test_the_transcript_is_filled_read_back_and_completed(client, people, case_in):
    case = case_in(Status.IN_MEDIATION)
    session = case.sessions.get()
    applicant, respondent = case.parties.order_by("side")
    client.force_login(people.clerk)
    page = url("session", case, session_id=session.pk)

    for party, capacity in ((applicant, "applicant"), (respondent, "respondent")):
        added = client.post(
            url("attendance_add", case, session_id=session.pk),
            {"attendance-party": party.pk, "attendance-capacity": capacity, "attendance-identity_checked": "on"},
        )
        assertRedirects(added, page + "#attendance", fetch_redirect_response=False)
    first, second = session.attendances.order_by("id")
    assert (first.name, first.identity_checked) == (applicant.name, True)

    refused = client.post(
        url("attendance_sign", case, session_id=session.pk, attendance_id=second.pk), {"decision": "refuse"}
    )
    assert refused.status_code == 400
    assert "请注明拒签情况。" in _html(refused)
    for attendance, data in (
        (first, {"decision": "sign"}),
        (second, {"decision": "refuse", "refusal_note": "当场拒签"}),
    ):
        signed = client.post(url("attendance_sign", case, session_id=session.pk, attendance_id=attendance.pk), data)
        assert signed.status_code == 302

    long_statement = "申请人称公司拖欠工资。\n\n" * 300
    saved = client.post(
        url("transcript_save", case, session_id=session.pk),
        {
            "transcript-rights_notice": "已告知双方当事人权利义务。",
            "transcript-applicant_statement": long_statement,
            "transcript-result": "双方同意按方案调解。",
        },
    )
    assertRedirects(saved, page + "#transcript", fetch_redirect_response=False)
    read = client.get(page)
    assert "已告知双方当事人权利义务。</textarea>" in _html(read)
    assert "双方同意按方案调解。</textarea>" in _html(read)
    texts = dict(TranscriptBlock.objects.filter(transcript__session=session).values_list("kind", "text"))
    assert texts["applicant_statement"] == long_statement.strip()

    too_early = client.post(url("transcript_complete", case, session_id=session.pk))
    assert too_early.status_code == 400
    assert "笔录还不能完成：笔录尚未向到场人员宣读或交其阅读确认。" in _html(too_early)

    assert client.post(url("transcript_read_back", case, session_id=session.pk)).status_code == 302
    done = client.post(url("transcript_complete", case, session_id=session.pk), follow=True)

    assert "笔录已完成，本次调解记为已举行。" in _html(done)
    session.refresh_from_db()
    assert session.status == vocab.SessionStatus.HELD
    assert session.transcript.completed_at is not None
    html = _html(done)
    assert "<textarea" not in html
    assert "已告知双方当事人权利义务。" in html and "当场拒签" in html


def test_a_session_can_be_cancelled_with_a_reason(client, people, case_in):
    case = case_in(Status.IN_MEDIATION)
    session = case.sessions.get()
    client.force_login(people.mediator)

    empty = client.post(url("session_cancel", case, session_id=session.pk), {"reason": " "})
    assert empty.status_code == 400 and "请填写取消原因。" in _html(empty)
    response = client.post(url("session_cancel", case, session_id=session.pk), {"reason": "被申请人请假"})

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == vocab.SessionStatus.CANCELLED


# --- extension ------------------------------------------------------------------------------


def test_extension_is_requested_by_the_mediator_and_approved_by_the_director(client, people, case_in):
    case = case_in(Status.IN_MEDIATION)
    due = case.mediation_due_on
    today = timezone.localdate().isoformat()
    client.force_login(people.mediator)

    too_long = client.post(
        url("extension_new", case),
        {"days": 20, "reason": "x", "applicant_consent_on": today, "respondent_consent_on": today},
    )
    assert too_long.status_code == 400
    response = client.post(
        url("extension_new", case),
        {"days": 10, "reason": "双方同意继续协商", "applicant_consent_on": today, "respondent_consent_on": today},
    )
    assert response.status_code == 302

    client.force_login(people.director)
    detail = _html(client.get(f"/cases/{case.pk}/"))
    assert url("extend", case) in detail and "不予延期" in detail
    home = _html(client.get("/"))
    assert "待审批的延期" in home and f"/cases/{case.pk}/" in home
    page = client.get(url("extend", case))
    assert "双方同意继续协商" in _html(page)
    approved = client.post(url("extend", case))

    assertRedirects(approved, f"/cases/{case.pk}/", fetch_redirect_response=False)
    case.refresh_from_db()
    assert case.extension_days == 10
    assert case.mediation_due_on > due
    assert Extension.objects.get(case=case).status == vocab.ExtensionStatus.APPROVED


# --- agreement ------------------------------------------------------------------------------


def test_the_agreement_is_drafted_edited_signed_sealed_and_made_effective_through_the_pages(client, people, case_in):
    case = held_case(case_in, people)
    applicant, respondent = case.parties.order_by("side")
    client.force_login(people.mediator)

    detail = _html(client.get(f"/cases/{case.pk}/"))
    assert f'href="{url("draft_agreement", case)}"' in detail
    drafted = client.post(url("draft_agreement", case))
    assertRedirects(drafted, url("agreement", case), fetch_redirect_response=False)
    case.refresh_from_db()
    assert case.status == Status.AGREEMENT_PENDING
    agreement = live_agreement(case)
    payment = agreement.obligations.get()

    page = _html(client.get(url("agreement", case)))
    assert "“支付拖欠工资”未填写履行期限。" in page
    assert "壹万贰仟元整" in page

    client.post(url("agreement_terms", case), {"terms-terms": "一、被申请人支付工资。\r\n\r\n二、双方再无争议。\n"})
    assert list(agreement.terms.values_list("text", flat=True)) == ["一、被申请人支付工资。", "二、双方再无争议。"]
    added = client.post(
        url("obligation_add", case),
        {
            "obligation-kind": "certificate",
            "obligation-obligor": respondent.pk,
            "obligation-obligee": applicant.pk,
            "obligation-description": "出具解除劳动合同证明",
            "obligation-due_on": "2030-01-10",
        },
    )
    assert added.status_code == 302
    bad_amount = client.post(
        url("obligation_due", case, obligation_id=payment.pk),
        {f"due-{payment.pk}-due_on": "2030-01-10", f"due-{payment.pk}-amount": "一万"},
    )
    assert bad_amount.status_code == 400
    assert "金额应为不小于0的数字，最多两位小数（如 12000.50）。" in _html(bad_amount)
    client.post(
        url("obligation_due", case, obligation_id=payment.pk),
        {f"due-{payment.pk}-due_on": "2030-01-10", f"due-{payment.pk}-amount": "10000"},
    )
    payment.refresh_from_db()
    assert (payment.due_on, payment.amount) == (dt.date(2030, 1, 10), Decimal("10000.00"))
    extra = client.post(
        url("obligation_add", case),
        {
            "obligation-kind": "other_act",
            "obligation-obligor": respondent.pk,
            "obligation-obligee": applicant.pk,
            "obligation-description": "多余的义务",
            "obligation-due_on": "2030-01-10",
        },
    )
    assert extra.status_code == 302
    removed = client.post(
        url("obligation_remove", case, obligation_id=agreement.obligations.get(description="多余的义务").pk)
    )
    assert removed.status_code == 302
    assert agreement.obligations.count() == 2

    blocked = _html(client.get(url("make_effective", case)))
    assert "未加盖调解组织印章。" in blocked and "disabled" in blocked

    before = _state()
    general = client.post(
        url("agreement_sign", case),
        {"signature-party": respondent.pk, "signature-agent_authority": "general", "signature-agent_name": "王律师"},
    )
    assert general.status_code == 400
    assert "一般授权代理人无权签署调解协议，须由当事人本人或特别授权代理人签署。" in _html(general)
    assert _state() == before
    client.post(url("agreement_sign", case), {"signature-party": applicant.pk, "signature-agent_authority": ""})
    client.post(
        url("agreement_sign", case),
        {"signature-party": respondent.pk, "signature-agent_authority": "special", "signature-agent_name": "王律师"},
    )
    assert client.post(url("agreement_mediator_sign", case)).status_code == 302
    assert agreement.signatures.count() == 2

    refused_seal = client.post(url("agreement_seal", case))
    assert refused_seal.status_code == 403
    client.force_login(people.director)
    assert "待加盖印章的协议" in _html(client.get("/"))
    assert client.post(url("agreement_seal", case)).status_code == 302

    client.force_login(people.mediator)
    ready = _html(client.get(url("make_effective", case)))
    assert "尚不能办理" not in ready
    effective = client.post(url("make_effective", case), follow=True)

    case.refresh_from_db()
    agreement.refresh_from_db()
    assert case.status == Status.AGREEMENT_EFFECTIVE
    assert agreement.status == vocab.AgreementStatus.EFFECTIVE
    html = _html(effective)
    assert "已完成“协议生效”。" in html
    assert "壹万元整" in html
    assert "挽回经济损失（已付）" in html


def test_the_agreement_pending_case_page_shows_what_blocks_effectiveness(client, people, case_in):
    case = case_in(Status.AGREEMENT_PENDING)
    client.force_login(people.mediator)

    html = _html(client.get(f"/cases/{case.pk}/"))

    assert '<span class="btn disabled"' in html and ">协议生效</span>" in html
    assert "未加盖调解组织印章。" in html
    assert f'href="{url("reopen_negotiation", case)}"' in html
    home = _html(client.get("/"))
    assert "待签署的协议" in home


def test_reopen_negotiation_needs_a_reason(client, people, case_in):
    case = case_in(Status.AGREEMENT_PENDING)
    client.force_login(people.mediator)

    empty = client.post(url("reopen_negotiation", case), {"reason": ""})
    assert empty.status_code == 400
    response = client.post(url("reopen_negotiation", case), {"reason": "被申请人不同意签署"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_MEDIATION
    assert live_agreement(case) is None


# --- performance, follow-ups, service ---------------------------------------------------------


def test_a_payment_larger_than_owed_is_refused_and_records_nothing(client, people, case_in):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    obligation = live_agreement(case).obligations.get()
    client.force_login(people.clerk)
    today = timezone.localdate().isoformat()
    before = _state()

    response = client.post(
        url("payment_new", case, obligation_id=obligation.pk),
        {"amount": "20000", "paid_on": today, "method": "bank_transfer", "channel": "agreement"},
    )

    assert response.status_code == 400
    assert "本项尚欠12,000.00元，本次登记20,000.00元超出应付金额。" in _html(response)
    assert _state() == before

    paid = client.post(
        url("payment_new", case, obligation_id=obligation.pk),
        {
            "amount": "5000",
            "paid_on": today,
            "method": "bank_transfer",
            "channel": "agreement",
            "evidence": SimpleUploadedFile("回单.png", PNG, content_type="image/png"),
        },
        follow=True,
    )
    record = PaymentRecord.objects.get()
    assert (record.amount, record.confirmed_by) == (Decimal("5000.00"), people.clerk)
    assert record.evidence.name.endswith(".png")
    html = _html(paid)
    assert "已登记付款。" in html
    assert "¥5,000.00" in html and "¥7,000.00" in html


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("凭证.exe", b"MZ\x90\x00", "凭证只能上传 PDF、JPG 或 PNG 文件。"),
        ("凭证.pdf", b"<html>not a pdf</html>", "文件内容与扩展名不符，只能上传 PDF、JPG 或 PNG 文件。"),
        ("凭证.jpg", b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024), "凭证文件不能超过 10 MB。"),
    ],
)
def test_a_bad_evidence_file_is_refused_with_a_message(client, people, case_in, name, content, message):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    obligation = live_agreement(case).obligations.get()
    client.force_login(people.clerk)
    before = _state()

    response = client.post(
        url("payment_new", case, obligation_id=obligation.pk),
        {
            "amount": "100",
            "paid_on": timezone.localdate().isoformat(),
            "method": "cash",
            "channel": "agreement",
            "evidence": SimpleUploadedFile(name, content),
        },
    )

    assert response.status_code == 400
    assert message in _html(response)
    assert _state() == before


def test_follow_up_reminder_then_non_performance_and_service(client, people, case_in):
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    client.force_login(people.mediator)
    planned = case.follow_ups.get()
    detail = _html(client.get(f"/cases/{case.pk}/"))
    assert url("follow_up_complete", case, follow_up_id=planned.pk) in detail
    assert "调解协议书" in detail

    missing = client.post(url("follow_up_new", case), {"method": "phone"})
    assert missing.status_code == 400
    assert "请填写回访记录。" in _html(missing)
    reminded = client.post(
        url("follow_up_new", case),
        {"method": "phone", "reached": "人事经理", "performance_status": "unpaid", "notes": "电话督促履行。"},
    )
    assert reminded.status_code == 302
    completed = client.post(
        url("follow_up_complete", case, follow_up_id=planned.pk),
        {
            "method": "visit",
            "reached": "申请人",
            "performance_status": "unpaid",
            "notes": "尚未收到。",
            "satisfaction": "neutral",
        },
    )
    assert completed.status_code == 302
    planned.refresh_from_db()
    assert planned.done_at is not None and planned.satisfaction == "neutral"

    record = case.service_records.first()
    postal = client.post(
        url("service_serve", case, record_id=record.pk),
        {"method": "postal", "served_on": timezone.localdate().isoformat()},
    )
    assert postal.status_code == 400 and "邮寄送达须填写邮件单号。" in _html(postal)
    served = client.post(
        url("service_serve", case, record_id=record.pk),
        {"method": "postal", "served_on": timezone.localdate().isoformat(), "tracking_number": "EMS1234567"},
    )
    assert served.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.tracking_number) == (vocab.ServiceStatus.SERVED, "EMS1234567")
    other = case.service_records.exclude(pk=record.pk).first()
    assert (
        client.post(url("service_undeliverable", case, record_id=other.pk), {"note": "地址查无此人"}).status_code == 302
    )
    opened = client.post(url("service_new", case), {"document": "D5", "recipient": case.parties.first().pk})
    assert opened.status_code == 302

    response = client.post(url("record_non_performance", case), {"reason": "逾期未支付，已督促仍未履行。"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.NOT_PERFORMED


def test_non_monetary_obligation_performed_and_performance_confirmed(client, people, case_in):
    case = case_in(Status.AGREEMENT_PENDING)
    agreement = live_agreement(case)
    applicant, respondent = case.parties.order_by("side")
    services.obligation_add(
        agreement=agreement,
        actor=people.mediator,
        kind="certificate",
        obligor=respondent,
        obligee=applicant,
        description="出具离职证明",
    )
    mediation_steps.make_effective(case, people)
    payment, certificate = live_agreement(case).obligations.order_by("position")
    client.force_login(people.clerk)

    blocked = _html(client.get(url("confirm_performance", case)))
    assert "尚有义务未履行完毕" in blocked
    client.post(
        url("payment_new", case, obligation_id=payment.pk),
        {"amount": "12000", "paid_on": timezone.localdate().isoformat(), "method": "cash", "channel": "agreement"},
    )
    future = client.post(
        url("obligation_performed", case, obligation_id=certificate.pk), {"performed_on": "2099-01-01"}
    )
    assert future.status_code == 400 and "履行日期不能晚于今天。" in _html(future)
    client.post(
        url("obligation_performed", case, obligation_id=certificate.pk),
        {"performed_on": timezone.localdate().isoformat()},
    )
    response = client.post(url("confirm_performance", case))

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.PERFORMED


# --- work list ------------------------------------------------------------------------------


def test_the_mediator_sees_todays_sessions_on_the_work_list(client, people, case_in):
    case = case_in(Status.ACCEPTED)
    today = timezone.localdate()
    services.session_schedule(
        case=case,
        actor=people.mediator,
        kind="phone",
        starts_at=dt.datetime.combine(today, dt.time(23, 0), tzinfo=SHANGHAI),
        ends_at=dt.datetime.combine(today, dt.time(23, 30), tzinfo=SHANGHAI),
        mediators=[people.mediator],
    )
    client.force_login(people.mediator)

    html = _html(client.get("/"))

    section = html[html.index("<h2>今日调解") : html.index("<h2>到期未回访")]
    assert f"/cases/{case.pk}/" in section


# --- scope and roles ------------------------------------------------------------------------


@pytest.fixture
def full_case(people: Any, case_in: Any) -> tuple[Case, dict[str, int]]:
    """An effective agreement with every kind of sub-object, and the ids for every URL."""
    case = case_in(Status.AGREEMENT_EFFECTIVE)
    extension = Extension.objects.create(
        case=case,
        days=5,
        reason="x",
        applicant_consent_on=timezone.localdate(),
        respondent_consent_on=timezone.localdate(),
        requested_by=people.mediator,
    )
    session = case.sessions.get()
    ids = {
        "session_id": session.pk,
        "attendance_id": session.attendances.first().pk,
        "extension_id": extension.pk,
        "obligation_id": live_agreement(case).obligations.first().pk,
        "follow_up_id": case.follow_ups.first().pk,
        "record_id": case.service_records.first().pk,
    }
    return case, ids


#: Pages that only show (GET); every other URL takes a POST.
READ_PAGES = {"session", "agreement"}
#: Pages that also answer GET (the others are POST-only actions).
GET_PAGES = {
    "session_new",
    "session",
    "session_cancel",
    "extension_new",
    "extend",
    "extension_refuse",
    "draft_agreement",
    "agreement",
    "make_effective",
    "reopen_negotiation",
    "payment_new",
    "obligation_performed",
    "confirm_performance",
    "record_non_performance",
    "follow_up_new",
    "follow_up_complete",
    "service_new",
    "service_serve",
    "service_undeliverable",
}


def _all_urls(case: Case, ids: dict[str, int], *, only_with_ids: bool = False) -> list[tuple[str, str]]:
    """(name, url) of every mediation page of `case`, with the sub-object ids `ids`."""
    from mediation.urls import urlpatterns

    result = []
    for pattern in urlpatterns:
        names = [n for n in pattern.pattern.converters if n != "case_id"]
        if only_with_ids and not names:
            continue
        result.append((pattern.name, url(pattern.name, case, **{n: ids[n] for n in names})))
    return result


def test_an_auditor_gets_403_on_every_post_and_an_other_town_clerk_404(client, auditor, other_town_clerk, full_case):
    case, ids = full_case
    urls = _all_urls(case, ids)
    assert len(urls) == 31
    before = _state()

    client.force_login(auditor)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert client.get(url("session", case, session_id=ids["session_id"])).status_code == 200
    assert client.get(url("agreement", case)).status_code == 200
    forbidden = {u: client.post(u, {"reason": "x", "note": "x"}).status_code for n, u in urls if n not in READ_PAGES}
    assert set(forbidden.values()) == {403}, forbidden

    client.force_login(other_town_clerk)
    hidden = {u: client.post(u, {"reason": "x"}).status_code for n, u in urls if n not in READ_PAGES}
    hidden |= {f"GET {u}": client.get(u).status_code for name, u in urls if name in GET_PAGES}
    assert set(hidden.values()) == {404}, hidden
    assert _state() == before


def test_ids_of_another_case_are_404(client, people, case_in, full_case):
    _case, ids = full_case
    other = effective_case_at(case_in, people, hours_ago=5)
    client.force_login(people.mediator)
    before = _state()

    wrong = _all_urls(other, ids, only_with_ids=True)
    statuses = {u: client.post(u, {"reason": "x", "note": "x"}).status_code for n, u in wrong if n not in READ_PAGES}
    statuses |= {f"GET {u}": client.get(u).status_code for name, u in wrong if name in GET_PAGES}

    assert len(wrong) == 15
    assert set(statuses.values()) == {404}, statuses
    assert _state() == before
