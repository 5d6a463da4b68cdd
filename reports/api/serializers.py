"""Report shapes of DESIGN §8: a request takes the parameters as scalars; reads give them
back under the same names, with the status, the progress, the timings and, once done, the
result."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partners.api.serializers import PartnerRefSerializer
from reports.models import MAX_K, MAX_RADIUS_KM, MIN_K, MIN_RADIUS_KM, Report, ReportScope, ReportStatus

SECTION_NAMES = ("network", "obligations", "allocation", "deadlines")

RESULT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "nullable": True,
    "description": "The sections (network, obligations, allocation, deadlines) and meta once the report is done; "
    "null before.",
    "properties": {
        **{name: {"type": "object", "additionalProperties": True} for name in (*SECTION_NAMES, "meta")},
    },
    "additionalProperties": True,
}


class ReportRequestSerializer(serializers.Serializer):
    """What a caller may choose; everything else (requester, audience, status) is the server's."""

    scope = serializers.ChoiceField(
        choices=ReportScope.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="national (the data center only) or partner; default: national for the data center, "
        "the caller's own network for a partner",
    )
    partner = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**62,
        help_text="the data center only: the partner whose network a partner-scope report covers",
    )
    as_of = serializers.DateField(required=False, allow_null=True, default=None, help_text="default: today")
    period_start = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="default: 364 days before period_end"
    )
    period_end = serializers.DateField(required=False, allow_null=True, default=None, help_text="default: as_of")
    k = serializers.IntegerField(
        required=False, default=10, min_value=MIN_K, max_value=MAX_K, help_text="new outlets to place"
    )
    radius_km = serializers.IntegerField(
        required=False,
        default=100,
        min_value=MIN_RADIUS_KM,
        max_value=MAX_RADIUS_KM,
        help_text="service radius of an outlet",
    )


class ReportSerializer(serializers.ModelSerializer):
    """A report without its result: lists, and the answer to a request."""

    partner = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=ReportStatus.choices, read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "scope",
            "partner",
            "as_of",
            "period_start",
            "period_end",
            "k",
            "radius_km",
            "status",
            "progress",
            "requested_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(PartnerRefSerializer(allow_null=True))
    def get_partner(self, report: Report) -> dict[str, Any] | None:
        """The partner whose network a partner-scope report covers; null for national."""
        if report.partner_id is None:
            return None
        return {"id": report.partner_id, "name": report.partner.name}


# The enum of ``status`` belongs to one component (``Report``); the detail refers to it
# rather than repeating it, so that the schema names the choice set once.
@extend_schema_field({"$ref": "#/components/schemas/ReportStatusEnum"})
class _StatusField(serializers.CharField):
    pass


class ReportDetailSerializer(ReportSerializer):
    """A report with its result (null until done)."""

    status = _StatusField(read_only=True)
    result = serializers.SerializerMethodField()

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "result"]
        read_only_fields = fields

    @extend_schema_field(RESULT_SCHEMA)
    def get_result(self, report: Report) -> dict[str, Any] | None:
        return report.result if report.status == ReportStatus.DONE else None


class ReportDocumentSerializer(serializers.Serializer):
    """The JSON download (``reports.exports``): the parameters and the result."""

    id = serializers.IntegerField()
    scope = serializers.ChoiceField(choices=ReportScope.choices)
    partner = serializers.IntegerField(allow_null=True, help_text="partner id of a partner-scope report")
    as_of = serializers.DateField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    k = serializers.IntegerField()
    radius_km = serializers.IntegerField()
    finished_at = serializers.DateTimeField()
    result = serializers.JSONField()
