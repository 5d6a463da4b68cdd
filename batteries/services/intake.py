"""Receiving a battery at an outlet (DESIGN §7 "Intake")."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from batteries import deadlines
from batteries.codes import InvalidBatteryCode, parse_battery_code
from batteries.errors import BatteryAlreadyReceived, BatteryInCustody, OutletNotApproved
from batteries.ledger import append_event
from batteries.models import (
    HAZARDS,
    Battery,
    BatteryStatus,
    Condition,
    EventKind,
    ReviewCase,
    ReviewKind,
    ReviewStatus,
    Source,
)
from batteries.services.common import (
    adjust_stock,
    check_capacity,
    clean_choice,
    clean_decimal,
    clean_occurred_at,
    clean_vin,
    clean_weight,
    code_lock,
    code_owners,
    create_obligation,
    event_audience,
    lock_outlets,
    require_partner_writer,
)
from outlets.models import Outlet, OutletStatus
from outlets.selectors import get_outlet, usable_outlets
from partners.services.audit import audit_record
from recycling_network.errors import DomainError, Forbidden, NotFound
from recycling_network.tenancy import Actor, system_context


def invalid_code(error: InvalidBatteryCode, field: str = "code") -> InvalidBatteryCode:
    """The parser's error, attached to the request field that carried the code."""
    error.errors = {field: [error.message]}
    return error


def receiving_outlet(actor: Actor, outlet: Outlet | str | int) -> Outlet:
    """An approved outlet the actor may use; a clear error for every other case."""
    key = outlet.pk if isinstance(outlet, Outlet) else outlet
    try:
        # The common case in one query: an approved outlet the actor may use.
        return get_outlet(actor, key, usable_outlets(actor))
    except NotFound:
        found = get_outlet(actor, key)  # still 404 if the actor cannot see it at all
    if found.status != OutletStatus.APPROVED:
        raise OutletNotApproved()
    raise Forbidden(_("You may not receive batteries at this outlet."), code="outlet_not_usable")


def _open_review_case(actor: Actor, battery: Battery, outlet: Outlet, details: dict[str, Any]) -> ReviewCase:
    """At most one open case per code and claimant; a repeated attempt reuses it."""
    with system_context():
        case = ReviewCase.objects.filter(
            battery_code=battery.code, claimant_id=actor.partner_id, status=ReviewStatus.OPEN
        ).first()
        if case is None:
            case = ReviewCase.objects.create(
                kind=ReviewKind.CUSTODY_CONFLICT,
                battery=battery,
                battery_code=battery.code,
                claimant_id=actor.partner_id,
                claimant_outlet=outlet,
                details=details,
                audience=[actor.partner_id],
            )
    return case


def _receive(
    actor: Actor,
    outlet: Outlet,
    code: str,
    values: dict[str, Any],
    occurred_at: datetime.datetime,
) -> Battery | DomainError:
    code_lock(code)
    # The actor is authorised (a usable, approved outlet). What follows reads and writes
    # rows of other partners (a current holder, the producers' claims, their feed
    # entries), so it runs as one system block rather than switching for every step.
    with system_context():
        return _record_intake(actor, outlet, code, values, occurred_at)


