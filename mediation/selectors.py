"""Reads of the mediation work for the case page, the session and agreement pages and the
work lists. The case itself always comes from cases.selectors.case_get_for_user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import roles_for_organization
from accounts.models import Role
from cases import vocab as case_vocab
from cases.models import Case, CaseAssignment, CaseParty
from cases.selectors import case_claimed_total
from cases.workflow import Status
from core.money import quantize_yuan
from mediation import vocab
from mediation.models import (
    Agreement,
    AgreementSignature,
    Attendance,
    Extension,
    FollowUp,
    MediationSession,
    Obligation,
    PaymentRecord,
    ServiceRecord,
    SessionMediator,
    Transcript,
)
from mediation.services.agreements import effectiveness_blockers, live_agreement

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CaseRoles:
    """What the user may do on this case's mediation screens (the services check again)."""

    mediator: bool
    clerk: bool
    director: bool

    @property
    def records(self) -> bool:
        """Sessions, attendance, transcripts, payments, follow-ups, service of documents."""
        return self.mediator or self.clerk


def case_roles(*, user: Any, case: Case) -> CaseRoles:
    roles = roles_for_organization(user, case.organization)
    return CaseRoles(Role.MEDIATOR in roles, Role.CLERK in roles, Role.DIRECTOR in roles)


# --- sessions -------------------------------------------------------------------------------


def transcript_of(session: MediationSession) -> Transcript | None:
    try:
        return session.transcript
    except Transcript.DoesNotExist:
        return None


def transcript_state(transcript: Transcript | None) -> str:
    if transcript is None:
        return _("未记录")
    if transcript.completed_at is not None:
        return _("已完成")
    if transcript.read_back_at is not None:
        return _("已宣读，待签名完成")
    return _("记录中")


@dataclass(frozen=True)
class SessionRow:
    session: MediationSession
    mediators: list[Any]
    transcript_state: str


def _prefetched(instance: Any, name: str) -> bool:
    return name in getattr(instance, "_prefetched_objects_cache", {})


def _sessions_queryset() -> QuerySet[MediationSession]:
    slots = SessionMediator.objects.select_related("mediator").order_by("id")
    return (
        MediationSession.objects.select_related("room", "clerk", "transcript")
        .prefetch_related(Prefetch("mediator_slots", queryset=slots))
        .order_by("starts_at", "id")
    )


def _obligations_queryset() -> QuerySet[Obligation]:
    return (
        Obligation.objects.select_related(
            "obligor__person", "obligor__employer", "obligee__person", "obligee__employer"
        )
        .prefetch_related(Prefetch("payments", queryset=PaymentRecord.objects.order_by("paid_on", "id")))
        .order_by("position", "due_on", "id")
    )


def _live_agreements_queryset() -> QuerySet[Agreement]:
    """The case's agreements but the void ones, newest first (live_agreement is the first),
    each with its obligations (and their payments), signatures and clauses."""
    return (
        Agreement.objects.exclude(status=vocab.AgreementStatus.VOID)
        .order_by("-created_at", "-id")
        .prefetch_related(
            Prefetch("obligations", queryset=_obligations_queryset()),
            Prefetch("signatures", queryset=AgreementSignature.objects.select_related("recorded_by")),
            "terms",
        )
    )


def page_prefetches() -> list[Any]:
    """What the mediation panel, guards and deadlines read of the case page's case
    (cases.ui.CASE_PAGE_PREFETCHES): one query per relation. `live_agreements` is read by
    mediation.services.agreements.live_agreement."""
    return [
        Prefetch("agreements", queryset=_live_agreements_queryset(), to_attr="live_agreements"),
        Prefetch("sessions", queryset=_sessions_queryset()),
        Prefetch("extensions", queryset=Extension.objects.select_related("requested_by", "decided_by")),
        Prefetch("follow_ups", queryset=FollowUp.objects.select_related("obligation", "performed_by")),
        Prefetch(
            "service_records",
            queryset=ServiceRecord.objects.select_related("recipient__person", "recipient__employer").order_by(
                "created_at", "id"
            ),
        ),
    ]


def session_rows(*, case: Case) -> list[SessionRow]:
    sessions = case.sessions.all() if _prefetched(case, "sessions") else _sessions_queryset().filter(case=case)
    return [
        SessionRow(
            session,
            [
                slot.mediator
                for slot in session.mediator_slots.all()
                if slot.active or session.status == vocab.SessionStatus.CANCELLED
            ],
            transcript_state(transcript_of(session)),
        )
        for session in sessions
    ]


def session_mediators(*, session: MediationSession) -> list[Any]:
    return [slot.mediator for slot in session.mediator_slots.select_related("mediator").order_by("id")]


