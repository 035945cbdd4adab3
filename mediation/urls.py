from django.urls import path

from mediation import views

app_name = "mediation"

CASE = "cases/<int:case_id>/"
SESSION = CASE + "sessions/<int:session_id>/"

urlpatterns = [
    # sessions, attendance, transcripts
    path(CASE + "sessions/new/", views.session_new_view, name="session_new"),
    path(SESSION, views.session_detail_view, name="session"),
    path(SESSION + "cancel/", views.session_cancel_view, name="session_cancel"),
    path(SESSION + "attendances/", views.attendance_add_view, name="attendance_add"),
    path(SESSION + "attendances/<int:attendance_id>/sign/", views.attendance_sign_view, name="attendance_sign"),
    path(SESSION + "transcript/", views.transcript_save_view, name="transcript_save"),
    path(SESSION + "transcript/read-back/", views.transcript_read_back_view, name="transcript_read_back"),
    path(SESSION + "transcript/complete/", views.transcript_complete_view, name="transcript_complete"),
    # extension
    path(CASE + "extensions/new/", views.extension_new_view, name="extension_new"),
    path(CASE + "extensions/approve/", views.extend_view, name="extend"),
    path(CASE + "extensions/<int:extension_id>/refuse/", views.extension_refuse_view, name="extension_refuse"),
    # agreement
    path(CASE + "agreement/draft/", views.draft_agreement_view, name="draft_agreement"),
    path(CASE + "agreement/", views.agreement_detail_view, name="agreement"),
    path(CASE + "agreement/terms/", views.agreement_terms_view, name="agreement_terms"),
    path(CASE + "agreement/obligations/", views.obligation_add_view, name="obligation_add"),
    path(CASE + "agreement/obligations/<int:obligation_id>/due/", views.obligation_due_view, name="obligation_due"),
    path(
        CASE + "agreement/obligations/<int:obligation_id>/remove/",
        views.obligation_remove_view,
        name="obligation_remove",
    ),
    path(CASE + "agreement/signatures/", views.agreement_sign_view, name="agreement_sign"),
    path(CASE + "agreement/mediator-signature/", views.agreement_mediator_sign_view, name="agreement_mediator_sign"),
    path(CASE + "agreement/seal/", views.agreement_seal_view, name="agreement_seal"),
    path(CASE + "agreement/make-effective/", views.make_effective_view, name="make_effective"),
    path(CASE + "agreement/reopen/", views.reopen_negotiation_view, name="reopen_negotiation"),
    # performance and follow-ups
    path(CASE + "obligations/<int:obligation_id>/payments/new/", views.payment_new_view, name="payment_new"),
    path(
        CASE + "obligations/<int:obligation_id>/performed/",
        views.obligation_performed_view,
        name="obligation_performed",
    ),
    path(CASE + "performance/confirm/", views.confirm_performance_view, name="confirm_performance"),
    path(CASE + "performance/not-performed/", views.record_non_performance_view, name="record_non_performance"),
    path(CASE + "follow-ups/new/", views.follow_up_new_view, name="follow_up_new"),
    path(CASE + "follow-ups/<int:follow_up_id>/", views.follow_up_complete_view, name="follow_up_complete"),
    # service of documents (送达)
    path(CASE + "service/new/", views.service_new_view, name="service_new"),
    path(CASE + "service/<int:record_id>/serve/", views.service_serve_view, name="service_serve"),
    path(
        CASE + "service/<int:record_id>/undeliverable/", views.service_undeliverable_view, name="service_undeliverable"
    ),
]
