"""Kinds of the intake stage: application (D1/D1b), acceptance notice (D3), respondent
notice (D4), rights notice (D5), rejection notice (D6). DOMAIN.md §8."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from accounts.models import AgencyKind, Organization, PartnerAgency
from cases import vocab as case_vocab
from cases.deadlines import add_working_days
from cases.models import Case, ClaimItem
from cases.workflow import Status
from core.masking import mask_id_number
from documents.kinds import DocContext, Kind, register_kind
from mediation.models import MediationSession
from mediation.vocab import SessionStatus

#: Working days a respondent is given to answer a notice when no review deadline applies.
REPLY_WORKING_DAYS = 3


# --- predicates ----------------------------------------------------------------------------


def _written_registered(case: Case) -> bool:
    return case.received_at is not None and case.channel != case_vocab.Channel.ORAL


def _oral_registered(case: Case) -> bool:
    return case.received_at is not None and case.channel == case_vocab.Channel.ORAL


def _registered(case: Case) -> bool:
    return case.received_at is not None


def _accepted(case: Case) -> bool:
    return bool(case.case_number)


def _respondent_notice_available(case: Case) -> bool:
    return bool(case.case_number) or case.status == Status.AWAITING_CONSENT


def _rejected(case: Case) -> bool:
    return bool(case.rejection_reason)


# --- helpers -------------------------------------------------------------------------------


def self_reference(org: Organization) -> str:
    """How the organisation calls itself in running text: 本中心 / 本调解室 / 本委员会."""
    name = org.name
    if name.endswith("调解室"):
        return _g("本调解室")
    if name.endswith("委员会"):
        return _g("本委员会")
    return _g("本中心")


def partner_agency(org: Organization, kind: str) -> PartnerAgency | None:
    """The active partner agency of `kind` linked to the organisation's district (the nearest
    ancestor that has one: a town centre uses its district's arbitration committee)."""
    ancestors = org.ancestor_ids()
    agencies = {
        a.district_id: a
        for a in PartnerAgency.objects.filter(kind=kind, active=True, district_id__in=ancestors).order_by("-pk")
    }
    for org_id in ancestors:
        if org_id in agencies:
            return agencies[org_id]
    return None


def _claims(case: Case) -> QuerySet[ClaimItem]:
    return case.claims.select_related("claimant__person", "claimant__employer").order_by("pk")


def _sessions(case: Case) -> QuerySet[MediationSession]:
    return case.sessions.exclude(status=SessionStatus.CANCELLED).select_related("room").order_by("starts_at", "pk")


def _first_session(case: Case) -> MediationSession | None:
    return _sessions(case).first()


def _next_session(case: Case) -> MediationSession | None:
    """The next scheduled session, or (if none is ahead) the first one."""
    upcoming = _sessions(case).filter(status=SessionStatus.SCHEDULED, starts_at__gte=timezone.now()).first()
    return upcoming or _first_session(case)


def session_place(session: MediationSession | None) -> str:
    if session is None:
        return ""
    if session.room is not None:
        return session.room.name + (f"（{session.place}）" if session.place else "")
    return session.place


def _remedy_agencies(org: Organization) -> dict[str, Any]:
    arbitration = partner_agency(org, AgencyKind.ARBITRATION)
    inspection = partner_agency(org, AgencyKind.LABOR_INSPECTION)
    return {
        "arbitration": arbitration,
        "arbitration_name": arbitration.name if arbitration else _g("有管辖权的劳动人事争议仲裁委员会"),
        "inspection": inspection,
        "inspection_name": inspection.name if inspection else _g("劳动保障监察机构"),
    }


def _common(dc: DocContext) -> dict[str, Any]:
    org = dc.case.organization
    return {"self_ref": self_reference(org), **_remedy_agencies(org)}


# --- context functions ---------------------------------------------------------------------


def _application(dc: DocContext) -> dict[str, Any]:
    """D1 调解申请书 / D1b 口头申请记录: the application as registered, for signature."""
    case = dc.case
    return {
        **_common(dc),
        "claims": list(_claims(case)),
        "received_by": case.created_by,
        "evidence_rows": range(3),
    }


