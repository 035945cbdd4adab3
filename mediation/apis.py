"""API of the mediation work: sessions, attendance, transcripts, extensions, the agreement
with its obligations and signatures, payments, follow-ups, service of documents, and the
mediation transitions. Thin: parse, call one selector or service, serialize.

The case always comes from case_get_for_user (404 outside scope, 403 for a read-only role
asked to write); every object below it is looked up through that case, so another case's
(or another town's) session, obligation or record id is a 404."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Role, User
from cases.apis import (
    CasePartyField,
    CaseTransitionApi,
    StaffField,
    register_case_amounts,
    request_actor,
    transition_endpoint,
)
from cases.models import Case
from cases.selectors import case_get_for_user
from core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiView,
    DateField,
    DateTimeField,
    MoneyField,
    PartyRefSerializer,
    UserRefSerializer,
    error_responses,
)
from mediation import selectors, services, vocab
from mediation.models import Agreement, FollowUp, MediationSession, Obligation, Room, ServiceRecord
from mediation.services.agreements import live_agreement


def _agreed_and_recovered(case: Case) -> dict[str, Decimal]:
    money = selectors.case_money(case=case, agreement=selectors.agreement_view(case=case))
    return {"agreed": money.agreed, "recovered": money.recovered}


def _case(request: Request, case_id: int, *, write: bool) -> Case:
    return case_get_for_user(case_id=case_id, user=request.user, for_write=write)


def _session(case: Case, session_id: int) -> MediationSession:
    return get_object_or_404(case.sessions.select_related("room", "clerk"), pk=session_id)


def _agreement(case: Case) -> Agreement:
    """The case's live (not void) agreement; 404 before one is drafted."""
    agreement = live_agreement(case)
    if agreement is None:
        raise Http404
    return agreement


def _case_obligation(case: Case, obligation_id: int) -> Obligation:
    obligation = get_object_or_404(selectors.case_obligations(case=case), pk=obligation_id)
    obligation.agreement.case = case
    return obligation


@extend_schema_field(OpenApiTypes.INT)
class RoomField(serializers.PrimaryKeyRelatedField):
    """A mediation room of the case's organisation or one above it (context["case"])."""

    def get_queryset(self) -> Any:
        case: Case = self.context["case"]
        return Room.objects.filter(organization_id__in=case.organization.ancestor_ids(), active=True)


def _dedupe(value: list[User]) -> list[User]:
    return list(dict.fromkeys(value))


# --- output serializers -------------------------------------------------------------------------


class RoomRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="session.pk")
    kind = serializers.ChoiceField(source="session.kind", choices=vocab.SessionKind.choices)
    status = serializers.ChoiceField(source="session.status", choices=vocab.SessionStatus.choices)
    starts_at = DateTimeField(source="session.starts_at")
    ends_at = DateTimeField(source="session.ends_at")
    room = RoomRefSerializer(source="session.room", allow_null=True)
    place = serializers.CharField(source="session.place")
    clerk = UserRefSerializer(source="session.clerk", allow_null=True)
    mediators = UserRefSerializer(many=True)
    transcript_state = serializers.CharField()


class AttendanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    capacity = serializers.ChoiceField(choices=vocab.Capacity.choices)
    party = PartyRefSerializer(allow_null=True)
    identity_checked = serializers.BooleanField()
    signature = serializers.ChoiceField(choices=vocab.SignatureStatus.choices)
    refusal_note = serializers.CharField()


class TranscriptBlockSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=vocab.BlockKind.choices)
    text = serializers.CharField(allow_blank=True, help_text="空白段落不保存")


class TranscriptSerializer(serializers.Serializer):
    state = serializers.CharField()
    read_back_at = DateTimeField(allow_null=True)
    completed_at = DateTimeField(allow_null=True)
    blocks = TranscriptBlockSerializer(many=True)


class SessionDetailSerializer(SessionSerializer):
    attendances = AttendanceSerializer(many=True)
    transcript = TranscriptSerializer()


def _session_data(session: MediationSession, *, detail: bool = False) -> dict[str, Any]:
    transcript = selectors.transcript_of(session)
    data: dict[str, Any] = {
        "session": session,
        "mediators": selectors.session_mediators(session=session),
        "transcript_state": selectors.transcript_state(transcript),
    }
    if detail:
        data["attendances"] = selectors.session_attendances(session=session)
        data["transcript"] = _transcript_data(session)
    return data


