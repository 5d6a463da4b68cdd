"""Every read of outlets a user or partner can reach; each takes the actor."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from outlets.models import (
    PUBLIC_STATUSES,
    ChangeRequestStatus,
    Division,
    DivisionLevel,
    Outlet,
    OutletChangeRequest,
    OutletContact,
    OutletStatus,
    OutletTransition,
    SharingGrant,
)
from recycling_network.errors import NotFound
from recycling_network.tenancy import Actor


def visible_outlets(actor: Actor) -> QuerySet[Outlet]:
    """Public outlets for everyone signed in, plus the partner's own drafts and
    applications; everything for the data center; approved ones for anonymous."""
    outlets = Outlet.objects.all()
    if actor.is_datacenter:
        return outlets
    if actor.is_partner:
        return outlets.filter(Q(status__in=PUBLIC_STATUSES) | Q(operator_id=actor.partner_id))
    return outlets.filter(status=OutletStatus.APPROVED)


def public_outlets() -> QuerySet[Outlet]:
    """The public directory: approved outlets (callers show public fields only)."""
    return Outlet.objects.filter(status=OutletStatus.APPROVED)


def sees_private_fields(actor: Actor, outlet: Outlet) -> bool:
    """Stock, contacts and drafts: the operator and the data center."""
    return actor.is_datacenter or (actor.is_partner and outlet.operator_id == actor.partner_id)


def get_outlet(actor: Actor, code_or_id: str | int, queryset: QuerySet[Outlet] | None = None) -> Outlet:
    """An outlet by code (``RN-...``) or id; a foreign draft and a missing one are both 404."""
    outlets = queryset if queryset is not None else visible_outlets(actor)
    key = str(code_or_id).strip()
    outlet = outlets.filter(pk=int(key)).first() if key.isdigit() else outlets.filter(code=key.upper()).first()
    if outlet is None:
        raise NotFound()
    return outlet


def active_grants(partner_id: int) -> QuerySet[SharingGrant]:
    return SharingGrant.objects.filter(grantee_id=partner_id, revoked_at__isnull=True)


def usable_outlets(
    actor: Actor, *, include_suspended: bool = False, ignore_assignments: bool = False
) -> QuerySet[Outlet]:
    """Outlets where the actor may hold and move batteries: approved (and, to dispatch,
    suspended) outlets its partner operates or is authorised to use; outlet staff only
    those they are assigned to."""
    statuses = [OutletStatus.APPROVED] + ([OutletStatus.SUSPENDED] if include_suspended else [])
    outlets = Outlet.objects.filter(status__in=statuses)
    if actor.is_datacenter:
        return outlets
    if not actor.is_partner:
        return outlets.none()
    shared = SharingGrant.objects.filter(outlet_id=OuterRef("pk"), grantee_id=actor.partner_id, revoked_at__isnull=True)
    outlets = outlets.filter(Q(operator_id=actor.partner_id) | Exists(shared))
    if not ignore_assignments and actor.assigned_outlet_ids is not None:
        outlets = outlets.filter(pk__in=actor.assigned_outlet_ids)
    return outlets


def network_outlets(partner_id: int) -> QuerySet[Outlet]:
    """A partner's network for coverage: outlets it operates and those shared with it."""
    shared = SharingGrant.objects.filter(outlet_id=OuterRef("pk"), grantee_id=partner_id, revoked_at__isnull=True)
    return Outlet.objects.filter(Q(operator_id=partner_id) | Exists(shared))


def outlet_contacts(actor: Actor, outlet: Outlet) -> QuerySet[OutletContact]:
    if not sees_private_fields(actor, outlet):
        return OutletContact.objects.none()
    return OutletContact.objects.filter(outlet=outlet)


def outlet_history(actor: Actor, outlet: Outlet) -> QuerySet[OutletTransition]:
    if not sees_private_fields(actor, outlet):
        return OutletTransition.objects.none()
    return OutletTransition.objects.filter(outlet=outlet).order_by("id")


def grants_for(actor: Actor) -> QuerySet[SharingGrant]:
    """Grants the actor is party to (as operator or grantee); all for the data center."""
    grants = SharingGrant.objects.select_related("outlet", "grantee")
    if actor.is_datacenter:
        return grants
    if not actor.is_partner:
        return grants.none()
    return grants.filter(Q(outlet__operator_id=actor.partner_id) | Q(grantee_id=actor.partner_id))


def prefectures() -> QuerySet[Division]:
    return Division.objects.filter(level=DivisionLevel.PREFECTURE).select_related("parent", "region")


def provinces() -> QuerySet[Division]:
    return Division.objects.filter(level=DivisionLevel.PROVINCE).select_related("region")


def outlet_change_requests(actor: Actor, outlet: Outlet) -> QuerySet[OutletChangeRequest]:
    """Change requests of one outlet, newest first: private to the operator and the data center."""
    if not sees_private_fields(actor, outlet):
        return OutletChangeRequest.objects.none()
    return OutletChangeRequest.objects.filter(outlet=outlet).select_related("prefecture__parent").order_by("-id")


def pending_change_requests(actor: Actor) -> QuerySet[OutletChangeRequest]:
    """Change requests waiting for the data center: all for the data center, the partner's own otherwise."""
    requests = OutletChangeRequest.objects.filter(status=ChangeRequestStatus.PENDING)
    if actor.is_datacenter:
        return requests
    if actor.is_partner:
        return requests.filter(outlet__operator_id=actor.partner_id)
    return requests.none()


def get_change_request(actor: Actor, pk: int) -> OutletChangeRequest:
    """A change request of one of the actor's outlets (any for the data center); a foreign
    one and a missing one are both 404."""
    requests = OutletChangeRequest.objects.select_related("outlet", "prefecture__parent")
    if not actor.is_datacenter:
        if not actor.is_partner:
            raise NotFound()
        requests = requests.filter(outlet__operator_id=actor.partner_id)
    request = requests.filter(pk=pk).first()
    if request is None:
        raise NotFound()
    return request


def outlet_grants(actor: Actor, outlet: Outlet) -> QuerySet[SharingGrant]:
    """The sharing history of one outlet: every grant for its operator and the data center, a
    grantee's own grants for the grantee; anyone else gets a 404 (grants are the operator's
    and the grantee's business, DESIGN §4)."""
    grants = grants_for(actor).filter(outlet=outlet).order_by("-id")
    if sees_private_fields(actor, outlet):
        return grants
    grants = grants.filter(grantee_id=actor.partner_id)
    if not grants.exists():
        raise NotFound()
    return grants
