"""Export of a case list to XLSX, written through core.xlsx (never a formula, money numeric).

`case_list_xlsx(cases=...)` takes a queryset the caller has already scoped to the user
(cases.selectors.case_list) and costs two queries per 2,000 cases: the cases with their
organisation and three money sums computed by the database (the same definitions as the
statistics, reports.selectors), and the parties of all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import vocab as case_vocab
from cases.models import Case, CaseParty, ClaimItem
from core.xlsx import workbook_bytes
from mediation import vocab as mediation_vocab
from mediation.models import Obligation, PaymentRecord
from reports.selectors import _sum_per_case


def _headers() -> list[str]:
    return [
        _("案号"),
        _("登记号"),
        _("调解组织"),
        _("状态"),
        _("争议类型"),
        _("申请人"),
        _("被申请人"),
        _("登记日期"),
        _("受理日期"),
        _("结案日期"),
        _("请求金额（元）"),
        _("协议金额（元）"),
        _("挽回金额（元）"),
    ]


WIDTHS = [30, 26, 28, 18, 22, 24, 30, 12, 12, 12, 16, 16, 16]


def case_list_export_queryset(cases: QuerySet[Case]) -> QuerySet[Case]:
    """`cases` with what the export shows: sums per case from the database (claimed: claims;
    agreed: payment obligations of the effective agreement; recovered: every payment, all
    channels) and the parties prefetched in one query."""
    parties = CaseParty.objects.select_related("person", "employer").order_by("side", "id")
    return (
        cases.select_related("organization")
        .annotate(
            export_claimed=_sum_per_case(ClaimItem.objects.filter(amount__isnull=False), "case"),
            export_agreed=_sum_per_case(
                Obligation.objects.filter(
                    kind=mediation_vocab.ObligationKind.PAYMENT,
                    agreement__status=mediation_vocab.AgreementStatus.EFFECTIVE,
                    amount__isnull=False,
                ),
                "agreement__case",
            ),
            export_recovered=_sum_per_case(PaymentRecord.objects.all(), "obligation__agreement__case"),
        )
        .prefetch_related(Prefetch("parties", queryset=parties, to_attr="export_parties"))
    )


def _local_date(value: Any) -> Any:
    return timezone.localdate(value) if value else None


def _names(case: Case, side: str) -> str:
    # Names as the case pages show them (core.masking masks ID numbers and phones, which are
    # not exported at all; names are shown in full to everyone who may read the case).
    return "、".join(p.name for p in getattr(case, "export_parties", []) if p.side == side)


def case_rows(cases: QuerySet[Case]) -> Iterator[list[Any]]:
    for case in case_list_export_queryset(cases).iterator(chunk_size=2000):
        yield [
            case.case_number or "",
            case.registry_number,
            case.organization.name,
            case.get_status_display(),
            case.get_dispute_type_display(),
            _names(case, case_vocab.Side.APPLICANT),
            _names(case, case_vocab.Side.RESPONDENT),
            _local_date(case.received_at),
            _local_date(case.accepted_at),
            _local_date(case.closed_at),
            case.export_claimed,  # type: ignore[attr-defined]
            case.export_agreed,  # type: ignore[attr-defined]
            case.export_recovered,  # type: ignore[attr-defined]
        ]


def case_list_xlsx(*, cases: QuerySet[Case]) -> bytes:
    """The case list as an .xlsx file (one sheet 案件列表)."""
    return workbook_bytes(title=_("案件列表"), headers=_headers(), rows=case_rows(cases), widths=WIDTHS)
