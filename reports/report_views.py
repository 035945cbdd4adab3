"""The statistics dashboard (/reports/) and the standard reports (/reports/standard/<kind>/),
for directors and auditors (docs/statistics.md "Dashboard", "Standard reports").

Thin: parse the period and the organisation, call reports.dashboard or reports.standard,
render. A standard report over more than three months is built in the background
(reports.tasks.standard_report_task) under a random token that only this session knows; the
page polls its progress with htmx (eager Celery finishes it before the redirect).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Organization
from core import queue
from reports import dashboard, standard, tasks

SESSION_KEY = "standard_reports"
#: Report runs a session remembers (the oldest is forgotten).
SESSION_RUNS = 10
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"xlsx": XLSX_TYPE, "pdf": "application/pdf"}


def _scope(request: HttpRequest) -> dict[str, Any]:
    """The organisations, the picked one, the period, 含下级 and an error, from the query."""
    organizations = dashboard.report_organizations(request.user)
    if not organizations:
        raise PermissionDenied
    organization = dashboard.report_organization(organizations, request.GET.get("organization"))
    period, error = dashboard.parse_period(request.GET, timezone.localdate())
    if "organization" in request.GET:
        include_children = request.GET.get("include_children") in ("1", "true", "on")
    else:  # first visit: the centre with its towns
        include_children = True
    query = {
        "organization": organization.code,
        "period": period.preset,
        "from": period.date_from.isoformat(),
        "to": period.date_to.isoformat(),
    }
    if include_children:
        query["include_children"] = "1"
    return {
        "organizations": organizations,
        "organization": organization,
        "period": period,
        "include_children": include_children,
        "error": error,
        "query": urlencode(query),
        "kinds": standard.kind_titles(),
    }


@login_required
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """统计看板: the headline figures of case_stats, by town, month, dispute type and channel."""
    context = _scope(request)
    if context["error"] is None:
        period = context["period"]
        context.update(
            dashboard.dashboard_data(
                organization=context["organization"],
                date_from=period.date_from,
                date_to=period.date_to,
                include_children=context["include_children"],
            )
        )
    return render(request, "reports/dashboard.html", context, status=400 if context["error"] else 200)


def _download(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


def _runs(request: HttpRequest) -> dict[str, dict[str, Any]]:
    return cast(dict[str, dict[str, Any]], request.session.get(SESSION_KEY, {}))


def _remember(request: HttpRequest, token: str, entry: dict[str, Any]) -> None:
    runs = dict(_runs(request))
    runs[token] = entry
    while len(runs) > SESSION_RUNS:
        del runs[next(iter(runs))]
    request.session[SESSION_KEY] = runs


def _run(request: HttpRequest, token: str) -> dict[str, Any]:
    entry = _runs(request).get(token)
    if entry is None:
        raise Http404
    return entry


@login_required
@require_GET
def standard_report_view(request: HttpRequest, kind: str) -> HttpResponse:
    """One standard report as a page; ?format=xlsx or pdf downloads it. Periods longer than
    three months are built in the background."""
    if kind not in standard.KINDS:
        raise Http404
    context = _scope(request)
    fmt = request.GET.get("format") or "html"
    if fmt not in tasks.REPORT_FORMATS:
        fmt = "html"
    context.update({"kind": kind, "title": standard.kind_titles()[kind]})
    if context["error"]:
        return render(request, "reports/standard_report.html", context, status=400)
    organization: Organization = context["organization"]
    period = context["period"]
    params = {
        "kind": kind,
        "organization_id": organization.pk,
        "date_from": period.date_from.isoformat(),
        "date_to": period.date_to.isoformat(),
        "include_children": context["include_children"],
        "fmt": fmt,
    }
    if dashboard.is_long(period.date_from, period.date_to):
        token = tasks.report_job_start()
        entry = {**params, "organization": organization.name, "title": context["title"], "query": context["query"]}
        _remember(request, token, entry)
        if not queue.send(tasks.standard_report_task, token=token, **params):
            tasks.report_job_fail(token, str(queue.UNAVAILABLE))
        return redirect("reports:standard_job", token=token)
    report = standard.build_report(
        kind=kind,
        organization=organization,
        date_from=period.date_from,
        date_to=period.date_to,
        include_children=context["include_children"],
    )
    if fmt == "xlsx":
        return _download(standard.report_xlsx(report), fmt, standard.file_name(report, "xlsx"))
    if fmt == "pdf":
        return _download(standard.report_pdf(report), fmt, standard.file_name(report, "pdf"))
    context["report"] = report
    context["subtitle"] = standard.report_subtitle(report)
    return render(request, "reports/standard_report.html", context)


def _job_context(request: HttpRequest, token: str) -> dict[str, Any]:
    entry = _run(request, token)
    job = tasks.report_job_get(token, entry["fmt"]) or {"state": tasks.FAILED, "error": _("找不到该报表，请重新生成。")}
    running = job["state"] in (tasks.QUEUED, tasks.RUNNING)
    done = job["state"] == tasks.DONE
    tables = None
    if done and entry["fmt"] == "html":
        # Rendered by the task from reports/_standard_tables.html (autoescaped): short cells only.
        tables = mark_safe(tasks.report_output_path(token, "html").read_text(encoding="utf-8"))  # noqa: S308
    return {
        "token": token,
        "entry": entry,
        "job": job,
        "running": running,
        "done": done,
        "percent": 100 * job["done"] // job["total"] if job.get("total") else None,
        "tables": tables,
        "back": reverse("reports:standard", args=[entry["kind"]]) + "?" + entry["query"],
    }


@login_required
@require_GET
def standard_job_view(request: HttpRequest, token: str) -> HttpResponse:
    """A standard report built in the background: progress, then the tables or the file."""
    return render(request, "reports/standard_job.html", _job_context(request, token))


@login_required
@require_GET
def standard_job_progress_view(request: HttpRequest, token: str) -> HttpResponse:
    context = _job_context(request, token)
    if not context["running"]:  # finished: reload the whole page to show the result
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("reports:standard_job", args=[token])
        return response
    return render(request, "reports/_standard_progress.html", context)


@login_required
@require_GET
def standard_job_download_view(request: HttpRequest, token: str) -> FileResponse:
    entry = _run(request, token)
    fmt = entry["fmt"]
    job = tasks.report_job_get(token, fmt)
    if fmt not in CONTENT_TYPES or not job or job["state"] != tasks.DONE:
        raise Http404
    name = f"{entry['title']}-{entry['date_from'].replace('-', '')}-{entry['date_to'].replace('-', '')}.{fmt}"
    path = tasks.report_output_path(token, fmt)
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=CONTENT_TYPES[fmt])
