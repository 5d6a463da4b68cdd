"""Domain errors raised by services and selectors.

Each carries a machine ``code`` (stable, part of the API contract), an HTTP status,
a translatable message and optional per-field errors. The API turns them into RFC
9457 problem details; the UI shows the message in the user's language.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override


class DomainError(Exception):
    status = 400
    code = "invalid"
    default_message: str | Promise = _("The request is not valid.")
    #: Keep the request's writes even though it fails (e.g. a review case opened by a 409).
    commits = False

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        errors: dict[str, list[Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.errors = errors or {}
        self.extra = extra or {}
        super().__init__(str(self.message))

    def message_in(self, language: str) -> str:
        with override(language):
            return str(self.message)

    def __str__(self) -> str:
        return str(self.message)


class InvalidInput(DomainError):
    status = 400
    code = "invalid"


class NotFound(DomainError):
    """A missing row and another partner's row look the same (STYLE habit 4)."""

    status = 404
    code = "not_found"
    default_message = _("Not found.")


class Forbidden(DomainError):
    status = 403
    code = "permission_denied"
    default_message = _("You do not have permission to perform this action.")


class NotAuthenticated(Forbidden):
    """Refused because no one is signed in: the API answers 401 with its challenge, the
    browser goes to sign in; code that refuses on Forbidden refuses this too."""

    status = 401
    code = "not_authenticated"
    default_message = _("Sign in first.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _("The request conflicts with the current state.")


def field_errors(field: str, *messages: str | Promise) -> dict[str, list[str | Promise]]:
    return {field: list(messages)}
