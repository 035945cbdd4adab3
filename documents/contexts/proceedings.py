"""Kinds of the mediation proceedings and their outcomes: mediation record (D8), extension
notice (D9), mediation agreement (D10), termination notice (D11), withdrawal confirmation
(D12). DOMAIN.md §8."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import AgencyKind, PartnerAgency, User
from cases import vocab as case_vocab
from cases.models import Case, CaseParty
from core.masking import mask_phone
from core.money import quantize_yuan
from documents.kinds import DocContext, Kind, PartyView, party_view, register_kind
from documents.models import Copy
from documents.templatetags.docs import cn_date_num
from mediation import vocab
from mediation.models import (
    Agreement,
    AgreementSignature,
    Attendance,
    Extension,
    MediationSession,
    Obligation,
    SessionMediator,
)
from mediation.services.agreements import live_agreement

# --- shared helpers ---------------------------------------------------------------------------


def _agency(case: Case, kind: str) -> PartnerAgency | None:
    """The linkage body of this kind for the case's district (e.g. the competent arbitration
    committee), if one is configured."""
    return (
        PartnerAgency.objects.filter(kind=kind, active=True, district_id__in=case.organization.ancestor_ids())
        .order_by("name")
        .first()
    )


def _wage_related(case: Case) -> bool:
    """Wage arrears, work-injury medical costs, compensation or damages are in dispute
    (LDMAL Art 9 complaint to the labour inspectorate, Art 16 payment order)."""
    if case.dispute_type == case_vocab.DisputeType.PAY:
        return True
    return case.claims.filter(claim_type__in=case_vocab.PAYMENT_ORDER_CLAIMS).exists()


# --- D8 调解笔录 ------------------------------------------------------------------------------


def _transcribed_sessions(case: Case) -> list[MediationSession]:
    return list(
        case.sessions.filter(transcript__isnull=False)
        .exclude(status=vocab.SessionStatus.CANCELLED)
        .order_by("starts_at", "id")
    )


def _session_label(session: MediationSession) -> str:
    start = timezone.localtime(session.starts_at)
    return gettext("%(date)s %(time)s 调解") % {"date": cn_date_num(start), "time": f"{start:%H:%M}"}


def _session_place(session: MediationSession) -> str:
    if session.room is not None:
        return f"{session.room.name}（{session.place}）" if session.place else session.room.name
    if session.place:
        return session.place
    if session.kind in (vocab.SessionKind.PHONE, vocab.SessionKind.VIDEO):
        return gettext("线上（%s）") % session.get_kind_display()
    return ""


def _mediation_record(dc: DocContext) -> dict[str, Any]:
    session = (
        MediationSession.objects.select_related("room", "clerk", "transcript")
        .prefetch_related(
            Prefetch(
                "mediator_slots",
                queryset=SessionMediator.objects.select_related("mediator").order_by("pk"),
                to_attr="all_slots",
            ),
            Prefetch(
                "attendances",
                queryset=Attendance.objects.select_related("party__person", "party__employer").order_by("pk"),
                to_attr="all_attendances",
            ),
        )
        .get(pk=dc.subject.pk)
    )
    transcript = session.transcript
    lead_ids = set(dc.case.assignments.filter(active=True, role="lead").values_list("user_id", flat=True))
    slots = [s for s in session.all_slots if s.active] or session.all_slots  # type: ignore[attr-defined]
    mediators = [
        {"name": str(s.mediator), "role": gettext("主调解员") if s.mediator_id in lead_ids else gettext("调解员")}
        for s in slots
    ]
    attendees = [
        {
            "name": a.name,
            "capacity": a.get_capacity_display(),
            "for_party": a.party.name if a.party is not None and a.party.name != a.name else "",
            "identity_checked": a.identity_checked,
            "signature": a.signature,
            "refusal_note": a.refusal_note,
        }
        for a in session.all_attendances  # type: ignore[attr-defined]
    ]
    sessions = _transcribed_sessions(dc.case)
    sequence = next((i for i, s in enumerate(sessions, start=1) if s.pk == session.pk), None)
    return {
        "session": session,
        "session_seq": sequence,
        "session_place": _session_place(session),
        "session_mediators": mediators,
        "recorder": session.clerk or dc.case.clerk,
        "attendees": attendees,
        "all_identity_checked": bool(attendees) and all(a["identity_checked"] for a in attendees),
        "transcript": transcript,
        "blocks": list(transcript.blocks.order_by("position", "id")),
    }


register_kind(
    Kind(
        code="D8",
        title=_("调解笔录"),
        context=_mediation_record,
        slot=10,
        subjects=_transcribed_sessions,
        subject_label=_session_label,
        outbound=False,
    )
)


# --- D9 延期调解通知书 ------------------------------------------------------------------------


def _approved_extensions(case: Case) -> list[Extension]:
    return list(case.extensions.filter(status=vocab.ExtensionStatus.APPROVED).order_by("requested_at", "id"))


def _extension_label(extension: Extension) -> str:
    return gettext("延期%(days)d日（至%(due)s）") % {"days": extension.days, "due": cn_date_num(extension.new_due_on)}


def _extension_notice(dc: DocContext) -> dict[str, Any]:
    extension = Extension.objects.select_related("requested_by", "decided_by").get(pk=dc.subject.pk)
    approved = _approved_extensions(dc.case)
    position = next((i for i, e in enumerate(approved, start=1) if e.pk == extension.pk), 1)
    return {
        "extension": extension,
        "extension_seq": position,
        "extension_total_days": sum(e.days for e in approved[:position]),
        "issued_on": extension.decided_at or dc.today,
    }


register_kind(
    Kind(
        code="D9",
        title=_("延期调解通知书"),
        context=_extension_notice,
        slot=11,
        subjects=_approved_extensions,
        subject_label=_extension_label,
        outbound=True,
    )
)


# --- D10 调解协议书 ---------------------------------------------------------------------------


@dataclass
class SignatoryView:
    """A party's signature block on the agreement, with what the system recorded."""

    party: PartyView
    signs: bool
    signed_at: dt.datetime | None
    agent_name: str
    agent_authority: str


