"""API of statistics: GET /api/v1/stats/ serves `reports.selectors.case_stats` — the same
figures as `manage.py case_stats` (IMPORT_FORMAT.md "Statistics", docs/statistics.md).

The caller must read the organisation's cases (a reading role in it or in an organisation
above it, accounts.access); any other organisation, like an unknown code, answers 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import roles_for_organization
from accounts.models import CASE_READER_ROLES, Organization
from core.api import ApiView, DateField, MoneyField, error_responses
from reports.selectors import CHANNELS, DISPUTE_TYPES, FILE_TYPES, OUTCOMES, case_stats


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
