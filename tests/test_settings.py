"""Settings come from the environment and fail loudly, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "FIELD_", "CELERY_"))}
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.USE_TZ)",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_nothing_configured_means_sqlite_and_eager_tasks():
    result = _load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "zh-hans", "Asia/Shanghai", "True"]


def test_a_broker_turns_eager_tasks_off():
    result = _load_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == "False"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG is malformed"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL is malformed"),
        (
            {"DATABASE_CONN_MAX_AGE": "sixty", "DATABASE_URL": "postgres://u@127.0.0.1:5432/x"},
            "DATABASE_CONN_MAX_AGE is malformed",
        ),
        ({"FIELD_ENCRYPTION_KEY": "too-short"}, "FIELD_ENCRYPTION_KEY is malformed"),
        ({"DJANGO_DEBUG": "false"}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "x" * 50}, "FIELD_ENCRYPTION_KEY must be set"),
    ],
)
def test_malformed_or_missing_values_stop_start_up(env, message):
    result = _load_settings(**env)
    assert result.returncode != 0
    assert message in result.stderr
