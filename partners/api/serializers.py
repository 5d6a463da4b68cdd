"""Partner shapes of DESIGN §8: reads nest, writes take scalars."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from partners.models import Partner, PartnerKind, PartnerStatus
from partners.selectors import approved_codes


class PartnerRefSerializer(serializers.Serializer):
    """``{"id", "name"}``: how other shapes refer to a partner."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class PartnerDirectorySerializer(serializers.ModelSerializer):
    """What every signed-in user sees of an active partner (to address consignments)."""

    class Meta:
        model = Partner
        fields = ["id", "name", "kinds"]


class PartnerSerializer(serializers.ModelSerializer):
    """The full record: the partner itself and the data center."""

    manufacturer_codes = serializers.SerializerMethodField()
    wmi_codes = serializers.SerializerMethodField()

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "name_en",
            "credit_code",
            "kinds",
            "manufacturer_codes",
            "wmi_codes",
            "status",
            "demonstration_unit",
            "demonstration_agreed_on",
            "joined_on",
        ]

    def get_manufacturer_codes(self, partner: Partner) -> list[str]:
        return _codes(partner, "manufacturer")

    def get_wmi_codes(self, partner: Partner) -> list[str]:
        return _codes(partner, "wmi")


class PartnerEntrySerializer(serializers.Serializer):
    """Documents ``GET /partners/`` and ``/partners/{id}/``: every signed-in caller gets
    ``id``, ``name`` and ``kinds``; the data center, and a partner reading itself, also the
    rest of the full record (so those fields are optional here)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=PartnerKind.choices))
    name_en = serializers.CharField(required=False)
    credit_code = serializers.CharField(required=False)
    manufacturer_codes = serializers.ListField(child=serializers.CharField(), required=False)
    wmi_codes = serializers.ListField(child=serializers.CharField(), required=False)
    status = serializers.ChoiceField(choices=PartnerStatus.choices, required=False)
    demonstration_unit = serializers.BooleanField(required=False)
    demonstration_agreed_on = serializers.DateField(required=False, allow_null=True)
    joined_on = serializers.DateField(required=False, allow_null=True)


def _codes(partner: Partner, kind: str) -> list[str]:
    """Approved codes, from the selector's annotation when the list has it."""
    attribute = f"approved_{kind}_codes"
    if hasattr(partner, attribute):  # annotated; NULL when the partner has no approved code
        return list(getattr(partner, attribute) or [])
    return approved_codes(partner.pk)[kind]


class ContactInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class PartnerCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    credit_code = serializers.CharField(max_length=40)
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=PartnerKind.choices), min_length=1, max_length=6
    )
    demonstration_unit = serializers.BooleanField(required=False, default=False)
    demonstration_agreed_on = serializers.DateField(required=False, allow_null=True, default=None)
    contacts = ContactInputSerializer(many=True, required=False, default=list, max_length=20)


class MeSerializer(serializers.Serializer):
    partner = PartnerDirectorySerializer(allow_null=True)
    role = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())
    user = serializers.DictField(allow_null=True)
    api_key = serializers.DictField(allow_null=True)

    @staticmethod
    def describe(actor: Any, partner: Partner | None) -> dict[str, Any]:
        user = actor.user
        key = actor.api_key
        return {
            "partner": PartnerDirectorySerializer(partner).data if partner else None,
            "role": actor.role.value,
            "scopes": sorted(actor.scopes),
            "user": {
                "id": user.pk,
                "username": user.get_username(),
                "display_name": user.display_name,
                "email": user.email,
            }
            if user
            else None,
            "api_key": {"id": key.pk, "name": key.name, "prefix": key.prefix} if key else None,
        }
