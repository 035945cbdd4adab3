"""T18 PDF resource bounds (RELIABILITY.md §3, §2 E).

- Rendering happens only in the Celery task, which carries soft and hard time limits; a
  request never renders (the web/API answer 202 and enqueue after commit).
- Long free text never sits in a table cell of a document template (the pathological case
  of §2 E: 3,000 CJK characters in one <td> took 11.8 s, 10,000 > 150 s).
- The realistic largest case (200 parties) renders.
- An adversarial job that hits the time limit ends as a recorded failure, and the next job
  renders normally (the worker recovers, other jobs unaffected).

No timing is asserted (performance is measured by `manage.py bench`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from cases import services
from cases.workflow import Status
from documents import rendering
from documents.models import CaseDocument, DocumentStatus
from documents.services import document_render, document_request
from documents.tasks import render_document_task
from tests.documents.pdfs import pdf_text
from tests.documents.test_access_and_safety import ready_document

pytestmark = pytest.mark.django_db

#: Free-text fields of the models (unbounded or long) that templates print.
FREE_TEXT = ("facts_summary", "reason", "note", "notes", "content", "text", "risks", "summary", "terms", "body")
#: Short free text allowed in a cell because its column is capped (ServiceRecord.note, 200).
BOUNDED = {"record.note"}


def test_rendering_runs_only_in_a_time_limited_task() -> None:
    assert render_document_task.soft_time_limit and render_document_task.time_limit
    assert render_document_task.soft_time_limit < render_document_task.time_limit
    assert render_document_task.acks_late


def test_long_free_text_is_never_inside_a_table_cell() -> None:
    offenders = []
    for template in (Path(settings.BASE_DIR) / "templates" / "documents").glob("D*.html"):
        html = template.read_text(encoding="utf-8")
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", html, re.DOTALL):
            for variable in re.findall(r"{{\s*([\w.]+)", cell):
                if variable.split(".")[-1] in FREE_TEXT and variable not in BOUNDED:
                    offenders.append(f"{template.name}: {variable}")
    assert offenders == []


def test_the_realistic_largest_case_renders(case_in: Any, clerk: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = case_in(Status.DRAFT)
    for index in range(199):
        worker = services.person_get_or_create(actor=clerk, name=f"职工{index:03d}")
        services.case_party_add(case=case, actor=clerk, side="applicant", person=worker)
    assert case.parties.count() >= 200
    case = services.case_register(case=case, actor=clerk)

    document = ready_document(case, clerk, django_capture_on_commit_callbacks, kind="D1")

    assert document.page_count > 1
    text = pdf_text(document.file.open("rb").read())
    assert "职工000" in text and "职工198" in text


def test_a_job_over_its_time_limit_is_a_recorded_failure_and_the_next_renders(
    case_in: Any, clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = case_in(Status.ACCEPTED)
    runaway = document_request(case=case, actor=clerk, kind="D3", render=False)
    original = rendering.html_to_pdf

    def over_limit(html: str) -> Any:
        raise SoftTimeLimitExceeded("rendering exceeded the soft time limit")

    monkeypatch.setattr("documents.services.html_to_pdf", over_limit, raising=False)
    monkeypatch.setattr(rendering, "html_to_pdf", over_limit)
    document_render(runaway.pk)
    runaway.refresh_from_db()
    assert runaway.status == DocumentStatus.FAILED
    assert "SoftTimeLimitExceeded" in runaway.error

    monkeypatch.setattr("documents.services.html_to_pdf", original, raising=False)
    monkeypatch.setattr(rendering, "html_to_pdf", original)
    following = document_request(case=case, actor=clerk, kind="D3", render=False, reason="重新生成")
    assert render_document_task.apply(args=[following.pk]).get() == DocumentStatus.READY
    assert CaseDocument.objects.get(pk=following.pk).file


def test_a_render_that_keeps_being_killed_ends_as_a_recorded_failure(
    case_in: Any, clerk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A render killed by the hard limit (its message redelivered, or found by the beat job)
    is not tried for ever: started 15 minutes ago and still pending means failed, with the reason."""
    import datetime as dt

    from django.utils import timezone

    from documents import services as document_services

    monkeypatch.setattr(render_document_task, "delay", lambda *a, **k: None)
    case = case_in(Status.ACCEPTED)
    killed, fresh = (document_request(case=case, actor=clerk, kind=kind) for kind in ("D3", "D4"))
    long_ago = timezone.now() - dt.timedelta(seconds=document_services.STALE_AFTER_SECONDS + 60)
    CaseDocument.objects.filter(pk=killed.pk).update(progress=10, started_at=long_ago)
    # a render under way now, of a document asked for long ago (its first message was lost): left alone
    CaseDocument.objects.filter(pk=fresh.pk).update(progress=10, requested_at=long_ago, started_at=timezone.now())

    document_services.documents_resend_pending()
    killed.refresh_from_db()
    fresh.refresh_from_db()
    assert killed.status == DocumentStatus.FAILED and "生成超时" in killed.error
    assert fresh.status == DocumentStatus.PENDING

    # the same when the message itself comes back (redelivery after the kill)
    again = document_request(case=case, actor=clerk, kind="D3")
    CaseDocument.objects.filter(pk=again.pk).update(progress=10, started_at=long_ago)
    result = document_render(again.pk)
    assert result is not None and result.status == DocumentStatus.FAILED
