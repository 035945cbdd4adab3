"""Helpers shared by the mediation views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms as django_forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.models import User
from cases.models import Case
from cases.selectors import case_get_for_user
from core.exceptions import ApplicationError
from mediation.models import MediationSession

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