def _transcript_data(session: MediationSession) -> dict[str, Any]:
    transcript = selectors.transcript_of(session)
    return {
        "state": selectors.transcript_state(transcript),
        "read_back_at": transcript.read_back_at if transcript else None,
        "completed_at": transcript.completed_at if transcript else None,
        "blocks": list(transcript.blocks.all()) if transcript else [],
    }


class ExtensionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    days = serializers.IntegerField()
    reason = serializers.CharField()
    applicant_consent_on = DateField()
    respondent_consent_on = DateField()
    status = serializers.ChoiceField(choices=vocab.ExtensionStatus.choices)
    requested_by = UserRefSerializer()
    requested_at = DateTimeField()
    decided_by = UserRefSerializer(allow_null=True)
    decided_at = DateTimeField(allow_null=True)
    previous_due_on = DateField(allow_null=True)
    new_due_on = DateField(allow_null=True)


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    amount = MoneyField()
    paid_on = DateField()
    method = serializers.ChoiceField(choices=vocab.PaymentMethod.choices)
    channel = serializers.ChoiceField(choices=vocab.RecoveryChannel.choices)
    note = serializers.CharField()
    has_evidence = serializers.SerializerMethodField()
    confirmed_by = UserRefSerializer()
    created_at = DateTimeField()

    def get_has_evidence(self, payment: Any) -> bool:
        return bool(payment.evidence)


class ObligationSerializer(serializers.Serializer):
    """An obligation with what has been paid against it (selectors.ObligationRow)."""

    id = serializers.IntegerField(source="obligation.pk")
    kind = serializers.ChoiceField(source="obligation.kind", choices=vocab.ObligationKind.choices)
    obligor = PartyRefSerializer(source="obligation.obligor")
    obligee = PartyRefSerializer(source="obligation.obligee")
    description = serializers.CharField(source="obligation.description")
    amount = MoneyField(source="obligation.amount", allow_null=True, help_text="非金钱义务为 null")
    due_on = DateField(source="obligation.due_on", allow_null=True)
    performed_on = DateField(source="obligation.performed_on", allow_null=True)
    paid = MoneyField()
    outstanding = MoneyField()
    performed = serializers.BooleanField()


class SignatureRowSerializer(serializers.Serializer):
    party = PartyRefSerializer()
    signed = serializers.SerializerMethodField(help_text="已签名")
    signed_at = DateTimeField(source="signature.signed_at", allow_null=True)
    agent_name = serializers.CharField(source="signature.agent_name", allow_null=True)
    agent_authority = serializers.CharField(source="signature.agent_authority", allow_null=True)

    def get_signed(self, row: selectors.SignatureRow) -> bool:
        return row.signature is not None


class AgreementSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="agreement.pk")
    status = serializers.ChoiceField(source="agreement.status", choices=vocab.AgreementStatus.choices)
    created_at = DateTimeField(source="agreement.created_at")
    terms = serializers.SerializerMethodField()
    obligations = ObligationSerializer(many=True)
    signatures = SignatureRowSerializer(many=True)
    mediator_signed_by = UserRefSerializer(source="agreement.mediator_signed_by", allow_null=True)
    mediator_signed_at = DateTimeField(source="agreement.mediator_signed_at", allow_null=True)
    sealed_by = UserRefSerializer(source="agreement.sealed_by", allow_null=True)
    sealed_at = DateTimeField(source="agreement.sealed_at", allow_null=True)
    effective_at = DateTimeField(source="agreement.effective_at", allow_null=True)
    judicial_confirmation_due_on = DateField(
        source="agreement.judicial_confirmation_due_on", allow_null=True, help_text="司法确认申请期限"
    )
    amount_agreed = MoneyField(source="agreed")
    editable = serializers.BooleanField(help_text="条款和义务尚可修改（未签名、未盖章）")
    blockers = serializers.ListField(child=serializers.CharField(), help_text="生效前尚待完成的事项")

    def get_terms(self, view: selectors.AgreementView) -> list[str]:
        return [term.text for term in view.terms]


