"""Pieces shared by the custody services: checking input, locking, stock, producers,
obligations. Cross-partner reads and writes here run in the system context, after the
calling service has authorised the actor through its own selectors."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from batteries import deadlines
from batteries.errors import BatteryStatusConflict, NotCustodian, OutletOverCapacity
from batteries.models import Battery, CustodyEvent, Obligation, ObligationStatus
from batteries.selectors import get_battery
from outlets.models import Outlet
from partners.models import ClaimStatus, CodeClaim, CodeKind, Partner
from partners.validators import VIN_RE, normalize_code
from recycling_network.authz import require_write
from recycling_network.errors import Forbidden, InvalidInput
from recycling_network.i18n import lazy_format
from recycling_network.tenancy import Actor, system_context

# Clients' clocks drift; an event "in the future" by less than this is taken as now.
CLOCK_SKEW = datetime.timedelta(minutes=2)
MAX_WEIGHT_KG = Decimal("100000")


def require_partner_writer(actor: Actor) -> None:
    """Custody is held by partners; the data center records no intakes or handovers."""
    require_write(actor)
    if not actor.is_partner:
        raise Forbidden(_("Only a partner can hold and move batteries."), code="partner_only")


def clean_occurred_at(value: datetime.datetime | None) -> datetime.datetime:
    now = timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        raise InvalidInput(
            _("Give the time with its UTC offset, e.g. 2026-03-01T09:30:00+08:00."),
            code="occurred_at_naive",
            errors={"occurred_at": [_("The time has no UTC offset.")]},
        )
    if value > now + CLOCK_SKEW:
        raise InvalidInput(
            _("The event cannot happen in the future."),
            code="occurred_at_future",
            errors={"occurred_at": [_("In the future.")]},
        )
    return min(value, now)


def clean_decimal(
    value: Any, field: str, *, minimum: Decimal, maximum: Decimal, required: bool = True
) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise InvalidInput(_("This field is required."), code="required", errors={field: [_("Required.")]})
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        number = None
    if number is None or not number.is_finite() or not minimum <= number <= maximum:
        message = lazy_format(_("Enter a number from %(minimum)s to %(maximum)s."), minimum=minimum, maximum=maximum)
        raise InvalidInput(message, code="invalid_number", errors={field: [message]})
    return number.quantize(Decimal("0.01"))


def clean_weight(value: Any) -> Decimal:
    weight = clean_decimal(value, "weight_kg", minimum=Decimal("0.01"), maximum=MAX_WEIGHT_KG)
    assert weight is not None
    return weight


def clean_vin(value: str | None) -> str:
    vin = normalize_code(value or "")
    if vin and not VIN_RE.match(vin):
        raise InvalidInput(
            _("A VIN has 17 characters, letters or digits, never I, O or Q."),
            code="vin_invalid",
            errors={"vin": [_("Not a VIN.")]},
        )
    return vin


def clean_choice(value: str | None, field: str, choices: Iterable[str], default: str | None = None) -> str:
    value = value if value not in (None, "") else default
    if value not in set(choices):
        raise InvalidInput(
            lazy_format(_("Choose one of: %(choices)s."), choices=", ".join(choices)),
            code="invalid_choice",
            errors={field: [_("Not a valid choice.")]},
        )
    return value


def lock_visible_battery(actor: Actor, code: str) -> Battery:
    """The battery the actor can see, locked for update; 404 otherwise."""
    battery = get_battery(actor, code)
    with system_context():
        return Battery.objects.select_for_update().get(pk=battery.pk)


def require_custodian(actor: Actor, battery: Battery, statuses: Iterable[str]) -> None:
    if battery.custodian_id != actor.partner_id:
        raise NotCustodian()
    if battery.status not in set(statuses):
        raise BatteryStatusConflict(
            lazy_format(_("Not possible while the battery is %(status)s."), status=battery.get_status_display())
        )


def lock_outlets(ids: Iterable[int]) -> dict[int, Outlet]:
    """Lock outlet rows in id order (the one order every service uses, so no deadlock)."""
    with system_context():
        return {o.pk: o for o in Outlet.objects.select_for_update().filter(pk__in=sorted(set(ids))).order_by("pk")}


def check_capacity(outlet: Outlet, incoming_kg: Decimal) -> None:
    excess = outlet.stock_kg + incoming_kg - outlet.capacity_kg
    if excess > 0:
        raise OutletOverCapacity(excess_kg=excess, capacity_kg=outlet.capacity_kg, stock_kg=outlet.stock_kg)


def adjust_stock(outlet: Outlet, delta_kg: Decimal) -> None:
    """Add to (or take from) the outlet's stock; the outlet row is already locked."""
    with system_context():
        Outlet.objects.filter(pk=outlet.pk).update(stock_kg=F("stock_kg") + delta_kg)
    outlet.stock_kg += delta_kg


