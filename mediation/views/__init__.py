"""Mediation screens of the mediator, clerk and director. Thin: parse a form, call one
service, redirect with a message; a refusal re-renders the form with the service's errors.

The case always comes from case_get_for_user (404 outside scope, 403 for a read-only role
asked to write) and every object below it is looked up through the case, so the id of
another case's session, obligation or record is a 404."""

from mediation.views.agreements import (
    agreement_detail_view,
    agreement_mediator_sign_view,
    agreement_seal_view,
    agreement_sign_view,
    agreement_terms_view,
    obligation_add_view,
    obligation_due_view,
    obligation_remove_view,
)
from mediation.views.performance import (
    follow_up_complete_view,
    follow_up_new_view,
    obligation_performed_view,
    payment_new_view,
)
from mediation.views.service import service_new_view, service_serve_view, service_undeliverable_view
from mediation.views.sessions import (
    attendance_add_view,
    attendance_sign_view,
    extension_new_view,
    extension_refuse_view,
    session_cancel_view,
    session_detail_view,
    session_new_view,
    transcript_complete_view,
    transcript_read_back_view,
    transcript_save_view,
)
from mediation.views.transitions import (
    confirm_performance_view,
    draft_agreement_view,
    extend_view,
    make_effective_view,
    record_non_performance_view,
    reopen_negotiation_view,
)

__all__ = [
    "agreement_detail_view",
    "agreement_mediator_sign_view",
    "agreement_seal_view",
    "agreement_sign_view",
    "agreement_terms_view",
    "attendance_add_view",
    "attendance_sign_view",
    "confirm_performance_view",
    "draft_agreement_view",
    "extend_view",
    "extension_new_view",
    "extension_refuse_view",
    "follow_up_complete_view",
    "follow_up_new_view",
    "make_effective_view",
    "obligation_add_view",
    "obligation_due_view",
    "obligation_performed_view",
    "obligation_remove_view",
    "payment_new_view",
    "record_non_performance_view",
    "reopen_negotiation_view",
    "service_new_view",
    "service_serve_view",
    "service_undeliverable_view",
    "session_cancel_view",
    "session_detail_view",
    "session_new_view",
    "transcript_complete_view",
    "transcript_read_back_view",
    "transcript_save_view",
]
