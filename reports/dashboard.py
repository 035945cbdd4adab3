"""The statistics dashboard (/reports/) and the helpers the standard reports share: who may
read them and which organisations they may pick, the period presets, and the figures per
organisation and per month — all read from `reports.selectors.case_stats` and
`open_case_count`, never counted a second time here (docs/statistics.md "Dashboard").
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from accounts.access import active_memberships
from accounts.models import Organization, Role
from cases import vocab as case_vocab
from cases.consultations import consultation_stats
from core.api import EARLIEST, LATEST
from mediation import vocab as mediation_vocab
from reports.selectors import case_stats, open_case_count

#: Roles that read the dashboard and the standard reports of an organisation (and below it).
REPORT_ROLES = frozenset({Role.DIRECTOR, Role.AUDITOR})
PRESETS = ("month", "quarter", "year", "custom")
#: Periods longer than this many months are generated in the background on the web pages.
INLINE_MONTHS = 3
#: The by-month table shows at most this many months; longer periods are shown by year.
MAX_MONTH_ROWS = 36

Progress = Callable[[int, int], None]


def report_organizations(user: Any) -> list[Organization]:
    """Organisations the user may report on: those where they are director or auditor, and
    every organisation below them, ordered by level and code."""
    roots = [m.organization for m in active_memberships(user) if m.role in REPORT_ROLES and m.organization]
    ids: set[int] = set()
    for org in roots:
        ids.update(org.subtree_ids())
    return list(Organization.objects.filter(pk__in=ids).order_by("level", "code"))


def report_organization(organizations: list[Organization], code: str | None) -> Organization:
    """The picked organisation among `organizations` (the first when none is asked for); any
    other code — a sibling town, an unknown code — is a 404."""
    if not code:
        return organizations[0]
    for org in organizations:
        if org.code == code:
            return org
    raise Http404


# --- periods -------------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def preset_period(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """This month, quarter or year (whole, ending after today when it is not over)."""
    if preset == "year":
        return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    if preset == "quarter":
        first = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        return first, add_months(first, 3) - dt.timedelta(days=1)
    first = today.replace(day=1)
    return first, add_months(first, 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    preset: str
    date_from: dt.date
    date_to: dt.date


def parse_period(params: Any, today: dt.date) -> tuple[Period, str | None]:
    """The period of a query string: ?period=month|quarter|year, or ?period=custom&from=&to=
    (a from/to without a preset is custom too). Returns the period and an error, if any."""
    preset = params.get("period") or ("custom" if params.get("from") or params.get("to") else "month")
    if preset not in PRESETS:
        preset = "month"
    if preset != "custom":
        date_from, date_to = preset_period(preset, today)
        return Period(preset, date_from, date_to), None
    default_from, default_to = preset_period("month", today)
    try:
        date_from = dt.date.fromisoformat(params.get("from") or default_from.isoformat())
        date_to = dt.date.fromisoformat(params.get("to") or default_to.isoformat())
    except ValueError:
        return Period(preset, default_from, default_to), _("日期格式应为 YYYY-MM-DD。")
    period = Period(preset, date_from, date_to)
    if date_from > date_to:
        return period, _("起始日期不能晚于截止日期。")
    if not (EARLIEST <= date_from and date_to <= LATEST):
        return period, _("日期应在 1900-01-01 至 2099-12-31 之间。")
    return period, None


def is_long(date_from: dt.date, date_to: dt.date) -> bool:
    """Longer than INLINE_MONTHS months: generated in the background on the web pages."""
    return date_to >= add_months(date_from, INLINE_MONTHS)


def month_slices(date_from: dt.date, date_to: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """(label, first, last) per calendar month of the period, clipped to it; per year when the
    period spans more than MAX_MONTH_ROWS months."""
    slices: list[tuple[str, dt.date, dt.date]] = []
    by_year = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1 > MAX_MONTH_ROWS
    start = date_from
    while start <= date_to:
        if by_year:
            end = min(dt.date(start.year, 12, 31), date_to)
            label = f"{start.year}"
        else:
            end = min(add_months(start.replace(day=1), 1) - dt.timedelta(days=1), date_to)
            label = f"{start.year}-{start.month:02d}"
        slices.append((label, start, end))
        start = end + dt.timedelta(days=1)
    return slices


# --- figures read from the selector ----------------------------------------------------------------


def stock_and_flow(
    *, organization: Organization, date_from: dt.date, date_to: dt.date, include_children: bool, stats: dict[str, Any]
) -> dict[str, int]:
    """期初未结 + 本期受理 − 本期结案 = 期末未结, with the flows of `stats` (case_stats of the
    same scope and period) and the stocks of open_case_count; `balanced` is the self-check."""
    opening = open_case_count(
        organization=organization, on=date_from - dt.timedelta(days=1), include_children=include_children
    )
    closing = open_case_count(organization=organization, on=date_to, include_children=include_children)
    return {
        "opening": opening,
        "accepted": stats["cases_accepted"],
        "closed": stats["cases_closed"],
        "closing": closing,
        "balanced": opening + stats["cases_accepted"] - stats["cases_closed"] == closing,
    }


def organization_rows(
    *,
    organization: Organization,
    date_from: dt.date,
    date_to: dt.date,
    include_children: bool,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """One row per organisation of the scope (the one asked for first, then its sub-
    organisations by level and code): case_stats of that organisation alone, with its stock."""
    orgs = [organization]
    if include_children:
        others = Organization.objects.filter(pk__in=organization.subtree_ids()).exclude(pk=organization.pk)
        orgs += list(others.order_by("level", "code"))
    rows = []
    for number, org in enumerate(orgs, start=1):
        stats = case_stats(organization=org, date_from=date_from, date_to=date_to, include_children=False)
        flow = stock_and_flow(
            organization=org, date_from=date_from, date_to=date_to, include_children=False, stats=stats
        )
        rows.append({"code": org.code, "name": org.name, "stats": stats, "flow": flow})
        if progress:
            progress(number, len(orgs))
    return rows


def month_rows(
    *, organization: Organization, date_from: dt.date, date_to: dt.date, include_children: bool
) -> list[dict[str, Any]]:
    """case_stats of each month (or year) of the period."""
    return [
        {
            "label": label,
            "from": start,
            "to": end,
            "stats": case_stats(
                organization=organization, date_from=start, date_to=end, include_children=include_children
            ),
        }
        for label, start, end in month_slices(date_from, date_to)
    ]


def _bars(items: list[tuple[str, str, Any]], value: Callable[[Any], Decimal]) -> list[dict[str, Any]]:
    """(key, label, data) rows with a bar width in percent of the largest value."""
    largest = max((value(data) for _key, _label, data in items), default=Decimal(0))
    return [
        {
            "key": key,
            "label": label,
            "data": data,
            "width": int(value(data) * 100 / largest) if largest else 0,
        }
        for key, label, data in items
    ]


def dashboard_data(
    *, organization: Organization, date_from: dt.date, date_to: dt.date, include_children: bool
) -> dict[str, Any]:
    """Everything the dashboard shows; `stats` is case_stats of the scope and period as is."""
    stats = case_stats(
        organization=organization, date_from=date_from, date_to=date_to, include_children=include_children
    )
    flow = stock_and_flow(
        organization=organization,
        date_from=date_from,
        date_to=date_to,
        include_children=include_children,
        stats=stats,
    )
    towns = organization_rows(
        organization=organization, date_from=date_from, date_to=date_to, include_children=include_children
    )
    months = month_rows(
        organization=organization, date_from=date_from, date_to=date_to, include_children=include_children
    )
    dispute_labels = dict(case_vocab.DisputeType.choices)
    channel_labels = dict(mediation_vocab.RecoveryChannel.choices)
    # Consultations (咨询) are counted apart from the cases (docs/intake.md "Statistics").
    consultations = consultation_stats(
        organization=organization, date_from=date_from, date_to=date_to, include_children=include_children
    )
    consultation_labels = dict(case_vocab.ConsultationChannel.choices)
    return {
        "consultations": consultations,
        "consultation_channels": _bars(
            [(code, str(consultation_labels.get(code, code)), n) for code, n in consultations["by_channel"].items()],
            Decimal,
        ),
        "stats": stats,
        "flow": flow,
        "success_percent": Decimal(stats["success_rate"]) * 100,
        "towns": _bars([(r["code"], r["name"], r) for r in towns], lambda r: Decimal(r["stats"]["cases_accepted"])),
        "months": _bars([(m["label"], m["label"], m) for m in months], lambda m: Decimal(m["stats"]["cases_accepted"])),
        "dispute_types": _bars(
            [(code, str(dispute_labels.get(code, code)), b) for code, b in stats["by_dispute_type"].items()],
            lambda b: Decimal(b["cases"]),
        ),
        "channels": _bars(
            [(code, str(channel_labels.get(code, code)), amount) for code, amount in stats["by_channel"].items()],
            Decimal,
        ),
    }
