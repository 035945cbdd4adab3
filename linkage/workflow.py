"""What linkage adds to the case: liaisons see the cases transferred to their agency, and a
referred case closes only after its result was reported to the referring body."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.access import CASE_SCOPE_EXTENSIONS
from accounts.models import Membership, Role
from cases.models import Case
from cases.workflow import register_guard
from linkage import vocab
from linkage.models import ReferralReport, Transfer


def liaison_scope(memberships: list[Membership]) -> Q | None:
    agencies = [m.agency_id for m in memberships if m.role == Role.LIAISON and m.agency_id]
    if not agencies:
        return None
    transferred = Transfer.objects.filter(agency_id__in=agencies, status__in=vocab.VISIBLE_TO_AGENCY)
    return Q(pk__in=transferred.values("case_id"))


@register_guard("submit_closure")
def _referral_result_reported(case: Case) -> str | None:
    if case.source in vocab.REFERRAL_SOURCES and not ReferralReport.objects.filter(case=case).exists():
        return _("委派/委托案件结案前须向%s反馈调解结果。") % (case.referring_body or _("委派机关"))
    return None


def register() -> None:
    if liaison_scope not in CASE_SCOPE_EXTENSIONS:
        CASE_SCOPE_EXTENSIONS.append(liaison_scope)
