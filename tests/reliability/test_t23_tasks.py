"""T23 Celery tasks (RELIABILITY.md §3): every task of the project, run twice with the same
arguments (a redelivery), leaves the database and the files exactly as one run did; run by
two workers at once, it does the work once; and tasks that need rows of a transaction are
queued on commit, so a rolled-back transaction queues nothing and a task started right after
the commit finds its rows from another connection."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from accounts.services import system_user
from cases import services
from cases.models import Case, CaseEvent, DeadlineAlert
from cases.tasks import sweep_deadlines_task
from cases.workflow import Status
from documents.archive import archive_request
from documents.models import ArchiveVolume, CaseDocument, DocumentStatus
from documents.services import document_request
from documents.tasks import build_archive_task, render_document_task, resend_pending_documents_task
from reports import tasks as report_tasks
from tests.reliability.conftest import run_threads
from tests.reports.fixtures.registers import row, to_xlsx

ROOT = Path(__file__).resolve().parents[2]
PROJECT_APPS = ("accounts", "cases", "mediation", "linkage", "documents", "reports", "core")


def _declared_tasks() -> set[str]:
    """Every Celery task in the source: functions decorated with @shared_task or @app.task."""
    found = set()
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"@(?:shared_task|app\.task)\b[^\n]*\n(?:@[^\n]*\n)*def (\w+)", text))
    return found


def db_state() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the project's apps (history and events included)."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS:
            state[model._meta.db_table] = list(model._base_manager.order_by("pk").values_list())
    return state


def media_state() -> dict[str, str]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix != ".json"  # .json: the cache mirror of a run's state
    }


# --- one setup per task: returns (task, kwargs) ----------------------------------------------------


def _sweep(service_case: Callable[..., Case], people: SimpleNamespace) -> tuple[Any, dict[str, Any]]:
    case = service_case(Status.DRAFT)
    services.case_register(case=case, actor=people.clerk, received_at=timezone.now() - dt.timedelta(days=60))
    return sweep_deadlines_task, {}


def _render(service_case: Callable[..., Case], people: SimpleNamespace) -> tuple[Any, dict[str, Any]]:
    case = service_case(Status.ACCEPTED)
    document = document_request(case=case, actor=people.clerk, kind="D3", render=False)
    return render_document_task, {"document_id": document.pk}


def _resend(service_case: Callable[..., Case], people: SimpleNamespace) -> tuple[Any, dict[str, Any]]:
    """A render whose message never reached the broker: pending, untouched, requested long ago."""
    case = service_case(Status.ACCEPTED)
    document = document_request(case=case, actor=people.clerk, kind="D3", render=False)
    CaseDocument.objects.filter(pk=document.pk).update(requested_at=timezone.now() - dt.timedelta(hours=2))
    return resend_pending_documents_task, {}


def _archive(service_case: Callable[..., Case], people: SimpleNamespace) -> tuple[Any, dict[str, Any]]:
    case = service_case(Status.CLOSED)
    volume = archive_request(case=case, actor=people.clerk, schedule=False)
    return build_archive_task, {"volume_id": volume.pk}


def _import(service_case: Callable[..., Case], people: SimpleNamespace) -> tuple[Any, dict[str, Any]]:
    content = to_xlsx(
        [
            row(申请人="王小明"),
            row(申请人="李四", 申请人身份证号="", 申请人电话="", 被申请人="北京李记餐饮有限公司", 统一社会信用代码=""),
        ]
    )
    token, sha256 = report_tasks.upload_store(content)
    organization = people.director.memberships.get().organization
    kwargs = {
        "token": token,
        "run": report_tasks.job_start(token, report_tasks.IMPORT),
        "actor_id": people.director.pk,
        "organization_id": organization.pk,
        "file_name": "台账.xlsx",
        "sha256": sha256,
        "dry_run": False,
        "skip_invalid": False,
    }
    return report_tasks.import_register_task, kwargs


def _report(service_case: Callable[..., Case], people: SimpleNamespace) -> tuple[Any, dict[str, Any]]:
    service_case(Status.ACCEPTED)
    today = timezone.localdate()
    kwargs = {
        "token": report_tasks.report_job_start(),
        "kind": "periodic",
        "organization_id": people.director.memberships.get().organization_id,
        "date_from": today.replace(month=1, day=1).isoformat(),
        "date_to": today.isoformat(),
        "include_children": True,
        "fmt": "xlsx",
    }
    return report_tasks.standard_report_task, kwargs


SETUPS: dict[str, Callable[..., tuple[Any, dict[str, Any]]]] = {
    "sweep_deadlines_task": _sweep,
    "render_document_task": _render,
    "build_archive_task": _archive,
    "resend_pending_documents_task": _resend,
    "import_register_task": _import,
    "standard_report_task": _report,
}
#: What one run does, exactly (so that "nothing changed the second time" means something, and a
#: second worker's duplicate would be seen).
DID_WORK: dict[str, Callable[[dict[str, Any]], bool]] = {
    "sweep_deadlines_task": lambda kw: (
        DeadlineAlert.objects.filter(resolved_at__isnull=True).count() == 2  # clocks A and B
        and CaseEvent.objects.filter(kind="alert").count() == 2
    ),
    "render_document_task": lambda kw: (
        CaseDocument.objects.get(pk=kw["document_id"]).status == DocumentStatus.READY
        and CaseDocument.objects.count() == 1
    ),
    "resend_pending_documents_task": lambda kw: (
        CaseDocument.objects.get().status == DocumentStatus.READY  # re-sent, and rendered by the eager worker
    ),
    "build_archive_task": lambda kw: (
        ArchiveVolume.objects.get(pk=kw["volume_id"]).case.status == Status.ARCHIVED
        and CaseEvent.objects.filter(kind="transition", name="archive").count() == 1
        and not CaseDocument.objects.filter(status__in=[DocumentStatus.PENDING, DocumentStatus.FAILED]).exists()
    ),
    "import_register_task": lambda kw: Case.objects.count() == 2,
    "standard_report_task": lambda kw: report_tasks.report_output_path(kw["token"], kw["fmt"]).is_file(),
}


def _run(task: Any, kwargs: dict[str, Any]) -> Any:
    """One delivery, run in process (eager; CELERY_TASK_EAGER_PROPAGATES re-raises a failure).
    Not `.get()`: Celery refuses that inside a thread where another task is running."""
    return task.apply(kwargs=kwargs).result


def test_every_task_of_the_project_is_covered():
    assert _declared_tasks() == set(SETUPS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SETUPS))
def test_a_second_run_with_the_same_arguments_changes_nothing(name, service_case, people):
    task, kwargs = SETUPS[name](service_case, people)
    _run(task, kwargs)
    assert DID_WORK[name](kwargs)
    database, files = db_state(), media_state()
    _run(task, kwargs)  # the redelivered message
    assert db_state() == database
    assert media_state() == files


# --- two workers at once (PostgreSQL: real row locks) ------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", sorted(SETUPS))
def test_two_workers_running_the_same_message_do_the_work_once(name, service_case, people):
    task, kwargs = SETUPS[name](service_case, people)
    results = run_threads(2, lambda i: _run(task, kwargs))
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert DID_WORK[name](kwargs)
    database, files = db_state(), media_state()
    _run(task, kwargs)  # and a third run finds nothing left to do
    assert db_state() == database
    assert media_state() == files


# --- queued on commit ----------------------------------------------------------------------------------


def _enqueue_call_sites() -> list[str]:
    sites = []
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"\.(delay|apply_async)\(|\bqueue\.send\(", line):
                sites.append(f"{path.relative_to(ROOT)}:{line.strip()}")
    return sites


#: Where a task is queued: only core.queue.send calls `delay` (a down broker is an answer,
#: not a 500: RELIABILITY.md T24 d), and these call it. The documents tasks are queued through `_enqueue`, which only
#: transaction.on_commit calls; the reports tasks need no row of the request's transaction
#: (their input is a file and the cache), as their call sites say.
ALLOWED_ENQUEUE = {
    "core/queue.py:task.delay(*args, **kwargs)",
    "documents/services.py:if not queue.send(render_document_task, document_id):",
    "documents/archive.py:if not queue.send(build_archive_task, volume_id):",
    "reports/views.py:if not queue.send(tasks.import_register_task, **kwargs):",
    "reports/report_views.py:if not queue.send(tasks.standard_report_task, token=token, **params):",
}


#: Functions that call `_enqueue` directly: they run outside any transaction (a beat task
#: re-sending renders whose message was lost), so there is no commit to wait for.
OUTSIDE_TRANSACTIONS = {"documents/services.py:documents_resend_pending"}


def test_tasks_are_queued_only_from_the_known_places():
    assert set(_enqueue_call_sites()) == ALLOWED_ENQUEUE
    direct = set()
    for module in ("documents/services.py", "documents/archive.py"):
        function = ""
        for line in (ROOT / module).read_text(encoding="utf-8").splitlines():
            if line.startswith("def "):
                function = line[4:].split("(")[0]
            if re.search(r"\b_enqueue\(", line) and not line.startswith("def "):
                if "transaction.on_commit(lambda: _enqueue(" not in line:
                    direct.add(f"{module}:{function}")
    assert direct <= OUTSIDE_TRANSACTIONS


@pytest.mark.django_db
def test_a_rolled_back_transaction_queues_nothing(service_case, people, monkeypatch):
    queued: list[Any] = []
    monkeypatch.setattr(render_document_task, "delay", lambda *a, **k: queued.append(a))
    monkeypatch.setattr(build_archive_task, "delay", lambda *a, **k: queued.append(a))
    accepted, closed = service_case(Status.ACCEPTED), service_case(Status.CLOSED)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        document_request(case=accepted, actor=people.clerk, kind="D3")
        archive_request(case=closed, actor=people.clerk)
        raise Abort
    for callback in transaction.get_connection().run_on_commit:  # what would run at commit
        callback[1]()
    assert queued == []
    assert not CaseDocument.objects.filter(case=accepted).exists()
    assert not ArchiveVolume.objects.filter(case=closed).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_task_started_right_after_commit_finds_its_rows(service_case, people, monkeypatch):
    """The queued call runs at the commit; a worker (another connection) sees the row then."""
    seen: list[tuple[str, bool]] = []

    def worker(model: Any, pk: int) -> bool:
        def look(_index: int) -> bool:
            return model.objects.filter(pk=pk).exists()

        return bool(run_threads(1, look)[0])

    monkeypatch.setattr(render_document_task, "delay", lambda pk: seen.append(("document", worker(CaseDocument, pk))))
    monkeypatch.setattr(build_archive_task, "delay", lambda pk: seen.append(("volume", worker(ArchiveVolume, pk))))
    accepted, closed = service_case(Status.ACCEPTED), service_case(Status.CLOSED)
    with transaction.atomic():
        document_request(case=accepted, actor=people.clerk, kind="D3")
        archive_request(case=closed, actor=people.clerk)
        assert seen == []  # nothing is queued before the commit
    assert seen == [("document", True), ("volume", True)]
    connections.close_all()


def test_the_system_actor_is_what_tasks_write_with(db):
    """Tasks without a user (the nightly sweep) write as the system user, which never logs in."""
    user = system_user()
    assert user.is_system and not user.is_active and not user.has_usable_password()
