"""What the mediation app adds to the case pages (cases.ui): the mediation panel of the case
page, the pages of its transitions and the work-list sections. Registered from
MediationConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from cases.models import Case
from cases.selectors import Deadline, WorkSection
from cases.ui import (
    CASE_DEADLINES,
    Panel,
    register_page_prefetch,
    register_panel,
    register_transition_url,
    register_worklist,
)
from cases.workflow import MEDIATION_CLOCK_STATES, Status
from mediation import selectors, vocab
from mediation.services.sessions import pending_extension

#: Before acceptance there is no mediation work to show (a rejection's notices excepted).
_BEFORE_MEDIATION = (Status.DRAFT, Status.REGISTERED, Status.AWAITING_CONSENT)

TRANSITION_PAGES = {
    "draft_agreement": "mediation:draft_agreement",
    "make_effective": "mediation:make_effective",
    "reopen_negotiation": "mediation:reopen_negotiation",
    "confirm_performance": "mediation:confirm_performance",
    "record_non_performance": "mediation:record_non_performance",
    "extend": "mediation:extend",
}


def mediation_panel(request: Any, case: Case) -> Panel | None:
    service_records = selectors.case_service_record_list(case=case)
    if case.status in _BEFORE_MEDIATION and not service_records:
        return None
    agreement = selectors.agreement_view(case=case)
    planned, done = selectors.case_follow_ups(case=case)
    extensions = selectors.case_extension_list(case=case)
    effective = agreement is not None and agreement.agreement.status == vocab.AgreementStatus.EFFECTIVE
    context = {
        "roles": selectors.case_roles(user=request.user, case=case),
        "sessions": selectors.session_rows(case=case),
        "can_schedule": case.status in MEDIATION_CLOCK_STATES,
        "extensions": extensions,
        "pending_extension": pending_extension(case) if case.status == Status.IN_MEDIATION else None,
        "can_request_extension": case.status == Status.IN_MEDIATION,
        "agreement": agreement,
        "effective": effective,
        "money": selectors.case_money(case=case, agreement=agreement),
        "planned_follow_ups": planned,
        "done_follow_ups": done,
        "service_records": service_records,
        "today": timezone.localdate(),
    }
    return Panel("mediation/_panel.html", context, order=20)


def mediation_worklist(*, user: Any, roles: set[str], scoped: QuerySet[Case], limit: int) -> list[WorkSection]:
    sections: list[WorkSection] = []
    if Role.MEDIATOR in roles:
        sections += [
            WorkSection(
                _("今日调解"),
                list(selectors.cases_with_my_session_today(scoped=scoped, user=user)[:limit]),
                _("今天没有安排您参加的调解。"),
                _("按开始时间排序"),
                order=10,
            ),
            WorkSection(
                _("到期未回访"),
                list(selectors.cases_with_follow_up_due(scoped=scoped, user=user)[:limit]),
                _("没有到期未做的回访。"),
                order=25,
            ),
            WorkSection(
                _("待签署的协议"),
                list(selectors.cases_with_agreement_to_sign(scoped=scoped, user=user)[:limit]),
                _("没有待签署的调解协议。"),
                order=30,
            ),
        ]
    if Role.DIRECTOR in roles:
        sections += [
            WorkSection(
                _("待审批的延期"),
                list(selectors.cases_with_pending_extension(scoped=scoped)[:limit]),
                _("没有待审批的延期申请。"),
                order=30,
            ),
            WorkSection(
                _("待加盖印章的协议"),
                list(selectors.cases_awaiting_seal(scoped=scoped)[:limit]),
                _("没有待加盖印章的协议。"),
                _("双方当事人和调解员均已签名"),
                order=32,
            ),
        ]
    return sections


def mediation_deadlines(case: Case) -> list[Deadline]:
    """Clock E while its window is open, and the next unperformed obligation's due date."""
    from mediation.services.agreements import live_agreement
    from mediation.services.performance import is_performed

    agreement = live_agreement(case)
    if agreement is None or agreement.status != vocab.AgreementStatus.EFFECTIVE:
        return []
    items = []
    today = timezone.localdate()
    if agreement.judicial_confirmation_due_on and agreement.judicial_confirmation_due_on >= today:
        items.append(Deadline(_("申请司法确认期限（协议生效后30日）"), agreement.judicial_confirmation_due_on))
    if case.status in (Status.AGREEMENT_EFFECTIVE, Status.NOT_PERFORMED):
        pending = [(o.due_on, o) for o in agreement.obligations.all() if o.due_on and not is_performed(o)]
        if pending:
            due_on, first = min(pending, key=lambda pair: pair[0])
            items.append(Deadline(_("履行期限：%s") % first.description, due_on))
    return items


def register() -> None:
    register_page_prefetch(selectors.page_prefetches)
    register_panel(mediation_panel)
    register_worklist(mediation_worklist)
    if mediation_deadlines not in CASE_DEADLINES:
        CASE_DEADLINES.append(mediation_deadlines)
    for name, url_name in TRANSITION_PAGES.items():
        register_transition_url(name, url_name)
