"""Review cases, resolved by the data center (DESIGN §7 "Mistakes")."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from batteries.ledger import append_event
from batteries.models import Battery, BatteryStatus, EventKind, Resolution, ReviewCase, ReviewStatus
from batteries.services.common import adjust_stock, check_capacity, event_audience, lock_outlets
from partners.services.audit import audit_record
from partners.services.outbox import notify_partner
from recycling_network.authz import require_datacenter
from recycling_network.errors import Conflict, InvalidInput
from recycling_network.i18n import lazy_format
from recycling_network.queries import lock_or_404
from recycling_network.tenancy import Actor, system_context


@transaction.atomic
def review_case_resolve(*, actor: Actor, case: ReviewCase | int, resolution: str, note: str = "") -> ReviewCase:
    """Settle a case: confirm the current holder, transfer custody to the claimant, or mark
    the code counterfeit. Each is a ``review_resolved`` event on the battery."""
    require_datacenter(actor)
    if resolution not in Resolution.values:
        raise InvalidInput(
            _("Choose confirm_holder, transfer or counterfeit."),
            code="resolution_invalid",
            errors={"resolution": [_("Not a valid choice.")]},
        )
    with system_context():
        case = lock_or_404(ReviewCase, case)
        if case.status != ReviewStatus.OPEN:
            raise Conflict(_("This case is already resolved."), code="review_case_resolved")
        battery = Battery.objects.select_for_update().get(pk=case.battery_id)
    holder = battery.custodian_id
    audience = event_audience(battery, holder)
    data = {"review_case": case.pk, "resolution": resolution, "note": note.strip()}
    counterparty = None
    if resolution == Resolution.TRANSFER:
        if battery.status not in (BatteryStatus.AT_OUTLET, BatteryStatus.AT_FACILITY):
            raise Conflict(
                _("Custody can be transferred only while the battery is held, not in transit or after its end."),
                code="transfer_not_possible",
            )
        outlets = lock_outlets([o for o in (battery.outlet_id, case.claimant_outlet_id) if o])
        target = outlets.get(case.claimant_outlet_id) if case.claimant_outlet_id else None
        if target is not None:
            check_capacity(target, battery.weight_kg)
        if battery.outlet_id:
            adjust_stock(outlets[battery.outlet_id], -battery.weight_kg)
        if target is not None:
            adjust_stock(target, battery.weight_kg)
        counterparty = case.claimant_id
        audience = event_audience(battery, holder, case.claimant_id)
        data.update(
            {"from_partner": holder, "to_partner": case.claimant_id, "to_outlet": target.code if target else None}
        )
        battery.custodian_id = case.claimant_id
        battery.outlet = target
        battery.status = BatteryStatus.AT_OUTLET if target else BatteryStatus.AT_FACILITY
        battery.audience = sorted(set(battery.audience) | {case.claimant_id})
    elif resolution == Resolution.COUNTERFEIT:
        battery.counterfeit = True
    with system_context():
        battery.save()
        append_event(
            battery,
            kind=EventKind.REVIEW_RESOLVED,
            actor=actor,
            partner_id=None,
            counterparty_id=counterparty,
            audience=audience,
            occurred_at=timezone.now(),
            outlet=battery.outlet,
            data=data,
        )
        case.status = ReviewStatus.RESOLVED
        case.resolution = resolution
        case.note = note.strip()
        case.resolved_at = timezone.now()
        case.resolved_by_id = actor.user_id
        case.save()
    audit_record(
        actor=actor, action=f"review_case.{resolution}", target=case, after={"resolution": resolution}, reason=note
    )
    notify_partner(
        partner=case.claimant_id,
        kind="review_case.resolved",
        subject=_("Your review case was resolved"),
        lines=[
            lazy_format(
                _("Battery %(code)s: %(resolution)s"), code=case.battery_code, resolution=Resolution(resolution).label
            ),
            note,
        ],
    )
    return case
