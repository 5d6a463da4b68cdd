"""Final fates, recorded by the custodian while the battery is at its facility: material
recycling, or a cascade-use re-code that creates a linked battery (DESIGN §7)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from batteries import deadlines
from batteries.codes import InvalidBatteryCode, parse_battery_code
from batteries.ledger import append_event
from batteries.models import Battery, BatteryStatus, EventKind
from batteries.services.common import (
    clean_decimal,
    clean_occurred_at,
    code_lock,
    create_obligation,
    event_audience,
    lock_visible_battery,
    require_custodian,
    require_partner_writer,
)
from batteries.services.intake import invalid_code
from partners.models import Partner, PartnerKind
from partners.selectors import approved_codes
from recycling_network.errors import Conflict, Forbidden, InvalidInput
from recycling_network.i18n import lazy_format
from recycling_network.tenancy import Actor, system_context


def _partner_of_kind(actor: Actor, kind: str) -> Partner:
    partner = Partner.objects.get(pk=actor.partner_id)
    if kind not in partner.kinds:
        raise Forbidden(
            lazy_format(_("Only a %(kind)s can do this."), kind=PartnerKind(kind).label), code="partner_kind_required"
        )
    return partner


@transaction.atomic
def battery_recycle(
    *, actor: Actor, code: str, notes: str = "", occurred_at: datetime.datetime | None = None
) -> Battery:
    """Material recycling and final disposal done (再生利用): the end of the chain."""
    require_partner_writer(actor)
    when = clean_occurred_at(occurred_at)
    recycler = _partner_of_kind(actor, PartnerKind.RECYCLER)
    battery = lock_visible_battery(actor, code)
    require_custodian(actor, battery, (BatteryStatus.AT_FACILITY,))
    with system_context():
        battery.status = BatteryStatus.RECYCLED
        battery.save(update_fields=["status", "updated_at"])
        event = append_event(
            battery,
            kind=EventKind.RECYCLED,
            actor=actor,
            partner_id=actor.partner_id,
            audience=event_audience(battery, actor.partner_id),
            occurred_at=when,
            data={"notes": notes.strip(), "weight_kg": battery.weight_kg},
        )
    create_obligation(event, battery, deadlines.RECYCLER_FACILITY, recycler.pk)
    return battery


@transaction.atomic
def battery_cascade(
    *,
    actor: Actor,
    code: str,
    new_code: str,
    weight_kg: Decimal | str | float | None = None,
    energy_kwh: Decimal | str | float | None = None,
    soh_percent: Decimal | str | float | None = None,
    notes: str = "",
    occurred_at: datetime.datetime | None = None,
) -> Battery:
    """Re-code a battery for cascade use (梯次利用). The new 19-character code carries one
    of the actor's approved manufacturer codes; the original is kept and linked."""
    require_partner_writer(actor)
    when = clean_occurred_at(occurred_at)
    cascade_user = _partner_of_kind(actor, PartnerKind.CASCADE_USER)
    try:
        parsed = parse_battery_code(new_code)
    except InvalidBatteryCode as error:
        raise invalid_code(error, "new_code") from None
    if not parsed.is_recode:
        raise InvalidInput(
            _("A cascade-use code has 19 characters and ends in R plus P, M or C."),
            code="recode_required",
            errors={"new_code": [_("Not a cascade-use code.")]},
        )
    if parsed.manufacturer_code not in approved_codes(cascade_user.pk)["manufacturer"]:
        raise InvalidInput(
            _("The new code must carry one of your approved manufacturer codes."),
            code="manufacturer_code_not_yours",
            errors={"new_code": [_("Manufacturer code not approved for you.")]},
        )
    weight = clean_decimal(weight_kg, "weight_kg", minimum=Decimal("0.01"), maximum=Decimal("100000"), required=False)
    energy = clean_decimal(energy_kwh, "energy_kwh", minimum=Decimal("0"), maximum=Decimal("10000"), required=False)
    soh = clean_decimal(soh_percent, "soh_percent", minimum=Decimal("0"), maximum=Decimal("100"), required=False)
    original = lock_visible_battery(actor, code)
    require_custodian(actor, original, (BatteryStatus.AT_FACILITY,))
    code_lock(parsed.code)
    with system_context():
        if Battery.objects.filter(code=parsed.code).exists():
            raise Conflict(_("This cascade-use code is already in use."), code="battery_code_taken")
        audience = sorted(set(original.producer_ids) | {cascade_user.pk})
        recoded = Battery.objects.create(
            code=parsed.code,
            manufacturer_code=parsed.manufacturer_code,
            product_type=parsed.recode_product_type or parsed.product_type,
            chemistry=parsed.chemistry,
            production_year=parsed.production_year,
            production_month=parsed.production_month,
            weight_kg=weight or original.weight_kg,
            energy_kwh=energy if energy is not None else original.energy_kwh,
            soh_percent=soh if soh is not None else original.soh_percent,
            vin=original.vin,
            status=BatteryStatus.AT_FACILITY,
            custodian=cascade_user,
            producer_ids=audience,
            original=original,
            received_at=when,
            audience=audience,
        )
        original.status = BatteryStatus.CASCADE_USE
        original.save(update_fields=["status", "updated_at"])
        event = append_event(
            original,
            kind=EventKind.CASCADE_RECODED,
            actor=actor,
            partner_id=actor.partner_id,
            audience=event_audience(original, actor.partner_id),
            occurred_at=when,
            data={"new_code": recoded.code, "notes": notes.strip()},
        )
        append_event(
            recoded,
            kind=EventKind.CASCADE_RECODED,
            actor=actor,
            partner_id=actor.partner_id,
            audience=audience,
            occurred_at=when,
            data={"original_code": original.code, "weight_kg": recoded.weight_kg, "soh_percent": recoded.soh_percent},
        )
    create_obligation(event, original, deadlines.CASCADE_FACILITY, cascade_user.pk)
    return recoded
