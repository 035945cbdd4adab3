"""Sessions (调解会议), attendance, transcripts (调解笔录) and extensions (延期)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import roles_for_organization
from accounts.models import Role, User
from cases import deadlines
from cases.models import Case, CaseParty
from cases.services import case_transition
from cases.workflow import MEDIATION_CLOCK_STATES, Status
from core.exceptions import ApplicationError, ConflictError
from core.history import delete_with_history, save_with_history
from mediation import vocab
from mediation.models import (
    Attendance,
    Extension,
    MediationSession,
    Room,
    SessionMediator,
    Transcript,
    TranscriptBlock,
)
from mediation.services.common import require_role, require_status

SESSION_STATES = MEDIATION_CLOCK_STATES


def _double_booking(
    *, mediators: Sequence[User], room: Room | None, starts_at: dt.datetime, ends_at: dt.datetime
) -> list[str]:
    overlap = Q(starts_at__lt=ends_at, ends_at__gt=starts_at)
    problems = []
    busy = (
        SessionMediator.objects.filter(overlap, active=True, mediator__in=mediators)
        .select_related("mediator", "session__case")
        .order_by("starts_at")
    )
    for slot in busy:
        problems.append(
            _("调解员%(who)s在%(start)s至%(end)s已安排案件%(case)s的调解。")
            % {
                "who": slot.mediator,
                "start": f"{timezone.localtime(slot.starts_at):%m-%d %H:%M}",
                "end": f"{timezone.localtime(slot.ends_at):%H:%M}",
                "case": slot.session.case,
            }
        )
    if room is not None:
        taken = MediationSession.objects.filter(overlap, room=room).exclude(status=vocab.SessionStatus.CANCELLED)
        for session in taken.select_related("case"):
            problems.append(
                _("%(room)s在%(start)s至%(end)s已被案件%(case)s占用。")
                % {
                    "room": room.name,
                    "start": f"{timezone.localtime(session.starts_at):%m-%d %H:%M}",
                    "end": f"{timezone.localtime(session.ends_at):%H:%M}",
                    "case": session.case,
                }
            )
    return problems


def session_schedule(
    *,
    case: Case,
    actor: User,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    mediators: Sequence[User],
    room: Room | None = None,
    place: str = "",
    clerk: User | None = None,
) -> MediationSession:
    """Schedule a session. The first one moves the case accepted -> in_mediation (start)."""
    require_role(actor, case, (Role.MEDIATOR, Role.CLERK), _("安排调解"))
    status = require_status(case, SESSION_STATES, _("安排调解"))
    mediators = list(dict.fromkeys(mediators))
    errors: dict[str, list[str]] = {}
    if kind not in vocab.SessionKind.values:
        errors["kind"] = [_("请选择调解方式。")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("结束时间须晚于开始时间。")]
    if not mediators:
        errors["mediators"] = [_("请选择参加调解的调解员。")]
    for mediator in mediators:
        if Role.MEDIATOR not in roles_for_organization(mediator, case.organization):
            errors["mediators"] = [_("%s 不是本中心的调解员。") % mediator]
    if clerk is not None and not roles_for_organization(clerk, case.organization) & {Role.CLERK, Role.MEDIATOR}:
        errors["clerk"] = [_("记录人须为本中心的书记员或调解员。")]
    if room is not None and room.organization_id not in case.organization.ancestor_ids():
        errors["room"] = [_("只能选择本中心的调解室。")]
    if kind in (vocab.SessionKind.JOINT, vocab.SessionKind.SHUTTLE) and room is None and not place.strip():
        errors["room"] = [_("面对面或背对背调解须选择调解室或填写地点。")]
    if errors:
        raise ApplicationError(_("调解安排有误，请按提示修改。"), fields=errors)
    conflicts = _double_booking(mediators=mediators, room=room, starts_at=starts_at, ends_at=ends_at)
    if conflicts:
        raise ApplicationError(" ".join(conflicts), fields={"starts_at": conflicts})
    try:
        with transaction.atomic():
            session = MediationSession(
                case=case,
                kind=kind,
                starts_at=starts_at,
                ends_at=ends_at,
                room=room,
                place=place.strip(),
                clerk=clerk,
                created_by=actor,
            )
            save_with_history(session, actor=actor, reason="schedule")
            for mediator in mediators:
                slot = SessionMediator(session=session, mediator=mediator, starts_at=starts_at, ends_at=ends_at)
                save_with_history(slot, actor=actor, reason="schedule")
            if status == Status.ACCEPTED:
                case_transition(
                    case=case,
                    actor=actor,
                    name="start",
                    reason=_("安排第一次调解"),
                    # a session logged afterwards started the mediation then, never before acceptance
                    at=max(min(timezone.now(), starts_at), case.accepted_at or starts_at),
                )
    except IntegrityError as exc:  # PostgreSQL's exclusion constraint caught a concurrent booking
        raise ApplicationError(_("该时间段调解员或调解室已被占用，请刷新后另选时间。")) from exc
    return session


def session_cancel(*, session: MediationSession, actor: User, reason: str) -> MediationSession:
    require_role(actor, session.case, (Role.MEDIATOR, Role.CLERK), _("取消调解"))
    if session.status != vocab.SessionStatus.SCHEDULED:
        raise ConflictError(_("只能取消尚未举行的调解。"))
    if not reason.strip():
        raise ApplicationError(_("请填写取消原因。"), fields={"reason": [_("请填写取消原因。")]})
    with transaction.atomic():
        session.status = vocab.SessionStatus.CANCELLED
        save_with_history(session, actor=actor, reason=f"cancel: {reason}")
        for slot in session.mediator_slots.filter(active=True):
            slot.active = False
            save_with_history(slot, actor=actor, reason="cancel")
    return session


def attendance_record(
    *,
    session: MediationSession,
    actor: User,
    name: str,
    capacity: str,
    party: CaseParty | None = None,
    identity_checked: bool = False,
) -> Attendance:
    require_role(actor, session.case, (Role.MEDIATOR, Role.CLERK), _("记录到场人员"))
    _require_open_transcript(session)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("请填写姓名。")]
    if capacity not in vocab.Capacity.values:
        errors["capacity"] = [_("请选择身份。")]
    if party is not None and party.case_id != session.case_id:
        errors["party"] = [_("该当事人不属于本案。")]
    if errors:
        raise ApplicationError(_("到场人员信息有误。"), fields=errors)
    attendance = Attendance(
        session=session, party=party, name=name.strip(), capacity=capacity, identity_checked=identity_checked
    )
    save_with_history(attendance, actor=actor, reason="attend")
    return attendance


def attendance_sign(*, attendance: Attendance, actor: User, signed: bool, refusal_note: str = "") -> Attendance:
    """Record the attendee's signature on the transcript, or the noted refusal to sign."""
    require_role(actor, attendance.session.case, (Role.MEDIATOR, Role.CLERK), _("记录笔录签名"))
    _require_open_transcript(attendance.session)
    if not signed and not refusal_note.strip():
        raise ApplicationError(_("拒绝签名的，须注明拒签情况。"), fields={"refusal_note": [_("请注明拒签情况。")]})
    attendance.signature = vocab.SignatureStatus.SIGNED if signed else vocab.SignatureStatus.REFUSED
    attendance.refusal_note = "" if signed else refusal_note.strip()
    save_with_history(attendance, actor=actor, reason="sign transcript")
    return attendance


