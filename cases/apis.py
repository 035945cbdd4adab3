"""API of cases: list, create a draft with its parties and claims, detail, history, and one
POST endpoint per transition. Thin: parse, call one selector or service, serialize.

Every case comes from case_get_for_user (404 outside the caller's scope, 403 for a
read-only role asked to write). Higher layers add what they know to the case detail
(`register_case_amounts`) and their own transitions (subclasses of `CaseTransitionApi`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, ClassVar, cast

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.access import organizations_in_scope
from accounts.models import Organization, Role, User
from accounts.selectors import staff_of
from accounts.services import system_user
from cases import consultations, online, reveal, selectors, services, vocab
from cases.models import AssignmentRole, Case, CaseParty, Clock, EventKind, PlatformClient, RevealField
from cases.reveal import MAX_REASON_LENGTH, MIN_REASON_LENGTH
from cases.workflow import TRANSITIONS, Status
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

ZERO = Decimal("0.00")

#: Amounts that higher layers know (the mediation app: agreed and recovered). Each takes the
#: case and returns some of {"agreed": Decimal, "recovered": Decimal}.
CASE_AMOUNTS: list[Callable[[Case], dict[str, Decimal]]] = []


def register_case_amounts(func: Callable[[Case], dict[str, Decimal]]) -> Callable[[Case], dict[str, Decimal]]:
    if func not in CASE_AMOUNTS:
        CASE_AMOUNTS.append(func)
    return func


def request_actor(request: Request) -> User:
    """The authenticated user (every case endpoint requires one)."""
    return cast(User, request.user)


# --- fields shared with the mediation API ---------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class StaffField(serializers.PrimaryKeyRelatedField):
    """A user id among the case organisation's staff of `role` (the organisation and the
    ones above it, as in the UI's choices); any other id is invalid. Needs context["case"]."""

    def __init__(self, *, role: str, **kwargs: Any) -> None:
        self.role = role
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        case: Case = self.context["case"]
        return staff_of(organization=case.organization, role=self.role)


@extend_schema_field(OpenApiTypes.INT)
class CasePartyField(serializers.PrimaryKeyRelatedField):
    """The id of a party of this case (context["case"]); another case's party is invalid."""

    def get_queryset(self) -> Any:
        return cast(Case, self.context["case"]).parties.select_related("person", "employer")


# --- output pieces ----------------------------------------------------------------------------------


class OrganizationRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CasePartySerializer(serializers.Serializer):
    """A party as the case page shows it: ID numbers and phones masked, never in clear."""

    class PersonSerializer(serializers.Serializer):
        name = serializers.CharField()
        id_type = serializers.ChoiceField(choices=vocab.IdType.choices)
        id_number_masked = serializers.CharField()
        phone_masked = serializers.CharField()

    class EmployerSerializer(serializers.Serializer):
        name = serializers.CharField()
        uscc = serializers.CharField()
        entity_type = serializers.ChoiceField(choices=vocab.EntityType.choices)
        legal_rep_name = serializers.CharField()
        registered_address = serializers.CharField()
        contact_phone_masked = serializers.CharField()

    id = serializers.IntegerField()
    side = serializers.ChoiceField(choices=vocab.Side.choices)
    party_kind = serializers.ChoiceField(choices=vocab.PartyKind.choices)
    name = serializers.CharField()
    is_representative = serializers.BooleanField()
    position = serializers.CharField()
    person = PersonSerializer(allow_null=True)
    employer = EmployerSerializer(allow_null=True)


class ClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    claim_type = serializers.ChoiceField(choices=vocab.ClaimType.choices)
    description = serializers.CharField()
    amount = MoneyField(allow_null=True, help_text="非金钱请求为 null")
    claimant_id = serializers.IntegerField(allow_null=True)
    period_start = DateField(allow_null=True)
    period_end = DateField(allow_null=True)


def case_detail_response(*, case_id: int, user: Any, status: int = 200) -> Response:
    """The case as GET /cases/{id}/ shows it (transitions answer with it too)."""
    case = selectors.case_get_for_page(case_id=case_id, user=user)
    amounts = {"claimed": selectors.case_claimed_total(case=case), "agreed": ZERO, "recovered": ZERO}
    for provider in CASE_AMOUNTS:
        amounts.update(provider(case))
    data = {
        "case": case,
        "parties": selectors.case_parties(case=case),
        "claims": selectors.case_claims(case=case),
        "assignments": selectors.case_active_assignments(case=case),
        "amounts": amounts,
        "deadlines": selectors.case_deadlines(case=case),
        "alerts": selectors.case_open_alerts(case=case),
        "available_transitions": selectors.case_available_transitions(case=case, user=user),
    }
    return Response(CaseDetailApi.OutputSerializer(data).data, status=status)


# --- detail and history -----------------------------------------------------------------------------


