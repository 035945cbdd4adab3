"""The agreement: clauses, obligations, signatures, seal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.models import Case
from core.exceptions import ApplicationError
from mediation import forms, selectors, services
from mediation.models import Agreement
from mediation.services.agreements import live_agreement
from mediation.views.common import (
    Run,
    _actor,
    _agreement_url,
    _apply_errors,
    _case,
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
