"""The register import run in the background (Celery), and where an uploaded register waits
between its preview and its confirmation (docs/import.md "In the browser").

An uploaded file is kept in MEDIA_ROOT/imports/ under a random token, never under its own
name and never behind a URL: the token lives in the uploader's session only. The SHA-256 of
the upload is kept with the token and checked again before each run, so what is imported is
byte for byte what was previewed.

The state of a run (queued, running, done, failed; rows done of total; the report) is kept
in the Django cache under the token. The final state is also written next to the upload, so
a page served by another process than the worker still sees the result when the cache is
local to each process (the default LocMemCache).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

UPLOAD_DIR = "imports"
#: Uploads and results older than this are removed when the next register is uploaded.
KEEP_SECONDS = 24 * 3600
CACHE_SECONDS = 24 * 3600
#: Rows of the preview ("the first rows that would be created").
PREVIEW_ROWS = 10
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")

PREVIEW, IMPORT = "preview", "import"
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


# --- the private store of uploads -----------------------------------------------------------------


def _directory() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR


def _path(token: str, suffix: str) -> Path:
    if not _TOKEN.fullmatch(token):
        raise ApplicationError(_("找不到上传的文件，请重新上传。"))
    return _directory() / f"{token}.{suffix}"


def upload_store(content: bytes) -> tuple[str, str]:
    """Keep `content` privately; returns (token, sha256)."""
    _sweep()
    directory = _directory()
    directory.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    path = _path(token, "upload")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as fh:
        fh.write(content)
    return token, hashlib.sha256(content).hexdigest()


def upload_read(token: str, sha256: str) -> bytes:
    """The upload behind `token`, if it is still there and unchanged."""
    try:
        content = _path(token, "upload").read_bytes()
    except FileNotFoundError as exc:
        raise ApplicationError(_("找不到上传的文件（可能已导入或已过期），请重新上传。")) from exc
    if hashlib.sha256(content).hexdigest() != sha256:
        raise ApplicationError(_("上传的文件已被改动，与预览时不一致，未导入。请重新上传。"))
    return content


def upload_discard(token: str) -> None:
    _path(token, "upload").unlink(missing_ok=True)


def _sweep() -> None:
    """Forget uploads nobody confirmed (and old results) after a day."""
    directory = _directory()
    if not directory.is_dir():
        return
    limit = time.time() - KEEP_SECONDS
    for path in directory.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:  # another process removed it first
            continue


# --- the state of a run ------------------------------------------------------------------------


def _key(token: str, mode: str) -> str:
    return f"reports:register-import:{token}:{mode}"


def job_get(token: str, mode: str) -> dict[str, Any] | None:
    """The last run of `mode` (PREVIEW or IMPORT) on this upload:
    {"run", "state", "done", "total", "report", "preview", "error"}, or None."""
    state: dict[str, Any] | None = cache.get(_key(token, mode))
    if state is not None and state["state"] in (DONE, FAILED):
        return state
    try:
        stored = json.loads(_path(token, f"{mode}.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, ApplicationError):
        return state
    if state is None or stored.get("run") == state.get("run"):
        return dict(stored)
    return state


def job_start(token: str, mode: str) -> str:
    """Record a queued run of `mode`; returns its id (the task's `run`)."""
    run = secrets.token_hex(8)
    _path(token, f"{mode}.json").unlink(missing_ok=True)
    cache.set(_key(token, mode), {"run": run, "state": QUEUED, "done": 0, "total": 0}, CACHE_SECONDS)
    return run


def job_fail(token: str, mode: str, run: str, error: str) -> None:
    """The run could not even start (e.g. the broker is down): its page says so."""
    _job_update(token, mode, run, state=FAILED, error=error)


def _job_update(token: str, mode: str, run: str, **values: Any) -> None:
    state = cache.get(_key(token, mode)) or {}
    state.update(values, run=run)
    cache.set(_key(token, mode), state, CACHE_SECONDS)
    if state["state"] in (DONE, FAILED):
        _path(token, f"{mode}.json").write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")


# --- the report as JSON (the API and the pages) ----------------------------------------------


def report_data(report: Any) -> dict[str, Any]:
    """reports.imports.ImportReport as plain data: what POST /api/v1/imports/ answers."""
    return {
        "file_name": report.file_name,
        "batch": report.batch,
        "dry_run": report.dry_run,
        "rows": report.rows_read,
        "created": report.created,
        "duplicates": report.skipped_duplicates,
        "invalid_rows": report.skipped_invalid,
        "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in report.errors],
        "warnings": [{"row": w.row, "column": w.column, "message": w.message} for w in report.warnings],
        "duplicate_rows": [{"row": row, "case": existing} for row, existing in report.duplicates],
    }


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


#: Columns shown masked in the preview, as on every page (core.masking): ID numbers, phones.
_ID_HEADER = re.compile(r"身份证|证件号|id_number", re.IGNORECASE)
_PHONE_HEADER = re.compile(r"电话|手机|phone", re.IGNORECASE)


def _masker(header: str) -> Callable[[str], str]:
    from core.masking import mask_id_number, mask_phone

    mask = mask_id_number if _ID_HEADER.search(header) else mask_phone if _PHONE_HEADER.search(header) else None
    if mask is None:
        return lambda text: text
    return lambda text: "、".join(mask(part.strip()) for part in text.split("、")) if text else ""


def preview_rows(content: bytes, report: Any) -> dict[str, Any]:
    """The header and the first rows that the import would create (no error, no duplicate),
    as the file shows them, ID numbers and phones masked."""
    from reports.imports import read_table

    skipped = {e.row for e in report.errors} | {row for row, _case in report.duplicates}
    table = [(n, [_cell_text(v) for v in values]) for n, values in read_table(content)]
    table = [(n, cells) for n, cells in table if any(cells)]
    if not table:
        return {"headers": [], "rows": []}
    (_number, headers), data = table[0], table[1:]
    masks = [_masker(header) for header in headers]
    rows = [
        [n, [mask(cell) for mask, cell in zip(masks, (cells + [""] * len(headers))[: len(headers)], strict=True)]]
        for n, cells in data
        if n not in skipped
    ]
    return {"headers": headers, "rows": rows[:PREVIEW_ROWS]}


# --- the task ------------------------------------------------------------------------------------


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=900, time_limit=960)
def import_register_task(
    *,
    token: str,
    run: str,
    actor_id: int,
    organization_id: int,
    file_name: str,
    sha256: str,
    dry_run: bool,
    skip_invalid: bool,
) -> str:
    """Run reports.imports.case_import on an upload: a dry run for the preview, or the import.

    Safe to redeliver: a run already finished is not repeated, and a repeated import would
    skip every row as a duplicate anyway. Every failure ends as state "failed" with a message
    for the user (and the stack trace in the log), never as an exception of the request that
    queued the task (eager Celery runs it inside that request)."""
    from accounts.models import Organization, User
    from reports.imports import case_import

    mode = PREVIEW if dry_run else IMPORT
    finished = job_get(token, mode) or {}
    if finished.get("run") == run and finished.get("state") in (DONE, FAILED):
        return str(finished["state"])
    _job_update(token, mode, run, state=RUNNING, done=0, total=0)

    def progress(done: int, total: int) -> None:
        _job_update(token, mode, run, state=RUNNING, done=done, total=total)

    try:
        content = upload_read(token, sha256)
        actor = User.objects.get(pk=actor_id, is_active=True)
        organization = Organization.objects.get(pk=organization_id)
        report = case_import(
            actor=actor,
            organization=organization,
            content=content,
            file_name=file_name,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            progress=progress,
        )
        preview = preview_rows(content, report) if dry_run else None
    except ApplicationError as exc:
        _job_update(token, mode, run, state=FAILED, error=exc.message)
        return FAILED
    except SoftTimeLimitExceeded:
        logger.warning("register import %s timed out", token[:8])
        _job_update(token, mode, run, state=FAILED, error=_("导入超时，未写入任何案件。请把文件拆分后分批导入。"))
        return FAILED
    except Exception:  # a bug: log it, and tell the user without a 500
        logger.exception("register import %s failed", token[:8])
        _job_update(token, mode, run, state=FAILED, error=_("导入时发生内部错误，未写入任何案件。请联系系统管理员。"))
        return FAILED
    if not dry_run and report.created:
        upload_discard(token)  # imported: the file is not needed again
    data = report_data(report)
    _job_update(
        token, mode, run, state=DONE, done=report.rows_read, total=report.rows_read, report=data, preview=preview
    )
    logger.info(
        "register import %s: %s by user %s into %s: %s rows, %s created, %s duplicates, %s errors",
        token[:8],
        "dry run" if dry_run else "import",
        actor_id,
        organization.code,
        report.rows_read,
        report.created,
        report.skipped_duplicates,
        len(report.errors),
    )
    return DONE


