"""Reads of cases, always through the user's scope (accounts.access)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    DecimalField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_write_cases_of, case_scope_q
from cases.models import Case, CaseAssignment, CaseEvent, CaseParty, ClaimItem, DeadlineAlert
from cases.workflow import TRANSITIONS, TransitionSpec, blockers, may_fire
from core import crypto
from core.exceptions import PermissionDeniedError

_MONEY = DecimalField(max_digits=16, decimal_places=2)


def case_queryset_for_user(user: Any) -> QuerySet[Case]:
    scope = case_scope_q(user)
    if scope is None:
        return Case.objects.none()
    return Case.objects.filter(scope)


def case_get_for_user(*, case_id: Any, user: Any, for_write: bool = False) -> Case:
    """The case if `user` may see it (else 404, indistinguishable from a missing case);
    with `for_write`, a read-only role gets PermissionDeniedError (403)."""
    try:
        pk = int(case_id)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    case = (
        case_queryset_for_user(user)
        # the organisation's ancestors (role checks walk them) come with it: the tree has 3 levels
        .select_related("organization__parent__parent", "clerk", "created_by")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    if for_write and not can_write_cases_of(user, case.organization):
        raise PermissionDeniedError(_("您的角色只能查看，不能修改案件。"))
    return case


def _claimed_subquery() -> Subquery:
    claims = (
        ClaimItem.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Subquery(claims, output_field=_MONEY)


def personal_search_token(text: str) -> str | None:
    """The keyed hash of a search that is a resident ID number or a phone number, so that
    it never travels in a URL (ASVS 14.2.1: it would sit in logs, history and the pager's
    links); None for any other search."""
    from core.validators import normalize_phone, normalize_resident_id

    text = (text or "").strip()
    for normalize in (normalize_resident_id, normalize_phone):
        try:
            value = normalize(text)
        except ValueError:
            continue
        return crypto.lookup_hash(value)
    return None


def case_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Case]:
    """Cases in scope, filtered; annotated with the claimed amount and an overdue flag."""
    filters = filters or {}
    qs = case_queryset_for_user(user).select_related("organization")
    q = (filters.get("q") or "").strip()
    if q:
        id_hash = crypto.lookup_hash(q)
        party_match = CaseParty.objects.filter(case=OuterRef("pk")).filter(
            Q(person__name__icontains=q)
            | Q(employer__name__icontains=q)
            | Q(employer__uscc=q.upper())
            | Q(person__id_number_hash=id_hash)
        )
        qs = qs.filter(Q(case_number__icontains=q) | Q(registry_number__icontains=q) | Exists(party_match))
    qh = (filters.get("qh") or "").strip()
    if qh:  # a search by ID number or phone, as its keyed hash (personal_search_token)
        holder = CaseParty.objects.filter(case=OuterRef("pk")).filter(
            Q(person__id_number_hash=qh) | Q(person__phone_hash=qh)
        )
        qs = qs.filter(Exists(holder))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("organization"):
        qs = qs.filter(organization__code=filters["organization"])
    if filters.get("dispute_type"):
        qs = qs.filter(dispute_type=filters["dispute_type"])
    if filters.get("mediator"):
        qs = qs.filter(assignments__user_id=filters["mediator"], assignments__active=True)
    if filters.get("received_from"):
        qs = qs.filter(received_at__date__gte=filters["received_from"])
    if filters.get("received_to"):
        qs = qs.filter(received_at__date__lte=filters["received_to"])
    if filters.get("overdue"):
        qs = qs.filter(alerts__resolved_at__isnull=True, alerts__clock__in=["B", "C"]).distinct()
    qs = qs.annotate(amount_claimed=Coalesce(_claimed_subquery(), Value(Decimal("0")), output_field=_MONEY))
    order = filters.get("order") or "-created_at"
    allowed = {
        "created_at",
        "-created_at",
        "received_at",
        "-received_at",
        "case_number",
        "-case_number",
        "mediation_due_on",
        "-mediation_due_on",
    }
    return qs.order_by(order if order in allowed else "-created_at", "-id")


def case_get_for_page(*, case_id: Any, user: Any) -> Case:
    """The case as case_get_for_user answers it, with everything the case page and the case
    API read of it fetched in one query per relation (cases.ui.CASE_PAGE_PREFETCHES adds the
    higher layers' relations): the page costs the same queries whatever the rows."""
    from cases.ui import CASE_PAGE_PREFETCHES

    case = case_get_for_user(case_id=case_id, user=user)
    lookups: list[Any] = [
        Prefetch("parties", queryset=CaseParty.objects.select_related("person", "employer")),
        Prefetch("claims", queryset=ClaimItem.objects.order_by("id")),
        Prefetch(
            "assignments",
            queryset=CaseAssignment.objects.filter(active=True).select_related("user").order_by("id"),
            to_attr="active_assignments",
        ),
        Prefetch(
            "alerts",
            queryset=DeadlineAlert.objects.filter(resolved_at__isnull=True).order_by("due_on", "id"),
            to_attr="open_alerts",
        ),
    ]
    for extra in CASE_PAGE_PREFETCHES:
        lookups += extra()
    prefetch_related_objects([case], *lookups)
    return case


def _prefetched(instance: Any, name: str) -> bool:
    return name in getattr(instance, "_prefetched_objects_cache", {})


def case_parties(*, case: Case) -> list[CaseParty]:
    if _prefetched(case, "parties"):
        return list(case.parties.all())
    return list(case.parties.select_related("person", "employer"))


def case_claims(*, case: Case) -> list[ClaimItem]:
    return list(case.claims.all() if _prefetched(case, "claims") else case.claims.order_by("id"))


def case_active_assignments(*, case: Case) -> list[CaseAssignment]:
    cached = getattr(case, "active_assignments", None)
    if cached is not None:
        return list(cached)
    return list(case.assignments.filter(active=True).select_related("user").order_by("id"))


def case_claimed_total(*, case: Case) -> Decimal:
    if _prefetched(case, "claims"):
        return sum((c.amount for c in case.claims.all() if c.amount is not None), Decimal("0.00"))
    total = case.claims.aggregate(total=Sum("amount"))["total"]
    return total if total is not None else Decimal("0.00")


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("created_at", "id")


def case_open_alerts(*, case: Case) -> list[DeadlineAlert]:
    cached = getattr(case, "open_alerts", None)
    if cached is not None:
        return list(cached)
    return list(case.alerts.filter(resolved_at__isnull=True).order_by("due_on", "id"))


@dataclass(frozen=True)
class AvailableTransition:
    spec: TransitionSpec
    blockers: list[str]
    url: str

    @property
    def name(self) -> str:
        return self.spec.name


#: Transitions whose guards depend on what the user enters in the form (not shown as blocked).
_DECIDED_IN_FORM = {"reject", "terminate", "withdraw"}


def case_available_transitions(*, case: Case, user: Any) -> list[AvailableTransition]:
    """Transitions the user may fire from the current state, with what still blocks them and
    the page where they are done. Transitions without a page (start: automatic with the
    first session) are not listed."""
    from cases.ui import TRANSITION_URLS

    result = []
    for name, spec in TRANSITIONS.items():
        if name not in TRANSITION_URLS or not may_fire(case, name, user):
            continue
        found = [] if name in _DECIDED_IN_FORM else blockers(case, name)
        result.append(AvailableTransition(spec, found, TRANSITION_URLS[name](case)))
    return result


@dataclass(frozen=True)
class Deadline:
    label: str
    due_on: dt.date

    @property
    def days_left(self) -> int:
        return (self.due_on - timezone.localdate()).days

    @property
    def days_overdue(self) -> int:
        return -self.days_left


def case_deadlines(*, case: Case) -> list[Deadline]:
    from cases.workflow import MEDIATION_CLOCK_STATES, Status

    items = []
    if case.status in (Status.REGISTERED, Status.AWAITING_CONSENT) and case.acceptance_due_on:
        items.append(Deadline(_("受理审查期限（3个工作日）"), case.acceptance_due_on))
    if case.status in MEDIATION_CLOCK_STATES and case.mediation_due_on:
        items.append(Deadline(_("调解期限"), case.mediation_due_on))
    if case.arbitration_release_on and case.status in (
        *MEDIATION_CLOCK_STATES,
        Status.REGISTERED,
        Status.AWAITING_CONSENT,
    ):
        items.append(Deadline(_("收到申请满15日（可申请仲裁）"), case.arbitration_release_on))
    from cases.ui import CASE_DEADLINES

    for source in CASE_DEADLINES:
        items.extend(source(case))
    return items


@dataclass
class WorkSection:
    title: str
    cases: list[Case]
    empty: str
    hint: str = ""
    order: int = 50  # smaller first: what is due today comes first


def worklist(*, user: Any, limit: int = 20) -> list[WorkSection]:
    """The landing page of each role: what is due first."""
    from accounts.access import active_memberships
    from accounts.models import Role
    from cases.workflow import MEDIATION_CLOCK_STATES, OUTCOME_STATES, Status

    roles = {m.role for m in active_memberships(user)}
    scoped = case_queryset_for_user(user).select_related("organization")
    sections: list[WorkSection] = []
    if Role.DIRECTOR in roles:
        sections.append(
            WorkSection(
                _("待受理审查的申请"),
                list(
                    scoped.filter(status__in=[Status.REGISTERED, Status.AWAITING_CONSENT]).order_by(
                        "acceptance_due_on", "id"
                    )[:limit]
                ),
                _("没有待审查的申请。"),
                _("按受理审查期限（3个工作日）排序"),
                order=20,
            )
        )
        sections.append(
            WorkSection(
                _("待审批结案"),
                list(scoped.filter(status=Status.CLOSING).order_by("updated_at")[:limit]),
                _("没有待审批的结案。"),
                order=34,
            )
        )
        sections.append(
            WorkSection(
                _("已超期案件"),
                list(
                    scoped.filter(
                        alerts__resolved_at__isnull=True,
                        alerts__clock__in=["B", "C"],
                        status__in=[Status.REGISTERED, Status.AWAITING_CONSENT, *MEDIATION_CLOCK_STATES],
                    )
                    .distinct()
                    .order_by("mediation_due_on", "acceptance_due_on")[:limit]
                ),
                _("没有超期案件。"),
                order=40,
            )
        )
    if Role.MEDIATOR in roles:
        mine = scoped.filter(assignments__user=user, assignments__active=True)
        sections.append(
            WorkSection(
                _("我承办的调解中案件（按调解期限）"),
                list(mine.filter(status__in=MEDIATION_CLOCK_STATES).order_by("mediation_due_on", "id")[:limit]),
                _("没有正在调解的案件。"),
                order=20,
            )
        )
    if Role.CLERK in roles or Role.MEDIATOR in roles:
        from cases.vocab import CaseSource

        drafts = scoped.filter(status=Status.DRAFT)
        online = Q(source=CaseSource.ONLINE_PLATFORM, online_application__isnull=False)
        sections.append(
            WorkSection(
                _("网上申请待处理"),
                list(drafts.filter(online).order_by("created_at")[:limit]),
                _("没有待处理的网上申请。"),
                _("申请人在网上提交的申请（草稿）：请核对材料、联系申请人，无误后登记。"),
                order=45,
            )
        )
        sections.append(
            WorkSection(
                _("待完善登记的草稿"),
                list(drafts.exclude(online).order_by("created_at")[:limit]),
                _("没有草稿。"),
                order=50,
            )
        )
        sections.append(
            WorkSection(
                _("已有结果、待提交结案"),
                list(scoped.filter(status__in=OUTCOME_STATES).order_by("outcome_at")[:limit]),
                _("没有待提交结案的案件。"),
                order=55,
            )
        )
    if Role.CLERK in roles:
        sections.append(
            WorkSection(
                _("已结案、待归档"),
                list(scoped.filter(status=Status.CLOSED).order_by("closed_at")[:limit]),
                _("没有待归档的案件。"),
                order=60,
            )
        )
    if Role.AUDITOR in roles:
        sections.append(
            WorkSection(
                _("最近办理的案件"),
                list(scoped.order_by("-updated_at")[:limit]),
                _("暂无案件。"),
                _("督导审计为只读角色：可查看案件全部经过，不能修改。"),
                order=70,
            )
        )
    from cases.ui import WORKLIST_SECTIONS

    for extension in WORKLIST_SECTIONS:
        sections.extend(extension(user=user, roles=roles, scoped=scoped, limit=limit))
    sections.sort(key=lambda section: section.order)
    if Role.LIAISON in roles and not sections:
        sections.append(
            WorkSection(
                _("移送到本单位的案件"),
                list(scoped[:limit]),
                _("暂无移送到本单位的案件。"),
                order=10,
            )
        )
    return sections