def _record_intake(
    actor: Actor,
    outlet: Outlet,
    code: str,
    values: dict[str, Any],
    occurred_at: datetime.datetime,
) -> Battery | DomainError:
    existing = Battery.objects.select_for_update().filter(code=code).first()
    if existing is not None and existing.status != BatteryStatus.VOID:
        if existing.custodian_id == actor.partner_id:
            return BatteryAlreadyReceived()
        # Confirms that the code exists elsewhere: audited (and throttled by the API).
        case = _open_review_case(
            actor, existing, outlet, {"outlet": outlet.code, "weight_kg": str(values["weight_kg"])}
        )
        audit_record(
            actor=actor, action="battery.intake_conflict", target=case, after={"code": code, "outlet": outlet.code}
        )
        return BatteryInCustody(extra={"review_case": case.pk})

    parsed = values.pop("parsed")
    # Before the outlet's lock, which every intake at the outlet waits for until we commit.
    producers, automaker = code_owners(parsed.manufacturer_code, values["vin"])
    locked = lock_outlets([outlet.pk])[outlet.pk]
    if locked.status != OutletStatus.APPROVED:
        raise OutletNotApproved()
    check_capacity(locked, values["weight_kg"])
    if existing is None:
        battery = Battery(
            code=code,
            manufacturer_code=parsed.manufacturer_code,
            product_type=parsed.product_type,
            chemistry=parsed.chemistry,
            production_year=parsed.production_year,
            production_month=parsed.production_month,
            received_at=occurred_at,
        )
    else:
        # A voided intake was a mistake; the code is received again on the same chain.
        battery = existing
    battery.weight_kg = values["weight_kg"]
    battery.energy_kwh = values["energy_kwh"]
    battery.vin = values["vin"]
    battery.soh_percent = values["soh_percent"]
    battery.hazard = values["condition"] if values["condition"] in HAZARDS else ""
    battery.status = BatteryStatus.AT_OUTLET
    battery.custodian_id = actor.partner_id
    battery.outlet = locked
    battery.consignee = None
    battery.consignment = None
    battery.producer_ids = sorted(set(battery.producer_ids) | set(producers))
    battery.audience = sorted(set(battery.audience) | set(producers) | {actor.partner_id})
    battery.save()
    event = append_event(
        battery,
        kind=EventKind.RECEIVED,
        actor=actor,
        partner_id=actor.partner_id,
        audience=event_audience(battery, actor.partner_id),
        occurred_at=occurred_at,
        outlet=locked,
        data={
            "source": values["source"],
            "code": code,
            "product_type": battery.product_type,
            "chemistry": battery.chemistry,
            "weight_kg": values["weight_kg"],
            "energy_kwh": values["energy_kwh"],
            "vin": values["vin"],
            "condition": values["condition"],
            "soh_percent": values["soh_percent"],
            "notes": values["notes"],
        },
    )
    adjust_stock(locked, values["weight_kg"])
    create_obligation(event, battery, deadlines.OUTLET_RECEIPT, automaker)
    return battery


def battery_receive(
    *,
    actor: Actor,
    outlet: Outlet | str | int,
    code: str,
    weight_kg: Decimal | str | float,
    energy_kwh: Decimal | str | float | None = None,
    vin: str = "",
    source: str | None = None,
    condition: str | None = None,
    soh_percent: Decimal | str | float | None = None,
    occurred_at: datetime.datetime | None = None,
    notes: str = "",
) -> Battery:
    """Log a battery received at an outlet (收集入库).

    A code the partner already holds: 409 ``battery_already_received``, no side effect.
    A code another partner holds: 409 ``battery_in_custody`` without naming the holder,
    and a review case that is committed although the request fails."""
    require_partner_writer(actor)
    try:
        parsed = parse_battery_code(code)
    except InvalidBatteryCode as error:
        raise invalid_code(error) from None
    values = {
        "parsed": parsed,
        "weight_kg": clean_weight(weight_kg),
        "energy_kwh": clean_decimal(
            energy_kwh, "energy_kwh", minimum=Decimal("0"), maximum=Decimal("10000"), required=False
        ),
        "vin": clean_vin(vin),
        "source": clean_choice(source, "source", Source.values, Source.OWNER),
        "condition": clean_choice(condition, "condition", Condition.values, Condition.INTACT),
        "soh_percent": clean_decimal(
            soh_percent, "soh_percent", minimum=Decimal("0"), maximum=Decimal("100"), required=False
        ),
        "notes": (notes or "").strip()[:2000],
    }
    when = clean_occurred_at(occurred_at)
    target = receiving_outlet(actor, outlet)
    with transaction.atomic():
        result = _receive(actor, target, parsed.code, values, when)
    # Raised after the block so that a conflict's review case and audit entry are kept.
    if isinstance(result, DomainError):
        raise result
    return result