class CaseDetailApi(ApiView):
    class OutputSerializer(serializers.Serializer):
        class AssignmentSerializer(serializers.Serializer):
            user = UserRefSerializer()
            role = serializers.ChoiceField(choices=AssignmentRole.choices)
            assigned_at = DateTimeField()

        class AmountsSerializer(serializers.Serializer):
            claimed = MoneyField(help_text="请求金额合计")
            agreed = MoneyField(help_text="协议金额（有效协议中的支付义务合计）")
            recovered = MoneyField(help_text="挽回经济损失（已登记的付款合计）")

        class DeadlineSerializer(serializers.Serializer):
            label = serializers.CharField()  # type: ignore[assignment]
            due_on = DateField()
            days_left = serializers.IntegerField(help_text="负数为已超过的天数")

        class AlertSerializer(serializers.Serializer):
            clock = serializers.ChoiceField(choices=Clock.choices)
            label = serializers.CharField(source="get_clock_display")  # type: ignore[assignment]
            due_on = DateField()

        class TransitionSerializer(serializers.Serializer):
            name = serializers.CharField(help_text="POST /api/v1/cases/{id}/transitions/{name}/")
            label = serializers.CharField(source="spec.label")  # type: ignore[assignment]
            blockers = serializers.ListField(child=serializers.CharField(), help_text="尚待完成的事项；为空即可办理")

        id = serializers.IntegerField(source="case.pk")
        number = serializers.CharField(source="case.__str__")
        registry_number = serializers.CharField(source="case.registry_number")
        case_number = serializers.CharField(source="case.case_number", allow_null=True)
        status = serializers.ChoiceField(source="case.status", choices=Status.choices)
        status_label = serializers.CharField(source="case.get_status_display")
        organization = OrganizationRefSerializer(source="case.organization")
        dispute_type = serializers.ChoiceField(source="case.dispute_type", choices=vocab.DisputeType.choices)
        source = serializers.ChoiceField(source="case.source", choices=vocab.CaseSource.choices)  # type: ignore[assignment]
        source_reference = serializers.CharField(source="case.source_reference")
        referring_body = serializers.CharField(source="case.referring_body")
        channel = serializers.ChoiceField(source="case.channel", choices=vocab.Channel.choices)
        facts_summary = serializers.CharField(source="case.facts_summary")
        workers_involved = serializers.IntegerField(source="case.workers_involved")
        is_collective = serializers.BooleanField(source="case.is_collective")
        file_type = serializers.ChoiceField(source="case.file_type", choices=vocab.FileType.choices)
        created_at = DateTimeField(source="case.created_at")
        updated_at = DateTimeField(source="case.updated_at")
        received_at = DateTimeField(source="case.received_at", allow_null=True)
        accepted_at = DateTimeField(source="case.accepted_at", allow_null=True)
        mediation_started_at = DateTimeField(source="case.mediation_started_at", allow_null=True)
        outcome_at = DateTimeField(source="case.outcome_at", allow_null=True)
        closed_at = DateTimeField(source="case.closed_at", allow_null=True)
        archived_at = DateTimeField(source="case.archived_at", allow_null=True)
        arbitration_release_on = DateField(source="case.arbitration_release_on", allow_null=True)
        acceptance_due_on = DateField(source="case.acceptance_due_on", allow_null=True)
        mediation_due_on = DateField(source="case.mediation_due_on", allow_null=True)
        extension_days = serializers.IntegerField(source="case.extension_days")
        rejection_reason = serializers.CharField(source="case.rejection_reason")
        termination_reason = serializers.CharField(source="case.termination_reason")
        withdrawal_reason = serializers.CharField(source="case.withdrawal_reason")
        outcome_note = serializers.CharField(source="case.outcome_note")
        clerk = UserRefSerializer(source="case.clerk", allow_null=True)
        created_by = UserRefSerializer(source="case.created_by")
        assignments = AssignmentSerializer(many=True)
        parties = CasePartySerializer(many=True)
        claims = ClaimSerializer(many=True)
        amounts = AmountsSerializer()
        deadlines = DeadlineSerializer(many=True)
        alerts = AlertSerializer(many=True)
        available_transitions = TransitionSerializer(many=True)

    @extend_schema(
        operation_id="cases_retrieve",
        summary="案件详情",
        description="当事人身份证号、电话已遮蔽；available_transitions 为本人现在可办理的状态变更。",
        responses={200: OutputSerializer, **error_responses(*READ_ERRORS)},
    )
    def get(self, request: Request, case_id: int) -> Response:
        return case_detail_response(case_id=case_id, user=request.user)


