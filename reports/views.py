"""Report pages: the register import (upload, preview, confirm, progress) and the Excel
export of the case list. Thin: parse, call one service, selector or task, render.

The import (docs/import.md "In the browser"): the upload is kept privately under a random
token (reports.tasks) that only the uploader's session knows; a dry run of
reports.imports.case_import makes the preview; 确认导入 runs the import on the same bytes
(the SHA-256 is checked again). Both run in `import_register_task`; the page polls its
progress with htmx until it is done (eager Celery finishes it before the redirect)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from cases import selectors as case_selectors
from cases.views import FILTER_KEYS
from core import queue
from core.api import EARLIEST as WORKLOAD_EARLIEST
from core.api import LATEST as WORKLOAD_LATEST
from core.exceptions import ApplicationError
from core.xlsx import workbook_bytes
from reports import tasks
from reports.exports import case_list_xlsx
from reports.forms import RegisterConfirmForm, RegisterUploadForm, organization_for_import, organizations_for_import
from reports.workload import FIGURES as WORKLOAD_FIGURES
from reports.workload import workload_report, workload_scope

logger = logging.getLogger(__name__)

SESSION_KEY = "register_imports"
#: Uploads a session remembers (the oldest is forgotten, and its file removed).
SESSION_UPLOADS = 5
#: Errors listed on the page; the count above the table says how many there are.
ERRORS_SHOWN = 200
EXPORT_MAX_ROWS = 50_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


# --- the register import ---------------------------------------------------------------------------


def _uploads(request: HttpRequest) -> dict[str, dict[str, Any]]:
    return cast(dict[str, dict[str, Any]], request.session.get(SESSION_KEY, {}))


def _upload(request: HttpRequest, token: str) -> dict[str, Any]:
    """This session's upload of `token`; any other token is a 404."""
    entry = _uploads(request).get(token)
    if entry is None:
        raise Http404
    return entry


def _remember(request: HttpRequest, token: str, entry: dict[str, Any]) -> None:
    uploads = dict(_uploads(request))
    uploads[token] = entry
    while len(uploads) > SESSION_UPLOADS:
        oldest = next(iter(uploads))
        tasks.upload_discard(oldest)
        del uploads[oldest]
    request.session[SESSION_KEY] = uploads


def _queue(request: HttpRequest, token: str, entry: dict[str, Any], *, dry_run: bool, skip_invalid: bool) -> None:
    run = tasks.job_start(token, tasks.PREVIEW if dry_run else tasks.IMPORT)
    kwargs = {
        "token": token,
        "run": run,
        "actor_id": request.user.pk,
        "organization_id": entry["organization_id"],
        "file_name": entry["file_name"],
        "sha256": entry["sha256"],
        "dry_run": dry_run,
        "skip_invalid": skip_invalid,
    }
    # Nothing of this request is in the database for the task to wait for (the upload is a
    # file, the run's state is in the cache), so it is queued at once, not on commit.
    if not queue.send(tasks.import_register_task, **kwargs):
        tasks.job_fail(token, tasks.PREVIEW if dry_run else tasks.IMPORT, run, str(queue.UNAVAILABLE))


@login_required
@require_http_methods(["GET", "POST"])
def import_upload_view(request: HttpRequest) -> HttpResponse:
    """导入台账: choose the organisation and the file; the preview follows."""
    organizations = organizations_for_import(request.user)
    if not organizations:
        raise PermissionDenied
    posted = request.method == "POST"
    form = RegisterUploadForm(
        request.POST if posted else None, request.FILES if posted else None, organizations=organizations
    )
    status = 200
    if posted:
        status = 413 if form.too_large else 400
        if form.is_valid():
            organization = organization_for_import(request.user, form.cleaned_data["organization"])
            upload = form.cleaned_data["file"]
            token, sha256 = tasks.upload_store(upload.read())
            entry = {
                "organization_id": organization.pk,
                "organization": organization.name,
                "file_name": str(upload.name).replace("\\", "/").rsplit("/", 1)[-1][:200],
                "size": upload.size,
                "sha256": sha256,
                "uploaded_at": timezone.now().isoformat(),
            }
            _remember(request, token, entry)
            _queue(request, token, entry, dry_run=True, skip_invalid=True)
            return redirect("reports:import_detail", token=token)
    return render(request, "reports/import_upload.html", {"form": form}, status=status)


