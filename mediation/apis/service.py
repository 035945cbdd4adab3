"""Service records (送达)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from cases.apis import (
    CasePartyField,
    request_actor,
)
from cases.models import Case
from core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiView,
    DateField,
    error_responses,
)
from mediation import selectors, services, vocab
from mediation.apis.common import (
    ServiceRecordSerializer,
    _case,
)
from mediation.models import ServiceRecord

# --- service of documents -------------------------------------------------------------------------


class ServiceRecordListApi(ApiView):
    @extend_schema(
        operation_id="service_records_list",
        summary="送达记录",
        responses={200: ServiceRecordSerializer(many=True), **error_responses(*READ_ERRORS)},
        tags=["service-records"],
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id, write=False)
        return Response(ServiceRecordSerializer(selectors.case_service_records(case=case), many=True).data)


class ServiceRecordOpenApi(ApiView):
    class InputSerializer(serializers.Serializer):
        document = serializers.ChoiceField(choices=vocab.DocumentCode.choices)
        recipient = CasePartyField(help_text="受送达人（本案当事人 id）")

    @extend_schema(
        operation_id="service_records_create",
        summary="新增送达记录",
        request=InputSerializer,
        responses={201: ServiceRecordSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["service-records"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id, write=True)
        serializer = self.InputSerializer(data=request.data, context={"case": case})
        serializer.is_valid(raise_exception=True)
        record = services.service_record_open(case=case, actor=request_actor(request), **serializer.validated_data)
        return Response(ServiceRecordSerializer(record).data, status=201)


def _service_record(case: Case, record_id: int) -> ServiceRecord:
    return get_object_or_404(selectors.case_service_records(case=case), pk=record_id)


class ServiceRecordServeApi(ApiView):
    class InputSerializer(serializers.Serializer):
        method = serializers.ChoiceField(choices=vocab.ServiceMethod.choices)
        served_on = DateField()
        tracking_number = serializers.CharField(
            max_length=40, required=False, allow_blank=True, default="", help_text="邮寄送达必填"
        )
        witness = serializers.CharField(
            max_length=100, required=False, allow_blank=True, default="", help_text="拒收留置送达必填"
        )
        note = serializers.CharField(
            max_length=200, required=False, allow_blank=True, default="", help_text="电子送达须注明同意的方式和账号"
        )

    @extend_schema(
        operation_id="service_records_serve",
        summary="登记送达",
        request=InputSerializer,
        responses={200: ServiceRecordSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["service-records"],
    )
    def post(self, request: Request, case_id: int, record_id: int) -> Response:
        record = _service_record(_case(request, case_id, write=True), record_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = services.service_record_serve(record=record, actor=request_actor(request), **serializer.validated_data)
        return Response(ServiceRecordSerializer(record).data)


class ServiceRecordUndeliverableApi(ApiView):
    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=200, help_text="无法送达的原因")

    @extend_schema(
        operation_id="service_records_undeliverable",
        summary="记录无法送达",
        request=InputSerializer,
        responses={200: ServiceRecordSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["service-records"],
    )
    def post(self, request: Request, case_id: int, record_id: int) -> Response:
        record = _service_record(_case(request, case_id, write=True), record_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = services.service_mark_undeliverable(
            record=record, actor=request_actor(request), **serializer.validated_data
        )
        return Response(ServiceRecordSerializer(record).data)
