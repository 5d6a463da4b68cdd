"""Who may call the API at all, and with which scope (DESIGN §8)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions
from rest_framework.request import Request


class ScopedActor(permissions.BasePermission):
    """Signed in (key or session), with ``read`` for safe methods and ``write`` for the rest."""

    def has_permission(self, request: Request, view: Any) -> bool:
        actor = request.actor
        if actor.is_anonymous:
            raise exceptions.NotAuthenticated()
        needed = "read" if request.method in permissions.SAFE_METHODS else "write"
        if needed not in actor.scopes:
            raise exceptions.PermissionDenied(
                _("This API key lacks the %(scope)s scope.") % {"scope": needed}, code="scope_required"
            )
        return True


class Anyone(permissions.BasePermission):
    """The public directory: no credentials needed (throttled per address instead)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return True