def _detail_context(request: HttpRequest, token: str) -> dict[str, Any]:
    entry = _upload(request, token)
    preview = tasks.job_get(token, tasks.PREVIEW)
    imported = tasks.job_get(token, tasks.IMPORT)
    current = imported or preview
    running = current is not None and current["state"] in (tasks.QUEUED, tasks.RUNNING)
    report = (preview or {}).get("report") if preview and preview["state"] == tasks.DONE else None
    result = imported.get("report") if imported and imported["state"] == tasks.DONE else None
    may_confirm = bool(report and report["created"]) and not running and not (result and result["created"])
    return {
        "token": token,
        "entry": entry,
        "job": current,
        "mode": tasks.IMPORT if imported else tasks.PREVIEW,
        "running": running,
        "percent": 100 * current["done"] // current["total"] if current and current.get("total") else None,
        "preview": preview,
        "report": report,
        "imported": imported,
        "result": result,
        "errors": (result or report or {}).get("errors", [])[:ERRORS_SHOWN],
        "errors_shown": ERRORS_SHOWN,
        "may_confirm": may_confirm,
        "confirm_form": RegisterConfirmForm(),
    }


@login_required
@require_GET
def import_detail_view(request: HttpRequest, token: str) -> HttpResponse:
    """The preview (counts, errors, first rows) with 确认导入, the progress, or the result."""
    return render(request, "reports/import_detail.html", _detail_context(request, token))


