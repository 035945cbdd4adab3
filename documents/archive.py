"""Archiving (立卷归档, DOMAIN.md §9): the checklist, the case file bundle, the archive
package, retention, supplements and verification.

`archive_request` (a clerk, closed case, checklist complete) creates a pending
`ArchiveVolume` and schedules `archive_build` in the background. The build renders every
document of the case that has no ready file copy yet, then the file note (D22), cover (D20)
and index (D21), binds them into one PDF with continuous file page numbers, writes the ZIP
package with a manifest of SHA-256 hashes, and only then fires the `archive` transition.
A failure marks the volume failed with its error; the case stays closed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import traceback
import zipfile
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import roles_for_organization
from accounts.models import User
from cases import vocab as case_vocab
from cases.models import Case, CaseEvent, EventKind, NumberSeries
from cases.services import case_transition, sequence_next, transition_precheck
from cases.workflow import Status, blockers, may_fire
from core import queue
from core.exceptions import ApplicationError, ConflictError
from core.history import save_with_history
from documents.kinds import KINDS, DocContext, Kind, case_title, document_date, document_number
from documents.models import (
    ArchiveSupplement,
    ArchiveVolume,
    CaseDocument,
    Copy,
    DocumentStatus,
    Retention,
    VolumeStatus,
)
from documents.rendering import BundlePart, assemble

if TYPE_CHECKING:
    from mediation.selectors import MoneyTotals
from documents.services import WRITER_ROLES, document_fail, document_store, render_case_document, render_pdf_for

logger = logging.getLogger(__name__)

BUNDLE = "BUNDLE"
#: 简易卷: the kinds a simple file holds (DOMAIN.md §9.2, last paragraph).
SIMPLE_FILE_KINDS = {"D1", "D1b", "D6", "D12", "D13", "D15"}
#: The service record of a document sits right after it (§9.2 rows 6, 11, 13).
_SERVICE_SLOT = {"D3": 6, "D4": 6, "D5": 6, "D9": 11}
SUCCESS_OUTCOMES = {Status.PERFORMED, Status.NOT_PERFORMED}
OUTCOME_DOCUMENT: dict[str, str] = {
    Status.PERFORMED: "D10",
    Status.NOT_PERFORMED: "D10",
    Status.TERMINATED: "D11",
    Status.WITHDRAWN: "D12",
    Status.REJECTED: "D6",
}
RETENTION_YEARS: dict[str, int] = {Retention.Y30: 30, Retention.Y10: 10}
RETENTION_CODE: dict[str, str] = {Retention.PERMANENT: "Y", Retention.Y30: "D30", Retention.Y10: "D10"}
#: Judicially confirmed agreements and arbitral 调解书 are kept 30 years (DOMAIN.md §9.3).
CONFIRMED_OUTCOMES = ("confirmed", "review_issued")
#: 分类代码 of mediation case files in the archive number (DOMAIN.md §7.3 example).
CLASS_CODE = "TJ"
#: Collective cases from this many workers are kept permanently (DOMAIN.md §9.3, ≥10 workers).
COLLECTIVE_WORKERS = 10


def outcome_of(case: Case) -> str:
    """The outcome state of a case in or after closure (closing/closed/archived keep it)."""
    if case.status in (Status.CLOSING, Status.CLOSED, Status.ARCHIVED):
        return case.pre_closure_status
    return case.status


# --- the checklist -------------------------------------------------------------------------


def archive_blockers(case: Case) -> list[str]:
    """What is missing for the outcome's document checklist (DOMAIN.md §9.2), in Chinese."""
    missing: list[str] = []
    outcome = outcome_of(case)
    formal = case.file_type != case_vocab.FileType.SIMPLE

    def lacks(code: str) -> bool:
        kind = KINDS.get(code)
        return kind is None or not kind.subjects_of(case)

    if lacks("D1") and lacks("D1b"):
        missing.append(_("调解申请书或口头申请记录"))
    if formal and case.case_number:
        for code in ("D3", "D4", "D5"):
            if lacks(code):
                missing.append(str(KINDS[code].title) if code in KINDS else code)
    if formal and case.mediation_started_at and lacks("D8"):
        missing.append(_("调解笔录（至少一份已完成的笔录）"))
    outcome_code = OUTCOME_DOCUMENT.get(outcome)
    if outcome_code and lacks(outcome_code):
        missing.append(str(KINDS[outcome_code].title) if outcome_code in KINDS else outcome_code)
    pending = case.service_records.filter(status="pending").count()
    if pending:
        missing.append(_("%d 份文书尚未送达（送达回证）") % pending)
    if formal and outcome in SUCCESS_OUTCOMES and not case.follow_ups.filter(done_at__isnull=False).exists():
        missing.append(_("回访记录"))
    if lacks("D15"):
        missing.append(str(KINDS["D15"].title) if "D15" in KINDS else _("结案审批表"))
    return [_("归档材料不齐：%s。") % "、".join(missing)] if missing else []