@dataclass
class ObligationView:
    obligation: Obligation
    obligor: str
    obligee: str


def _has_live_agreement(case: Case) -> bool:
    return live_agreement(case) is not None


def _party_of(party: CaseParty, views: dict[int, PartyView]) -> str:
    view = views.get(party.pk)
    return view.name if view is not None else party.name


def _agreement(dc: DocContext) -> dict[str, Any]:
    case = dc.case
    found = live_agreement(case)
    if found is None:  # `available` checked it; a voided agreement in between ends here
        raise LookupError("no live agreement")
    agreement = (
        Agreement.objects.select_related("mediator_signed_by", "sealed_by")
        .prefetch_related(
            "terms",
            Prefetch(
                "obligations",
                queryset=Obligation.objects.select_related(
                    "obligor__person", "obligor__employer", "obligee__person", "obligee__employer"
                ),
            ),
            Prefetch("signatures", queryset=AgreementSignature.objects.select_related("party")),
        )
        .get(pk=found.pk)
    )
    # The agreement is the parties' original: full ID numbers in the file and in the parties'
    # copies (DOMAIN.md §8 D10); masked only in a copy that leaves the case.
    reveal_id = dc.copy_for != Copy.EXTERNAL
    parties = list(case.parties.select_related("person", "employer").order_by("side", "pk"))
    views: dict[int, PartyView] = {}
    for party in parties:
        view = party_view(party, reveal=reveal_id)
        if not dc.reveal and view.phone:
            view.phone = mask_phone(view.phone)
        views[party.pk] = view
    by_side = {
        side: [views[p.pk] for p in parties if p.side == side]
        for side in (case_vocab.Side.APPLICANT, case_vocab.Side.RESPONDENT, case_vocab.Side.THIRD_PARTY)
    }
    signatures = {s.party_id: s for s in agreement.signatures.all()}
    rows = []
    for party in parties:
        signature = signatures.get(party.pk)
        rows.append(
            SignatoryView(
                party=views[party.pk],
                signs=party.side != case_vocab.Side.THIRD_PARTY,
                signed_at=signature.signed_at if signature else None,
                agent_name=signature.agent_name if signature else "",
                agent_authority=signature.get_agent_authority_display() if signature and signature.agent_name else "",
            )
        )
    obligations = [
        ObligationView(obligation=o, obligor=_party_of(o.obligor, views), obligee=_party_of(o.obligee, views))
        for o in agreement.obligations.all()
    ]
    payments = [row for row in obligations if row.obligation.is_payment]
    agreed_total = quantize_yuan(sum((row.obligation.amount or Decimal("0") for row in payments), Decimal("0")))
    claims = list(case.claims.order_by("pk"))
    only_confirms_relationship = bool(claims) and all(c.claim_type == case_vocab.ClaimType.CONFIRM_REL for c in claims)
    mediators = [a.user for a in case.assignments.filter(active=True).select_related("user").order_by("role", "pk")]
    return {
        "applicants": by_side[case_vocab.Side.APPLICANT],
        "respondents": by_side[case_vocab.Side.RESPONDENT],
        "third_parties": by_side[case_vocab.Side.THIRD_PARTY],
        "party_rows": rows,
        "agreement": agreement,
        "terms": list(agreement.terms.all()),
        "obligations": obligations,
        "payments": payments,
        "instalments": len(payments) > 1,
        "agreed_total": agreed_total,
        "payment_order_applies": _wage_related(case),
        "confirmable": case.organization.agreements_confirmable,
        "only_confirms_relationship": only_confirms_relationship,
        "copies_count": max(3, len(parties) + 1),
        "two_parties": len(parties) == 2,
        "signatories": [row for row in rows if row.signs],
        "agreement_mediators": mediators,
    }


