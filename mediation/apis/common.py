"""Lookups and output serializers shared by the mediation API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from cases.models import Case
from cases.selectors import case_get_for_user
from core.api import (
    DateField,
    DateTimeField,
    MoneyField,
    PartyRefSerializer,
    UserRefSerializer,
)
from mediation import selectors, vocab
from mediation.models import Agreement, MediationSession, Obligation, Room
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
