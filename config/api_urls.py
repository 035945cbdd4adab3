"""Routes of the REST API (DESIGN.md §8, docs/api.md): /api/v1/, the OpenAPI schema and
Swagger UI. Every route under /api/v1/ must be in the schema (tests/api/test_schema.py)."""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import apis as accounts
from cases import apis as cases
from cases import lawyer_apis
from core.api import by_method, not_found_view
from documents import apis as documents
from linkage import apis as linkage
from mediation import apis as mediation
from reports import apis as reports
from reports import report_apis, upward_apis, workload_apis

CASE = "cases/<int:case_id>/"
SESSION = CASE + "sessions/<int:session_id>/"
AGREEMENT = CASE + "agreement/"
OBLIGATION = CASE + "obligations/<int:obligation_id>/"
SERVICE = CASE + "service-records/<int:record_id>/"
TRANSFER = CASE + "transfers/<int:transfer_id>/"

#: Every transition a caller fires (start is automatic with the first session).
TRANSITION_APIS: list[type[cases.CaseTransitionApi]] = [
    cases.CaseRegisterApi,
    cases.CaseSeekConsentApi,
    cases.CaseAcceptApi,
    cases.CaseRejectApi,
    mediation.CaseExtendApi,
    mediation.CaseDraftAgreementApi,
    mediation.CaseReopenNegotiationApi,
    mediation.CaseMakeEffectiveApi,
    cases.CaseTerminateApi,
    cases.CaseWithdrawApi,
    mediation.CaseConfirmPerformanceApi,
    mediation.CaseRecordNonPerformanceApi,
    cases.CaseSubmitClosureApi,
    cases.CaseApproveClosureApi,
    cases.CaseReturnClosureApi,
    documents.CaseArchiveApi,
]

