"""Statistics (DOMAIN.md §10, IMPORT_FORMAT.md "Statistics", docs/statistics.md).

`case_stats` computes the figures of one organisation (optionally with its sub-organisations)
for one period in the database: a fixed number of queries whatever the number of cases —
the organisation tree (one query per level), one aggregate of the flow counts and one
grouped aggregate per kind of figure of the cases attributed to the period (cases and
workers; claims; agreed obligations; payments by channel), each a join grouped in the database. Python only folds the grouped rows (organisation x outcome x file type x dispute
type, never one row per case) into the JSON of the contract.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    Case as CaseWhen,
)
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import Organization
from cases import vocab as case_vocab
from cases.models import Case
from cases.workflow import SETTLED_STATES, Status
from mediation import vocab as mediation_vocab

#: Statistics are kept in Beijing time: a period is whole Beijing calendar days.
BEIJING = ZoneInfo("Asia/Shanghai")

OUTCOMES = ("settled", "terminated", "withdrawn", "rejected", "in_progress")
FILE_TYPES = tuple(case_vocab.FileType.values)
DISPUTE_TYPES = tuple(case_vocab.DisputeType.values)
CHANNELS = ("agreement", "court", "arbitration", "inspection")

#: States after an outcome while closure is approved and the file archived; the outcome is
#: then in `pre_closure_status` (the state closure was submitted from).
CLOSURE_STATES = (Status.CLOSING, Status.CLOSED, Status.ARCHIVED)

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)


def period_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in aware datetimes: from 00:00 of `date_from` to 00:00 of the day after
    `date_to`, Beijing time."""
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=BEIJING)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=BEIJING)
    return start, end


def _outcome_is(states: tuple[str, ...]) -> Q:
    """The case is in one of `states`, or closed (closing/closed/archived) from one of them."""
    return Q(status__in=states) | Q(status__in=CLOSURE_STATES, pre_closure_status__in=states)


def _outcome_expression() -> CaseWhen:
    return CaseWhen(
        When(_outcome_is(tuple(SETTLED_STATES)), then=Value("settled")),
        When(_outcome_is((Status.TERMINATED,)), then=Value("terminated")),
        When(_outcome_is((Status.WITHDRAWN,)), then=Value("withdrawn")),
        When(_outcome_is((Status.REJECTED,)), then=Value("rejected")),
        default=Value("in_progress"),
        output_field=CharField(),
    )


