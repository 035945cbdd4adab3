"""Case pages. Thin: parse, call one selector or service, render."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import can_write_cases_of, organizations_in_scope, primary_membership
from accounts.models import Role, User
from cases import history, reveal, selectors, services, vocab
from cases.forms import form_for
from cases.intake import case_intake, intake_duplicates
from cases.intake_forms import ApplicantFormSet, CaseIntakeForm, ClaimFormSet, RespondentForm
from cases.ui import panels_for
from cases.workflow import TRANSITIONS, WIRED_TRANSITIONS, Status
from core.exceptions import ApplicationError, PermissionDeniedError

PAGE_SIZE = 50
FILTER_KEYS = ("q", "qh", "status", "organization", "dispute_type", "received_from", "received_to", "overdue", "order")


@login_required
@require_http_methods(["GET", "POST"])
def case_list_view(request: HttpRequest) -> HttpResponse:
    """The search form posts; the answer is a redirect to the list's URL, in which a search by
    ID number or phone appears only as its keyed hash (`qh`)."""
    source = request.POST if request.method == "POST" else request.GET
    token = selectors.personal_search_token(source.get("q", ""))
    if request.method == "POST" or token:
        params = {key: source.get(key, "").strip() for key in FILTER_KEYS if source.get(key, "").strip()}
        if params.get("q"):  # a new search replaces an earlier one by ID number or phone
            params.pop("qh", None)
        if token:
            params.pop("q", None)
            params["qh"] = token
        return redirect(f"{reverse('cases:list')}?{urlencode(params)}" if params else reverse("cases:list"))
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
    case = selectors.case_get_for_page(case_id=case_id, user=request.user)
    parties = selectors.case_parties(case=case)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "applicants": [p for p in parties if p.side == vocab.Side.APPLICANT],
            "respondents": [p for p in parties if p.side != vocab.Side.APPLICANT],
            "claims": selectors.case_claims(case=case),
            "claimed_total": selectors.case_claimed_total(case=case),
            "assignments": selectors.case_active_assignments(case=case),
            "deadlines": selectors.case_deadlines(case=case),
            "alerts": selectors.case_open_alerts(case=case),
            "actions": selectors.case_available_transitions(case=case, user=request.user),
            "timeline": selectors.case_timeline(case=case),
            "panels": panels_for(request, case),
            "may_reveal": reveal.may_reveal(request.user, case),
            "may_edit": services.is_editable(case) and can_write_cases_of(request.user, case.organization),
            "may_browse_history": history.may_browse(request.user, case.organization),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def party_reveal_view(request: HttpRequest, case_id: int, party_id: int) -> HttpResponse:
    """查看完整证件号码/电话: a reason first, then the one value. With htmx the form and the
    value replace the masked value in the party table; without, they are pages of their own.
    The value is only ever in the response body (never in a URL, a message or a log)."""
    partial = request.headers.get("HX-Request") == "true"
    field = (request.POST.get("field") if request.method == "POST" else request.GET.get("field")) or ""
    reason = request.POST.get("reason", "")
    context: dict[str, Any] = {"field": field, "reason": reason, "partial": partial, "errors": {}}
    status = 200
    if request.method == "POST":
        try:
            revealed = reveal.personal_data_reveal(
                case_id=case_id,
                party_id=party_id,
                field=field,
                reason=reason,
                actor=cast(User, request.user),
                remote_addr=str(request.META.get("REMOTE_ADDR", "")),
            )
        except PermissionDeniedError as exc:
            if not partial:
                raise
            return render(request, "cases/_reveal_refused.html", {"message": exc.message}, status=exc.status_code)
        except ApplicationError as exc:
            status = exc.status_code
            context["errors"] = exc.fields
            context["message"] = exc.message
        else:
            template = "cases/_revealed.html" if partial else "cases/reveal.html"
            return render(request, template, {**context, **_revealed_context(revealed)})
    case, party = reveal.reveal_target_get(case_id=case_id, party_id=party_id, user=request.user)
    if not reveal.may_reveal(request.user, case):
        raise PermissionDeniedError(_("您的角色不能查看完整的个人信息。"))
    context.update(case=case, party=party, field_label=_field_label(field), min_length=reveal.MIN_REASON_LENGTH)
    template = "cases/_reveal_form.html" if partial else "cases/reveal.html"
    return render(request, template, context, status=status)


def _field_label(field: str) -> str:
    from cases.models import RevealField

    return str(RevealField(field).label) if field in RevealField.values else ""


def _revealed_context(revealed: reveal.Revealed) -> dict[str, Any]:
    return {
        "case": revealed.case,
        "party": revealed.party,
        "value": revealed.value,
        "field": revealed.field,
        "field_label": _field_label(revealed.field),
        "revealed": True,
    }


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


def _writable_organizations(user: Any) -> list[Any]:
    return [org for org in organizations_in_scope(user) if can_write_cases_of(user, org)]


def _file_intake_errors(
    errors: dict[str, list[str]],
    *,
    form: Any,
    respondent: Any,
    rows: dict[str, tuple[Any, list[int]]],
    sections: dict[str, list[str]],
) -> None:
    """Put each message of case_intake next to its field ("claims-1-amount" → the amount of
    the claim row the clerk filled second, whatever blank rows lie between)."""
    for key, messages_ in errors.items():
        head, _sep, rest = key.partition("-")
        if head in rows and rest:
            formset, filled = rows[head]
            index, _sep, field = rest.partition("-")
            row = formset.forms[filled[int(index)]]
            for message in messages_:
                row.add_error(field if field in row.fields else None, message)
        elif head == "respondent" and rest:
            for message in messages_:
                respondent.add_error(rest if rest in respondent.fields else None, message)
        elif key in sections:
            sections[key].extend(messages_)
        else:
            for message in messages_:
                form.add_error(key if key in form.fields else None, message)


@login_required
@require_http_methods(["GET", "POST"])
def case_new_view(request: HttpRequest) -> HttpResponse:
    """登记申请: the clerk types in a new application; it is saved as a draft (草稿)."""
    organizations = _writable_organizations(request.user)
    if not organizations:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = CaseIntakeForm(data, organizations=organizations)
    applicants = ApplicantFormSet(data, prefix="applicants")
    respondent = RespondentForm(data, prefix="respondent")
    claims = ClaimFormSet(data, prefix="claims")
    sections: dict[str, list[str]] = {"applicants": [], "claims": []}
    status = 200
    if request.method == "POST":
        status = 400
        if all([form.is_valid(), applicants.is_valid(), respondent.is_valid(), claims.is_valid()]):
            filled_applicants = [i for i, row in enumerate(applicants.forms) if not row.is_blank()]
            filled_claims = [i for i, row in enumerate(claims.forms) if not row.is_blank()]
            header = form.service_data()
            organization = header.pop("organization")
            try:
                case = case_intake(
                    actor=cast(User, request.user),
                    organization=organization,
                    applicants=[applicants.forms[i].service_data() for i in filled_applicants],
                    respondent=respondent.service_data(),
                    claims=[claims.forms[i].service_data() for i in filled_claims],
                    **header,
                )
            except ApplicationError as exc:
                status = exc.status_code
                _file_intake_errors(
                    exc.fields,
                    form=form,
                    respondent=respondent,
                    rows={"applicants": (applicants, filled_applicants), "claims": (claims, filled_claims)},
                    sections=sections,
                )
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("申请已保存为草稿。请核对后点击“登记”。"))
                duplicates = list(intake_duplicates(case=case, user=request.user)[:5])
                if duplicates:
                    messages.warning(
                        request,
                        _("可能重复申请：同一申请人与同一用人单位之间已有未结案件（%s），请核对。")
                        % "、".join(
                            f"{c.organization.name} {c.case_number or c.registry_number or _('草稿 #%s') % c.pk}"
                            for c in duplicates
                        ),
                    )
                return redirect("cases:detail", case_id=case.pk)
    return render(
        request,
        "cases/case_new.html",
        {
            "form": form,
            "applicants": applicants,
            "respondent": respondent,
            "claims": claims,
            "section_errors": sections,
            "has_errors": status != 200,
        },
        status=status,
    )


def _history_scope(request: HttpRequest) -> set[int]:
    org_ids = history.organization_ids(request.user)
    if not org_ids:
        raise PermissionDeniedError(_("只有督导审计、中心主任和系统管理员可以查看变更记录。"))
    return org_ids


@login_required
@never_cache
@require_GET
def history_view(request: HttpRequest) -> HttpResponse:
    """变更记录: every change to the cases in scope, newest first, 50 a page."""
    org_ids = _history_scope(request)
    filters, errors = history.HistoryFilters.parse(request.GET)
    try:
        page = max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        page = 1
    entries = history.history_entries(
        org_ids=org_ids, filters=filters, offset=(page - 1) * history.PAGE_SIZE, limit=history.PAGE_SIZE + 1
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/history.html",
        {
            "entries": entries[: history.PAGE_SIZE],
            "has_next": len(entries) > history.PAGE_SIZE,
            "page_number": page,
            "filters": filters,
            "errors": errors,
            "kinds": history.Kind.choices,
            "users": history.history_users(org_ids),
            "querystring": query.urlencode(),
        },
        status=400 if errors else 200,
    )


@login_required
@never_cache
@require_GET
def history_export_view(request: HttpRequest) -> HttpResponse:
    """The filtered history as CSV (UTF-8 with BOM), masked like the page."""
    org_ids = _history_scope(request)
    filters, _errors = history.HistoryFilters.parse(request.GET)
    body = history.history_csv(org_ids=org_ids, filters=filters)
    response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="history-{stamp}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
