"""Celery: eager in-process by default; with a broker configured (CI: Redis), tasks are
really published to it."""

from __future__ import annotations

import os
import uuid

import pytest
from django.conf import settings

from cases.tasks import sweep_deadlines_task
from config.celery import app


def test_tasks_ack_late_and_survive_a_lost_worker():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert sweep_deadlines_task.acks_late is True


@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="no broker configured (CI sets Redis)")
def test_a_task_is_published_to_the_configured_broker():
    queue = f"probe-{uuid.uuid4().hex}"
    app.conf.task_always_eager = False  # the autouse fixture turns it back on for the next test
    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=3)
        sweep_deadlines_task.apply_async(queue=queue, connection=connection)
        with connection.channel() as channel:
            name, count, _consumers = channel.queue_declare(queue=queue, passive=True)
            channel.queue_delete(queue=queue)
    assert (name, count) == (queue, 1)
