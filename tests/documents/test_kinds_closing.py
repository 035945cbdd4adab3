"""Kinds of the closing stage: proof of service (D13), follow-up record (D14), closing report
(D15, and its simple-file form), transfer letter (D16)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.services import system_user
from cases import services as case_services
from cases.models import Case, Employer, Person
from cases.workflow import Status
from core.exceptions import ApplicationError
from core.history import save_with_history
from core.masking import mask_id_number
from documents.kinds import KINDS
from documents.models import CaseDocument, DocumentStatus
from documents.services import document_request
from linkage import services as linkage_services
from linkage import vocab as linkage_vocab
from mediation import services as mediation_services
from mediation import vocab
from mediation.services.agreements import live_agreement
from tests import mediation_steps
from tests.documents.pdfs import pdf_text
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db(transaction=False)

WORKER_ID = "110115199003071234"
WORKER_PHONE = "13812345678"
WAGE = Decimal("12345.67")
COMPENSATION = Decimal("8000.00")
PAYLOAD = (
    '<link rel="attachment" href="file:///etc/passwd">'
    '<img src="file:///etc/hostname">'
    "@import url(http://127.0.0.1:9/);"
    "<script>alert(1)</script>"
)


def _render(case: Case, actor: Any, kind: str, capture: Any, **kwargs: Any) -> tuple[CaseDocument, bytes, str]:
    with capture(execute=True):
        document = document_request(case=case, actor=actor, kind=kind, **kwargs)
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY, document.error
    data = document.file.read()
    return document, data, pdf_text(data)


def _closed_case(world: SimpleNamespace, people: SimpleNamespace, liaison: Any, text: str = "") -> SimpleNamespace:
    """A court-referred wage case, through the real services: settled, partly recovered
    through judicial confirmation at the court, the rest paid, followed up, reported back to
    the court, a labour-inspection letter approved, served, closed. `text` goes into every
    free-text field the closing documents print."""
    world.district.court_listed = True  # its agreements may be judicially confirmed
    world.district.phone = "010-69243456"
    world.district.address = "北京市大兴区兴政街15号"
    save_with_history(world.district, actor=system_user(), reason="test setup")
    inspection = AgencyFactory(
        code="insp", name="北京市大兴区劳动保障监察大队", kind="labor_inspection", district=world.district
    )
    clerk, mediator, director = people.clerk, people.mediator, people.director
    case = case_services.case_create(
        actor=clerk,
        organization=world.district,
        dispute_type="PAY",
        source="court_prefiling",
        source_reference="（2026）京0115民诉前调1234号",
        referring_body="北京市大兴区人民法院",
        facts_summary=text or "申请人于2024年3月入职被申请人处任仓库管理员，被申请人自2025年10月起拖欠工资。",
    )
    worker = Person.objects.create(
        name="张三",
        sex="M",
        id_number=WORKER_ID,
        phone=WORKER_PHONE,
        address="北京市大兴区西红门镇宏福路8号院3号楼",
        birth_date=dt.date(1990, 3, 7),
    )
    employer = Employer.objects.create(
        name="北京华兴物流有限公司",
        uscc="91110115MA01ABCD2X",
        legal_rep_name="李四",
        registered_address="北京市大兴区黄村镇兴华大街100号",
        contact_name="王五",
        contact_phone="010-61234567",
    )
    applicant = case_services.case_party_add(case=case, actor=clerk, side="applicant", person=worker)
    case_services.case_party_add(case=case, actor=clerk, side="respondent", employer=employer)
    case_services.claim_add(
        case=case,
        actor=clerk,
        claim_type="WAGE",
        description="支付2025年10月至12月拖欠工资",
        amount=str(WAGE),
        claimant=applicant,
        period_start=dt.date(2025, 10, 1),
        period_end=dt.date(2025, 12, 31),
    )
    case_services.claim_add(
        case=case,
        actor=clerk,
        claim_type="ECON_COMP",
        description="支付解除劳动合同经济补偿",
        amount=str(COMPENSATION),
        claimant=applicant,
    )
    case = case_services.case_register(case=case, actor=clerk)
    case = case_services.case_accept(case=case, actor=director, mediators=[mediator], clerk=clerk)
    mediation_steps.start(case, people)
    mediation_steps.hold_session(case, people)
    case.refresh_from_db()
    mediation_services.extension_request(
        case=case,
        actor=mediator,
        days=5,
        reason=text or "双方需核对考勤记录。",
        applicant_consent_on=timezone.localdate(),
        respondent_consent_on=timezone.localdate(),
    )
    mediation_services.case_extend(case=case, actor=director)
    mediation_services.agreement_draft(case=case, actor=mediator)
    mediation_steps.sign_everything(case, people)
    mediation_services.case_make_effective(case=case, actor=mediator)
    agreement = live_agreement(case)
    assert agreement is not None
    wage_obligation = agreement.obligations.get(amount=WAGE)

    court_transfer = linkage_services.transfer_create(
        case=case,
        actor=mediator,
        agency=world.court,
        transfer_type=linkage_vocab.TransferType.JUDICIAL_CONFIRMATION,
        reason=text or "双方当事人共同申请对调解协议进行司法确认。",
    )
    linkage_services.transfer_approve(transfer=court_transfer, actor=director)
    linkage_services.transfer_send(
        transfer=court_transfer, actor=clerk, sent_on=timezone.localdate(), channel=linkage_vocab.SendChannel.IN_PERSON
    )
    linkage_services.transfer_acknowledge(
        transfer=court_transfer, actor=liaison, external_number="（2026）京0115民特88号"
    )
    linkage_services.transfer_record_outcome(
        transfer=court_transfer,
        actor=liaison,
        outcome=linkage_vocab.TransferOutcome.CONFIRMED,
        outcome_on=timezone.localdate(),
        note=text or "裁定调解协议有效，工资款已执行到位。",
        amount_recovered=str(WAGE),
        obligation=wage_obligation,
    )
    inspection_transfer = linkage_services.transfer_create(
        case=case,
        actor=mediator,
        agency=inspection,
        transfer_type=linkage_vocab.TransferType.LABOR_INSPECTION,
        reason=text or "被申请人存在拖欠多名职工工资的情况，需劳动保障监察依法处理。",
    )
    linkage_services.transfer_approve(transfer=inspection_transfer, actor=director)

    mediation_services.payment_record(
        obligation=agreement.obligations.get(amount=COMPENSATION),
        actor=clerk,
        amount=str(COMPENSATION),
        paid_on=timezone.localdate(),
        method=vocab.PaymentMethod.BANK_TRANSFER,
    )
    mediation_services.case_confirm_performance(case=case, actor=clerk)
    planned = case.follow_ups.get(done_at__isnull=True, purpose=vocab.FollowUpPurpose.PERFORMANCE)
    follow_up = mediation_services.follow_up_record(
        case=case,
        actor=mediator,
        follow_up=planned,
        purpose=vocab.FollowUpPurpose.PERFORMANCE,
        method=vocab.ContactMethod.PHONE,
        reached="申请人张三本人",
        performance_status=vocab.PerformanceStatus.PAID,
        amount_confirmed=str(WAGE + COMPENSATION),
        satisfaction=vocab.Satisfaction.SATISFIED,
        risks=text,
        notes=text or "申请人确认已收到全部款项，对调解工作表示满意。",
    )
    linkage_services.referral_report(
        case=case,
        actor=clerk,
        reported_on=timezone.localdate(),
        channel=linkage_vocab.ReportChannel.LETTER,
        summary=text or "本案经调解达成协议，已履行完毕，特此反馈。",
    )
    case.refresh_from_db()
    for record in case.service_records.filter(status=vocab.ServiceStatus.PENDING).order_by("pk"):
        mediation_services.service_record_serve(
            record=record,
            actor=clerk,
            method=vocab.ServiceMethod.POSTAL,
            served_on=timezone.localdate(),
            tracking_number="1189012345678",
            note=text,
        )
    case = case_services.case_submit_closure(case=case, actor=clerk, note=text or "调解成功，协议已履行完毕。")
    case = case_services.case_approve_closure(case=case, actor=director, note="同意结案。")
    return SimpleNamespace(
        case=case,
        follow_up=follow_up,
        court_transfer=court_transfer,
        inspection_transfer=inspection_transfer,
        applicant_record=case.service_records.filter(recipient=applicant).get(),
    )


@pytest.fixture
def closed(world: SimpleNamespace, people: SimpleNamespace, liaison: Any) -> SimpleNamespace:
    return _closed_case(world, people, liaison)


def test_proof_of_service_prints_the_served_document_and_recipient(
    closed: SimpleNamespace, clerk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case, record = closed.case, closed.applicant_record
    _, _, text = _render(case, clerk, "D13", django_capture_on_commit_callbacks, subject_id=record.pk)
    assert "送达回证" in text
    assert case.case_number in text
    assert "调解协议书" in text and f"{case.case_number}-D10" in text
    assert "张三" in text
    assert "北京市大兴区西红门镇宏福路8号院3号楼" in text
    assert "邮寄送达" in text and "1189012345678" in text
    assert "送达人" in text and "clerk" in text
    assert "第1页/共1页" in text


def test_follow_up_record_prints_performance_and_amount_in_capitals(
    closed: SimpleNamespace, clerk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = closed.case
    _, _, text = _render(case, clerk, "D14", django_capture_on_commit_callbacks, subject_id=closed.follow_up.pk)
    assert "回访记录" in text
    assert case.case_number in text
    assert "申请人张三本人" in text
    assert "已履行" in text and "满意" in text
    assert "¥20,345.67元" in text
    assert "贰万零叁佰肆拾伍元陆角柒分" in text
    assert "申请人确认已收到全部款项" in text
    assert "回访人" in text and "mediator" in text


def test_closing_report_sums_claims_agreement_and_recovery(
    closed: SimpleNamespace, clerk: Any, director: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = closed.case
    assert case.status == Status.CLOSED
    _, _, text = _render(case, clerk, "D15", django_capture_on_commit_callbacks)
    assert "结案审批表" in text and "简易结案审批表" not in text
    assert case.case_number in text
    assert "大兴区总工会劳动争议调解中心" in text
    assert "张三" in text and "北京华兴物流有限公司" in text
    assert WORKER_ID in text  # the file's original
    assert "法院委派（诉前）" in text and "（2026）京0115民诉前调1234号" in text
    assert "已履行完毕" in text
    # claimed = agreed = recovered = 20,345.67; the wage part came through the court
    assert text.count("贰万零叁佰肆拾伍元陆角柒分") >= 3
    assert "其中法院（司法确认/支付令/执行）：¥12,345.67元" in text
    assert "共组织调解1次" in text and "延长5日" in text
    assert "北京市大兴区人民法院" in text and "（2026）京0115民特88号" in text
    assert "劳动保障监察投诉" in text
    assert "申请人张三本人" in text
    assert "本案经调解达成协议，已履行完毕，特此反馈。" in text
    assert "同意结案。审批人：director，审批时间：" in text


def test_closing_report_external_copy_masks_the_worker(
    closed: SimpleNamespace, clerk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _, _, text = _render(closed.case, clerk, "D15", django_capture_on_commit_callbacks, copy_for="external")
    assert WORKER_ID not in text and WORKER_PHONE not in text
    assert mask_id_number(WORKER_ID) in text


def test_simple_file_closing_form(
    world: SimpleNamespace, people: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    case = case_services.case_create(
        actor=people.clerk, organization=world.district, dispute_type="PAY", file_type="simple"
    )
    person = Person.objects.create(name="赵六", id_number="110115198801011234")
    case_services.case_party_add(case=case, actor=people.clerk, side="applicant", person=person)
    employer = Employer.objects.create(name="北京某某餐饮有限公司")
    case_services.case_party_add(case=case, actor=people.clerk, side="respondent", employer=employer)
    case_services.claim_add(case=case, actor=people.clerk, claim_type="WAGE", description="支付工资", amount="3000")
    case = case_services.case_register(case=case, actor=people.clerk)
    case = case_services.case_reject(case=case, actor=people.director, reason_code="not_labour_dispute")
    mediation_steps.serve_everything(case, people.clerk)
    case = case_services.case_submit_closure(case=case, actor=people.clerk)
    case = case_services.case_approve_closure(case=case, actor=people.director)
    _, _, text = _render(case, people.clerk, "D15", django_capture_on_commit_callbacks)
    assert "简易结案审批表" in text
    assert case.registry_number in text
    assert "不予受理" in text and "不属于劳动争议" in text
    assert "叁仟元整" in text
    assert "联动移送" not in text  # the shorter layout


def test_closing_report_only_once_closure_is_submitted(case_in: Any, clerk: Any) -> None:
    case = case_in(Status.REJECTED)
    with pytest.raises(ApplicationError):
        document_request(case=case, actor=clerk, kind="D15", render=False)


def test_transfer_letter_masks_identification_and_has_a_receipt(
    closed: SimpleNamespace, clerk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case, transfer = closed.case, closed.inspection_transfer
    document, _, text = _render(case, clerk, "D16", django_capture_on_commit_callbacks, subject_id=transfer.pk)
    assert "案件移送函" in text
    assert "北京市大兴区劳动保障监察大队：" in text
    assert document.number in text and case.case_number in text
    assert "张三" in text and "北京华兴物流有限公司" in text and "91110115MA01ABCD2X" in text
    # no separate consent is recorded: identification masked even in the file's original
    assert WORKER_ID not in text and WORKER_PHONE not in text
    assert mask_id_number(WORKER_ID) in text
    assert "010-61234567" not in text and "010-****4567" in text
    assert "劳动保障监察投诉" in text and "被申请人存在拖欠多名职工工资的情况" in text
    assert "贰万零叁佰肆拾伍元陆角柒分" in text
    assert "请依法调查处理" in text
    assert "回执" in text and "接收人" in text and "我方案号" in text
    assert "联系人：clerk" in text


def test_transfer_letter_subjects_exclude_drafts(closed: SimpleNamespace, people: SimpleNamespace) -> None:
    case = closed.case
    subjects = KINDS["D16"].subjects_of(case)
    assert [t.pk for t in subjects] == [closed.court_transfer.pk, closed.inspection_transfer.pk]
    assert KINDS["D16"].subject_label(subjects[0]) == "申请司法确认 → 北京市大兴区人民法院"


def test_payloads_in_free_text_are_printed_literally(
    world: SimpleNamespace,
    people: SimpleNamespace,
    liaison: Any,
    clerk: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    built = _closed_case(world, people, liaison, text=PAYLOAD)
    case = built.case
    renders = [
        ("D13", {"subject_id": built.applicant_record.pk}),
        ("D14", {"subject_id": built.follow_up.pk}),
        ("D15", {}),
        ("D16", {"subject_id": built.court_transfer.pk}),
    ]
    for kind, kwargs in renders:
        _, data, text = _render(case, clerk, kind, django_capture_on_commit_callbacks, **kwargs)
        assert "file:///etc/passwd" in text, kind
        assert "<script>alert(1)</script>" in text, kind
        assert PdfReader(io.BytesIO(data)).attachments == {}, kind
        assert b"/EmbeddedFiles" not in data, kind
