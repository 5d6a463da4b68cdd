"""Reports over HTTP (DESIGN §8, §10): request one (202, computed by a worker), follow its
progress, read the result, download it. Each view calls one service or selector.

Reports are for partner admins, partner keys and the data center: outlet staff work at
their outlets, and a report covers the whole network (``reports.selectors``), so every
route refuses them with 403 before any lookup."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from recycling_network.rest.permissions import ScopedActor
from recycling_network.rest.views import RnAPIView, RnListView, detail_response
from reports.api import serializers as s
from reports.exports import FORMATS, report_download
from reports.filtersets import ReportFilterSet
from reports.models import Report
from reports.selectors import get_report, visible_reports
from reports.services import report_request

PROBLEM = {"$ref": "#/components/schemas/Problem"}


class ReportReader(permissions.BasePermission):
    """Partner admins, partner keys and the data center; not outlet staff."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.actor.is_outlet_staff:
            raise exceptions.PermissionDenied(
                _("Reports are for partner admins and the data center."), code="partner_admin_only"
            )
        return True


def _reports(actor: Any) -> QuerySet[Report]:
    # ``partner`` may be null (national reports): a left join, no row is dropped.
    return visible_reports(actor).select_related("partner")


@extend_schema_view(
    get=extend_schema(
        summary="Reports the caller requested (every report for the data center)", operation_id="reports_list"
    )
)
class ReportListView(RnListView):
    """The reports the caller may read (newest last, cursor-paginated), and new requests:
    a request answers 202 at once; a worker computes the report after the commit."""

    model = Report
    serializer_class = s.ReportSerializer
    filterset_class = ReportFilterSet
    permission_classes = [ScopedActor, ReportReader]

    def visible(self, actor: Any) -> QuerySet[Report]:
        return _reports(actor)

    @extend_schema(
        request=s.ReportRequestSerializer,
        responses={202: s.ReportSerializer},
        parameters=[
            OpenApiParameter(
                "Location",
                str,
                OpenApiParameter.HEADER,
                response=[202],
                description="the report, to poll until its status is done or failed",
            )
        ],
        summary="Request a coverage report (computed in the background)",
        operation_id="reports_create",
    )
    def post(self, request: Request) -> Response:
        data = s.ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = report_request(actor=self.actor, **data.validated_data)
        report = _reports(self.actor).get(pk=report.pk)
        location = reverse("api-report", kwargs={"pk": report.pk})
        return Response(
            s.ReportSerializer(report).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location}
        )


class ReportDetailView(RnAPIView):
    """Poll this until ``status`` is ``done`` (with ``result``) or ``failed``."""

    permission_classes = [ScopedActor, ReportReader]

    @extend_schema(
        responses=s.ReportDetailSerializer,
        summary="One report: status, progress, parameters, timings, and the result once done",
    )
    def get(self, request: Request, pk: int) -> Response:
        report = get_report(self.actor, pk)
        report = _reports(self.actor).get(pk=report.pk)
        return detail_response(request, s.ReportDetailSerializer(report).data)


class FileFormatNegotiation(DefaultContentNegotiation):
    """``?format=`` names the file here, not one of DRF's renderers (its URL format
    override would answer 404 for csv). Errors are JSON problem details whatever the
    Accept header says."""

    def select_renderer(self, request: Request, renderers: list, format_suffix: str | None = None) -> tuple:
        renderer = renderers[0]
        return renderer, renderer.media_type


def _file(description: str) -> OpenApiResponse:
    return OpenApiResponse(OpenApiTypes.BINARY, description=description)


class ReportDownloadView(RnAPIView):
    """The finished report as a file (``reports.exports``): 409 ``report_not_ready`` before."""

    permission_classes = [ScopedActor, ReportReader]
    content_negotiation_class = FileFormatNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                str,
                enum=list(FORMATS),
                default="json",
                description="csv (UTF-8 with a byte-order mark), xlsx (one sheet per table) or json",
            )
        ],
        responses={
            (200, "text/csv"): _file("the report's tables, one after another"),
            (200, FORMATS["xlsx"]): _file("one sheet per table"),
            (200, FORMATS["json"]): OpenApiResponse(s.ReportDocumentSerializer, description="parameters and result"),
            (409, "application/problem+json"): OpenApiResponse(PROBLEM, description="report_not_ready"),
        },
        summary="Download a finished report as CSV, XLSX or JSON",
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        unknown = sorted(set(request.query_params) - {"format"})
        if unknown:
            raise exceptions.ValidationError({name: [_("Unknown parameter.")] for name in unknown})
        content, content_type, filename = report_download(
            actor=self.actor, report=pk, format=request.query_params.get("format", "json")
        )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
