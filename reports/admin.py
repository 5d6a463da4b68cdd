"""The reports' reference data in the Django admin: read-only for data-center admins
(recycling_network.admin); targets change through ``reports.services.yearly_target_set``.
Reports themselves are read through ``reports.selectors`` (API and pages)."""

from django.contrib import admin

from recycling_network.admin import ReadOnlyModelAdmin
from reports.models import NevFleet, YearlyTarget


@admin.register(YearlyTarget)
class YearlyTargetAdmin(ReadOnlyModelAdmin):
    list_display = ["year", "region", "new_outlets"]
    list_filter = ["year"]
    list_select_related = ["region"]


@admin.register(NevFleet)
class NevFleetAdmin(ReadOnlyModelAdmin):
    list_display = ["prefecture", "year", "passenger_new", "commercial_new"]
    list_filter = ["year"]
    list_select_related = ["prefecture__parent"]
    search_fields = ["=prefecture__adcode", "prefecture__name"]
