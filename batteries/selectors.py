"""Every read of batteries, events, consignments, review cases and obligations a user or
partner can reach; each takes the actor (DESIGN §4)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from batteries.models import (
    Battery,
    BatteryStatus,
    Consignment,
    ConsignmentItem,
    ConsignmentStatus,
    CustodyEvent,
    Obligation,
    ReviewCase,
)
from recycling_network.errors import NotFound
from recycling_network.tenancy import Actor


def _audience_filter(queryset: QuerySet, actor: Actor) -> QuerySet:
    if actor.is_datacenter:
        return queryset
    if not actor.is_partner:
        return queryset.none()
    return queryset.filter(audience__contains=[actor.partner_id])


def visible_batteries(actor: Actor) -> QuerySet[Battery]:
    """Batteries in the actor's audience: produced, held or consigned to it."""
    batteries = _audience_filter(Battery.objects.all(), actor)
    if actor.assigned_outlet_ids is not None:
        # Outlet staff see what is (or was) at their outlets and what is on its way there.
        outlets = actor.assigned_outlet_ids
        handled_there = CustodyEvent.objects.filter(battery_id=OuterRef("pk"), outlet_id__in=outlets)
        batteries = batteries.filter(
            Q(outlet_id__in=outlets) | Q(consignment__to_outlet_id__in=outlets) | Exists(handled_there)
        )
    return batteries


def get_battery(actor: Actor, code: str, queryset: QuerySet[Battery] | None = None) -> Battery:
    """A battery by code; someone else's battery and a missing one are both 404.
    ``queryset`` narrows ``visible_batteries(actor)`` further (e.g. with what is rendered)."""
    from batteries.codes import normalize_battery_code

    batteries = queryset if queryset is not None else visible_batteries(actor)
    battery = batteries.filter(code=normalize_battery_code(code)).first()
    if battery is None:
        raise NotFound()
    return battery


def sees_where_now(actor: Actor, battery: Battery) -> bool:
    """Where it is now (custodian, outlet, status, hazard): the custodian, a consignee in
    transit, its producers and the data center; not a former holder."""
    if actor.is_datacenter:
        return True
    if not actor.is_partner:
        return False
    partner = actor.partner_id
    return (
        battery.custodian_id == partner
        or partner in battery.producer_ids
        or (battery.status == BatteryStatus.IN_TRANSIT and battery.consignee_id == partner)
    )


def visible_events(actor: Actor) -> QuerySet[CustodyEvent]:
    return _audience_filter(CustodyEvent.objects.all(), actor)


def battery_events(actor: Actor, battery: Battery) -> QuerySet[CustodyEvent]:
    """The events of one battery the actor may see, in chain order."""
    return visible_events(actor).filter(battery=battery).order_by("seq")


def get_event(actor: Actor, event_id: int) -> CustodyEvent:
    event = visible_events(actor).filter(pk=event_id).first()
    if event is None:
        raise NotFound()
    return event


def visible_consignments(actor: Actor) -> QuerySet[Consignment]:
    consignments = _audience_filter(Consignment.objects.all(), actor)
    if actor.assigned_outlet_ids is not None:
        outlets = actor.assigned_outlet_ids
        consignments = consignments.filter(
            Q(from_outlet_id__in=outlets)
            | Q(to_outlet_id__in=outlets)
            | Q(received_outlet_id__in=outlets)
            | Q(to_outlet__isnull=True, to_partner_id=actor.partner_id, status=ConsignmentStatus.IN_TRANSIT)
        )
    return consignments


def get_consignment(actor: Actor, consignment_id: int) -> Consignment:
    consignment = visible_consignments(actor).filter(pk=consignment_id).first()
    if consignment is None:
        raise NotFound()
    return consignment


def consignment_items(actor: Actor, consignment: Consignment) -> QuerySet[ConsignmentItem]:
    return _audience_filter(ConsignmentItem.objects.filter(consignment=consignment), actor).order_by("id")


def visible_review_cases(actor: Actor) -> QuerySet[ReviewCase]:
    return _audience_filter(ReviewCase.objects.all(), actor)


def get_review_case(actor: Actor, case_id: int) -> ReviewCase:
    case = visible_review_cases(actor).filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


def visible_obligations(actor: Actor) -> QuerySet[Obligation]:
    return _audience_filter(Obligation.objects.all(), actor)


def outlet_has_transit(outlet_id: int) -> bool:
    """Consignments on their way to or from the outlet (an outlet with any cannot close).
    Called by the outlet lifecycle in the system context."""
    return Consignment.objects.filter(
        Q(to_outlet_id=outlet_id) | Q(from_outlet_id=outlet_id), status=ConsignmentStatus.IN_TRANSIT
    ).exists()