def _oral_application(dc: DocContext) -> dict[str, Any]:
    case = dc.case
    org = case.organization
    return {
        **_application(dc),
        "recorded_at": case.received_at,
        "recorded_place": org.address or org.name,
        "recorder": case.created_by,
    }


def _acceptance_notice(dc: DocContext) -> dict[str, Any]:
    """D3 受理通知书 (to the applicant)."""
    return {
        **_common(dc),
        "first_session": _first_session(dc.case),
        "session_place": session_place(_first_session(dc.case)),
    }


def _respondent_notice(dc: DocContext) -> dict[str, Any]:
    """D4 调解通知书, or before acceptance the 征询意见函 asking whether the respondent agrees.

    The worker's ID number is never printed in full on a notice to the employer (DOMAIN.md
    §11.2), whatever the copy: the employer needs name and job, the mask only confirms."""
    case = dc.case
    consulting = not case.case_number
    session = None if consulting else _next_session(case)
    reply_by: dt.date | None = None
    if consulting and case.acceptance_due_on and case.acceptance_due_on >= dc.today:
        reply_by = case.acceptance_due_on
    if reply_by is None:
        reply_by = add_working_days(dc.today, REPLY_WORKING_DAYS)
    workers = [
        {
            "name": p.person.name,
            "id_type": p.person.get_id_type_display(),
            "id_masked": mask_id_number(p.person.id_number),
            "position": p.position,
        }
        for p in case.parties.filter(side=case_vocab.Side.APPLICANT, person__isnull=False)
        .select_related("person")
        .order_by("pk")
        if p.person is not None
    ]
    return {
        **_common(dc),
        "consulting": consulting,
        "heading": _g("调解征询意见函") if consulting else _("调解通知书"),
        "session": session,
        "session_place": session_place(session),
        "reply_by": reply_by,
        "workers": workers,
        "claims": list(_claims(case)),
    }


def _rights_notice(dc: DocContext) -> dict[str, Any]:
    """D5 当事人权利义务告知书 (to both parties), with the personal-information notice."""
    org = dc.case.organization
    return {**_common(dc), "confirmable": org.agreements_confirmable}


#: Legal basis printed for a rejection reason, where DOMAIN.md §6.4 grounds one.
REJECTION_BASIS: dict[str, Any] = {
    case_vocab.RejectionReason.NOT_LABOUR_DISPUTE.value: _(
        "根据《中华人民共和国劳动争议调解仲裁法》第二条的规定，该申请事项不属于劳动争议的范围"
    ),
    case_vocab.RejectionReason.RESPONDENT_REFUSED.value: _(
        "根据《中华人民共和国人民调解法》第十七条的规定，当事人一方明确拒绝调解的，不得调解"
    ),
}


def _rejection_notice(dc: DocContext) -> dict[str, Any]:
    """D6 不予受理通知书 with the reason and the remedies."""
    case = dc.case
    reason = case.rejection_reason
    rejected_at = case.outcome_at or timezone.now()
    return {
        **_common(dc),
        "reason_label": case.get_rejection_reason_display(),
        "reason_basis": REJECTION_BASIS.get(reason, ""),
        "rejected_at": rejected_at,
        "not_labour_dispute": reason == case_vocab.RejectionReason.NOT_LABOUR_DISPUTE,
        "admin_matter": reason == case_vocab.RejectionReason.EXCLUSIVE_ADMIN_MATTER,
    }


# --- registrations -------------------------------------------------------------------------

register_kind(Kind(code="D1", title=_("调解申请书"), context=_application, slot=2, available=_written_registered))
register_kind(Kind(code="D1b", title=_("口头申请记录"), context=_oral_application, slot=2, available=_oral_registered))
register_kind(
    Kind(code="D3", title=_("受理通知书"), context=_acceptance_notice, slot=6, available=_accepted, outbound=True)
)
register_kind(
    Kind(
        code="D4",
        title=_("调解通知书"),
        context=_respondent_notice,
        slot=6,
        available=_respondent_notice_available,
        outbound=True,
    )
)
register_kind(
    Kind(
        code="D5",
        title=_("当事人权利义务告知书"),
        context=_rights_notice,
        slot=6,
        available=_registered,
        outbound=True,
    )
)
register_kind(
    Kind(code="D6", title=_("不予受理通知书"), context=_rejection_notice, slot=12, available=_rejected, outbound=True)
)
