"""Service of documents on the parties (送达, D13)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from cases import vocab as case_vocab
from cases.models import Case, CaseParty
from core.exceptions import ApplicationError, ConflictError
from core.history import save_with_history
from mediation import vocab
from mediation.models import ServiceRecord
from mediation.services.common import require_role

#: Documents that must be served before closure, by outcome: (document, on whom).
REQUIRED_BEFORE_CLOSURE: dict[str, list[tuple[str, str]]] = {
    "rejected": [(vocab.DocumentCode.D6, "applicants")],
    "terminated": [(vocab.DocumentCode.D11, "all")],
    "performed": [(vocab.DocumentCode.D10, "all")],
    "not_performed": [(vocab.DocumentCode.D10, "all")],
}


def _recipients(case: Case, who: str) -> list[CaseParty]:
    parties = case.parties.exclude(side=case_vocab.Side.THIRD_PARTY)
    if who == "applicants":
        parties = parties.filter(side=case_vocab.Side.APPLICANT)
    return list(parties.select_related("person", "employer"))


def open_service_records(case: Case, actor: User, document: str, *, all_parties: bool) -> list[ServiceRecord]:
    """Pending service records of `document` for each recipient that has none yet."""
    recipients = _recipients(case, "all" if all_parties else "applicants")
    existing = set(case.service_records.filter(document=document).values_list("recipient_id", flat=True))
    records = []
    for party in recipients:
        if party.pk in existing:
            continue
        record = ServiceRecord(case=case, document=document, recipient=party, recorded_by=actor)
        save_with_history(record, actor=actor, reason="to serve")
        records.append(record)
    return records


def service_record_open(*, case: Case, actor: User, document: str, recipient: CaseParty) -> ServiceRecord:
    require_role(actor, case, (Role.CLERK, Role.MEDIATOR), _("登记送达"))
    if document not in vocab.DocumentCode.values:
        raise ApplicationError(_("请选择文书。"), fields={"document": [_("请选择文书。")]})
    if recipient.case_id != case.pk:
        raise ApplicationError(_("受送达人不是本案当事人。"), fields={"recipient": [_("请选择本案当事人。")]})
    record = ServiceRecord(case=case, document=document, recipient=recipient, recorded_by=actor)
    save_with_history(record, actor=actor, reason="to serve")
    return record


def service_record_serve(
    *,
    record: ServiceRecord,
    actor: User,
    method: str,
    served_on: dt.date,
    tracking_number: str = "",
    witness: str = "",
    note: str = "",
) -> ServiceRecord:
    """Record how and when the document reached the party."""
    require_role(actor, record.case, (Role.CLERK, Role.MEDIATOR), _("登记送达"))
    if record.status == vocab.ServiceStatus.SERVED:
        raise ConflictError(_("该文书已送达。"))
    errors: dict[str, list[str]] = {}
    if method not in vocab.ServiceMethod.values:
        errors["method"] = [_("请选择送达方式。")]
    if served_on is None or served_on > timezone.localdate():
        errors["served_on"] = [_("送达日期不能晚于今天。")]
    if method == vocab.ServiceMethod.POSTAL and not tracking_number.strip():
        errors["tracking_number"] = [_("邮寄送达须填写邮件单号。")]
    if method == vocab.ServiceMethod.LEFT_WITH_WITNESS and not witness.strip():
        errors["witness"] = [_("拒收留置送达须填写见证人。")]
    if method == vocab.ServiceMethod.ELECTRONIC and not note.strip():
        errors["note"] = [_("电子送达须注明受送达人同意的方式和账号（如短信、电子邮箱）。")]
    if errors:
        raise ApplicationError(_("送达记录有误，请按提示修改。"), fields=errors)
    record.status = vocab.ServiceStatus.SERVED
    record.method, record.served_on = method, served_on
    record.tracking_number, record.witness, record.note = tracking_number.strip(), witness.strip(), note.strip()
    save_with_history(record, actor=actor, reason="served")
    return record


def service_mark_undeliverable(*, record: ServiceRecord, actor: User, note: str) -> ServiceRecord:
    require_role(actor, record.case, (Role.CLERK, Role.MEDIATOR), _("登记送达"))
    if record.status == vocab.ServiceStatus.SERVED:
        raise ConflictError(_("该文书已送达，不能再登记为无法送达。"))
    if not note.strip():
        raise ApplicationError(_("请说明无法送达的原因。"), fields={"note": [_("请说明原因。")]})
    record.status = vocab.ServiceStatus.UNDELIVERABLE
    record.note = note.strip()
    save_with_history(record, actor=actor, reason="undeliverable")
    return record


def closure_service_blockers(case: Case) -> list[str]:
    """The closure checklist: every required document served (or, after trying, recorded as
    undeliverable), and no service still pending."""
    outcome = case.status
    problems = []
    records = list(case.service_records.select_related("recipient__person", "recipient__employer"))
    for document, who in REQUIRED_BEFORE_CLOSURE.get(outcome, []):
        for party in _recipients(case, who):
            done = any(
                r.document == document and r.recipient_id == party.pk and r.status != vocab.ServiceStatus.PENDING
                for r in records
            )
            if not done:
                problems.append(_("%(doc)s 未送达 %(who)s") % {"doc": vocab.DocumentCode(document).label, "who": party})
    pending = [r for r in records if r.status == vocab.ServiceStatus.PENDING]
    for record in pending:
        message = _("%(doc)s 未送达 %(who)s") % {"doc": record.get_document_display(), "who": record.recipient}
        if message not in problems:
            problems.append(message)
    return [_("结案前须完成送达：%s。") % "；".join(problems)] if problems else []