def _agreement_response(case: Case, status: int = 200) -> Response:
    view = selectors.agreement_view(case=case)
    if view is None:
        raise Http404
    return Response(AgreementSerializer(view).data, status=status)


class FollowUpSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    purpose = serializers.ChoiceField(choices=vocab.FollowUpPurpose.choices)
    obligation_id = serializers.IntegerField(allow_null=True)
    planned_on = DateField()
    done_at = DateTimeField(allow_null=True, help_text="为空即尚未回访")
    method = serializers.CharField()
    reached = serializers.CharField()
    performance_status = serializers.CharField()
    amount_confirmed = MoneyField(allow_null=True)
    satisfaction = serializers.CharField()
    risks = serializers.CharField()
    notes = serializers.CharField()
    performed_by = UserRefSerializer(allow_null=True)


class ServiceRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    document = serializers.ChoiceField(choices=vocab.DocumentCode.choices)
    document_label = serializers.CharField(source="get_document_display")
    recipient = PartyRefSerializer()
    status = serializers.ChoiceField(choices=vocab.ServiceStatus.choices)
    method = serializers.CharField()
    served_on = DateField(allow_null=True)
    tracking_number = serializers.CharField()
    witness = serializers.CharField()
    note = serializers.CharField()
    recorded_by = UserRefSerializer()
    created_at = DateTimeField()


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


# --- agreement ------------------------------------------------------------------------------------


class AgreementDetailApi(ApiView):
    @extend_schema(
        operation_id="agreement_retrieve",
        summary="调解协议",
        description="当前有效（未作废）的协议；尚未拟定时答 404。",
        responses={200: AgreementSerializer, **error_responses(*READ_ERRORS)},
        tags=["agreement"],
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id, write=False)
        _agreement(case)
        return _agreement_response(case)


