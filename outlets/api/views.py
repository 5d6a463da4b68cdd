"""/divisions/, /outlets/ and /public/outlets/ (DESIGN §8)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.request import Request
from rest_framework.response import Response

from outlets import selectors
from outlets.api.serializers import DivisionSerializer, OutletSerializer, PublicOutletSerializer
from outlets.filtersets import DivisionFilterSet, OutletFilterSet
from outlets.models import Division, Outlet
from recycling_network.rest.permissions import Anyone
from recycling_network.rest.throttling import AnonymousThrottle
from recycling_network.rest.views import RnGenericAPIView, RnListView, detail_response

OUTLET_ORDERING = ["id", "code", "name", "capacity_kg"]


@extend_schema_view(get=extend_schema(summary="Provinces and prefectures (GB/T 2260) with their region and centroid"))
class DivisionListView(RnListView):
    model = Division
    serializer_class = DivisionSerializer
    filterset_class = DivisionFilterSet
    ordering_fields = ["adcode"]
    ordering = "adcode"

    def visible(self, actor: Any) -> Any:
        return Division.objects.all()


@extend_schema_view(
    get=extend_schema(
        summary="Outlets: public ones for everyone signed in, drafts for their operator", operation_id="outlets_list"
    )
)
class OutletListView(RnListView):
    model = Outlet
    serializer_class = OutletSerializer
    filterset_class = OutletFilterSet
    ordering_fields = OUTLET_ORDERING

    def visible(self, actor: Any) -> Any:
        return (
            selectors.visible_outlets(actor)
            .select_related("operator", "prefecture__parent")
            .prefetch_related("contacts")
        )


class OutletDetailView(RnGenericAPIView):
    serializer_class = OutletSerializer

    @extend_schema(summary="One outlet, by code (RN-...) or id")
    def get(self, request: Request, code_or_id: str) -> Response:
        queryset = (
            selectors.visible_outlets(self.actor)
            .select_related("operator", "prefecture__parent")
            .prefetch_related("contacts")
        )
        outlet = selectors.get_outlet(self.actor, code_or_id, queryset)
        return detail_response(request, self.get_serializer(outlet).data)


@extend_schema_view(get=extend_schema(summary="Public outlet directory (no sign-in)", auth=[]))
class PublicOutletListView(RnListView):
    """The public directory: approved outlets, public fields, no sign-in, throttled per address."""

    model = Outlet
    permission_classes = [Anyone]
    throttle_classes = [AnonymousThrottle]
    authentication_classes: list = []
    serializer_class = PublicOutletSerializer
    filterset_class = OutletFilterSet
    ordering_fields = OUTLET_ORDERING

    def visible(self, actor: Any) -> Any:
        return selectors.public_outlets().select_related("operator", "prefecture__parent")
