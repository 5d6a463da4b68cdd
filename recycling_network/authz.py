"""Role checks shared by every service. They raise domain errors, never return booleans
that a caller could forget to look at."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from recycling_network.errors import Forbidden, NotAuthenticated
from recycling_network.tenancy import Actor


def require_write(actor: Actor) -> None:
    if actor.is_anonymous:
        raise NotAuthenticated()
    if not actor.can_write():
        raise Forbidden(_("This API key may only read."), code="scope_required")


def require_datacenter(actor: Actor) -> None:
    """Data-center admins, data-center keys and the system."""
    require_write(actor)
    if not actor.is_datacenter:
        raise Forbidden(_("Only the data center may do this."), code="datacenter_only")


def require_partner_admin(actor: Actor, partner_id: int) -> None:
    """The partner's admins and keys (or the data center acting on the partner's behalf)."""
    require_write(actor)
    if actor.is_datacenter:
        return
    if actor.partner_id != partner_id or not actor.is_partner_admin:
        raise Forbidden(_("Only an admin of this partner may do this."), code="partner_admin_only")


def require_member(actor: Actor, partner_id: int) -> None:
    """Any signed-in member of the partner, with write scope."""
    require_write(actor)
    if actor.is_datacenter:
        return
    if actor.partner_id != partner_id:
        raise Forbidden()
