"""Workload of lawyer mediators and their firms (调解员工作量, DOMAIN.md §10.2; docs/lawyers.md):
the figures the union settles its purchased-service contracts (购买服务) with.

For a period of whole Beijing days [from, to], per lawyer and per law firm:

- duty_days: days on the duty roster (DutyAssignment) in the period;
- cases_accepted: cases accepted in the period with the lawyer as an (active) assigned mediator;
- sessions_held: sessions held (status held) starting in the period where the lawyer sat;
- cases_closed: their cases whose closure was approved in the period (closed_at);
- cases_settled: their cases whose outcome is an effective agreement (agreement effective,
  performed, not performed — the statistics' "settled"), the outcome reached in the period;
- amount_recovered: payments (PaymentRecord, all channels) dated in the period on their cases.

A case mediated by two lawyers counts for each of them; a firm counts it once. Everything is
computed by the database: one query for the lawyers and one for the firms, each figure a
correlated subquery, whatever the number of cases. Only lawyers, firms and counts appear —
never the name of a party.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Func, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.access import active_memberships
from accounts.models import DutyAssignment, LawFirm, LawyerProfile, Role, User
from cases.models import Case
from cases.workflow import SETTLED_STATES
from mediation import vocab as mediation_vocab
from mediation.models import PaymentRecord, SessionMediator
from reports.selectors import MONEY, ZERO, _outcome_is, period_bounds

#: Roles that read the workload report (directors and auditors of an organisation).
WORKLOAD_ROLES = frozenset({Role.DIRECTOR, Role.AUDITOR})
FIGURES = ("duty_days", "cases_accepted", "sessions_held", "cases_closed", "cases_settled", "amount_recovered")


@dataclass(frozen=True)
class WorkloadScope:
    """The organisations whose cases count (the reader's subtree) and the zones' districts."""

    organization_ids: list[int]
    district_ids: list[int]


def workload_scope(user: Any) -> WorkloadScope | None:
    """None when the user holds no director or auditor role."""
    roots = [m.organization for m in active_memberships(user) if m.role in WORKLOAD_ROLES and m.organization]
    if not roots:
        return None
    ids: set[int] = set()
    ancestors: set[int] = set()
    for org in roots:
        ids.update(org.subtree_ids())
        ancestors.update(org.ancestor_ids())
    return WorkloadScope(organization_ids=sorted(ids), district_ids=sorted(ids | ancestors))


def _count(
    queryset: QuerySet[Any], outer: str, column: str = "pk", *, same_join: dict[str, Any] | None = None
) -> Coalesce:
    """COUNT(DISTINCT column) of `queryset` rows matching the outer row on `outer` (0 when none).
    `same_join` conditions go in the same filter() call as `outer`, so that they hold for the
    same related row (the same assignment), not for any."""
    counted = (
        queryset.filter(**{outer: OuterRef("pk")}, **(same_join or {}))
        .order_by()
        .values(outer)
        .annotate(n=Count(column, distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _figures(*, scope: WorkloadScope, date_from: dt.date, date_to: dt.date, via: str) -> dict[str, Any]:
    """The annotations of one figure set; `via` is the path from a Case's assignment (or a
    duty, session slot, payment) to the outer row: "user" for a lawyer, "user__lawyer_profile__firm"
    for a firm."""
    start, end = period_bounds(date_from, date_to)
    cases = Case.objects.filter(organization_id__in=scope.organization_ids)
    assigned = f"assignments__{via}"
    active = {"assignments__active": True}  # with `assigned`, in one filter(): the same assignment
    return {
        "duty_days": _count(
            DutyAssignment.objects.filter(
                date__gte=date_from, date__lte=date_to, zone__organization_id__in=scope.district_ids
            ),
            via.replace("user", "lawyer", 1),
        ),
        "cases_accepted": _count(cases.filter(accepted_at__gte=start, accepted_at__lt=end), assigned, same_join=active),
        "sessions_held": _count(
            SessionMediator.objects.filter(
                active=True,
                session__status=mediation_vocab.SessionStatus.HELD,
                session__starts_at__gte=start,
                session__starts_at__lt=end,
                session__case__organization_id__in=scope.organization_ids,
            ),
            via.replace("user", "mediator", 1),
            "session_id",
        ),
        "cases_closed": _count(cases.filter(closed_at__gte=start, closed_at__lt=end), assigned, same_join=active),
        "cases_settled": _count(
            cases.filter(_outcome_is(tuple(SETTLED_STATES)), outcome_at__gte=start, outcome_at__lt=end),
            assigned,
            same_join=active,
        ),
        "amount_recovered": _recovered(cases, assigned, date_from, date_to),
    }


def _recovered(cases: QuerySet[Case], assigned: str, date_from: dt.date, date_to: dt.date) -> Coalesce:
    """Σ payments dated in the period on the outer row's cases; a case counts once per row."""
    own_cases = cases.filter(assignments__active=True, **{assigned: OuterRef(OuterRef("pk"))}).values("pk")
    # SUM without GROUP BY: one total over the rows of the subquery (a plain Func, so Django
    # adds no grouping).
    total = (
        PaymentRecord.objects.filter(
            paid_on__gte=date_from, paid_on__lte=date_to, obligation__agreement__case__in=own_cases
        )
        .order_by()  # the model's default ordering would put paid_on outside the aggregate
        .annotate(t=Func(F("amount"), function="SUM", output_field=MONEY))
        .values("t")
    )
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def _lawyers(scope: WorkloadScope) -> QuerySet[LawyerProfile]:
    """Lawyers who mediate for the organisations in scope (a mediator membership in one of them
    or above them), active or not: a lawyer who left still has the period's work."""
    return LawyerProfile.objects.filter(
        user__memberships__role=Role.MEDIATOR, user__memberships__organization_id__in=scope.district_ids
    ).distinct()


