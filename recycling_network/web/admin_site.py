"""The platform's admin site: data-center admins only (DESIGN §9).

Django imports it when ``admin.site`` is first used (``PlatformAdminConfig.default_site``),
after the models are loaded."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partners.models import UserRole


def is_datacenter_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and getattr(user, "role", None) == UserRole.DATACENTER_ADMIN)


class PlatformAdminSite(admin.AdminSite):
    site_header = _("Recycling outlet platform administration")
    site_title = _("Recycling outlet platform administration")
    index_title = _("Records")

    def has_permission(self, request: HttpRequest) -> bool:
        return is_datacenter_admin(request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """One sign-in page for the whole platform; signed-in users of other roles get 403."""
        if self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        if request.user.is_authenticated:
            raise PermissionDenied
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect_to_login(target)

    def password_change(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return HttpResponseRedirect(reverse("password_change"))

    def password_change_done(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        return HttpResponseRedirect(reverse("password_change_done"))