# --- standard reports over long periods (docs/statistics.md "Standard reports") --------------------

REPORT_DIR = "reports"
#: Outputs of a standard report run: the page's tables (HTML fragment), the XLSX, the PDF.
REPORT_FORMATS = {"html": "html", "xlsx": "xlsx", "pdf": "pdf"}


def _report_key(token: str) -> str:
    return f"reports:standard-report:{token}"


def report_output_path(token: str, fmt: str) -> Path:
    if not _TOKEN.fullmatch(token) or fmt not in REPORT_FORMATS:
        raise ApplicationError(_("找不到该报表，请重新生成。"))
    return Path(settings.MEDIA_ROOT) / REPORT_DIR / f"{token}.{REPORT_FORMATS[fmt]}"


def report_job_start() -> str:
    """A new token for a report run, recorded as queued in the cache. Outputs older than a
    day are removed first."""
    directory = Path(settings.MEDIA_ROOT) / REPORT_DIR
    if directory.is_dir():
        limit = time.time() - KEEP_SECONDS
        for path in directory.iterdir():
            try:
                if path.is_file() and path.stat().st_mtime < limit:
                    path.unlink(missing_ok=True)
            except OSError:  # another process removed it first
                continue
    token = secrets.token_urlsafe(32)
    cache.set(_report_key(token), {"state": QUEUED, "done": 0, "total": 0}, CACHE_SECONDS)
    return token


