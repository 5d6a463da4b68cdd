"""Outlet shapes of DESIGN §8: public fields for everyone, stock and contacts for the
operator and the data center."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from outlets.models import Division, Outlet
from outlets.selectors import sees_private_fields


class DivisionRefSerializer(serializers.Serializer):
    adcode = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, division: Division) -> str:
        return str(division)


class DivisionSerializer(serializers.ModelSerializer):
    parent_adcode = serializers.CharField(source="parent_id", allow_null=True)
    region = serializers.CharField(source="region_id")
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True)

    class Meta:
        model = Division
        fields = ["adcode", "name", "level", "parent_adcode", "region", "longitude", "latitude"]


class OperatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PublicOutletSerializer(serializers.ModelSerializer):
    operator = OperatorSerializer()
    prefecture = DivisionRefSerializer()
    province_adcode = serializers.SerializerMethodField()
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False)
    storage_area_m2 = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=False)
    capacity_kg = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=False)

    class Meta:
        model = Outlet
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "status",
            "operator",
            "prefecture",
            "province_adcode",
            "address",
            "longitude",
            "latitude",
            "storage_area_m2",
            "capacity_kg",
            "opening_hours",
        ]

    def get_province_adcode(self, outlet: Outlet) -> str:
        return outlet.prefecture.province_adcode


class OutletSerializer(PublicOutletSerializer):
    """Adds ``stock_kg``, ``contact_name`` and ``contact_phone`` for the operator and the data
    center; they are null for everyone else."""

    stock_kg = serializers.SerializerMethodField()
    contact_name = serializers.SerializerMethodField()
    contact_phone = serializers.SerializerMethodField()

    class Meta(PublicOutletSerializer.Meta):
        fields = [*PublicOutletSerializer.Meta.fields, "stock_kg", "contact_name", "contact_phone"]

    def _private(self, outlet: Outlet) -> bool:
        return sees_private_fields(self.context["request"].actor, outlet)

    def _contact(self, outlet: Outlet) -> Any:
        contacts = list(outlet.contacts.all())  # prefetched, and filtered by row-level security
        return contacts[0] if contacts else None

    def get_stock_kg(self, outlet: Outlet) -> float | None:
        return float(outlet.stock_kg) if self._private(outlet) else None

    def get_contact_name(self, outlet: Outlet) -> str | None:
        contact = self._contact(outlet) if self._private(outlet) else None
        return contact.name if contact else None

    def get_contact_phone(self, outlet: Outlet) -> str | None:
        contact = self._contact(outlet) if self._private(outlet) else None
        return contact.phone if contact else None