def _require_open_transcript(session: MediationSession) -> None:
    if session.status == vocab.SessionStatus.CANCELLED:
        raise ConflictError(_("该次调解已取消。"))
    require_status(session.case, SESSION_STATES, _("修改调解笔录"))
    transcript = Transcript.objects.filter(session=session).first()
    if transcript is not None and transcript.completed_at is not None:
        raise ConflictError(_("笔录已完成，不能再修改。"))


def transcript_save(*, session: MediationSession, actor: User, blocks: Sequence[tuple[str, str]]) -> Transcript:
    """Replace the transcript's blocks (kind, text) while it is not completed. Text of any
    length is kept as paragraphs."""
    require_role(actor, session.case, (Role.MEDIATOR, Role.CLERK), _("记录调解笔录"))
    _require_open_transcript(session)
    bad = [kind for kind, _text in blocks if kind not in vocab.BlockKind.values]
    if bad:
        raise ApplicationError(_("笔录段落类型无效：%s") % "、".join(bad))
    with transaction.atomic():
        transcript, _created = Transcript.objects.get_or_create(session=session)
        for block in transcript.blocks.all():
            delete_with_history(block, actor=actor, reason="replace transcript")
        for position, (kind, text) in enumerate(blocks):
            if text.strip():
                block = TranscriptBlock(transcript=transcript, kind=kind, text=text.strip(), position=position)
                save_with_history(block, actor=actor, reason="transcript")
        if transcript.read_back_at is not None:  # a changed text must be read back again
            transcript.read_back_at = None
        save_with_history(transcript, actor=actor, reason="transcript")
    return transcript


