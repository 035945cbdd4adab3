"""Writes of the mediation work. Split by subject; import from here."""

from mediation.services.agreements import (
    agreement_draft,
    agreement_mediator_sign,
    agreement_seal,
    agreement_set_terms,
    agreement_sign,
    case_make_effective,
    case_reopen_negotiation,
    obligation_add,
    obligation_remove,
    obligation_set_due,
)
from mediation.services.performance import (
    case_confirm_performance,
    case_record_non_performance,
    follow_up_record,
    obligation_mark_performed,
    payment_record,
)
from mediation.services.service_of_documents import (
    service_mark_undeliverable,
    service_record_open,
    service_record_serve,
)
from mediation.services.sessions import (
    attendance_record,
    attendance_sign,
    case_extend,
    extension_refuse,
    extension_request,
    session_cancel,
    session_schedule,
    transcript_complete,
    transcript_confirm_read_back,
    transcript_save,
)

__all__ = [
    "agreement_draft",
    "agreement_mediator_sign",
    "agreement_seal",
    "agreement_set_terms",
    "agreement_sign",
    "attendance_record",
    "attendance_sign",
    "case_confirm_performance",
    "case_extend",
    "case_make_effective",
    "case_record_non_performance",
    "case_reopen_negotiation",
    "extension_refuse",
    "extension_request",
    "follow_up_record",
    "obligation_add",
    "obligation_mark_performed",
    "obligation_remove",
    "obligation_set_due",
    "payment_record",
    "service_mark_undeliverable",
    "service_record_open",
    "service_record_serve",
    "session_cancel",
    "session_schedule",
    "transcript_complete",
    "transcript_confirm_read_back",
    "transcript_save",
]
