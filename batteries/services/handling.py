"""What a custodian records about a battery in its care: the safety inspection, hazards,
corrections of earlier events and voids of mistaken intakes (DESIGN §7)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from batteries.ledger import append_event, json_safe
from batteries.models import (
    HAZARDS,
    Battery,
    BatteryStatus,
    Condition,
    CustodyEvent,
    EventKind,
    Source,
)
from batteries.selectors import get_event
from batteries.services.common import (
    adjust_stock,
    clean_choice,
    clean_decimal,
    clean_occurred_at,
    clean_vin,
    clean_weight,
    event_audience,
    lock_outlets,
    lock_visible_battery,
    producers_for,
    require_custodian,
    require_partner_writer,
)
from recycling_network.errors import Conflict, Forbidden, InvalidInput
from recycling_network.tenancy import Actor, system_context

HELD = (BatteryStatus.AT_OUTLET, BatteryStatus.AT_FACILITY)


def _held_at_assigned_outlet(actor: Actor, battery: Battery) -> None:
    if actor.assigned_outlet_ids is not None and battery.outlet_id not in actor.assigned_outlet_ids:
        raise Forbidden(_("You are not assigned to the outlet holding this battery."), code="outlet_not_assigned")


@transaction.atomic
def battery_inspect(
    *,
    actor: Actor,
    code: str,
    insulation_ok: bool,
    casing_ok: bool,
    soh_percent: Decimal | str | float | None = None,
    notes: str = "",
    occurred_at: datetime.datetime | None = None,
) -> Battery:
    """The safety inspection, the only processing an outlet may do (outlet guideline):
    insulation, casing and measured state of health."""
    require_partner_writer(actor)
    when = clean_occurred_at(occurred_at)
    soh = clean_decimal(soh_percent, "soh_percent", minimum=Decimal("0"), maximum=Decimal("100"), required=False)
    battery = lock_visible_battery(actor, code)
    require_custodian(actor, battery, HELD)
    _held_at_assigned_outlet(actor, battery)
    with system_context():
        if soh is not None:
            battery.soh_percent = soh
        if not insulation_ok:
            battery.hazard = Condition.INSULATION_FAULT
        elif not casing_ok and not battery.hazard:
            battery.hazard = Condition.DAMAGED
        battery.save(update_fields=["soh_percent", "hazard", "updated_at"])
        append_event(
            battery,
            kind=EventKind.INSPECTED,
            actor=actor,
            partner_id=actor.partner_id,
            audience=event_audience(battery, actor.partner_id),
            occurred_at=when,
            outlet=battery.outlet,
            data={
                "insulation_ok": bool(insulation_ok),
                "casing_ok": bool(casing_ok),
                "soh_percent": soh,
                "notes": notes.strip(),
            },
        )
    return battery


@transaction.atomic
def battery_report_hazard(
    *, actor: Actor, code: str, hazard: str, notes: str = "", occurred_at: datetime.datetime | None = None
) -> Battery:
    """Flag a damaged, leaking, swollen, smoking or faulty battery for segregated storage
    (``intact`` clears the flag). The custodian or, in transit, the consignee."""
    require_partner_writer(actor)
    when = clean_occurred_at(occurred_at)
    hazard = clean_choice(hazard, "hazard", Condition.values)
    battery = lock_visible_battery(actor, code)
    in_transit_to_me = battery.status == BatteryStatus.IN_TRANSIT and battery.consignee_id == actor.partner_id
    if not in_transit_to_me:
        require_custodian(actor, battery, (*HELD, BatteryStatus.IN_TRANSIT))
        _held_at_assigned_outlet(actor, battery)
    with system_context():
        battery.hazard = hazard if hazard in HAZARDS else ""
        battery.save(update_fields=["hazard", "updated_at"])
        append_event(
            battery,
            kind=EventKind.HAZARD_REPORTED,
            actor=actor,
            partner_id=actor.partner_id,
            counterparty_id=battery.custodian_id if in_transit_to_me else None,
            audience=event_audience(battery, actor.partner_id, battery.custodian_id),
            occurred_at=when,
            outlet=battery.outlet,
            data={"hazard": hazard, "notes": notes.strip()},
        )
    return battery


@transaction.atomic
def battery_void(*, actor: Actor, code: str, reason: str) -> Battery:
    """Withdraw an intake recorded in error, while the battery is still at that outlet and
    nothing has happened to it since; its mass leaves the outlet's stock."""
    require_partner_writer(actor)
    if not reason.strip():
        raise InvalidInput(_("Give a reason."), code="reason_required", errors={"reason": [_("Required.")]})
    battery = lock_visible_battery(actor, code)
    require_custodian(actor, battery, (BatteryStatus.AT_OUTLET,))
    _held_at_assigned_outlet(actor, battery)
    with system_context():
        last = CustodyEvent.objects.filter(battery=battery).order_by("-seq").first()
    if (
        last is None
        or last.kind != EventKind.RECEIVED
        or last.partner_id != actor.partner_id
        or last.outlet_id != battery.outlet_id
    ):
        raise Conflict(
            _("Only an intake with nothing recorded after it can be voided; correct the events instead."),
            code="void_not_possible",
        )
    outlet = lock_outlets([battery.outlet_id])[battery.outlet_id]
    with system_context():
        battery.status = BatteryStatus.VOID
        battery.outlet = None
        battery.hazard = ""
        battery.save(update_fields=["status", "outlet", "hazard", "updated_at"])
        append_event(
            battery,
            kind=EventKind.VOIDED,
            actor=actor,
            partner_id=actor.partner_id,
            audience=last.audience,
            occurred_at=timezone.now(),
            outlet=outlet,
            data={"voided_event": last.pk, "voided_seq": last.seq, "reason": reason.strip()},
        )
    adjust_stock(outlet, -battery.weight_kg)
    return battery


