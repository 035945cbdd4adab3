"""GET /api/v1/cases/{id}/lawyer-suggestion/: the duty lawyer suggested for a case
(accounts.lawyers, docs/lawyers.md)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.lawyers import lawyer_suggestion_for
from accounts.models import SuggestionReason
from cases import selectors
from core.api import READ_ERRORS, ApiView, DateField, DateTimeField, error_responses


class CaseLawyerSuggestionApi(ApiView):
    class OutputSerializer(serializers.Serializer):
        class ZoneSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            name = serializers.CharField()

        class LawyerSerializer(serializers.Serializer):
            user_id = serializers.IntegerField(source="pk")
            name = serializers.CharField(source="__str__")
            licence_number = serializers.CharField(source="lawyer_profile.licence_number")
            firm = serializers.CharField(source="lawyer_profile.firm.name")

        class SkippedSerializer(serializers.Serializer):
            user_id = serializers.IntegerField()
            name = serializers.CharField()
            reason = serializers.CharField(help_text="回避原因")

        case_id = serializers.IntegerField()
        on_date = DateField(help_text="按哪一天的值班表推荐（已受理的为受理日）")
        reason = serializers.ChoiceField(choices=SuggestionReason.choices, help_text="推荐依据")
        reason_label = serializers.CharField()
        zone = ZoneSerializer(allow_null=True, help_text="案件所属片区")
        lawyer = LawyerSerializer(allow_null=True, help_text="推荐的值班律师；无合适人选时为 null")
        skipped = SkippedSerializer(many=True, help_text="因利益冲突等原因未推荐的值班律师")
        recorded = serializers.BooleanField(help_text="true：受理时记录的推荐；false：按今天的值班表计算")
        suggestion_taken = serializers.BooleanField(allow_null=True, help_text="受理时是否指派了推荐的律师")
        chosen_mediators = serializers.ListField(
            child=serializers.IntegerField(), allow_null=True, help_text="受理时指派的调解员 id，第一位为主调解员"
        )
        accepted_at = DateTimeField(allow_null=True)

    @extend_schema(
        operation_id="cases_lawyer_suggestion",
        summary="值班律师推荐",
        description=(
            "受理前：按今天的律师值班表和案件所属片区推荐值班律师（跳过曾代理一方当事人的律师）。"
            "受理后：受理时记录的推荐，以及主任是否采纳。见 docs/lawyers.md。"
        ),
        responses={200: OutputSerializer, **error_responses(*READ_ERRORS)},
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get_for_user(case_id=case_id, user=request.user)
        suggestion, record = lawyer_suggestion_for(case=case)
        data = {
            "case_id": case.pk,
            "on_date": suggestion.on_date,
            "reason": suggestion.reason,
            "reason_label": suggestion.reason_label,
            "zone": suggestion.zone,
            "lawyer": suggestion.lawyer,
            "skipped": [s.as_dict() for s in suggestion.skipped],
            "recorded": record is not None,
            "suggestion_taken": record.suggestion_taken if record else None,
            "chosen_mediators": record.chosen_mediators if record else None,
            "accepted_at": record.accepted_at if record else None,
        }
        return Response(self.OutputSerializer(data).data)
