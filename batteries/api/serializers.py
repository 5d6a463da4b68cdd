"""Battery, event, consignment and obligation shapes of DESIGN §8."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from batteries.ledger import feed_representation
from batteries.models import (
    Battery,
    Condition,
    Consignment,
    CustodyEvent,
    Obligation,
    RejectionReason,
    Source,
)
from batteries.selectors import sees_where_now
from partners.api.serializers import PartnerRefSerializer
from recycling_network.rest.fields import AwareDateTimeField

WHERE_NOW = ("status", "hazard", "outlet", "custodian")


def money(max_digits: int = 10, **kwargs: Any) -> serializers.DecimalField:
    """A decimal read and written as a JSON number."""
    return serializers.DecimalField(max_digits=max_digits, decimal_places=2, coerce_to_string=False, **kwargs)


class BatterySerializer(serializers.ModelSerializer):
    """Where it is now (``status``, ``hazard``, ``outlet``, ``custodian``) is null for a
    former holder: only the custodian, a consignee in transit, the producers and the data
    center see it (DESIGN §4)."""

    outlet = serializers.SerializerMethodField()
    custodian = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    hazard = serializers.SerializerMethodField()
    weight_kg = money()
    energy_kwh = money(allow_null=True)
    original = serializers.SerializerMethodField()

    class Meta:
        model = Battery
        fields = [
            "code",
            "product_type",
            "chemistry",
            "manufacturer_code",
            "production_year",
            "production_month",
            "weight_kg",
            "energy_kwh",
            "vin",
            "status",
            "hazard",
            "outlet",
            "custodian",
            "original",
            "received_at",
            "updated_at",
        ]

    def _sees(self, battery: Battery) -> bool:
        cache = self.context.setdefault("where_now", {})
        if battery.pk not in cache:
            cache[battery.pk] = sees_where_now(self.context["request"].actor, battery)
        return cache[battery.pk]

    def get_outlet(self, battery: Battery) -> str | None:
        return battery.outlet.code if self._sees(battery) and battery.outlet_id else None

    def get_custodian(self, battery: Battery) -> dict[str, Any] | None:
        if not self._sees(battery):
            return None
        return {"id": battery.custodian_id, "name": battery.custodian.name}

    def get_status(self, battery: Battery) -> str | None:
        return battery.status if self._sees(battery) else None

    def get_hazard(self, battery: Battery) -> str | None:
        return (battery.hazard or None) if self._sees(battery) else None

    def get_original(self, battery: Battery) -> str | None:
        return battery.original.code if battery.original_id else None


class EventSerializer(serializers.Serializer):
    """The hashed fields exactly as hashed (DESIGN §7), plus the chain."""

    id = serializers.IntegerField()
    seq = serializers.IntegerField()
    kind = serializers.CharField()
    battery = serializers.CharField(help_text="battery code")
    occurred_at = serializers.CharField(help_text="UTC, microseconds, Z")
    recorded_at = serializers.CharField(help_text="UTC, microseconds, Z")
    outlet = serializers.CharField(allow_null=True, help_text="outlet code")
    partner = serializers.IntegerField(allow_null=True)
    counterparty = serializers.IntegerField(allow_null=True)
    data = serializers.DictField()
    hash = serializers.CharField()
    prev_hash = serializers.CharField()

    def to_representation(self, event: CustodyEvent) -> dict[str, Any]:
        return feed_representation(event)


class BatteryDetailSerializer(BatterySerializer):
    events = serializers.SerializerMethodField()

    class Meta(BatterySerializer.Meta):
        fields = [*BatterySerializer.Meta.fields, "events"]

    def get_events(self, battery: Battery) -> list[dict[str, Any]]:
        return [feed_representation(e) for e in self.context["events"]]


class FeedSerializer(serializers.Serializer):
    results = EventSerializer(many=True)
    next_cursor = serializers.CharField()
    has_more = serializers.BooleanField()


class IntakeSerializer(serializers.Serializer):
    outlet = serializers.CharField(max_length=32, help_text="outlet code, e.g. RN-110100-0001")
    code = serializers.CharField(max_length=64, help_text="GB/T 34014 battery code")
    weight_kg = money(max_digits=9, min_value=Decimal("0.01"))
    energy_kwh = money(max_digits=7, required=False, allow_null=True, min_value=Decimal("0"))
    vin = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(choices=Source.choices, required=False, default=Source.OWNER)
    condition = serializers.ChoiceField(choices=Condition.choices, required=False, default=Condition.INTACT)
    soh_percent = money(max_digits=5, required=False, allow_null=True, min_value=Decimal("0"), max_value=Decimal("100"))
    occurred_at = AwareDateTimeField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class InspectSerializer(serializers.Serializer):
    insulation_ok = serializers.BooleanField()
    casing_ok = serializers.BooleanField()
    soh_percent = money(max_digits=5, required=False, allow_null=True, min_value=Decimal("0"), max_value=Decimal("100"))
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    occurred_at = AwareDateTimeField(required=False, allow_null=True, default=None)


class HazardSerializer(serializers.Serializer):
    hazard = serializers.ChoiceField(choices=Condition.choices)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    occurred_at = AwareDateTimeField(required=False, allow_null=True, default=None)


class CascadeSerializer(serializers.Serializer):
    new_code = serializers.CharField(max_length=64, help_text="19-character cascade-use code")
    weight_kg = money(max_digits=9, required=False, allow_null=True, min_value=Decimal("0.01"))
    energy_kwh = money(max_digits=7, required=False, allow_null=True, min_value=Decimal("0"))
    soh_percent = money(max_digits=5, required=False, allow_null=True, min_value=Decimal("0"), max_value=Decimal("100"))
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    occurred_at = AwareDateTimeField(required=False, allow_null=True, default=None)


class RecycleSerializer(serializers.Serializer):
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    occurred_at = AwareDateTimeField(required=False, allow_null=True, default=None)


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "number"}], "nullable": True})
class CorrectedValueField(serializers.CharField):
    """A new value: a string or a number, handed to the service as text (which parses it
    like the original field); lists, objects and booleans are refused here, not in a 500."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, allow_blank=True, trim_whitespace=False, max_length=2000, **kwargs)


