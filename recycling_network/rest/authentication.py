"""Bearer API keys (DESIGN §8 "Auth"); session authentication with CSRF for the UI."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from partners.models import ApiKey
from partners.services.api_keys import ApiKeyRefused, api_key_authenticate
from recycling_network.client_address import client_address


class KeyPrincipal:
    """What ``request.user`` is for a request made with an API key."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = None

    def __init__(self, key: ApiKey) -> None:
        self.key = key

    def __str__(self) -> str:
        return f"key:{self.key.prefix}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <key>``. A bad key is a 401 with ``WWW-Authenticate: Bearer``;
    no header at all lets the session authenticator try."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[KeyPrincipal, ApiKey] | None:
        header = authentication.get_authorization_header(request)
        if not header:
            return None
        try:
            scheme, _sep, token = header.decode("latin-1").partition(" ")
        except UnicodeDecodeError as error:  # pragma: no cover - latin-1 decodes every byte
            raise exceptions.AuthenticationFailed(_("Malformed authorization header.")) from error
        if scheme.lower() != "bearer" or not token.strip():
            raise exceptions.AuthenticationFailed(_("Use Authorization: Bearer <API key>."))
        if not token.isascii() or not token.strip().isprintable():
            # Keys are printable ASCII; a NUL byte would otherwise reach the database (a 500).
            raise exceptions.AuthenticationFailed(_("Malformed authorization header."))
        try:
            key = api_key_authenticate(raw=token.strip(), client_ip=client_address(request))
        except ApiKeyRefused as error:
            raise exceptions.AuthenticationFailed(error.message) from error
        return KeyPrincipal(key), key

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser UI's own calls: Django's session, CSRF enforced on unsafe methods. A user
    of a suspended partner, or a deactivated one, counts as not signed in."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if user.partner_id is not None and not user.partner_is_active:
            return None
        return result
