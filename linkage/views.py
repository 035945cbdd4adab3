"""Linkage screens: drafting, approving and sending a transfer (case staff), the liaison's
inbox and transfer page (acknowledge, outcome, return), the result reported to a referring
court, and the director's overview. Thin: parse a form, call one service or selector.

Case staff fetch the case for writing (a read-only role gets 403). A liaison is not case
staff: their case is fetched for reading (404 outside the cases sent to their agency) and the
linkage services check that they are the agency's liaison. Every transfer is looked up
through the case and what the user may see of it, so another case's id is a 404."""

from __future__ import annotations

import datetime as dt
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
from core.exceptions import ApplicationError, PermissionDeniedError
from linkage import forms, selectors, services, vocab
from linkage.models import ReferralReport, Transfer
from mediation import vocab as mediation_vocab
from mediation.selectors import case_roles
from mediation.services.agreements import live_agreement

Run = Callable[[dict[str, Any]], Any]


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _transfer(request: HttpRequest, case: Case, transfer_id: int) -> Transfer:
    transfer = get_object_or_404(selectors.case_transfers(case=case, user=request.user), pk=transfer_id)
    transfer.case = case
    return transfer


def _transfer_url(transfer: Transfer, anchor: str = "") -> str:
    url = reverse("linkage:transfer", kwargs={"case_id": transfer.case_id, "transfer_id": transfer.pk})
    return url + (f"#{anchor}" if anchor else "")


def _case_url(case: Case) -> str:
    return reverse("cases:detail", kwargs={"case_id": case.pk}) + "#linkage"


def _apply_errors(form: django_forms.Form, exc: ApplicationError) -> None:
    """The service's message on top of the form, its field errors next to the fields."""
    field_errors = [error for errors in exc.fields.values() for error in errors]
    if exc.message not in field_errors:
        form.add_error(None, exc.message)
    for name, errors in exc.fields.items():
        for error in errors:
            if name in form.fields:
                form.add_error(name, error)
            elif error != exc.message:
                form.add_error(None, error)


def _submit(form: django_forms.Form, run: Run) -> int | None:
    """Run the service on a valid form: None when done, else the status of the refusal."""
    if not form.is_valid():
        return 400
    try:
        run(form.cleaned_data)
    except ApplicationError as exc:
        _apply_errors(form, exc)
        return exc.status_code
    return None


# --- drafting a transfer (case staff) ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def transfer_new_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get_for_user(case_id=case_id, user=request.user, for_write=True)
    problems = {t.value: services.offer_problem(case, t.value) for t in vocab.TransferType}
    offered = [value for value, problem in problems.items() if problem is None]
    data = request.POST if request.method == "POST" else None
    chosen = (data or request.GET).get("transfer_type", "")
    chosen = chosen if chosen in vocab.TransferType.values else ""
    form = forms.TransferForm(data, case=case, offered=offered, transfer_type=chosen, initial={"transfer_type": chosen})
    status = 200
    if data is not None:
        refused = _submit(
            form,
            lambda d: services.transfer_create(
                case=case,
                actor=_actor(request),
                agency=d["agency"],
                transfer_type=d["transfer_type"],
                reason=d["reason"],
                worker_consent_on=d.get("worker_consent_on"),
            ),
        )
        if refused is None:
            messages.success(request, _("移送函已拟稿，待中心主任审批。"))
            return redirect(_case_url(case))
        status = refused
    types = [
        {"value": t.value, "label": t.label, "problem": problems[t.value], "chosen": t.value == chosen}
        for t in vocab.TransferType
    ]
    context = {"case": case, "form": form, "types": types, "chosen": chosen}
    return render(request, "linkage/transfer_new.html", context, status=status)


# --- one transfer: its page and its steps ----------------------------------------------------


