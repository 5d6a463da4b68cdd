"""Sharing authorisations: the operator lets other partners use an outlet (DESIGN §6)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outlets.models import Outlet, OutletStatus, SharingGrant
from partners.models import Partner, PartnerStatus
from partners.services.audit import audit_record, snapshot
from partners.services.outbox import notify_partner
from recycling_network.authz import require_partner_admin
from recycling_network.errors import Conflict, InvalidInput
from recycling_network.i18n import lazy_format
from recycling_network.queries import lock_or_404
from recycling_network.tenancy import Actor

AUDITED = ("outlet", "grantee", "revoked_at", "note")


@transaction.atomic
def sharing_grant(*, actor: Actor, outlet: Outlet, grantee: Partner, note: str = "") -> SharingGrant:
    outlet = lock_or_404(Outlet, outlet)
    require_partner_admin(actor, outlet.operator_id)
    if outlet.status not in (OutletStatus.APPROVED, OutletStatus.SUSPENDED):
        raise Conflict(_("Only an approved outlet can be shared."), code="outlet_not_approved")
    if grantee.pk == outlet.operator_id:
        raise InvalidInput(
            _("The operator always uses its own outlet."),
            code="grantee_is_operator",
            errors={"grantee": [_("Choose another partner.")]},
        )
    if grantee.status != PartnerStatus.ACTIVE:
        raise InvalidInput(
            _("Only active partners can be authorised."),
            code="grantee_not_active",
            errors={"grantee": [_("Not active.")]},
        )
    try:
        with transaction.atomic():
            grant = SharingGrant.objects.create(
                outlet=outlet,
                grantee=grantee,
                granted_by_id=actor.user_id,
                note=note.strip(),
                audience=[outlet.operator_id, grantee.pk],
            )
    except IntegrityError as error:
        raise Conflict(_("This partner may already use this outlet."), code="already_shared") from error
    audit_record(actor=actor, action="sharing.grant", target=grant, after=snapshot(grant, AUDITED))
    notify_partner(
        partner=grantee,
        kind="sharing.granted",
        subject=_("You may now use an outlet of the network"),
        lines=[lazy_format(_("Outlet: %(outlet)s"), outlet=str(outlet))],
    )
    return grant


@transaction.atomic
def sharing_revoke(*, actor: Actor, grant: SharingGrant, reason: str = "") -> SharingGrant:
    grant = lock_or_404(SharingGrant.objects.select_related("outlet"), grant)
    require_partner_admin(actor, grant.outlet.operator_id)
    if grant.revoked_at is not None:
        raise Conflict(_("This authorisation was already revoked."), code="already_revoked")
    before = snapshot(grant, AUDITED)
    grant.revoked_at = timezone.now()
    grant.revoked_by_id = actor.user_id
    grant.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=actor, action="sharing.revoke", target=grant, before=before, after=snapshot(grant, AUDITED), reason=reason
    )
    notify_partner(
        partner=grant.grantee_id,
        kind="sharing.revoked",
        subject=_("An outlet is no longer shared with you"),
        lines=[lazy_format(_("Outlet: %(outlet)s"), outlet=str(grant.outlet)), reason],
    )
    return grant
