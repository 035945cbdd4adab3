"""Reads of organisations' staff."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Membership, Organization, User


def staff_of(*, organization: Organization, role: str) -> QuerySet[User]:
    """Active users holding `role` over `organization` (a role in an ancestor covers it):
    the people who may be chosen as mediator or clerk of its cases."""
    members = Membership.objects.filter(role=role, active=True, organization_id__in=organization.ancestor_ids()).values(
        "user_id"
    )
    return User.objects.filter(pk__in=members, is_active=True).order_by("username")
