"""Corrections on the case page while the case is editable (草稿/待审查): add, correct or
remove a party or a claim. Thin: parse, call one service, redirect to the case page; every
refusal of a service lands on the field it concerns."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from cases import selectors, services, vocab
from cases.edit_forms import ApplicantForm, ClaimEditForm, PartyEditForm, RespondentForm
from cases.models import Case, CaseParty, ClaimItem
from core.exceptions import ApplicationError


def _editable_case(request: HttpRequest, case_id: int) -> Case:
    """The case, for a writer (else 403/404 as everywhere); a case past the editable states
    sends the clerk back to its page with the reason."""
    return selectors.case_get_for_user(case_id=case_id, user=request.user, for_write=True)


def _refused(form: forms.Form, exc: ApplicationError) -> None:
    for field, errors in exc.fields.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
    if not exc.fields:
        form.add_error(None, exc.message)


def _page(request: HttpRequest, case: Case, form: forms.Form, *, title: str, submit: str, status: int) -> HttpResponse:
    return render(
        request,
        "cases/edit_form.html",
        {"case": case, "form": form, "title": title, "submit": submit, "editable": services.is_editable(case)},
        status=status,
    )


def _done(request: HttpRequest, case: Case, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("cases:detail", case_id=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def party_add_view(request: HttpRequest, case_id: int, side: str) -> HttpResponse:
    if side not in (vocab.Side.APPLICANT, vocab.Side.RESPONDENT):
        raise Http404
    case = _editable_case(request, case_id)
    actor = cast(User, request.user)
    form_class = ApplicantForm if side == vocab.Side.APPLICANT else RespondentForm
    form = form_class(request.POST if request.method == "POST" else None)
    title = _("增加申请人") if side == vocab.Side.APPLICANT else _("增加被申请人")
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            if not data.get("name"):
                raise ApplicationError(_("请填写名称。"), fields={"name": [_("请填写名称。")]})
            with transaction.atomic():
                if side == vocab.Side.APPLICANT:
                    person = services.person_get_or_create(actor=actor, **data)
                    services.case_party_add(case=case, actor=actor, side=side, person=person)
                else:
                    employer = services.employer_get_or_create(actor=actor, **data)
                    services.case_party_add(case=case, actor=actor, side=side, employer=employer)
        except ApplicationError as exc:
            _refused(form, exc)
            return _page(request, case, form, title=title, submit=_("保存"), status=exc.status_code)
        return _done(request, case, _("已增加当事人“%s”。") % data["name"])
    return _page(request, case, form, title=title, submit=_("保存"), status=400 if request.method == "POST" else 200)


def _party(case: Case, party_id: int) -> CaseParty:
    party = case.parties.select_related("person", "employer").filter(pk=party_id).first()
    if party is None:
        raise Http404
    return party


@login_required
@require_http_methods(["GET", "POST"])
def party_edit_view(request: HttpRequest, case_id: int, party_id: int) -> HttpResponse:
    case = _editable_case(request, case_id)
    party = _party(case, party_id)
    form = PartyEditForm(request.POST if request.method == "POST" else None, party=party)
    title = _("修改当事人：%s") % party.name
    if request.method == "POST" and form.is_valid():
        try:
            services.case_party_update(party=party, actor=cast(User, request.user), changes=form.service_data())
        except ApplicationError as exc:
            _refused(form, exc)
            return _page(request, case, form, title=title, submit=_("保存"), status=exc.status_code)
        return _done(request, case, _("已修改当事人“%s”。") % party.name)
    return _page(request, case, form, title=title, submit=_("保存"), status=400 if request.method == "POST" else 200)


def _claim(case: Case, claim_id: int) -> ClaimItem:
    claim = case.claims.filter(pk=claim_id).first()
    if claim is None:
        raise Http404
    return claim


@login_required
@require_http_methods(["GET", "POST"])
def claim_add_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _editable_case(request, case_id)
    form = ClaimEditForm(request.POST if request.method == "POST" else None, case=case)
    title = _("增加请求事项")
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_add(case=case, actor=cast(User, request.user), **form.service_data())
        except ApplicationError as exc:
            _refused(form, exc)
            return _page(request, case, form, title=title, submit=_("保存"), status=exc.status_code)
        return _done(request, case, _("已增加请求事项。"))
    return _page(request, case, form, title=title, submit=_("保存"), status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def claim_edit_view(request: HttpRequest, case_id: int, claim_id: int) -> HttpResponse:
    case = _editable_case(request, case_id)
    claim = _claim(case, claim_id)
    form = ClaimEditForm(request.POST if request.method == "POST" else None, case=case, claim=claim)
    title = _("修改请求事项")
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_update(claim=claim, actor=cast(User, request.user), changes=form.service_data())
        except ApplicationError as exc:
            _refused(form, exc)
            return _page(request, case, form, title=title, submit=_("保存"), status=exc.status_code)
        return _done(request, case, _("已修改请求事项。"))
    return _page(request, case, form, title=title, submit=_("保存"), status=400 if request.method == "POST" else 200)


def _confirm(request: HttpRequest, case: Case, what: str, error: str = "", status: int = 200) -> HttpResponse:
    return render(
        request,
        "cases/confirm_remove.html",
        {"case": case, "what": what, "error": error, "editable": services.is_editable(case)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def party_remove_view(request: HttpRequest, case_id: int, party_id: int) -> HttpResponse:
    case = _editable_case(request, case_id)
    party = _party(case, party_id)
    what: Any = _("当事人“%(name)s”（%(side)s）") % {"name": party.name, "side": party.get_side_display()}
    if request.method == "POST":
        try:
            services.case_party_remove(party=party, actor=cast(User, request.user))
        except ApplicationError as exc:
            return _confirm(request, case, what, exc.message, exc.status_code)
        return _done(request, case, _("已删除%s。") % what)
    return _confirm(request, case, what)


@login_required
@require_http_methods(["GET", "POST"])
def claim_remove_view(request: HttpRequest, case_id: int, claim_id: int) -> HttpResponse:
    case = _editable_case(request, case_id)
    claim = _claim(case, claim_id)
    what = _("请求事项“%s”") % claim.description
    if request.method == "POST":
        try:
            services.claim_remove(claim=claim, actor=cast(User, request.user))
        except ApplicationError as exc:
            return _confirm(request, case, what, exc.message, exc.status_code)
        return _done(request, case, _("已删除%s。") % what)
    return _confirm(request, case, what)
