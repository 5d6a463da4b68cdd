"""The Django admin: data-center admins only, read-only for now (DESIGN §9).

The site itself is ``recycling_network.web.admin_site.PlatformAdminSite`` (the default
``admin.site``, see ``recycling_network.web.apps``); each app's ``admin.py`` registers
its models with ``ReadOnlyModelAdmin``.

Data-center admins are not superusers and hold no Django model permissions: the site
and ``ReadOnlyModelAdmin`` grant viewing by role instead. Changes go through the
services (and the screens built on them), never through admin forms. The admin runs in
the request's transaction with the data-center context set by ``TenancyMiddleware``,
so it sees every row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import Group
from django.http import HttpRequest

from recycling_network.web.admin_site import is_datacenter_admin


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """View-only for data-center admins, whatever their Django permissions."""

    # Large tables: skip the second COUNT(*) of the unfiltered table on every list page.
    show_full_result_count = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_datacenter_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_datacenter_admin(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Roles, not groups, decide what a user may do (partners.models.UserRole).
if admin.site.is_registered(Group):
    admin.site.unregister(Group)
