"""Pages of the intake channels (docs/intake.md).

Public, no login: /apply/ (online application), /apply/done/ (the tracking code, once),
/apply/status/ (status lookup). Staff: /cases/consultations/ (log and list, 转为案件), the
online-application panel of the case page and its evidence downloads."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import can_write_cases_of, organizations_in_scope
from accounts.models import User
from cases import consultations, online, selectors, vocab
from cases.models import Case, OnlineApplicationFile
from cases.online_forms import (
    APPLICATION_FIELDS,
    ClaimRowFormSet,
    ConsultationForm,
    PublicApplicationForm,
    StatusLookupForm,
)
from cases.ui import Panel
from core.exceptions import ApplicationError

_SESSION_CODE = "online_application_done"


def _client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


def _file_errors(errors: dict[str, list[str]], form: PublicApplicationForm, claims: Any, filled: list[int]) -> None:
    """Each message of the service next to its field ("claims.1.amount" → the amount of the
    claim row the applicant filled second)."""
    for key, texts in errors.items():
        head, _sep, rest = key.partition(".")
        if head == "claims" and rest:
            index, _sep, field = rest.partition(".")
            row = claims.forms[filled[int(index)]] if int(index) < len(filled) else None
            for text in texts:
                if row is not None:
                    row.add_error(field if field in row.fields else None, text)
                else:
                    form.add_error(None, text)
            continue
        if head == "evidence" and rest.isdigit() and int(rest) < len(form.evidence_names):
            name: str | None = form.evidence_names[int(rest)]
        else:
            name = APPLICATION_FIELDS.get(key)
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


def _apply_page(request: HttpRequest, form: Any, claims: Any, *, stamp: str, status: int = 200, **extra: Any) -> Any:
    context = {"form": form, "claims": claims, "stamp": stamp, "claim_errors": [], **extra}
    response = render(request, "public/apply.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def apply_view(request: HttpRequest) -> HttpResponse:
    """网上申请调解: a draft case in the chosen centre, and a tracking code for the applicant."""
    if request.method != "POST":
        return _apply_page(
            request, PublicApplicationForm(), ClaimRowFormSet(prefix="claims"), stamp=online.form_stamp()
        )
    address = _client_address(request)
    form = PublicApplicationForm(request.POST, request.FILES)
    claims = ClaimRowFormSet(request.POST, prefix="claims")
    stamp = request.POST.get("started", "")
    if online.rate_limited("submit", address, online.SUBMIT_LIMIT):
        refusal = _("同一网络一小时内最多提交%d份申请，请稍后再试，或到调解中心现场申请。") % online.SUBMIT_LIMIT
        return _apply_page(request, form, claims, stamp=stamp, status=429, refusal=refusal)
    if request.POST.get("website", "").strip():  # the honeypot: people never see this field
        online.rate_count("submit", address)
        refusal = _("提交未通过校验，请刷新页面后重新填写。")
        return _apply_page(
            request,
            PublicApplicationForm(),
            ClaimRowFormSet(prefix="claims"),
            stamp=online.form_stamp(),
            status=400,
            refusal=refusal,
        )
    if stamp_problem := online.form_stamp_problem(stamp):
        online.rate_count("submit", address)
        problem, renew = stamp_problem
        return _apply_page(
            request, form, claims, stamp=online.form_stamp() if renew else stamp, status=400, refusal=problem
        )
    if not (form.is_valid() and claims.is_valid()):
        return _apply_page(request, form, claims, stamp=stamp, status=400, refusal=_("申请信息有误，请按提示修改。"))
    filled = [i for i, row in enumerate(claims.forms) if not row.is_blank()]
    try:
        application, code = online.online_application_submit(
            claims=[claims.forms[i].cleaned_data for i in filled], **form.service_data()
        )
    except ApplicationError as exc:
        _file_errors(exc.fields, form, claims, filled)
        claim_errors = exc.fields.get("claims", [])
        return _apply_page(
            request, form, claims, stamp=stamp, status=400, refusal=exc.message, claim_errors=claim_errors
        )
    online.rate_count("submit", address)
    request.session[_SESSION_CODE] = {
        "code": code,
        "reference": application.reference,
        "organization": application.case.organization.name,
        "phone": application.case.organization.phone,
    }
    return redirect("apply_done")


@never_cache
def apply_done_view(request: HttpRequest) -> HttpResponse:
    """The tracking code, shown once (kept in the session only until this page is shown)."""
    done = request.session.pop(_SESSION_CODE, None)
    if not done:
        return redirect("apply")
    done["code_display"] = online.tracking_code_display(done["code"])
    response = render(request, "public/apply_done.html", {"done": done})
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def apply_status_view(request: HttpRequest) -> HttpResponse:
    """查询办理进度: tracking code + last four digits of the phone → the state in plain words.
    A wrong code and a wrong phone get the same answer."""
    if request.method != "POST":
        return render(request, "public/status.html", {"form": StatusLookupForm()})
    address = _client_address(request)
    form = StatusLookupForm(request.POST)
    code = online.tracking_code_normalize(request.POST.get("tracking_code", ""))
    refusal = _("查询码或电话号码后4位不正确，请核对后再试。")
    if online.rate_limited("lookup", address, online.LOOKUP_LIMIT) or online.rate_limited(
        "lookup-code", code, online.LOOKUP_FAILURES_PER_CODE
    ):
        refusal = _("查询次数过多，请一小时后再试，或致电调解中心查询。")
        return render(request, "public/status.html", {"form": StatusLookupForm(), "refusal": refusal}, status=429)
    online.rate_count("lookup", address)
    answer = None
    if form.is_valid():
        answer = online.online_application_status(
            tracking_code=form.cleaned_data["tracking_code"], phone_last4=form.cleaned_data["phone_last4"]
        )
    if answer is None:
        online.rate_count("lookup-code", code)
        return render(request, "public/status.html", {"form": StatusLookupForm(), "refusal": refusal}, status=400)
    response = render(request, "public/status.html", {"form": StatusLookupForm(), "answer": answer})
    response["Cache-Control"] = "no-store"
    return response


# --- staff: consultations ------------------------------------------------------------------------

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def consultation_list_view(request: HttpRequest) -> HttpResponse:
    """咨询登记: the form to log one (clerk, mediator, director) above the list."""
    user = cast(User, request.user)
    scope = organizations_in_scope(user)
    if not scope:
        raise PermissionDenied
    writable = [org for org in scope if can_write_cases_of(user, org)]
    form = ConsultationForm(request.POST if request.method == "POST" else None, organizations=writable)
    status = 200
    if request.method == "POST":
        if not writable:
            raise PermissionDenied
        status = 400
        if form.is_valid():
            try:
                consultations.consultation_log(actor=user, **form.cleaned_data)
            except ApplicationError as exc:
                for field, texts in exc.fields.items():
                    for text in texts:
                        form.add_error(field if field in form.fields else None, text)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("咨询已登记。"))
                return redirect("cases:consultations")
    filters = {key: request.GET.get(key, "").strip() for key in ("organization", "channel")}
    page = Paginator(consultations.consultation_list(user=user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form if writable else None,
        "page": page,
        "filters": filters,
        "organizations": scope,
        "channels": vocab.ConsultationChannel.choices,
        "dispute_types": vocab.DisputeType.choices,
        "writable_ids": {org.pk for org in writable},
    }
    return render(request, "cases/consultations.html", context, status=status)


@login_required
@require_POST
def consultation_convert_view(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """转为案件: one step, then the new draft's page."""
    user = cast(User, request.user)
    consultation = consultations.consultation_get_for_user(consultation_id=consultation_id, user=user, for_write=True)
    try:
        case = consultations.consultation_convert(
            consultation=consultation, actor=user, dispute_type=request.POST.get("dispute_type", "")
        )
    except ApplicationError as exc:
        messages.error(request, " ".join([exc.message, *(t for texts in exc.fields.values() for t in texts)]))
        return redirect("cases:consultations")
    messages.success(request, _("已转为案件草稿，请补充当事人和请求事项后登记。"))
    return redirect("cases:detail", case_id=case.pk)


# --- staff: the online application on the case page ----------------------------------------------


def online_application_panel(request: HttpRequest, case: Case) -> Panel | None:
    """网上申请 panel: reference, platform, declarations and evidence files (case page)."""
    application = getattr(case, "online_application", None) if case.source == vocab.CaseSource.ONLINE_PLATFORM else None
    if application is None:
        return None
    consents = [
        (label, bool(application.consents.get(key)))
        for key, label in {**online.REQUIRED_CONSENTS, **online.OPTIONAL_CONSENTS}.items()
    ]
    return Panel(
        "cases/_online_application_panel.html",
        {"application": application, "files": list(application.files.all()), "consents": consents, "case": case},
        order=15,
    )


@login_required
def online_file_view(request: HttpRequest, case_id: int, file_id: int) -> FileResponse:
    """An evidence file of an online application, for staff who see the case."""
    case = selectors.case_get_for_user(case_id=case_id, user=request.user)
    attachment = OnlineApplicationFile.objects.filter(pk=file_id, application__case=case).first()
    if attachment is None or not attachment.file:
        raise Http404
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