def session_attendances(*, session: MediationSession) -> QuerySet[Attendance]:
    return session.attendances.select_related("party__person", "party__employer").order_by("id")


def transcript_blocks(*, transcript: Transcript | None) -> dict[str, str]:
    """The text of each part of the transcript (several blocks of one kind joined)."""
    texts: dict[str, list[str]] = {}
    if transcript is not None:
        for block in transcript.blocks.all():
            texts.setdefault(block.kind, []).append(block.text)
    return {kind: "\n\n".join(parts) for kind, parts in texts.items()}


# --- extension ------------------------------------------------------------------------------


def case_extensions(*, case: Case) -> QuerySet[Extension]:
    return case.extensions.select_related("requested_by", "decided_by").order_by("requested_at", "id")


def case_extension_list(*, case: Case) -> list[Extension]:
    """case_extensions, from the case page's prefetch when there is one."""
    if _prefetched(case, "extensions"):
        return sorted(case.extensions.all(), key=lambda e: (e.requested_at, e.pk))
    return list(case_extensions(case=case))


# --- agreement and performance --------------------------------------------------------------


@dataclass
class ObligationRow:
    obligation: Obligation
    payments: list[PaymentRecord]
    paid: Decimal
    outstanding: Decimal

    @property
    def performed(self) -> bool:
        if self.obligation.is_payment:
            return self.outstanding <= 0
        return self.obligation.performed_on is not None


@dataclass
class SignatureRow:
    party: CaseParty
    signature: AgreementSignature | None


@dataclass
class AgreementView:
    agreement: Agreement
    terms: list[Any]
    obligations: list[ObligationRow]
    signatures: list[SignatureRow]
    blockers: list[str] = field(default_factory=list)

    @property
    def is_draft(self) -> bool:
        return self.agreement.status == vocab.AgreementStatus.DRAFT

    @property
    def editable(self) -> bool:
        """Clauses and obligations may change until the first signature or the seal."""
        a = self.agreement
        return (
            self.is_draft
            and not any(row.signature for row in self.signatures)
            and a.mediator_signed_at is None
            and a.sealed_at is None
        )

    @property
    def all_parties_signed(self) -> bool:
        return all(row.signature for row in self.signatures)

    @property
    def terms_text(self) -> str:
        return "\n\n".join(term.text for term in self.terms)

    @property
    def agreed(self) -> Decimal:
        return sum((row.obligation.amount or ZERO for row in self.obligations if row.obligation.is_payment), ZERO)


def agreement_view(*, case: Case) -> AgreementView | None:
    agreement = live_agreement(case)
    if agreement is None:
        return None
    agreement.case = case
    if _prefetched(agreement, "obligations"):
        obligations: Any = agreement.obligations.all()
        signatures: Any = agreement.signatures.all()
    else:
        obligations = _obligations_queryset().filter(agreement=agreement)
        signatures = agreement.signatures.select_related("recorded_by")
    rows = []
    for obligation in obligations:
        payments = list(obligation.payments.all())
        paid = sum((p.amount for p in payments), ZERO)
        rows.append(ObligationRow(obligation, payments, paid, (obligation.amount or ZERO) - paid))
    signed = {s.party_id: s for s in signatures}
    if _prefetched(case, "parties"):
        parties: Any = [p for p in case.parties.all() if p.side != case_vocab.Side.THIRD_PARTY]
    else:
        parties = case.parties.exclude(side=case_vocab.Side.THIRD_PARTY).select_related("person", "employer")
    view = AgreementView(
        agreement=agreement,
        terms=list(agreement.terms.all()),
        obligations=rows,
        signatures=[SignatureRow(p, signed.get(p.pk)) for p in parties],
    )
    if view.is_draft:
        view.blockers = effectiveness_blockers(case)
    return view


@dataclass(frozen=True)
class MoneyTotals:
    claimed: Decimal
    agreed: Decimal
    recovered: Decimal


def case_money(*, case: Case, agreement: AgreementView | None) -> MoneyTotals:
    """涉及金额 (claims), 协议金额 (the live agreement), 挽回经济损失 (every payment recorded)."""
    recovered = PaymentRecord.objects.filter(obligation__agreement__case=case).aggregate(total=Sum("amount"))["total"]
    return MoneyTotals(
        claimed=case_claimed_total(case=case),
        agreed=agreement.agreed if agreement else ZERO,
        recovered=quantize_yuan(Decimal(recovered)) if recovered is not None else ZERO,  # SQLite sums as float
    )