def code_lock(code: str) -> None:
    """Serialise every intake of one code: the second waits, then sees the first's battery."""
    key = int.from_bytes(hashlib.sha256(code.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def code_owners(manufacturer_code: str, vin: str) -> tuple[list[int], int | None]:
    """The battery's producers (partners owning its manufacturer code and its VIN's WMI,
    approved claims) and the automaker among them, in one query: an intake needs both."""
    with system_context():
        claims = CodeClaim.objects.filter(
            status=ClaimStatus.APPROVED, kind=CodeKind.MANUFACTURER, code=manufacturer_code
        )
        if vin:
            claims = claims | CodeClaim.objects.filter(status=ClaimStatus.APPROVED, kind=CodeKind.WMI, code=vin[:3])
        owners = list(claims.order_by("pk").values_list("partner_id", "kind"))
    automaker = next((partner for partner, kind in owners if kind == CodeKind.WMI), None)
    return sorted({partner for partner, _kind in owners}), automaker


def producers_for(manufacturer_code: str, vin: str) -> list[int]:
    """Partners owning the battery's manufacturer code and its VIN's WMI (approved claims)."""
    return code_owners(manufacturer_code, vin)[0]


def automaker_of(vin: str) -> int | None:
    if not vin:
        return None
    with system_context():
        return (
            CodeClaim.objects.filter(status=ClaimStatus.APPROVED, kind=CodeKind.WMI, code=vin[:3])
            .values_list("partner_id", flat=True)
            .first()
        )


def create_obligation(
    event: CustodyEvent, battery: Battery, rule: deadlines.Rule, obligated_id: int | None
) -> Obligation:
    """The upload duty an event creates; unassigned when nobody is known to owe it."""
    occurred_on = deadlines.local_date(event.occurred_at)
    if obligated_id is None:
        status, due_on = ObligationStatus.UNASSIGNED, None
    else:
        due_on = deadlines.add_working_days(occurred_on, rule.working_days)
        status = ObligationStatus.OVERDUE if due_on < timezone.localdate() else ObligationStatus.PENDING
    audience = {p for p in (obligated_id, event.partner_id) if p is not None}
    with system_context():
        return Obligation.objects.create(
            event=event,
            battery=battery,
            battery_code=battery.code,
            obligated_id=obligated_id,
            creator_id=event.partner_id,
            rule=rule.name,
            working_days=rule.working_days,
            occurred_on=occurred_on,
            due_on=due_on,
            status=status,
            audience=sorted(audience),
        )


def facility_rule(partner: Partner) -> deadlines.Rule | None:
    for kind, rule in deadlines.FACILITY_RULES.items():
        if kind in partner.kinds:
            return rule
    return None


def event_audience(battery: Battery, *partners: int | None) -> list[int]:
    """An event is seen by the partners acting in it and the battery's producers."""
    return sorted({p for p in partners if p is not None} | set(battery.producer_ids))
