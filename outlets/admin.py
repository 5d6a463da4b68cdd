"""Outlets, divisions, regions, sharing and lifecycle history in the Django admin:
read-only for data-center admins (recycling_network.admin)."""

from django.contrib import admin

from outlets.models import Division, Outlet, OutletTransition, Region, SharingGrant
from recycling_network.admin import ReadOnlyModelAdmin


@admin.register(Outlet)
class OutletAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "name", "kind", "status", "operator", "prefecture", "capacity_kg", "stock_kg"]
    list_filter = ["status", "kind", "prefecture__region"]
    # The prefecture's parent: a municipality's 市辖区 is shown with its province name.
    list_select_related = ["operator", "prefecture__parent"]
    search_fields = ["=code", "name", "address", "operator__name"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Division)
class DivisionAdmin(ReadOnlyModelAdmin):
    list_display = ["adcode", "name", "level", "parent", "region", "longitude", "latitude"]
    list_filter = ["level", "region"]
    list_select_related = ["parent", "region"]
    search_fields = ["=adcode", "name"]


@admin.register(Region)
class RegionAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "name", "name_en", "sort_order"]


@admin.register(SharingGrant)
class SharingGrantAdmin(ReadOnlyModelAdmin):
    list_display = ["outlet", "grantee", "granted_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["outlet", "grantee"]
    search_fields = ["=outlet__code", "outlet__name", "grantee__name"]
    readonly_fields = ["granted_at"]


@admin.register(OutletTransition)
class OutletTransitionAdmin(ReadOnlyModelAdmin):
    list_display = ["at", "outlet", "from_status", "to_status", "action", "actor_label"]
    list_filter = ["to_status", "action"]
    list_select_related = ["outlet"]
    search_fields = ["=outlet__code", "outlet__name", "actor_label"]
    readonly_fields = ["at"]
