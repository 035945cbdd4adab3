"""RELIABILITY.md T24 (d), for every place a request queues work: with the broker unreachable
the request fails closed with a clear message or the work is persisted for a re-send; never a
500, never a job that waits for ever. (The slow T24 tests kill a real Redis; these make
`delay` raise the error kombu raises then, so they run everywhere.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from kombu.exceptions import OperationalError

from cases.workflow import Status
from core import queue
from documents import archive
from documents.models import CaseDocument, DocumentStatus, VolumeStatus
from documents.services import document_request
from documents.tasks import build_archive_task, render_document_task
from reports import tasks as report_tasks
from tests.reports.fixtures.registers import to_xlsx
from tests.reports.test_import_views import GOOD_ROWS, _token, _upload

pytestmark = pytest.mark.django_db(transaction=True)


def _broker_down(*args: Any, **kwargs: Any) -> None:
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def down(monkeypatch: pytest.MonkeyPatch) -> None:
    for task in (render_document_task, build_archive_task, report_tasks.import_register_task):
        monkeypatch.setattr(task, "delay", _broker_down)
    monkeypatch.setattr(report_tasks.standard_report_task, "delay", _broker_down)


def test_send_reports_a_down_broker_instead_of_raising(down: None) -> None:
    assert queue.send(render_document_task, 1) is False


def test_a_document_stays_pending_and_is_re_sent(down: None, case_in: Any, clerk: Any, monkeypatch: Any) -> None:
    case = case_in(Status.ACCEPTED)
    with transaction.atomic():
        document = document_request(case=case, actor=clerk, kind="D3")
    document.refresh_from_db()
    assert document.status == DocumentStatus.PENDING
    sent: list[int] = []
    monkeypatch.setattr(render_document_task, "delay", lambda document_id: sent.append(document_id))
    from documents.services import documents_resend_pending

    CaseDocument.objects.filter(pk=document.pk).update(requested_at=timezone.now() - dt.timedelta(minutes=10))
    assert documents_resend_pending() >= 1 and document.pk in sent


def test_an_archive_build_that_cannot_be_queued_is_recorded_as_failed(down: None, case_in: Any, clerk: Any) -> None:
    case = case_in(Status.CLOSED)
    with transaction.atomic():
        volume = archive.archive_request(case=case, actor=clerk, schedule=True)
    volume.refresh_from_db()
    assert volume.status == VolumeStatus.FAILED and str(queue.UNAVAILABLE) in volume.error
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_an_import_that_cannot_be_queued_says_so(down: None, client: Client, world: Any, director: Any) -> None:
    client.force_login(director)
    response = _upload(client, to_xlsx(GOOD_ROWS))
    assert response.status_code == 302
    page = client.get(f"/reports/import/{_token(response)}/")
    assert page.status_code == 200 and str(queue.UNAVAILABLE) in page.content.decode()


def test_a_background_report_that_cannot_be_queued_says_so(down: None, client: Client, director: Any) -> None:
    client.force_login(director)
    today = timezone.localdate()
    query = {
        "organization": "DX",
        "from": (today - dt.timedelta(days=200)).isoformat(),
        "to": today.isoformat(),
    }
    response = client.get("/reports/standard/periodic/", query)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200 and str(queue.UNAVAILABLE) in page.content.decode()
