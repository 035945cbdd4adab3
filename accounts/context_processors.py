from typing import Any

from django.http import HttpRequest

from accounts.access import active_memberships, primary_membership
from accounts.models import Role


def current_membership(request: HttpRequest) -> dict[str, Any]:
    roles = {m.role for m in active_memberships(request.user)} if request.user.is_authenticated else set()
    return {
        "current_membership": primary_membership(request.user),
        # what the main navigation offers (each page checks again)
        "nav": {
            "history": bool(roles & {Role.AUDITOR, Role.DIRECTOR}),
            "dashboard": bool(roles & {Role.AUDITOR, Role.DIRECTOR}),
            "import": Role.DIRECTOR in roles,
            "upward": Role.DIRECTOR in roles,
        },
    }
