"""Outlet shapes of DESIGN §8: public fields for everyone, stock and contacts for the
operator and the data center; the write shapes of the lifecycle, change requests and
sharing."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from outlets.models import Division, Outlet, OutletChangeRequest, OutletKind, SharingGrant
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


# --- writes (DESIGN §8: scalars in, server-owned fields never taken from the body) -------

COORDINATE = {"max_digits": 9, "decimal_places": 6, "coerce_to_string": False}
# As many places as the columns: a value sent back unchanged compares equal to the stored one.
AREA = {"max_digits": 10, "decimal_places": 2, "coerce_to_string": False}
MASS = {"max_digits": 12, "decimal_places": 2, "coerce_to_string": False}
MAX_ID = 2**63 - 1


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")


class OutletWriteSerializer(serializers.Serializer):
    """An outlet application. The operator is the caller's partner; status, code, stock and
    audience belong to the server. On PATCH every field is optional; after approval only
    ``name``, ``opening_hours`` and ``contacts`` may change (409
    ``outlet_change_request_required`` otherwise)."""

    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=OutletKind.choices)
    prefecture = serializers.CharField(max_length=6, help_text="prefecture-level adcode, e.g. 110100")
    address = serializers.CharField(max_length=300)
    longitude = serializers.DecimalField(**COORDINATE)
    latitude = serializers.DecimalField(**COORDINATE)
    storage_area_m2 = serializers.DecimalField(**AREA)
    capacity_kg = serializers.DecimalField(**MASS)
    opening_hours = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    contacts = ContactSerializer(many=True, required=False, max_length=20, help_text="replaces the list when given")


class WarningSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="location_far_from_prefecture")
    detail = serializers.CharField()


def warnings_data(warnings: list[Any]) -> list[dict[str, str]]:
    """Warnings as code and text: the only warning today is a point far from the prefecture."""
    return [{"code": "location_far_from_prefecture", "detail": str(w)} for w in warnings]


class OutletWriteResultSerializer(OutletSerializer):
    """The outlet, and ``warnings`` that do not stop the write (a point more than 300 km
    from its prefecture's centre)."""

    warnings = serializers.SerializerMethodField()

    class Meta(OutletSerializer.Meta):
        fields = [*OutletSerializer.Meta.fields, "warnings"]

    @extend_schema_field(WarningSerializer(many=True))
    def get_warnings(self, outlet: Outlet) -> list[dict[str, str]]:
        return warnings_data(self.context.get("warnings", []))


class OutletSubmitSerializer(serializers.Serializer):
    """No fields: the operator submits its draft for review."""


class OutletApproveSerializer(serializers.Serializer):
    """No fields: approval assigns the outlet code."""


class OutletRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class OutletRequestChangesSerializer(serializers.Serializer):
    comments = serializers.CharField(max_length=2000)


class OutletSuspendSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class OutletReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OutletCloseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OutletRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(allow_null=True)
    name = serializers.CharField()


class ChangeRequestWriteSerializer(serializers.Serializer):
    """A change of kind, size or location; fields left out keep their current value."""

    kind = serializers.ChoiceField(choices=OutletKind.choices, required=False)
    prefecture = serializers.CharField(max_length=6, required=False, help_text="prefecture-level adcode")
    address = serializers.CharField(max_length=300, required=False)
    longitude = serializers.DecimalField(**COORDINATE, required=False)
    latitude = serializers.DecimalField(**COORDINATE, required=False)
    storage_area_m2 = serializers.DecimalField(**AREA, required=False)
    capacity_kg = serializers.DecimalField(**MASS, required=False)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ChangeRequestSerializer(serializers.ModelSerializer):
    outlet = OutletRefSerializer()
    # A plain string in the schema: another enum of pending/approved/rejected under the name
    # "status" would need an ENUM_NAME_OVERRIDES entry to be named without a warning.
    status = serializers.CharField(help_text="pending, approved or rejected")
    prefecture = DivisionRefSerializer()
    longitude = serializers.DecimalField(**COORDINATE)
    latitude = serializers.DecimalField(**COORDINATE)
    storage_area_m2 = serializers.DecimalField(**AREA)
    capacity_kg = serializers.DecimalField(**MASS)

    class Meta:
        model = OutletChangeRequest
        fields = [
            "id",
            "outlet",
            "status",
            "kind",
            "prefecture",
            "address",
            "longitude",
            "latitude",
            "storage_area_m2",
            "capacity_kg",
            "note",
            "reason",
            "created_at",
            "decided_at",
        ]


class ChangeRequestResultSerializer(ChangeRequestSerializer):
    warnings = serializers.SerializerMethodField()

    class Meta(ChangeRequestSerializer.Meta):
        fields = [*ChangeRequestSerializer.Meta.fields, "warnings"]

    @extend_schema_field(WarningSerializer(many=True))
    def get_warnings(self, request: OutletChangeRequest) -> list[dict[str, str]]:
        return warnings_data(self.context.get("warnings", []))


class ChangeRequestApproveSerializer(serializers.Serializer):
    """No fields: the change is applied to the outlet."""


class ChangeRequestRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class GrantSerializer(serializers.ModelSerializer):
    outlet = OutletRefSerializer()
    grantee = OperatorSerializer()
    active = serializers.BooleanField(source="is_active")

    class Meta:
        model = SharingGrant
        fields = ["id", "outlet", "grantee", "active", "granted_at", "revoked_at", "note"]


class GrantCreateSerializer(serializers.Serializer):
    grantee = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="partner id (from GET /partners/)")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class GrantRevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
