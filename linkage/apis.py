"""API of the multi-party linkage (多方联动): a case's transfers to partner agencies and their
steps, the transfer types offered for a case, the liaison's inbox, and the result reported
to a referring court or arbitration commission. Thin: parse, call one service, serialize.

Scope: the case comes from case_get_for_user (404 outside the caller's scope). Staff see
every transfer of the cases in their scope; a liaison (membership role liaison with an
agency) sees only the transfers to their agency that have left the centre
(vocab.VISIBLE_TO_AGENCY), and only the cases those transfers belong to. Transfers are
looked up through the case and that scope, so another case's (or another agency's)
transfer id is a 404.

The liaison's steps (acknowledge, outcome, return) read the case with for_write=False (a
liaison has no writing role in the organisation) and leave the right to the service
(`_require_liaison`: 403 for anyone but the agency's liaison)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import organizations_in_scope
from accounts.models import AgencyKind, PartnerAgency
from cases.apis import request_actor
from cases.models import Case
from cases.selectors import case_get_for_user
from core.api import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiView,
    DateField,
    DateTimeField,
    LimitOffsetPagination,
    MoneyField,
    UserRefSerializer,
    error_responses,
    paginate,
)
from core.exceptions import ApplicationError, PermissionDeniedError
from linkage import selectors, services, vocab
from linkage.models import Transfer
from mediation import selectors as mediation_selectors
from mediation import vocab as mediation_vocab

TAGS = ["linkage"]

# --- scope ----------------------------------------------------------------------------------------


def _transfer_scope(user: Any) -> Q | None:
    """A filter over Transfer for the inbox: every transfer of the cases of the user's
    organisations, and (liaisons) the transfers to their agency that have been sent; the
    same rule as selectors.case_transfers, over all cases."""
    clauses: list[Q] = []
    organizations = [organization.pk for organization in organizations_in_scope(user)]
    if organizations:
        clauses.append(Q(case__organization_id__in=organizations))
    agencies = selectors.liaison_agency_ids(user)
    if agencies:
        clauses.append(Q(agency_id__in=agencies, status__in=vocab.VISIBLE_TO_AGENCY))
    if not clauses:
        return None
    result = clauses[0]
    for clause in clauses[1:]:
        result |= clause
    return result


def _case(request: Request, case_id: int, *, write: bool) -> Case:
    return case_get_for_user(case_id=case_id, user=request.user, for_write=write)


def _transfer(request: Request, case_id: int, transfer_id: int, *, write: bool) -> Transfer:
    """A transfer of the case visible to the caller (404 otherwise), with `case` set."""
    case = _case(request, case_id, write=write)
    transfer = get_object_or_404(selectors.case_transfers(case=case, user=request.user), pk=transfer_id)
    transfer.case = case
    return transfer


def _liaison_transfer(request: Request, case_id: int, transfer_id: int) -> Transfer:
    """A transfer for a step only the agency's liaison takes: the role is checked before the
    body is read, so a caller who may not take the step gets 403 whatever they send."""
    transfer = _transfer(request, case_id, transfer_id, write=False)
    if transfer.agency_id not in selectors.liaison_agency_ids(request.user):
        raise PermissionDeniedError(_("只有%s的联络员可以办理。") % transfer.agency.name)
    return transfer


@contextmanager
def _fields_renamed(**names: str) -> Iterator[None]:
    """A service's field errors under the names the request used (amount -> amount_recovered)."""
    try:
        yield
    except ApplicationError as exc:
        exc.fields = {names.get(key, key): value for key, value in exc.fields.items()}
        raise


# --- fields ---------------------------------------------------------------------------------------


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string"}],
        "description": "联动单位的 id（整数）或代码（字符串），须为本区启用的联动单位",
        "example": "court",
    }
)
class AgencyField(serializers.Field):
    """A partner agency of the case's district (context["case"]) by id or code; any other is
    invalid, like a missing one."""

    default_error_messages = {"unknown": gettext_lazy("没有这个联动单位，或不是本区的联动单位。")}

    def to_internal_value(self, data: Any) -> PartnerAgency:
        case: Case = self.context["case"]
        agencies = PartnerAgency.objects.filter(district_id__in=case.organization.ancestor_ids(), active=True)
        agency = None
        if isinstance(data, int) and not isinstance(data, bool):
            agency = agencies.filter(pk=data).first() if 0 < data < 2**31 else None
        elif isinstance(data, str):
            agency = agencies.filter(code=data.strip()).first()
        if agency is None:
            self.fail("unknown")
        return agency

    def to_representation(self, value: Any) -> Any:
        return value.pk


