"""GET /api/v1/workload/?from=&to=: the workload of lawyer mediators and their firms
(reports.workload, docs/lawyers.md), for directors and auditors."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ApiView, DateField, MoneyField, error_responses
from core.exceptions import ApplicationError, PermissionDeniedError
from reports.workload import workload_report, workload_scope


def _serializer(name: str, fields: dict[str, Any], doc: str) -> type[serializers.Serializer]:
    """A serializer whose field names may be Python keywords ("from", "to")."""
    return type(name, (serializers.Serializer,), {"__doc__": doc, "__module__": __name__, **fields})


def _figures() -> dict[str, serializers.Field]:
    return {
        "duty_days": serializers.IntegerField(help_text="值班天数（值班表记录数）"),
        "cases_accepted": serializers.IntegerField(help_text="期间内受理、本人为指派调解员的案件数"),
        "sessions_held": serializers.IntegerField(help_text="期间内已举行的调解会议数"),
        "cases_closed": serializers.IntegerField(help_text="期间内结案审批通过的案件数"),
        "cases_settled": serializers.IntegerField(help_text="期间内调解成功（协议生效）的案件数"),
        "amount_recovered": MoneyField(help_text="期间内登记的履行付款合计（挽回经济损失）"),
    }


WorkloadLawyerSerializer = _serializer(
    "WorkloadLawyer",
    {
        "name": serializers.CharField(),
        "licence_number": serializers.CharField(help_text="律师执业证号"),
        "firm": serializers.CharField(help_text="律师事务所"),
        **_figures(),
    },
    "一名律师调解员的工作量。",
)
WorkloadFirmSerializer = _serializer(
    "WorkloadFirm",
    {"name": serializers.CharField(), "lawyers_count": serializers.IntegerField(), **_figures()},
    "一家律师事务所的工作量（本所律师共同调解的案件只计一次）。",
)
WorkloadTotalsSerializer = _serializer("WorkloadTotals", _figures(), "各律师事务所合计。")


class WorkloadApi(ApiView):
    FilterSerializer = _serializer(
        "WorkloadFilter",
        {
            "from": DateField(help_text="起始日期（北京时间，含）"),
            "to": DateField(help_text="截止日期（北京时间，含）"),
        },
        "期间。",
    )
    OutputSerializer = _serializer(
        "WorkloadOutput",
        {
            "from": DateField(),
            "to": DateField(),
            "lawyers": WorkloadLawyerSerializer(many=True),
            "firms": WorkloadFirmSerializer(many=True),
            "totals": WorkloadTotalsSerializer(),
        },
        "律师调解员工作量（docs/lawyers.md）。不含当事人姓名。",
    )

    @extend_schema(
        operation_id="workload_retrieve",
        summary="律师调解员工作量",
        description=(
            "按律师和律师事务所统计期间内的值班天数、受理、调解次数、结案、调解成功和挽回金额，"
            "用于购买服务结算。仅限中心主任和督导审计，范围为其所在组织及下级组织的案件。"
        ),
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        scope = workload_scope(request.user)
        if scope is None:
            raise PermissionDeniedError(_("只有中心主任和督导审计可以查看律师工作量。"))
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        date_from, date_to = filters.validated_data["from"], filters.validated_data["to"]
        if date_from > date_to:
            message = _("起始日期不能晚于截止日期。")
            raise ApplicationError(message, fields={"from": [message]})
        report = workload_report(scope=scope, date_from=date_from, date_to=date_to)
        return Response(self.OutputSerializer(report).data)
