"""Reads of the multi-party linkage: the transfers a user may see on a case, the liaison's
inbox, and the director's overview (open transfers, outcomes, money recovered by channel and
agency). Every query starts from the user's case scope (cases.selectors)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case as CaseExpr
from django.db.models import Count, IntegerField, Min, Prefetch, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from accounts.access import active_memberships
from accounts.models import CASE_READER_ROLES, Organization, PartnerAgency, Role
from cases.models import Case, CaseEvent, CaseParty, EventKind
from cases.selectors import case_queryset_for_user
from core.money import quantize_yuan
from linkage import vocab
from linkage.models import Transfer
from mediation import vocab as mediation_vocab
from mediation.models import PaymentRecord

ZERO = Decimal("0.00")
S = vocab.TransferStatus


def liaison_agency_ids(user: Any) -> set[int]:
    """The partner agencies the user is a liaison of."""
    return {m.agency_id for m in active_memberships(user) if m.role == Role.LIAISON and m.agency_id}


def reads_as_staff(user: Any, case: Case) -> bool:
    """Staff and auditors of the case's organisation see all its transfers; a liaison only
    the ones sent to their agency."""
    ancestors = set(case.organization.ancestor_ids())
    return any(m.role in CASE_READER_ROLES and m.organization_id in ancestors for m in active_memberships(user))


def case_transfers(*, case: Case, user: Any) -> QuerySet[Transfer]:
    """The case's transfers the user may see (look one up by id here: 404 otherwise)."""
    transfers = case.transfers.select_related("agency", "requested_by", "approved_by", "handled_by")
    if reads_as_staff(user, case):
        return transfers
    return transfers.filter(agency_id__in=liaison_agency_ids(user), status__in=vocab.VISIBLE_TO_AGENCY)


