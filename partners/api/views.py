"""/me/ and /partners/ (DESIGN §8)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from partners import selectors, services
from partners.api.serializers import (
    MeSerializer,
    PartnerCreateSerializer,
    PartnerDirectorySerializer,
    PartnerEntrySerializer,
    PartnerSerializer,
)
from partners.models import Partner
from recycling_network.errors import NotFound
from recycling_network.rest.views import RnAPIView, RnListView, detail_response


class MeView(RnAPIView):
    @extend_schema(responses=MeSerializer, summary="Who is calling: partner, role, scopes")
    def get(self, request: Request) -> Response:
        partner = Partner.objects.filter(pk=self.actor.partner_id).first() if self.actor.partner_id else None
        return Response(MeSerializer.describe(self.actor, partner))


@extend_schema_view(
    get=extend_schema(
        summary="Partners: full records for the data center, the directory (id, name, kinds) otherwise",
        responses=PartnerEntrySerializer(many=True),
    )
)
class PartnerListView(RnListView):
    """The data center sees full records; everyone else the directory of active partners."""

    model = Partner
    ordering_fields = ["id", "name"]
    serializer_class = PartnerSerializer

    def visible(self, actor: Any) -> Any:
        if actor.is_datacenter:
            return selectors.with_approved_codes(selectors.visible_partners(actor))
        return selectors.partner_directory(actor)

    def get_serializer_class(self) -> Any:
        actor = getattr(getattr(self, "request", None), "actor", None)
        if actor is not None and not actor.is_datacenter:
            return PartnerDirectorySerializer
        return PartnerSerializer

    @extend_schema(
        request=PartnerCreateSerializer, responses={201: PartnerSerializer}, summary="Create a partner (data center)"
    )
    def post(self, request: Request) -> Response:
        data = PartnerCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        partner = services.partner_create(actor=self.actor, **data.validated_data)
        return Response(
            PartnerSerializer(partner).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{partner.pk}/"},
        )


class PartnerDetailView(RnAPIView):
    @extend_schema(
        responses=PartnerEntrySerializer, summary="A partner: the full record for itself and the data center"
    )
    def get(self, request: Request, pk: int) -> Response:
        full = selectors.with_approved_codes(selectors.visible_partners(self.actor)).filter(pk=pk).first()
        if full is not None:
            return detail_response(request, PartnerSerializer(full).data)
        listed = selectors.partner_directory(self.actor).filter(pk=pk).first()
        if listed is None:
            raise NotFound()
        return detail_response(request, PartnerDirectorySerializer(listed).data)
