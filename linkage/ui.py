"""What linkage adds to the case pages (cases.ui): the 多方联动 panel of the case page and the
liaison's work-list sections. Registered from LinkageConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from accounts.models import Role
from cases.models import Case
from cases.selectors import WorkSection
from cases.ui import Panel, register_panel, register_worklist
from cases.workflow import Status
from linkage import selectors, vocab
from linkage.models import ReferralReport
from mediation.selectors import case_roles


def linkage_panel(request: Any, case: Case) -> Panel | None:
    if case.status == Status.DRAFT:
        return None
    user = request.user
    transfers = list(selectors.case_transfers(case=case, user=user))
    as_staff = selectors.reads_as_staff(user, case)
    referred = case.source in vocab.REFERRAL_SOURCES
    if not transfers and not as_staff:
        return None
    roles = case_roles(user=user, case=case)
    by_agency = selectors.recovered_by_agency(case=case)
    report = ReferralReport.objects.filter(case=case).select_related("reported_by").first() if referred else None
    context = {
        "rows": [(t, by_agency.get(t.agency_id)) for t in transfers],
        "roles": roles,
        "as_staff": as_staff,
        "can_draft": roles.records and case.status not in (Status.CLOSED, Status.ARCHIVED),
        "channels": selectors.recovered_by_channel_labelled(case=case) if as_staff else [],
        "liaison_agencies": selectors.liaison_agency_ids(user),
        "referred": referred and as_staff,
        "report": report,
        "can_report": referred and report is None and (roles.records or roles.director),
        "can_overview": as_staff and bool(selectors.overview_organizations(user)),
    }
    return Panel("linkage/_panel.html", context, order=30)


def linkage_worklist(*, user: Any, roles: set[str], scoped: QuerySet[Case], limit: int) -> list[WorkSection]:
    sections = _staff_sections(roles=roles, scoped=scoped, limit=limit)
    if Role.LIAISON not in roles:
        return sections
    hint = format_html('<a href="{}">{}</a>', reverse("linkage:inbox"), _("打开移送收件箱"))
    sent = selectors.cases_with_transfers(scoped=scoped, user=user, status=vocab.TransferStatus.SENT)
    acknowledged = selectors.cases_with_transfers(scoped=scoped, user=user, status=vocab.TransferStatus.ACKNOWLEDGED)
    return [
        *sections,
        WorkSection(_("待接收的移送"), list(sent[:limit]), _("没有待接收的移送。"), hint, order=10),
        WorkSection(_("待反馈结果"), list(acknowledged[:limit]), _("没有待反馈结果的移送。"), order=10),
    ]


def _staff_sections(*, roles: set[str], scoped: QuerySet[Case], limit: int) -> list[WorkSection]:
    """Letters waiting for the director's approval, approved letters waiting to be sent."""
    sections = []
    if Role.DIRECTOR in roles:
        sections.append(
            WorkSection(
                _("待审批的移送函"),
                list(selectors.cases_with_own_transfers(scoped=scoped, status=vocab.TransferStatus.DRAFT)[:limit]),
                _("没有待审批的移送函。"),
                order=33,
            )
        )
    if Role.CLERK in roles or Role.MEDIATOR in roles:
        sections.append(
            WorkSection(
                _("已审批、待登记移送"),
                list(selectors.cases_with_own_transfers(scoped=scoped, status=vocab.TransferStatus.APPROVED)[:limit]),
                _("没有待登记移送的案件。"),
                order=52,
            )
        )
    return sections


def register() -> None:
    register_panel(linkage_panel)
    register_worklist(linkage_worklist)