def transcript_confirm_read_back(
    *, session: MediationSession, actor: User, at: dt.datetime | None = None
) -> Transcript:
    require_role(actor, session.case, (Role.MEDIATOR, Role.CLERK), _("确认笔录已宣读"))
    _require_open_transcript(session)
    transcript = Transcript.objects.filter(session=session).first()
    if transcript is None or not transcript.blocks.exists():
        raise ApplicationError(_("笔录还没有内容，不能确认宣读。"))
    transcript.read_back_at = at or timezone.now()
    save_with_history(transcript, actor=actor, reason="read back")
    return transcript


def transcript_complete(*, session: MediationSession, actor: User, at: dt.datetime | None = None) -> Transcript:
    """Close the transcript: rights notice and result recorded, read back, every attendee
    signed or their refusal noted. The session counts as held."""
    require_role(actor, session.case, (Role.MEDIATOR, Role.CLERK), _("完成调解笔录"))
    _require_open_transcript(session)
    transcript = Transcript.objects.filter(session=session).first()
    missing = []
    kinds = set(transcript.blocks.values_list("kind", flat=True)) if transcript else set()
    for required in (vocab.BlockKind.RIGHTS_NOTICE, vocab.BlockKind.RESULT):
        if required not in kinds:
            missing.append(_("缺少“%s”") % vocab.BlockKind(required).label)
    attendances = list(session.attendances.all())
    if not attendances:
        missing.append(_("未记录到场人员"))
    unsigned = [a.name for a in attendances if a.signature == vocab.SignatureStatus.PENDING]
    if unsigned:
        missing.append(_("%s 尚未签名或注明拒签") % "、".join(unsigned))
    if transcript is None or transcript.read_back_at is None:
        missing.append(_("笔录尚未向到场人员宣读或交其阅读确认"))
    if missing:
        raise ApplicationError(_("笔录还不能完成：%s。") % "；".join(missing))
    if transcript is None:  # unreachable: "missing" above covers it
        raise RuntimeError("no transcript")
    with transaction.atomic():
        transcript.completed_at = at or timezone.now()
        save_with_history(transcript, actor=actor, reason="complete")
        session.status = vocab.SessionStatus.HELD
        save_with_history(session, actor=actor, reason="held")
    return transcript


# --- extension (延期) ---------------------------------------------------------------------------


