"""API of reports.

- GET /api/v1/stats/ serves `reports.selectors.case_stats` — the same figures as
  `manage.py case_stats` (IMPORT_FORMAT.md "Statistics", docs/statistics.md). The caller must
  read the organisation's cases (a reading role in it or in an organisation above it,
  accounts.access); any other organisation, like an unknown code, answers 404.
- POST /api/v1/imports/ runs `reports.imports.case_import` on an uploaded register (a dry run
  unless dry_run=false) and answers its report (docs/import.md).
- GET /api/v1/cases/export.xlsx: the case list with the filters of GET /api/v1/cases/, as an
  Excel file written by `reports.exports.case_list_xlsx`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import roles_for_organization
from accounts.models import CASE_READER_ROLES, Organization, User
from cases import selectors as case_selectors
from cases.apis import CaseListApi
from core.api import WRITE_ERRORS, ApiView, DateField, MoneyField, error_responses
from core.exceptions import ApplicationError
from reports import imports
from reports.exports import case_list_xlsx
from reports.forms import organization_for_import, organizations_for_import, register_file_problem
from reports.selectors import CHANNELS, DISPUTE_TYPES, FILE_TYPES, OUTCOMES, case_stats
from reports.tasks import report_data
from reports.views import EXPORT_MAX_ROWS, XLSX_TYPE, export_log, xlsx_attachment


class StatsBucketSerializer(serializers.Serializer):
    cases = serializers.IntegerField(help_text="案件数")
    workers_involved = serializers.IntegerField(help_text="涉及职工人数（人次）")
    amount_claimed = MoneyField(help_text="请求金额合计")
    amount_agreed = MoneyField(help_text="协议金额合计（有效协议中的支付义务）")
    amount_recovered = MoneyField(help_text="挽回经济损失（已登记的付款）")


def _serializer(name: str, fields: dict[str, serializers.Field], doc: str) -> type[serializers.Serializer]:
    """A serializer whose field names may be Python keywords ("from", "to") or codes."""
    return type(name, (serializers.Serializer,), {"__doc__": doc, "__module__": __name__, **fields})


StatsByOutcomeSerializer = _serializer(
    "StatsByOutcome", {key: StatsBucketSerializer() for key in OUTCOMES}, "按处理结果分。"
)
StatsByFileTypeSerializer = _serializer(
    "StatsByFileType", {key: StatsBucketSerializer() for key in FILE_TYPES}, "按案卷类型分。"
)
StatsByChannelSerializer = _serializer(
    "StatsByChannel", {key: MoneyField() for key in CHANNELS}, "挽回经济损失，按挽回渠道分。"
)


class CaseStatsApi(ApiView):
    FilterSerializer = _serializer(
        "CaseStatsFilter",
        {
            "organization": serializers.CharField(max_length=20, help_text="调解组织代码，如 DX"),
            "from": DateField(help_text="起始日期（北京时间，含）"),
            "to": DateField(help_text="截止日期（北京时间，含）"),
            "include_children": serializers.BooleanField(
                required=False, default=False, help_text="含下级组织（区中心及各镇街分中心）"
            ),
        },
        "统计的条件。",
    )

    OutputSerializer = _serializer(
        "CaseStatsOutput",
        {
            "organization": serializers.CharField(help_text="调解组织代码"),
            "from": DateField(),
            "to": DateField(),
            "cases_received": serializers.IntegerField(help_text="收案数：收到申请时间在期间内"),
            "cases_accepted": serializers.IntegerField(help_text="受理数：受理时间在期间内"),
            "cases_closed": serializers.IntegerField(help_text="结案数：已受理案件中结案时间在期间内的"),
            "workers_involved": serializers.IntegerField(help_text="计入本期的案件涉及职工人数"),
            "amount_claimed": MoneyField(),
            "amount_agreed": MoneyField(),
            "amount_recovered": MoneyField(),
            "success_rate": serializers.CharField(
                help_text="调解成功率 = 成功 / (成功 + 终止 + 撤回)，四位小数；分母为 0 时为 0.0000"
            ),
            "by_outcome": StatsByOutcomeSerializer(),
            "by_file_type": StatsByFileTypeSerializer(),
            "by_dispute_type": serializers.DictField(
                child=StatsBucketSerializer(), help_text=f"按争议类型代码分（{'、'.join(DISPUTE_TYPES)}）"
            ),
            "by_channel": StatsByChannelSerializer(),
            "by_organization": serializers.DictField(
                child=StatsBucketSerializer(), help_text="按调解组织代码分（含下级组织时每个组织一项）"
            ),
        },
        "案件统计（docs/statistics.md）。",
    )

    @extend_schema(
        operation_id="stats_retrieve",
        summary="案件统计",
        description=(
            "与 manage.py case_stats 相同的数字。期间按北京时间日期计，含首尾两日；案件按受理日期计入期间，"
            "不予受理的案件按收到申请日期计入。须有权查阅该组织的案件，否则（或组织代码不存在）返回 404。"
        ),
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401, 404)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params: dict[str, Any] = filters.validated_data
        if params["from"] > params["to"]:
            raise serializers.ValidationError({"to": ["截止日期不能早于起始日期。"]})
        organization = Organization.objects.filter(code=params["organization"]).first()
        if organization is None or not roles_for_organization(request.user, organization) & CASE_READER_ROLES:
            raise Http404
        stats = case_stats(
            organization=organization,
            date_from=params["from"],
            date_to=params["to"],
            include_children=params["include_children"],
        )
        return Response(self.OutputSerializer(stats).data)


# --- the register import ---------------------------------------------------------------------------


class FileTooLargeError(ApplicationError):
    status_code = 413
    code = "request_too_large"


#: Room for the multipart envelope and the other fields around a file at the limit.
_MULTIPART_OVERHEAD = 64 * 1024


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="电子表格中的行号（表头为第1行；0 表示整个文件）")
    column = serializers.CharField(help_text="文件中所写的列名")
    message = serializers.CharField(help_text="问题说明（中文）")


class DuplicateRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    case = serializers.CharField(help_text="系统中已有的案件（案号或登记号）")


class RegisterImportApi(ApiView):
    multipart = True

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(help_text="台账文件：.xlsx（第一个工作表）或 .csv（UTF-8 / GBK），不超过20MB")
        organization = serializers.CharField(max_length=20, help_text="导入到的调解组织代码，如 DX")
        dry_run = serializers.BooleanField(default=True, help_text="只检查、不写入（默认 true）")
        skip_invalid = serializers.BooleanField(
            default=False, help_text="导入无误的行、报告有误的行；为 false 时一行有误则整个文件不导入"
        )

    # Built with `_serializer`: a declared field named "errors" would hide Serializer.errors
    # from the type checker (DRF itself moves declared fields out of the class).
    OutputSerializer = _serializer(
        "RegisterImportOutput",
        {
            "file_name": serializers.CharField(),
            "batch": serializers.CharField(help_text="导入批次，记在每件导入案件的办理记录中"),
            "dry_run": serializers.BooleanField(),
            "rows": serializers.IntegerField(help_text="读取的数据行数（不含表头）"),
            "created": serializers.IntegerField(help_text="已导入的案件数；试运行时为可导入的案件数"),
            "duplicates": serializers.IntegerField(help_text="已在系统中、跳过的行数"),
            "invalid_rows": serializers.IntegerField(help_text="有误的行数"),
            "errors": RowErrorSerializer(many=True),
            "warnings": RowErrorSerializer(many=True, help_text="提示，如无法识别、已忽略的列"),
            "duplicate_rows": DuplicateRowSerializer(many=True),
        },
        "导入报告（与 manage.py import_cases 的报告相同）。",
    )

    @extend_schema(
        operation_id="imports_create",
        summary="导入案件台账",
        description=(
            "上传案件登记台账（格式见 docs/import.md），默认试运行（dry_run=true）：检查每一行并返回报告，"
            "不写入任何数据。dry_run=false 时导入；有错误且 skip_invalid=false 时整个文件不导入（created 为 0）。"
            "已在系统中的行（按案号，或登记日期+申请人+被申请人）跳过，重复导入不会产生重复案件。"
            "只有该组织（或其上级组织）的中心主任可以导入，其他角色 403；文件超过20MB时 413。"
            "文件有错误时也返回 200，错误在 errors 中；无法读取的文件（非表格、旧版 .xls、损坏）返回 400。"
        ),
        request={"multipart/form-data": InputSerializer},
        responses={200: OutputSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["imports"],
    )
    def post(self, request: Request) -> Response:
        limit = imports.MAX_FILE_BYTES
        too_large = FileTooLargeError(_("文件超过20MB，请拆分后导入。"), fields={"file": [_("不超过20MB。")]})
        if _declared_length(request) > limit + _MULTIPART_OVERHEAD:
            raise too_large
        if not organizations_for_import(request.user):
            raise PermissionDenied
        # A plain dict: DRF reads a boolean missing from a form as false, whatever its default.
        data = request.data if isinstance(request.data, Mapping) else {}
        serializer = self.InputSerializer(data={key: data.get(key) for key in data})
        serializer.is_valid(raise_exception=True)
        params: dict[str, Any] = serializer.validated_data
        upload = params["file"]
        if (upload.size or 0) > limit:
            raise too_large
        problem = register_file_problem(upload)
        if problem:
            raise ApplicationError(problem, fields={"file": [problem]})
        organization = organization_for_import(request.user, params["organization"])
        report = imports.case_import(
            actor=cast(User, request.user),
            organization=organization,
            content=upload.read(),
            file_name=str(upload.name),
            dry_run=params["dry_run"],
            skip_invalid=params["skip_invalid"],
        )
        return Response(self.OutputSerializer(report_data(report)).data)


def _declared_length(request: Request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


# --- the case list as Excel --------------------------------------------------------------------------


class CaseExportApi(ApiView):
    FilterSerializer = CaseListApi.FilterSerializer

    @extend_schema(
        operation_id="cases_export",
        summary="导出案件清单（Excel）",
        description=(
            f"与 GET /api/v1/cases/ 相同的条件和权限范围，全部结果（不分页，最多 {EXPORT_MAX_ROWS} 件，"
            "超过时 400，请缩小条件）导出为 .xlsx：文本一律为文本单元格（不会被当作公式），金额为数字。"
            "文件名：案件清单-YYYYMMDD.xlsx。每次导出都记入日志。"
        ),
        parameters=[CaseListApi.FilterSerializer],
        responses={
            (200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="Excel 文件（.xlsx）"),
            **error_responses(400, 401),
        },
        tags=["cases"],
    )
    def get(self, request: Request) -> HttpResponse:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        cases = case_selectors.case_list(user=request.user, filters=filters.validated_data)
        count = cases.count()
        if count > EXPORT_MAX_ROWS:
            raise ApplicationError(
                _("共 %(count)d 件，超过导出上限 %(max)d 件，请缩小查询条件后再导出。")
                % {"count": count, "max": EXPORT_MAX_ROWS}
            )
        content = case_list_xlsx(cases=cases)
        export_log(user=request.user, count=count, filters=filters.validated_data, via="api")
        return xlsx_attachment(content)
