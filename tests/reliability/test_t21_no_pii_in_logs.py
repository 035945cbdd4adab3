"""T21 No personal data in logs, errors or task payloads (RELIABILITY.md §3, ASVS 16.2.5, 16.5.1).

Every log record (root logger at DEBUG: Django, DRF, Celery, WeasyPrint, the apps) and every
Celery message (the arguments of every `apply_async`) is captured while representative flows
run with full ID numbers and phones: intake through the API, a refused intake, a search by ID
number, a reveal (web and API), a document rendered by its task, an export, the history.

Pass: 0 ID/phone matches in the captured log lines and task payloads (task arguments are ids);
a 500 page is generic (no traceback, no exception text)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from celery.app.task import Task
from django.test import Client
from rest_framework.test import APIClient

from cases.models import Case
from tests.api.conftest import ID_NUMBER, OTHER_ID_NUMBER, draft_payload

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
ID_RX = re.compile(r"[0-9]{17}[0-9Xx]")
MOBILE_RX = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name}: {text}")


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Capture, list[str]]]:
    handler = Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    # LOG_LEVEL=DEBUG, the worst case; the loggers the settings pin keep their levels.
    loggers = ["django", "django.request", "celery", "rest_framework"]
    levels = {name: logging.getLogger(name).level for name in loggers}
    for name in loggers:
        logging.getLogger(name).setLevel(logging.DEBUG)
    payloads: list[str] = []
    original = Task.apply_async

    def spy(self: Task, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        payloads.append(f"{self.name} {json.dumps([args, kwargs], default=str, ensure_ascii=False)}")
        return original(self, args, kwargs, **options)

    monkeypatch.setattr(Task, "apply_async", spy)
    try:
        yield handler, payloads
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _hits(lines: list[str]) -> list[str]:
    return [line[:300] for line in lines if ID_RX.search(line) or MOBILE_RX.search(line)]


def test_representative_flows_log_and_enqueue_no_personal_data(
    captured: tuple[Capture, list[str]],
    world: Any,
    clerk: Any,
    director: Any,
    auditor: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    handler, payloads = captured
    api = APIClient()
    api.force_authenticate(clerk)
    web = Client()
    web.force_login(clerk)

    created = api.post("/api/v1/cases/", draft_payload(), format="json")
    assert created.status_code == 201, created.content
    case_id = created.json()["id"]
    bad = draft_payload(applicants=[{"name": "王小明", "id_number": "110105194912310021", "phone": "1380013800"}])
    assert api.post("/api/v1/cases/", bad, format="json").status_code == 400
    assert api.get("/api/v1/cases/", {"q": ID_NUMBER}).status_code == 200
    searched = web.post("/cases/", {"q": OTHER_ID_NUMBER}, follow=True)  # the form posts; the URL holds a hash
    assert searched.status_code == 200 and OTHER_ID_NUMBER not in searched.redirect_chain[0][0]
    party = Case.objects.get(pk=case_id).parties.get(side="applicant")
    reveal = {"field": "id_number", "reason": "核对申请人身份"}
    assert api.post(f"/api/v1/cases/{case_id}/parties/{party.pk}/reveal/", reveal, format="json").status_code == 200
    assert web.post(f"/cases/{case_id}/parties/{party.pk}/reveal/", {**reveal, "field": "phone"}).status_code == 200
    auditor_api = APIClient()
    auditor_api.force_authenticate(auditor)
    assert (
        auditor_api.post(f"/api/v1/cases/{case_id}/parties/{party.pk}/reveal/", reveal, format="json").status_code
        == 403
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/cases/{case_id}/transitions/register/", {}, format="json").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient()
        response.force_authenticate(director)
        assert response.post(f"/api/v1/cases/{case_id}/documents/", {"kind": "D1"}, format="json").status_code == 202
    director_web = Client()
    director_web.force_login(director)
    assert director_web.get("/reports/cases/export.xlsx", {"q": ID_NUMBER}).status_code == 200
    assert director_web.get("/cases/history/").status_code == 200

    assert len(handler.lines) > 10  # the capture works: requests, refusals, tasks were logged
    assert payloads, "no task was enqueued: the payload check would prove nothing"
    assert any("Bad Request" in line for line in handler.lines)
    assert _hits(handler.lines) == []
    assert _hits(payloads) == []


def test_the_capture_sees_a_leak(captured: tuple[Capture, list[str]]) -> None:
    """Negative control: a value logged by mistake is found."""
    handler, _payloads = captured
    logging.getLogger("cases").warning("person %s", ID_NUMBER)
    assert len(_hits(handler.lines)) == 1


def test_a_server_error_page_is_generic(clerk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from cases import views

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom: internal detail /srv/secret.py")

    monkeypatch.setattr(views.selectors, "case_list", boom)
    web = Client(raise_request_exception=False)
    web.force_login(clerk)

    response = web.get("/cases/")

    body = response.content.decode()
    assert response.status_code == 500
    assert "系统暂时出现错误" in body
    assert "boom" not in body and "Traceback" not in body and "secret" not in body
