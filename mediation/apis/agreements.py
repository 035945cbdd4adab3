"""The agreement: clauses, obligations, signatures, seal."""

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
    MoneyField,
    error_responses,
)
from mediation import selectors, services, vocab
from mediation.apis.common import (
    AgreementSerializer,
    ObligationSerializer,
    _agreement,
    _agreement_response,
    _case,
)
from mediation.models import Obligation

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
