from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from accounts.access import roles_for_organization
from accounts.models import Role, User
from cases.models import Case
from cases.workflow import Status
from core.exceptions import ConflictError, PermissionDeniedError


def require_role(actor: User, case: Case, roles: Iterable[str], action: str) -> None:
    if not roles_for_organization(actor, case.organization) & set(roles):
        raise PermissionDeniedError(_("您无权对本案%s。") % action)


def current_status(case_or_id: Case | int) -> str:
    """The case's status as stored now (the caller's object may be older)."""
    pk = case_or_id.pk if isinstance(case_or_id, Case) else case_or_id
    return str(Case.objects.values_list("status", flat=True).get(pk=pk))


def require_status(case: Case, states: Iterable[str], action: str) -> str:
    status = current_status(case)
    if status not in set(states):
        raise ConflictError(
            _("案件当前状态为“%(state)s”，不能%(action)s。") % {"state": Status(status).label, "action": action}
        )
    return status


def is_mediator_of(actor: User, case: Case) -> bool:
    return case.assignments.filter(user=actor, active=True).exists()


STAFF = (Role.MEDIATOR, Role.CLERK, Role.DIRECTOR)
