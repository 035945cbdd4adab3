"""T24 fault injection (RELIABILITY.md §3, docs/deployment.md): a real Redis and a real Celery
worker, started here on a free port in a temporary folder (never the shared Redis), killed
with SIGKILL at the worst moments. The victim is the document render task (acks_late,
reject_on_worker_lost, idempotent). Pass: every document ends ready exactly once (one
"rendered" history row, no extra versions), and recovery stays within the stated bounds.

(a) the pool child dies mid-render; (b) the whole worker dies mid-render: the message comes
back after visibility_timeout + unacked_restore_interval × throttle (test config 10 + 2 × 1 s,
bound + 5 s); (c) Redis dies with 200 queued tasks: with appendonly/appendfsync always none
is lost and the worker resumes consuming within 30 s; (d) Redis is down while a request asks
for a document: the request succeeds, the row stays pending, and the re-send sweep delivers
it once the broker is back.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import User
from cases.models import Case
from cases.workflow import Status
from config.celery import app as celery_app
from core.history import save_with_history
from documents.models import CaseDocument, DocumentStatus
from documents.services import documents_resend_pending
from documents.tasks import render_document_task

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT, RESTORE_INTERVAL, RESTORE_THROTTLE = 10, 2, 1
REDELIVERY_BOUND = VISIBILITY_TIMEOUT + RESTORE_INTERVAL * RESTORE_THROTTLE + 5
RESUME_BOUND = 30
QUEUED = 200


def wait_for(condition: Callable[[], Any], timeout: float, what: str, step: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """redis-server with append-only persistence (fsync on every write) in `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory, self.port = directory, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        redis_server = shutil.which("redis-server")
        assert redis_server, "redis-server is not installed (scripts/ensure-system-deps.sh --test)"
        self.process = subprocess.Popen(  # noqa: S603
            [
                redis_server,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--save",
                "",
                "--logfile",
                str(self.directory / "redis.log"),
                "--daemonize",
                "no",
            ],
        )
        wait_for(self.ping, 15, "redis-server to answer")

    def ping(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.exceptions.ConnectionError:
            return False

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None


class Worker:
    """`celery -A config worker` (one prefork child) against our Redis and the test database."""

    def __init__(self, broker: RedisServer, directory: Path) -> None:
        database = connection.settings_dict
        user = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{user}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}",
            "CELERY_BROKER_URL": broker.url,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "CELERY_UNACKED_RESTORE_INTERVAL": str(RESTORE_INTERVAL),
            "CELERY_UNACKED_RESTORE_THROTTLE": str(RESTORE_THROTTLE),
            "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY,
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "CACHE_URL": "",
            "DATABASE_CONN_MAX_AGE": "0",
        }
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None
        self.log: Path = directory / "worker-0.log"
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        self.log = self.directory / f"worker-{self.starts}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "-l",
                    "info",
                    "-c",
                    "1",
                    "-P",
                    "prefork",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-n",
                    f"t24-{uuid.uuid4().hex[:8]}@%h",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg reaches the pool child too
            )
        wait_for(lambda: " ready." in self.text() or self.process.poll() is not None, 60, "the worker")
        assert self.process.poll() is None, self.text()[-3000:]

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def child_pids(self) -> list[int]:
        assert self.process is not None
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def kill_child(self) -> int:
        children = wait_for(self.child_pids, 10, "the pool child")
        os.kill(children[0], signal.SIGKILL)
        return children[0]

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None


@pytest.fixture
def broker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisServer]:
    """Our own Redis; the test process publishes to it (tasks are not eager here)."""
    server = RedisServer(tmp_path)
    server.start()
    # Celery reads CELERY_BROKER_URL from the environment before its configuration (CI sets
    # it to the shared Redis), so the test process must be pointed at ours there too.
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = server.url, False
    conf.broker_transport_options = {**conf.broker_transport_options, "visibility_timeout": VISIBILITY_TIMEOUT}
    _reset_producer()
    try:
        yield server
    finally:
        conf.broker_url, conf.task_always_eager = saved
        conf.broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        _reset_producer()
        server.kill()


def _reset_producer() -> None:
    if celery_app._pool is not None:  # type: ignore[attr-defined]
        celery_app._pool.force_close_all()  # type: ignore[attr-defined]
    celery_app._pool = None  # type: ignore[attr-defined]
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker(broker: RedisServer, tmp_path: Path) -> Iterator[Worker]:
    process = Worker(broker, tmp_path)
    try:
        yield process
    finally:
        process.kill()


@pytest.fixture
def accepted_case(service_case: Any) -> Case:
    return service_case(Status.ACCEPTED)


def pending_documents(case: Case, actor: User, count: int) -> list[int]:
    """`count` pending acceptance notices (versions 1..count), as document_request leaves them."""
    ids = []
    for version in range(1, count + 1):
        document = CaseDocument(
            case=case, kind="D3", version=version, number=f"T24-{version}", title="受理通知书", requested_by=actor
        )
        save_with_history(document, actor=actor, reason="requested")
        ids.append(document.pk)
    return ids


def assert_rendered_exactly_once(ids: list[int]) -> None:
    documents = CaseDocument.objects.filter(pk__in=ids)
    assert sorted(d.status for d in documents) == [DocumentStatus.READY] * len(ids), [
        (d.pk, d.status, d.error[:200]) for d in documents
    ]
    for document in documents:
        assert document.file and document.sha256 and document.page_count > 0
    rendered = CaseDocument.history.filter(id__in=ids, history_change_reason="rendered")
    assert sorted(rendered.values_list("id", flat=True)) == sorted(ids)  # once each, never twice


def started(document_id: int) -> bool:
    return CaseDocument.objects.filter(pk=document_id, progress__gt=0).exists()


def ready(document_id: int) -> bool:
    return CaseDocument.objects.filter(pk=document_id, status=DocumentStatus.READY).exists()


def test_a_pool_child_killed_mid_render_leaves_each_document_rendered_once(
    worker: Worker, accepted_case: Case, people: Any
) -> None:
    ids = pending_documents(accepted_case, people.clerk, 3)
    worker.start()
    for document_id in ids:
        render_document_task.delay(document_id)
    killed = []
    for document_id in ids[:2]:
        wait_for(lambda document_id=document_id: started(document_id), 60, f"document {document_id} to start")
        if not ready(document_id):
            killed.append(worker.kill_child())
    wait_for(lambda: all(ready(i) for i in ids), 90, "every document to be ready")
    assert killed, "no render was caught in flight"
    assert worker.text().count("WorkerLostError") >= 1, worker.text()[-3000:]
    assert_rendered_exactly_once(ids)
    assert CaseDocument.objects.filter(case=accepted_case).count() == 3


def test_a_killed_worker_s_task_is_delivered_again_within_the_bound(
    worker: Worker, broker: RedisServer, accepted_case: Case, people: Any
) -> None:
    [document_id] = pending_documents(accepted_case, people.clerk, 1)
    worker.start()
    result = render_document_task.delay(document_id)
    wait_for(lambda: started(document_id), 60, "the render to start")
    assert not ready(document_id)
    killed_at = time.monotonic()
    worker.kill()
    assert broker.client().hlen("unacked") == 1  # the message waits, unacknowledged, in Redis

    worker.start()
    wait_for(lambda: f"[{result.id}] received" in worker.text(), REDELIVERY_BOUND, "the redelivery", step=0.2)
    redelivered_after = time.monotonic() - killed_at
    assert redelivered_after <= REDELIVERY_BOUND
    wait_for(lambda: ready(document_id), 60, "the document to be ready")
    assert_rendered_exactly_once([document_id])


def _queued_ids(client: redis.Redis) -> list[int]:
    """Document ids of the render messages in the queue and in the unacknowledged set."""
    messages = [json.loads(raw) for raw in client.lrange("celery", 0, -1)]
    messages += [json.loads(raw)[0] for raw in client.hvals("unacked")]
    ids = []
    for message in messages:
        assert message["headers"]["task"] == "documents.tasks.render_document_task"
        ids.append(int(message["headers"]["argsrepr"].strip("(),")))
    return ids


def test_redis_killed_with_200_queued_tasks_loses_none_and_the_worker_resumes(
    worker: Worker, broker: RedisServer, accepted_case: Case, people: Any
) -> None:
    ids = pending_documents(accepted_case, people.clerk, QUEUED)
    for document_id in ids:
        render_document_task.delay(document_id)
    client = broker.client()
    assert client.llen("celery") == QUEUED
    worker.start()
    wait_for(lambda: ready(ids[0]), 60, "the first render")

    broker.kill()  # SIGKILL, mid-stream: the worker is consuming
    broker.start()  # same folder: Redis replays its append-only file
    restarted_at = time.monotonic()
    done_before = {i for i in ids if ready(i)}
    wait_for(
        lambda: CaseDocument.objects.filter(pk__in=ids, status=DocumentStatus.READY).count() > len(done_before) + 1,
        RESUME_BOUND,
        "the worker to resume consuming",
        step=0.2,
    )
    assert time.monotonic() - restarted_at <= RESUME_BOUND
    worker.kill()

    rendered = set(CaseDocument.objects.filter(pk__in=ids, status=DocumentStatus.READY).values_list("id", flat=True))
    waiting = _queued_ids(broker.client())
    pending = set(ids) - rendered
    assert pending <= set(waiting), f"lost: {sorted(pending - set(waiting))[:10]}"
    assert len(rendered) + len(pending) == QUEUED
    assert CaseDocument.objects.filter(case=accepted_case).count() == QUEUED
    assert_rendered_exactly_once(sorted(rendered))


def test_a_request_while_redis_is_down_succeeds_and_the_document_is_sent_again(
    worker: Worker, broker: RedisServer, accepted_case: Case, people: Any
) -> None:
    broker.kill()
    api = APIClient()
    api.force_authenticate(people.clerk)
    response = api.post(f"/api/v1/cases/{accepted_case.pk}/documents/", {"kind": "D3"}, format="json")
    assert response.status_code == 202, response.content
    document_id = response.json()["id"]
    assert CaseDocument.objects.get(pk=document_id).status == DocumentStatus.PENDING
    assert CaseDocument.objects.filter(case=accepted_case).count() == 1

    broker.start()
    worker.start()
    assert broker.client().llen("celery") == 0  # the message never reached the broker
    assert documents_resend_pending(older_than_seconds=0) == 1
    wait_for(lambda: ready(document_id), 60, "the re-sent document")
    assert documents_resend_pending(older_than_seconds=0) == 0
    assert_rendered_exactly_once([document_id])
    assert CaseDocument.objects.filter(case=accepted_case).count() == 1
