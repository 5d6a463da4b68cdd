"""Claims to battery manufacturer codes and VIN WMIs (DESIGN §4, "Kinds and producers")."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import ClaimStatus, CodeClaim, CodeKind, Partner, PartnerKind
from partners.services.audit import audit_record, snapshot
from partners.services.outbox import notify_partner
from partners.validators import validate_manufacturer_code, validate_wmi
from recycling_network.authz import require_datacenter, require_partner_admin
from recycling_network.errors import Conflict, InvalidInput
from recycling_network.i18n import lazy_format
from recycling_network.queries import lock_or_404
from recycling_network.tenancy import Actor, system_context

# Who may claim what: battery makers and cascade users code batteries (GB/T 34014, and
# cascade users re-code what they repurpose); automakers own the WMI of their VINs.
CLAIMANT_KINDS = {
    CodeKind.MANUFACTURER: {PartnerKind.BATTERY_MAKER, PartnerKind.CASCADE_USER},
    CodeKind.WMI: {PartnerKind.AUTOMAKER},
}
AUDITED = ("partner", "kind", "code", "status", "reason")


def clean_claim_code(kind: str, code: str) -> str:
    validator = validate_manufacturer_code if kind == CodeKind.MANUFACTURER else validate_wmi
    try:
        return validator(code)
    except ValidationError as error:
        raise InvalidInput(error.messages[0], code=error.code, errors={"code": error.messages}) from error


def _code_taken() -> Conflict:
    return Conflict(_("This code is already claimed by another partner."), code="code_already_claimed")


@transaction.atomic
def code_claim_submit(*, actor: Actor, partner: Partner, kind: str, code: str) -> CodeClaim:
    """A partner claims a code; it takes effect when the data center approves it."""
    require_partner_admin(actor, partner.pk)
    if kind not in CodeKind.values:
        raise InvalidInput(_("Unknown kind of code."), code="code_kind_invalid", errors={"kind": [_("Unknown.")]})
    code = clean_claim_code(kind, code)
    if not set(partner.kinds) & CLAIMANT_KINDS[CodeKind(kind)]:
        raise InvalidInput(
            lazy_format(_("A partner of this kind cannot claim a %(kind)s."), kind=CodeKind(kind).label),
            code="code_kind_not_allowed",
            errors={"kind": [_("Not allowed for this partner.")]},
        )
    # The friendly check needs every partner's claims; the unique index is the guarantee.
    with system_context():
        if CodeClaim.objects.filter(kind=kind, code=code).exclude(status=ClaimStatus.REJECTED).exists():
            raise _code_taken()
    try:
        with transaction.atomic():
            claim = CodeClaim.objects.create(partner=partner, kind=kind, code=code, audience=[partner.pk])
    except IntegrityError as error:
        raise _code_taken() from error
    audit_record(actor=actor, action="code_claim.submit", target=claim, after=snapshot(claim, AUDITED))
    return claim


def _decide(*, actor: Actor, claim: CodeClaim, status: str, reason: str, action: str) -> CodeClaim:
    claim = lock_or_404(CodeClaim, claim)
    if claim.status != ClaimStatus.PENDING:
        raise Conflict(_("This claim has already been decided."), code="code_claim_decided")
    before = snapshot(claim, AUDITED)
    claim.status = status
    claim.reason = reason
    claim.decided_at = timezone.now()
    claim.decided_by_id = actor.user_id
    claim.save()
    audit_record(actor=actor, action=action, target=claim, before=before, after=snapshot(claim, AUDITED), reason=reason)
    return claim


@transaction.atomic
def code_claim_approve(*, actor: Actor, claim: CodeClaim) -> CodeClaim:
    """Approval makes the partner a producer of every battery carrying the code; the
    audience backfill runs after commit, in its own transaction (DESIGN §7, the feed)."""
    require_datacenter(actor)
    claim = _decide(actor=actor, claim=claim, status=ClaimStatus.APPROVED, reason="", action="code_claim.approve")
    notify_partner(
        partner=claim.partner_id,
        kind="code_claim.approved",
        subject=_("Your code claim was approved"),
        lines=[lazy_format(_("Code %(code)s is now yours."), code=claim.code)],
    )
    claim_id = claim.pk

    def backfill() -> None:
        from batteries.tasks import audience_backfill_for_claim

        audience_backfill_for_claim.delay(claim_id)

    transaction.on_commit(backfill)
    return claim


@transaction.atomic
def code_claim_reject(*, actor: Actor, claim: CodeClaim, reason: str) -> CodeClaim:
    require_datacenter(actor)
    if not reason.strip():
        raise InvalidInput(_("Give a reason."), code="reason_required", errors={"reason": [_("Required.")]})
    claim = _decide(actor=actor, claim=claim, status=ClaimStatus.REJECTED, reason=reason, action="code_claim.reject")
    notify_partner(
        partner=claim.partner_id,
        kind="code_claim.rejected",
        subject=_("Your code claim was not approved"),
        lines=[lazy_format(_("Code %(code)s: %(reason)s"), code=claim.code, reason=reason)],
    )
    return claim