def extension_request(
    *,
    case: Case,
    actor: User,
    days: int,
    reason: str,
    applicant_consent_on: dt.date,
    respondent_consent_on: dt.date,
) -> Extension:
    """The mediator asks for more time with both parties' consent (D9); the director decides."""
    require_role(actor, case, (Role.MEDIATOR,), _("申请延期"))
    require_status(case, (Status.IN_MEDIATION,), _("申请延期"))
    errors: dict[str, list[str]] = {}
    used = case.extension_days
    if not isinstance(days, int) or days < 1 or used + days > deadlines.MAX_EXTENSION_DAYS:
        errors["days"] = [
            _("延期天数须为1至%(left)d天（累计不超过15天，已延期%(used)d天）。")
            % {"left": deadlines.MAX_EXTENSION_DAYS - used, "used": used}
        ]
    if not reason.strip():
        errors["reason"] = [_("请填写延期理由。")]
    today = timezone.localdate()
    for field, value in (
        ("applicant_consent_on", applicant_consent_on),
        ("respondent_consent_on", respondent_consent_on),
    ):
        if value is None or value > today:
            errors[field] = [_("请填写当事人同意延期的日期（不晚于今天）。")]
    if case.extensions.filter(status=vocab.ExtensionStatus.PENDING).exists():
        errors["days"] = [_("已有一份延期申请待审批。")]
    if errors:
        raise ApplicationError(_("延期申请有误，请按提示修改。"), fields=errors)
    extension = Extension(
        case=case,
        days=days,
        reason=reason.strip(),
        applicant_consent_on=applicant_consent_on,
        respondent_consent_on=respondent_consent_on,
        requested_by=actor,
    )
    save_with_history(extension, actor=actor, reason="request")
    return extension


def pending_extension(case: Case) -> Extension | None:
    return case.extensions.filter(status=vocab.ExtensionStatus.PENDING).order_by("-requested_at").first()


def case_extend(*, case: Case, actor: User, at: dt.datetime | None = None) -> Case:
    """The director approves the pending extension: the due date moves (transition extend)."""

    def prepare(locked: Case) -> dict[str, object]:
        extension = pending_extension(locked)
        if extension is None:  # the guard checked it
            raise RuntimeError("no pending extension")
        previous = locked.mediation_due_on
        locked.extension_days += extension.days
        locked.mediation_due_on = deadlines.mediation_due_on(
            timezone.localdate(locked.accepted_at), locked.extension_days
        )
        extension.status = vocab.ExtensionStatus.APPROVED
        extension.decided_by, extension.decided_at = actor, at or timezone.now()
        extension.previous_due_on, extension.new_due_on = previous, locked.mediation_due_on
        save_with_history(extension, actor=actor, reason="approve")
        return {"days": extension.days, "previous_due_on": str(previous), "new_due_on": str(locked.mediation_due_on)}

    extension = pending_extension(case)
    reason = extension.reason if extension else ""
    return case_transition(case=case, actor=actor, name="extend", reason=reason, prepare=prepare, at=at)


def extension_refuse(*, extension: Extension, actor: User, reason: str) -> Extension:
    require_role(actor, extension.case, (Role.DIRECTOR,), _("审批延期"))
    if extension.status != vocab.ExtensionStatus.PENDING:
        raise ConflictError(_("该延期申请已处理。"))
    if not reason.strip():
        raise ApplicationError(_("请填写不予延期的理由。"), fields={"reason": [_("请填写理由。")]})
    extension.status = vocab.ExtensionStatus.REFUSED
    extension.decided_by, extension.decided_at = actor, timezone.now()
    save_with_history(extension, actor=actor, reason=f"refuse: {reason}")
    return extension


def cancel_future_sessions(case: Case, actor: User, at: dt.datetime) -> None:
    """When mediation ends (agreement effective, terminated, withdrawn), sessions still
    scheduled after that moment are cancelled, so they stop holding mediators and rooms."""
    for session in case.sessions.filter(status=vocab.SessionStatus.SCHEDULED, starts_at__gt=at):
        session.status = vocab.SessionStatus.CANCELLED
        save_with_history(session, actor=actor, reason="mediation ended")
        for slot in session.mediator_slots.filter(active=True):
            slot.active = False
            save_with_history(slot, actor=actor, reason="mediation ended")
