"""/divisions/, /outlets/ with the lifecycle of DESIGN §6, change requests, sharing
authorisations and /public/outlets/ (DESIGN §8). Each view validates the shape, calls one
service or selector, and serializes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from outlets import selectors, services
from outlets.api import serializers as s
from outlets.api.serializers import DivisionSerializer, OutletSerializer, PublicOutletSerializer
from outlets.filtersets import DivisionFilterSet, OutletFilterSet
from outlets.models import Division, Outlet, OutletChangeRequest, SharingGrant
from partners.models import Partner
from partners.selectors import get_partner, partner_directory
from recycling_network.errors import Forbidden, InvalidInput, NotFound
from recycling_network.rest.permissions import Anyone
from recycling_network.rest.throttling import AnonymousThrottle
from recycling_network.rest.views import RnAPIView, RnGenericAPIView, RnListView, detail_response

OUTLET_ORDERING = ["id", "code", "name", "capacity_kg"]


def _outlets(actor: Any) -> Any:
    return (
        selectors.visible_outlets(actor).select_related("operator", "prefecture__parent").prefetch_related("contacts")
    )


def _outlet_response(
    request: Request, pk: int, *, status_code: int = status.HTTP_200_OK, warnings: list[Any] | None = None
) -> Response:
    """The outlet as the caller now sees it; with ``warnings`` for creates and edits."""
    outlet = selectors.get_outlet(request.actor, pk, _outlets(request.actor))
    if warnings is None:
        return Response(OutletSerializer(outlet, context={"request": request}).data, status=status_code)
    data = s.OutletWriteResultSerializer(outlet, context={"request": request, "warnings": warnings}).data
    return Response(data, status=status_code)


def _callers_partner(actor: Any) -> Partner:
    """The operator of a new outlet: always the caller's own partner (server-owned)."""
    if not actor.is_partner:
        raise Forbidden(_("Outlets are applied for by a partner, through its admins."), code="partner_only")
    return get_partner(actor, actor.partner_id)


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
        return _outlets(actor)

    @extend_schema(
        request=s.OutletWriteSerializer,
        responses={201: s.OutletWriteResultSerializer},
        summary="Draft an outlet application (operated by the caller's partner)",
        operation_id="outlets_create",
    )
    def post(self, request: Request) -> Response:
        data = s.OutletWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        operator = _callers_partner(self.actor)
        result = services.outlet_create(actor=self.actor, operator=operator, **data.validated_data)
        response = _outlet_response(
            request, result.outlet.pk, status_code=status.HTTP_201_CREATED, warnings=result.warnings
        )
        response["Location"] = f"/api/v1/outlets/{result.outlet.pk}/"
        return response


class OutletDetailView(RnGenericAPIView):
    serializer_class = OutletSerializer

    @extend_schema(summary="One outlet, by code (RN-...) or id")
    def get(self, request: Request, code_or_id: str) -> Response:
        outlet = selectors.get_outlet(self.actor, code_or_id, _outlets(self.actor))
        return detail_response(request, self.get_serializer(outlet).data)

    @extend_schema(
        request=s.OutletWriteSerializer(partial=True),
        responses=s.OutletWriteResultSerializer,
        summary="Edit a draft; after approval only name, opening hours and contacts",
    )
    def patch(self, request: Request, code_or_id: str) -> Response:
        outlet = selectors.get_outlet(self.actor, code_or_id)
        data = s.OutletWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        contacts = changes.pop("contacts", None)
        result = services.outlet_update(actor=self.actor, outlet=outlet, contacts=contacts, **changes)
        return _outlet_response(request, outlet.pk, warnings=result.warnings)


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


# --- writes: applications, the lifecycle, change requests, sharing (DESIGN §6, §8) ------


class OutletActionView(RnAPIView):
    """``POST /outlets/{id}/<action>/``: one arrow of the lifecycle, one service each."""

    action_serializer: type = s.OutletSubmitSerializer
    service: Any = None

    def post(self, request: Request, pk: int) -> Response:
        data = self.action_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        type(self).service(actor=self.actor, outlet=pk, **data.validated_data)
        return _outlet_response(request, pk)


def _outlet_action(name: str, serializer: type, service: Any, summary: str) -> type:
    # A function of its own per view, so that each action keeps its own schema.
    def post(self: OutletActionView, request: Request, pk: int) -> Response:
        return OutletActionView.post(self, request, pk)

    return type(
        f"Outlet{name}View",
        (OutletActionView,),
        {
            "action_serializer": serializer,
            "service": staticmethod(service),
            "post": extend_schema(request=serializer, responses=OutletSerializer, summary=summary)(post),
        },
    )