@extend_schema_field({"type": "integer", "description": "本案有效调解协议中支付义务的 id"})
class ObligationField(serializers.PrimaryKeyRelatedField):
    """An obligation of this case's agreement (context["case"]); another case's is invalid."""

    def get_queryset(self) -> Any:
        return mediation_selectors.case_obligations(case=cast(Case, self.context["case"]))


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as its own enum component `enum_name`. Several of these
    vocabularies share a field name with others (channel, kind), which drf-spectacular can
    only name through ENUM_NAME_OVERRIDES in the settings; a named component avoids that."""

    def __init__(self, *, enum_name: str, **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        field = cast(NamedChoiceField, self.target)
        schema = build_choice_field(field)
        schema.pop("x-spec-enum-id", None)
        component = ResolvedComponent(
            name=field.enum_name, type=ResolvedComponent.SCHEMA, object=field.enum_name, schema=schema
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


# --- output ---------------------------------------------------------------------------------------


class AgencySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = NamedChoiceField(choices=AgencyKind.choices, enum_name="AgencyKindEnum")


class TransferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    case_number = serializers.CharField(source="case.__str__", help_text="案号（未受理的为登记号）")
    transfer_type = serializers.ChoiceField(choices=vocab.TransferType.choices)
    transfer_type_label = serializers.CharField(source="get_transfer_type_display")
    status = serializers.ChoiceField(choices=vocab.TransferStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    agency = AgencySerializer()
    reason = serializers.CharField(help_text="移送事由")
    requested_by = UserRefSerializer()
    created_at = DateTimeField()
    approved_by = UserRefSerializer(allow_null=True)
    approved_at = DateTimeField(allow_null=True)
    sent_on = DateField(allow_null=True)
    send_channel = serializers.CharField(help_text="移送方式（见 send 的 channel）；未移送为空")
    acknowledged_at = DateTimeField(allow_null=True)
    external_number = serializers.CharField(help_text="联动单位的案号，如（2026）京0115民特123号")
    outcome = serializers.CharField(help_text="处理结果代码（见 outcome 的 outcome）；未反馈为空")
    outcome_on = DateField(allow_null=True)
    outcome_note = serializers.CharField()
    returned_reason = serializers.CharField()
    handled_by = UserRefSerializer(allow_null=True, help_text="联动单位经办人")


class RecoveredByChannelSerializer(serializers.Serializer):
    """挽回经济损失 of the case by channel (mediation.vocab.RecoveryChannel)."""

    agreement = MoneyField(help_text=str(mediation_vocab.RecoveryChannel.AGREEMENT.label))
    court = MoneyField(help_text=str(mediation_vocab.RecoveryChannel.COURT.label))
    arbitration = MoneyField(help_text=str(mediation_vocab.RecoveryChannel.ARBITRATION.label))
    inspection = MoneyField(help_text=str(mediation_vocab.RecoveryChannel.INSPECTION.label))


# --- a case's transfers ---------------------------------------------------------------------------


class CaseTransferListApi(ApiView):
    class OutputSerializer(serializers.Serializer):
        transfers = TransferSerializer(many=True)
        recovered_by_channel = RecoveredByChannelSerializer()

    @extend_schema(
        operation_id="transfers_of_case_list",
        summary="本案的移送",
        description=(
            "本案的移送（联络员只看到移送本单位且已移送的），以及本案按渠道统计的挽回金额"
            "（recovered_by_channel：调解协议履行、法院、仲裁、劳动保障监察）。"
        ),
        responses={200: OutputSerializer, **error_responses(*READ_ERRORS)},
        tags=TAGS,
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id, write=False)
        data = {
            "transfers": selectors.case_transfers(case=case, user=request.user),
            "recovered_by_channel": selectors.recovered_by_channel(case=case),
        }
        return Response(self.OutputSerializer(data).data)


class CaseTransferCreateApi(ApiView):
    class InputSerializer(serializers.Serializer):
        transfer_type = serializers.ChoiceField(
            choices=vocab.TransferType.choices, help_text="是否可选见 GET /cases/{id}/transfer-options/"
        )
        agency = AgencyField()
        reason = serializers.CharField(max_length=2000, help_text="移送事由")
        worker_consent_on = DateField(
            required=False, allow_null=True, default=None, help_text="劳动者同意转法律援助的日期（法律援助必填）"
        )

    @extend_schema(
        operation_id="transfers_create",
        summary="拟写移送（草稿）",
        description=(
            "调解员或书记员拟写，主任审批后登记移送。本案不适合该类移送时答 400，"
            "fields.transfer_type 说明原因；联动单位类别不对时 fields.agency 说明应送何处。"
        ),
        request=InputSerializer,
        responses={201: TransferSerializer, **error_responses(*WRITE_ERRORS)},
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id, write=True)
        serializer = self.InputSerializer(data=request.data, context={"case": case})
        serializer.is_valid(raise_exception=True)
        transfer = services.transfer_create(case=case, actor=request_actor(request), **serializer.validated_data)
        return Response(TransferSerializer(transfer).data, status=201)


class TransferApproveApi(ApiView):
    @extend_schema(
        operation_id="transfers_approve",
        summary="审批移送函",
        description="主任审批草稿；审批时再检查一次本案是否仍适合该类移送。",
        request=None,
        responses={200: TransferSerializer, **error_responses(*WRITE_ERRORS)},
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int, transfer_id: int) -> Response:
        transfer = _transfer(request, case_id, transfer_id, write=True)
        transfer = services.transfer_approve(transfer=transfer, actor=request_actor(request))
        return Response(TransferSerializer(transfer).data)


class TransferSendApi(ApiView):
    class InputSerializer(serializers.Serializer):
        sent_on = DateField(help_text="移送日期，不晚于今天")
        channel = NamedChoiceField(choices=vocab.SendChannel.choices, enum_name="SendChannelEnum")

    @extend_schema(
        operation_id="transfers_send",
        summary="登记移送",
        description="审批后由调解员或书记员登记；此后联动单位的联络员可以看到本案。",
        request=InputSerializer,
        responses={200: TransferSerializer, **error_responses(*WRITE_ERRORS)},
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int, transfer_id: int) -> Response:
        transfer = _transfer(request, case_id, transfer_id, write=True)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        transfer = services.transfer_send(transfer=transfer, actor=request_actor(request), **serializer.validated_data)
        return Response(TransferSerializer(transfer).data)


class TransferAcknowledgeApi(ApiView):
    class InputSerializer(serializers.Serializer):
        external_number = serializers.CharField(
            max_length=80, required=False, allow_blank=True, default="", help_text="本单位案号（可后补）"
        )

    @extend_schema(
        operation_id="transfers_acknowledge",
        summary="确认接收（联络员）",
        description="联动单位的联络员确认收到移送，可同时填写本单位案号。",
        request=InputSerializer,
        responses={200: TransferSerializer, **error_responses(*WRITE_ERRORS)},
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int, transfer_id: int) -> Response:
        transfer = _liaison_transfer(request, case_id, transfer_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        transfer = services.transfer_acknowledge(
            transfer=transfer, actor=request_actor(request), **serializer.validated_data
        )
        return Response(TransferSerializer(transfer).data)


class TransferOutcomeApi(ApiView):
    class InputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=vocab.TransferOutcome.choices)
        outcome_on = DateField(help_text="结果日期，不晚于今天")
        note = serializers.CharField(
            max_length=2000, required=False, allow_blank=True, default="", help_text="结果说明；结果为 other 时必填"
        )
        external_number = serializers.CharField(
            max_length=80, required=False, allow_blank=True, default="", help_text="本单位案号（未填过的）"
        )
        amount_recovered = MoneyField(
            required=False,
            allow_null=True,
            default=None,
            help_text="经本单位为劳动者挽回的金额；填写时须指定 obligation",
        )
        obligation = ObligationField(
            required=False, allow_null=True, default=None, help_text="挽回金额对应的协议义务（本案有效协议的支付义务）"
        )

    @extend_schema(
        operation_id="transfers_outcome",
        summary="反馈处理结果（联络员）",
        description=(
            "联动单位的联络员登记处理结果；有挽回金额的，作为该义务的一笔付款登记，"
            "计入本单位的渠道（法院、仲裁或劳动保障监察），不能超过该义务尚欠金额。"
        ),
        request=InputSerializer,
        responses={200: TransferSerializer, **error_responses(*WRITE_ERRORS)},
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int, transfer_id: int) -> Response:
        transfer = _liaison_transfer(request, case_id, transfer_id)
        serializer = self.InputSerializer(data=request.data, context={"case": transfer.case})
        serializer.is_valid(raise_exception=True)
        with _fields_renamed(amount="amount_recovered", paid_on="outcome_on"):
            transfer = services.transfer_record_outcome(
                transfer=transfer, actor=request_actor(request), **serializer.validated_data
            )
        return Response(TransferSerializer(transfer).data)


class TransferReturnApi(ApiView):
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=2000, help_text="退回理由（必填）")

    @extend_schema(
        operation_id="transfers_return",
        summary="退回（联络员）",
        description="联动单位不予受理或材料不全时退回，须说明理由。",
        request=InputSerializer,
        responses={200: TransferSerializer, **error_responses(*WRITE_ERRORS)},
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int, transfer_id: int) -> Response:
        transfer = _liaison_transfer(request, case_id, transfer_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        transfer = services.transfer_return(
            transfer=transfer, actor=request_actor(request), **serializer.validated_data
        )
        return Response(TransferSerializer(transfer).data)


# --- what may be transferred ----------------------------------------------------------------------


class CaseTransferOptionsApi(ApiView):
    class OutputSerializer(serializers.Serializer):
        transfer_type = serializers.ChoiceField(choices=vocab.TransferType.choices)
        label = serializers.CharField()  # type: ignore[assignment]
        allowed = serializers.BooleanField(help_text="本案现在是否适合该类移送")
        reason = serializers.CharField(allow_null=True, help_text="不适合的原因；适合时为 null")
        agency_kind = NamedChoiceField(
            choices=AgencyKind.choices, enum_name="AgencyKindEnum", help_text="该类移送应送的联动单位类别"
        )
        agencies = AgencySerializer(many=True, help_text="本区该类别的联动单位")

    @extend_schema(
        operation_id="transfer_options_list",
        summary="本案可办理的移送类型",
        description="每种移送类型：现在是否适合（不适合的附原因）和可选的联动单位。",
        responses={200: OutputSerializer(many=True), **error_responses(*READ_ERRORS)},
        tags=TAGS,
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id, write=False)
        agencies = list(
            PartnerAgency.objects.filter(district_id__in=case.organization.ancestor_ids(), active=True).order_by(
                "name", "pk"
            )
        )
        options = []
        for transfer_type in vocab.TransferType:
            kind = vocab.AGENCY_KIND_OF_TYPE[transfer_type]
            problem = services.offer_problem(case, transfer_type)
            options.append(
                {
                    "transfer_type": transfer_type.value,
                    "label": transfer_type.label,
                    "allowed": problem is None,
                    "reason": problem,
                    "agency_kind": kind,
                    "agencies": [agency for agency in agencies if agency.kind == kind],
                }
            )
        return Response(self.OutputSerializer(options, many=True).data)


# --- the liaison's inbox --------------------------------------------------------------------------


class TransferInboxApi(ApiView):
    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=vocab.TransferStatus.choices, required=False)

    pagination_class = LimitOffsetPagination  # for the schema; `paginate` pages the response

    @extend_schema(
        operation_id="transfers_list",
        summary="移送收件箱",
        description=(
            "联络员：移送本单位且已移送的案件（已移送、已接收、已反馈结果、已退回），其他一概不显示。"
            "调解组织的人员：本人权限范围内案件的全部移送。新的在前；分页：?limit=（默认50，最多200）&offset=。"
        ),
        parameters=[FilterSerializer],
        responses={200: TransferSerializer(many=True), **error_responses(400, 401)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        scope = _transfer_scope(request.user)
        transfers = Transfer.objects.select_related(
            "case", "agency", "requested_by", "approved_by", "handled_by"
        ).filter(scope if scope is not None else Q(pk__in=[]))
        if filters.validated_data.get("status"):
            transfers = transfers.filter(status=filters.validated_data["status"])
        transfers = transfers.order_by("-created_at", "-pk")
        return paginate(request=request, view=self, queryset=transfers, serializer_class=TransferSerializer)


# --- results reported to a referring body ---------------------------------------------------------


class CaseReferralReportApi(ApiView):
    class InputSerializer(serializers.Serializer):
        reported_on = DateField(help_text="反馈日期，不晚于今天")
        channel = NamedChoiceField(choices=vocab.ReportChannel.choices, enum_name="ReportChannelEnum")
        summary = serializers.CharField(max_length=5000, help_text="反馈内容")

    class OutputSerializer(serializers.Serializer):
        case_id = serializers.IntegerField()
        reported_on = DateField()
        channel = NamedChoiceField(choices=vocab.ReportChannel.choices, enum_name="ReportChannelEnum")
        summary = serializers.CharField()
        reported_by = UserRefSerializer()
        created_at = DateTimeField()

    @extend_schema(
        operation_id="referral_report_create",
        summary="向委派机关反馈调解结果",
        description=(
            "法院委派、委托或仲裁委托调解的案件（source 为 court_prefiling、court_in_litigation、"
            "arbitration_entrusted），结案前须反馈调解结果；只能反馈一次。"
        ),
        request=InputSerializer,
        responses={201: OutputSerializer, **error_responses(*WRITE_ERRORS)},
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id, write=True)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.referral_report(case=case, actor=request_actor(request), **serializer.validated_data)
        return Response(self.OutputSerializer(report).data, status=201)


__all__ = [
    "CaseReferralReportApi",
    "CaseTransferCreateApi",
    "CaseTransferListApi",
    "CaseTransferOptionsApi",
    "TransferAcknowledgeApi",
    "TransferApproveApi",
    "TransferInboxApi",
    "TransferOutcomeApi",
    "TransferReturnApi",
    "TransferSendApi",
]