def _sum_per_case(queryset: QuerySet[Any], case_path: str) -> Coalesce:
    """Σ amount of `queryset` rows belonging to the outer case (0 when none)."""
    total = (
        queryset.filter(**{case_path: OuterRef("pk")})
        .order_by()
        .values(case_path)
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


_GROUP = ("organization_id", "outcome", "file_type", "dispute_type")


def _grouped_rows(attributed: QuerySet[Case]) -> list[dict[str, Any]]:
    """One row per (organisation, outcome, file type, dispute type) with the cases, workers and
    money of the group. Each kind of money is summed by its own grouped join (claims;
    obligations of effective agreements; payments by channel), so that one join never
    multiplies another's rows and the database aggregates each table once (hash joins), not a
    subquery per case."""
    base = attributed.annotate(outcome=_outcome_expression()).values(*_GROUP).order_by()
    payment = "agreements__obligations__payments"
    parts = [
        base.annotate(cases=Count("pk"), workers=Sum("workers_involved")),
        base.annotate(claimed=Sum("claims__amount", output_field=MONEY)),
        base.annotate(
            agreed=Sum(
                "agreements__obligations__amount",
                filter=Q(
                    agreements__status=mediation_vocab.AgreementStatus.EFFECTIVE,
                    agreements__obligations__kind=mediation_vocab.ObligationKind.PAYMENT,
                ),
                output_field=MONEY,
            )
        ),
        base.annotate(
            **{
                f"recovered_{channel}": Sum(
                    f"{payment}__amount", filter=Q(**{f"{payment}__channel": channel}), output_field=MONEY
                )
                for channel in CHANNELS
            }
        ),
    ]
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for part in parts:
        for row in part:
            merged.setdefault(tuple(row[key] for key in _GROUP), {}).update(row)
    return list(merged.values())


def _scope_ids(organization: Organization, include_children: bool) -> list[int]:
    return organization.subtree_ids() if include_children else [organization.pk]


def _money(value: Decimal | None) -> str:
    return f"{(value or ZERO).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"


def _empty_bucket() -> dict[str, Any]:
    return {"cases": 0, "workers_involved": 0, "claimed": ZERO, "agreed": ZERO, "recovered": ZERO}


def _add(bucket: dict[str, Any], row: dict[str, Any]) -> None:
    bucket["cases"] += row["cases"]
    bucket["workers_involved"] += row["workers"] or 0
    bucket["claimed"] += row["claimed"] or ZERO
    bucket["agreed"] += row["agreed"] or ZERO
    bucket["recovered"] += row["recovered"] or ZERO


def _render(bucket: dict[str, Any]) -> dict[str, Any]:
    return {
        "cases": bucket["cases"],
        "workers_involved": bucket["workers_involved"],
        "amount_claimed": _money(bucket["claimed"]),
        "amount_agreed": _money(bucket["agreed"]),
        "amount_recovered": _money(bucket["recovered"]),
    }


def attributed_q(*, start: dt.datetime, end: dt.datetime) -> Q:
    """The cases attributed to [start, end): accepted in it; rejected cases (never accepted)
    by the time the application was received."""
    in_period_accepted = Q(accepted_at__gte=start, accepted_at__lt=end)
    rejected_received = _outcome_is((Status.REJECTED,)) & Q(received_at__gte=start, received_at__lt=end)
    return in_period_accepted | rejected_received


def case_stats(
    *, organization: Organization, date_from: dt.date, date_to: dt.date, include_children: bool = False
) -> dict[str, Any]:
    """The statistics of IMPORT_FORMAT.md "Statistics" for `organization` (and its
    sub-organisations when `include_children`) over Beijing dates [date_from, date_to]."""
    start, end = period_bounds(date_from, date_to)
    org_ids = _scope_ids(organization, include_children)
    codes = dict(Organization.objects.filter(pk__in=org_ids).order_by("level", "code").values_list("pk", "code"))
    if include_children:  # the organisation asked for first, then the others by level and code
        codes = {organization.pk: organization.code, **codes}
    cases = Case.objects.filter(organization_id__in=org_ids).order_by()

    flows = cases.aggregate(
        received=Count("pk", filter=Q(received_at__gte=start, received_at__lt=end)),
        accepted=Count("pk", filter=Q(accepted_at__gte=start, accepted_at__lt=end)),
        closed=Count("pk", filter=Q(accepted_at__isnull=False, closed_at__gte=start, closed_at__lt=end)),
    )

    rows = _grouped_rows(cases.filter(attributed_q(start=start, end=end)))
    total = _empty_bucket()
    by_outcome = {key: _empty_bucket() for key in OUTCOMES}
    by_file_type = {key: _empty_bucket() for key in FILE_TYPES}
    by_dispute_type = {key: _empty_bucket() for key in DISPUTE_TYPES}
    by_organization = {code: _empty_bucket() for code in codes.values()}
    by_channel = dict.fromkeys(CHANNELS, ZERO)
    for row in rows:  # one row per (organisation, outcome, file type, dispute type) group
        row["recovered"] = sum((row[f"recovered_{channel}"] or ZERO for channel in CHANNELS), ZERO)
        for channel in CHANNELS:
            by_channel[channel] += row[f"recovered_{channel}"] or ZERO
        _add(total, row)
        _add(by_outcome[row["outcome"]], row)
        _add(by_file_type.setdefault(row["file_type"], _empty_bucket()), row)
        _add(by_dispute_type.setdefault(row["dispute_type"], _empty_bucket()), row)
        _add(by_organization[codes[row["organization_id"]]], row)

    settled = by_outcome["settled"]["cases"]
    decided = settled + by_outcome["terminated"]["cases"] + by_outcome["withdrawn"]["cases"]
    rate = (Decimal(settled) / Decimal(decided)) if decided else Decimal(0)
    return {
        "organization": organization.code,
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "cases_received": flows["received"],
        "cases_accepted": flows["accepted"],
        "cases_closed": flows["closed"],
        "workers_involved": total["workers_involved"],
        "amount_claimed": _money(total["claimed"]),
        "amount_agreed": _money(total["agreed"]),
        "amount_recovered": _money(total["recovered"]),
        "success_rate": f"{rate.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP):f}",
        "by_outcome": {key: _render(value) for key, value in by_outcome.items()},
        "by_file_type": {key: _render(value) for key, value in by_file_type.items()},
        "by_dispute_type": {key: _render(value) for key, value in by_dispute_type.items()},
        "by_channel": {key: _money(value) for key, value in by_channel.items()},
        "by_organization": {key: _render(value) for key, value in by_organization.items()},
    }


def open_case_count(*, organization: Organization, on: dt.date, include_children: bool = False) -> int:
    """期末未结: accepted cases not yet closed at the end of Beijing day `on` (the stock of the
    stock-and-flow identity 期末未结 = 上期未结 + 本期受理 − 本期结案)."""
    _, end = period_bounds(on, on)
    return (
        Case.objects.filter(organization_id__in=_scope_ids(organization, include_children), accepted_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        .count()
    )
