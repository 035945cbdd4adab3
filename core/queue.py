"""Sending work to the Celery broker when the broker may be down (RELIABILITY.md T24 d).

`send` returns False instead of raising when the broker cannot be reached, so each caller
decides what "not sent" means for its work: documents stay pending and are re-sent by the beat
job, an archive build is recorded as failed (retry from the page), a report or an import job
answers the user that background work is unavailable right now. Never a 500."""

from __future__ import annotations

import logging
from typing import Any

from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

#: What the user reads when a job could not be queued.
UNAVAILABLE = _("后台任务服务暂时不可用，请稍后重试；本次操作未生效。")


def send(task: Any, *args: Any, **kwargs: Any) -> bool:
    # Callers queue after the commit that the task reads (documents and archive builds call
    # this from transaction.on_commit), or for work whose input is outside the database (the
    # register import's file, a standard report's parameters): tests/reliability/test_t23_tasks.py
    # lists each call site.
    """Queue the task with these arguments; False (logged, with the task's name only) when the
    broker is unreachable."""
    try:
        task.delay(*args, **kwargs)
    except OperationalError:
        logger.warning("broker unreachable: %s not queued", getattr(task, "name", task))
        return False
    return True