v1 = [
    path("auth/token/", accounts.TokenObtainApi.as_view(), name="token"),
    path("me/", accounts.MeApi.as_view(), name="me"),
    path("staff/", accounts.StaffListApi.as_view(), name="staff"),
    # cases
    path("cases/", by_method(get=cases.CaseListApi, post=cases.CaseCreateApi), name="cases"),
    path("cases/export.xlsx", reports.CaseExportApi.as_view(), name="cases-export"),
    path(CASE, by_method(get=cases.CaseDetailApi, patch=cases.CaseUpdateApi), name="case"),
    path(CASE + "history/", cases.CaseHistoryApi.as_view(), name="case-history"),
    path(CASE + "parties/", cases.CasePartyAddApi.as_view(), name="case-parties"),
    path(CASE + "claims/", cases.CaseClaimAddApi.as_view(), name="case-claims"),
    path(CASE + "parties/<int:party_id>/", cases.CasePartyApi.as_view(), name="case-party"),
    path(CASE + "claims/<int:claim_id>/", cases.CaseClaimApi.as_view(), name="case-claim"),
    path(CASE + "parties/<int:party_id>/reveal/", cases.CasePartyRevealApi.as_view(), name="case-party-reveal"),
    path(CASE + "lawyer-suggestion/", lawyer_apis.CaseLawyerSuggestionApi.as_view(), name="case-lawyer-suggestion"),
    *[
        path(f"{CASE}transitions/{api.name}/", api.as_view(), name=f"case-transition-{api.name}")
        for api in TRANSITION_APIS
    ],
    # sessions, attendance, transcripts
    path(CASE + "sessions/", by_method(get=mediation.SessionListApi, post=mediation.SessionCreateApi), name="sessions"),
    path(SESSION, mediation.SessionDetailApi.as_view(), name="session"),
    path(SESSION + "cancel/", mediation.SessionCancelApi.as_view(), name="session-cancel"),
    path(SESSION + "attendances/", mediation.AttendanceAddApi.as_view(), name="attendances"),
    path(
        SESSION + "attendances/<int:attendance_id>/sign/", mediation.AttendanceSignApi.as_view(), name="attendance-sign"
    ),
    path(
        SESSION + "transcript/",
        by_method(get=mediation.TranscriptDetailApi, put=mediation.TranscriptSaveApi),
        name="transcript",
    ),
    path(SESSION + "transcript/read-back/", mediation.TranscriptReadBackApi.as_view(), name="transcript-read-back"),
    path(SESSION + "transcript/complete/", mediation.TranscriptCompleteApi.as_view(), name="transcript-complete"),
    # extensions (approved by the transition extend)
    path(
        CASE + "extensions/",
        by_method(get=mediation.ExtensionListApi, post=mediation.ExtensionRequestApi),
        name="extensions",
    ),
    path(
        CASE + "extensions/<int:extension_id>/refuse/", mediation.ExtensionRefuseApi.as_view(), name="extension-refuse"
    ),
    # agreement
    path(AGREEMENT, mediation.AgreementDetailApi.as_view(), name="agreement"),
    path(AGREEMENT + "terms/", mediation.AgreementTermsApi.as_view(), name="agreement-terms"),
    path(AGREEMENT + "obligations/", mediation.ObligationAddApi.as_view(), name="agreement-obligations"),
    path(
        AGREEMENT + "obligations/<int:obligation_id>/",
        by_method(put=mediation.ObligationUpdateApi, delete=mediation.ObligationRemoveApi),
        name="agreement-obligation",
    ),
    path(AGREEMENT + "signatures/", mediation.AgreementSignApi.as_view(), name="agreement-signatures"),
    path(
        AGREEMENT + "mediator-signature/", mediation.AgreementMediatorSignApi.as_view(), name="agreement-mediator-sign"
    ),
    path(AGREEMENT + "seal/", mediation.AgreementSealApi.as_view(), name="agreement-seal"),
    # performance
    path(
        OBLIGATION + "payments/",
        by_method(get=mediation.PaymentListApi, post=mediation.PaymentRecordApi),
        name="payments",
    ),
    path(OBLIGATION + "performed/", mediation.ObligationPerformedApi.as_view(), name="obligation-performed"),
    path(
        CASE + "follow-ups/",
        by_method(get=mediation.FollowUpListApi, post=mediation.FollowUpCreateApi),
        name="follow-ups",
    ),
    path(
        CASE + "follow-ups/<int:follow_up_id>/record/", mediation.FollowUpRecordApi.as_view(), name="follow-up-record"
    ),
    # service of documents
    path(
        CASE + "service-records/",
        by_method(get=mediation.ServiceRecordListApi, post=mediation.ServiceRecordOpenApi),
        name="service-records",
    ),
    path(SERVICE + "serve/", mediation.ServiceRecordServeApi.as_view(), name="service-record-serve"),
    path(
        SERVICE + "undeliverable/",
        mediation.ServiceRecordUndeliverableApi.as_view(),
        name="service-record-undeliverable",
    ),
    # linkage: transfers to partner agencies, the liaison's inbox, reports to referring bodies
    path(
        CASE + "transfers/",
        by_method(get=linkage.CaseTransferListApi, post=linkage.CaseTransferCreateApi),
        name="case-transfers",
    ),
    path(TRANSFER + "approve/", linkage.TransferApproveApi.as_view(), name="transfer-approve"),
    path(TRANSFER + "send/", linkage.TransferSendApi.as_view(), name="transfer-send"),
    path(TRANSFER + "acknowledge/", linkage.TransferAcknowledgeApi.as_view(), name="transfer-acknowledge"),
    path(TRANSFER + "outcome/", linkage.TransferOutcomeApi.as_view(), name="transfer-outcome"),
    path(TRANSFER + "return/", linkage.TransferReturnApi.as_view(), name="transfer-return"),
    path(CASE + "transfer-options/", linkage.CaseTransferOptionsApi.as_view(), name="transfer-options"),
    path(CASE + "referral-report/", linkage.CaseReferralReportApi.as_view(), name="referral-report"),
    path("transfers/", linkage.TransferInboxApi.as_view(), name="transfers"),
    # intake channels (docs/intake.md): partner platforms file online applications; consultations
    path("online-applications/", cases.OnlineApplicationCreateApi.as_view(), name="online-applications"),
    path(
        "consultations/",
        by_method(get=cases.ConsultationListApi, post=cases.ConsultationCreateApi),
        name="consultations",
    ),
    path("consultations/stats/", cases.ConsultationStatsApi.as_view(), name="consultation-stats"),
    path(
        "consultations/<int:consultation_id>/convert/",
        cases.ConsultationConvertApi.as_view(),
        name="consultation-convert",
    ),
    # statistics (docs/statistics.md)
    path("stats/", reports.CaseStatsApi.as_view(), name="stats"),
    path("workload/", workload_apis.WorkloadApi.as_view(), name="workload"),
    path("reports/<str:kind>/", report_apis.StandardReportApi.as_view(), name="standard-report"),
    # upward reporting (上报)
    path(
        "report-submissions/",
        by_method(get=upward_apis.ReportSubmissionListApi, post=upward_apis.ReportSubmissionCreateApi),
        name="report-submissions",
    ),
    path(
        "report-submissions/<int:submission_id>/",
        upward_apis.ReportSubmissionDetailApi.as_view(),
        name="report-submission",
    ),
    path(
        "report-submissions/<int:submission_id>/files/<int:file_id>/review/",
        upward_apis.SubmissionFileReviewApi.as_view(),
        name="report-submission-file-review",
    ),
    path(
        "report-submissions/<int:submission_id>/finish-review/",
        upward_apis.SubmissionFinishReviewApi.as_view(),
        name="report-submission-finish-review",
    ),
    # register import (docs/import.md)
    path("imports/", reports.RegisterImportApi.as_view(), name="imports"),
    # documents and archiving
    path(CASE + "documents/", documents.CaseDocumentsApi.as_view(), name="case-documents"),
    path("documents/<int:document_id>/", documents.DocumentDetailApi.as_view(), name="document"),
    path("documents/<int:document_id>/download/", documents.DocumentDownloadApi.as_view(), name="document-download"),
    path(CASE + "archive/", documents.CaseArchiveDetailApi.as_view(), name="case-archive"),
    path(CASE + "archive/package/", documents.CaseArchivePackageApi.as_view(), name="case-archive-package"),
    path(CASE + "archive/verify/", documents.CaseArchiveVerifyApi.as_view(), name="case-archive-verify"),
    path(CASE + "archive/supplements/", documents.CaseArchiveSupplementApi.as_view(), name="case-archive-supplements"),
]

app_name = "api"

urlpatterns = [
    path("api/v1/", include(v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    # Swagger UI injects <style> elements: this page alone allows inline styles (no case data).
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    # Anything else under /api/ (an unknown transition, a typo) answers 404 in the error shape.
    re_path(r"^api/", not_found_view),
]
