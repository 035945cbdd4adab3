from typing import Any

from django.http import HttpRequest

from accounts.access import primary_membership


def current_membership(request: HttpRequest) -> dict[str, Any]:
    return {"current_membership": primary_membership(request.user)}
