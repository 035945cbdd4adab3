"""Errors that services raise; views and the API turn them into messages and status codes."""

from __future__ import annotations


class ApplicationError(Exception):
    """A rule of the domain refused the request. The message is for the user (Chinese)."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class PermissionDeniedError(ApplicationError):
    """The user sees the object but may not do this to it (HTTP 403)."""

    status_code = 403
    code = "forbidden"


class ConflictError(ApplicationError):
    """The object's state changed or does not allow this (HTTP 409)."""

    status_code = 409
    code = "conflict"
