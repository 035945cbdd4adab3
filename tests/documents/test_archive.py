"""Archiving: the checklist, the bundle (index page numbers match the real pages), the
package and its verification, and an archived case refusing every change."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, CaseEvent
from cases.workflow import Status
from core.exceptions import ApplicationError, ConflictError
from documents import archive
from documents.models import ArchiveVolume, CaseDocument, DocumentStatus, Retention, VolumeStatus
from tests.documents.pdfs import flat, page_texts

pytestmark = pytest.mark.django_db


def archived(case: Case, clerk: Any) -> ArchiveVolume:
    volume = archive.archive_request(case=case, actor=clerk)
    result = archive.archive_build(volume.pk)
    assert result is not None
    assert result.status == VolumeStatus.ARCHIVED, result.error
    return result


def test_a_closed_case_is_archived_with_a_bundle_whose_index_matches_its_pages(case_in: Any, clerk: Any) -> None:
    case = case_in("closed")
    volume = archived(case, clerk)
    case.refresh_from_db()
    assert case.status == Status.ARCHIVED and case.archived_at is not None
    assert volume.archive_number.startswith(f"DX-{timezone.localdate().year}-D10-TJ-")
    assert volume.retention == Retention.Y10 and volume.retention_until is not None
    event = CaseEvent.objects.get(case=case, name="archive")
    assert event.payload["archive_number"] == volume.archive_number

    bundle = volume.bundle
    assert bundle is not None and bundle.status == DocumentStatus.READY
    texts = page_texts(bundle.file.read())
    cover = CaseDocument.objects.get(case=case, kind="D20")
    index = CaseDocument.objects.get(case=case, kind="D21")
    note = CaseDocument.objects.get(case=case, kind="D22")
    offset = cover.page_count + index.page_count
    assert len(texts) == offset + volume.page_count + note.page_count
    assert "劳动争议调解卷宗" in flat(texts[0])
    # every numbered page carries its file page number as its last line
    for number in range(1, volume.page_count + 1):
        assert texts[offset + number - 1].strip().splitlines()[-1].strip() == str(number)
    # each index row's first page is the first page of that document
    plan = archive.bundle_plan(case)
    assert plan, "a closed case has documents"
    index_text = flat("".join(texts[cover.page_count : offset]))
    page = 1
    for item in plan:
        document = (
            CaseDocument.objects.filter(
                case=case, kind=item.kind.code, subject_id=getattr(item.subject, "pk", 0), status="ready"
            )
            .order_by("-version")
            .first()
        )
        assert document is not None
        first_page = flat(texts[offset + page - 1])
        assert flat(document.number) in first_page, (item.label, page)
        last = page + document.page_count - 1
        pages = str(page) if last == page else f"{page}-{last}"
        date = archive.document_date(case, item.kind, item.subject)
        assert flat(document.number) in index_text
        assert f"{date:%Y%m%d}{pages}" in index_text, (item.label, pages)
        page = last + 1
    assert page - 1 == volume.page_count


def test_the_package_holds_every_file_with_its_hash_and_verifies(case_in: Any, clerk: Any) -> None:
    case = case_in("closed")
    volume = archived(case, clerk)
    package = zipfile.ZipFile(io.BytesIO(volume.package.read()))
    manifest = json.loads(package.read("manifest.json"))
    assert manifest == volume.manifest
    paths = {entry["path"] for entry in manifest["files"]}
    assert "bundle.pdf" in paths and any(p.startswith("documents/D20") for p in paths)
    assert manifest["case"]["case_number"] == case.case_number or manifest["case"]["registry_number"]
    assert archive.archive_verify(case) == []
    call_command("verify_archive", "--all")


def test_verify_archive_detects_one_changed_byte(case_in: Any, clerk: Any) -> None:
    case = case_in("closed")
    archived(case, clerk)
    document = CaseDocument.objects.filter(case=case, kind="D15").first()
    assert document is not None
    path = Path(document.file.path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    problems = archive.archive_verify(case)
    assert problems and any(document.file.name in p for p in problems)
    case.refresh_from_db()
    number = case.case_number or ""
    with pytest.raises(CommandError):
        call_command("verify_archive", "--all")
    if number:
        with pytest.raises(CommandError):
            call_command("verify_archive", number)


def test_an_archived_case_refuses_every_change(case_in: Any, clerk: Any, director: Any) -> None:
    case = case_in("archived")
    with pytest.raises(ConflictError):
        case_services.claim_add(
            case=case, actor=clerk, claim_type="WAGE", description="补发工资", amount=Decimal("100.00")
        )
    for name in ("archive", "approve_closure", "return_closure"):
        with pytest.raises(ConflictError):
            case_services.case_transition(case=case, actor=director, name=name, reason="x")
    party = case.parties.first()
    assert party is not None
    from mediation.services.service_of_documents import service_record_open

    with pytest.raises(ConflictError):
        service_record_open(case=case, actor=clerk, document="D3", recipient=party)
    case.outcome_note = "改动"
    from core.history import save_with_history

    with pytest.raises(ConflictError):
        save_with_history(case, actor=clerk, reason="direct")
    # the logged supplement is the one change it accepts
    supplement = archive.archive_supplement_add(case=case, actor=clerk, description="补充收到履行凭证原件一份。")
    assert supplement.pk
    assert CaseEvent.objects.filter(case=case, name="archive_supplement").exists()


def test_archiving_needs_the_checklist(case_in: Any, clerk: Any, people: Any) -> None:
    from mediation import services as mediation_services
    from mediation import vocab as mediation_vocab
    from tests import mediation_steps

    case = case_in("performed")
    mediation_steps.serve_everything(case, clerk)
    case = case_services.case_submit_closure(case=case, actor=clerk)
    case = case_services.case_approve_closure(case=case, actor=people.director)
    assert not case.follow_ups.filter(done_at__isnull=False).exists()
    blockers = archive.archive_blockers(case)
    assert any("回访记录" in b for b in blockers)
    with pytest.raises(ApplicationError, match="回访记录"):
        archive.archive_request(case=case, actor=clerk)
    mediation_services.follow_up_record(
        case=case,
        actor=people.mediator,
        method=mediation_vocab.ContactMethod.PHONE,
        reached="申请人本人",
        performance_status=mediation_vocab.PerformanceStatus.PAID,
        notes="已全部收到，对调解结果满意。",
    )
    assert archive.archive_blockers(case) == []
    assert archived(case, clerk).status == VolumeStatus.ARCHIVED


def test_only_a_clerk_archives(case_in: Any, director: Any) -> None:
    case = case_in("closed")
    from core.exceptions import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        archive.archive_request(case=case, actor=director)


def test_a_failed_build_is_recorded_and_the_case_stays_closed(
    case_in: Any, clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = case_in("closed")

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("font missing")

    monkeypatch.setattr(archive, "assemble", boom)
    volume = archive.archive_request(case=case, actor=clerk)
    result = archive.archive_build(volume.pk)
    assert result is not None and result.status == VolumeStatus.FAILED
    assert "font missing" in result.error
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert not result.package
    monkeypatch.undo()
    # a second attempt works and keeps the archive number
    second = archived(case, clerk)
    assert second.archive_number == result.archive_number


def test_a_ready_document_is_immutable(case_in: Any, clerk: Any) -> None:
    case = case_in("closed")
    volume = archived(case, clerk)
    bundle = CaseDocument.objects.get(pk=volume.bundle_id)
    bundle.title = "改"
    with pytest.raises(TypeError):
        bundle.save()
    with pytest.raises(TypeError):
        bundle.delete()
