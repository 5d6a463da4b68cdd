"""Handovers between partners: dispatch, cancel, receive (DESIGN §7 "Consignments")."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from batteries import deadlines
from batteries.codes import normalize_battery_code
from batteries.errors import NotCustodian, OutletNotApproved
from batteries.ledger import append_event
from batteries.models import (
    Battery,
    BatteryStatus,
    Consignment,
    ConsignmentItem,
    ConsignmentStatus,
    EventKind,
    ItemOutcome,
    RejectionReason,
    ReviewCase,
    ReviewKind,
    ReviewStatus,
)
from batteries.selectors import get_consignment, visible_batteries
from batteries.services.common import (
    adjust_stock,
    automaker_of,
    check_capacity,
    clean_occurred_at,
    create_obligation,
    event_audience,
    facility_rule,
    lock_outlets,
    require_partner_writer,
)
from outlets.models import Outlet, OutletStatus
from outlets.selectors import get_outlet, usable_outlets
from partners.models import Partner, PartnerKind, PartnerStatus
from recycling_network.errors import Conflict, Forbidden, InvalidInput, NotFound
from recycling_network.i18n import lazy_format
from recycling_network.queries import lock_or_404
from recycling_network.tenancy import Actor, system_context

FACILITY_KINDS = {PartnerKind.CASCADE_USER, PartnerKind.RECYCLER, PartnerKind.DISMANTLER}
MAX_BATTERIES = 1000


def _codes(codes: Iterable[str], field: str = "batteries") -> list[str]:
    cleaned = list(dict.fromkeys(normalize_battery_code(c) for c in codes if c))
    if not cleaned:
        raise InvalidInput(_("Name at least one battery."), code="batteries_required", errors={field: [_("Required.")]})
    if len(cleaned) > MAX_BATTERIES:
        raise InvalidInput(
            lazy_format(_("At most %(count)s batteries per consignment."), count=MAX_BATTERIES),
            code="too_many_batteries",
            errors={field: [_("Too many.")]},
        )
    return cleaned


def _receiver(to_partner: Partner | int, sender_id: int) -> Partner:
    partner_id = to_partner.pk if isinstance(to_partner, Partner) else to_partner
    partner = Partner.objects.filter(pk=partner_id, status=PartnerStatus.ACTIVE).first()
    if partner is None:
        raise InvalidInput(
            _("Choose an active partner to send to."),
            code="to_partner_invalid",
            errors={"to_partner": [_("Unknown or inactive partner.")]},
        )
    if partner.pk == sender_id:
        raise InvalidInput(
            _("A consignment goes to another partner."),
            code="to_partner_invalid",
            errors={"to_partner": [_("That is your own organisation.")]},
        )
    return partner


def _partner_may_use(partner: Partner, outlet: Outlet) -> bool:
    from outlets.selectors import network_outlets

    return network_outlets(partner.pk).filter(pk=outlet.pk).exists()


def _target_outlet(actor: Actor, receiver: Partner, to_outlet: Outlet | str | int | None) -> Outlet | None:
    if to_outlet in (None, ""):
        if not set(receiver.kinds) & FACILITY_KINDS:
            raise InvalidInput(
                _(
                    "Name the receiving outlet: only cascade users, recyclers and dismantlers receive at their own facility."
                ),
                code="to_outlet_required",
                errors={"to_outlet": [_("Required for this partner.")]},
            )
        return None
    try:
        outlet = get_outlet(actor, to_outlet.pk if isinstance(to_outlet, Outlet) else to_outlet)
    except NotFound as error:
        raise InvalidInput(
            _("Unknown outlet."), code="to_outlet_invalid", errors={"to_outlet": [_("Unknown outlet.")]}
        ) from error
    if outlet.status != OutletStatus.APPROVED:
        raise OutletNotApproved()
    with system_context():
        if not _partner_may_use(receiver, outlet):
            raise InvalidInput(
                _("The receiving partner does not operate this outlet and is not authorised to use it."),
                code="to_outlet_invalid",
                errors={"to_outlet": [_("Not an outlet of the receiving partner.")]},
            )
    return outlet


def _lock_batteries(ids: Iterable[int]) -> list[Battery]:
    with system_context():
        return list(Battery.objects.select_for_update().filter(pk__in=sorted(set(ids))).order_by("pk"))


@transaction.atomic
def consignment_dispatch(
    *,
    actor: Actor,
    from_outlet: Outlet | str | int,
    to_partner: Partner | int,
    batteries: Sequence[str],
    to_outlet: Outlet | str | int | None = None,
    waybill: str = "",
    carrier: str = "",
    notes: str = "",
    occurred_at: datetime.datetime | None = None,
) -> Consignment:
    """Send batteries from one of the custodian's outlets to another partner (出库交接).

    They leave the outlet's stock and travel ``in_transit``; the sender stays the
    custodian until receipt; the consignee joins their audience."""
    require_partner_writer(actor)
    when = clean_occurred_at(occurred_at)
    codes = _codes(batteries)
    source = get_outlet(actor, from_outlet.pk if isinstance(from_outlet, Outlet) else from_outlet)
    if not usable_outlets(actor, include_suspended=True).filter(pk=source.pk).exists():
        raise Forbidden(_("You may not dispatch from this outlet."), code="outlet_not_usable")
    receiver = _receiver(to_partner, actor.partner_id)
    target = _target_outlet(actor, receiver, to_outlet)

    visible = dict(visible_batteries(actor).filter(code__in=codes).values_list("code", "pk"))
    unknown = [c for c in codes if c not in visible]
    if unknown:
        raise NotFound(
            lazy_format(_("Unknown batteries: %(codes)s"), codes=", ".join(unknown[:20])),
            code="battery_not_found",
            errors={"batteries": unknown[:100]},
        )
    outlet = lock_outlets([source.pk])[source.pk]
    locked = _lock_batteries(visible.values())
    wrong = [
        b.code
        for b in locked
        if b.custodian_id != actor.partner_id or b.status != BatteryStatus.AT_OUTLET or b.outlet_id != source.pk
    ]
    if wrong:
        raise NotCustodian(
            lazy_format(
                _("These batteries are not in your stock at this outlet: %(codes)s"), codes=", ".join(wrong[:20])
            ),
            errors={"batteries": wrong[:100]},
        )
    total = sum((b.weight_kg for b in locked), Decimal("0"))
    with system_context():
        consignment = Consignment.objects.create(
            from_partner_id=actor.partner_id,
            from_outlet=outlet,
            to_partner=receiver,
            to_outlet=target,
            waybill=waybill.strip()[:64],
            carrier=carrier.strip()[:200],
            notes=notes.strip(),
            battery_count=len(locked),
            total_weight_kg=total,
            dispatched_at=when,
            dispatched_by_id=actor.user_id,
            audience=sorted({actor.partner_id, receiver.pk}),
        )
        ConsignmentItem.objects.bulk_create(
            ConsignmentItem(
                consignment=consignment,
                battery=b,
                battery_code=b.code,
                weight_kg=b.weight_kg,
                audience=consignment.audience,
            )
            for b in locked
        )
        obligated = {}
        for battery in locked:
            battery.status = BatteryStatus.IN_TRANSIT
            battery.outlet = None
            battery.consignee = receiver
            battery.consignment = consignment
            battery.audience = sorted(set(battery.audience) | {receiver.pk})
            battery.save(update_fields=["status", "outlet", "consignee", "consignment", "audience", "updated_at"])
            event = append_event(
                battery,
                kind=EventKind.DISPATCHED,
                actor=actor,
                partner_id=actor.partner_id,
                counterparty_id=receiver.pk,
                audience=event_audience(battery, actor.partner_id, receiver.pk),
                occurred_at=when,
                outlet=outlet,
                consignment=consignment,
                data={
                    "consignment": consignment.pk,
                    "destination_partner": receiver.pk,
                    "destination_outlet": target.code if target else None,
                    "weight_kg": battery.weight_kg,
                    "waybill": consignment.waybill,
                    "carrier": consignment.carrier,
                },
            )
            obligated[event.pk] = (event, battery)
    adjust_stock(outlet, -total)
    for event, battery in obligated.values():
        create_obligation(event, battery, deadlines.OUTLET_HANDOVER, automaker_of(battery.vin))
    return consignment


def _lock_consignment(actor: Actor, consignment: Consignment | int) -> Consignment:
    visible = get_consignment(actor, consignment.pk if isinstance(consignment, Consignment) else consignment)
    with system_context():
        locked = lock_or_404(Consignment, visible.pk)
    if locked.status != ConsignmentStatus.IN_TRANSIT:
        raise Conflict(
            lazy_format(_("This consignment is already %(status)s."), status=ConsignmentStatus(locked.status).label),
            code="consignment_closed",
        )
    return locked


def _return_to_sender(battery: Battery, outlet: Outlet, *, over: bool) -> None:
    battery.status = BatteryStatus.AT_OUTLET
    battery.outlet = outlet
    battery.consignee = None
    battery.consignment = None
    battery.over_capacity = battery.over_capacity or over
    battery.save(update_fields=["status", "outlet", "consignee", "consignment", "over_capacity", "updated_at"])


@transaction.atomic
def consignment_cancel(*, actor: Actor, consignment: Consignment | int, reason: str = "") -> Consignment:
    """The sender calls a consignment back before receipt; the batteries return to the
    outlet they left (flagged, not refused, if that overfills it)."""
    require_partner_writer(actor)
    consignment = _lock_consignment(actor, consignment)
    if consignment.from_partner_id != actor.partner_id:
        raise Forbidden(_("Only the sender can cancel a consignment."), code="not_sender")
    outlet = lock_outlets([consignment.from_outlet_id])[consignment.from_outlet_id]
    items = list(ConsignmentItem.objects.filter(consignment=consignment))
    batteries = _lock_batteries(i.battery_id for i in items)
    total = sum((b.weight_kg for b in batteries), Decimal("0"))
    over = outlet.stock_kg + total > outlet.capacity_kg
    now = timezone.now()
    with system_context():
        for battery in batteries:
            _return_to_sender(battery, outlet, over=over)
            append_event(
                battery,
                kind=EventKind.CONSIGNMENT_CANCELLED,
                actor=actor,
                partner_id=actor.partner_id,
                counterparty_id=consignment.to_partner_id,
                audience=event_audience(battery, actor.partner_id, consignment.to_partner_id),
                occurred_at=now,
                outlet=outlet,
                consignment=consignment,
                data={"consignment": consignment.pk, "reason": reason.strip(), "over_capacity": over or None},
            )
        ConsignmentItem.objects.filter(consignment=consignment).update(outcome=ItemOutcome.CANCELLED)
        consignment.status = ConsignmentStatus.CANCELLED
        consignment.cancelled_at = now
        consignment.save(update_fields=["status", "cancelled_at", "updated_at"])
    adjust_stock(outlet, total)
    return consignment


def _clean_rejections(
    rejected: Sequence[dict[str, Any]], items: dict[str, ConsignmentItem]
) -> dict[str, dict[str, str]]:
    cleaned: dict[str, dict[str, str]] = {}
    for index, entry in enumerate(rejected or []):
        code = normalize_battery_code(str(entry.get("code", "")))
        reason = entry.get("reason")
        if code not in items:
            raise InvalidInput(
                lazy_format(_("%(code)s is not in this consignment."), code=code or "-"),
                code="rejection_invalid",
                errors={f"rejected[{index}].code": [_("Not in this consignment.")]},
            )
        if reason not in RejectionReason.values:
            raise InvalidInput(
                _("Give a reason: damaged, not_in_shipment, wrong_code, missing or other."),
                code="rejection_invalid",
                errors={f"rejected[{index}].reason": [_("Not a valid reason.")]},
            )
        cleaned[code] = {"reason": reason, "note": str(entry.get("note", "") or "").strip()[:1000]}
    return cleaned


def _receiving_place(actor: Actor, consignment: Consignment, outlet: Outlet | str | int | None) -> Outlet | None:
    """Where the consignee takes the batteries: the named outlet, one it names now, or
    its facility (cascade users, recyclers and dismantlers)."""
    if consignment.to_outlet_id is not None:
        if outlet not in (None, "") and str(getattr(outlet, "pk", outlet)) not in {
            str(consignment.to_outlet_id),
            consignment.to_outlet.code,
        }:
            raise InvalidInput(
                _("This consignment goes to another outlet."),
                code="outlet_mismatch",
                errors={"outlet": [_("Not the consignment's outlet.")]},
            )
        place = consignment.to_outlet
    elif outlet not in (None, ""):
        place = get_outlet(actor, outlet.pk if isinstance(outlet, Outlet) else outlet)
    else:
        partner = Partner.objects.get(pk=actor.partner_id)
        if not set(partner.kinds) & FACILITY_KINDS or actor.assigned_outlet_ids is not None:
            raise InvalidInput(
                _("Name the outlet receiving the batteries."),
                code="outlet_required",
                errors={"outlet": [_("Required.")]},
            )
        return None
    if place.status != OutletStatus.APPROVED:
        raise OutletNotApproved()
    if not usable_outlets(actor).filter(pk=place.pk).exists():
        raise Forbidden(_("You may not receive batteries at this outlet."), code="outlet_not_usable")
    return place


@transaction.atomic
def consignment_receive(
    *,
    actor: Actor,
    consignment: Consignment | int,
    outlet: Outlet | str | int | None = None,
    rejected: Sequence[dict[str, Any]] = (),
    occurred_at: datetime.datetime | None = None,
) -> Consignment:
    """The consignee takes the batteries it accepts; rejected ones return to the sender's
    outlet. Accepted mass is checked against capacity all or nothing; ``missing`` opens a
    review case."""
    require_partner_writer(actor)
    when = clean_occurred_at(occurred_at)
    consignment = _lock_consignment(actor, consignment)
    if consignment.to_partner_id != actor.partner_id:
        raise Forbidden(_("Only the consignee can receive a consignment."), code="not_consignee")
    place = _receiving_place(actor, consignment, outlet)
    items = {i.battery_code: i for i in ConsignmentItem.objects.filter(consignment=consignment)}
    rejections = _clean_rejections(rejected, items)
    outlets = lock_outlets([consignment.from_outlet_id] + ([place.pk] if place else []))
    sender_outlet = outlets[consignment.from_outlet_id]
    batteries = {b.code: b for b in _lock_batteries(i.battery_id for i in items.values())}
    accepted = [b for code, b in batteries.items() if code not in rejections]
    returned = [b for code, b in batteries.items() if code in rejections]
    accepted_kg = sum((b.weight_kg for b in accepted), Decimal("0"))
    returned_kg = sum((b.weight_kg for b in returned), Decimal("0"))
    receiver_place = outlets[place.pk] if place else None
    if receiver_place is not None:
        check_capacity(receiver_place, accepted_kg)
    receiver = Partner.objects.get(pk=actor.partner_id)
    over = sender_outlet.stock_kg + returned_kg > sender_outlet.capacity_kg
    duties = []
    with system_context():
        for battery in accepted:
            battery.custodian_id = receiver.pk
            battery.status = BatteryStatus.AT_OUTLET if receiver_place else BatteryStatus.AT_FACILITY
            battery.outlet = receiver_place
            battery.consignee = None
            battery.consignment = None
            battery.save(update_fields=["custodian", "status", "outlet", "consignee", "consignment", "updated_at"])
            event = append_event(
                battery,
                kind=EventKind.HANDOVER_RECEIVED,
                actor=actor,
                partner_id=receiver.pk,
                counterparty_id=consignment.from_partner_id,
                audience=event_audience(battery, receiver.pk, consignment.from_partner_id),
                occurred_at=when,
                outlet=receiver_place,
                consignment=consignment,
                data={
                    "consignment": consignment.pk,
                    "weight_kg": battery.weight_kg,
                    "facility": receiver_place is None or None,
                },
            )
            duties.append((event, battery))
        for battery in returned:
            rejection = rejections[battery.code]
            _return_to_sender(battery, sender_outlet, over=over)
            append_event(
                battery,
                kind=EventKind.HANDOVER_REJECTED,
                actor=actor,
                partner_id=receiver.pk,
                counterparty_id=consignment.from_partner_id,
                audience=event_audience(battery, receiver.pk, consignment.from_partner_id),
                occurred_at=when,
                outlet=sender_outlet,
                consignment=consignment,
                data={
                    "consignment": consignment.pk,
                    "reason": rejection["reason"],
                    "note": rejection["note"],
                    "returned_to": sender_outlet.code,
                    "over_capacity": over or None,
                },
            )
            if rejection["reason"] == RejectionReason.MISSING:
                _open_missing_case(actor, battery, consignment, receiver_place, rejection["note"])
        for code, item in items.items():
            if code in rejections:
                item.outcome = ItemOutcome.REJECTED
                item.rejection_reason = rejections[code]["reason"]
                item.rejection_note = rejections[code]["note"]
            else:
                item.outcome = ItemOutcome.ACCEPTED
            item.save(update_fields=["outcome", "rejection_reason", "rejection_note"])
        if not returned:
            consignment.status = ConsignmentStatus.RECEIVED
        elif not accepted:
            consignment.status = ConsignmentStatus.REJECTED
        else:
            consignment.status = ConsignmentStatus.PARTIALLY_REJECTED
        consignment.received_at = when
        consignment.received_by_id = actor.user_id
        consignment.received_outlet = receiver_place
        consignment.save(update_fields=["status", "received_at", "received_by", "received_outlet", "updated_at"])
    if receiver_place is not None:
        adjust_stock(receiver_place, accepted_kg)
    adjust_stock(sender_outlet, returned_kg)
    for event, battery in duties:
        if receiver_place is not None:
            create_obligation(event, battery, deadlines.OUTLET_RECEIPT, automaker_of(battery.vin))
        else:
            rule = facility_rule(receiver)
            if rule is not None:
                create_obligation(event, battery, rule, receiver.pk)
    return consignment


def _open_missing_case(
    actor: Actor, battery: Battery, consignment: Consignment, outlet: Outlet | None, note: str
) -> None:
    exists = ReviewCase.objects.filter(
        battery_code=battery.code, claimant_id=actor.partner_id, status=ReviewStatus.OPEN
    ).exists()
    if not exists:
        ReviewCase.objects.create(
            kind=ReviewKind.MISSING,
            battery=battery,
            battery_code=battery.code,
            claimant_id=actor.partner_id,
            claimant_outlet=outlet,
            consignment=consignment,
            details={"consignment": consignment.pk, "note": note},
            audience=[actor.partner_id],
        )