# --- the bundle ----------------------------------------------------------------------------


@dataclass
class PlanItem:
    kind: Kind
    subject: Any
    sort: tuple[Any, ...]

    @property
    def label(self) -> str:
        if self.subject is None:
            return str(self.kind.title)
        return f"{self.kind.title}（{self.kind.subject_label(self.subject)}）"


def _subject_time(subject: Any) -> dt.datetime:
    for attr in ("starts_at", "decided_at", "requested_at", "done_at", "approved_at", "created_at"):
        value = getattr(subject, attr, None)
        if isinstance(value, dt.datetime):
            return value
    return dt.datetime.min.replace(tzinfo=dt.UTC)


def bundle_plan(case: Case) -> list[PlanItem]:
    """Every document of the case in the standard order of the file (DOMAIN.md §9.2)."""
    simple = case.file_type == case_vocab.FileType.SIMPLE
    items: list[PlanItem] = []
    for kind in KINDS.values():
        if kind.bundle_only or (simple and kind.code not in SIMPLE_FILE_KINDS):
            continue
        for subject in kind.subjects_of(case):
            slot, sub = kind.slot, 0
            if kind.code == "D13" and subject is not None:
                slot, sub = _SERVICE_SLOT.get(getattr(subject, "document", ""), 13), 1
            when = _subject_time(subject) if subject is not None else dt.datetime.min.replace(tzinfo=dt.UTC)
            items.append(PlanItem(kind, subject, (slot, sub, when, kind.code, getattr(subject, "pk", 0))))
    return sorted(items, key=lambda item: item.sort)


def responsible_party(case: Case, kind: Kind) -> str:
    """责任者: who made the document (the applicant for an application, else the centre)."""
    if kind.code in ("D1", "D12"):
        applicant = case.parties.filter(side=case_vocab.Side.APPLICANT).select_related("person", "employer").first()
        if applicant is not None:
            return str(applicant)
    return case.organization.name


# --- retention and numbers -------------------------------------------------------------------


def retention_for(case: Case) -> str:
    """保管期限 by the recommended schedule of DOMAIN.md §9.3."""
    if case.is_collective or case.workers_involved >= COLLECTIVE_WORKERS:
        return Retention.PERMANENT
    succeeded = outcome_of(case) in SUCCESS_OUTCOMES
    if succeeded and case.dispute_type == case_vocab.DisputeType.INJ:
        return Retention.Y30
    if case.transfers.filter(outcome__in=CONFIRMED_OUTCOMES).exists():
        return Retention.Y30
    return Retention.Y10


def retention_until(retention: str, filed: dt.date) -> dt.date | None:
    """Counted in whole years from 1 January after the year of filing; None for permanent."""
    years = RETENTION_YEARS.get(retention)
    return None if years is None else dt.date(filed.year + years, 12, 31)


def _archive_number(volume: ArchiveVolume, when: dt.datetime) -> str:
    """档号 {全宗号}-{年度}-{保管期限代码}-{分类代码}-{件号} (DOMAIN.md §7.3)."""
    org = volume.case.organization
    year, value = sequence_next(organization=org, series=NumberSeries.ARCHIVE, when=when, actor=volume.filed_by)
    return f"{org.code.upper()}-{year}-{RETENTION_CODE[volume.retention]}-{CLASS_CODE}-{value:04d}"


# --- requests ------------------------------------------------------------------------------