class AgreementTermsApi(ApiView):
    class InputSerializer(serializers.Serializer):
        terms = serializers.ListField(child=serializers.CharField(allow_blank=True), max_length=100)

    @extend_schema(
        operation_id="agreement_terms_update",
        summary="保存协议条款（整体替换）",
        request=InputSerializer,
        responses={200: AgreementSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["agreement"],
    )
    def put(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id, write=True)
        agreement = _agreement(case)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.agreement_set_terms(agreement=agreement, actor=request_actor(request), **serializer.validated_data)
        return _agreement_response(case)


class ObligationAddApi(ApiView):
    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=vocab.ObligationKind.choices)
        obligor = CasePartyField(help_text="义务人（本案当事人 id）")
        obligee = CasePartyField(help_text="权利人（本案当事人 id）")
        description = serializers.CharField(max_length=300)
        amount = MoneyField(required=False, allow_null=True, default=None, help_text="支付义务必填")
        due_on = DateField(required=False, allow_null=True, default=None)

    @extend_schema(
        operation_id="agreement_obligations_create",
        summary="增加履行义务",
        request=InputSerializer,
        responses={201: ObligationSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["agreement"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id, write=True)
        agreement = _agreement(case)
        serializer = self.InputSerializer(data=request.data, context={"case": case})
        serializer.is_valid(raise_exception=True)
        obligation = services.obligation_add(
            agreement=agreement, actor=request_actor(request), **serializer.validated_data
        )
        return Response(ObligationSerializer(selectors.obligation_row(obligation=obligation)).data, status=201)


def _draft_obligation(case: Case, obligation_id: int) -> Obligation:
    agreement = _agreement(case)
    obligation = get_object_or_404(agreement.obligations, pk=obligation_id)
    obligation.agreement = agreement
    return obligation


class ObligationUpdateApi(ApiView):
    class InputSerializer(serializers.Serializer):
        due_on = DateField(help_text="履行期限")
        amount = MoneyField(required=False, allow_null=True, default=None, help_text="支付义务的金额；不填则不变")

    @extend_schema(
        operation_id="agreement_obligations_update",
        summary="设定履行期限（及支付金额）",
        request=InputSerializer,
        responses={200: ObligationSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["agreement"],
    )
    def put(self, request: Request, case_id: int, obligation_id: int) -> Response:
        obligation = _draft_obligation(_case(request, case_id, write=True), obligation_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obligation = services.obligation_set_due(
            obligation=obligation, actor=request_actor(request), **serializer.validated_data
        )
        return Response(ObligationSerializer(selectors.obligation_row(obligation=obligation)).data)


class ObligationRemoveApi(ApiView):
    @extend_schema(
        operation_id="agreement_obligations_destroy",
        summary="删除履行义务",
        responses={204: None, **error_responses(*WRITE_ERRORS)},
        tags=["agreement"],
    )
    def delete(self, request: Request, case_id: int, obligation_id: int) -> Response:
        obligation = _draft_obligation(_case(request, case_id, write=True), obligation_id)
        services.obligation_remove(obligation=obligation, actor=request_actor(request))
        return Response(status=204)


class AgreementSignApi(ApiView):
    class InputSerializer(serializers.Serializer):
        party = CasePartyField(help_text="签署的当事人 id")
        agent_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
        agent_authority = serializers.ChoiceField(
            choices=vocab.AgentAuthority.choices, required=False, allow_blank=True, default=""
        )

    @extend_schema(
        operation_id="agreement_signatures_create",
        summary="记录当事人签名",
        description="当事人本人，或特别授权代理人（agent_authority=special）签署；一般授权代理人不能签署。",
        request=InputSerializer,
        responses={201: AgreementSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["agreement"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id, write=True)
        agreement = _agreement(case)
        serializer = self.InputSerializer(data=request.data, context={"case": case})
        serializer.is_valid(raise_exception=True)
        services.agreement_sign(agreement=agreement, actor=request_actor(request), **serializer.validated_data)
        return _agreement_response(case, status=201)


class AgreementMediatorSignApi(ApiView):
    @extend_schema(
        operation_id="agreement_mediator_sign",
        summary="调解员签名（本案调解员）",
        request=None,
        responses={200: AgreementSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["agreement"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id, write=True)
        services.agreement_mediator_sign(agreement=_agreement(case), actor=request_actor(request))
        return _agreement_response(case)


class AgreementSealApi(ApiView):
    @extend_schema(
        operation_id="agreement_seal",
        summary="批准加盖调解组织印章（中心主任）",
        description="须各方当事人和调解员均已签名。",
        request=None,
        responses={200: AgreementSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["agreement"],
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id, write=True)
        services.agreement_seal(agreement=_agreement(case), actor=request_actor(request))
        return _agreement_response(case)


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


# --- transitions of the mediation work ------------------------------------------------------------


@transition_endpoint
class CaseExtendApi(CaseTransitionApi):
    """批准待审批的延期申请（先由调解员 POST /cases/{id}/extensions/ 申请）；调解期限相应顺延。"""

    name = "extend"

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_extend(case=case, actor=actor)


@transition_endpoint
class CaseDraftAgreementApi(CaseTransitionApi):
    """根据请求事项生成协议草稿（每项请求一项履行义务）。须至少有一份已完成的笔录。"""

    name = "draft_agreement"

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.agreement_draft(case=case, actor=actor)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="理由（必填）")


@transition_endpoint
class CaseReopenNegotiationApi(CaseTransitionApi):
    """协议草稿作废（已有签名一并作废），案件回到“调解中”。"""

    name = "reopen_negotiation"
    InputSerializer = ReasonSerializer

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_reopen_negotiation(case=case, actor=actor, reason=data["reason"])


@transition_endpoint
class CaseMakeEffectiveApi(CaseTransitionApi):
    """协议生效：须各项义务有期限和金额、各方和调解员已签名、已盖章。生效后安排回访并生成协议书送达记录。"""

    name = "make_effective"

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_make_effective(case=case, actor=actor)


@transition_endpoint
class CaseConfirmPerformanceApi(CaseTransitionApi):
    """各项义务均已履行（付款足额、非金钱义务已确认）。"""

    name = "confirm_performance"

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_confirm_performance(case=case, actor=actor)


@transition_endpoint
class CaseRecordNonPerformanceApi(CaseTransitionApi):
    """有义务逾期未履行，且在期限届满后已登记督促。"""

    name = "record_non_performance"
    InputSerializer = ReasonSerializer

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_record_non_performance(case=case, actor=actor, reason=data["reason"])


def register() -> None:
    """Called from MediationConfig.ready(): the case API shows the agreed and recovered sums."""
    register_case_amounts(_agreed_and_recovered)