@login_required
@require_GET
def import_progress_view(request: HttpRequest, token: str) -> HttpResponse:
    """Polled by htmx while a run is under way; once it is done the page reloads itself."""
    context = _detail_context(request, token)
    response = render(request, "reports/_import_progress.html", context)
    if not context["running"]:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """确认导入: import the previewed file, unchanged, into the same organisation."""
    context = _detail_context(request, token)
    entry = context["entry"]
    # The role is checked again: it may have been withdrawn since the upload.
    organization = next((o for o in organizations_for_import(request.user) if o.pk == entry["organization_id"]), None)
    if organization is None:
        raise PermissionDenied
    if not context["may_confirm"]:
        messages.error(request, _("该文件没有可导入的案件，或已经导入。"))
        return redirect("reports:import_detail", token=token)
    form = RegisterConfirmForm(request.POST)
    form.is_valid()  # one optional checkbox: always valid
    try:
        tasks.upload_read(token, entry["sha256"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("reports:import_detail", token=token)
    _queue(request, token, entry, dry_run=False, skip_invalid=form.cleaned_data.get("skip_invalid", False))
    return redirect("reports:import_detail", token=token)


# --- the case list as Excel --------------------------------------------------------------------------


def export_log(*, user: Any, count: int, filters: dict[str, Any], via: str) -> None:
    """Who exported how many cases with which filters. The keyword itself is not logged: it
    may be an ID number."""
    used = sorted(key for key, value in filters.items() if value not in (None, "", False))
    logger.info("case list export via %s: user %s (%s), %d cases, filters %s", via, user.pk, user, count, used)


def xlsx_attachment(content: bytes) -> HttpResponse:
    name = _("案件清单-%s.xlsx") % timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def case_export_view(request: HttpRequest) -> HttpResponse:
    """导出 Excel: the case list page's filtered list, in the user's scope, as .xlsx."""
    filters = {key: request.GET.get(key, "").strip() for key in FILTER_KEYS}
    back = reverse("cases:list") + ("?" + request.GET.urlencode() if request.GET else "")
    try:
        cases = case_selectors.case_list(user=request.user, filters=filters)
        count = cases.count()
    except DjangoValidationError:  # a malformed date in the query string
        messages.error(request, _("查询条件有误，请修改后再导出。"))
        return redirect(back)
    if count > EXPORT_MAX_ROWS:
        messages.error(
            request,
            _("共 %(count)d 件，超过导出上限 %(max)d 件，请缩小查询条件后再导出。")
            % {"count": count, "max": EXPORT_MAX_ROWS},
        )
        return redirect(back)
    content = case_list_xlsx(cases=cases)
    export_log(user=_actor(request), count=count, filters=filters, via="web")
    return xlsx_attachment(content)


# --- workload of lawyer mediators (docs/lawyers.md) ---------------------------------------------


def _workload_period(request: HttpRequest) -> tuple[dt.date, dt.date, str | None]:
    """The period of the query string (default: this month up to today), or an error."""
    today = timezone.localdate()
    try:
        date_from = dt.date.fromisoformat(request.GET.get("from") or today.replace(day=1).isoformat())
        date_to = dt.date.fromisoformat(request.GET.get("to") or today.isoformat())
    except ValueError:
        return today.replace(day=1), today, _("日期格式应为 YYYY-MM-DD。")
    if date_from > date_to:
        return date_from, date_to, _("起始日期不能晚于截止日期。")
    if not (WORKLOAD_EARLIEST <= date_from and date_to <= WORKLOAD_LATEST):
        return date_from, date_to, _("日期应在 1900-01-01 至 2099-12-31 之间。")
    return date_from, date_to, None


def _workload_headers() -> tuple[list[str], list[str]]:
    figures = [_("值班天数"), _("受理案件"), _("调解次数"), _("结案"), _("调解成功"), _("挽回金额（元）")]
    return [_("律师"), _("执业证号"), _("律师事务所"), *figures], [_("律师事务所"), _("律师人数"), *figures]


def workload_xlsx(report: dict[str, Any]) -> bytes:
    """Two tables on one sheet: the lawyers, then the firms; money is numeric."""
    lawyer_headers, firm_headers = _workload_headers()
    rows: list[list[Any]] = [
        [row["name"], row["licence_number"], row["firm"], *(row[key] for key in WORKLOAD_FIGURES)]
        for row in report["lawyers"]
    ]
    rows += [[], firm_headers]
    rows += [[row["name"], row["lawyers_count"], *(row[key] for key in WORKLOAD_FIGURES)] for row in report["firms"]]
    rows.append([_("合计"), None, *(report["totals"][key] for key in WORKLOAD_FIGURES)])
    title = _("律师工作量 %(from)s 至 %(to)s") % {"from": report["from"], "to": report["to"]}
    return workbook_bytes(title=title, headers=lawyer_headers, rows=rows, widths=[16, 20, 28, 10, 10, 10, 8, 10, 16])


@login_required
@require_GET
def workload_view(request: HttpRequest) -> HttpResponse:
    """律师工作量: per lawyer and per firm, for directors and auditors; ?format=xlsx downloads it."""
    scope = workload_scope(request.user)
    if scope is None:
        raise PermissionDenied
    date_from, date_to, error = _workload_period(request)
    report = None if error else workload_report(scope=scope, date_from=date_from, date_to=date_to)
    if report is not None and request.GET.get("format") == "xlsx":
        response = xlsx_attachment(workload_xlsx(report))
        name = _("律师工作量-%(from)s-%(to)s.xlsx") % {
            "from": date_from.strftime("%Y%m%d"),
            "to": date_to.strftime("%Y%m%d"),
        }
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
        return response
    lawyer_headers, firm_headers = _workload_headers()
    context = {
        "report": report,
        "error": error,
        "date_from": date_from,
        "date_to": date_to,
        "lawyer_headers": lawyer_headers,
        "firm_headers": firm_headers,
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/workload.html", context, status=400 if error else 200)
