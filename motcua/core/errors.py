"""Domain errors: one machine-readable code and a message a citizen or officer understands.

Services raise these; interfaces translate them (the API into `{"code", "message"}` with a
4xx status, pages into a message). Messages are lazily translated so they follow the
request's language (Vietnamese by default, English on request).
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    """Base class. `code` is stable (API clients switch on it); `message` is for people."""

    code: str = "error"
    status: int = 400

    def __init__(self, message: str | Promise, *, code: str | None = None, **params: Any) -> None:
        self.message = message
        if code is not None:
            self.code = code
        self.params = params
        super().__init__(str(message))

    def render(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text


class ValidationError(DomainError):
    code = "invalid"
    status = 400

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(message, code=code, **params)
        self.errors = errors or []


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    """Someone else changed the object first; the caller should reload and retry."""

    code = "conflict"
    status = 409


class IllegalTransition(DomainError):
    code = "illegal_transition"
    status = 409


class AppendOnlyViolation(TypeError):
    """Code tried to change or delete a row of an append-only table (the dossier trail, the
    audit events, the personal-data access log). A programming error, never a user's: it is
    not a `DomainError`, so the API answers 500 rather than a polite 4xx. The database refuses
    the same on its own (triggers), for anything that bypasses the models."""
