"""Batteries, the custody ledger, consignments, review cases and obligations in the
Django admin: read-only for data-center admins (recycling_network.admin). The ledger is
append-only in the database too; review cases are resolved through their service."""

from django.contrib import admin

from batteries.models import Battery, Consignment, CustodyEvent, Obligation, ReviewCase
from recycling_network.admin import ReadOnlyModelAdmin


@admin.register(Battery)
class BatteryAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "product_type", "chemistry", "status", "hazard", "custodian", "outlet", "weight_kg"]
    list_filter = ["status", "product_type", "chemistry", "hazard", "counterfeit"]
    list_select_related = ["custodian", "outlet"]
    # Exact matches: a substring search would scan a table of millions of batteries.
    search_fields = ["=code", "=vin", "=manufacturer_code"]
    readonly_fields = ["updated_at"]
    raw_id_fields = ["parent", "original", "consignment"]


@admin.register(CustodyEvent)
class CustodyEventAdmin(ReadOnlyModelAdmin):
    list_display = ["battery_code", "seq", "kind", "partner", "counterparty", "outlet_code", "occurred_at"]
    list_filter = ["kind"]
    list_select_related = ["partner", "counterparty"]
    search_fields = ["=battery_code", "=outlet_code"]
    raw_id_fields = ["battery", "consignment", "outlet"]


@admin.register(Consignment)
class ConsignmentAdmin(ReadOnlyModelAdmin):
    list_display = [
        "id",
        "from_partner",
        "from_outlet",
        "to_partner",
        "to_outlet",
        "status",
        "battery_count",
        "total_weight_kg",
        "dispatched_at",
    ]
    list_filter = ["status"]
    list_select_related = ["from_partner", "from_outlet", "to_partner", "to_outlet"]
    search_fields = ["=id", "=waybill", "from_partner__name", "to_partner__name"]
    readonly_fields = ["updated_at"]


@admin.register(ReviewCase)
class ReviewCaseAdmin(ReadOnlyModelAdmin):
    list_display = ["battery_code", "kind", "claimant", "status", "resolution", "opened_at", "resolved_at"]
    list_filter = ["status", "kind", "resolution"]
    list_select_related = ["claimant"]
    search_fields = ["=battery_code", "claimant__name"]
    readonly_fields = ["opened_at"]
    raw_id_fields = ["battery", "consignment"]


@admin.register(Obligation)
class ObligationAdmin(ReadOnlyModelAdmin):
    list_display = ["battery_code", "obligated", "rule", "occurred_on", "due_on", "status", "receipt_number"]
    list_filter = ["status", "rule"]
    list_select_related = ["obligated"]
    search_fields = ["=battery_code", "=receipt_number", "obligated__name"]
    raw_id_fields = ["event", "battery"]
