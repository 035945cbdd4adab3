"""T6 Access logging of sensitive reads (RELIABILITY.md §3, ASVS 16.3.2 L3).

The endpoints that hand out unmasked ID numbers or phones are: the reveal action (web and
API, `PersonalDataReveal`), the download of a document file (the file's original and the
applicant's copy print them in full) and of the archive package (web and API,
`DocumentDownload`). Everything else (case pages, lists, the API, exports, the history
browser) shows them masked, which T20 walks route by route; here it is checked for the pages
next to the logged ones.

Pass: log rows == successful sensitive reads (0 missing) and == refused attempts (0 missing),
each with user, UTC time and address; 0 full ID numbers or phones inside the log rows."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import PersonalDataReveal
from cases.workflow import Status
from core import crypto
from core.history import save_with_history
from documents.archive import archive_build, archive_request
from documents.models import DocumentDownload
from tests.documents.test_access_and_safety import ready_document

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"
REASON = "核对申请人身份，准备受理通知书"
ID_RX = re.compile(r"[0-9]{17}[0-9Xx]")
MOBILE_RX = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def _with_personal_data(case: Any, clerk: Any) -> Any:
    person = case.parties.get(side="applicant").person
    person.id_number, person.phone = ID_NUMBER, PHONE
    person.id_number_hash = crypto.lookup_hash(ID_NUMBER)
    save_with_history(person, actor=clerk, reason="补录证件号码")
    return case


def _web(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _row_text(row: Any) -> str:
    return " ".join(str(getattr(row, f.attname)) for f in type(row)._meta.concrete_fields)


def _assert_rows_are_clean(rows: list[Any]) -> None:
    for row in rows:
        text = _row_text(row)
        assert not ID_RX.search(text) and not MOBILE_RX.search(text), text
        assert row.user_id is not None and row.remote_addr == "127.0.0.1"
        assert row.at.utcoffset() == dt.timedelta(0)  # stored and read back in UTC


def test_every_reveal_and_every_refused_attempt_is_one_row(
    case_in: Any, world: Any, clerk: Any, mediator: Any, auditor: Any, liaison: Any, other_town_clerk: Any
) -> None:
    case = _with_personal_data(case_in(Status.REGISTERED), clerk)
    party = case.parties.get(side="applicant")
    web_url = f"/cases/{case.pk}/parties/{party.pk}/reveal/"
    api_url = f"/api/v1/cases/{case.pk}/parties/{party.pk}/reveal/"
    granted, refused = 0, 0

    for user, field in ((clerk, "id_number"), (mediator, "phone")):
        body = _web(user).post(web_url, {"field": field, "reason": REASON}).content.decode()
        assert (ID_NUMBER if field == "id_number" else PHONE) in body
        response = _api(user).post(api_url, {"field": field, "reason": REASON}, format="json")
        assert response.status_code == 200
        granted += 2
    for user, status in ((auditor, 403), (liaison, 404), (other_town_clerk, 404)):
        assert _web(user).post(web_url, {"field": "id_number", "reason": REASON}).status_code == status
        response = _api(user).post(api_url, {"field": "id_number", "reason": REASON}, format="json")
        assert response.status_code == status
        assert ID_NUMBER not in response.content.decode()
        refused += 2
    # a bad request by a role that may reveal reveals nothing and is not a read
    assert _web(clerk).post(web_url, {"field": "id_number", "reason": ""}).status_code == 400

    rows = list(PersonalDataReveal.objects.filter(case=case))
    assert len([r for r in rows if r.granted]) == granted == 4
    assert len([r for r in rows if not r.granted]) == refused == 6
    assert {r.via for r in rows} == {"web", "api"}
    _assert_rows_are_clean(rows)


def test_every_document_download_and_every_refused_one_is_one_row(
    case_in: Any, clerk: Any, auditor: Any, other_town_clerk: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = _with_personal_data(case_in(Status.ACCEPTED), clerk)
    document = ready_document(case, clerk, django_capture_on_commit_callbacks)
    web_url = reverse("documents:download", kwargs={"document_id": document.pk})
    api_url = f"/api/v1/documents/{document.pk}/download/"

    for user in (clerk, auditor):
        assert _web(user).get(web_url).status_code == 200
        assert _api(user).get(api_url).status_code == 200
    for _attempt in range(2):
        assert _web(other_town_clerk).get(web_url).status_code == 404
        assert _api(other_town_clerk).get(api_url).status_code == 404

    rows = list(DocumentDownload.objects.filter(document=document))
    assert len([r for r in rows if r.granted]) == 4
    assert len([r for r in rows if not r.granted]) == 4
    assert [r.user for r in rows if not r.granted] == [other_town_clerk] * 4
    assert sorted(r.via for r in rows) == ["api"] * 4 + ["web"] * 4
    _assert_rows_are_clean(rows)


def test_every_archive_package_download_and_every_refused_one_is_one_row(
    case_in: Any, clerk: Any, director: Any, liaison: Any, other_town_clerk: Any
) -> None:
    case = _with_personal_data(case_in(Status.CLOSED), clerk)
    volume = archive_request(case=case, actor=clerk)
    archive_build(volume.pk)
    web_url = reverse("documents:archive_package", kwargs={"case_id": case.pk})
    api_url = f"/api/v1/cases/{case.pk}/archive/package/"

    assert _web(clerk).get(web_url).status_code == 200
    assert _api(director).get(api_url).status_code == 200
    for user in (other_town_clerk, liaison):
        assert _web(user).get(web_url).status_code == 404
        assert _api(user).get(api_url).status_code == 404

    rows = list(DocumentDownload.objects.filter(volume__case=case))
    assert [(r.user, r.via) for r in rows if r.granted] == [(director, "api"), (clerk, "web")]
    assert len([r for r in rows if not r.granted]) == 4
    _assert_rows_are_clean(rows)


def test_the_pages_that_do_not_log_show_the_values_masked(case_in: Any, clerk: Any, auditor: Any) -> None:
    case = _with_personal_data(case_in(Status.REGISTERED), clerk)
    bodies = [
        _web(clerk).get(f"/cases/{case.pk}/").content,
        _web(clerk).get("/cases/").content,
        _api(clerk).get(f"/api/v1/cases/{case.pk}/").content,
        _api(clerk).get("/api/v1/cases/").content,
        _web(auditor).get("/cases/history/").content,
        _web(auditor).get("/cases/history/export.csv").content,
    ]
    for body in bodies:
        text = body.decode("utf-8-sig", errors="replace")
        assert ID_NUMBER not in text and PHONE not in text
    assert not PersonalDataReveal.objects.exists() and not DocumentDownload.objects.exists()
