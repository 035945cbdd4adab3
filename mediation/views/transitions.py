"""Pages that fire a case transition of the mediation work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases.models import Case
from cases.workflow import TRANSITIONS, blockers
from mediation import forms, selectors, services
from mediation.services.agreements import effectiveness_blockers
from mediation.services.sessions import pending_extension
from mediation.views.common import (
    _actor,
    _agreement_url,
    _case,
    _case_url,
    _data,
    _form_page,
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
