"""Limits on the browser's public doors (sign-in, password reset, the application form),
per client address and, for sign-in, per user name: a guessed password, a flood of reset
emails or of applications is refused with 429 before it costs anything.

Counters live in the shared cache (Redis) through django-ratelimit; the rates are settings
(``RN_RATE_*``), read on each request."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from recycling_network.client_address import client_address


def _address(group: str, request: HttpRequest) -> str:
    return client_address(request)


def _limited(request: HttpRequest, group: str, key, rate: str) -> bool:
    return is_ratelimited(request, group=group, key=key, rate=rate, method="POST", increment=True)


def sign_in_limited(request: HttpRequest, username: str) -> bool:
    """Counts this attempt; True when the address or the user name has tried too often.
    Both are counted, so neither a spread of addresses nor of user names gets far."""
    by_address = _limited(request, "sign-in:address", _address, settings.RN_RATE_SIGN_IN_ADDRESS)
    by_user = _limited(
        request, "sign-in:user", lambda group, request: username.strip().casefold(), settings.RN_RATE_SIGN_IN_USER
    )
    return by_address or by_user


def password_reset_limited(request: HttpRequest) -> bool:
    return _limited(request, "password-reset", _address, settings.RN_RATE_PASSWORD_RESET)


def application_limited(request: HttpRequest) -> bool:
    return _limited(request, "join", _address, settings.RN_RATE_APPLICATION)