class CorrectSerializer(serializers.Serializer):
    changes = serializers.DictField(
        child=CorrectedValueField(), help_text="new values of: weight_kg, energy_kwh, vin, source, soh_percent, notes"
    )
    reason = serializers.CharField(max_length=2000)


class ItemSerializer(serializers.Serializer):
    code = serializers.CharField(source="battery_code")
    weight_kg = money()
    outcome = serializers.CharField()
    rejection_reason = serializers.CharField(allow_blank=True)
    rejection_note = serializers.CharField(allow_blank=True)


class ConsignmentSerializer(serializers.ModelSerializer):
    from_partner = PartnerRefSerializer()
    to_partner = PartnerRefSerializer()
    from_outlet = serializers.SerializerMethodField()
    to_outlet = serializers.SerializerMethodField()
    received_outlet = serializers.SerializerMethodField()
    batteries = serializers.SerializerMethodField()
    total_weight_kg = money(max_digits=14)

    class Meta:
        model = Consignment
        fields = [
            "id",
            "status",
            "from_partner",
            "from_outlet",
            "to_partner",
            "to_outlet",
            "received_outlet",
            "batteries",
            "battery_count",
            "total_weight_kg",
            "waybill",
            "carrier",
            "notes",
            "dispatched_at",
            "received_at",
            "cancelled_at",
        ]

    def get_from_outlet(self, consignment: Consignment) -> str | None:
        return consignment.from_outlet.code

    def get_to_outlet(self, consignment: Consignment) -> str | None:
        return consignment.to_outlet.code if consignment.to_outlet_id else None

    def get_received_outlet(self, consignment: Consignment) -> str | None:
        return consignment.received_outlet.code if consignment.received_outlet_id else None

    def get_batteries(self, consignment: Consignment) -> list[str]:
        return [item.battery_code for item in consignment.items.all()]


class ConsignmentDetailSerializer(ConsignmentSerializer):
    items = ItemSerializer(many=True, source="items.all")

    class Meta(ConsignmentSerializer.Meta):
        fields = [*ConsignmentSerializer.Meta.fields, "items"]


class DispatchSerializer(serializers.Serializer):
    from_outlet = serializers.CharField(max_length=32)
    to_partner = serializers.IntegerField(min_value=1, max_value=2**62)
    to_outlet = serializers.CharField(max_length=32, required=False, allow_null=True, allow_blank=True, default=None)
    batteries = serializers.ListField(child=serializers.CharField(max_length=64), min_length=1, max_length=1000)
    waybill = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    carrier = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    occurred_at = AwareDateTimeField(required=False, allow_null=True, default=None)


class RejectionSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64)
    reason = serializers.ChoiceField(choices=RejectionReason.choices)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ReceiveSerializer(serializers.Serializer):
    outlet = serializers.CharField(max_length=32, required=False, allow_null=True, allow_blank=True, default=None)
    rejected = RejectionSerializer(many=True, required=False, default=list, max_length=1000)
    occurred_at = AwareDateTimeField(required=False, allow_null=True, default=None)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ObligationSerializer(serializers.ModelSerializer):
    battery = serializers.CharField(source="battery_code")
    event = serializers.IntegerField(source="event_id")
    obligated = serializers.SerializerMethodField()

    class Meta:
        model = Obligation
        fields = [
            "id",
            "battery",
            "event",
            "rule",
            "working_days",
            "occurred_on",
            "due_on",
            "status",
            "obligated",
            "receipt_number",
            "reported_at",
        ]

    def get_obligated(self, obligation: Obligation) -> dict[str, Any] | None:
        if obligation.obligated_id is None:
            return None
        return {"id": obligation.obligated_id, "name": obligation.obligated.name}


class AcknowledgementSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=2**62)
    receipt_number = serializers.CharField(max_length=64)


class AcknowledgeSerializer(serializers.Serializer):
    items = AcknowledgementSerializer(many=True, min_length=1, max_length=1000)