OutletSubmitView = _outlet_action(
    "Submit", s.OutletSubmitSerializer, services.outlet_submit, "Submit a draft for review (operator)"
)
OutletApproveView = _outlet_action(
    "Approve", s.OutletApproveSerializer, services.outlet_approve, "Approve a submitted outlet; assigns its code"
)
OutletRejectView = _outlet_action(
    "Reject", s.OutletRejectSerializer, services.outlet_reject, "Reject a submitted outlet, with a reason (final)"
)
OutletRequestChangesView = _outlet_action(
    "RequestChanges",
    s.OutletRequestChangesSerializer,
    services.outlet_request_changes,
    "Send a submitted outlet back to draft, with comments",
)
OutletSuspendView = _outlet_action(
    "Suspend", s.OutletSuspendSerializer, services.outlet_suspend, "Suspend an approved outlet, with a reason"
)
OutletReopenView = _outlet_action(
    "Reopen", s.OutletReopenSerializer, services.outlet_reopen, "Reopen a suspended outlet"
)
OutletCloseView = _outlet_action(
    "Close", s.OutletCloseSerializer, services.outlet_close, "Close an outlet for good (needs zero stock)"
)


class OutletChangeRequestListView(RnListView):
    """Change requests of one outlet (operator and data center), and new ones (operator)."""

    model = OutletChangeRequest
    serializer_class = s.ChangeRequestSerializer
    ordering_fields = ["id"]

    def visible(self, actor: Any) -> Any:
        outlet = selectors.get_outlet(actor, self.kwargs["pk"])
        if not selectors.sees_private_fields(actor, outlet):
            raise NotFound()  # the operator's and the data center's business, like stock
        return selectors.outlet_change_requests(actor, outlet).select_related("outlet")

    @extend_schema(summary="Change requests of one outlet", operation_id="outlet_change_requests_list")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.ChangeRequestWriteSerializer,
        responses={201: s.ChangeRequestResultSerializer},
        summary="Ask to change kind, size or location of an approved outlet",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = s.ChangeRequestWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.outlet_change_request_submit(actor=self.actor, outlet=pk, **data.validated_data)
        change = (
            selectors.pending_change_requests(self.actor)
            .select_related("outlet", "prefecture__parent")
            .get(outlet_id=pk)
        )
        body = s.ChangeRequestResultSerializer(change, context={"warnings": result.warnings}).data
        response = Response(body, status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/outlets/{pk}/change-requests/"
        return response


class ChangeRequestApproveView(RnAPIView):
    @extend_schema(
        request=s.ChangeRequestApproveSerializer,
        responses=s.ChangeRequestSerializer,
        summary="Approve a change request: the outlet takes the new values (data center)",
    )
    def post(self, request: Request, pk: int) -> Response:
        s.ChangeRequestApproveSerializer(data=request.data).is_valid(raise_exception=True)
        services.outlet_change_request_approve(actor=self.actor, request=pk)
        return Response(s.ChangeRequestSerializer(selectors.get_change_request(self.actor, pk)).data)


class ChangeRequestRejectView(RnAPIView):
    @extend_schema(
        request=s.ChangeRequestRejectSerializer,
        responses=s.ChangeRequestSerializer,
        summary="Reject a change request, with a reason (data center)",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = s.ChangeRequestRejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.outlet_change_request_reject(actor=self.actor, request=pk, **data.validated_data)
        return Response(s.ChangeRequestSerializer(selectors.get_change_request(self.actor, pk)).data)


class OutletGrantListView(RnListView):
    """Sharing authorisations of one outlet: all for its operator and the data center, its
    own for a grantee; grant one more (operator)."""

    model = SharingGrant
    serializer_class = s.GrantSerializer
    ordering_fields = ["id"]

    def visible(self, actor: Any) -> Any:
        outlet = selectors.get_outlet(actor, self.kwargs["pk"])
        return selectors.outlet_grants(actor, outlet)

    @extend_schema(
        summary="Sharing authorisations of one outlet, with their history", operation_id="outlet_grants_list"
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=s.GrantCreateSerializer,
        responses={201: s.GrantSerializer},
        summary="Authorise a partner to use an approved outlet (operator)",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = s.GrantCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grantee = partner_directory(self.actor).filter(pk=data.validated_data["grantee"]).first()
        if grantee is None:
            raise InvalidInput(
                _("Choose an active partner from the directory."),
                code="grantee_unknown",
                errors={"grantee": [_("Unknown or inactive partner.")]},
            )
        grant = services.sharing_grant(actor=self.actor, outlet=pk, grantee=grantee, note=data.validated_data["note"])
        grant = selectors.grants_for(self.actor).get(pk=grant.pk)
        response = Response(s.GrantSerializer(grant).data, status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/outlets/{pk}/grants/"
        return response


class GrantRevokeView(RnAPIView):
    @extend_schema(
        request=s.GrantRevokeSerializer,
        responses=s.GrantSerializer,
        summary="Revoke a sharing authorisation (operator)",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = s.GrantRevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.sharing_revoke(actor=self.actor, grant=pk, **data.validated_data)
        return Response(s.GrantSerializer(selectors.grants_for(self.actor).get(pk=pk)).data)
