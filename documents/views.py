"""Document and archive screens. Thin: parse, call one service or selector, render.

Downloads go only through `document_download_view` / `archive_package_view`: the case is
fetched through the user's scope (404 outside it), every download and every refused
attempt is logged, and files are sent as attachments, never from a public media URL."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from cases.models import Case
from cases.selectors import case_get_for_user
from core.exceptions import ApplicationError
from documents import archive, selectors, services
from documents.models import CaseDocument, DocumentStatus, VolumeStatus


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _remote(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _case_url(case: Case, anchor: str = "documents") -> str:
    return reverse("cases:detail", kwargs={"case_id": case.pk}) + f"#{anchor}"


def attachment(fileobj: Any, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(fileobj, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def document_request_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get_for_user(case_id=case_id, user=request.user, for_write=True)
    kind, _sep, subject = request.POST.get("document", "").partition(":")
    try:
        services.document_request(
            case=case,
            actor=_actor(request),
            kind=kind,
            subject_id=subject or None,
            copy_for=request.POST.get("copy_for", "file"),
            reason=request.POST.get("reason", ""),
        )
    except ApplicationError as exc:
        details = [e for errors in exc.fields.values() for e in errors if e != exc.message]
        messages.error(request, " ".join([exc.message, *details]))
    else:
        messages.success(request, _("已提交生成，完成后可在“文书”中下载。"))
    return redirect(_case_url(case))


@login_required
@require_GET
def document_status_view(request: HttpRequest, document_id: int) -> HttpResponse:
    """One row of the documents table (htmx polls it while the document renders)."""
    document = selectors.document_get_for_user(document_id=document_id, user=request.user)
    return render(request, "documents/_document_row.html", {"d": document, "case": document.case})


@login_required
@require_GET
def document_download_view(request: HttpRequest, document_id: int) -> HttpResponseBase:
    try:
        document = selectors.document_get_for_user(document_id=document_id, user=request.user)
    except Http404:
        found = CaseDocument.objects.filter(pk=document_id).first() if str(document_id).isdigit() else None
        if found is not None:
            services.document_download_log(
                document=found, user=_actor(request), granted=False, remote_addr=_remote(request)
            )
        raise
    if document.status != DocumentStatus.READY:
        raise Http404
    services.document_download_log(document=document, user=_actor(request), granted=True, remote_addr=_remote(request))
    return attachment(document.file.open("rb"), document.filename, "application/pdf")


def _archive_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    volume = selectors.current_volume(case)
    can_archive = case.status == "closed" and archive.may_request(case, _actor(request))
    return {
        "case": case,
        "volume": volume,
        "blockers": archive.archive_blockers(case) if case.status == "closed" else [],
        "plan": archive.bundle_plan(case) if case.status in ("closed", "archived") else [],
        "can_archive": can_archive,
        "can_supplement": case.status == "archived" and archive.may_supplement(case, _actor(request)),
        "supplements": list(volume.supplements.select_related("added_by")) if volume else [],
        "polling": volume is not None and volume.status == VolumeStatus.PENDING,
    }


@login_required
@require_http_methods(["GET", "POST"])
def archive_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get_for_user(case_id=case_id, user=request.user)
    if request.method == "POST":
        case = case_get_for_user(case_id=case_id, user=request.user, for_write=True)
        try:
            archive.archive_request(case=case, actor=_actor(request))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已开始立卷：正在生成文书并装订卷宗。"))
        return redirect(reverse("documents:archive", kwargs={"case_id": case.pk}))
    return render(request, "documents/archive.html", _archive_context(request, case))


@login_required
@require_GET
def archive_progress_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get_for_user(case_id=case_id, user=request.user)
    context = _archive_context(request, case)
    response = render(request, "documents/_archive_progress.html", context)
    if not context["polling"]:
        response["HX-Refresh"] = "true"  # done: reload the page once to show the result
    return response


@login_required
@require_GET
def archive_package_view(request: HttpRequest, case_id: int) -> HttpResponseBase:
    try:
        case = case_get_for_user(case_id=case_id, user=request.user)
        volume = archive.archived_volume(case)
        if volume is None or not selectors.reads_as_staff(request.user, case):
            raise Http404
    except Http404:
        services.download_refused_log(user=_actor(request), case_id=case_id, remote_addr=_remote(request))
        raise
    services.document_download_log(
        document=None, volume=volume, user=_actor(request), granted=True, remote_addr=_remote(request)
    )
    return attachment(volume.package.open("rb"), f"{volume.archive_number}.zip", "application/zip")


@login_required
@require_POST
def archive_verify_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get_for_user(case_id=case_id, user=request.user)
    problems = archive.archive_verify(case)
    if problems:
        messages.error(request, _("校验发现差异：") + "；".join(problems))
    else:
        messages.success(request, _("校验通过：归档包、清单和每份文书的 SHA-256 均与归档时一致。"))
    return redirect(reverse("documents:archive", kwargs={"case_id": case.pk}))


@login_required
@require_POST
def archive_supplement_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get_for_user(case_id=case_id, user=request.user, for_write=True)
    try:
        archive.archive_supplement_add(
            case=case, actor=_actor(request), description=request.POST.get("description", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记补充归档。"))
    return redirect(reverse("documents:archive", kwargs={"case_id": case.pk}) + "#supplements")
