"""API of the mediation work: sessions, attendance, transcripts, extensions, the agreement
with its obligations and signatures, payments, follow-ups, service of documents, and the
mediation transitions. Thin: parse, call one selector or service, serialize.

The case always comes from case_get_for_user (404 outside scope, 403 for a read-only role
asked to write); every object below it is looked up through that case, so another case's
(or another town's) session, obligation or record id is a 404."""

from mediation.apis.agreements import (
    AgreementDetailApi,
    AgreementMediatorSignApi,
    AgreementSealApi,
    AgreementSignApi,
    AgreementTermsApi,
    ObligationAddApi,
    ObligationRemoveApi,
    ObligationUpdateApi,
)
from mediation.apis.performance import (
    FollowUpCreateApi,
    FollowUpInputSerializer,
    FollowUpListApi,
    FollowUpRecordApi,
    ObligationPerformedApi,
    PaymentListApi,
    PaymentRecordApi,
)
from mediation.apis.service import (
    ServiceRecordListApi,
    ServiceRecordOpenApi,
    ServiceRecordServeApi,
    ServiceRecordUndeliverableApi,
)
from mediation.apis.sessions import (
    AttendanceAddApi,
    AttendanceSignApi,
    ExtensionListApi,
    ExtensionRefuseApi,
    ExtensionRequestApi,
    SessionCancelApi,
    SessionCreateApi,
    SessionDetailApi,
    SessionListApi,
    TranscriptCompleteApi,
    TranscriptDetailApi,
    TranscriptReadBackApi,
    TranscriptSaveApi,
)
from mediation.apis.transitions import (
    CaseConfirmPerformanceApi,
    CaseDraftAgreementApi,
    CaseExtendApi,
    CaseMakeEffectiveApi,
    CaseRecordNonPerformanceApi,
    CaseReopenNegotiationApi,
    ReasonSerializer,
    register,
)

__all__ = [
    "AgreementDetailApi",
    "AgreementMediatorSignApi",
    "AgreementSealApi",
    "AgreementSignApi",
    "AgreementTermsApi",
    "AttendanceAddApi",
    "AttendanceSignApi",
    "CaseConfirmPerformanceApi",
    "CaseDraftAgreementApi",
    "CaseExtendApi",
    "CaseMakeEffectiveApi",
    "CaseRecordNonPerformanceApi",
    "CaseReopenNegotiationApi",
    "ExtensionListApi",
    "ExtensionRefuseApi",
    "ExtensionRequestApi",
    "FollowUpCreateApi",
    "FollowUpInputSerializer",
    "FollowUpListApi",
    "FollowUpRecordApi",
    "ObligationAddApi",
    "ObligationPerformedApi",
    "ObligationRemoveApi",
    "ObligationUpdateApi",
    "PaymentListApi",
    "PaymentRecordApi",
    "ReasonSerializer",
    "ServiceRecordListApi",
    "ServiceRecordOpenApi",
    "ServiceRecordServeApi",
    "ServiceRecordUndeliverableApi",
    "SessionCancelApi",
    "SessionCreateApi",
    "SessionDetailApi",
    "SessionListApi",
    "TranscriptCompleteApi",
    "TranscriptDetailApi",
    "TranscriptReadBackApi",
    "TranscriptSaveApi",
    "register",
]
