"""Intake documents (DOMAIN.md §8 D1, D1b, D3-D6): rendered from cases built through the
services, read back from the PDF."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Organization
from cases import services
from cases.models import Case
from core.masking import mask_id_number
from documents.kinds import KINDS, DocContext, build_context
from documents.models import CaseDocument, DocumentStatus
from documents.rendering import html_to_pdf, render_html
from documents.services import document_request
from mediation import services as mediation_services
from mediation import vocab as mediation_vocab
from tests.documents.pdfs import pdf_text
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db(transaction=False)

WORKER_ID = "110224198804151239"
WORKER_ID_MASKED = mask_id_number(WORKER_ID)
WAGES = "12345.67"
COMPENSATION = "8000.00"
TOTAL_CAPITALS = "贰万零叁佰肆拾伍元陆角柒分"  # 20,345.67
ARBITRATION = "北京市大兴区劳动人事争议仲裁委员会"
LIMITATION = "劳动争议申请仲裁的时效期间为一年"
PAYLOAD = (
    '<link rel="attachment" href="file:///etc/passwd">'
    '<img src="file:///etc/hostname">'
    "@import url(http://127.0.0.1:9/);"
    "<script>alert(1)</script>"
)


def _prepare_org(org: Organization, *, arbitration: bool = True) -> None:
    org.address = "北京市大兴区兴政街15号"
    org.phone = "010-69243456"
    org.save()
    if arbitration:
        AgencyFactory(
            code="dx-arbitration",
            name=ARBITRATION,
            kind="arbitration",
            district=org,
            address="北京市大兴区兴丰大街三段",
            phone="010-61234567",
        )


def _new_case(world: SimpleNamespace, people: SimpleNamespace, *, channel: str = "written", text: str = "") -> Case:
    clerk = people.clerk
    facts = (
        text
        or "申请人自2023年3月起在被申请人处从事钢筋工工作，月工资8,000元。被申请人拖欠2025年10月至12月工资，经多次催要未果。"
    )
    case = services.case_create(
        actor=clerk,
        organization=world.district,
        dispute_type="PAY",
        channel=channel,
        source="oral" if channel == "oral" else "walk_in_written",
        facts_summary=facts,
    )
    worker = services.person_get_or_create(
        actor=clerk,
        name="张三",
        id_number=WORKER_ID,
        phone="13812345678",
        address=text[:200] if text else "北京市大兴区黄村镇兴华大街1号",
    )
    employer = services.employer_get_or_create(
        actor=clerk,
        name="北京兴盛建筑工程有限公司",
        uscc="91110115MA01ABCD1J",
        legal_rep_name="李四",
        registered_address="北京市大兴区西红门镇宏业路8号",
        contact_name="王五",
        contact_phone="13900001111",
    )
    applicant = services.case_party_add(case=case, actor=clerk, side="applicant", person=worker, position="钢筋工")
    services.case_party_add(case=case, actor=clerk, side="respondent", employer=employer)
    services.claim_add(
        case=case,
        actor=clerk,
        claimant=applicant,
        claim_type="WAGE",
        description=(text[:300] if text else "支付2025年10月至12月拖欠工资"),
        amount=WAGES,
        period_start=dt.date(2025, 10, 1),
        period_end=dt.date(2025, 12, 31),
    )
    services.claim_add(
        case=case,
        actor=clerk,
        claimant=applicant,
        claim_type="ECON_COMP",
        description="支付解除劳动合同经济补偿",
        amount=COMPENSATION,
    )
    received = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 35))
    return services.case_register(case=case, actor=clerk, received_at=received)


def _accept(case: Case, people: SimpleNamespace) -> Case:
    received = case.received_at
    assert received is not None
    return services.case_accept(
        case=case,
        actor=people.director,
        mediators=[people.mediator],
        clerk=people.clerk,
        accepted_at=received + dt.timedelta(days=1),
    )


def _render(case: Case, actor: Any, kind: str, capture: Any, copy_for: str = "file") -> tuple[CaseDocument, str]:
    with capture(execute=True):
        document = document_request(case=case, actor=actor, kind=kind, copy_for=copy_for)
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY, document.error
    data = document.file.read()
    return document, pdf_text(data)


@pytest.fixture
def prepared(world: SimpleNamespace) -> SimpleNamespace:
    _prepare_org(world.district)
    return world


def test_written_application(prepared: Any, people: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = _new_case(prepared, people)
    assert KINDS["D1"].available(case) and not KINDS["D1b"].available(case)
    _, text = _render(case, people.clerk, "D1", django_capture_on_commit_callbacks)
    for expected in (
        "调解申请书",
        case.registry_number,
        "张三",
        WORKER_ID,
        "北京兴盛建筑工程有限公司",
        "91110115MA01ABCD1J",
        "支付2025年10月至12月拖欠工资",
        "¥12,345.67元（大写：壹万贰仟叁佰肆拾伍元陆角柒分）",
        TOTAL_CAPITALS,
        "事实与理由",
        "经多次催要未果",
        "证据清单",
        "本人自愿申请调解",
        "此致",
        "大兴区总工会劳动争议调解中心",
        "收件时间：2026年3月2日09:35",
    ):
        assert expected in text, expected


def test_oral_application_record(prepared: Any, people: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = _new_case(prepared, people, channel="oral")
    assert KINDS["D1b"].available(case) and not KINDS["D1"].available(case)
    _, text = _render(case, people.clerk, "D1b", django_capture_on_commit_callbacks)
    for expected in (
        "口头申请记录",
        "申请方式口头申请",
        "记录时间2026年3月2日09:35",
        "记录人clerk",
        "北京市大兴区兴政街15号",
        "张三",
        WORKER_ID,
        TOTAL_CAPITALS,
        "经多次催要未果",
        "以上记录已向申请人宣读",
        "签名或按指印",
        "当场记录申请人基本情况",
    ):
        assert expected in text, expected


def test_acceptance_notice_with_first_session(
    prepared: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = _accept(_new_case(prepared, people), people)
    starts = timezone.make_aware(dt.datetime(2026, 3, 5, 14, 30))
    mediation_services.session_schedule(
        case=case,
        actor=people.mediator,
        kind=mediation_vocab.SessionKind.JOINT,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        mediators=[people.mediator],
        place="第二调解室",
    )
    case.refresh_from_db()
    _, text = _render(case, people.clerk, "D3", django_capture_on_commit_callbacks)
    release = case.arbitration_release_on
    assert release is not None
    for expected in (
        "受理通知书",
        case.case_number,
        "张三：",
        "北京兴盛建筑工程有限公司",
        "2026年3月3日决定受理",
        "mediator（主调解员）",
        "clerk担任书记员",
        "2026年3月5日14:30至16:30",
        "第二调解室",
        "申请其回避",
        "要求终止调解",
        "十五日内未达成调解协议的，当事人可以依法申请仲裁",
        f"自{release.year}年{release.month}月{release.day}日起仍未达成调解协议的，你可以依法向{ARBITRATION}申请仲裁",
        LIMITATION,
        TOTAL_CAPITALS,
        "二〇",
    ):
        assert expected in text, expected


def test_acceptance_notice_without_session_says_later(
    world: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _prepare_org(world.district, arbitration=False)
    case = _accept(_new_case(world, people), people)
    _, text = _render(case, people.clerk, "D3", django_capture_on_commit_callbacks)
    assert "首次调解的时间和地点另行通知" in text
    assert "有管辖权的劳动人事争议仲裁委员会申请仲裁" in text


def test_respondent_consultation_letter(prepared: Any, people: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = services.case_seek_consent(case=_new_case(prepared, people), actor=people.clerk)
    assert KINDS["D4"].available(case) and not KINDS["D3"].available(case)
    _, text = _render(case, people.clerk, "D4", django_capture_on_commit_callbacks)
    for expected in (
        "调解征询意见函",
        "北京兴盛建筑工程有限公司（法定代表人/负责人：李四）",
        "张三（岗位：钢筋工）",
        "当事人一方明确拒绝调解的，不得调解",
        "同意调解",
        "不同意调解",
        TOTAL_CAPITALS,
        "回执",
        "用人单位掌握管理的，用人单位应当提供",
        WORKER_ID_MASKED,
    ):
        assert expected in text, expected
    # Even the file copy of a notice to the employer never shows the worker's full ID.
    assert WORKER_ID not in text


def test_respondent_mediation_notice(prepared: Any, people: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = _accept(_new_case(prepared, people), people)
    _, text = _render(case, people.clerk, "D4", django_capture_on_commit_callbacks)
    for expected in (
        "调解通知书",
        case.case_number,
        "现通知你单位参加调解",
        "调解的时间和地点另行通知",
        "营业执照",
        "法定代表人（负责人）身份证明书",
        "特别授权",
        "按时参加调解",
        "¥12,345.67元（大写：壹万贰仟叁佰肆拾伍元陆角柒分）",
    ):
        assert expected in text, expected
    assert "征询意见函" not in text
    assert WORKER_ID not in text


def test_rights_notice(prepared: Any, people: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = _new_case(prepared, people)
    _, text = _render(case, people.clerk, "D5", django_capture_on_commit_callbacks)
    for expected in (
        "当事人权利义务告知书",
        "选择或者接受调解员",
        "申请其回避",
        "接受调解、拒绝调解或者要求终止调解",
        "要求调解公开进行或者不公开进行",
        "如实陈述纠纷事实",
        "遵守调解现场秩序，尊重调解员",
        "尊重对方当事人行使权利",
        "经调解员签名并加盖调解组织印章后生效",
        "申请支付令",
        "仲裁审查申请",
        LIMITATION,
        "个人信息保护法》第十七条",
        "个人信息处理者：大兴区总工会劳动争议调解中心",
        "保存期限",
        "单独同意",
        "查阅、复制、更正",
        "不收取任何费用",
        "张三",
        WORKER_ID,
    ):
        assert expected in text, expected
    # A union centre not listed by the court is not offered judicial confirmation.
    assert "申请司法确认" not in text


def test_rights_notice_offers_judicial_confirmation_where_available(
    prepared: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    prepared.district.court_listed = True
    prepared.district.save()
    case = _new_case(prepared, people)
    _, text = _render(case, people.clerk, "D5", django_capture_on_commit_callbacks)
    assert "自调解协议生效之日起三十日内共同向人民法院申请司法确认" in text


def test_rejection_notice(prepared: Any, people: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = _new_case(prepared, people)
    assert not KINDS["D6"].available(case)
    case = services.case_reject(
        case=case,
        actor=people.director,
        reason_code="respondent_refused",
        note="被申请人于2026年3月3日书面答复不同意调解。",
    )
    assert KINDS["D6"].available(case) and not KINDS["D3"].available(case)
    _, text = _render(case, people.clerk, "D6", django_capture_on_commit_callbacks)
    for expected in (
        "不予受理通知书",
        case.registry_number,
        "张三：",
        "对方当事人明确拒绝调解",
        "人民调解法》第十七条",
        "书面答复不同意调解",
        "决定对你的调解申请不予受理",
        f"向{ARBITRATION}申请仲裁",
        "北京市大兴区兴丰大街三段",
        LIMITATION,
        "劳动者可以向劳动行政部门投诉",
        TOTAL_CAPITALS,
    ):
        assert expected in text, expected


def test_rejection_notice_without_arbitration_agency(
    world: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _prepare_org(world.district, arbitration=False)
    case = services.case_reject(case=_new_case(world, people), actor=people.director, reason_code="not_labour_dispute")
    _, text = _render(case, people.clerk, "D6", django_capture_on_commit_callbacks)
    assert "向有管辖权的劳动人事争议仲裁委员会申请仲裁" in text
    assert "劳动争议调解仲裁法》第二条" in text
    assert "可以依法向人民法院提起诉讼" in text


@pytest.mark.parametrize("kind", ["D3", "D4", "D5", "D6"])
def test_respondent_copy_masks_the_worker_id(
    kind: str, prepared: Any, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = _new_case(prepared, people)
    if kind == "D6":
        case = services.case_reject(case=case, actor=people.director, reason_code="duplicate")
    elif kind in ("D3", "D4"):
        case = _accept(case, people)
    assert KINDS[kind].outbound
    _, text = _render(case, people.clerk, kind, django_capture_on_commit_callbacks, copy_for="respondent")
    assert WORKER_ID not in text
    assert WORKER_ID_MASKED in text
    assert "13812345678" not in text
    assert "被申请人副本" in text


def test_hostile_text_is_printed_not_fetched(world: Any, people: Any, django_capture_on_commit_callbacks: Any) -> None:
    """Facts, claims, address, session place and the rejection note carry markup; D5 prints no
    free text of the parties."""
    _prepare_org(world.district)
    case = _new_case(world, people, text=PAYLOAD)
    accepted = _accept(case, people)
    starts = timezone.make_aware(dt.datetime(2026, 3, 5, 14, 30))
    mediation_services.session_schedule(
        case=accepted,
        actor=people.mediator,
        kind=mediation_vocab.SessionKind.JOINT,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        mediators=[people.mediator],
        place=PAYLOAD,
    )
    rejected = services.case_reject(
        case=_new_case(world, people, text=PAYLOAD), actor=people.director, reason_code="other", note=PAYLOAD
    )
    for case_, kind in ((accepted, "D1"), (accepted, "D3"), (accepted, "D4"), (rejected, "D6")):
        case_.refresh_from_db()
        document, text = _render(case_, people.clerk, kind, django_capture_on_commit_callbacks)
        assert "file:///etc/passwd" in text, kind
        assert "<script>alert(1)</script>" in text, kind
        reader = PdfReader(io.BytesIO(document.file.open("rb").read()))
        assert reader.attachments == {}, kind
        assert "/EmbeddedFiles" not in str(reader.trailer["/Root"]), kind
        if kind in ("D1", "D6"):  # nothing was even asked of the fetcher: the markup is text
            spec = KINDS[kind]
            dc = DocContext(case=case_, subject=None, copy_for="file", number=document.number)
            assert html_to_pdf(render_html(spec.template, build_context(spec, dc))).refused == [], kind
