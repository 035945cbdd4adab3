"""Mediation screens of the mediator, clerk and director. Thin: parse a form, call one
service, redirect with a message; a refusal re-renders the form with the service's errors.

The case always comes from case_get_for_user (404 outside scope, 403 for a read-only role
asked to write) and every object below it is looked up through the case, so the id of
another case's session, obligation or record is a 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from cases.models import Case
from cases.selectors import case_get_for_user
from cases.workflow import TRANSITIONS, blockers
from core.exceptions import ApplicationError
from mediation import forms, selectors, services, vocab
from mediation.models import Agreement, MediationSession
from mediation.services.agreements import effectiveness_blockers, live_agreement
from mediation.services.sessions import pending_extension

Run = Callable[[dict[str, Any]], Any]


def _actor(request: HttpRequest) -> User:
    """The signed-in user (login_required guarantees one)."""
    return cast(User, request.user)


def _case(request: HttpRequest, case_id: int, *, write: bool | None = None) -> Case:
    """GETs of a form page are writes too: a read-only role sees 403 before typing."""
    return case_get_for_user(case_id=case_id, user=request.user, for_write=True if write is None else write)


def _case_url(case: Case, anchor: str = "") -> str:
    return reverse("cases:detail", kwargs={"case_id": case.pk}) + (f"#{anchor}" if anchor else "")


def _session_url(case: Case, session: MediationSession, anchor: str = "") -> str:
    url = reverse("mediation:session", kwargs={"case_id": case.pk, "session_id": session.pk})
    return url + (f"#{anchor}" if anchor else "")


def _agreement_url(case: Case, anchor: str = "") -> str:
    return reverse("mediation:agreement", kwargs={"case_id": case.pk}) + (f"#{anchor}" if anchor else "")


def _apply_errors(form: django_forms.Form, exc: ApplicationError) -> None:
    """The service's message on top of the form (unless it only repeats the field errors),
    its field errors next to the fields."""
    field_errors = [error for errors in exc.fields.values() for error in errors]
    if exc.message not in field_errors and exc.message != " ".join(field_errors):
        form.add_error(None, exc.message)
    for field, errors in exc.fields.items():
        target = field if field in form.fields else None
        for error in errors:
            if target is not None or error not in form.non_field_errors():
                form.add_error(target, error)


def _form_page(
    request: HttpRequest,
    case: Case,
    *,
    form: django_forms.Form,
    title: str,
    submit: str,
    run: Run,
    success: str,
    next_url: str,
    intro: str = "",
    summary: str = "",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A page with one form: GET shows it, POST runs `run` (one service call)."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                run(form.cleaned_data)
            except ApplicationError as exc:
                status = exc.status_code
                _apply_errors(form, exc)
            else:
                messages.success(request, success)
                return redirect(next_url)
    context = {
        "case": case,
        "form": form,
        "title": title,
        "submit": submit,
        "intro": intro,
        "summary_template": summary,
        "back_url": next_url,
        **(extra or {}),
    }
    return render(request, "mediation/form.html", context, status=status)


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


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


# --- transitions ----------------------------------------------------------------------------


def _transition_page(
    request: HttpRequest,
    case_id: int,
    name: str,
    form_class: type[django_forms.Form],
    run: Callable[[Case, Any, dict[str, Any]], Any],
    *,
    intro: str = "",
    summary: str = "",
    extra: Callable[[Case], dict[str, Any]] | None = None,
    next_url: Callable[[Case], str] | None = None,
    list_blockers: Callable[[Case], list[str]] | None = None,
    title: str = "",
    submit: str = "",
) -> HttpResponse:
    """A transition's page: what it does, what still blocks it, and its form (a reason or
    just the confirmation). `list_blockers` lists them one by one where the guard joins them."""
    case = _case(request, case_id)
    spec = TRANSITIONS[name]
    form = form_class(_data(request))
    found = blockers(case, name)
    if found and list_blockers is not None:
        found = list_blockers(case)
    context = {
        "blockers": found,
        "confirm_only": not form.fields,
        "transition": spec,
        **(extra(case) if extra else {}),
    }
    return _form_page(
        request,
        case,
        form=form,
        title=title or str(spec.label),
        submit=submit or _("确认%s") % spec.label,
        run=lambda data: run(case, _actor(request), data),
        success=_("已完成“%s”。") % spec.label,
        next_url=next_url(case) if next_url else _case_url(case),
        intro=intro or _("案件当前状态：%s。确认后将记入办理经过，不能撤销。") % case.get_status_display(),
        summary=summary,
        extra=context,
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_agreement_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _transition_page(
        request,
        case_id,
        "draft_agreement",
        forms.ConfirmForm,
        lambda case, user, data: services.agreement_draft(case=case, actor=user),
        intro=_("将根据请求事项生成协议草稿（每项请求一项履行义务），随后可修改条款、金额和履行期限。"),
        next_url=lambda case: _agreement_url(case),
    )


@login_required
@require_http_methods(["GET", "POST"])
def make_effective_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _transition_page(
        request,
        case_id,
        "make_effective",
        forms.ConfirmForm,
        lambda case, user, data: services.case_make_effective(case=case, actor=user),
        intro=_(
            "协议经双方当事人签名、调解员签名并加盖调解组织印章后生效。生效后将按各项履行期限安排回访，"
            "并生成协议书的送达记录；当事人可在30日内共同申请司法确认。"
        ),
        summary="mediation/_agreement_summary.html",
        extra=lambda case: {"view": selectors.agreement_view(case=case)},
        list_blockers=effectiveness_blockers,
    )


@login_required
@require_http_methods(["GET", "POST"])
def reopen_negotiation_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _transition_page(
        request,
        case_id,
        "reopen_negotiation",
        forms.ReasonForm,
        lambda case, user, data: services.case_reopen_negotiation(case=case, actor=user, reason=data["reason"]),
        intro=_("协议草稿将作废（已有签名一并作废），案件回到“调解中”继续协商。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def confirm_performance_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _transition_page(
        request,
        case_id,
        "confirm_performance",
        forms.ConfirmForm,
        lambda case, user, data: services.case_confirm_performance(case=case, actor=user),
        intro=_("确认协议约定的各项义务均已履行完毕；系统将安排一周后的履行完毕回访。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_non_performance_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _transition_page(
        request,
        case_id,
        "record_non_performance",
        forms.ReasonForm,
        lambda case, user, data: services.case_record_non_performance(case=case, actor=user, reason=data["reason"]),
        intro=_("义务人逾期未履行且经督促仍未履行的，记录未履行，并引导劳动者申请支付令、仲裁或劳动保障监察。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def extend_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """The director approves the pending extension (transition extend)."""
    return _transition_page(
        request,
        case_id,
        "extend",
        forms.ConfirmForm,
        lambda case, user, data: services.case_extend(case=case, actor=user),
        intro=_("批准后调解期限相应顺延，并记入办理经过。"),
        title=_("审批延期申请"),
        submit=_("批准延期"),
        summary="mediation/_extension_summary.html",
        extra=lambda case: {"extension": pending_extension(case)},
    )


# --- agreement ------------------------------------------------------------------------------


def _agreement(case: Case) -> Agreement:
    agreement = live_agreement(case)
    if agreement is None:
        raise Http404
    agreement.case = case
    return agreement


def _agreement_page(
    request: HttpRequest,
    case: Case,
    *,
    terms_form: forms.TermsForm | None = None,
    obligation_form: forms.ObligationForm | None = None,
    due_forms: dict[int, forms.ObligationDueForm] | None = None,
    signature_form: forms.SignatureForm | None = None,
    action_error: str = "",
    status: int = 200,
) -> HttpResponse:
    view = selectors.agreement_view(case=case)
    if view is None:
        raise Http404
    due_forms = due_forms or {}
    signed_ids = {row.party.pk for row in view.signatures if row.signature}
    rows = [
        (
            row,
            due_forms.get(row.obligation.pk)
            or forms.ObligationDueForm(
                obligation_id=row.obligation.pk,
                initial={"due_on": row.obligation.due_on, "amount": row.obligation.amount},
            ),
        )
        for row in view.obligations
    ]
    context = {
        "case": case,
        "view": view,
        "rows": rows,
        "roles": selectors.case_roles(user=request.user, case=case),
        "terms_form": terms_form or forms.TermsForm(initial={"terms": view.terms_text}),
        "obligation_form": obligation_form or forms.ObligationForm(case=case),
        "signature_form": signature_form or forms.SignatureForm(case=case, signed_ids=signed_ids),
        "action_error": action_error,
    }
    return render(request, "mediation/agreement_detail.html", context, status=status)


@login_required
@require_GET
def agreement_detail_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, write=False)
    return _agreement_page(request, case)


def _agreement_form_post(
    request: HttpRequest,
    case: Case,
    form: django_forms.Form,
    run: Run,
    success: str,
    anchor: str,
    again: Callable[[Any, int], HttpResponse],
) -> HttpResponse:
    """POST of one of the agreement page's forms; on refusal `again(form, status)` shows the
    page with the errors next to that form."""
    status = 400
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except ApplicationError as exc:
            status = exc.status_code
            _apply_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(_agreement_url(case, anchor))
    return again(form, status)


@login_required
@require_POST
def agreement_terms_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    agreement = _agreement(case)
    form = forms.TermsForm(request.POST)
    return _agreement_form_post(
        request,
        case,
        form,
        lambda data: services.agreement_set_terms(agreement=agreement, actor=_actor(request), terms=form.clauses()),
        _("协议条款已保存。"),
        "terms",
        lambda f, status: _agreement_page(request, case, terms_form=f, status=status),
    )


@login_required
@require_POST
def obligation_add_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    agreement = _agreement(case)
    form = forms.ObligationForm(request.POST, case=case)

    def run(data: dict[str, Any]) -> Any:
        return services.obligation_add(
            agreement=agreement,
            actor=_actor(request),
            kind=data["kind"],
            obligor=data["obligor"],
            obligee=data["obligee"],
            description=data["description"],
            amount=data["amount"],
            due_on=data["due_on"],
        )

    return _agreement_form_post(
        request,
        case,
        form,
        run,
        _("已增加履行义务。"),
        "obligations",
        lambda f, status: _agreement_page(request, case, obligation_form=f, status=status),
    )


def _draft_obligation(case: Case, obligation_id: int) -> Any:
    """An obligation of the case's live agreement (404 for any other id)."""
    agreement = _agreement(case)
    obligation = get_object_or_404(agreement.obligations, pk=obligation_id)
    obligation.agreement = agreement
    return obligation