def may_request(case: Case, user: Any) -> bool:
    return may_fire(case, "archive", user)


def may_supplement(case: Case, user: Any) -> bool:
    return bool(roles_for_organization(user, case.organization) & WRITER_ROLES)


def archive_request(*, case: Case, actor: User, schedule: bool = True) -> ArchiveVolume:
    """A clerk asks to archive a closed case: checks, then a pending volume built in the
    background (with `schedule`; the demo data builds it itself, at a historic time). A
    volume already being built is returned as it is."""
    transition_precheck(case=case, name="archive", actor=actor)
    refusals = blockers(case, "archive")
    if refusals:
        raise ApplicationError(" ".join(refusals))
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.status != Status.CLOSED:
            raise ConflictError(_("案件状态已改变，请刷新后重试。"))
        live = locked.volumes.filter(status=VolumeStatus.PENDING).first()
        if live is not None:
            return live
        previous = locked.volumes.filter(status=VolumeStatus.FAILED).exclude(archive_number="").first()
        volume = ArchiveVolume(
            case=locked,
            volume_type=locked.file_type,
            retention=retention_for(locked),
            filed_by=actor,
            step=_("排队等待生成"),
            archive_number=previous.archive_number if previous else "",
        )
        save_with_history(volume, actor=actor, reason="archive requested")
        if schedule:
            transaction.on_commit(lambda: _enqueue(volume.pk))
    return volume


def _enqueue(volume_id: int) -> None:
    """Runs after commit. With the broker unreachable the build is recorded as failed, so the
    archive page offers the retry (the same archive number is kept)."""
    from documents.tasks import build_archive_task

    if not queue.send(build_archive_task, volume_id):
        _volume_failed(volume_id, str(queue.UNAVAILABLE))


def _progress(volume: ArchiveVolume, done: int, total: int, step: str) -> None:
    percent = min(99, int(done * 100 / max(total, 1)))
    ArchiveVolume.objects.filter(pk=volume.pk).update(progress=percent, step=step[:100])
    if volume.bundle_id:
        CaseDocument.objects.filter(pk=volume.bundle_id, status=DocumentStatus.PENDING).update(progress=percent)


def _new_document(case: Case, kind: Kind, subject: Any, actor: User, *, title: str | None = None) -> CaseDocument:
    """A pending FILE copy, next version of its (kind, subject)."""
    same = CaseDocument.objects.filter(
        case=case, kind=kind.code, subject_id=getattr(subject, "pk", 0), copy_for=Copy.FILE
    )
    latest = same.filter(status=DocumentStatus.READY).order_by("-version").first()
    version = max((d.version for d in same), default=0) + 1
    document = CaseDocument(
        case=case,
        kind=kind.code,
        subject_id=getattr(subject, "pk", 0),
        copy_for=Copy.FILE,
        version=version,
        number=document_number(case, kind, subject),
        title=title or str(kind.title),
        reason=_("归档立卷") if latest else "",
        supersedes=latest,
        requested_by=actor,
    )
    save_with_history(document, actor=actor, reason="archive build")
    return document


def _render_into(document: CaseDocument, pdf: bytes, pages: int) -> CaseDocument:
    stored = document_store(document.pk, pdf, pages)
    if stored is None:
        raise RuntimeError(f"document {document.pk} was not pending")
    return stored


def _file_copy(case: Case, item: PlanItem, actor: User) -> CaseDocument:
    """The latest ready file copy of an item, rendered now if there is none."""
    existing = (
        CaseDocument.objects.filter(
            case=case,
            kind=item.kind.code,
            subject_id=getattr(item.subject, "pk", 0),
            copy_for=Copy.FILE,
            status=DocumentStatus.READY,
        )
        .order_by("-version")
        .first()
    )
    if existing is not None:
        return existing
    document = _new_document(case, item.kind, item.subject, actor)
    try:
        pdf, pages = render_case_document(document)
    except Exception as exc:
        document_fail(document.pk, f"{type(exc).__name__}: {exc}")
        raise
    return _render_into(document, pdf, pages)


