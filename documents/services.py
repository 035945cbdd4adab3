"""Writes of the documents app: requesting and rendering documents, downloads, archiving.

Rendering never runs inside a request's transaction: `document_request` creates a pending
row and schedules the task on commit; the task renders outside any lock, then stores the
file and marks the row ready in one short transaction (or failed, with the error).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import traceback
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.access import roles_for_organization
from accounts.models import Role, User
from cases.models import Case
from core import queue
from core.exceptions import ApplicationError, ConflictError, PermissionDeniedError
from core.history import save_with_history
from documents.kinds import KINDS, DocContext, Kind, build_context, document_date, document_number
from documents.models import ArchiveVolume, CaseDocument, Copy, DocumentDownload, DocumentStatus, VolumeStatus
from documents.rendering import html_to_pdf, render_html

logger = logging.getLogger(__name__)

#: Roles that may have documents generated (auditors and liaisons read and download only).
WRITER_ROLES = {Role.CLERK, Role.MEDIATOR, Role.DIRECTOR}


def _kind(code: str) -> Kind:
    kind = KINDS.get(code)
    if kind is None:
        raise ApplicationError(_("没有这种文书。"), fields={"kind": [_("请选择文书种类。")]})
    return kind


def may_request_documents(user: Any, case: Case) -> bool:
    return bool(roles_for_organization(user, case.organization) & WRITER_ROLES)


def require_document_writer(actor: User, case: Case) -> None:
    if not may_request_documents(actor, case):
        raise PermissionDeniedError(_("您的角色不能生成文书。"))


def resolve_subject(kind: Kind, case: Case, subject_id: Any) -> Any:
    """The kind's subject row with this id, among those the case has (else a 400)."""
    subjects = kind.subjects_of(case)
    if kind.subjects is None:
        if not subjects:
            raise ApplicationError(
                _("本案目前不能生成“%s”。") % kind.title, fields={"kind": [_("本案当前状态不需要这份文书。")]}
            )
        return None
    try:
        wanted = int(subject_id)
    except (TypeError, ValueError):
        wanted = None
    for subject in subjects:
        if subject.pk == wanted:
            return subject
    raise ApplicationError(_("请选择这份文书对应的记录。"), fields={"subject_id": [_("本案没有这条记录。")]})


def document_request(
    *,
    case: Case,
    actor: User,
    kind: str,
    subject_id: Any = None,
    copy_for: str = Copy.FILE,
    reason: str = "",
    render: bool = True,
) -> CaseDocument:
    """Ask for a rendering. The first one of a (kind, subject, copy) is version 1; once one is
    ready, another is a correction: a new version, and it needs a reason. A pending one is
    returned as it is (double clicks create nothing)."""
    require_document_writer(actor, case)
    spec = _kind(kind)
    if spec.bundle_only:
        raise ApplicationError(
            _("“%s”在归档立卷时生成。") % spec.title, fields={"kind": [_("卷宗封面、目录和备考表随卷宗生成。")]}
        )
    if copy_for not in Copy.values or (copy_for != Copy.FILE and not spec.outbound and copy_for != Copy.EXTERNAL):
        raise ApplicationError(_("这份文书没有该副本。"), fields={"copy_for": [_("请选择正确的副本。")]})
    subject = resolve_subject(spec, case, subject_id)
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()  # serialise versions per case
        same = CaseDocument.objects.filter(
            case=case, kind=spec.code, subject_id=getattr(subject, "pk", 0), copy_for=copy_for
        )
        pending = same.filter(status=DocumentStatus.PENDING).first()
        if pending is not None:
            return pending
        has_ready = same.filter(status=DocumentStatus.READY).exists()
        if has_ready and not reason.strip():
            raise ApplicationError(
                _("已有生成的版本；重新生成是更正，须说明理由。"), fields={"reason": [_("请填写更正理由。")]}
            )
        latest = same.filter(status=DocumentStatus.READY).order_by("-version").first()
        version = (same.aggregate(v=Max("version"))["v"] or 0) + 1
        document = CaseDocument(
            case=case,
            kind=spec.code,
            subject_id=getattr(subject, "pk", 0),
            copy_for=copy_for,
            version=version,
            number=document_number(case, spec, subject),
            title=str(spec.title),
            reason=reason.strip(),
            supersedes=latest,
            requested_by=actor,
        )
        save_with_history(document, actor=actor, reason="requested")
        if render:
            transaction.on_commit(lambda: _enqueue(document.pk))
    return document


def _enqueue(document_id: int) -> None:
    """Runs after commit. With the broker unreachable the row stays pending (the request that
    asked for it has succeeded) and `documents_resend_pending` sends it again (RELIABILITY.md
    T24 d): the work is persisted, never half-done."""
    from documents.tasks import render_document_task

    if not queue.send(render_document_task, document_id):
        logger.warning("document %s stays pending until it is re-sent", document_id)


#: A pending document that no worker has started after this long is sent again.
RESEND_AFTER_SECONDS = 300
#: A render started this long ago and never finished was killed (the task's hard limit is
#: 180 s): it is recorded as failed instead of being tried for ever (RELIABILITY.md T18).
STALE_AFTER_SECONDS = 900
STALE_MESSAGE = _lazy("生成超时（开始后15分钟仍未完成），已停止；请检查内容后重新生成。")


