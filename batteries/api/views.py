"""Batteries, intakes, consignments, the feed and obligations over HTTP (DESIGN §8).
Each view validates the shape, calls one service or selector, and serializes."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from batteries import selectors, services
from batteries.api import serializers as s
from batteries.errors import BatteryInCustody
from batteries.feed import feed_page
from batteries.filtersets import BatteryFilterSet, ConsignmentFilterSet, ObligationFilterSet
from batteries.models import Battery, Consignment, ConsignmentItem, Obligation
from recycling_network.rest.pagination import RnCursorPagination
from recycling_network.rest.throttling import ActorThrottle, AnonymousThrottle, ExistenceProbeThrottle
from recycling_network.rest.views import RnAPIView, RnListView, detail_response


def _battery_queryset(actor: Any) -> QuerySet:
    return selectors.visible_batteries(actor).select_related("custodian", "outlet", "original")


def _battery_response(request: Request, code: str, status_code: int = status.HTTP_200_OK) -> Response:
    # One query: the visible battery with what the serializer renders (answers every intake).
    battery = selectors.get_battery(request.actor, code, _battery_queryset(request.actor))
    data = s.BatterySerializer(battery, context={"request": request}).data
    return Response(data, status=status_code)


@extend_schema_view(
    get=extend_schema(
        summary="Batteries the caller produced, holds, held or is receiving", operation_id="batteries_list"
    )
)
class BatteryListView(RnListView):
    model = Battery
    serializer_class = s.BatterySerializer
    filterset_class = BatteryFilterSet
    ordering_fields = ["id", "received_at", "updated_at"]

    def visible(self, actor: Any) -> QuerySet:
        return _battery_queryset(actor)


class BatteryDetailView(RnAPIView):
    @extend_schema(responses=s.BatteryDetailSerializer, summary="One battery with the events the caller may see")
    def get(self, request: Request, code: str) -> Response:
        battery = selectors.get_battery(self.actor, code)
        battery = _battery_queryset(self.actor).get(pk=battery.pk)
        events = list(selectors.battery_events(self.actor, battery))
        data = s.BatteryDetailSerializer(battery, context={"request": request, "events": events}).data
        return detail_response(request, data)


class IntakeView(RnAPIView):
    """Receive a battery at an outlet. A 409 ``battery_in_custody`` confirms that a code
    exists elsewhere, so those answers have their own, tighter, throttle."""

    throttle_classes = [ActorThrottle, AnonymousThrottle, ExistenceProbeThrottle]

    @extend_schema(
        request=s.IntakeSerializer, responses={201: s.BatterySerializer}, summary="Log a battery received at an outlet"
    )
    def post(self, request: Request) -> Response:
        data = s.IntakeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            battery = services.battery_receive(actor=self.actor, **data.validated_data)
        except BatteryInCustody:
            ExistenceProbeThrottle().record_hit(request, self)
            raise
        response = _battery_response(request, battery.code, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/batteries/{battery.code}/"
        return response


class BatteryActionView(RnAPIView):
    """``POST /batteries/{code}/<action>/``: one service per action."""

    action_serializer: type = s.RecycleSerializer
    service: Any = None
    status_code = status.HTTP_200_OK

    def post(self, request: Request, code: str) -> Response:
        data = self.action_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        battery = type(self).service(actor=self.actor, code=code, **data.validated_data)
        return _battery_response(request, battery.code, self.status_code)


def _action(name: str, serializer: type, service: Any, summary: str, answer: int = status.HTTP_200_OK) -> type:
    # A function of its own per view: extend_schema annotates the function object, and
    # decorating the shared BatteryActionView.post would give every action the last schema.
    def post(self: BatteryActionView, request: Request, code: str) -> Response:
        return BatteryActionView.post(self, request, code)

    return type(
        f"Battery{name.title()}View",
        (BatteryActionView,),
        {
            "action_serializer": serializer,
            "service": staticmethod(service),
            "status_code": answer,
            "post": extend_schema(request=serializer, responses={answer: s.BatterySerializer}, summary=summary)(post),
        },
    )


BatteryInspectView = _action("inspect", s.InspectSerializer, services.battery_inspect, "Record the safety inspection")
BatteryHazardView = _action("hazard", s.HazardSerializer, services.battery_report_hazard, "Report (or clear) a hazard")
BatteryCascadeView = _action(
    "cascade",
    s.CascadeSerializer,
    services.battery_cascade,
    "Re-code for cascade use (returns the new battery)",
    status.HTTP_201_CREATED,
)
BatteryRecycleView = _action("recycle", s.RecycleSerializer, services.battery_recycle, "Record material recycling")
BatteryVoidView = _action("void", s.VoidSerializer, services.battery_void, "Void an intake recorded in error")


def _consignments(actor: Any) -> QuerySet:
    return (
        selectors.visible_consignments(actor)
        .select_related("from_partner", "to_partner", "from_outlet", "to_outlet", "received_outlet")
        .prefetch_related(Prefetch("items", queryset=ConsignmentItem.objects.order_by("id")))
    )


def _consignment_response(request: Request, consignment_id: int, status_code: int = status.HTTP_200_OK) -> Response:
    consignment = _consignments(request.actor).filter(pk=consignment_id).first()
    if consignment is None:
        raise exceptions.NotFound()
    return Response(s.ConsignmentDetailSerializer(consignment).data, status=status_code)


@extend_schema_view(
    get=extend_schema(summary="Consignments the caller sent or receives", operation_id="consignments_list")
)
class ConsignmentListView(RnListView):
    model = Consignment
    serializer_class = s.ConsignmentSerializer
    filterset_class = ConsignmentFilterSet
    ordering_fields = ["id", "dispatched_at"]

    def visible(self, actor: Any) -> QuerySet:
        return _consignments(actor)

    @extend_schema(
        request=s.DispatchSerializer, responses={201: s.ConsignmentDetailSerializer}, summary="Dispatch batteries"
    )
    def post(self, request: Request) -> Response:
        data = s.DispatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consignment = services.consignment_dispatch(actor=self.actor, **data.validated_data)
        response = _consignment_response(request, consignment.pk, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/consignments/{consignment.pk}/"
        return response


class ConsignmentDetailView(RnAPIView):
    @extend_schema(responses=s.ConsignmentDetailSerializer, summary="One consignment with its items")
    def get(self, request: Request, pk: int) -> Response:
        consignment = selectors.get_consignment(self.actor, pk)
        consignment = _consignments(self.actor).get(pk=consignment.pk)
        return detail_response(request, s.ConsignmentDetailSerializer(consignment).data)


class ConsignmentReceiveView(RnAPIView):
    @extend_schema(
        request=s.ReceiveSerializer,
        responses=s.ConsignmentDetailSerializer,
        summary="Receive, rejecting some batteries",
    )
    def post(self, request: Request, pk: int) -> Response:
        data = s.ReceiveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.consignment_receive(actor=self.actor, consignment=pk, **data.validated_data)
        return _consignment_response(request, pk)


class ConsignmentCancelView(RnAPIView):
    @extend_schema(
        request=s.CancelSerializer, responses=s.ConsignmentDetailSerializer, summary="Call a consignment back"
    )
    def post(self, request: Request, pk: int) -> Response:
        data = s.CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.consignment_cancel(actor=self.actor, consignment=pk, **data.validated_data)
        return _consignment_response(request, pk)


class FeedView(RnAPIView):
    """``GET /events/?after=<cursor>&limit=``: every event of the caller, exactly once, in
    the order their transactions became visible. An empty page returns the same cursor."""

    @extend_schema(
        parameters=[
            OpenApiParameter("after", str, description="the next_cursor of the previous page; empty to start"),
            OpenApiParameter("limit", int, description="1-500, default 100"),
        ],
        responses=s.FeedSerializer,
        summary="The feed of custody events",
    )
    def get(self, request: Request) -> Response:
        unknown = sorted(set(request.query_params) - {"after", "limit"})
        if unknown:
            raise exceptions.ValidationError({name: ["Unknown parameter."] for name in unknown})
        limit = RnCursorPagination().get_page_size(request)
        page = feed_page(self.actor, request.query_params.get("after") or None, limit)
        return Response(
            {
                "results": s.EventSerializer(page.events, many=True).data,
                "next_cursor": page.next_cursor,
                "has_more": page.has_more,
            }
        )


class EventCorrectView(RnAPIView):
    @extend_schema(
        request=s.CorrectSerializer, responses={201: s.EventSerializer}, summary="Amend fields of an earlier event"
    )
    def post(self, request: Request, pk: int) -> Response:
        data = s.CorrectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.event_correct(actor=self.actor, event_id=pk, **data.validated_data)
        return Response(s.EventSerializer(event).data, status=status.HTTP_201_CREATED)


@extend_schema_view(get=extend_schema(summary="Uploads owed to the national platform, with due dates"))
class ObligationListView(RnListView):
    model = Obligation
    serializer_class = s.ObligationSerializer
    filterset_class = ObligationFilterSet
    ordering_fields = ["id", "due_on"]

    def visible(self, actor: Any) -> QuerySet:
        return selectors.visible_obligations(actor).select_related("obligated")


class ObligationAcknowledgeView(RnAPIView):
    @extend_schema(
        request=s.AcknowledgeSerializer,
        responses=s.ObligationSerializer(many=True),
        summary="Acknowledge uploads in bulk",
    )
    def post(self, request: Request) -> Response:
        data = s.AcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obligations = services.obligations_acknowledge(actor=self.actor, items=data.validated_data["items"])
        return Response(s.ObligationSerializer(obligations, many=True).data)
