"""Changes of kind, size and location of an approved outlet (DESIGN §6): applied only
once the data center approves them, and capacity never below the current stock."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outlets.models import ChangeRequestStatus, Outlet, OutletChangeRequest, OutletStatus
from outlets.services.lifecycle import AUDITED as OUTLET_AUDITED
from outlets.services.lifecycle import OutletResult
from outlets.validation import clean_outlet_fields, location_warnings, resolve_prefecture
from partners.services.audit import audit_record, snapshot
from partners.services.outbox import notify_partner
from recycling_network.authz import require_datacenter, require_partner_admin
from recycling_network.errors import Conflict, InvalidInput
from recycling_network.i18n import lazy_format
from recycling_network.queries import lock_or_404
from recycling_network.tenancy import Actor

CHANGEABLE = ("kind", "prefecture", "address", "longitude", "latitude", "storage_area_m2", "capacity_kg")


def _capacity_guard(outlet: Outlet, capacity_kg: Any) -> None:
    if capacity_kg < outlet.stock_kg:
        raise Conflict(
            lazy_format(_("The capacity cannot be below the current stock of %(kg)s kg."), kg=outlet.stock_kg),
            code="capacity_below_stock",
            errors={"capacity_kg": [_("Below the current stock.")]},
        )


@transaction.atomic
def outlet_change_request_submit(*, actor: Actor, outlet: Outlet, note: str = "", **changes: Any) -> OutletResult:
    outlet = lock_or_404(Outlet, outlet)
    require_partner_admin(actor, outlet.operator_id)
    if outlet.status not in (OutletStatus.APPROVED, OutletStatus.SUSPENDED):
        raise Conflict(_("Only an approved or suspended outlet takes change requests."), code="outlet_status_conflict")
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed here."),
            code="field_not_editable",
            errors={f: [_("Not editable.")] for f in unknown},
        )
    proposed = {f: changes.get(f, getattr(outlet, f)) for f in CHANGEABLE}
    prefecture = proposed["prefecture"]
    prefecture = prefecture if hasattr(prefecture, "adcode") else resolve_prefecture(prefecture)
    cleaned = clean_outlet_fields(
        kind=proposed["kind"],
        storage_area_m2=proposed["storage_area_m2"],
        capacity_kg=proposed["capacity_kg"],
        longitude=proposed["longitude"],
        latitude=proposed["latitude"],
    )
    _capacity_guard(outlet, cleaned["capacity_kg"])
    try:
        with transaction.atomic():
            request = OutletChangeRequest.objects.create(
                outlet=outlet,
                prefecture=prefecture,
                address=str(proposed["address"]).strip(),
                note=note.strip(),
                requested_by_id=actor.user_id,
                audience=[outlet.operator_id],
                **cleaned,
            )
    except IntegrityError as error:
        raise Conflict(_("This outlet already has a pending change request."), code="change_request_pending") from error
    audit_record(actor=actor, action="outlet.change_request", target=outlet, after=snapshot(request, CHANGEABLE))
    return OutletResult(outlet, location_warnings(prefecture, cleaned["longitude"], cleaned["latitude"]))


def _lock_pending(request: OutletChangeRequest) -> OutletChangeRequest:
    request = lock_or_404(OutletChangeRequest, request)
    if request.status != ChangeRequestStatus.PENDING:
        raise Conflict(_("This change request has already been decided."), code="change_request_decided")
    return request


@transaction.atomic
def outlet_change_request_approve(*, actor: Actor, request: OutletChangeRequest) -> Outlet:
    require_datacenter(actor)
    request = _lock_pending(request)
    outlet = lock_or_404(Outlet, request.outlet_id)
    # Stock may have grown since the request was made.
    _capacity_guard(outlet, request.capacity_kg)
    before = snapshot(outlet, OUTLET_AUDITED)
    for field in CHANGEABLE:
        setattr(
            outlet,
            field if field != "prefecture" else "prefecture_id",
            getattr(request, field if field != "prefecture" else "prefecture_id"),
        )
    outlet.save()
    request.status = ChangeRequestStatus.APPROVED
    request.decided_by_id = actor.user_id
    request.decided_at = timezone.now()
    request.save()
    audit_record(
        actor=actor,
        action="outlet.change_approve",
        target=outlet,
        before=before,
        after=snapshot(outlet, OUTLET_AUDITED),
    )
    notify_partner(
        partner=outlet.operator_id,
        kind="outlet.change_approved",
        subject=_("Outlet change approved"),
        lines=[lazy_format(_("Outlet: %(outlet)s"), outlet=str(outlet))],
    )
    return outlet


@transaction.atomic
def outlet_change_request_reject(*, actor: Actor, request: OutletChangeRequest, reason: str) -> OutletChangeRequest:
    require_datacenter(actor)
    if not reason.strip():
        raise InvalidInput(_("Give a reason."), code="reason_required", errors={"reason": [_("Required.")]})
    request = _lock_pending(request)
    request.status = ChangeRequestStatus.REJECTED
    request.reason = reason.strip()
    request.decided_by_id = actor.user_id
    request.decided_at = timezone.now()
    request.save()
    audit_record(actor=actor, action="outlet.change_reject", target=request.outlet, reason=reason)
    notify_partner(
        partner=request.outlet.operator_id,
        kind="outlet.change_rejected",
        subject=_("Outlet change not approved"),
        lines=[lazy_format(_("Outlet: %(outlet)s"), outlet=str(request.outlet)), reason],
    )
    return request
