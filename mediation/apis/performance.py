"""Payments, non-monetary performance and follow-ups."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from cases.apis import (
    request_actor,
)
from core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiView,
    DateField,
    MoneyField,
    error_responses,
)
from mediation import selectors, services, vocab
from mediation.apis.common import (
    FollowUpSerializer,
    ObligationSerializer,
    PaymentSerializer,
    _case,
    _case_obligation,
)
from mediation.models import FollowUp

# --- performance ----------------------------------------------------------------------------------


class PaymentListApi(ApiView):
    @extend_schema(
        operation_id="payments_list",
        summary="某项义务的付款记录",
        responses={200: PaymentSerializer(many=True), **error_responses(*READ_ERRORS)},
        tags=["performance"],
    )
    def get(self, request: Request, case_id: int, obligation_id: int) -> Response:
        obligation = _case_obligation(_case(request, case_id, write=False), obligation_id)
        row = selectors.obligation_row(obligation=obligation)
        return Response(PaymentSerializer(row.payments, many=True).data)


class PaymentRecordApi(ApiView):
    multipart = True

    class InputSerializer(serializers.Serializer):
        amount = MoneyField()
        paid_on = DateField()
        method = serializers.ChoiceField(choices=vocab.PaymentMethod.choices)
        channel = serializers.ChoiceField(
            choices=vocab.RecoveryChannel.choices, default=vocab.RecoveryChannel.AGREEMENT
        )
        note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        evidence = serializers.FileField(
            required=False, allow_null=True, default=None, help_text="凭证（multipart 上传）"
        )

    @extend_schema(
        operation_id="payments_create",
        summary="登记付款（履行凭证）",
        description="不能超过该项尚欠金额。凭证文件可选，用 multipart/form-data 上传。",
        request=InputSerializer,
        responses={201: PaymentSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["performance"],
    )
    def post(self, request: Request, case_id: int, obligation_id: int) -> Response:
        obligation = _case_obligation(_case(request, case_id, write=True), obligation_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = services.payment_record(
            obligation=obligation, actor=request_actor(request), **serializer.validated_data
        )
        return Response(PaymentSerializer(payment).data, status=201)


class ObligationPerformedApi(ApiView):
    class InputSerializer(serializers.Serializer):
        performed_on = DateField()

    @extend_schema(
        operation_id="obligations_performed",
        summary="确认非金钱义务已履行",
        request=InputSerializer,
        responses={200: ObligationSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["performance"],
    )
    def post(self, request: Request, case_id: int, obligation_id: int) -> Response:
        obligation = _case_obligation(_case(request, case_id, write=True), obligation_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obligation = services.obligation_mark_performed(
            obligation=obligation, actor=request_actor(request), **serializer.validated_data
        )
        return Response(ObligationSerializer(selectors.obligation_row(obligation=obligation)).data)


class FollowUpInputSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=vocab.ContactMethod.choices)
    reached = serializers.CharField(max_length=100, help_text="回访对象")
    performance_status = serializers.ChoiceField(choices=vocab.PerformanceStatus.choices)
    notes = serializers.CharField()
    amount_confirmed = MoneyField(required=False, allow_null=True, default=None)
    satisfaction = serializers.ChoiceField(
        choices=vocab.Satisfaction.choices, required=False, allow_blank=True, default=""
    )
    risks = serializers.CharField(required=False, allow_blank=True, default="")


class FollowUpListApi(ApiView):
    @extend_schema(
        operation_id="follow_ups_list",
        summary="回访与督促（计划的和已做的）",
        responses={200: FollowUpSerializer(many=True), **error_responses(*READ_ERRORS)},
        tags=["performance"],
    )
    def get(self, request: Request, case_id: int) -> Response:
        planned, done = selectors.case_follow_ups(case=_case(request, case_id, write=False))
        return Response(FollowUpSerializer([*planned, *done], many=True).data)


class FollowUpCreateApi(ApiView):
    class InputSerializer(FollowUpInputSerializer):
        purpose = serializers.ChoiceField(choices=vocab.FollowUpPurpose.choices, default=vocab.FollowUpPurpose.REMINDER)

    @extend_schema(
        operation_id="follow_ups_create",
        summary="登记一次回访或督促履行",
        description="义务人逾期未履行的，须先登记督促（purpose=reminder），才能记录“未履行”。",
        request=InputSerializer,
        responses={201: FollowUpSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["performance"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id, write=True)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        follow_up = services.follow_up_record(case=case, actor=request_actor(request), **serializer.validated_data)
        return Response(FollowUpSerializer(follow_up).data, status=201)


class FollowUpRecordApi(ApiView):
    class InputSerializer(FollowUpInputSerializer):
        pass

    @extend_schema(
        operation_id="follow_ups_record",
        summary="登记计划中的回访",
        request=InputSerializer,
        responses={200: FollowUpSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["performance"],
    )
    def post(self, request: Request, case_id: int, follow_up_id: int) -> Response:
        case = _case(request, case_id, write=True)
        planned: FollowUp = get_object_or_404(case.follow_ups.filter(done_at__isnull=True), pk=follow_up_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        follow_up = services.follow_up_record(
            case=case,
            actor=request_actor(request),
            follow_up=planned,
            **serializer.validated_data,
        )
        return Response(FollowUpSerializer(follow_up).data)