def report_job_get(token: str, fmt: str) -> dict[str, Any] | None:
    """{"state", "done", "total", "error"}; a finished output on disk counts as done even when
    the cache is local to another process."""
    state: dict[str, Any] | None = cache.get(_report_key(token))
    if (state is None or state["state"] != FAILED) and report_output_path(token, fmt).is_file():
        return {"state": DONE, "done": 1, "total": 1}
    return state


def report_job_fail(token: str, error: str) -> None:
    """The report could not even be queued (e.g. the broker is down): its page says so."""
    _report_job_update(token, state=FAILED, error=error)


def _report_job_update(token: str, **values: Any) -> None:
    state = cache.get(_report_key(token)) or {}
    state.update(values)
    cache.set(_report_key(token), state, CACHE_SECONDS)


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=900, time_limit=960)
def standard_report_task(
    *, token: str, kind: str, organization_id: int, date_from: str, date_to: str, include_children: bool, fmt: str
) -> str:
    """Build a standard report (reports.standard) and write one output (html, xlsx or pdf)
    under MEDIA_ROOT/reports/<token>.<ext>. The caller checked the reader's rights on the
    organisation. Idempotent: an output already written is not built again."""
    from django.template.loader import render_to_string

    from accounts.models import Organization
    from reports import standard

    path = report_output_path(token, fmt)
    if path.is_file():
        return DONE
    _report_job_update(token, state=RUNNING, done=0, total=0)

    def progress(done: int, total: int) -> None:
        _report_job_update(token, state=RUNNING, done=done, total=total)

    try:
        report = standard.build_report(
            kind=kind,
            organization=Organization.objects.get(pk=organization_id),
            date_from=dt.date.fromisoformat(date_from),
            date_to=dt.date.fromisoformat(date_to),
            include_children=include_children,
            progress=progress,
        )
        if fmt == "xlsx":
            content = standard.report_xlsx(report)
        elif fmt == "pdf":
            content = standard.report_pdf(report)
        else:
            content = render_to_string("reports/_standard_tables.html", {"report": report}).encode()
    except SoftTimeLimitExceeded:
        _report_job_update(token, state=FAILED, error=_("生成报表超时，请缩短期间后重试。"))
        return FAILED
    except Exception:  # a bug: log it, and tell the user without a 500
        logger.exception("standard report %s failed", token[:8])
        _report_job_update(token, state=FAILED, error=_("生成报表时发生内部错误。请联系系统管理员。"))
        return FAILED
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(content)
    partial.replace(path)
    _report_job_update(token, state=DONE, done=1, total=1)
    return DONE
