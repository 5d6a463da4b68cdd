"""Which outlets an outlet-staff user works at."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from outlets.models import Outlet, StaffAssignment
from outlets.selectors import usable_outlets
from partners.models import User, UserRole
from partners.services.audit import audit_record
from recycling_network.authz import require_partner_admin
from recycling_network.errors import InvalidInput
from recycling_network.tenancy import Actor, actor_for_user


@transaction.atomic
def staff_assign_outlets(*, actor: Actor, user: User, outlets: Iterable[Outlet]) -> list[int]:
    """Replace the user's outlets with ``outlets``: each operated by or shared with the
    user's partner."""
    if user.partner_id is None or user.role != UserRole.OUTLET_STAFF:
        raise InvalidInput(_("Only outlet staff are assigned to outlets."), code="not_outlet_staff")
    require_partner_admin(actor, user.partner_id)
    wanted = {o.pk for o in outlets}
    allowed = set(
        usable_outlets(actor_for_user(user), include_suspended=True, ignore_assignments=True)
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )
    if wanted - allowed:
        raise InvalidInput(
            _("Staff can only be assigned to outlets the partner operates or may use."),
            code="outlet_not_usable",
            errors={"outlets": [_("Not usable by this partner.")]},
        )
    before = sorted(StaffAssignment.objects.filter(user=user).values_list("outlet_id", flat=True))
    StaffAssignment.objects.filter(user=user).exclude(outlet_id__in=wanted).delete()
    StaffAssignment.objects.bulk_create(
        [StaffAssignment(user=user, outlet_id=pk) for pk in wanted], ignore_conflicts=True
    )
    audit_record(
        actor=actor,
        action="user.assign_outlets",
        target=user,
        before={"outlets": before},
        after={"outlets": sorted(wanted)},
        audience=[user.partner_id],
    )
    return sorted(wanted)
