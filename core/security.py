"""HTTP hardening that is not a Django setting (docs/deployment.md, RELIABILITY.md T25):
no caching of personal data, and the login lockout (django-axes) in the project's own words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class NoStoreMiddleware:
    """Every page and API answer of this application carries case or personal data, or a
    form: browsers and proxies must not keep a copy (`Cache-Control: no-store`). Static files
    are answered earlier by WhiteNoise with their own long-lived headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        return response


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' check before the password is even looked at. Only logins that come with a
    request (the login page, the API token endpoint) have a client address to count by;
    `Client.login` in tests and shell scripts pass none and are not throttled."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)  # type: ignore[arg-type]


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """429 after too many failed logins: the API's error shape under /api/, a page otherwise."""
    minutes = max(1, round(float(settings.AXES_COOLOFF_TIME or 0) * 60))
    message = _("登录失败次数过多，该账号在本机已被暂时锁定，请 %(minutes)d 分钟后再试。") % {"minutes": minutes}
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"error": {"code": "throttled", "message": message, "fields": {}}}, status=429
        )
    else:
        response = render(request, "error.html", {"message": message}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
