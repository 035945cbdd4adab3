"""Sessions, attendance, transcripts and extension requests."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role, User
from cases.apis import (
    CasePartyField,
    StaffField,
    request_actor,
)
from core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiView,
    DateField,
    DateTimeField,
    error_responses,
)
from mediation import selectors, services, vocab
from mediation.apis.common import (
    AttendanceSerializer,
    ExtensionSerializer,
    RoomField,
    SessionDetailSerializer,
    SessionSerializer,
    TranscriptBlockSerializer,
    TranscriptSerializer,
    _case,
    _dedupe,
    _session,
    _session_data,
    _transcript_data,
)

# --- sessions -------------------------------------------------------------------------------------


class SessionListApi(ApiView):
    @extend_schema(
        operation_id="sessions_list",
        summary="调解会议",
        responses={200: SessionSerializer(many=True), **error_responses(*READ_ERRORS)},
        tags=["sessions"],
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id, write=False)
        rows = selectors.session_rows(case=case)
        data = [{"session": r.session, "mediators": r.mediators, "transcript_state": r.transcript_state} for r in rows]
        return Response(SessionSerializer(data, many=True).data)


class SessionCreateApi(ApiView):
    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=vocab.SessionKind.choices)
        starts_at = DateTimeField(help_text="无时区时按北京时间")
        ends_at = DateTimeField()
        mediators = serializers.ListField(child=StaffField(role=Role.MEDIATOR), min_length=1, max_length=10)
        room = RoomField(required=False, allow_null=True, default=None)
        place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        clerk = StaffField(role=Role.CLERK, required=False, allow_null=True, default=None, help_text="记录人")

        def validate_mediators(self, value: list[User]) -> list[User]:
            return _dedupe(value)

    @extend_schema(
        operation_id="sessions_create",
        summary="安排调解会议",
        description="第一次安排调解时案件由“已受理”进入“调解中”。同一调解员或调解室同一时间只能有一场。",
        request=InputSerializer,
        responses={201: SessionDetailSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["sessions"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id, write=True)
        serializer = self.InputSerializer(data=request.data, context={"case": case})
        serializer.is_valid(raise_exception=True)
        session = services.session_schedule(case=case, actor=request_actor(request), **serializer.validated_data)
        return Response(SessionDetailSerializer(_session_data(session, detail=True)).data, status=201)


class SessionDetailApi(ApiView):
    @extend_schema(
        operation_id="sessions_retrieve",
        summary="调解会议详情（到场人员、笔录）",
        responses={200: SessionDetailSerializer, **error_responses(*READ_ERRORS)},
        tags=["sessions"],
    )
    def get(self, request: Request, case_id: int, session_id: int) -> Response:
        session = _session(_case(request, case_id, write=False), session_id)
        return Response(SessionDetailSerializer(_session_data(session, detail=True)).data)


class SessionCancelApi(ApiView):
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(help_text="取消原因")

    @extend_schema(
        operation_id="sessions_cancel",
        summary="取消调解会议",
        request=InputSerializer,
        responses={200: SessionDetailSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["sessions"],
    )
    def post(self, request: Request, case_id: int, session_id: int) -> Response:
        session = _session(_case(request, case_id, write=True), session_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.session_cancel(session=session, actor=request_actor(request), **serializer.validated_data)
        return Response(SessionDetailSerializer(_session_data(session, detail=True)).data)


class AttendanceAddApi(ApiView):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=50)
        capacity = serializers.ChoiceField(choices=vocab.Capacity.choices)
        party = CasePartyField(required=False, allow_null=True, default=None, help_text="本案当事人 id（如是）")
        identity_checked = serializers.BooleanField(default=False)

    @extend_schema(
        operation_id="attendances_create",
        summary="记录到场人员",
        request=InputSerializer,
        responses={201: AttendanceSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["sessions"],
    )
    def post(self, request: Request, case_id: int, session_id: int) -> Response:
        case = _case(request, case_id, write=True)
        session = _session(case, session_id)
        serializer = self.InputSerializer(data=request.data, context={"case": case})
        serializer.is_valid(raise_exception=True)
        attendance = services.attendance_record(
            session=session, actor=request_actor(request), **serializer.validated_data
        )
        return Response(AttendanceSerializer(attendance).data, status=201)


class AttendanceSignApi(ApiView):
    class InputSerializer(serializers.Serializer):
        signed = serializers.BooleanField(help_text="true：已在笔录上签名；false：拒绝签名（须注明）")
        refusal_note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="attendances_sign",
        summary="记录笔录签名或拒签",
        request=InputSerializer,
        responses={200: AttendanceSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["sessions"],
    )
    def post(self, request: Request, case_id: int, session_id: int, attendance_id: int) -> Response:
        session = _session(_case(request, case_id, write=True), session_id)
        attendance = get_object_or_404(session.attendances.select_related("party"), pk=attendance_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attendance = services.attendance_sign(
            attendance=attendance, actor=request_actor(request), **serializer.validated_data
        )
        return Response(AttendanceSerializer(attendance).data)


class TranscriptDetailApi(ApiView):
    @extend_schema(
        operation_id="transcript_retrieve",
        summary="调解笔录",
        responses={200: TranscriptSerializer, **error_responses(*READ_ERRORS)},
        tags=["sessions"],
    )
    def get(self, request: Request, case_id: int, session_id: int) -> Response:
        session = _session(_case(request, case_id, write=False), session_id)
        return Response(TranscriptSerializer(_transcript_data(session)).data)


class TranscriptSaveApi(ApiView):
    class InputSerializer(serializers.Serializer):
        blocks = TranscriptBlockSerializer(many=True, max_length=200)  # type: ignore[call-arg]

    @extend_schema(
        operation_id="transcript_update",
        summary="保存调解笔录（整体替换各段）",
        description="须有“告知权利义务”和“调解结果”两段才能完成。修改后须重新宣读确认。",
        request=InputSerializer,
        responses={200: TranscriptSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["sessions"],
    )
    def put(self, request: Request, case_id: int, session_id: int) -> Response:
        session = _session(_case(request, case_id, write=True), session_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        blocks = [(block["kind"], block["text"]) for block in serializer.validated_data["blocks"]]
        services.transcript_save(session=session, actor=request_actor(request), blocks=blocks)
        return Response(TranscriptSerializer(_transcript_data(session)).data)


class TranscriptReadBackApi(ApiView):
    @extend_schema(
        operation_id="transcript_read_back",
        summary="确认笔录已向到场人员宣读（或交其阅读）",
        request=None,
        responses={200: TranscriptSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["sessions"],
    )
    def post(self, request: Request, case_id: int, session_id: int) -> Response:
        session = _session(_case(request, case_id, write=True), session_id)
        services.transcript_confirm_read_back(session=session, actor=request_actor(request))
        return Response(TranscriptSerializer(_transcript_data(session)).data)


class TranscriptCompleteApi(ApiView):
    @extend_schema(
        operation_id="transcript_complete",
        summary="完成笔录（本次调解记为已举行）",
        description="须已宣读，到场人员均已签名或注明拒签。",
        request=None,
        responses={200: TranscriptSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["sessions"],
    )
    def post(self, request: Request, case_id: int, session_id: int) -> Response:
        session = _session(_case(request, case_id, write=True), session_id)
        services.transcript_complete(session=session, actor=request_actor(request))
        return Response(TranscriptSerializer(_transcript_data(session)).data)


# --- extensions -----------------------------------------------------------------------------------


class ExtensionListApi(ApiView):
    @extend_schema(
        operation_id="extensions_list",
        summary="延期申请",
        responses={200: ExtensionSerializer(many=True), **error_responses(*READ_ERRORS)},
        tags=["sessions"],
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id, write=False)
        return Response(ExtensionSerializer(selectors.case_extensions(case=case), many=True).data)


class ExtensionRequestApi(ApiView):
    class InputSerializer(serializers.Serializer):
        days = serializers.IntegerField(min_value=1, max_value=15)
        reason = serializers.CharField()
        applicant_consent_on = DateField(help_text="申请人同意延期的日期")
        respondent_consent_on = DateField(help_text="被申请人同意延期的日期")

    @extend_schema(
        operation_id="extensions_create",
        summary="申请延期（调解员，须双方同意）",
        description="中心主任以状态变更 extend 批准（POST /cases/{id}/transitions/extend/），或以 refuse 不予延期。",
        request=InputSerializer,
        responses={201: ExtensionSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["sessions"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id, write=True)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        extension = services.extension_request(case=case, actor=request_actor(request), **serializer.validated_data)
        return Response(ExtensionSerializer(extension).data, status=201)


class ExtensionRefuseApi(ApiView):
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(help_text="不予延期的理由")

    @extend_schema(
        operation_id="extensions_refuse",
        summary="不予延期（中心主任）",
        request=InputSerializer,
        responses={200: ExtensionSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["sessions"],
    )
    def post(self, request: Request, case_id: int, extension_id: int) -> Response:
        case = _case(request, case_id, write=True)
        extension = get_object_or_404(case.extensions, pk=extension_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        extension = services.extension_refuse(
            extension=extension, actor=request_actor(request), **serializer.validated_data
        )
        return Response(ExtensionSerializer(extension).data)
