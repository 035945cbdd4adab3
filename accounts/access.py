"""Who may see and do what, by role and organisation. Every scoped read goes through here.

Town staff see their town; district staff see the district and its towns; auditors read
everything in their scope and write nothing; liaisons see only cases transferred to their
agency (the linkage app registers that rule); admins configure and see no case content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Q

from accounts.models import CASE_READER_ROLES, CASE_WRITER_ROLES, Membership, Organization, Role

#: Extra scope rules contributed by higher layers (linkage adds "cases transferred to my
#: agency"). Each takes the user's active memberships and returns a Q over Case, or None.
CASE_SCOPE_EXTENSIONS: list[Callable[[list[Membership]], Q | None]] = []


def active_memberships(user: Any) -> list[Membership]:
    """The user's active memberships, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_active_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, active=True).select_related(
                "organization", "organization__parent", "agency"
            )
        )
        user._active_memberships = cached
    return cached


def _org_subtree_ids(organizations: Iterable[Organization]) -> set[int]:
    ids: set[int] = set()
    for org in organizations:
        if org.pk not in ids:
            ids.update(org.subtree_ids())
    return ids


def case_scope_q(user: Any) -> Q | None:
    """A filter over Case for what `user` may read, or None when they may read nothing."""
    memberships = active_memberships(user)
    orgs = [m.organization for m in memberships if m.role in CASE_READER_ROLES and m.organization]
    clauses: list[Q] = []
    if orgs:
        clauses.append(Q(organization_id__in=_org_subtree_ids(orgs)))
    for extension in CASE_SCOPE_EXTENSIONS:
        extra = extension(memberships)
        if extra is not None:
            clauses.append(extra)
    if not clauses:
        return None
    result = clauses[0]
    for clause in clauses[1:]:
        result |= clause
    return result


def roles_for_organization(user: Any, organization: Organization) -> set[str]:
    """Roles the user holds over `organization` (a role in an ancestor covers its subtree)."""
    ancestors = set(organization.ancestor_ids())
    return {
        m.role for m in active_memberships(user) if m.organization_id is not None and m.organization_id in ancestors
    }


def can_write_cases_of(user: Any, organization: Organization) -> bool:
    return bool(roles_for_organization(user, organization) & CASE_WRITER_ROLES)


def primary_membership(user: Any) -> Membership | None:
    """The membership shown in the header and used for the landing page."""
    memberships = active_memberships(user)
    order = [Role.DIRECTOR, Role.MEDIATOR, Role.CLERK, Role.LIAISON, Role.AUDITOR, Role.ADMIN]
    return min(memberships, key=lambda m: order.index(Role(m.role)), default=None)


def organizations_in_scope(user: Any) -> list[Organization]:
    """Organisations whose cases the user reads (for filters), ordered by code."""
    orgs = [m.organization for m in active_memberships(user) if m.role in CASE_READER_ROLES and m.organization]
    return list(Organization.objects.filter(pk__in=_org_subtree_ids(orgs)).order_by("level", "code"))
