"""Standard reports (DOMAIN.md §10.4 items 1-4; docs/statistics.md "Standard reports").

Each builder returns a `Report`: a title, the scope and period, and tables of short cells
(counts, amounts, dates, codes, labels — never text a user typed). The same `Report` is
shown as a page, written as XLSX (core.xlsx: money stays numeric) and as an A4 PDF
(documents.rendering), and served as JSON by GET /api/v1/reports/{kind}/.

- periodic (月报/季报/年报): a centre with its towns — the stock-and-flow table per
  organisation, outcomes, amounts, dispute types, recovery channels, transfers and months,
  every figure from reports.selectors.case_stats / open_case_count;
- court (诉调对接) and arbitration (裁调对接): transfers to the court (or the arbitration
  commission) by type and outcome, money recovered through that channel (case_stats
  by_channel) and the cases the court (or commission) referred (委派/委托) by outcome;
- compliance (期限执行情况): per case, the acceptance decision against acceptance_due_on
  (3 working days) and the outcome against mediation_due_on (15 days + extensions).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts.models import Organization
from cases import vocab as case_vocab
from cases.models import Case
from core.xlsx import clean_text, write_rows
from linkage import vocab as linkage_vocab
from linkage.models import Transfer
from mediation import vocab as mediation_vocab
from reports.dashboard import Progress, month_rows, organization_rows
from reports.selectors import BEIJING, OUTCOMES, _outcome_expression, attributed_q, case_stats, period_bounds

KINDS = ("periodic", "court", "arbitration", "compliance")

Cell = str | int | Decimal | dt.date | None


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class Report:
    kind: str
    title: str
    organization: str
    organization_code: str
    date_from: dt.date
    date_to: dt.date
    include_children: bool
    generated_at: dt.datetime
    tables: list[Table]
    notes: list[str] = field(default_factory=list)


def kind_titles() -> dict[str, str]:
    return {
        "periodic": _("劳动争议调解工作统计报表"),
        "court": _("诉调对接情况报表"),
        "arbitration": _("裁调对接情况报表"),
        "compliance": _("办案期限执行情况清单"),
    }


def outcome_labels() -> dict[str, str]:
    return {
        "settled": _("调解成功"),
        "terminated": _("调解不成"),
        "withdrawn": _("撤回"),
        "rejected": _("不予受理"),
        "in_progress": _("办理中"),
    }


def _money(value: str) -> Decimal:
    return Decimal(value)


def _amounts(bucket: dict[str, Any]) -> list[Cell]:
    return [
        bucket["cases"],
        bucket["workers_involved"],
        _money(bucket["amount_claimed"]),
        _money(bucket["amount_agreed"]),
        _money(bucket["amount_recovered"]),
    ]


def _bucket_headers(first: str) -> list[str]:
    return [first, _("案件数"), _("涉及职工人数"), _("请求金额（元）"), _("协议金额（元）"), _("挽回金额（元）")]


def _scope(organization: Organization, include_children: bool) -> list[int]:
    return organization.subtree_ids() if include_children else [organization.pk]


# --- 1. 月报/季报/年报 -------------------------------------------------------------------------


def _flow_row(name: str, stats: dict[str, Any], flow: dict[str, Any]) -> list[Cell]:
    return [
        name,
        flow["opening"],
        stats["cases_received"],
        stats["cases_accepted"],
        stats["by_outcome"]["rejected"]["cases"],
        stats["cases_closed"],
        flow["closing"],
        stats["workers_involved"],
    ]


def _transfer_table(*, org_ids: list[int], date_from: dt.date, date_to: dt.date) -> Table:
    rows = (
        Transfer.objects.filter(case__organization_id__in=org_ids, sent_on__range=(date_from, date_to))
        .values("transfer_type")
        .annotate(sent=Count("pk"), done=Count("pk", filter=Q(status=linkage_vocab.TransferStatus.OUTCOME_RECORDED)))
        .order_by()
    )
    counts = {row["transfer_type"]: row for row in rows}
    table = Table(_("移送联动单位（按移送日期）"), [_("移送类型"), _("移送件数"), _("已反馈结果")])
    for value, label in linkage_vocab.TransferType.choices:
        row = counts.get(value, {"sent": 0, "done": 0})
        table.rows.append([str(label), row["sent"], row["done"]])
    return table


def periodic_report(
    *,
    organization: Organization,
    date_from: dt.date,
    date_to: dt.date,
    include_children: bool,
    progress: Progress | None = None,
) -> list[Table]:
    stats = case_stats(
        organization=organization, date_from=date_from, date_to=date_to, include_children=include_children
    )
    orgs = organization_rows(
        organization=organization,
        date_from=date_from,
        date_to=date_to,
        include_children=include_children,
        progress=progress,
    )
    flow_headers = [
        _("调解组织"),
        _("上期未结"),
        _("收案"),
        _("受理"),
        _("不予受理"),
        _("结案"),
        _("期末未结"),
        _("涉及职工人数"),
    ]
    flows = Table(_("收结案情况（期末未结 = 上期未结 + 受理 − 结案）"), flow_headers)
    flows.rows = [_flow_row(row["name"], row["stats"], row["flow"]) for row in orgs]
    if include_children and len(orgs) > 1:
        opening = sum(row["flow"]["opening"] for row in orgs)
        closing = sum(row["flow"]["closing"] for row in orgs)
        flows.rows.append(_flow_row(_("合计"), stats, {"opening": opening, "closing": closing}))

    outcomes = Table(_("处理结果"), _bucket_headers(_("处理结果")))
    labels = outcome_labels()
    outcomes.rows = [[labels[key], *_amounts(stats["by_outcome"][key])] for key in OUTCOMES]
    total = {"cases": sum(b["cases"] for b in stats["by_outcome"].values())} | {
        key: stats[key] for key in ("workers_involved", "amount_claimed", "amount_agreed", "amount_recovered")
    }
    outcomes.rows.append([_("合计"), *_amounts(total)])
    outcomes.rows.append([_("调解成功率（%）"), f"{Decimal(stats['success_rate']) * 100:.2f}", None, None, None, None])

    by_org = Table(_("按调解组织"), _bucket_headers(_("调解组织")))
    names = {row["code"]: row["name"] for row in orgs}
    by_org.rows = [[names.get(code, code), *_amounts(b)] for code, b in stats["by_organization"].items()]

    dispute_labels = dict(case_vocab.DisputeType.choices)
    disputes = Table(_("按争议类型"), _bucket_headers(_("争议类型")))
    disputes.rows = [
        [str(dispute_labels.get(code, code)), *_amounts(b)] for code, b in stats["by_dispute_type"].items()
    ]

    channel_labels = dict(mediation_vocab.RecoveryChannel.choices)
    channels = Table(_("挽回经济损失（按渠道）"), [_("渠道"), _("金额（元）")])
    channels.rows = [[str(channel_labels.get(k, k)), _money(v)] for k, v in stats["by_channel"].items()]
    channels.rows.append([_("合计"), _money(stats["amount_recovered"])])

    org_ids = _scope(organization, include_children)
    tables = [
        flows,
        outcomes,
        by_org,
        disputes,
        channels,
        _transfer_table(org_ids=org_ids, date_from=date_from, date_to=date_to),
    ]
    months = month_rows(
        organization=organization, date_from=date_from, date_to=date_to, include_children=include_children
    )
    if len(months) > 1:
        by_month = Table(
            _("按月份"),
            [_("月份"), _("收案"), _("受理"), _("结案"), _("涉及职工人数"), _("请求金额（元）"), _("挽回金额（元）")],
        )
        by_month.rows = [
            [
                m["label"],
                m["stats"]["cases_received"],
                m["stats"]["cases_accepted"],
                m["stats"]["cases_closed"],
                m["stats"]["workers_involved"],
                _money(m["stats"]["amount_claimed"]),
                _money(m["stats"]["amount_recovered"]),
            ]
            for m in months
        ]
        tables.append(by_month)
    return tables


# --- 2/3. 诉调对接 / 裁调对接 ---------------------------------------------------------------------


@dataclass(frozen=True)
class Linkage:
    agency_kind: str
    channel: str
    sources: tuple[str, ...]


LINKAGES = {
    "court": Linkage("court", "court", ("court_prefiling", "court_in_litigation")),
    "arbitration": Linkage("arbitration", "arbitration", ("arbitration_entrusted",)),
}


def _transfer_outcome_label(status: str, outcome: str) -> str:
    if status == linkage_vocab.TransferStatus.OUTCOME_RECORDED and outcome:
        return str(linkage_vocab.TransferOutcome(outcome).label)
    return str(linkage_vocab.TransferStatus(status).label)


def linkage_report(
    *,
    kind: str,
    organization: Organization,
    date_from: dt.date,
    date_to: dt.date,
    include_children: bool,
    progress: Progress | None = None,
) -> list[Table]:
    linkage = LINKAGES[kind]
    org_ids = _scope(organization, include_children)
    sent = (
        Transfer.objects.filter(
            case__organization_id__in=org_ids,
            agency__kind=linkage.agency_kind,
            sent_on__range=(date_from, date_to),
        )
        .values("transfer_type", "status", "outcome")
        .annotate(n=Count("pk"))
        .order_by("transfer_type", "status", "outcome")
    )
    transfers = Table(_("移送情况（按移送日期；结果为截至报表生成时）"), [_("移送类型"), _("办理结果"), _("件数")])
    for row in sent:
        transfers.rows.append(
            [
                str(linkage_vocab.TransferType(row["transfer_type"]).label),
                _transfer_outcome_label(row["status"], row["outcome"]),
                row["n"],
            ]
        )
    transfers.rows.append([_("合计"), None, sum(row["n"] for row in sent)])
    if progress:
        progress(1, 3)

    stats = case_stats(
        organization=organization, date_from=date_from, date_to=date_to, include_children=include_children
    )
    channel_label = str(mediation_vocab.RecoveryChannel(linkage.channel).label)
    recovered = Table(_("通过该渠道挽回经济损失"), [_("渠道"), _("金额（元）"), _("占挽回总额（%）")])
    amount, whole = _money(stats["by_channel"][linkage.channel]), _money(stats["amount_recovered"])
    share = f"{amount * 100 / whole:.2f}" if whole else "0.00"
    recovered.rows = [[channel_label, amount, share], [_("挽回经济损失合计"), whole, None]]
    if progress:
        progress(2, 3)

    start, end = period_bounds(date_from, date_to)
    cases = Case.objects.filter(organization_id__in=org_ids, source__in=linkage.sources).order_by()
    received = dict(
        cases.filter(received_at__gte=start, received_at__lt=end)
        .values("source")
        .annotate(n=Count("pk"))
        .values_list("source", "n")
    )
    outcomes: dict[str, dict[str, int]] = defaultdict(dict)
    for row in (
        cases.filter(attributed_q(start=start, end=end))
        .annotate(outcome=_outcome_expression())
        .values("source", "outcome")
        .annotate(n=Count("pk"))
    ):
        outcomes[row["source"]][row["outcome"]] = row["n"]
    labels = outcome_labels()
    referred = Table(
        _("委派/委托案件（收案按收到申请日期，结果按受理日期计入本期的案件）"),
        [_("案件来源"), _("收案"), *(labels[key] for key in OUTCOMES), _("调解成功率（%）")],
    )
    for source in linkage.sources:
        counts = outcomes.get(source, {})
        settled = counts.get("settled", 0)
        decided = settled + counts.get("terminated", 0) + counts.get("withdrawn", 0)
        rate = f"{Decimal(settled) * 100 / decided:.2f}" if decided else "0.00"
        referred.rows.append(
            [
                str(case_vocab.CaseSource(source).label),
                received.get(source, 0),
                *(counts.get(key, 0) for key in OUTCOMES),
                rate,
            ]
        )
    if progress:
        progress(3, 3)
    return [transfers, recovered, referred]


# --- 4. 期限执行情况 ------------------------------------------------------------------------------


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return value.astimezone(BEIJING).date() if value else None


def _check(due: dt.date, done: dt.date | None, today: dt.date) -> tuple[int, str]:
    """(days over, verdict) of one deadline."""
    if done is not None:
        over = (done - due).days
        return max(over, 0), _("按期") if over <= 0 else _("超期")
    over = (today - due).days
    return max(over, 0), _("未到期") if over <= 0 else _("超期未办结")


def compliance_report(
    *,
    organization: Organization,
    date_from: dt.date,
    date_to: dt.date,
    include_children: bool,
    progress: Progress | None = None,
) -> list[Table]:
    org_ids = _scope(organization, include_children)
    start, end = period_bounds(date_from, date_to)
    today = timezone.localdate()
    codes = dict(Organization.objects.filter(pk__in=org_ids).values_list("pk", "code"))
    fields = (
        "pk",
        "organization_id",
        "case_number",
        "registry_number",
        "received_at",
        "acceptance_due_on",
        "accepted_at",
        "mediation_due_on",
        "extension_days",
        "outcome_at",
    )
    base = Case.objects.filter(organization_id__in=org_ids).order_by("received_at", "pk")
    received = list(
        base.filter(received_at__gte=start, received_at__lt=end, acceptance_due_on__isnull=False).values(*fields)
    )
    accepted = list(
        base.filter(accepted_at__gte=start, accepted_at__lt=end, mediation_due_on__isnull=False).values(*fields)
    )
    headers = [
        _("案号"),
        _("调解组织"),
        _("检查事项"),
        _("起算日期"),
        _("期限"),
        _("办结日期"),
        _("超期天数"),
        _("结论"),
    ]
    detail = Table(_("逐案清单"), headers)
    summary: dict[str, dict[str, int]] = {"acceptance": defaultdict(int), "mediation": defaultdict(int)}
    for row in received:
        done = _local_date(row["accepted_at"]) or _local_date(row["outcome_at"])
        over, verdict = _check(row["acceptance_due_on"], done, today)
        summary["acceptance"][verdict] += 1
        detail.rows.append(
            [
                row["case_number"] or row["registry_number"] or f"#{row['pk']}",
                codes.get(row["organization_id"], ""),
                _("受理审查（3个工作日）"),
                _local_date(row["received_at"]),
                row["acceptance_due_on"],
                done,
                over,
                verdict,
            ]
        )
    if progress:
        progress(1, 2)
    for row in accepted:
        done = _local_date(row["outcome_at"])
        over, verdict = _check(row["mediation_due_on"], done, today)
        summary["mediation"][verdict] += 1
        label = _("调解期限（15日）")
        if row["extension_days"]:
            label = _("调解期限（15日，延期%(days)d日）") % {"days": row["extension_days"]}
        detail.rows.append(
            [
                row["case_number"] or row["registry_number"] or f"#{row['pk']}",
                codes.get(row["organization_id"], ""),
                label,
                _local_date(row["accepted_at"]),
                row["mediation_due_on"],
                done,
                over,
                verdict,
            ]
        )
    verdicts = [_("按期"), _("超期"), _("超期未办结"), _("未到期")]
    overview = Table(_("汇总"), [_("检查事项"), _("件数"), *verdicts])
    for key, label in (("acceptance", _("受理审查（3个工作日）")), ("mediation", _("调解期限（15日+延期）"))):
        counts = summary[key]
        overview.rows.append([label, sum(counts.values()), *(counts.get(v, 0) for v in verdicts)])
    if progress:
        progress(2, 2)
    return [overview, detail]


# --- the report ---------------------------------------------------------------------------------


def build_report(
    *,
    kind: str,
    organization: Organization,
    date_from: dt.date,
    date_to: dt.date,
    include_children: bool,
    progress: Progress | None = None,
) -> Report:
    params: dict[str, Any] = {
        "organization": organization,
        "date_from": date_from,
        "date_to": date_to,
        "include_children": include_children,
        "progress": progress,
    }
    if kind == "periodic":
        tables = periodic_report(**params)
    elif kind in LINKAGES:
        tables = linkage_report(kind=kind, **params)
    elif kind == "compliance":
        tables = compliance_report(**params)
    else:
        raise ValueError(kind)
    notes = [
        _("期间按北京时间日期计，含首尾两日。受理、结案按受理时间、结案时间计入；不予受理的案件按收到申请时间计入。"),
        _("金额为报表生成时的数字：计入本期的案件此后登记的付款会使挽回金额增加。"),
    ]
    if kind == "compliance":
        notes = [
            _("受理审查：收到申请时间在本期的案件，受理（或不予受理、撤回）日期与受理审查期限比较。"),
            _("调解期限：受理时间在本期的案件，调解结果日期与调解期限（15日，含批准的延期）比较。"),
            _("未办结的案件以报表生成当日计算超期天数。"),
        ]
    return Report(
        kind=kind,
        title=kind_titles()[kind],
        organization=organization.name,
        organization_code=organization.code,
        date_from=date_from,
        date_to=date_to,
        include_children=include_children,
        generated_at=timezone.now(),
        tables=tables,
        notes=notes,
    )


# --- outputs ------------------------------------------------------------------------------------


def _json_cell(value: Cell) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def report_json(report: Report) -> dict[str, Any]:
    """The report as JSON: amounts as strings with 2 decimals, dates ISO."""
    return {
        "kind": report.kind,
        "title": report.title,
        "organization": report.organization_code,
        "organization_name": report.organization,
        "from": report.date_from.isoformat(),
        "to": report.date_to.isoformat(),
        "include_children": report.include_children,
        "generated_at": report.generated_at.astimezone(BEIJING).isoformat(timespec="seconds"),
        "tables": [
            {"title": t.title, "headers": t.headers, "rows": [[_json_cell(c) for c in row] for row in t.rows]}
            for t in report.tables
        ],
        "notes": report.notes,
    }


def report_subtitle(report: Report) -> str:
    scope = _("（含下级组织）") if report.include_children else ""
    return f"{report.organization}{scope}　{report.date_from.isoformat()} — {report.date_to.isoformat()}"


def report_xlsx(report: Report) -> bytes:
    """One sheet: the title, the scope and period, then each table under its own title.
    Amounts are numbers (core.xlsx), counts integers, dates dates."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = clean_text(report.title)[:31]
    bold = Font(bold=True)
    number = write_rows(sheet, [[report.title], [report_subtitle(report)]])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    width = 0
    for table in report.tables:
        number += 1
        sheet.cell(row=number, column=1).font = bold
        number = write_rows(sheet, [[table.title]], start_row=number)
        for column in range(1, len(table.headers) + 1):
            sheet.cell(row=number, column=column).font = bold
        number = write_rows(sheet, [table.headers, *table.rows], start_row=number)
        width = max(width, len(table.headers))
    number += 1
    write_rows(sheet, [[note] for note in report.notes], start_row=number)
    sheet.column_dimensions["A"].width = 28
    for column in range(2, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_pdf(report: Report) -> bytes:
    """The A4 PDF (templates/reports/pdf/report.html, the documents' print stylesheet)."""
    from documents.rendering import html_to_pdf, render_html

    html = render_html("reports/pdf/report.html", {"report": report, "subtitle": report_subtitle(report)})
    return html_to_pdf(html).pdf


def file_name(report: Report, extension: str) -> str:
    return f"{report.title}-{report.organization_code}-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}.{extension}"
