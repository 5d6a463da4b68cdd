"""Batteries, the custody ledger, consignments, review cases and obligations in the
Django admin: read-only for data-center admins (recycling_network.admin). The ledger is
append-only in the database too, and has no action here at all; review cases are
resolved through their service, as an admin action with an intermediate form."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from batteries.models import Battery, Consignment, ConsignmentItem, CustodyEvent, Obligation, ReviewCase
from batteries.services import review_case_resolve
from partners.admin import ServiceActionsMixin
from partners.forms_onboarding import ResolveForm
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
    # The ledger is append-only: no action, not even one that would call a service.
    actions = None


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


@admin.register(ConsignmentItem)
class ConsignmentItemAdmin(ReadOnlyModelAdmin):
    list_display = ["battery_code", "consignment", "weight_kg", "outcome", "rejection_reason"]
    list_filter = ["outcome", "rejection_reason"]
    list_select_related = ["consignment"]
    search_fields = ["=battery_code", "=consignment__id"]
    raw_id_fields = ["consignment", "battery"]


@admin.register(ReviewCase)
class ReviewCaseAdmin(ServiceActionsMixin, ReadOnlyModelAdmin):
    list_display = ["battery_code", "kind", "claimant", "status", "resolution", "opened_at", "resolved_at"]
    list_filter = ["status", "kind", "resolution"]
    list_select_related = ["claimant"]
    search_fields = ["=battery_code", "claimant__name"]
    readonly_fields = ["opened_at"]
    raw_id_fields = ["battery", "consignment"]
    actions = ["resolve"]

    @admin.action(description=_("Resolve the cases…"), permissions=["decide"])
    def resolve(self, request: HttpRequest, queryset: QuerySet[ReviewCase]) -> HttpResponse | None:
        return self.form_action(
            request,
            queryset,
            form_class=ResolveForm,
            title=_("Resolve the review cases"),
            call=lambda case, data: review_case_resolve(actor=request.actor, case=case, **data),
            done=_("Cases resolved: %(n)s."),
        )


@admin.register(Obligation)
class ObligationAdmin(ReadOnlyModelAdmin):
    list_display = ["battery_code", "obligated", "rule", "occurred_on", "due_on", "status", "receipt_number"]
    list_filter = ["status", "rule"]
    list_select_related = ["obligated"]
    search_fields = ["=battery_code", "=receipt_number", "obligated__name"]
    raw_id_fields = ["event", "battery"]
