"""GET /api/v1/reports/{kind}/: the standard reports (reports.standard; docs/statistics.md
"Standard reports") as JSON, XLSX or PDF, for directors and auditors of the organisation or
of an organisation above it. Built synchronously (the web pages build long periods in the
background; an API client waits for the answer)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import roles_for_organization
from accounts.models import Organization
from core.api import ApiView, DateField, error_responses
from core.exceptions import ApplicationError, PermissionDeniedError
from reports import standard
from reports.dashboard import REPORT_ROLES, report_organizations

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"


def _serializer(name: str, fields: dict[str, Any], doc: str) -> type[serializers.Serializer]:
    """A serializer whose field names may be Python keywords ("from", "to")."""
    return type(name, (serializers.Serializer,), {"__doc__": doc, "__module__": __name__, **fields})


ReportTableSerializer = _serializer(
    "StandardReportTable",
    {
        "title": serializers.CharField(),
        "headers": serializers.ListField(child=serializers.CharField()),
        "rows": serializers.ListField(
            child=serializers.ListField(child=serializers.JSONField()),
            help_text="每行的单元格：计数为整数，金额为两位小数的字符串，日期为 YYYY-MM-DD，空为 null",
        ),
    },
    "报表中的一张表。",
)


class StandardReportApi(ApiView):
    FilterSerializer = _serializer(
        "StandardReportFilter",
        {
            "organization": serializers.CharField(max_length=20, help_text="调解组织代码，如 DX"),
            "from": DateField(help_text="起始日期（北京时间，含）"),
            "to": DateField(help_text="截止日期（北京时间，含）"),
            "include_children": serializers.BooleanField(
                required=False, default=False, help_text="含下级组织（区中心及各镇街分中心）"
            ),
            "format": serializers.ChoiceField(
                choices=["json", "xlsx", "pdf"], required=False, default="json", help_text="输出格式"
            ),
        },
        "报表的条件。",
    )
    OutputSerializer = _serializer(
        "StandardReportOutput",
        {
            "kind": serializers.ChoiceField(choices=list(standard.KINDS)),
            "title": serializers.CharField(),
            "organization": serializers.CharField(help_text="调解组织代码"),
            "organization_name": serializers.CharField(),
            "from": DateField(),
            "to": DateField(),
            "include_children": serializers.BooleanField(),
            "generated_at": serializers.CharField(help_text="生成时间（北京时间，ISO 8601）"),
            "tables": ReportTableSerializer(many=True),
            "notes": serializers.ListField(child=serializers.CharField(), help_text="口径说明"),
        },
        "标准报表（docs/statistics.md）。",
    )

    @extend_schema(
        operation_id="reports_standard_retrieve",
        summary="标准报表",
        description=(
            "kind：periodic（月报/季报/年报，中心及各镇街）、court（诉调对接）、arbitration（裁调对接）、"
            "compliance（办案期限执行情况清单）。数字取自与 GET /api/v1/stats/ 相同的统计。"
            "format=json（默认）返回表格数据；xlsx 返回 Excel（金额为数字单元格）；pdf 返回 A4 PDF。"
            "仅限该组织或其上级组织的中心主任和督导审计；没有这两种角色的用户 403；"
            "范围以外的组织（或组织代码不存在）404。"
        ),
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(standard.KINDS)),
            FilterSerializer,
        ],
        responses={
            (200, "application/json"): OutputSerializer,
            (200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="Excel 文件（.xlsx）"),
            (200, PDF_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="PDF 文件（A4）"),
            **error_responses(400, 401, 403, 404),
        },
        tags=["reports"],
    )
    def get(self, request: Request, kind: str) -> HttpResponse:
        if kind not in standard.KINDS:
            raise Http404
        if not report_organizations(request.user):
            raise PermissionDeniedError(_("只有中心主任和督导审计可以查看统计报表。"))
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params: dict[str, Any] = filters.validated_data
        if params["from"] > params["to"]:
            message = _("截止日期不能早于起始日期。")
            raise ApplicationError(message, fields={"to": [message]})
        organization = Organization.objects.filter(code=params["organization"]).first()
        if organization is None or not roles_for_organization(request.user, organization) & REPORT_ROLES:
            raise Http404
        report = standard.build_report(
            kind=kind,
            organization=organization,
            date_from=params["from"],
            date_to=params["to"],
            include_children=params["include_children"],
        )
        fmt = params["format"]
        if fmt == "json":
            return Response(self.OutputSerializer(standard.report_json(report)).data)
        content, content_type = (
            (standard.report_xlsx(report), XLSX_TYPE) if fmt == "xlsx" else (standard.report_pdf(report), PDF_TYPE)
        )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=standard.file_name(report, fmt)
        )
        return response

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # ?format= chooses the report's format (json, xlsx, pdf), not a DRF renderer: JSON
        # (and every error) is always rendered by the JSON renderer.
        return super().perform_content_negotiation(request, force=True)
