"""Payments, non-monetary performance and follow-ups."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases.models import Case
from mediation import forms, selectors, services
from mediation.views.common import (
    _actor,
    _case,
    _case_url,
    _data,
    _form_page,
)

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