@login_required
@require_POST
def obligation_due_view(request: HttpRequest, case_id: int, obligation_id: int) -> HttpResponse:
    case = _case(request, case_id)
    obligation = _draft_obligation(case, obligation_id)
    form = forms.ObligationDueForm(request.POST, obligation_id=obligation.pk)
    return _agreement_form_post(
        request,
        case,
        form,
        lambda data: services.obligation_set_due(
            obligation=obligation,
            actor=_actor(request),
            due_on=data["due_on"],
            amount=data["amount"] or None,
        ),
        _("已更新“%s”的履行期限和金额。") % obligation.description,
        "obligations",
        lambda f, status: _agreement_page(request, case, due_forms={obligation.pk: f}, status=status),
    )


@login_required
@require_POST
def obligation_remove_view(request: HttpRequest, case_id: int, obligation_id: int) -> HttpResponse:
    case = _case(request, case_id)
    obligation = _draft_obligation(case, obligation_id)
    try:
        services.obligation_remove(obligation=obligation, actor=_actor(request))
    except ApplicationError as exc:
        return _agreement_page(request, case, action_error=exc.message, status=exc.status_code)
    messages.success(request, _("已删除履行义务“%s”。") % obligation.description)
    return redirect(_agreement_url(case, "obligations"))


@login_required
@require_POST
def agreement_sign_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    agreement = _agreement(case)
    form = forms.SignatureForm(request.POST, case=case)

    def run(data: dict[str, Any]) -> Any:
        return services.agreement_sign(
            agreement=agreement,
            actor=_actor(request),
            party=data["party"],
            agent_name=data["agent_name"],
            agent_authority=data["agent_authority"],
        )

    return _agreement_form_post(
        request,
        case,
        form,
        run,
        _("已记录当事人签名。"),
        "signatures",
        lambda f, status: _agreement_page(request, case, signature_form=f, status=status),
    )


