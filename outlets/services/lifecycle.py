"""The outlet lifecycle of DESIGN §6: drafts, submission, review, suspension, closing.

Every arrow is one service call in one transaction: it locks the outlet, checks who
may take it from which status, records the transition, audits it and notifies the
operator through the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from outlets.models import (
    Outlet,
    OutletCodeCounter,
    OutletContact,
    OutletStatus,
    OutletTransition,
)
from outlets.validation import clean_outlet_fields, location_warnings, resolve_prefecture
from partners.models import Partner, PartnerStatus
from partners.services.audit import audit_record, snapshot
from partners.services.outbox import notify_partner
from recycling_network.authz import require_partner_admin, require_write
from recycling_network.errors import Conflict, Forbidden, InvalidInput
from recycling_network.i18n import lazy_format
from recycling_network.queries import lock_or_404
from recycling_network.tenancy import Actor, system_context

AUDITED = (
    "code",
    "name",
    "kind",
    "status",
    "operator",
    "prefecture",
    "address",
    "longitude",
    "latitude",
    "storage_area_m2",
    "capacity_kg",
    "opening_hours",
    "review_comments",
)
DRAFT_FIELDS = (
    "name",
    "kind",
    "prefecture",
    "address",
    "longitude",
    "latitude",
    "storage_area_m2",
    "capacity_kg",
    "opening_hours",
)
FREE_FIELDS = ("name", "opening_hours")


@dataclass(frozen=True)
class OutletResult:
    outlet: Outlet
    warnings: list[Any]


def _set_contacts(outlet: Outlet, contacts: Iterable[dict[str, Any]]) -> None:
    OutletContact.objects.filter(outlet=outlet).delete()
    OutletContact.objects.bulk_create(
        OutletContact(
            outlet=outlet,
            name=c["name"].strip(),
            phone=c.get("phone", "").strip(),
            email=c.get("email", "").strip(),
            audience=[outlet.operator_id],
        )
        for c in contacts
        if c.get("name", "").strip()
    )


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    prefecture = values["prefecture"]
    if not hasattr(prefecture, "adcode"):
        prefecture = resolve_prefecture(prefecture)
    cleaned = clean_outlet_fields(
        kind=values["kind"],
        storage_area_m2=values["storage_area_m2"],
        capacity_kg=values["capacity_kg"],
        longitude=values["longitude"],
        latitude=values["latitude"],
    )
    if not str(values.get("name", "")).strip():
        raise InvalidInput(_("Name the outlet."), code="outlet_invalid", errors={"name": [_("Required.")]})
    if not str(values.get("address", "")).strip():
        raise InvalidInput(_("Give the address."), code="outlet_invalid", errors={"address": [_("Required.")]})
    return {
        **values,
        **cleaned,
        "prefecture": prefecture,
        "name": str(values["name"]).strip(),
        "address": str(values["address"]).strip(),
    }


@transaction.atomic
def outlet_create(
    *,
    actor: Actor,
    operator: Partner,
    name: str,
    kind: str,
    prefecture: Any,
    address: str,
    longitude: Any,
    latitude: Any,
    storage_area_m2: Any,
    capacity_kg: Any,
    opening_hours: str = "",
    contacts: Sequence[dict[str, Any]] = (),
) -> OutletResult:
    """A partner admin drafts an outlet application."""
    require_partner_admin(actor, operator.pk)
    if operator.status != PartnerStatus.ACTIVE:
        raise Conflict(_("Only an active partner can open outlets."), code="partner_not_active")
    values = _clean(
        {
            "name": name,
            "kind": kind,
            "prefecture": prefecture,
            "address": address,
            "longitude": longitude,
            "latitude": latitude,
            "storage_area_m2": storage_area_m2,
            "capacity_kg": capacity_kg,
        }
    )
    outlet = Outlet.objects.create(
        operator=operator, opening_hours=opening_hours.strip(), audience=[operator.pk], **values
    )
    _set_contacts(outlet, contacts)
    _record(actor, outlet, "", "create", "")
    audit_record(actor=actor, action="outlet.create", target=outlet, after=snapshot(outlet, AUDITED))
    return OutletResult(outlet, location_warnings(outlet.prefecture, outlet.longitude, outlet.latitude))


def _lock(outlet: Outlet | int) -> Outlet:
    return lock_or_404(Outlet, outlet)


@transaction.atomic
def outlet_update(
    *, actor: Actor, outlet: Outlet, contacts: Sequence[dict[str, Any]] | None = None, **changes: Any
) -> OutletResult:
    """Edit a draft freely; after approval only the name, opening hours and contacts
    (kind, capacity and location go through a change request)."""
    outlet = _lock(outlet)
    require_partner_admin(actor, outlet.operator_id)
    unknown = set(changes) - set(DRAFT_FIELDS)
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed here."),
            code="field_not_editable",
            errors={f: [_("Not editable.")] for f in unknown},
        )
    if outlet.status == OutletStatus.DRAFT:
        editable = DRAFT_FIELDS
    elif outlet.status in (OutletStatus.APPROVED, OutletStatus.SUSPENDED):
        editable = FREE_FIELDS
    else:
        raise Conflict(
            lazy_format(_("An outlet that is %(status)s cannot be edited."), status=OutletStatus(outlet.status).label),
            code="outlet_status_conflict",
        )
    locked = [f for f in changes if f not in editable and _differs(outlet, f, changes[f])]
    if locked:
        raise Conflict(
            _("Kind, size and location of an approved outlet change only through an approved change request."),
            code="outlet_change_request_required",
            errors={f: [_("Use a change request.")] for f in locked},
        )
    before = snapshot(outlet, AUDITED)
    if outlet.status == OutletStatus.DRAFT:
        current = {f: getattr(outlet, f) for f in DRAFT_FIELDS}
        values = _clean({**current, **changes})
    else:
        # Locked fields sent back unchanged passed the check above; only the free ones are set.
        values = {f: str(v).strip() for f, v in changes.items() if f in editable}
    for field, value in values.items():
        setattr(outlet, field, value)
    outlet.save()
    if contacts is not None:
        _set_contacts(outlet, contacts)
    audit_record(actor=actor, action="outlet.update", target=outlet, before=before, after=snapshot(outlet, AUDITED))
    return OutletResult(outlet, location_warnings(outlet.prefecture, outlet.longitude, outlet.latitude))


def _differs(outlet: Outlet, field: str, value: Any) -> bool:
    current = getattr(outlet, field if field != "prefecture" else "prefecture_id")
    if field == "prefecture":
        value = getattr(value, "adcode", value)
    return str(current) != str(value)


def _record(actor: Actor, outlet: Outlet, from_status: str, action: str, reason: str) -> None:
    OutletTransition.objects.create(
        outlet=outlet,
        from_status=from_status,
        to_status=outlet.status,
        action=action,
        actor_user_id=actor.user_id,
        actor_label=str(actor)[:150],
        reason=reason,
        audience=[outlet.operator_id],
    )


@dataclass(frozen=True)
class Arrow:
    """One transition of the lifecycle: who takes it, from where, to where."""

    action: str
    sources: tuple[str, ...]
    target: str
    by_datacenter: bool
    by_operator: bool
    needs_reason: bool
    subject: Promise


ARROWS = {
    "submit": Arrow(
        "submit", (OutletStatus.DRAFT,), OutletStatus.SUBMITTED, False, True, False, _("Outlet application submitted")
    ),
    "request_changes": Arrow(
        "request_changes",
        (OutletStatus.SUBMITTED,),
        OutletStatus.DRAFT,
        True,
        False,
        True,
        _("Changes requested for your outlet application"),
    ),
    "approve": Arrow(
        "approve", (OutletStatus.SUBMITTED,), OutletStatus.APPROVED, True, False, False, _("Outlet approved")
    ),
    "reject": Arrow(
        "reject", (OutletStatus.SUBMITTED,), OutletStatus.REJECTED, True, False, True, _("Outlet application rejected")
    ),
    "suspend": Arrow(
        "suspend", (OutletStatus.APPROVED,), OutletStatus.SUSPENDED, True, False, True, _("Outlet suspended")
    ),
    "reopen": Arrow(
        "reopen", (OutletStatus.SUSPENDED,), OutletStatus.APPROVED, True, False, False, _("Outlet reopened")
    ),
    "close": Arrow(
        "close",
        (OutletStatus.APPROVED, OutletStatus.SUSPENDED),
        OutletStatus.CLOSED,
        True,
        True,
        False,
        _("Outlet closed"),
    ),
}


def _authorise(actor: Actor, outlet: Outlet, arrow: Arrow) -> None:
    require_write(actor)
    if actor.is_datacenter:
        if not arrow.by_datacenter:
            raise Forbidden(_("Only the operator may do this."), code="operator_only")
        return
    if not arrow.by_operator:
        raise Forbidden(_("Only the data center may do this."), code="datacenter_only")
    require_partner_admin(actor, outlet.operator_id)


def _assign_code(outlet: Outlet) -> str:
    counter, _created = OutletCodeCounter.objects.select_for_update().get_or_create(prefecture_id=outlet.prefecture_id)
    counter.last_number += 1
    if counter.last_number > 9999:
        raise Conflict(_("This prefecture has used every outlet number."), code="outlet_codes_exhausted")
    counter.save(update_fields=["last_number"])
    return f"RN-{outlet.prefecture_id}-{counter.last_number:04d}"


def _close_guard(outlet: Outlet) -> None:
    if outlet.stock_kg > 0:
        raise Conflict(
            lazy_format(_("The outlet still holds %(kg)s kg; it can close only when empty."), kg=outlet.stock_kg),
            code="outlet_not_empty",
        )
    from batteries.selectors import outlet_has_transit

    with system_context():
        in_transit = outlet_has_transit(outlet.pk)
    if in_transit:
        raise Conflict(
            _("Batteries are on their way to or from this outlet; it can close once they arrive or are called back."),
            code="outlet_has_transit",
        )


def _take(actor: Actor, outlet: Outlet | int, name: str, reason: str = "") -> Outlet:
    arrow = ARROWS[name]
    outlet = _lock(outlet)
    _authorise(actor, outlet, arrow)
    if arrow.needs_reason and not reason.strip():
        raise InvalidInput(_("Give a reason."), code="reason_required", errors={"reason": [_("Required.")]})
    if outlet.status not in arrow.sources:
        raise Conflict(
            lazy_format(
                _("The outlet is %(status)s; it cannot be %(action)s now."),
                status=OutletStatus(outlet.status).label,
                action=ACTION_LABELS[name],
            ),
            code="outlet_status_conflict",
        )
    before = snapshot(outlet, AUDITED)
    previous = outlet.status
    now = timezone.now()
    if name == "close":
        _close_guard(outlet)
    if name == "approve":
        outlet.code = _assign_code(outlet)
        outlet.approved_at = now
        outlet.review_comments = ""
    if name == "submit":
        outlet.submitted_at = now
    if name in ("request_changes", "reject"):
        outlet.review_comments = reason.strip()
    outlet.status = arrow.target
    outlet.save()
    _record(actor, outlet, previous, name, reason.strip())
    audit_record(
        actor=actor,
        action=f"outlet.{name}",
        target=outlet,
        before=before,
        after=snapshot(outlet, AUDITED),
        reason=reason,
    )
    lines: list[Any] = [lazy_format(_("Outlet: %(outlet)s"), outlet=str(outlet))]
    lines.append(lazy_format(_("Status: %(status)s"), status=OutletStatus(outlet.status).label))
    if reason.strip():
        lines += [_("Reason or comments:"), reason.strip()]
    notify_partner(partner=outlet.operator_id, kind=f"outlet.{name}", subject=arrow.subject, lines=lines)
    return outlet


ACTION_LABELS = {
    "submit": _("submitted"),
    "request_changes": _("sent back for changes"),
    "approve": _("approved"),
    "reject": _("rejected"),
    "suspend": _("suspended"),
    "reopen": _("reopened"),
    "close": _("closed"),
}


@transaction.atomic
def outlet_submit(*, actor: Actor, outlet: Outlet | int) -> Outlet:
    return _take(actor, outlet, "submit")


@transaction.atomic
def outlet_request_changes(*, actor: Actor, outlet: Outlet | int, comments: str) -> Outlet:
    return _take(actor, outlet, "request_changes", comments)


@transaction.atomic
def outlet_approve(*, actor: Actor, outlet: Outlet | int) -> Outlet:
    """Approval assigns the outlet code ``RN-<adcode>-<4 digits>``."""
    return _take(actor, outlet, "approve")


@transaction.atomic
def outlet_reject(*, actor: Actor, outlet: Outlet | int, reason: str) -> Outlet:
    return _take(actor, outlet, "reject", reason)


@transaction.atomic
def outlet_suspend(*, actor: Actor, outlet: Outlet | int, reason: str) -> Outlet:
    """A suspended outlet may still dispatch but not receive."""
    return _take(actor, outlet, "suspend", reason)


@transaction.atomic
def outlet_reopen(*, actor: Actor, outlet: Outlet | int, reason: str = "") -> Outlet:
    return _take(actor, outlet, "reopen", reason)


@transaction.atomic
def outlet_close(*, actor: Actor, outlet: Outlet | int, reason: str = "") -> Outlet:
    """Final. Needs zero stock and nothing in transit to the outlet."""
    return _take(actor, outlet, "close", reason)


@transaction.atomic
def outlet_copy_rejected(*, actor: Actor, outlet: Outlet | int) -> OutletResult:
    """Start a new draft from a rejected application (the rejection itself is final)."""
    source = _lock(outlet)
    require_partner_admin(actor, source.operator_id)
    if source.status != OutletStatus.REJECTED:
        raise Conflict(_("Only a rejected application can be copied."), code="outlet_status_conflict")
    result = outlet_create(
        actor=actor,
        operator=source.operator,
        name=source.name,
        kind=source.kind,
        prefecture=source.prefecture,
        address=source.address,
        longitude=source.longitude,
        latitude=source.latitude,
        storage_area_m2=source.storage_area_m2,
        capacity_kg=source.capacity_kg,
        opening_hours=source.opening_hours,
        contacts=[{"name": c.name, "phone": c.phone, "email": c.email} for c in source.contacts.all()],
    )
    result.outlet.copied_from = source
    result.outlet.save(update_fields=["copied_from"])
    return result
