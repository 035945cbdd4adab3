"""The rendering pipeline: request -> task -> ready file with hash; failures recorded."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from documents.models import DocumentStatus
from documents.services import document_request
from tests.documents.pdfs import pdf_text

pytestmark = pytest.mark.django_db(transaction=False)


def test_acceptance_notice_renders_in_chinese(
    case_in: Any, clerk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = case_in("accepted")
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(case=case, actor=clerk, kind="D3")
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY, document.error
    data = document.file.read()
    assert hashlib.sha256(data).hexdigest() == document.sha256
    text = pdf_text(data)
    assert "受理通知书" in text
    assert case.case_number in text
    assert f"第1页/共{document.page_count}页" in text


def test_a_failed_render_is_recorded_with_its_error_and_no_file(
    case_in: Any, clerk: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from documents import services

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("template exploded")

    monkeypatch.setattr(services, "render_pdf_for", broken)
    case = case_in("accepted")
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(case=case, actor=clerk, kind="D3")
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert "template exploded" in document.error
    assert not document.file and not document.sha256
    # the next request is a fresh version 2 and needs no correction reason: nothing was ready
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        again = document_request(case=case, actor=clerk, kind="D3")
    again.refresh_from_db()
    assert again.version == 2 and again.status == DocumentStatus.READY
