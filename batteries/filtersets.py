"""Filters shared by the UI lists and the API (DESIGN §8 "Lists")."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from batteries.codes import normalize_battery_code
from batteries.models import (
    Battery,
    BatteryStatus,
    Chemistry,
    Condition,
    Consignment,
    ConsignmentStatus,
    CustodyEvent,
    EventKind,
    Obligation,
    ObligationStatus,
    ProductType,
)


class CodeFilter(django_filters.CharFilter):
    """A battery or outlet code, normalised like the intake normalises it."""

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        return super().filter(qs, normalize_battery_code(value) if value else value)


class BatteryFilterSet(django_filters.FilterSet):
    code = CodeFilter(field_name="code", label=_("battery code"))
    status = django_filters.ChoiceFilter(choices=BatteryStatus.choices, label=_("status"))
    chemistry = django_filters.ChoiceFilter(choices=Chemistry.choices, label=_("chemistry"))
    product_type = django_filters.ChoiceFilter(choices=ProductType.choices, label=_("product type"))
    manufacturer_code = django_filters.CharFilter(method="filter_manufacturer", label=_("manufacturer code"))
    outlet = django_filters.CharFilter(field_name="outlet__code", label=_("outlet code"), method="filter_outlet")
    hazard = django_filters.ChoiceFilter(
        choices=[("any", _("Any hazard")), *[(c, label) for c, label in Condition.choices if c != Condition.INTACT]],
        method="filter_hazard",
        label=_("hazard"),
    )
    received_after = django_filters.IsoDateTimeFilter(
        field_name="received_at", lookup_expr="gte", label=_("received after")
    )
    received_before = django_filters.IsoDateTimeFilter(
        field_name="received_at", lookup_expr="lt", label=_("received before")
    )
    updated_after = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label=_("updated after")
    )

    class Meta:
        model = Battery
        fields = [
            "code",
            "status",
            "chemistry",
            "product_type",
            "manufacturer_code",
            "outlet",
            "hazard",
            "received_after",
            "received_before",
            "updated_after",
        ]

    def filter_manufacturer(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(manufacturer_code=value.strip().upper())

    def filter_outlet(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(outlet__code=value.strip().upper())

    def filter_hazard(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.exclude(hazard="") if value == "any" else queryset.filter(hazard=value)


class EventFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=EventKind.choices, label=_("kind"))
    battery = CodeFilter(field_name="battery_code", label=_("battery code"))
    outlet = django_filters.CharFilter(field_name="outlet_code", label=_("outlet code"))
    occurred_after = django_filters.IsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="gte", label=_("occurred after")
    )
    occurred_before = django_filters.IsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="lt", label=_("occurred before")
    )

    class Meta:
        model = CustodyEvent
        fields = ["kind", "battery", "outlet", "occurred_after", "occurred_before"]


class ConsignmentFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ConsignmentStatus.choices, label=_("status"))
    from_outlet = django_filters.CharFilter(method="filter_from_outlet", label=_("from outlet"))
    to_partner = django_filters.NumberFilter(field_name="to_partner_id", label=_("to partner"))
    direction = django_filters.ChoiceFilter(
        choices=[("sent", _("Sent")), ("received", _("Received"))], method="filter_direction", label=_("direction")
    )

    class Meta:
        model = Consignment
        fields = ["status", "from_outlet", "to_partner", "direction"]

    def filter_from_outlet(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(from_outlet__code=value.strip().upper())

    def filter_direction(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        actor = getattr(self.request, "actor", None)
        if actor is None or actor.partner_id is None:
            return queryset
        if value == "sent":
            return queryset.filter(from_partner_id=actor.partner_id)
        return queryset.filter(to_partner_id=actor.partner_id)


class ObligationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ObligationStatus.choices, label=_("status"))
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte", label=_("due on or before"))
    battery = CodeFilter(field_name="battery_code", label=_("battery code"))
    rule = django_filters.CharFilter(field_name="rule", label=_("rule"))

    class Meta:
        model = Obligation
        fields = ["status", "due_before", "battery", "rule"]