def documents_resend_pending(*, older_than_seconds: int = RESEND_AFTER_SECONDS) -> int:
    """Send the render task again for pending documents no worker has started (progress 0)
    that were requested more than `older_than_seconds` ago: their message never reached the
    broker. Rendering is idempotent, so a message that was merely slow costs a no-op."""
    from datetime import timedelta

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        CaseDocument.objects.filter(status=DocumentStatus.PENDING, progress=0, requested_at__lte=cutoff)
        .order_by("id")
        .values_list("id", flat=True)
    )
    for document_id in ids:
        _enqueue(document_id)
    stale = timezone.now() - timedelta(seconds=STALE_AFTER_SECONDS)
    for document_id in CaseDocument.objects.filter(
        status=DocumentStatus.PENDING, progress__gt=0, started_at__lte=stale
    ).values_list("id", flat=True):
        document_fail(document_id, str(STALE_MESSAGE))
    return len(ids)


def render_case_document(document: CaseDocument) -> tuple[bytes, int]:
    """The PDF of a document row (no writes)."""
    spec = _kind(document.kind)
    case = Case.objects.select_related("organization", "clerk").get(pk=document.case_id)
    subject = resolve_subject(spec, case, document.subject_id) if spec.subjects is not None else None
    dc = DocContext(
        case=case,
        subject=subject,
        copy_for=document.copy_for,
        number=document.number,
        version=document.version,
        today=document_date(case, spec, subject) or timezone.localdate(),
    )
    return render_pdf_for(spec, dc)


def render_pdf_for(spec: Kind, dc: DocContext, extra: dict[str, Any] | None = None) -> tuple[bytes, int]:
    html = render_html(spec.template, {**build_context(spec, dc), **(extra or {})})
    rendered = html_to_pdf(html)
    return rendered.pdf, rendered.page_count


def document_store(document_id: int, pdf: bytes, pages: int) -> CaseDocument | None:
    """Mark a pending document ready with its file, in one transaction (None if it was not
    pending any more: a second delivery of the same task)."""
    with transaction.atomic():
        document = CaseDocument.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.status != DocumentStatus.PENDING:
            return None
        document.file.save(document.filename, ContentFile(pdf), save=False)
        document.sha256 = hashlib.sha256(pdf).hexdigest()
        document.size = len(pdf)
        document.page_count = pages
        document.status = DocumentStatus.READY
        document.progress = 100
        document.rendered_at = timezone.now()
        document.error = ""
        save_with_history(document, actor=document.requested_by, reason="rendered")
        return document


def document_fail(document_id: int, error: str) -> None:
    with transaction.atomic():
        document = CaseDocument.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.status != DocumentStatus.PENDING:
            return
        document.status = DocumentStatus.FAILED
        document.error = error[:4000]
        document.progress = 0
        save_with_history(document, actor=document.requested_by, reason="failed")


def document_render(document_id: int) -> CaseDocument | None:
    """The task's body: render a pending document; a failure is recorded, never half-written."""
    document = CaseDocument.objects.filter(pk=document_id).first()
    if document is None or document.status != DocumentStatus.PENDING:
        return document
    started = document.started_at
    if started is not None and started <= timezone.now() - dt.timedelta(seconds=STALE_AFTER_SECONDS):
        # a redelivery of a render that started long ago and keeps being killed
        document_fail(document_id, str(STALE_MESSAGE))
        return CaseDocument.objects.get(pk=document_id)
    CaseDocument.objects.filter(pk=document_id, status=DocumentStatus.PENDING).update(
        progress=10, started_at=timezone.now()
    )
    try:
        pdf, pages = render_case_document(document)
    except Exception as exc:
        logger.exception("rendering document %s failed", document_id)
        document_fail(document_id, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")
        return CaseDocument.objects.get(pk=document_id)
    return document_store(document_id, pdf, pages)


def document_download_log(
    *,
    document: CaseDocument | None,
    user: User,
    granted: bool,
    via: str = "web",
    remote_addr: str = "",
    volume: Any = None,
) -> None:
    DocumentDownload.objects.create(
        document=document, volume=volume, user=user, granted=granted, via=via, remote_addr=remote_addr[:45]
    )


def download_refused_log(
    *, user: User, document_id: Any = None, case_id: Any = None, via: str = "web", remote_addr: str = ""
) -> None:
    """A refused download (404 outside scope or for a role that may not read the file) of a
    document or an archive package that exists: logged like a granted one (T6)."""
    if document_id is not None and str(document_id).isdigit():
        document = CaseDocument.objects.filter(pk=int(document_id)).first()
        if document is not None:
            document_download_log(document=document, user=user, granted=False, via=via, remote_addr=remote_addr)
    if case_id is not None and str(case_id).isdigit():
        volume = ArchiveVolume.objects.filter(case_id=int(case_id), status=VolumeStatus.ARCHIVED).first()
        if volume is not None:
            document_download_log(
                document=None, volume=volume, user=user, granted=False, via=via, remote_addr=remote_addr
            )


def ensure_not_ready(document: CaseDocument) -> None:
    if document.status == DocumentStatus.READY:
        raise ConflictError(_("已生成的文书不能修改；如需更正，请生成新版本。"))
