from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.exceptions import ApplicationError


class ApplicationErrorMiddleware:
    """A refusal that escapes a view (403 read-only role, 409 state conflict) becomes a page
    that says why, never a 500."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ApplicationError):
            return render(request, "error.html", {"message": exception.message}, status=exception.status_code)
        return None


class LanguageMiddleware:
    """Simplified Chinese unless the user chose another language with the switch (cookie).
    Unlike django's LocaleMiddleware it ignores the browser's Accept-Language, so a clerk on
    an English-language browser still gets the Chinese interface by default."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", code)
        return response