CORRECTABLE = {
    "weight_kg": lambda v: clean_weight(v),
    "energy_kwh": lambda v: clean_decimal(
        v, "energy_kwh", minimum=Decimal("0"), maximum=Decimal("10000"), required=False
    ),
    "vin": clean_vin,
    "source": lambda v: clean_choice(v, "source", Source.values),
    "soh_percent": lambda v: clean_decimal(
        v, "soh_percent", minimum=Decimal("0"), maximum=Decimal("100"), required=False
    ),
    "notes": lambda v: str(v or "").strip()[:2000],
}
BATTERY_FIELDS = {"weight_kg", "energy_kwh", "vin", "soh_percent"}


@transaction.atomic
def event_correct(*, actor: Actor, event_id: int, changes: dict[str, Any], reason: str) -> CustodyEvent:
    """Amend fields of an earlier event by appending a ``corrected`` event that names it
    and the new values; nothing in the ledger is updated. Readers apply corrections."""
    require_partner_writer(actor)
    if not reason.strip():
        raise InvalidInput(_("Give a reason."), code="reason_required", errors={"reason": [_("Required.")]})
    original = get_event(actor, event_id)
    if original.partner_id != actor.partner_id:
        raise Forbidden(_("Only the partner that recorded an event can correct it."), code="not_event_author")
    unknown = set(changes) - set(CORRECTABLE)
    if not changes or unknown:
        raise InvalidInput(
            _("Correct one or more of: weight_kg, energy_kwh, vin, source, soh_percent, notes."),
            code="correction_invalid",
            errors={field: [_("Cannot be corrected.")] for field in unknown} or {"changes": [_("Required.")]},
        )
    cleaned = {field: CORRECTABLE[field](value) for field, value in changes.items()}
    with system_context():
        battery = Battery.objects.select_for_update().get(pk=original.battery_id)
    touches_battery = {f: v for f, v in cleaned.items() if f in BATTERY_FIELDS}
    outlet = None
    if (
        "weight_kg" in touches_battery
        and battery.status == BatteryStatus.AT_OUTLET
        and battery.custodian_id == actor.partner_id
    ):
        outlet = lock_outlets([battery.outlet_id])[battery.outlet_id]
    delta = touches_battery.get("weight_kg", battery.weight_kg) - battery.weight_kg
    with system_context():
        previous_vin = battery.vin
        for field, value in touches_battery.items():
            setattr(battery, field, value if value is not None else (None if field != "vin" else ""))
        if battery.vin != previous_vin:
            battery.producer_ids = sorted(
                set(battery.producer_ids) | set(producers_for(battery.manufacturer_code, battery.vin))
            )
            battery.audience = sorted(set(battery.audience) | set(battery.producer_ids))
        battery.save()
        correction = append_event(
            battery,
            kind=EventKind.CORRECTED,
            actor=actor,
            partner_id=actor.partner_id,
            audience=sorted(set(original.audience) | set(battery.producer_ids)),
            occurred_at=timezone.now(),
            outlet=battery.outlet,
            data={
                "corrects": original.pk,
                "corrects_seq": original.seq,
                "changes": json_safe(cleaned),
                "reason": reason.strip(),
            },
        )
    if outlet is not None and delta:
        adjust_stock(outlet, delta)
    return correction