def _agreement_step(request: HttpRequest, case_id: int, service: Callable[..., Any], success: str) -> HttpResponse:
    case = _case(request, case_id)
    agreement = _agreement(case)
    try:
        service(agreement=agreement, actor=_actor(request))
    except ApplicationError as exc:
        return _agreement_page(request, case, action_error=exc.message, status=exc.status_code)
    messages.success(request, success)
    return redirect(_agreement_url(case, "signatures"))


@login_required
@require_POST
def agreement_mediator_sign_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _agreement_step(request, case_id, services.agreement_mediator_sign, _("调解员已在协议上签名。"))


@login_required
@require_POST
def agreement_seal_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _agreement_step(request, case_id, services.agreement_seal, _("已批准加盖调解组织印章。"))


# --- performance ----------------------------------------------------------------------------


def _case_obligation(case: Case, obligation_id: int) -> Any:
    obligation = get_object_or_404(selectors.case_obligations(case=case), pk=obligation_id)
    obligation.agreement.case = case
    return obligation


@login_required
@require_http_methods(["GET", "POST"])
def payment_new_view(request: HttpRequest, case_id: int, obligation_id: int) -> HttpResponse:
    case = _case(request, case_id)
    obligation = _case_obligation(case, obligation_id)
    if request.method == "POST":
        form = forms.PaymentForm(request.POST, request.FILES)
    else:
        form = forms.PaymentForm(initial={"paid_on": timezone.localdate()})

    def run(data: dict[str, Any]) -> Any:
        return services.payment_record(
            obligation=obligation,
            actor=_actor(request),
            amount=data["amount"],
            paid_on=data["paid_on"],
            method=data["method"],
            channel=data["channel"],
            evidence=data["evidence"],
            note=data["note"],
        )

    return _form_page(
        request,
        case,
        form=form,
        title=_("登记付款"),
        submit=_("登记付款"),
        run=run,
        success=_("已登记付款。"),
        next_url=_case_url(case, "mediation-performance"),
        summary="mediation/_obligation_summary.html",
        extra={"row": selectors.obligation_row(obligation=obligation), "multipart": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def obligation_performed_view(request: HttpRequest, case_id: int, obligation_id: int) -> HttpResponse:
    case = _case(request, case_id)
    obligation = _case_obligation(case, obligation_id)
    form = forms.PerformedForm(_data(request), initial={"performed_on": timezone.localdate()})
    return _form_page(
        request,
        case,
        form=form,
        title=_("确认已履行"),
        submit=_("确认已履行"),
        run=lambda data: services.obligation_mark_performed(
            obligation=obligation,
            actor=_actor(request),
            performed_on=data["performed_on"],
        ),
        success=_("已确认“%s”履行完毕。") % obligation.description,
        next_url=_case_url(case, "mediation-performance"),
        summary="mediation/_obligation_summary.html",
        extra={"row": selectors.obligation_row(obligation=obligation)},
    )


def _follow_up_page(request: HttpRequest, case: Case, follow_up: Any) -> HttpResponse:
    form = forms.FollowUpForm(_data(request))

    def run(data: dict[str, Any]) -> Any:
        return services.follow_up_record(
            case=case,
            actor=_actor(request),
            follow_up=follow_up,
            method=data["method"],
            reached=data["reached"],
            performance_status=data["performance_status"],
            amount_confirmed=data["amount_confirmed"],
            satisfaction=data["satisfaction"],
            risks=data["risks"],
            notes=data["notes"],
        )

    title = _("登记回访：%s") % follow_up if follow_up else _("登记督促履行")
    return _form_page(
        request,
        case,
        form=form,
        title=title,
        submit=_("保存回访记录"),
        run=run,
        success=_("已登记回访记录。"),
        next_url=_case_url(case, "mediation-follow-ups"),
        intro=""
        if follow_up
        else _("记录一次督促履行（电话、走访等）。义务人逾期未履行的，须先督促，才能记录“未履行”。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_new_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _follow_up_page(request, _case(request, case_id), None)


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_complete_view(request: HttpRequest, case_id: int, follow_up_id: int) -> HttpResponse:
    case = _case(request, case_id)
    follow_up = get_object_or_404(case.follow_ups.filter(done_at__isnull=True), pk=follow_up_id)
    return _follow_up_page(request, case, follow_up)


# --- service of documents -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def service_new_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    form = forms.ServiceOpenForm(_data(request), case=case)
    return _form_page(
        request,
        case,
        form=form,
        title=_("新增送达记录"),
        submit=_("新增"),
        run=lambda data: services.service_record_open(
            case=case,
            actor=_actor(request),
            document=data["document"],
            recipient=data["recipient"],
        ),
        success=_("已新增送达记录。"),
        next_url=_case_url(case, "mediation-service"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_serve_view(request: HttpRequest, case_id: int, record_id: int) -> HttpResponse:
    case = _case(request, case_id)
    record = get_object_or_404(
        case.service_records.select_related("recipient__person", "recipient__employer"), pk=record_id
    )
    form = forms.ServeForm(_data(request), initial={"served_on": timezone.localdate()})

    def run(data: dict[str, Any]) -> Any:
        return services.service_record_serve(
            record=record,
            actor=_actor(request),
            method=data["method"],
            served_on=data["served_on"],
            tracking_number=data["tracking_number"],
            witness=data["witness"],
            note=data["note"],
        )

    return _form_page(
        request,
        case,
        form=form,
        title=_("登记送达：%(doc)s → %(who)s") % {"doc": record.get_document_display(), "who": record.recipient},
        submit=_("登记送达"),
        run=run,
        success=_("已登记送达。"),
        next_url=_case_url(case, "mediation-service"),
        intro=_("邮寄送达须填写邮件单号；拒收留置送达须填写见证人；电子送达须在备注中注明当事人同意的方式和账号。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_undeliverable_view(request: HttpRequest, case_id: int, record_id: int) -> HttpResponse:
    case = _case(request, case_id)
    record = get_object_or_404(
        case.service_records.select_related("recipient__person", "recipient__employer"), pk=record_id
    )
    form = forms.UndeliverableForm(_data(request))
    return _form_page(
        request,
        case,
        form=form,
        title=_("无法送达：%(doc)s → %(who)s") % {"doc": record.get_document_display(), "who": record.recipient},
        submit=_("确认无法送达"),
        run=lambda data: services.service_mark_undeliverable(record=record, actor=_actor(request), note=data["note"]),
        success=_("已记录无法送达。"),
        next_url=_case_url(case, "mediation-service"),
    )