register_kind(
    Kind(
        code="D10",
        title=_("调解协议书"),
        context=_agreement,
        slot=12,
        available=_has_live_agreement,
        outbound=True,
    )
)


# --- D11 终止调解告知书 -----------------------------------------------------------------------


def _terminated(case: Case) -> bool:
    return bool(case.termination_reason)


def _termination_notice(dc: DocContext) -> dict[str, Any]:
    case = dc.case
    held = list(case.sessions.filter(status=vocab.SessionStatus.HELD).order_by("starts_at", "id"))
    return {
        "sessions_held": held,
        "deadline_expired": case.termination_reason == case_vocab.TerminationReason.DEADLINE_EXPIRED,
        "wage_related": _wage_related(case),
        "arbitration": _agency(case, AgencyKind.ARBITRATION),
        "inspection": _agency(case, AgencyKind.LABOR_INSPECTION),
        "issued_on": case.outcome_at or dc.today,
    }


register_kind(
    Kind(
        code="D11",
        title=_("终止调解告知书"),
        context=_termination_notice,
        slot=12,
        available=_terminated,
        outbound=True,
    )
)


# --- D12 撤回调解申请确认书 -------------------------------------------------------------------


def _withdrawn(case: Case) -> bool:
    return bool(case.withdrawal_reason)


def _withdrawal(dc: DocContext) -> dict[str, Any]:
    case = dc.case
    event = case.events.filter(name="withdraw").select_related("actor").order_by("-created_at", "-id").first()
    handler: User | None = event.actor if event is not None else None
    return {
        "withdrawn_at": case.outcome_at or (event.created_at if event else None),
        "handler": handler,
        "issued_on": case.outcome_at or dc.today,
    }


register_kind(
    Kind(
        code="D12",
        title=_("撤回调解申请确认书"),
        context=_withdrawal,
        slot=12,
        available=_withdrawn,
        outbound=True,
    )
)