class CaseHistoryApi(ApiView):
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        time = DateTimeField(source="created_at")
        kind = serializers.ChoiceField(choices=EventKind.choices)
        name = serializers.CharField(help_text="变更名称（如 accept），或提醒的期限（clock_B）")
        label = serializers.CharField()  # type: ignore[assignment]
        from_status = serializers.CharField(help_text="原状态代码；非状态变更为空")
        to_status = serializers.CharField(help_text="新状态代码；非状态变更为空")
        actor = UserRefSerializer()
        reason = serializers.CharField()
        payload = serializers.DictField()

    @extend_schema(
        operation_id="cases_history",
        summary="办理经过",
        description="案件事件（只增不改），按时间先后。",
        responses={200: OutputSerializer(many=True), **error_responses(*READ_ERRORS)},
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get_for_user(case_id=case_id, user=request.user)
        return Response(self.OutputSerializer(selectors.case_timeline(case=case), many=True).data)


# --- list and create --------------------------------------------------------------------------------

ORDERINGS = (
    "-created_at",
    "created_at",
    "-received_at",
    "received_at",
    "case_number",
    "-case_number",
    "mediation_due_on",
    "-mediation_due_on",
)


class CaseListApi(ApiView):
    class FilterSerializer(serializers.Serializer):
        q = serializers.CharField(
            required=False, max_length=100, help_text="案号、登记号、当事人姓名、单位名称、信用代码、完整身份证号"
        )
        status = serializers.ChoiceField(choices=Status.choices, required=False)
        organization = serializers.CharField(required=False, max_length=20, help_text="调解组织代码")
        dispute_type = serializers.ChoiceField(choices=vocab.DisputeType.choices, required=False)
        mediator = serializers.IntegerField(
            required=False, min_value=1, max_value=2**31 - 1, help_text="承办调解员的用户 id"
        )
        received_from = DateField(required=False)
        received_to = DateField(required=False)
        overdue = serializers.BooleanField(required=False, help_text="仅受理审查或调解已超期的案件")
        order = serializers.ChoiceField(choices=ORDERINGS, required=False)

    class OutputSerializer(serializers.Serializer):
        class DeadlineSerializer(serializers.Serializer):
            label = serializers.CharField()  # type: ignore[assignment]
            due_on = DateField()

        id = serializers.IntegerField()
        number = serializers.CharField(source="__str__", help_text="案号，或登记号，或“草稿 #id”")
        registry_number = serializers.CharField()
        case_number = serializers.CharField(allow_null=True)
        status = serializers.ChoiceField(choices=Status.choices)
        status_label = serializers.CharField(source="get_status_display")
        organization = OrganizationRefSerializer()
        dispute_type = serializers.ChoiceField(choices=vocab.DisputeType.choices)
        received_at = DateTimeField(allow_null=True)
        mediation_due_on = DateField(allow_null=True)
        current_deadline = serializers.SerializerMethodField()
        amount_claimed = MoneyField()
        created_at = DateTimeField()

        @extend_schema_field(DeadlineSerializer(allow_null=True))
        def get_current_deadline(self, case: Case) -> dict[str, Any] | None:
            deadline = case.current_deadline
            return None if deadline is None else {"label": deadline[0], "due_on": str(deadline[1])}

        def to_representation(self, case: Case) -> dict[str, Any]:
            """The fields above, written out: a list answers 50-200 of these, and DRF's
            per-field machinery (and a translated choice list per status label) was most of
            the request's time (docs/performance.md). Same shape: the schema tests hold it."""
            fields = self.fields
            labels = self._labels()
            return {
                "id": case.pk,
                "number": str(case),
                "registry_number": case.registry_number,
                "case_number": case.case_number,
                "status": case.status,
                "status_label": labels[case.status],
                "organization": {"code": case.organization.code, "name": case.organization.name},
                "dispute_type": case.dispute_type,
                "received_at": fields["received_at"].to_representation(case.received_at) if case.received_at else None,
                "mediation_due_on": fields["mediation_due_on"].to_representation(case.mediation_due_on)
                if case.mediation_due_on
                else None,
                "current_deadline": self.get_current_deadline(case),
                "amount_claimed": fields["amount_claimed"].to_representation(case.amount_claimed),  # type: ignore[attr-defined]
                "created_at": fields["created_at"].to_representation(case.created_at),
            }

        def _labels(self) -> dict[str, str]:
            """The status labels in the request's language, translated once per response."""
            root = self.parent if self.parent is not None else self
            cached: dict[str, str] | None = getattr(root, "_status_labels", None)
            if cached is None:
                cached = {value: str(label) for value, label in Status.choices}
                root._status_labels = cached  # type: ignore[attr-defined]
            return cached

    pagination_class = LimitOffsetPagination  # for the schema; `paginate` pages the response

    @extend_schema(
        operation_id="cases_list",
        summary="案件查询",
        description="与界面“案件查询”相同的条件；分页：?limit=（默认50，最多200）&offset=。",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        cases = selectors.case_list(user=request.user, filters=filters.validated_data)
        return paginate(request=request, view=self, queryset=cases, serializer_class=self.OutputSerializer)


class ApplicantSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_type = serializers.ChoiceField(choices=vocab.IdType.choices, default=vocab.IdType.RESIDENT_ID)
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RespondentSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    uscc = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    entity_type = serializers.ChoiceField(choices=vocab.EntityType.choices, default=vocab.EntityType.ENTERPRISE)
    legal_rep_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    registered_address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class ClaimInputSerializer(serializers.Serializer):
    claim_type = serializers.ChoiceField(choices=vocab.ClaimType.choices)
    description = serializers.CharField(max_length=300)
    amount = MoneyField(required=False, allow_null=True, default=None, help_text="非金钱请求不填")
    period_start = DateField(required=False, allow_null=True, default=None)
    period_end = DateField(required=False, allow_null=True, default=None)


@contextmanager
def _fields_under(prefix: str) -> Iterator[None]:
    """A service's field errors, named where the request put the item ("claims.1.amount")."""
    try:
        yield
    except ApplicationError as exc:
        raise type(exc)(exc.message, fields={f"{prefix}.{k}": v for k, v in exc.fields.items()}) from exc


def _add_applicant(case: Case, actor: User, item: dict[str, Any]) -> CaseParty:
    person = services.person_get_or_create(actor=actor, **item)
    return services.case_party_add(case=case, actor=actor, side=vocab.Side.APPLICANT, person=person)


def _add_respondent(case: Case, actor: User, item: dict[str, Any]) -> CaseParty:
    employer = services.employer_get_or_create(actor=actor, **item)
    return services.case_party_add(case=case, actor=actor, side=vocab.Side.RESPONDENT, employer=employer)


def _case_intake(*, actor: User, organization: Organization, data: dict[str, Any]) -> Case:
    """A draft with its parties and claims, all or nothing. (Several services in one
    transaction: cases.services has no single service for it yet.)"""
    applicants, respondents, claims = data.pop("applicants"), data.pop("respondents"), data.pop("claims")
    with transaction.atomic():
        case = services.case_create(actor=actor, organization=organization, **data)
        for index, item in enumerate(applicants):
            with _fields_under(f"applicants.{index}"):
                _add_applicant(case, actor, item)
        for index, item in enumerate(respondents):
            with _fields_under(f"respondents.{index}"):
                _add_respondent(case, actor, item)
        for index, item in enumerate(claims):
            with _fields_under(f"claims.{index}"):
                services.claim_add(case=case, actor=actor, **item)
    return case


def _organization_in_scope(user: Any, code: str) -> Organization:
    """An organisation whose cases the user sees (else 404, like a missing one)."""
    for organization in organizations_in_scope(user):
        if organization.code == code:
            return organization
    raise Http404


class CaseUpdateApi(ApiView):
    class InputSerializer(serializers.Serializer):
        dispute_type = serializers.ChoiceField(choices=vocab.DisputeType.choices, required=False)
        source = serializers.ChoiceField(choices=vocab.CaseSource.choices, required=False)  # type: ignore[assignment]
        channel = serializers.ChoiceField(choices=vocab.Channel.choices, required=False)
        source_reference = serializers.CharField(max_length=80, required=False, allow_blank=True)
        referring_body = serializers.CharField(max_length=100, required=False, allow_blank=True)
        facts_summary = serializers.CharField(required=False, allow_blank=True, max_length=services.FACTS_MAX_LENGTH)
        workers_involved = serializers.IntegerField(min_value=1, max_value=100_000, required=False)
        file_type = serializers.ChoiceField(choices=vocab.FileType.choices, required=False)

    @extend_schema(
        operation_id="cases_partial_update",
        summary="修改案件基本信息（仅草稿和待审查的案件）",
        description="只改请求中给出的字段；案件已受理或已结束时答 409。当事人和请求事项另有接口。",
        request=InputSerializer,
        responses={200: CaseDetailApi.OutputSerializer, **error_responses(*WRITE_ERRORS)},
    )
    def patch(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get_for_user(case_id=case_id, user=request.user, for_write=True)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.case_update(case=case, actor=request_actor(request), changes=dict(serializer.validated_data))
        return case_detail_response(case_id=case.pk, user=request.user)


class CaseCreateApi(ApiView):
    class InputSerializer(serializers.Serializer):
        organization = serializers.CharField(max_length=20, help_text="调解组织代码，须在本人可办案的范围内")
        dispute_type = serializers.ChoiceField(choices=vocab.DisputeType.choices)
        source = serializers.ChoiceField(choices=vocab.CaseSource.choices, default=vocab.CaseSource.WALK_IN_WRITTEN)  # type: ignore[assignment]
        channel = serializers.ChoiceField(choices=vocab.Channel.choices, default=vocab.Channel.WRITTEN)
        source_reference = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
        referring_body = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
        facts_summary = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=services.FACTS_MAX_LENGTH
        )
        workers_involved = serializers.IntegerField(min_value=1, max_value=100_000, default=1)
        applicants = ApplicantSerializer(many=True, required=False, default=list)
        respondents = RespondentSerializer(many=True, required=False, default=list)
        claims = ClaimInputSerializer(many=True, required=False, default=list)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if problem := vocab.source_reference_problem(attrs["source"], attrs.get("source_reference", "")):
                raise serializers.ValidationError({"source_reference": [problem]})
            return attrs

    @extend_schema(
        operation_id="cases_create",
        summary="新建案件草稿（含申请人、被申请人和请求事项）",
        description=(
            "一次请求建立草稿及其当事人和请求事项，任何一项有误则全部不保存（fields 指出哪一项，"
            "如 applicants.0.id_number）。调解组织不在本人权限范围内时答 404；在范围内但本人角色只读时答 403。"
        ),
        request=InputSerializer,
        responses={201: CaseDetailApi.OutputSerializer, **error_responses(*WRITE_ERRORS)},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organization = _organization_in_scope(request.user, data.pop("organization"))
        case = _case_intake(actor=request_actor(request), organization=organization, data=data)
        return case_detail_response(case_id=case.pk, user=request.user, status=201)


# --- parties and claims of a draft ------------------------------------------------------------------


class CasePartyAddApi(ApiView):
    class InputSerializer(serializers.Serializer):
        side = serializers.ChoiceField(choices=vocab.Side.choices)
        party_kind = serializers.ChoiceField(choices=vocab.PartyKind.choices, required=False)
        is_representative = serializers.BooleanField(default=False)
        position = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
        person = ApplicantSerializer(required=False, help_text="自然人；与 employer 二选一")
        employer = RespondentSerializer(required=False, help_text="单位；与 person 二选一")

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if ("person" in attrs) == ("employer" in attrs):
                raise serializers.ValidationError(_("person 与 employer 须填写且只填写其中一项。"))
            return attrs

    @extend_schema(
        operation_id="cases_parties_create",
        summary="增加当事人（登记前、受理前）",
        request=InputSerializer,
        responses={201: CasePartySerializer, **error_responses(*WRITE_ERRORS)},
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get_for_user(case_id=case_id, user=request.user, for_write=True)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        actor = request_actor(request)
        person, employer = None, None
        with transaction.atomic():
            if "person" in data:
                with _fields_under("person"):
                    person = services.person_get_or_create(actor=actor, **data["person"])
            else:
                with _fields_under("employer"):
                    employer = services.employer_get_or_create(actor=actor, **data["employer"])
            party = services.case_party_add(
                case=case,
                actor=actor,
                side=data["side"],
                person=person,
                employer=employer,
                party_kind=data.get("party_kind"),
                is_representative=data["is_representative"],
                position=data["position"],
            )
        return Response(CasePartySerializer(party).data, status=201)


class CaseClaimAddApi(ApiView):
    class InputSerializer(ClaimInputSerializer):
        claimant = CasePartyField(required=False, allow_null=True, default=None, help_text="请求人（本案当事人 id）")

    @extend_schema(
        operation_id="cases_claims_create",
        summary="增加请求事项（登记前、受理前）",
        request=InputSerializer,
        responses={201: ClaimSerializer, **error_responses(*WRITE_ERRORS)},
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get_for_user(case_id=case_id, user=request.user, for_write=True)
        serializer = self.InputSerializer(data=request.data, context={"case": case})
        serializer.is_valid(raise_exception=True)
        claim = services.claim_add(case=case, actor=request_actor(request), **serializer.validated_data)
        return Response(ClaimSerializer(claim).data, status=201)


def _party_of(case: Case, party_id: int) -> CaseParty:
    party = case.parties.select_related("person", "employer").filter(pk=party_id).first()
    if party is None:
        raise Http404
    return party


class CasePartyApi(ApiView):
    class InputSerializer(serializers.Serializer):
        is_representative = serializers.BooleanField(required=False)
        position = serializers.CharField(max_length=50, required=False, allow_blank=True)
        phone = serializers.CharField(max_length=20, required=False, allow_blank=True, help_text="自然人的电话")
        address = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="自然人的送达地址")
        legal_rep_name = serializers.CharField(max_length=50, required=False, allow_blank=True, help_text="单位")
        registered_address = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="单位")
        contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True, help_text="单位")
        contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, help_text="单位")

    @extend_schema(
        operation_id="cases_parties_partial_update",
        summary="修改当事人（仅草稿和待审查的案件）",
        description=(
            "可改：是否推举代表、岗位；自然人的电话和送达地址；单位的法定代表人、住所、联系人和联系电话。"
            "姓名、证件号码或信用代码有误时请删除该当事人后重新增加。案件已受理时答 409。"
        ),
        request=InputSerializer,
        responses={200: CasePartySerializer, **error_responses(*WRITE_ERRORS)},
    )
    def patch(self, request: Request, case_id: int, party_id: int) -> Response:
        case = selectors.case_get_for_user(case_id=case_id, user=request.user, for_write=True)
        party = _party_of(case, party_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        party = services.case_party_update(
            party=party, actor=request_actor(request), changes=dict(serializer.validated_data)
        )
        return Response(CasePartySerializer(_party_of(case, party.pk)).data)

    @extend_schema(
        operation_id="cases_parties_destroy",
        summary="删除当事人（仅草稿和待审查的案件）",
        description="该当事人是某项请求事项的请求人时答 409，请先修改或删除该请求事项。",
        request=None,
        responses={204: None, **error_responses(*WRITE_ERRORS)},
    )
    def delete(self, request: Request, case_id: int, party_id: int) -> Response:
        case = selectors.case_get_for_user(case_id=case_id, user=request.user, for_write=True)
        services.case_party_remove(party=_party_of(case, party_id), actor=request_actor(request))
        return Response(status=204)


class CaseClaimApi(ApiView):
    class InputSerializer(serializers.Serializer):
        claim_type = serializers.ChoiceField(choices=vocab.ClaimType.choices, required=False)
        description = serializers.CharField(max_length=300, required=False)
        amount = MoneyField(required=False, allow_null=True, help_text="非金钱请求为 null")
        claimant = CasePartyField(required=False, allow_null=True, help_text="请求人（本案当事人 id）")
        period_start = DateField(required=False, allow_null=True)
        period_end = DateField(required=False, allow_null=True)

    @staticmethod
    def _claim_of(case: Case, claim_id: int) -> Any:
        claim = case.claims.filter(pk=claim_id).first()
        if claim is None:
            raise Http404
        return claim

    @extend_schema(
        operation_id="cases_claims_partial_update",
        summary="修改请求事项（仅草稿和待审查的案件）",
        description="只改请求中给出的字段；案件已受理时答 409。",
        request=InputSerializer,
        responses={200: ClaimSerializer, **error_responses(*WRITE_ERRORS)},
    )
    def patch(self, request: Request, case_id: int, claim_id: int) -> Response:
        case = selectors.case_get_for_user(case_id=case_id, user=request.user, for_write=True)
        claim = self._claim_of(case, claim_id)
        serializer = self.InputSerializer(data=request.data, context={"case": case})
        serializer.is_valid(raise_exception=True)
        claim = services.claim_update(
            claim=claim, actor=request_actor(request), changes=dict(serializer.validated_data)
        )
        return Response(ClaimSerializer(claim).data)

    @extend_schema(
        operation_id="cases_claims_destroy",
        summary="删除请求事项（仅草稿和待审查的案件）",
        request=None,
        responses={204: None, **error_responses(*WRITE_ERRORS)},
    )
    def delete(self, request: Request, case_id: int, claim_id: int) -> Response:
        case = selectors.case_get_for_user(case_id=case_id, user=request.user, for_write=True)
        services.claim_remove(claim=self._claim_of(case, claim_id), actor=request_actor(request))
        return Response(status=204)


# --- transitions ------------------------------------------------------------------------------------


class CaseTransitionApi(ApiView):
    """POST /cases/{id}/transitions/{name}/: parse the body, run the transition's service,
    answer with the case. Subclasses set `name`, `InputSerializer` (None: no body) and
    `perform`; `transition_endpoint` documents them."""

    name: ClassVar[str]
    InputSerializer: ClassVar[type[serializers.Serializer] | None] = None

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        """Run the transition's service; every subclass defines it."""
        raise TypeError(f"{type(self).__name__} does not define perform()")

    def post(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get_for_user(case_id=case_id, user=request.user, for_write=True)
        services.transition_precheck(case=case, name=self.name, actor=request_actor(request))
        data: dict[str, Any] = {}
        if self.InputSerializer is not None:
            serializer = self.InputSerializer(data=request.data, context={"case": case, "request": request})
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        self.perform(case=case, actor=request_actor(request), data=data)
        return case_detail_response(case_id=case.pk, user=request.user)


def transition_endpoint(cls: type[CaseTransitionApi]) -> type[CaseTransitionApi]:
    """Document a transition endpoint from the state machine's table."""
    spec = TRANSITIONS[cls.name]
    target = spec.target or _("提交结案前的状态")
    roles = "、".join(str(Role(role).label) for role in sorted(spec.roles))
    description = _("从 %(sources)s 到 %(target)s；可办理的角色：%(roles)s。") % {
        "sources": "、".join(spec.sources),
        "target": target,
        "roles": roles,
    }
    if cls.__doc__:
        description += "\n\n" + cls.__doc__
    schema = extend_schema(
        operation_id=f"cases_transitions_{cls.name}",
        summary=str(spec.label),
        description=description,
        request=cls.InputSerializer,
        responses={200: CaseDetailApi.OutputSerializer, **error_responses(*WRITE_ERRORS)},
        tags=["transitions"],
    )
    return extend_schema_view(post=schema)(cls)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="说明（可不填）")


def _reason_code_serializer(name: str, choices: Any) -> type[serializers.Serializer]:
    fields = {
        "reason_code": serializers.ChoiceField(choices=choices.choices, help_text="理由代码；选择 other 时 note 必填"),
        "note": serializers.CharField(required=False, allow_blank=True, default="", help_text="具体说明"),
    }
    return type(f"{name}InputSerializer", (serializers.Serializer,), fields)


@transition_endpoint
class CaseRegisterApi(CaseTransitionApi):
    """登记：确定收到申请的时间（即现在），编登记号，开始计算受理审查期限。须有申请人、被申请人和请求事项。"""

    name = "register"

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_register(case=case, actor=actor)


@transition_endpoint
class CaseSeekConsentApi(CaseTransitionApi):
    name = "seek_consent"
    InputSerializer = NoteSerializer

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_seek_consent(case=case, actor=actor, note=data["note"])


@transition_endpoint
class CaseAcceptApi(CaseTransitionApi):
    """受理：编案号，指派调解员（第一位为主调解员），开始计算调解期限。"""

    name = "accept"

    class InputSerializer(serializers.Serializer):
        mediators = serializers.ListField(
            child=StaffField(role=Role.MEDIATOR),
            min_length=1,
            max_length=10,
            help_text="调解员的用户 id（见 GET /api/v1/staff/?role=mediator），第一位为主调解员",
        )
        clerk = StaffField(role=Role.CLERK, required=False, allow_null=True, default=None, help_text="书记员的用户 id")
        note = serializers.CharField(required=False, allow_blank=True, default="", help_text="审查意见")

        def validate_mediators(self, value: list[User]) -> list[User]:
            return list(dict.fromkeys(value))  # a mediator named twice is assigned once

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_accept(
            case=case, actor=actor, mediators=data["mediators"], clerk=data["clerk"], note=data["note"]
        )


@transition_endpoint
class CaseRejectApi(CaseTransitionApi):
    name = "reject"
    InputSerializer = _reason_code_serializer("CaseReject", vocab.RejectionReason)

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_reject(case=case, actor=actor, reason_code=data["reason_code"], note=data["note"])


@transition_endpoint
class CaseWithdrawApi(CaseTransitionApi):
    name = "withdraw"
    InputSerializer = _reason_code_serializer("CaseWithdraw", vocab.WithdrawalReason)

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_withdraw(case=case, actor=actor, reason_code=data["reason_code"], note=data["note"])


@transition_endpoint
class CaseTerminateApi(CaseTransitionApi):
    name = "terminate"
    InputSerializer = _reason_code_serializer("CaseTerminate", vocab.TerminationReason)

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_terminate(case=case, actor=actor, reason_code=data["reason_code"], note=data["note"])


@transition_endpoint
class CaseSubmitClosureApi(CaseTransitionApi):
    """须先完成应送达文书的送达。"""

    name = "submit_closure"
    InputSerializer = NoteSerializer

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_submit_closure(case=case, actor=actor, note=data["note"])


@transition_endpoint
class CaseApproveClosureApi(CaseTransitionApi):
    """本案调解员不能批准本案结案。"""

    name = "approve_closure"
    InputSerializer = NoteSerializer

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_approve_closure(case=case, actor=actor, note=data["note"])


@transition_endpoint
class CaseReturnClosureApi(CaseTransitionApi):
    name = "return_closure"

    class InputSerializer(serializers.Serializer):
        comment = serializers.CharField(help_text="退回意见（必填）")

    def perform(self, *, case: Case, actor: User, data: dict[str, Any]) -> None:
        services.case_return_closure(case=case, actor=actor, comment=data["comment"])


# --- personal data --------------------------------------------------------------------------------


class CasePartyRevealApi(ApiView):
    """查看完整证件号码/电话: one value of one party, after a reason. Logged (cases.reveal)."""

    class InputSerializer(serializers.Serializer):
        field = serializers.ChoiceField(choices=RevealField.choices, help_text="id_number 或 phone（单位为联系电话）")
        reason = serializers.CharField(
            max_length=MAX_REASON_LENGTH, help_text=f"查看理由（必填，至少 {MIN_REASON_LENGTH} 个字）"
        )

    class OutputSerializer(serializers.Serializer):
        field = serializers.ChoiceField(choices=RevealField.choices)
        value = serializers.CharField(help_text="完整值（不要写入日志或网址）")

    @extend_schema(
        operation_id="cases_parties_reveal",
        summary="查看当事人完整证件号码或电话",
        description=(
            "书记员、调解员、中心主任可查看本组织案件当事人的一项完整信息，须填写理由（至少4个字）。"
            "每次查看和每次被拒绝的尝试都记录在案（查看人、时间、理由、来源地址，不记录查看到的值）。"
            "督导审计、联络员在范围内答 403，范围外答 404。"
        ),
        request=InputSerializer,
        responses={200: OutputSerializer, **error_responses(*WRITE_ERRORS)},
    )
    def post(self, request: Request, case_id: int, party_id: int) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        revealed = reveal.personal_data_reveal(
            case_id=case_id,
            party_id=party_id,
            field=str(data.get("field") or ""),
            reason=str(data.get("reason") or ""),
            actor=request_actor(request),
            via="api",
            remote_addr=str(request.META.get("REMOTE_ADDR", "")),
        )
        response = Response(self.OutputSerializer({"field": revealed.field, "value": revealed.value}).data)
        response["Cache-Control"] = "no-store"
        return response


# --- intake channels: online applications from partner platforms, consultations -----------------
# (docs/intake.md)


class PlatformKeyAuthentication(BaseAuthentication):
    """`Authorization: Api-Key <key>`: a partner platform (cases.PlatformClient). The request
    runs as the system user; `request.auth` is the platform. Staff tokens do not work here."""

    keyword = "Api-Key"

    def authenticate(self, request: Request) -> tuple[User, PlatformClient] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        keyword, _sep, key = header.partition(" ")
        if keyword != self.keyword:
            return None
        platform = online.platform_client_for_key(key.strip())
        if platform is None:
            raise exceptions.AuthenticationFailed()
        return system_user(), platform

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class PlatformKeyScheme(OpenApiAuthenticationExtension):
    target_class = "cases.apis.PlatformKeyAuthentication"
    name = "platformKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "对接平台密钥：Authorization: Api-Key <密钥>（由系统管理员用 manage.py platform_key 签发）",
        }


class IsPlatform(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, PlatformClient)


class OnlineApplicationCreateApi(ApiView):
    """A partner platform files an application: the same draft as the public form /apply/."""

    authentication_classes = [PlatformKeyAuthentication]
    permission_classes = [IsPlatform]

    class InputSerializer(serializers.Serializer):
        class ApplicantSerializer(serializers.Serializer):
            name = serializers.CharField(max_length=50)
            id_number = serializers.CharField(max_length=30, help_text="18位居民身份证号码")
            phone = serializers.CharField(max_length=20, help_text="手机号；状态查询用其后4位")
            address = serializers.CharField(max_length=200, help_text="送达地址")

        class EmployerSerializer(serializers.Serializer):
            name = serializers.CharField(max_length=200)
            uscc = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")

        class ClaimSerializer(serializers.Serializer):
            claim_type = serializers.ChoiceField(choices=vocab.ClaimType.choices)
            description = serializers.CharField(max_length=300)
            amount = MoneyField(required=False, allow_null=True, default=None, help_text="非金钱请求不填")

        class ConsentsSerializer(serializers.Serializer):
            pipl_notice = serializers.BooleanField(help_text="已阅读个人信息处理告知并同意（须为 true）")
            voluntary = serializers.BooleanField(help_text="自愿申请调解（须为 true）")
            truthful = serializers.BooleanField(help_text="保证所填内容真实（须为 true）")
            e_service = serializers.BooleanField(default=False, help_text="同意电子送达")
            transfer_court = serializers.BooleanField(default=False, help_text="单独同意向法院提供材料")
            transfer_arbitration = serializers.BooleanField(default=False, help_text="单独同意向仲裁委提供材料")
            transfer_inspection = serializers.BooleanField(default=False, help_text="单独同意向劳动监察提供材料")

        class EvidenceSerializer(serializers.Serializer):
            filename = serializers.CharField(max_length=200, help_text="文件名，扩展名 .pdf .jpg .jpeg .png")
            content_base64 = serializers.CharField(help_text="文件内容，base64 编码；整个请求体不超过 2.5 MB")

        organization = serializers.CharField(max_length=20, help_text="受理的调解组织代码（须为本平台获准提交的组织）")
        platform_reference = serializers.CharField(max_length=80, help_text="平台的申请编号；同一编号只受理一次")
        applicant = ApplicantSerializer()
        employer = EmployerSerializer()
        dispute_type = serializers.ChoiceField(choices=vocab.DisputeType.choices)
        # min_length/max_length reach the ListSerializer (DRF >= 3.15); the stubs do not know them.
        claims = ClaimSerializer(many=True, min_length=1, max_length=online.MAX_CLAIMS)  # type: ignore[call-arg]
        facts = serializers.CharField(max_length=online.MAX_FACTS, help_text="事实与理由")
        consents = ConsentsSerializer()
        evidence = EvidenceSerializer(  # type: ignore[call-arg]
            many=True, required=False, default=list, max_length=online.MAX_EVIDENCE
        )

    class OutputSerializer(serializers.Serializer):
        tracking_code = serializers.CharField(help_text="查询码（只返回这一次；平台应转告申请人）")
        reference = serializers.CharField(help_text="平台的申请编号")
        organization = OrganizationRefSerializer()
        status = serializers.CharField(help_text="received：已收到，待登记")

    @extend_schema(
        operation_id="online_applications_create",
        summary="对接平台提交网上调解申请",
        description=(
            "以平台密钥认证（Authorization: Api-Key <密钥>），在平台指定的调解组织建立案件草稿（来源：网上调解平台，"
            "申请方式：网上）。任何一项有误则不保存（fields 指出哪一项，如 applicant.id_number、claims.0.amount、"
            "consents.pipl_notice）。无密钥或密钥无效答 401；平台无权向该组织提交答 403；同一 platform_reference "
            "再次提交答 409。申请人凭 tracking_code 和电话后4位在 /apply/status/ 查询进度。"
        ),
        request=InputSerializer,
        responses={201: OutputSerializer, **error_responses(400, 401, 403, 409, 413)},
        tags=["online-applications"],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        platform = cast(PlatformClient, request.auth)
        organization = Organization.objects.filter(code=data["organization"], active=True).first()
        if organization is None:
            message = _("没有代码为“%s”的调解组织。") % data["organization"]
            raise ApplicationError(message, fields={"organization": [message]})
        if not online.platform_may_file(platform, organization):
            raise PermissionDeniedError(_("本平台未获准向“%s”提交申请。") % organization.name)
        application, code = online.online_application_submit(
            organization=organization,
            applicant=data["applicant"],
            employer=data["employer"],
            dispute_type=data["dispute_type"],
            claims=data["claims"],
            facts=data["facts"],
            evidence=online.evidence_from_base64(data["evidence"]),
            consents=data["consents"],
            platform=platform,
            platform_reference=data["platform_reference"],
        )
        output = {
            "tracking_code": code,
            "reference": application.reference,
            "organization": organization,
            "status": "received",
        }
        response = Response(self.OutputSerializer(output).data, status=201)
        response["Cache-Control"] = "no-store"
        return response


class ConsultationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization = OrganizationRefSerializer()
    channel = serializers.ChoiceField(choices=vocab.ConsultationChannel.choices)
    date = DateField()
    topic = serializers.CharField()
    dispute_type = serializers.CharField(help_text="争议类型代码；未定为空")
    caller_name = serializers.CharField()
    reference = serializers.CharField()
    note = serializers.CharField()
    handled_by = UserRefSerializer()
    converted_case_id = serializers.IntegerField(allow_null=True)
    created_at = DateTimeField()


class ConsultationListApi(ApiView):
    class FilterSerializer(serializers.Serializer):
        organization = serializers.CharField(required=False, max_length=20, help_text="调解组织代码")
        channel = serializers.ChoiceField(choices=vocab.ConsultationChannel.choices, required=False)
        date_from = DateField(required=False)
        date_to = DateField(required=False)

    pagination_class = LimitOffsetPagination

    @extend_schema(
        operation_id="consultations_list",
        summary="咨询记录",
        description="本人可查看的调解组织的咨询记录，新的在前；分页：?limit=&offset=。",
        parameters=[FilterSerializer],
        responses={200: ConsultationOutputSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        consultations.consultation_access_check(user=request.user)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = consultations.consultation_list(user=request.user, filters=filters.validated_data)
        return paginate(request=request, view=self, queryset=rows, serializer_class=ConsultationOutputSerializer)


class ConsultationCreateApi(ApiView):
    class InputSerializer(serializers.Serializer):
        organization = serializers.CharField(max_length=20, help_text="调解组织代码")
        channel = serializers.ChoiceField(choices=vocab.ConsultationChannel.choices)
        topic = serializers.CharField(max_length=100)
        date = DateField(required=False, allow_null=True, default=None, help_text="默认今天")
        dispute_type = serializers.ChoiceField(
            choices=vocab.DisputeType.choices, required=False, allow_blank=True, default=""
        )
        caller_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
        reference = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
        note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="consultations_create",
        summary="登记咨询",
        description="书记员、调解员、中心主任登记一次咨询（未申请调解的来访、来电）。",
        request=InputSerializer,
        responses={201: ConsultationOutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        consultations.consultation_access_check(user=request.user, write=True)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organization = _organization_in_scope(request.user, data.pop("organization"))
        consultation = consultations.consultation_log(actor=request_actor(request), organization=organization, **data)
        return Response(ConsultationOutputSerializer(consultation).data, status=201)


class ConsultationConvertApi(ApiView):
    class InputSerializer(serializers.Serializer):
        dispute_type = serializers.ChoiceField(
            choices=vocab.DisputeType.choices,
            required=False,
            allow_blank=True,
            default="",
            help_text="咨询未定争议类型时必填",
        )

    @extend_schema(
        operation_id="consultations_convert",
        summary="咨询转为案件",
        description="一步建立案件草稿（争议类型、来源按咨询渠道、情况记录作为事实与理由；有咨询人姓名的作为申请人），并与咨询关联。已转换的答 409。",
        request=InputSerializer,
        responses={201: CaseDetailApi.OutputSerializer, **error_responses(*WRITE_ERRORS)},
    )
    def post(self, request: Request, consultation_id: int) -> Response:
        consultation = consultations.consultation_get_for_user(
            consultation_id=consultation_id, user=request.user, for_write=True
        )
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = consultations.consultation_convert(
            consultation=consultation, actor=request_actor(request), **serializer.validated_data
        )
        return case_detail_response(case_id=case.pk, user=request.user, status=201)


class ConsultationStatsApi(ApiView):
    class FilterSerializer(serializers.Serializer):
        organization = serializers.CharField(max_length=20, help_text="调解组织代码")
        date_from = DateField(help_text="起始日期（含）")
        date_to = DateField(help_text="截止日期（含）")
        include_children = serializers.BooleanField(default=False, help_text="含下级组织")

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if attrs["date_to"] < attrs["date_from"]:
                raise serializers.ValidationError({"date_to": [_("截止日期不能早于起始日期。")]})
            return attrs

    class OutputSerializer(serializers.Serializer):
        class MonthSerializer(serializers.Serializer):
            total = serializers.IntegerField()
            by_channel = serializers.DictField(child=serializers.IntegerField())

        organization = serializers.CharField()
        date_from = serializers.CharField(source="from")
        date_to = serializers.CharField(source="to")
        consultations = serializers.IntegerField(help_text="咨询次数")
        converted_to_cases = serializers.IntegerField(help_text="其中转为案件的")
        by_channel = serializers.DictField(
            child=serializers.IntegerField(), help_text="walk_in / hotline_12351 / petition_12345 / online / other"
        )
        by_month = serializers.DictField(child=MonthSerializer(), help_text="键为 YYYY-MM")

    @extend_schema(
        operation_id="consultations_stats",
        summary="咨询统计（按渠道、按月）",
        description="按咨询日期统计；与 GET /api/v1/stats/ 的案件统计分开（IMPORT_FORMAT.md 的统计格式不含咨询）。",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        consultations.consultation_access_check(user=request.user)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        stats = consultations.consultation_stats(
            organization=_organization_in_scope(request.user, data["organization"]),
            date_from=data["date_from"],
            date_to=data["date_to"],
            include_children=data["include_children"],
        )
        return Response(self.OutputSerializer(stats).data)