def _render_filing(case: Case, code: str, actor: User, extra: dict[str, Any]) -> CaseDocument:
    kind = KINDS[code]
    document = _new_document(case, kind, None, actor)
    dc = DocContext(
        case=case,
        subject=None,
        copy_for=Copy.FILE,
        number=document.number,
        version=document.version,
        today=extra["filed_on"],
    )
    pdf, pages = render_pdf_for(kind, dc, extra)
    return _render_into(document, pdf, pages)


@dataclass
class IndexRow:
    seq: int
    number: str
    responsible: str
    title: str
    date: dt.date | None
    first_page: int
    last_page: int
    remarks: str = ""

    @property
    def pages(self) -> str:
        return str(self.first_page) if self.first_page == self.last_page else f"{self.first_page}-{self.last_page}"


def _sums(case: Case) -> MoneyTotals:
    from mediation.selectors import agreement_view, case_money

    return case_money(case=case, agreement=agreement_view(case=case))


#: pg_advisory_lock namespace ("ARCV") held by the worker building a volume.
_BUILD_LOCK_NAMESPACE = 0x41524356


def archive_build(volume_id: int, *, at: dt.datetime | None = None) -> ArchiveVolume | None:
    """The task's body (see the module docstring). Idempotent: only a pending volume is built,
    by one worker at a time: a redelivered message that arrives while the first delivery is
    still building returns at once (on PostgreSQL, a session advisory lock per volume; it goes
    with the connection if the worker dies). Otherwise both would file copies of the same
    documents and the loser would mark the volume failed."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return _archive_build(volume_id, at=at)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_BUILD_LOCK_NAMESPACE, volume_id & 0x7FFFFFFF])
        (claimed,) = cursor.fetchone()
    if not claimed:
        return ArchiveVolume.objects.filter(pk=volume_id).first()
    try:
        return _archive_build(volume_id, at=at)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_BUILD_LOCK_NAMESPACE, volume_id & 0x7FFFFFFF])


def _archive_build(volume_id: int, *, at: dt.datetime | None = None) -> ArchiveVolume | None:
    """`at` is the time of filing (default now; the demo data passes historic times)."""
    volume = ArchiveVolume.objects.select_related("case__organization", "filed_by").filter(pk=volume_id).first()
    if volume is None or volume.status != VolumeStatus.PENDING:
        return volume
    case, actor = volume.case, volume.filed_by
    package_name = ""
    try:
        now = at or timezone.now()
        if not volume.archive_number:
            with transaction.atomic():
                volume.archive_number = _archive_number(volume, now)
                save_with_history(volume, actor=actor, reason="archive number", update_fields=["archive_number"])
        plan = bundle_plan(case)
        total = len(plan) + 5
        parts: list[tuple[PlanItem, CaseDocument]] = []
        for done, item in enumerate(plan):
            _progress(volume, done, total, _("生成：%s") % item.kind.title)
            parts.append((item, _file_copy(case, item, actor)))
        rows, page = [], 1
        for seq, (item, document) in enumerate(parts, start=1):
            rows.append(
                IndexRow(
                    seq=seq,
                    number=document.number,
                    responsible=responsible_party(case, item.kind),
                    title=item.label,
                    date=document_date(case, item.kind, item.subject),
                    first_page=page,
                    last_page=page + document.page_count - 1,
                    remarks=_("第%d版") % document.version if document.version > 1 else "",
                )
            )
            page += document.page_count
        numbered_pages = page - 1
        filing = {
            "volume": volume,
            "rows": rows,
            "numbered_pages": numbered_pages,
            "item_count": len(rows),
            "filed_on": timezone.localdate(now),
            "sums": _sums(case),
            "outcome": Status(outcome_of(case)).label if outcome_of(case) else "",
            "title_text": case_title(case),
        }
        _progress(volume, len(plan), total, _("生成：卷内备考表"))
        note = _render_filing(case, "D22", actor, filing)
        _progress(volume, len(plan) + 1, total, _("生成：卷宗封面"))
        cover = _render_filing(case, "D20", actor, filing)
        _progress(volume, len(plan) + 2, total, _("生成：卷内目录"))
        index = _render_filing(case, "D21", actor, filing)
        _progress(volume, len(plan) + 3, total, _("装订卷宗"))
        bundle_parts = [BundlePart(_read(cover), numbered=False), BundlePart(_read(index), numbered=False)]
        bundle_parts += [BundlePart(_read(document), numbered=True) for _item, document in parts]
        bundle_parts.append(BundlePart(_read(note), numbered=False))
        bound = assemble(bundle_parts)
        bundle = _new_document(case, KINDS[BUNDLE], None, actor, title=_("卷宗（%s）") % volume.archive_number)
        bundle = _render_into(bundle, bound.pdf, bound.page_count)
        _progress(volume, len(plan) + 4, total, _("生成归档包"))
        documents = [cover, index] + [document for _item, document in parts] + [note]
        package, manifest = build_package(case, volume, bundle, documents, now)
        package_name = f"{volume.archive_number}.zip"

        def prepare(locked: Case) -> dict[str, Any]:
            fresh = ArchiveVolume.objects.select_for_update().get(pk=volume.pk)
            if fresh.status != VolumeStatus.PENDING:
                raise ConflictError(_("卷宗已不在立卷中。"))
            fresh.package.save(package_name, ContentFile(package), save=False)
            fresh.package_sha256 = hashlib.sha256(package).hexdigest()
            fresh.manifest = manifest
            fresh.bundle = bundle
            fresh.page_count = numbered_pages
            fresh.status = VolumeStatus.ARCHIVED
            fresh.progress = 100
            fresh.step = ""
            fresh.filed_at = now
            fresh.retention_until = retention_until(fresh.retention, timezone.localdate(now))
            save_with_history(fresh, actor=actor, reason="archived")
            return {
                "archive_number": fresh.archive_number,
                "retention": fresh.retention,
                "package_sha256": fresh.package_sha256,
                "bundle_sha256": bundle.sha256,
                "pages": numbered_pages,
            }

        case_transition(case=case, actor=actor, name="archive", prepare=prepare, at=now)
    except Exception as exc:
        logger.exception("archive build of volume %s failed", volume_id)
        _volume_failed(volume_id, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=4)}")
    return ArchiveVolume.objects.get(pk=volume_id)


def _volume_failed(volume_id: int, error: str) -> None:
    with transaction.atomic():
        volume = ArchiveVolume.objects.select_for_update().get(pk=volume_id)
        if volume.status != VolumeStatus.PENDING:
            return
        volume.status = VolumeStatus.FAILED
        volume.error = error[:4000]
        volume.step = ""
        save_with_history(volume, actor=volume.filed_by, reason="archive failed")


def _read(document: CaseDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


_FIXED_TIME = (2000, 1, 1, 0, 0, 0)


def _zip_add(archive: zipfile.ZipFile, path: str, data: bytes) -> dict[str, Any]:
    info = zipfile.ZipInfo(path, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)
    return {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def _evidence_files(case: Case) -> list[tuple[str, bytes]]:
    from mediation.models import PaymentRecord

    files = []
    for payment in PaymentRecord.objects.filter(obligation__agreement__case=case).exclude(evidence="").order_by("pk"):
        try:
            with payment.evidence.open("rb") as handle:
                data = handle.read()
        except OSError:
            raise RuntimeError(_("履行凭证文件缺失：%s") % payment.evidence.name) from None
        name = (payment.evidence.name or "").rsplit("/", 1)[-1]
        files.append((f"evidence/payment-{payment.pk}-{name}", data))
    return files


def case_key_data(case: Case) -> dict[str, Any]:
    sums = _sums(case)
    parties = case.parties.select_related("person", "employer").order_by("side", "pk")
    return {
        "id": case.pk,
        "case_number": case.case_number,
        "registry_number": case.registry_number,
        "organization": case.organization.name,
        "title": case_title(case),
        "dispute_type": case.dispute_type,
        "outcome": outcome_of(case),
        "file_type": case.file_type,
        "workers_involved": case.workers_involved,
        "received_at": case.received_at.isoformat() if case.received_at else None,
        "accepted_at": case.accepted_at.isoformat() if case.accepted_at else None,
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "parties": [{"side": p.side, "name": str(p)} for p in parties],
        "amounts": {k: f"{v:.2f}" for k, v in asdict(sums).items()},
    }


def build_package(
    case: Case, volume: ArchiveVolume, bundle: CaseDocument, documents: list[CaseDocument], now: dt.datetime
) -> tuple[bytes, dict[str, Any]]:
    """The archive package (ZIP): the bundle, each document, the uploaded evidence and a
    manifest with each file's SHA-256 and the case's key data."""
    buffer = io.BytesIO()
    entries = []
    with zipfile.ZipFile(buffer, "w") as archive:
        entry = _zip_add(archive, "bundle.pdf", _read(bundle))
        entries.append({**entry, "kind": BUNDLE, "document_id": bundle.pk})
        for document in documents:
            path = f"documents/{document.kind}-{document.subject_id or 0}-v{document.version}.pdf"
            entry = _zip_add(archive, path, _read(document))
            entries.append({**entry, "kind": document.kind, "document_id": document.pk, "number": document.number})
        for path, data in _evidence_files(case):
            entries.append({**_zip_add(archive, path, data), "kind": "evidence"})
        manifest = {
            "format": "labor-mediation-archive/1",
            "archive_number": volume.archive_number,
            "retention": volume.retention,
            "volume_type": volume.volume_type,
            "filed_by": volume.filed_by.get_username(),
            "filed_at": now.isoformat(),
            "case": case_key_data(case),
            "files": entries,
        }
        _zip_add(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    return buffer.getvalue(), manifest


# --- after archiving -----------------------------------------------------------------------


def archived_volume(case: Case) -> ArchiveVolume | None:
    return case.volumes.filter(status=VolumeStatus.ARCHIVED).select_related("bundle").first()


def archive_supplement_add(*, case: Case, actor: User, description: str) -> ArchiveSupplement:
    """补充归档: the one change an archived case accepts; logged in the history and events."""
    from documents.services import require_document_writer

    require_document_writer(actor, case)
    volume = archived_volume(case)
    if volume is None:
        raise ConflictError(_("案件尚未归档，不需要补充归档。"))
    if not description.strip():
        raise ApplicationError(_("请说明补充归档的内容。"), fields={"description": [_("请填写补充说明。")]})
    with transaction.atomic():
        supplement = ArchiveSupplement(volume=volume, description=description.strip(), added_by=actor)
        save_with_history(supplement, actor=actor, reason="supplement")
        CaseEvent.objects.create(
            case=case, kind=EventKind.NOTE, name="archive_supplement", actor=actor, reason=description.strip()[:2000]
        )
    return supplement


def archive_verify(case: Case) -> list[str]:
    """Recompute every hash of the archived case; the differences (empty: intact)."""
    volume = archived_volume(case)
    if volume is None:
        return [_("案件没有已归档的卷宗。")]
    problems: list[str] = []
    try:
        with volume.package.open("rb") as handle:
            package = handle.read()
    except (OSError, ValueError):
        return [_("归档包文件缺失：%s") % volume.package.name]
    if hashlib.sha256(package).hexdigest() != volume.package_sha256:
        problems.append(_("归档包的 SHA-256 与登记值不一致。"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(package))
        stored_manifest = json.loads(archive.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError):
        return [*problems, _("归档包无法读取或缺少清单。")]
    if stored_manifest != volume.manifest:
        problems.append(_("归档包内的清单与登记的清单不一致。"))
    documents = {d.pk: d for d in CaseDocument.objects.filter(case=case)}
    for entry in volume.manifest.get("files", []):
        path = entry["path"]
        try:
            data = archive.read(path)
        except KeyError:
            problems.append(_("归档包缺少文件：%s") % path)
            continue
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            problems.append(_("文件被改动：%s") % path)
        document = documents.get(entry.get("document_id") or 0)
        if document is not None:
            try:
                with document.file.open("rb") as handle:
                    stored = hashlib.sha256(handle.read()).hexdigest()
            except (OSError, ValueError):
                problems.append(_("文书文件缺失：%s") % document.file.name)
                continue
            if stored != document.sha256 or stored != entry["sha256"]:
                problems.append(
                    _("文书文件被改动：%(path)s（%(title)s）") % {"path": document.file.name, "title": document}
                )
    return problems