def _transfer_page(
    request: HttpRequest,
    case: Case,
    transfer: Transfer,
    *,
    bound: dict[str, django_forms.Form] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The transfer with the forms of the steps this user may take now; `bound` replaces a
    form by the one just submitted, with its errors."""
    bound = bound or {}
    roles = case_roles(user=request.user, case=case)
    is_liaison = transfer.agency_id in selectors.liaison_agency_ids(request.user)
    S = vocab.TransferStatus
    context: dict[str, Any] = {
        "case": case,
        "transfer": transfer,
        "roles": roles,
        "is_liaison": is_liaison,
        "error": error,
        "events": selectors.transfer_events(transfer=transfer),
        "recovered": selectors.recovered_by_agency(case=case).get(transfer.agency_id),
        "days_waiting": selectors.days_waiting(transfer),
        "parties": case.parties.select_related("person", "employer"),
    }
    if roles.director and transfer.status == S.DRAFT:
        context["approve_form"] = bound.get("approve", forms.ApproveForm())
        context["offer_problem"] = services.offer_problem(case, transfer.transfer_type)
    if roles.records and transfer.status == S.APPROVED:
        context["send_form"] = bound.get("send") or forms.SendForm()
    if is_liaison and transfer.status == S.SENT:
        context["ack_form"] = bound.get("ack") or forms.AcknowledgeForm()
    if is_liaison and transfer.status in (S.SENT, S.ACKNOWLEDGED):
        context["outcome_form"] = bound.get("outcome") or forms.OutcomeForm(
            obligations=_payable_obligations(case, transfer),
            initial={"outcome_on": timezone.localdate(), "external_number": transfer.external_number},
        )
        context["return_form"] = bound.get("return") or forms.ReturnForm()
    return render(request, "linkage/transfer_detail.html", context, status=status)


def _payable_obligations(case: Case, transfer: Transfer) -> Any:
    """Payment obligations of the effective agreement, when money recovered through the
    agency can be counted (not through legal aid)."""
    agreement = live_agreement(case)
    if (
        agreement is None
        or agreement.status != mediation_vocab.AgreementStatus.EFFECTIVE
        or transfer.agency.kind not in vocab.CHANNEL_OF_AGENCY_KIND
    ):
        return None
    return agreement.obligations.filter(kind=mediation_vocab.ObligationKind.PAYMENT)


@login_required
@require_GET
def transfer_detail_view(request: HttpRequest, case_id: int, transfer_id: int) -> HttpResponse:
    case = case_get_for_user(case_id=case_id, user=request.user)
    return _transfer_page(request, case, _transfer(request, case, transfer_id))


def _step(
    request: HttpRequest,
    case_id: int,
    transfer_id: int,
    *,
    key: str,
    form_class: Callable[[Any, Case, Transfer], django_forms.Form],
    run: Callable[[Transfer, User, dict[str, Any]], Any],
    success: str,
    staff: bool,
) -> HttpResponse:
    """POST of one step. Staff steps fetch the case for writing (403 for a read-only role);
    liaison steps read it and the service checks the liaison."""
    case = case_get_for_user(case_id=case_id, user=request.user, for_write=staff)
    transfer = _transfer(request, case, transfer_id)
    if not staff and transfer.agency_id not in selectors.liaison_agency_ids(request.user):
        raise PermissionDeniedError(_("只有%s的联络员可以办理。") % transfer.agency.name)
    form = form_class(request.POST, case, transfer)
    status = _submit(form, lambda data: run(transfer, _actor(request), data))
    if status is None:
        messages.success(request, success)
        return redirect(_transfer_url(transfer) if not staff else _case_url(case))
    return _transfer_page(request, case, transfer, bound={key: form}, status=status)


@login_required
@require_POST
def transfer_approve_view(request: HttpRequest, case_id: int, transfer_id: int) -> HttpResponse:
    return _step(
        request,
        case_id,
        transfer_id,
        key="approve",
        form_class=lambda data, case, transfer: forms.ApproveForm(data),
        run=lambda transfer, user, data: services.transfer_approve(transfer=transfer, actor=user),
        success=_("已批准移送函。"),
        staff=True,
    )


@login_required
@require_POST
def transfer_send_view(request: HttpRequest, case_id: int, transfer_id: int) -> HttpResponse:
    return _step(
        request,
        case_id,
        transfer_id,
        key="send",
        form_class=lambda data, case, transfer: forms.SendForm(data),
        run=lambda transfer, user, data: services.transfer_send(
            transfer=transfer, actor=user, sent_on=data["sent_on"], channel=data["channel"]
        ),
        success=_("已登记移送，联动单位可以在收件箱中看到本案。"),
        staff=True,
    )


@login_required
@require_POST
def transfer_acknowledge_view(request: HttpRequest, case_id: int, transfer_id: int) -> HttpResponse:
    return _step(
        request,
        case_id,
        transfer_id,
        key="ack",
        form_class=lambda data, case, transfer: forms.AcknowledgeForm(data),
        run=lambda transfer, user, data: services.transfer_acknowledge(
            transfer=transfer, actor=user, external_number=data["external_number"]
        ),
        success=_("已确认接收。"),
        staff=False,
    )


@login_required
@require_POST
def transfer_outcome_view(request: HttpRequest, case_id: int, transfer_id: int) -> HttpResponse:
    return _step(
        request,
        case_id,
        transfer_id,
        key="outcome",
        form_class=lambda data, case, transfer: forms.OutcomeForm(
            data, obligations=_payable_obligations(case, transfer)
        ),
        run=lambda transfer, user, data: services.transfer_record_outcome(
            transfer=transfer,
            actor=user,
            outcome=data["outcome"],
            outcome_on=data["outcome_on"],
            note=data["note"],
            external_number=data["external_number"],
            amount_recovered=data.get("amount_recovered"),
            obligation=data.get("obligation"),
        ),
        success=_("已反馈处理结果。"),
        staff=False,
    )


@login_required
@require_POST
def transfer_return_view(request: HttpRequest, case_id: int, transfer_id: int) -> HttpResponse:
    return _step(
        request,
        case_id,
        transfer_id,
        key="return",
        form_class=lambda data, case, transfer: forms.ReturnForm(data),
        run=lambda transfer, user, data: services.transfer_return(transfer=transfer, actor=user, reason=data["reason"]),
        success=_("已退回调解中心。"),
        staff=False,
    )


# --- the result reported to a referring court or arbitration commission ---------------------


@login_required
@require_http_methods(["GET", "POST"])
def referral_report_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get_for_user(case_id=case_id, user=request.user, for_write=True)
    if case.source not in vocab.REFERRAL_SOURCES:
        raise Http404
    if ReferralReport.objects.filter(case=case).exists():
        messages.info(request, _("本案已向委派机关反馈过结果。"))
        return redirect(_case_url(case))
    form = forms.ReferralReportForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        refused = _submit(
            form,
            lambda d: services.referral_report(
                case=case,
                actor=_actor(request),
                reported_on=d["reported_on"],
                channel=d["channel"],
                summary=d["summary"],
            ),
        )
        if refused is None:
            messages.success(request, _("已记录向%s的结果反馈。") % (case.referring_body or _("委派机关")))
            return redirect(_case_url(case))
        status = refused
    context = {
        "case": case,
        "form": form,
        "title": _("结果反馈"),
        "intro": _("委派/委托案件结案前，须将调解结果反馈%s（%s）。")
        % (case.referring_body or _("委派机关"), case.source_reference or _("无来源编号")),
        "submit": _("记录结果反馈"),
    }
    return render(request, "linkage/form.html", context, status=status)


# --- the liaison's inbox and the director's overview -----------------------------------------


@login_required
@require_GET
def inbox_view(request: HttpRequest) -> HttpResponse:
    if not selectors.liaison_agency_ids(request.user):
        raise PermissionDeniedError(_("移送收件箱供联动单位的联络员使用。"))
    today = timezone.localdate()
    rows = [(t, selectors.days_waiting(t, today)) for t in selectors.inbox(user=request.user)]
    S = vocab.TransferStatus
    sections = [
        (_("待接收"), [r for r in rows if r[0].status == S.SENT], _("没有待接收的移送。")),
        (_("已接收，待反馈结果"), [r for r in rows if r[0].status == S.ACKNOWLEDGED], _("没有待反馈结果的移送。")),
        (_("已办结"), [r for r in rows if r[0].status not in (S.SENT, S.ACKNOWLEDGED)], _("暂无已办结的移送。")),
    ]
    return render(request, "linkage/inbox.html", {"sections": sections})


def _period(request: HttpRequest) -> forms.PeriodForm:
    today = timezone.localdate()
    given = "from" in request.GET or "to" in request.GET
    data = {
        "date_from": request.GET.get("from", "") if given else today.replace(month=1, day=1).isoformat(),
        "date_to": request.GET.get("to", "") if given else today.isoformat(),
    }
    return forms.PeriodForm(data)


@login_required
@require_GET
def overview_view(request: HttpRequest) -> HttpResponse:
    if not selectors.overview_organizations(request.user):
        raise PermissionDeniedError(_("多方联动统计供中心主任和督导审计查看。"))
    period = _period(request)
    result = None
    status = 400
    if period.is_valid():
        start: dt.date = period.cleaned_data["date_from"]
        end: dt.date = period.cleaned_data["date_to"]
        result = selectors.overview(user=request.user, date_from=start, date_to=end)
        status = 200
    context = {"period": period, "overview": result, "kinds": vocab.AGENCY_KIND_OF_TYPE}
    return render(request, "linkage/overview.html", context, status=status)
