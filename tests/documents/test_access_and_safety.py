"""Documents through the UI and the API: requests, progress, permission-checked and logged
downloads; the URL fetcher; the CJK font check."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.checks import Error
from django.urls import reverse
from pypdf import PdfReader
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from documents import checks, rendering
from documents.models import CaseDocument, DocumentDownload, DocumentStatus
from documents.services import document_request

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def ready_document(case: Any, user: Any, capture: Any, kind: str = "D3", **kwargs: Any) -> CaseDocument:
    with capture(execute=True):
        document = document_request(case=case, actor=user, kind=kind, **kwargs)
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY, document.error
    return document


def test_the_case_page_offers_documents_and_the_request_renders_one(
    client: Any, case_in: Any, clerk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = case_in("accepted")
    client.force_login(clerk)
    page = client.get(reverse("cases:detail", kwargs={"case_id": case.pk}))
    assert page.status_code == 200
    assert "生成文书" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:request", kwargs={"case_id": case.pk}), {"document": "D3:"})
    assert response.status_code == 302
    document = CaseDocument.objects.get(case=case, kind="D3")
    assert document.status == DocumentStatus.READY
    # a second request without a reason is refused with a message; nothing is created
    response = client.post(reverse("documents:request", kwargs={"case_id": case.pk}), {"document": "D3:"}, follow=True)
    assert "更正理由" in response.content.decode()
    assert CaseDocument.objects.filter(case=case, kind="D3").count() == 1
    # with a reason it is a correction: version 2, superseding version 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("documents:request", kwargs={"case_id": case.pk}),
            {"document": "D3:", "reason": "首次调解时间变更"},
        )
    second = CaseDocument.objects.get(case=case, kind="D3", version=2)
    assert second.supersedes_id == document.pk and second.reason == "首次调解时间变更"


def test_download_is_an_attachment_and_logged_and_refused_outside_scope(
    client: Any, case_in: Any, clerk: Any, other_town_clerk: Any, auditor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = case_in("accepted")
    document = ready_document(case, clerk, django_capture_on_commit_callbacks)
    url = reverse("documents:download", kwargs={"document_id": document.pk})
    client.force_login(clerk)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert DocumentDownload.objects.filter(document=document, user=clerk, granted=True).count() == 1
    client.force_login(auditor)
    assert client.get(url).status_code == 200
    client.force_login(other_town_clerk)
    assert client.get(url).status_code == 404
    assert DocumentDownload.objects.filter(document=document, user=other_town_clerk, granted=False).count() == 1
    # files are never served from a public URL
    assert client.get("/media/" + document.file.name).status_code == 404


def test_api_request_progress_download_and_errors(
    case_in: Any, clerk: Any, auditor: Any, other_town_clerk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = case_in("accepted")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(clerk).post(f"/api/v1/cases/{case.pk}/documents/", {"kind": "D3"}, format="json")
    assert response.status_code == 202, response.content
    document_id = response.json()["id"]
    detail = api(clerk).get(f"/api/v1/documents/{document_id}/").json()
    assert detail["status"] == "ready" and detail["progress"] == 100 and len(detail["sha256"]) == 64
    download = api(auditor).get(detail["download_url"])
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert DocumentDownload.objects.filter(document_id=document_id, user=auditor, via="api").exists()
    listing = api(clerk).get(f"/api/v1/cases/{case.pk}/documents/").json()
    assert any(o["kind"] == "D3" for o in listing["available"])
    # a correction needs a reason
    again = api(clerk).post(f"/api/v1/cases/{case.pk}/documents/", {"kind": "D3"}, format="json")
    assert again.status_code == 400 and "reason" in again.json()["error"]["fields"]
    # auditors read, they do not generate; other towns see nothing
    assert api(auditor).post(f"/api/v1/cases/{case.pk}/documents/", {"kind": "D3"}, format="json").status_code == 403
    assert api(other_town_clerk).get(f"/api/v1/documents/{document_id}/").status_code == 404
    assert api(other_town_clerk).get(f"/api/v1/cases/{case.pk}/documents/").status_code == 404
    # a kind the case does not have yet, an unknown kind, a foreign subject
    bad = api(clerk).post(f"/api/v1/cases/{case.pk}/documents/", {"kind": "D10"}, format="json")
    assert bad.status_code == 400
    bad = api(clerk).post(f"/api/v1/cases/{case.pk}/documents/", {"kind": "D99"}, format="json")
    assert bad.status_code == 400
    bad = api(clerk).post(f"/api/v1/cases/{case.pk}/documents/", {"kind": "D8", "subject_id": 999999}, format="json")
    assert bad.status_code == 400


def test_archive_through_the_api(case_in: Any, clerk: Any, django_capture_on_commit_callbacks: Any) -> None:
    case = case_in("closed")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(clerk).post(f"/api/v1/cases/{case.pk}/transitions/archive/", {}, format="json")
    assert response.status_code == 200, response.content
    state = api(clerk).get(f"/api/v1/cases/{case.pk}/archive/").json()
    assert state["volume"]["status"] == "archived" and state["volume"]["progress"] == 100
    assert state["volume"]["bundle"]["page_count"] > 0
    package = api(clerk).get(f"/api/v1/cases/{case.pk}/archive/package/")
    assert package.status_code == 200 and package["Content-Type"] == "application/zip"
    verify = api(clerk).get(f"/api/v1/cases/{case.pk}/archive/verify/").json()
    assert verify == {"intact": True, "problems": []}
    again = api(clerk).post(f"/api/v1/cases/{case.pk}/transitions/archive/", {}, format="json")
    assert again.status_code == 409


def test_the_fetcher_allows_only_data_uris_and_project_assets() -> None:
    html = """<html><head><link rel="stylesheet" href="http://127.0.0.1:9/x.css">
    <style>@import url(http://127.0.0.1:9/y.css);</style></head><body>
    <link rel="attachment" href="file:///etc/passwd"><img src="file:///etc/hostname">
    <img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==">
    <p>正文</p></body></html>"""
    rendered = rendering.html_to_pdf(html)
    assert "file:///etc/passwd" in rendered.refused
    assert "file:///etc/hostname" in rendered.refused
    assert any(url.startswith("http://127.0.0.1:9") for url in rendered.refused)
    assert not any(url.startswith("data:") for url in rendered.refused)
    reader = PdfReader(io.BytesIO(rendered.pdf))
    assert reader.attachments == {}
    assert b"/EmbeddedFiles" not in rendered.pdf


def test_the_system_check_fails_without_a_cjk_font(monkeypatch: pytest.MonkeyPatch) -> None:
    assert checks.cjk_font_check() == []
    monkeypatch.setattr(checks, "cjk_fonts", lambda: [])
    errors = checks.cjk_font_check()
    assert len(errors) == 1 and isinstance(errors[0], Error) and errors[0].id == "documents.E001"
    assert "fonts-noto-cjk" in (errors[0].hint or "")