def obligation_row(*, obligation: Obligation) -> ObligationRow:
    payments = list(obligation.payments.order_by("paid_on", "id"))
    paid = sum((p.amount for p in payments), ZERO)
    return ObligationRow(obligation, payments, paid, (obligation.amount or ZERO) - paid)


def case_obligations(*, case: Case) -> QuerySet[Obligation]:
    """The case's obligations, to look one up by id (404 when it belongs to another case)."""
    return Obligation.objects.filter(agreement__case=case).select_related(
        "agreement", "obligor__person", "obligor__employer", "obligee__person", "obligee__employer"
    )


def case_follow_ups(*, case: Case) -> tuple[list[FollowUp], list[FollowUp]]:
    """(planned, done) follow-ups of the case."""
    if _prefetched(case, "follow_ups"):
        items = sorted(case.follow_ups.all(), key=lambda f: (f.planned_on, f.pk))
    else:
        items = list(case.follow_ups.select_related("obligation", "performed_by").order_by("planned_on", "id"))
    return [f for f in items if f.done_at is None], [f for f in items if f.done_at is not None]


def case_service_records(*, case: Case) -> QuerySet[ServiceRecord]:
    return case.service_records.select_related("recipient__person", "recipient__employer").order_by("created_at", "id")


def case_service_record_list(*, case: Case) -> list[ServiceRecord]:
    """case_service_records, from the case page's prefetch when there is one."""
    if _prefetched(case, "service_records"):
        return list(case.service_records.all())
    return list(case_service_records(case=case))


# --- work lists -----------------------------------------------------------------------------


def _today_bounds() -> tuple[dt.datetime, dt.datetime]:
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    return start, start + dt.timedelta(days=1)


def cases_with_my_session_today(*, scoped: QuerySet[Case], user: Any) -> QuerySet[Case]:
    start, end = _today_bounds()
    slots = SessionMediator.objects.filter(
        session__case=OuterRef("pk"),
        mediator=user,
        active=True,
        starts_at__gte=start,
        starts_at__lt=end,
    ).exclude(session__status=vocab.SessionStatus.CANCELLED)
    first = (
        MediationSession.objects.filter(case=OuterRef("pk"), starts_at__gte=start, starts_at__lt=end)
        .exclude(status=vocab.SessionStatus.CANCELLED)
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    return scoped.filter(Exists(slots)).annotate(first_session_at=Subquery(first)).order_by("first_session_at", "id")


def _assigned_to(scoped: QuerySet[Case], user: Any) -> QuerySet[Case]:
    mine = CaseAssignment.objects.filter(case=OuterRef("pk"), user=user, active=True)
    return scoped.filter(Exists(mine))


def cases_with_follow_up_due(*, scoped: QuerySet[Case], user: Any) -> QuerySet[Case]:
    due = FollowUp.objects.filter(case=OuterRef("pk"), done_at__isnull=True, planned_on__lte=timezone.localdate())
    return _assigned_to(scoped, user).filter(Exists(due)).order_by("mediation_due_on", "id")


def cases_with_agreement_to_sign(*, scoped: QuerySet[Case], user: Any) -> QuerySet[Case]:
    return _assigned_to(scoped, user).filter(status=Status.AGREEMENT_PENDING).order_by("mediation_due_on", "id")


def cases_with_pending_extension(*, scoped: QuerySet[Case]) -> QuerySet[Case]:
    pending = Extension.objects.filter(case=OuterRef("pk"), status=vocab.ExtensionStatus.PENDING)
    return scoped.filter(Exists(pending), status=Status.IN_MEDIATION).order_by("mediation_due_on", "id")


def cases_awaiting_seal(*, scoped: QuerySet[Case]) -> QuerySet[Case]:
    """Agreements signed by every party and the mediator, not sealed yet."""
    signature = AgreementSignature.objects.filter(agreement=OuterRef(OuterRef("pk")), party=OuterRef("pk"))
    unsigned_party = (
        CaseParty.objects.filter(case=OuterRef("case"))
        .exclude(side=case_vocab.Side.THIRD_PARTY)
        .filter(~Exists(signature))
    )
    ready = Agreement.objects.filter(
        ~Exists(unsigned_party),
        case=OuterRef("pk"),
        status=vocab.AgreementStatus.DRAFT,
        mediator_signed_at__isnull=False,
        sealed_at__isnull=True,
    )
    return scoped.filter(Exists(ready), status=Status.AGREEMENT_PENDING).order_by("mediation_due_on", "id")


def session_is_open(session: MediationSession, transcript: Transcript | None) -> bool:
    """Attendance and the transcript may still be changed."""
    return session.status != vocab.SessionStatus.CANCELLED and (transcript is None or transcript.completed_at is None)
