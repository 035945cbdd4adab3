"""Upward reporting pages (上报; reports.upward, docs/statistics.md "Upward reporting").

- /reports/upward/: a town director's submissions and a district director's inbox;
- /reports/upward/new/: pick the period, preview the figures and the files, submit (or
  submit a correction with its reason);
- /reports/upward/<id>/: the locked figures, the files with their verdicts and links to each
  archived case file, the district's verdict buttons and the review outcome.

Thin: parse the form, call one service or selector of reports.upward, render.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Organization, User
from core.exceptions import ApplicationError
from reports import upward
from reports.dashboard import report_organizations
from reports.models import FileVerdict, PeriodKind, ReportSubmission, SubmissionStatus


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


class SubmissionForm(forms.Form):
    organization = forms.ChoiceField(label=gettext_lazy("上报单位"))
    period_kind = forms.ChoiceField(label=gettext_lazy("报表类型"), choices=PeriodKind.choices)
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2099)
    number = forms.IntegerField(
        label=gettext_lazy("月份或季度"),
        required=False,
        min_value=1,
        max_value=12,
        help_text=gettext_lazy("月报填月份（1-12），季报填季度（1-4），年报不填"),
    )
    correction_reason = forms.CharField(
        label=gettext_lazy("更正原因"),
        required=False,
        max_length=upward.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("本期已上报过时必填：说明更正了什么、为什么"),
    )

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organizations = {org.code: org for org in organizations}
        field = cast(forms.ChoiceField, self.fields["organization"])
        field.choices = [(org.code, org.name) for org in organizations]

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "organization": self.organizations[data["organization"]],
            "period_kind": data["period_kind"],
            "year": data["year"],
            "number": data["number"],
        }

    def add_application_error(self, exc: ApplicationError) -> None:
        if not exc.fields:
            self.add_error(None, exc.message)
        for field, errors in exc.fields.items():
            for error in errors:
                self.add_error(field if field in self.fields else None, error)


def _default_period(request: HttpRequest) -> dict[str, Any]:
    """Last month: the period a town usually submits."""
    today = timezone.localdate()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return {"period_kind": PeriodKind.MONTH, "year": year, "number": month}


@login_required
@require_GET
def upward_list_view(request: HttpRequest) -> HttpResponse:
    """上报: the town's own submissions and, for a district director, the inbox."""
    towns = upward.submitting_organizations(request.user)
    if not towns and not report_organizations(request.user):
        raise PermissionDenied
    reviewing = upward.reviewing_organizations(request.user)
    rows = list(upward.submission_list(user=request.user))
    inbox = [row for row in rows if row.target in reviewing]
    others = [row for row in rows if row.target not in reviewing]
    return render(
        request,
        "reports/upward_list.html",
        {"towns": towns, "reviewing": reviewing, "inbox": inbox, "others": others},
    )


@login_required
@require_http_methods(["GET", "POST"])
def upward_new_view(request: HttpRequest) -> HttpResponse:
    """上报本期: the period picker; ?preview shows what would be locked; POST submits."""
    towns = upward.submitting_organizations(request.user)
    if not towns:
        raise PermissionDenied
    posted = request.method == "POST"
    previewing = not posted and "year" in request.GET
    data = request.POST if posted else (request.GET if previewing else None)
    initial = {"organization": towns[0].code, **_default_period(request)}
    form = SubmissionForm(data, organizations=towns, initial=initial)
    preview = None
    if data is not None and form.is_valid():
        if posted:
            try:
                submission = upward.submission_submit(
                    actor=_actor(request), correction_reason=form.cleaned_data["correction_reason"], **form.params()
                )
            except ApplicationError as exc:
                form.add_application_error(exc)
            else:
                messages.success(request, _("已上报：报表数字已锁定，等待区中心审核。"))
                return redirect("reports:upward_detail", submission_id=submission.pk)
        try:  # a refused submission shows its preview again, with the error next to its field
            preview = upward.submission_preview(actor=_actor(request), **form.params())
        except ApplicationError as exc:
            if not posted:
                form.add_application_error(exc)
    status = 400 if form.errors else 200
    return render(request, "reports/upward_new.html", {"form": form, "preview": preview}, status=status)


def _detail_context(request: HttpRequest, submission: ReportSubmission) -> dict[str, Any]:
    latest = upward.latest_version(submission)
    reviewable = (
        upward.may_review(request.user, submission)
        and submission.status in upward.OPEN_STATES
        and latest.pk == submission.pk
    )
    files = upward.submission_files(submission)
    return {
        "submission": submission,
        "period": upward.period_label(submission),
        "report": submission.snapshot.get("report", {}),
        "files": files,
        "pending": sum(1 for row in files if row.verdict == FileVerdict.PENDING),
        "reviewable": reviewable,
        "latest": latest,
        "may_correct": upward.may_correct(request.user, submission) and latest.pk == submission.pk,
        "file_errors": {},
        "finish_error": "",
        "verdicts": FileVerdict,
        "statuses": SubmissionStatus,
    }


@login_required
@require_GET
def upward_detail_view(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = upward.submission_get_for_user(submission_id=submission_id, user=request.user)
    return render(request, "reports/upward_detail.html", _detail_context(request, submission))


@login_required
@require_POST
def upward_file_review_view(request: HttpRequest, submission_id: int, file_id: int) -> HttpResponse:
    """规范 / 退回 one file; a refusal is shown next to that file."""
    submission = upward.submission_get_for_user(submission_id=submission_id, user=request.user)
    row = upward.submission_file_get(submission=submission, file_id=file_id)
    if not upward.may_review(request.user, submission):
        raise PermissionDenied
    try:
        upward.submission_review_file(
            actor=_actor(request),
            file=row,
            verdict=request.POST.get("verdict", ""),
            comment=request.POST.get("comment", ""),
        )
    except ApplicationError as exc:
        context = _detail_context(request, submission)
        context["file_errors"] = {row.pk: exc.message}
        return render(request, "reports/upward_detail.html", context, status=exc.status_code)
    return redirect("reports:upward_detail", submission_id=submission.pk)


@login_required
@require_POST
def upward_finish_view(request: HttpRequest, submission_id: int) -> HttpResponse:
    """完成审核: accepted when every file is 规范, returned otherwise."""
    submission = upward.submission_get_for_user(submission_id=submission_id, user=request.user)
    if not upward.may_review(request.user, submission):
        raise PermissionDenied
    try:
        done = upward.submission_finish_review(
            actor=_actor(request), submission=submission, comment=request.POST.get("comment", "")
        )
    except ApplicationError as exc:
        context = _detail_context(request, submission)
        context["finish_error"] = exc.message
        return render(request, "reports/upward_detail.html", context, status=exc.status_code)
    messages.success(request, _("审核完成：%s。") % done.get_status_display())
    return redirect("reports:upward_detail", submission_id=submission.pk)
