"""Service of documents (送达)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mediation import forms, services
from mediation.views.common import (
    _actor,
    _case,
    _case_url,
    _data,
    _form_page,
)

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