def workload_by_lawyer(*, scope: WorkloadScope, date_from: dt.date, date_to: dt.date) -> list[dict[str, Any]]:
    """One row per lawyer: name, licence number, firm and the figures (FIGURES). One query."""
    figures = _figures(scope=scope, date_from=date_from, date_to=date_to, via="user")
    users = (
        User.objects.filter(lawyer_profile__in=_lawyers(scope))
        .annotate(**figures)
        .values("full_name", "username", "lawyer_profile__licence_number", "lawyer_profile__firm__name", *FIGURES)
        .order_by("lawyer_profile__firm__name", "username")
    )
    return [
        {
            "name": row["full_name"] or row["username"],
            "licence_number": row["lawyer_profile__licence_number"],
            "firm": row["lawyer_profile__firm__name"],
            **{key: row[key] for key in FIGURES},
        }
        for row in users
    ]


def workload_by_firm(*, scope: WorkloadScope, date_from: dt.date, date_to: dt.date) -> list[dict[str, Any]]:
    """One row per law firm with a lawyer in scope: the firm's name, lawyers and figures (a case
    two of its lawyers mediated counts once). One query."""
    figures = _figures(scope=scope, date_from=date_from, date_to=date_to, via="user__lawyer_profile__firm")
    firms = (
        LawFirm.objects.filter(lawyers__in=_lawyers(scope))
        .distinct()
        .annotate(lawyers_count=_count(_lawyers(scope), "firm"), **figures)
        .values("name", "lawyers_count", *FIGURES)
        .order_by("name")
    )
    return [dict(row) for row in firms]


def workload_report(*, scope: WorkloadScope, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """The page, the spreadsheet and the API: lawyers, firms and the firms' totals."""
    lawyers = workload_by_lawyer(scope=scope, date_from=date_from, date_to=date_to)
    firms = workload_by_firm(scope=scope, date_from=date_from, date_to=date_to)
    totals: dict[str, Any] = {
        key: sum((row[key] for row in firms), Decimal("0.00") if key == "amount_recovered" else 0) for key in FIGURES
    }
    return {"from": date_from, "to": date_to, "lawyers": lawyers, "firms": firms, "totals": totals}
