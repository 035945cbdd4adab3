"""Kinds of the proceedings: mediation record (D8), extension notice (D9), mediation
agreement (D10), termination notice (D11), withdrawal confirmation (D12)."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader
from stdnum.cn import uscc

from cases import services as case_services
from cases.models import Case
from core.masking import mask_id_number
from documents.kinds import KINDS
from documents.models import DocumentStatus
from documents.services import document_request
from mediation import services, vocab
from mediation.models import Extension, MediationSession
from mediation.services.agreements import live_agreement
from tests.documents.pdfs import pdf_text
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db(transaction=False)

WORKER_ID = "110105198803123418"
WORKER_ID_MASKED = mask_id_number(WORKER_ID)
USCC = "91110115MA01HD7X2" + uscc.calc_check_digit("91110115MA01HD7X2")
PAYLOAD = (
    '<link rel="attachment" href="file:///etc/passwd">'
    '<img src="file:///etc/hostname">'
    "@import url(http://127.0.0.1:9/);"
    "<script>alert(1)</script>"
)


# --- building cases through the services ---------------------------------------------------------


def _case(world: SimpleNamespace, people: SimpleNamespace, *, days_ago: int = 3, facts: str = "") -> Case:
    """张三 v. 北京宏达建筑工程有限公司, wages and compensation, accepted `days_ago` days ago."""
    clerk = people.clerk
    case = case_services.case_create(
        actor=clerk,
        organization=world.district,
        dispute_type="PAY",
        facts_summary=facts or "申请人于2023年3月入职被申请人处担任钢筋工，被申请人拖欠2025年10月至12月工资。",
    )
    worker = case_services.person_get_or_create(
        actor=clerk, name="张三", id_number=WORKER_ID, phone="13812345678", address="北京市大兴区黄村镇兴华大街1号"
    )
    employer = case_services.employer_get_or_create(
        actor=clerk,
        name="北京宏达建筑工程有限公司",
        uscc=USCC,
        legal_rep_name="王五",
        registered_address="北京市大兴区西红门镇宏达路8号",
    )
    applicant = case_services.case_party_add(case=case, actor=clerk, side="applicant", person=worker, position="钢筋工")
    case_services.case_party_add(case=case, actor=clerk, side="respondent", employer=employer)
    case_services.claim_add(
        case=case,
        actor=clerk,
        claim_type="WAGE",
        description="支付2025年10月至12月拖欠工资",
        amount="12345.67",
        claimant=applicant,
    )
    case_services.claim_add(
        case=case,
        actor=clerk,
        claim_type="ECON_COMP",
        description="支付解除劳动合同经济补偿",
        amount="8000.00",
        claimant=applicant,
    )
    start = timezone.now() - dt.timedelta(days=days_ago)
    case_services.case_register(case=case, actor=clerk, received_at=start - dt.timedelta(hours=2))
    return case_services.case_accept(
        case=case, actor=people.director, mediators=[people.mediator], clerk=clerk, accepted_at=start
    )


def _session(
    case: Case, people: SimpleNamespace, *, days_ago: int = 1, text: str = "", refusal: str = ""
) -> MediationSession:
    # one hour slot per case, so that the mediator's sessions of different cases never overlap
    day = timezone.localtime(timezone.now() - dt.timedelta(days=days_ago))
    starts_at = day.replace(hour=6 + 2 * (case.pk % 8), minute=30, second=0, microsecond=0)
    session = services.session_schedule(
        case=case,
        actor=people.mediator,
        kind=vocab.SessionKind.JOINT,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=90),
        mediators=[people.mediator],
        place="第一调解室",
        clerk=people.clerk,
    )
    for party in case.parties.select_related("person", "employer"):
        is_worker = party.side == "applicant"
        attendance = services.attendance_record(
            session=session,
            actor=people.clerk,
            name=party.name if is_worker else "赵六",
            capacity=vocab.Capacity.APPLICANT if is_worker else vocab.Capacity.AGENT,
            party=party,
            identity_checked=True,
        )
        if refusal and not is_worker:
            services.attendance_sign(attendance=attendance, actor=people.clerk, signed=False, refusal_note=refusal)
        else:
            services.attendance_sign(attendance=attendance, actor=people.clerk, signed=True)
    services.transcript_save(
        session=session,
        actor=people.clerk,
        blocks=[
            (vocab.BlockKind.RIGHTS_NOTICE, "调解员告知双方当事人在调解中的权利和义务，双方表示已清楚。"),
            (vocab.BlockKind.RECUSAL, "问：是否申请调解员回避？\n答（双方）：不申请。"),
            (vocab.BlockKind.APPLICANT_STATEMENT, text or "申请人陈述：被申请人拖欠三个月工资共计12345.67元。"),
            (vocab.BlockKind.RESPONDENT_STATEMENT, "被申请人代理人陈述：确认欠薪事实，因资金周转困难请求分期支付。"),
            (vocab.BlockKind.RESULT, "双方同意分两期支付，另行签订调解协议。"),
        ],
    )
    services.transcript_confirm_read_back(session=session, actor=people.clerk)
    services.transcript_complete(session=session, actor=people.clerk)
    return session


def _extension(case: Case, people: SimpleNamespace, *, reason: str = "") -> Extension:
    today = timezone.localdate()
    extension = services.extension_request(
        case=case,
        actor=people.mediator,
        days=10,
        reason=reason or "被申请人需要时间筹措资金，双方同意延长调解期限。",
        applicant_consent_on=today - dt.timedelta(days=1),
        respondent_consent_on=today,
    )
    services.case_extend(case=case, actor=people.director)
    extension.refresh_from_db()
    return extension


def _agreement(case: Case, people: SimpleNamespace, *, term: str = "") -> None:
    services.agreement_draft(case=case, actor=people.mediator)
    agreement = live_agreement(case)
    assert agreement is not None
    services.agreement_set_terms(
        agreement=agreement,
        actor=people.mediator,
        terms=[
            term
            or "被申请人分两期向申请人支付拖欠工资及经济补偿，款项为税前金额，以银行转账方式支付至申请人尾号3418的账户。",
            "双方就本案劳动争议再无其他争议。",
        ],
    )
    today = timezone.localdate()
    for offset, obligation in enumerate(agreement.obligations.order_by("position")):
        services.obligation_set_due(
            obligation=obligation, actor=people.mediator, due_on=today + dt.timedelta(days=15 * (offset + 1))
        )
    for party in case.parties.all():
        if party.side == "respondent":
            services.agreement_sign(
                agreement=agreement,
                actor=people.mediator,
                party=party,
                agent_name="赵六",
                agent_authority=vocab.AgentAuthority.SPECIAL,
            )
        else:
            services.agreement_sign(agreement=agreement, actor=people.mediator, party=party)
    services.agreement_mediator_sign(agreement=agreement, actor=people.mediator)
    services.agreement_seal(agreement=agreement, actor=people.director)
    services.case_make_effective(case=case, actor=people.mediator)


def _render(capture: Any, case: Case, actor: Any, kind: str, subject_id: Any = None, copy_for: str = "file") -> bytes:
    with capture(execute=True):
        document = document_request(case=case, actor=actor, kind=kind, subject_id=subject_id, copy_for=copy_for)
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY, document.error
    return document.file.read()


def _assert_no_attachment(data: bytes) -> None:
    reader = PdfReader(io.BytesIO(data))
    assert reader.attachments == {}
    assert b"/EmbeddedFiles" not in data


# --- D8 ----------------------------------------------------------------------------------------


def test_mediation_record(world: Any, people: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = _case(world, people)
    first = _session(case, people, days_ago=2)
    second = _session(case, people, days_ago=1, refusal="认为记录与其陈述不符，拒绝签名。")

    kind = KINDS["D8"]
    assert [s.pk for s in kind.subjects_of(case)] == [first.pk, second.pk]
    assert kind.subject_label(first).endswith("调解")
    assert "年" in kind.subject_label(first)

    text = pdf_text(_render(django_capture_on_commit_callbacks, case, people.clerk, "D8", second.pk))
    assert "调解笔录" in text
    assert "（第2次）" in text
    assert case.case_number in text
    assert "第一调解室" in text
    assert "面对面调解" in text
    assert "mediator（主调解员）" in text
    assert "张三" in text and "赵六" in text and "北京宏达建筑工程有限公司" in text
    assert "委托代理人" in text and "已核对" in text
    assert "询问是否申请回避" in text and "不申请" in text
    assert "申请人陈述" in text and "12345.67元" in text
    assert "调解结果及下一步安排" in text
    assert "向到场人员宣读" in text
    assert "拒绝签名" in text and "认为记录与其陈述不符" in text
    assert "记录人" in text and "clerk" in text
    # an internal record: no outbound copies
    assert not kind.outbound


# --- D9 ----------------------------------------------------------------------------------------


def test_extension_notice(world: Any, people: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = _case(world, people)
    _session(case, people)
    case.refresh_from_db()
    extension = _extension(case, people)
    assert [e.pk for e in KINDS["D9"].subjects_of(case)] == [extension.pk]

    data = _render(django_capture_on_commit_callbacks, case, people.clerk, "D9", extension.pk)
    text = pdf_text(data)
    assert "延期调解通知书" in text
    assert case.case_number in text
    assert "张三" in text and "北京宏达建筑工程有限公司" in text
    assert "筹措资金" in text
    assert f"原调解期限至{extension.previous_due_on.year}年{extension.previous_due_on.month}月" in text
    due = extension.new_due_on
    assert f"延长10日，至{due.year}年{due.month}月{due.day}日届满" in text
    assert "视为调解不成" in text
    assert "第十四条" in text
    assert WORKER_ID in text  # the file's original

    respondent = pdf_text(
        _render(django_capture_on_commit_callbacks, case, people.clerk, "D9", extension.pk, copy_for="respondent")
    )
    assert WORKER_ID not in respondent
    assert WORKER_ID_MASKED in respondent


# --- D10 ---------------------------------------------------------------------------------------


def test_mediation_agreement(world: Any, people: Any, django_capture_on_commit_callbacks: Any) -> None:
    world.district.court_listed = True
    world.district.save()
    case = _case(world, people)
    _session(case, people)
    case.refresh_from_db()
    assert not KINDS["D10"].subjects_of(case)
    _agreement(case, people)
    case.refresh_from_db()

    data = _render(django_capture_on_commit_callbacks, case, people.clerk, "D10")
    text = pdf_text(data)
    assert "调解协议书" in text
    assert case.case_number in text
    assert "张三" in text and WORKER_ID in text and "13812345678" in text
    assert "北京宏达建筑工程有限公司" in text and USCC in text and "王五" in text
    assert "赵六（特别授权代理人）" in text
    assert "支付2025年10月至12月拖欠工资" in text
    assert "¥12,345.67元（大写：壹万贰仟叁佰肆拾伍元陆角柒分）" in text
    assert "分2期支付" in text
    assert "协议金额合计¥20,345.67元（大写：贰万零叁佰肆拾伍元陆角柒分）" in text
    assert "尾号3418" in text
    assert "第十四条" in text and "第十五条" in text and "支付令" in text
    assert "三十日内共同向人民法院申请司法确认" in text
    assert "十五日内，共同向有管辖权的劳动人事争议仲裁委员会提出仲裁审查申请" in text
    assert "本协议一式3份，双方当事人各执一份，调解组织留存一份" in text
    assert "已于" in text and "签署" in text
    assert "协议生效日期" in text

    # The parties' copies are originals: full ID (DOMAIN.md §8 D10); masked only outside.
    respondent = pdf_text(_render(django_capture_on_commit_callbacks, case, people.clerk, "D10", copy_for="respondent"))
    assert WORKER_ID in respondent
    assert "13812345678" not in respondent
    external = pdf_text(_render(django_capture_on_commit_callbacks, case, people.clerk, "D10", copy_for="external"))
    assert WORKER_ID not in external
    assert WORKER_ID_MASKED in external


def test_agreement_without_court_listing_omits_judicial_confirmation(
    world: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = _case(world, people)
    _session(case, people)
    case.refresh_from_db()
    services.agreement_draft(case=case, actor=people.mediator)  # a draft, printed for signing
    text = pdf_text(_render(django_capture_on_commit_callbacks, case, people.clerk, "D10"))
    assert "调解协议书" in text
    assert "司法确认" not in text
    assert "仲裁审查" in text
    assert "自各方当事人签名（盖章）、调解员签名并加盖本中心印章之日起生效" in text


# --- D11 ---------------------------------------------------------------------------------------


def test_termination_notice_after_deadline(world: Any, people: Any, django_capture_on_commit_callbacks: Any) -> None:
    AgencyFactory(
        code="dx-arb",
        kind="arbitration",
        district=world.district,
        name="北京市大兴区劳动人事争议仲裁委员会",
        address="北京市大兴区兴政街15号",
    )
    case = _case(world, people, days_ago=30)
    session = _session(case, people, days_ago=25)
    case_services.case_terminate(case=case, actor=people.director, reason_code="deadline_expired")
    case.refresh_from_db()
    assert KINDS["D11"].subjects_of(case) == [None]

    data = _render(django_capture_on_commit_callbacks, case, people.clerk, "D11")
    text = pdf_text(data)
    assert "终止调解告知书" in text
    assert case.case_number in text
    assert "张三" in text and "北京宏达建筑工程有限公司" in text
    received = timezone.localdate(case.received_at)
    assert f"于{received.year}年{received.month}月{received.day}日收到调解申请" in text
    held = timezone.localdate(session.starts_at)
    assert f"共组织调解1次（{held.year}年{held.month}月{held.day}日）" in text
    assert "期限届满未达成协议" in text
    assert "经本中心主持调解，双方逾期未达成调解协议，本次调解终止" in text
    assert "北京市大兴区劳动人事争议仲裁委员会" in text
    assert "时效期间为一年" in text
    assert f"本案调解申请于{received.year}年{received.month}月{received.day}日提出，仲裁时效自该日中断" in text
    assert "向劳动行政部门" in text and "第九条" in text

    respondent = pdf_text(_render(django_capture_on_commit_callbacks, case, people.clerk, "D11", copy_for="respondent"))
    assert WORKER_ID not in respondent
    assert WORKER_ID_MASKED in respondent


# --- D12 ---------------------------------------------------------------------------------------


def test_withdrawal_confirmation(world: Any, people: Any, django_capture_on_commit_callbacks: Any) -> None:
    clerk = people.clerk
    case = case_services.case_create(actor=clerk, organization=world.district, dispute_type="PAY")
    worker = case_services.person_get_or_create(actor=clerk, name="李四", id_number=WORKER_ID)
    employer = case_services.employer_get_or_create(actor=clerk, name="北京宏达建筑工程有限公司", uscc=USCC)
    applicant = case_services.case_party_add(case=case, actor=clerk, side="applicant", person=worker)
    case_services.case_party_add(case=case, actor=clerk, side="respondent", employer=employer)
    case_services.claim_add(
        case=case, actor=clerk, claim_type="WAGE", description="支付拖欠工资", amount="5000", claimant=applicant
    )
    case_services.case_register(case=case, actor=clerk)
    case_services.case_withdraw(
        case=case, actor=clerk, reason_code="settled_privately", note="双方已自行协商，被申请人当场支付工资。"
    )
    case.refresh_from_db()
    assert KINDS["D12"].subjects_of(case) == [None]

    text = pdf_text(_render(django_capture_on_commit_callbacks, case, clerk, "D12"))
    assert "撤回调解申请确认书" in text
    assert case.registry_number in text
    assert "李四" in text and "北京宏达建筑工程有限公司" in text
    assert "撤回理由：自行和解" in text
    assert "当场支付工资" in text
    assert "自愿撤回调解申请" in text
    assert "时效期间为一年" in text
    assert "经办人（签名）：clerk" in text

    respondent = pdf_text(_render(django_capture_on_commit_callbacks, case, clerk, "D12", copy_for="respondent"))
    assert WORKER_ID not in respondent
    assert WORKER_ID_MASKED in respondent


# --- hostile text ------------------------------------------------------------------------------


def _assert_shown_literally(data: bytes) -> None:
    _assert_no_attachment(data)
    text = pdf_text(data)
    assert "file:///etc/passwd" in text
    assert "<script>alert(1)</script>" in text


def test_markup_in_free_text_is_printed_not_interpreted(
    world: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = _case(world, people, facts=PAYLOAD)
    session = _session(case, people, text=PAYLOAD, refusal=PAYLOAD)
    case.refresh_from_db()
    extension = _extension(case, people, reason=PAYLOAD)
    _agreement(case, people, term=PAYLOAD)
    case.refresh_from_db()
    for kind, subject in (("D8", session.pk), ("D9", extension.pk), ("D10", None)):
        _assert_shown_literally(_render(django_capture_on_commit_callbacks, case, people.clerk, kind, subject))

    terminated = _case(world, people)
    _session(terminated, people)
    terminated = case_services.case_terminate(case=terminated, actor=people.director, reason_code="other", note=PAYLOAD)
    data = _render(django_capture_on_commit_callbacks, terminated, people.clerk, "D11")
    _assert_shown_literally(data)
    assert "经本中心主持调解，双方未能达成调解协议，本次调解终止" in pdf_text(data)

    withdrawn = _case(world, people)
    withdrawn = case_services.case_withdraw(case=withdrawn, actor=people.clerk, reason_code="other", note=PAYLOAD)
    _assert_shown_literally(_render(django_capture_on_commit_callbacks, withdrawn, people.clerk, "D12"))