def recovered_by_agency(*, case: Case) -> dict[int | None, Decimal]:
    """挽回经济损失 of one case by partner agency (None: through the agreement itself)."""
    rows = (
        PaymentRecord.objects.filter(obligation__agreement__case=case)
        .values("agency_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["agency_id"]: row["total"] for row in rows}


def recovered_by_channel(*, case: Case) -> dict[str, Decimal]:
    """挽回经济损失 of one case by channel code (agreement, court, arbitration, inspection)."""
    rows = (
        PaymentRecord.objects.filter(obligation__agreement__case=case)
        .values("channel")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    totals = {row["channel"]: quantize_yuan(Decimal(row["total"])) for row in rows}
    return {value: totals.get(value, ZERO) for value in mediation_vocab.RecoveryChannel.values}


def recovered_by_channel_labelled(*, case: Case) -> list[tuple[str, Decimal]]:
    """(channel label, amount) of one case, every channel listed, for the case page."""
    totals = recovered_by_channel(case=case)
    return [(str(label), totals[value]) for value, label in mediation_vocab.RecoveryChannel.choices]


def transfer_events(*, transfer: Transfer) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(
        case_id=transfer.case_id, kind=EventKind.LINKAGE, payload__transfer=transfer.pk
    ).select_related("actor")


# --- the liaison's inbox ----------------------------------------------------------------------

_WAITING_ORDER = CaseExpr(
    When(status=S.SENT, then=Value(0)),
    When(status=S.ACKNOWLEDGED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def inbox(*, user: Any, done_limit: int = 50) -> Sequence[Transfer]:
    """Transfers sent to the user's agencies: waiting ones first (sent, then acknowledged,
    oldest first), then the most recent finished (outcome recorded or returned)."""
    agencies = liaison_agency_ids(user)
    if not agencies:
        return []
    parties = CaseParty.objects.select_related("person", "employer").order_by("side", "id")
    base = (
        Transfer.objects.filter(agency_id__in=agencies, status__in=vocab.VISIBLE_TO_AGENCY)
        .select_related("case", "case__organization", "agency")
        .prefetch_related(Prefetch("case__parties", queryset=parties))
        .annotate(waiting_order=_WAITING_ORDER)
    )
    waiting = list(base.filter(waiting_order__lt=2).order_by("waiting_order", "sent_on", "id"))
    done = list(base.filter(waiting_order=2).order_by("-outcome_on", "-id")[:done_limit])
    return waiting + done


def days_waiting(transfer: Transfer, today: dt.date | None = None) -> int | None:
    """Days since the letter was sent, while the agency still has the case."""
    if transfer.sent_on is None or transfer.status not in (S.SENT, S.ACKNOWLEDGED):
        return None
    return ((today or timezone.localdate()) - transfer.sent_on).days


def cases_with_transfers(*, scoped: QuerySet[Case], user: Any, status: str) -> QuerySet[Case]:
    """Cases of the work list with a transfer to the user's agencies in `status`."""
    agencies = liaison_agency_ids(user)
    waiting = Transfer.objects.filter(agency_id__in=agencies, status=status)
    oldest = Min("transfers__sent_on", filter=Q(transfers__agency_id__in=agencies, transfers__status=status))
    return scoped.filter(pk__in=waiting.values("case_id")).annotate(oldest=oldest).order_by("oldest", "id")


def cases_with_own_transfers(*, scoped: QuerySet[Case], status: str) -> QuerySet[Case]:
    """Cases in scope with a transfer in `status` (the centre's own work: approve, send)."""
    waiting = Transfer.objects.filter(status=status)
    return scoped.filter(pk__in=waiting.values("case_id")).order_by("updated_at", "id")


# --- the director's overview ------------------------------------------------------------------


@dataclass
class AgencyRow:
    agency: PartnerAgency
    sent: int = 0
    acknowledged: int = 0
    oldest_sent_on: dt.date | None = None
    outcomes: list[tuple[str, str, int]] = field(default_factory=list)  # (type, outcome, count)
    returned: int = 0
    recovered: Decimal = ZERO

    @property
    def open(self) -> int:
        return self.sent + self.acknowledged

    @property
    def longest_wait(self) -> int | None:
        return (timezone.localdate() - self.oldest_sent_on).days if self.oldest_sent_on else None


@dataclass
class ChannelRow:
    channel: str
    label: str
    agency: PartnerAgency | None
    amount: Decimal
    payments: int


@dataclass
class Overview:
    agencies: list[AgencyRow]
    channels: list[ChannelRow]
    channel_totals: list[tuple[str, Decimal]]
    total: Decimal


def overview_organizations(user: Any) -> list[Organization]:
    """Organisations whose linkage the user oversees (director or auditor)."""
    return [
        m.organization
        for m in active_memberships(user)
        if m.role in (Role.DIRECTOR, Role.AUDITOR) and m.organization is not None
    ]


def overview(*, user: Any, date_from: dt.date, date_to: dt.date) -> Overview:
    """Per agency: open transfers and the longest wait, outcomes and returns in the period;
    money recovered in the period by channel and agency. Aggregated in the database."""
    scoped = case_queryset_for_user(user).values("pk")
    districts: set[int] = set()
    for org in overview_organizations(user):
        districts.update(org.ancestor_ids())
        districts.update(org.subtree_ids())
    agencies = {a.pk: AgencyRow(a) for a in PartnerAgency.objects.filter(district_id__in=districts)}
    transfers = Transfer.objects.filter(case_id__in=scoped).order_by()
    open_rows = (
        transfers.filter(status__in=(S.SENT, S.ACKNOWLEDGED))
        .values("agency_id")
        .annotate(
            sent=Count("id", filter=Q(status=S.SENT)),
            acknowledged=Count("id", filter=Q(status=S.ACKNOWLEDGED)),
            oldest=Min("sent_on"),
        )
    )
    for row in open_rows:
        if (item := agencies.get(row["agency_id"])) is not None:
            item.sent, item.acknowledged, item.oldest_sent_on = row["sent"], row["acknowledged"], row["oldest"]
    outcome_rows = (
        transfers.filter(status=S.OUTCOME_RECORDED, outcome_on__range=(date_from, date_to))
        .values("agency_id", "transfer_type", "outcome")
        .annotate(n=Count("id"))
        .order_by("agency_id", "transfer_type", "outcome")
    )
    for outcome in outcome_rows:
        if (item := agencies.get(outcome["agency_id"])) is not None:
            item.outcomes.append(
                (
                    str(vocab.TransferType(outcome["transfer_type"]).label),
                    str(vocab.TransferOutcome(outcome["outcome"]).label),
                    outcome["n"],
                )
            )
    _count_returns(agencies, scoped, date_from, date_to)
    channels, channel_totals, total = _recovered(agencies, scoped, date_from, date_to)
    ordered = sorted(agencies.values(), key=lambda r: (r.agency.kind, r.agency.name))
    return Overview(ordered, channels, channel_totals, total)


def _count_returns(agencies: dict[int, AgencyRow], scoped: Any, date_from: dt.date, date_to: dt.date) -> None:
    """Returns in the period, dated by their case event (the transfer keeps no return date)."""
    returned_ids = CaseEvent.objects.filter(
        case_id__in=scoped,
        kind=EventKind.LINKAGE,
        name="transfer_return",
        created_at__date__range=(date_from, date_to),
    ).values_list("payload__transfer", flat=True)
    rows = (
        Transfer.objects.filter(pk__in=list(returned_ids), status=S.RETURNED)
        .values("agency_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        if (item := agencies.get(row["agency_id"])) is not None:
            item.returned = row["n"]


def _recovered(
    agencies: dict[int, AgencyRow], scoped: Any, date_from: dt.date, date_to: dt.date
) -> tuple[list[ChannelRow], list[tuple[str, Decimal]], Decimal]:
    rows = (
        PaymentRecord.objects.filter(obligation__agreement__case_id__in=scoped, paid_on__range=(date_from, date_to))
        .values("channel", "agency_id")
        .annotate(amount=Sum("amount"), payments=Count("id"))
        .order_by("channel", "agency_id")
    )
    labels = dict(mediation_vocab.RecoveryChannel.choices)
    order = list(labels)
    by_channel: dict[str, Decimal] = defaultdict(lambda: ZERO)
    channels = []
    extra = {a.pk: a for a in PartnerAgency.objects.filter(pk__in=[r["agency_id"] for r in rows if r["agency_id"]])}
    for row in rows:
        agency = extra.get(row["agency_id"])
        channels.append(ChannelRow(row["channel"], str(labels[row["channel"]]), agency, row["amount"], row["payments"]))
        by_channel[row["channel"]] += row["amount"]
        if agency is not None and agency.pk in agencies:
            agencies[agency.pk].recovered += row["amount"]
    channels.sort(key=lambda r: (order.index(r.channel), r.agency.name if r.agency else ""))
    totals = [(str(label), by_channel[value]) for value, label in labels.items()]
    return channels, totals, sum(by_channel.values(), ZERO)
