"""Reads of the documents app. A document is reached through its case, and the case through
what the user may see (404 otherwise). Case staff and auditors of the organisation read
every document; a partner agency's liaison only the transfer letters sent to it and copies
made for outside readers (masked)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from cases.models import Case
from cases.selectors import case_get_for_user
from documents.kinds import KINDS, Kind
from documents.models import ArchiveVolume, CaseDocument, Copy, DocumentStatus
from linkage.selectors import case_transfers, reads_as_staff

#: What a liaison may download of a case sent to their agency.
LIAISON_KINDS = {"D16"}


def visible_documents(*, case: Case, user: Any) -> QuerySet[CaseDocument]:
    documents = CaseDocument.objects.filter(case=case).select_related("requested_by")
    if reads_as_staff(user, case):
        return documents
    transfer_ids = case_transfers(case=case, user=user).values_list("pk", flat=True)
    return documents.filter(kind__in=LIAISON_KINDS, subject_id__in=transfer_ids) | documents.filter(
        copy_for=Copy.EXTERNAL
    )


def document_get_for_user(*, document_id: Any, user: Any) -> CaseDocument:
    """The document if the user may read it, else 404 (as if it did not exist)."""
    try:
        pk = int(document_id)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    document = CaseDocument.objects.filter(pk=pk).only("pk", "case_id").first()
    if document is None:
        raise Http404
    case = case_get_for_user(case_id=document.case_id, user=user)
    found = visible_documents(case=case, user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    found.case = case
    return found


def case_documents(*, case: Case, user: Any) -> list[CaseDocument]:
    """The case's documents, in the order of the file, newest version first."""
    documents = list(visible_documents(case=case, user=user))

    def key(d: CaseDocument) -> tuple[Any, ...]:
        kind = KINDS.get(d.kind)
        return (kind.slot if kind else 100, d.kind, d.subject_id or 0, d.copy_for, -d.version)

    return sorted(documents, key=key)


@dataclass
class Option:
    """One document the user can have generated now."""

    kind: Kind
    subject: Any
    label: str

    @property
    def value(self) -> str:
        return f"{self.kind.code}:{getattr(self.subject, 'pk', '')}"


def document_options(case: Case) -> list[Option]:
    options = []
    for kind in sorted(KINDS.values(), key=lambda k: (k.slot, k.code)):
        if kind.bundle_only:
            continue
        for subject in kind.subjects_of(case):
            label = str(kind.title) + (f"（{kind.subject_label(subject)}）" if subject is not None else "")
            options.append(Option(kind, subject, label))
    return options


def copy_choices(kind: Kind) -> list[tuple[str, str]]:
    allowed = Copy.values if kind.outbound else [Copy.FILE, Copy.EXTERNAL]
    return [(str(value), str(label)) for value, label in Copy.choices if value in allowed]


def current_volume(case: Case) -> ArchiveVolume | None:
    return case.volumes.select_related("bundle", "filed_by").order_by("-requested_at", "-pk").first()


def pending_documents(documents: list[CaseDocument]) -> bool:
    return any(d.status == DocumentStatus.PENDING for d in documents)
