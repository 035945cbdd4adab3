"""Sessions, attendance, transcripts and extension requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Case
from core.exceptions import ApplicationError
from mediation import forms, selectors, services, vocab
from mediation.models import MediationSession
from mediation.views.common import (
    _actor,
    _apply_errors,
    _case,
    _case_url,
    _data,
    _form_page,
    _session_url,
)

# --- sessions -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_new_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    initial = {
        "kind": vocab.SessionKind.JOINT,
        "mediators": [a.user_id for a in case.assignments.filter(active=True)],
        "clerk": case.clerk_id,
    }
    form = forms.SessionForm(_data(request), case=case, initial=initial)

    def run(data: dict[str, Any]) -> MediationSession:
        return services.session_schedule(
            case=case,
            actor=_actor(request),
            kind=data["kind"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            mediators=list(data["mediators"]),
            room=data["room"],
            place=data["place"],
            clerk=data["clerk"],
        )

    return _form_page(
        request,
        case,
        form=form,
        title=_("安排调解"),
        submit=_("安排调解"),
        run=run,
        success=_("已安排调解会议。"),
        next_url=_case_url(case, "mediation-sessions"),
        intro=_("同一调解员或调解室在同一时间段只能安排一场调解。安排第一场调解后，案件进入“调解中”。"),
    )


def _session_page(
    request: HttpRequest,
    case: Case,
    session: MediationSession,
    *,
    attendance_form: forms.AttendanceForm | None = None,
    transcript_form: forms.TranscriptForm | None = None,
    sign_errors: dict[int, list[str]] | None = None,
    transcript_error: str = "",
    status: int = 200,
) -> HttpResponse:
    transcript = selectors.transcript_of(session)
    blocks = selectors.transcript_blocks(transcript=transcript)
    context = {
        "case": case,
        "session": session,
        "mediators": selectors.session_mediators(session=session),
        "attendances": [(a, (sign_errors or {}).get(a.pk, [])) for a in selectors.session_attendances(session=session)],
        "transcript": transcript,
        "transcript_state": selectors.transcript_state(transcript),
        "blocks": [(label, blocks.get(kind, "")) for kind, label in vocab.BlockKind.choices],
        "is_open": selectors.session_is_open(session, transcript),
        "roles": selectors.case_roles(user=request.user, case=case),
        "attendance_form": attendance_form or forms.AttendanceForm(case=case),
        "transcript_form": transcript_form or forms.TranscriptForm(initial_blocks=blocks),
        "transcript_error": transcript_error,
    }
    return render(request, "mediation/session_detail.html", context, status=status)


def _session(case: Case, session_id: int) -> MediationSession:
    return get_object_or_404(case.sessions.select_related("room", "clerk"), pk=session_id)


@login_required
@require_GET
def session_detail_view(request: HttpRequest, case_id: int, session_id: int) -> HttpResponse:
    case = _case(request, case_id, write=False)
    return _session_page(request, case, _session(case, session_id))


@login_required
@require_POST
def attendance_add_view(request: HttpRequest, case_id: int, session_id: int) -> HttpResponse:
    case = _case(request, case_id)
    session = _session(case, session_id)
    form = forms.AttendanceForm(request.POST, case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.attendance_record(
                session=session,
                actor=_actor(request),
                name=data["name"],
                capacity=data["capacity"],
                party=data["party"],
                identity_checked=data["identity_checked"],
            )
        except ApplicationError as exc:
            _apply_errors(form, exc)
            return _session_page(request, case, session, attendance_form=form, status=exc.status_code)
        messages.success(request, _("已记录到场人员：%s。") % data["name"])
        return redirect(_session_url(case, session, "attendance"))
    return _session_page(request, case, session, attendance_form=form, status=400)


@login_required
@require_POST
def attendance_sign_view(request: HttpRequest, case_id: int, session_id: int, attendance_id: int) -> HttpResponse:
    case = _case(request, case_id)
    session = _session(case, session_id)
    attendance = get_object_or_404(session.attendances, pk=attendance_id)
    form = forms.AttendanceSignForm(request.POST)
    if not form.is_valid():
        return _session_page(request, case, session, sign_errors={attendance.pk: [_("请选择签名或拒签。")]}, status=400)
    signed = form.cleaned_data["decision"] == "sign"
    try:
        services.attendance_sign(
            attendance=attendance,
            actor=_actor(request),
            signed=signed,
            refusal_note=form.cleaned_data["refusal_note"],
        )
    except ApplicationError as exc:
        errors = [e for errs in exc.fields.values() for e in errs] or [exc.message]
        return _session_page(request, case, session, sign_errors={attendance.pk: errors}, status=exc.status_code)
    message = _("%s 已在笔录上签名。") if signed else _("已注明 %s 拒绝签名。")
    messages.success(request, message % attendance.name)
    return redirect(_session_url(case, session, "attendance"))


@login_required
@require_POST
def transcript_save_view(request: HttpRequest, case_id: int, session_id: int) -> HttpResponse:
    case = _case(request, case_id)
    session = _session(case, session_id)
    form = forms.TranscriptForm(request.POST)
    if not form.is_valid():
        return _session_page(request, case, session, transcript_form=form, status=400)
    try:
        services.transcript_save(session=session, actor=_actor(request), blocks=form.blocks())
    except ApplicationError as exc:
        _apply_errors(form, exc)
        return _session_page(request, case, session, transcript_form=form, status=exc.status_code)
    messages.success(request, _("笔录已保存。笔录修改后须重新宣读确认。"))
    return redirect(_session_url(case, session, "transcript"))


def _transcript_step(
    request: HttpRequest, case_id: int, session_id: int, service: Callable[..., Any], success: str
) -> HttpResponse:
    case = _case(request, case_id)
    session = _session(case, session_id)
    try:
        service(session=session, actor=_actor(request))
    except ApplicationError as exc:
        return _session_page(request, case, session, transcript_error=exc.message, status=exc.status_code)
    messages.success(request, success)
    return redirect(_session_url(case, session, "transcript"))


@login_required
@require_POST
def transcript_read_back_view(request: HttpRequest, case_id: int, session_id: int) -> HttpResponse:
    return _transcript_step(
        request,
        case_id,
        session_id,
        services.transcript_confirm_read_back,
        _("已确认笔录向到场人员宣读（或交其阅读）。"),
    )


@login_required
@require_POST
def transcript_complete_view(request: HttpRequest, case_id: int, session_id: int) -> HttpResponse:
    return _transcript_step(
        request, case_id, session_id, services.transcript_complete, _("笔录已完成，本次调解记为已举行。")
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_cancel_view(request: HttpRequest, case_id: int, session_id: int) -> HttpResponse:
    case = _case(request, case_id)
    session = _session(case, session_id)
    form = forms.CancelSessionForm(_data(request))
    return _form_page(
        request,
        case,
        form=form,
        title=_("取消调解会议"),
        submit=_("确认取消"),
        run=lambda data: services.session_cancel(session=session, actor=_actor(request), reason=data["reason"]),
        success=_("已取消调解会议。"),
        next_url=_case_url(case, "mediation-sessions"),
        intro=_("取消 %s 的调解会议，调解员和调解室的时间将被释放。") % session,
    )


# --- extension ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def extension_new_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    form = forms.ExtensionRequestForm(_data(request))

    def run(data: dict[str, Any]) -> Any:
        return services.extension_request(
            case=case,
            actor=_actor(request),
            days=data["days"],
            reason=data["reason"],
            applicant_consent_on=data["applicant_consent_on"],
            respondent_consent_on=data["respondent_consent_on"],
        )

    return _form_page(
        request,
        case,
        form=form,
        title=_("申请延期"),
        submit=_("提交延期申请"),
        run=run,
        success=_("延期申请已提交，待中心主任审批。"),
        next_url=_case_url(case, "mediation-extension"),
        intro=_("延期须经双方当事人同意，累计不超过15天（当前调解期限：%s）。") % (case.mediation_due_on or "—"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def extension_refuse_view(request: HttpRequest, case_id: int, extension_id: int) -> HttpResponse:
    case = _case(request, case_id)
    extension = get_object_or_404(case.extensions, pk=extension_id)
    form = forms.ReasonForm(_data(request))
    return _form_page(
        request,
        case,
        form=form,
        title=_("不予延期"),
        submit=_("确认不予延期"),
        run=lambda data: services.extension_refuse(extension=extension, actor=_actor(request), reason=data["reason"]),
        success=_("已决定不予延期。"),
        next_url=_case_url(case, "mediation-extension"),
        summary="mediation/_extension_summary.html",
        extra={"extension": extension},
    )
