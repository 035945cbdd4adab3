"""Case pages. Thin: parse, call one selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import organizations_in_scope, primary_membership
from accounts.models import Role
from cases import selectors, services, vocab
from cases.forms import form_for
from cases.ui import panels_for
from cases.workflow import TRANSITIONS, WIRED_TRANSITIONS, Status
from core.exceptions import ApplicationError

PAGE_SIZE = 50
FILTER_KEYS = ("q", "status", "organization", "dispute_type", "received_from", "received_to", "overdue", "order")


@login_required
def case_list_view(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in FILTER_KEYS}
    cases = selectors.case_list(user=request.user, filters=filters)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    organizations = organizations_in_scope(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": Status.choices,
            "dispute_types": vocab.DisputeType.choices,
            "organizations": organizations,
            "querystring": query.urlencode(),
        },
    )


@login_required
def case_detail_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_user(case_id=case_id, user=request.user)
    parties = case.parties.select_related("person", "employer")
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "applicants": [p for p in parties if p.side == vocab.Side.APPLICANT],
            "respondents": [p for p in parties if p.side != vocab.Side.APPLICANT],
            "claims": case.claims.all(),
            "claimed_total": selectors.case_claimed_total(case=case),
            "assignments": case.assignments.filter(active=True).select_related("user"),
            "deadlines": selectors.case_deadlines(case=case),
            "alerts": selectors.case_open_alerts(case=case),
            "actions": selectors.case_available_transitions(case=case, user=request.user),
            "timeline": selectors.case_timeline(case=case),
            "panels": panels_for(request, case),
        },
    )


def _run(name: str, case: Any, user: Any, form: Any) -> Any:
    data = form.cleaned_data
    note = data.get("note", "")
    if name == "register":
        return services.case_register(case=case, actor=user)
    if name == "seek_consent":
        return services.case_seek_consent(case=case, actor=user, note=note)
    if name == "accept":
        return services.case_accept(
            case=case, actor=user, mediators=form.mediators(), clerk=data.get("clerk"), note=note
        )
    if name == "reject":
        return services.case_reject(case=case, actor=user, reason_code=data["reason_code"], note=note)
    if name == "withdraw":
        return services.case_withdraw(case=case, actor=user, reason_code=data["reason_code"], note=note)
    if name == "terminate":
        return services.case_terminate(case=case, actor=user, reason_code=data["reason_code"], note=note)
    if name == "submit_closure":
        return services.case_submit_closure(case=case, actor=user, note=note)
    if name == "approve_closure":
        return services.case_approve_closure(case=case, actor=user, note=note)
    if name == "return_closure":
        return services.case_return_closure(case=case, actor=user, comment=note)
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def case_transition_view(request: HttpRequest, case_id: int, name: str) -> HttpResponse:
    if name not in WIRED_TRANSITIONS:
        raise Http404
    case = selectors.case_get_for_user(case_id=case_id, user=request.user, for_write=True)
    spec = TRANSITIONS[name]
    form = form_for(name, case, request.POST if request.method == "POST" else None)
    status = 200 if request.method == "GET" else 400
    if request.method == "POST" and form.is_valid():
        try:
            case = _run(name, case, request.user, form)
        except ApplicationError as exc:
            status = exc.status_code
            for field, errors in exc.fields.items():
                target = field if field in form.fields else None
                for error in errors:
                    form.add_error(target, error)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("已完成“%(action)s”，案件状态：%(state)s。")
                % {"action": spec.label, "state": case.get_status_display()},
            )
            return redirect("cases:detail", case_id=case.pk)
    return render(request, "cases/transition_form.html", {"case": case, "spec": spec, "form": form}, status=status)


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    """Each role's work list: what is due first."""
    membership = primary_membership(request.user)
    if membership is not None and membership.role == Role.ADMIN:
        return redirect("admin:index")
    sections = selectors.worklist(user=request.user)
    return render(request, "cases/home.html", {"sections": sections, "membership": membership})
