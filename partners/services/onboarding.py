"""Joining the network: an application with its code claims, and the first admin of an
approved partner (DESIGN §4, §9: the data center approves partners and codes)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, PartnerContact, PartnerStatus, User, UserRole
from partners.services.claims import code_claim_submit
from partners.services.partners import partner_apply, partner_approve
from partners.services.users import user_create
from recycling_network.authz import require_datacenter
from recycling_network.errors import Conflict, DomainError, InvalidInput
from recycling_network.i18n import lazy_format
from recycling_network.queries import lock_or_404
from recycling_network.tenancy import SYSTEM, Actor, system_context


@transaction.atomic
def partner_apply_with_claims(
    *,
    actor: Actor,
    name: str,
    credit_code: str,
    kinds: Iterable[str],
    contacts: Sequence[dict[str, Any]],
    name_en: str = "",
    claims: Iterable[tuple[str, str]] = (),
) -> Partner:
    """An enterprise applies to join, naming the codes it claims; all or nothing.

    The claims stay pending until the data center decides them, like any other claim."""
    partner = partner_apply(
        actor=actor, name=name, credit_code=credit_code, kinds=kinds, contacts=contacts, name_en=name_en
    )
    for kind, code in claims:
        try:
            # The applicant has no account yet (it gets one when the data center approves
            # the partner), so nobody could act as the partner admin that
            # ``code_claim_submit`` requires. The system files the claims on its behalf
            # within this application; approving them is still the data center's call.
            # The database context follows: an anonymous visitor may not write claims.
            with system_context():
                code_claim_submit(actor=SYSTEM, partner=partner, kind=kind, code=code)
        except DomainError as error:
            # Name the code: the form shows every claim in one field.
            error.errors = {"claims": [lazy_format(_("%(code)s: %(problem)s"), code=code, problem=error.message)]}
            raise
    return partner


def _primary_contact(partner: Partner) -> PartnerContact | None:
    # Contacts are private rows under row-level security; this reads only the partner's own.
    with system_context():
        return PartnerContact.objects.filter(partner=partner).order_by("-is_primary", "id").first()


def _free_username(email: str, partner: Partner) -> str:
    """The email address, unless another account already uses it as its user name (a
    person who works for two partners): then its local part and the partner id."""
    if not User.objects.filter(username__iexact=email).exists():
        return email
    return f"{email.split('@', 1)[0]}.{partner.pk}"


@transaction.atomic
def partner_onboard_admin(*, actor: Actor, partner: Partner) -> User:
    """Create the first admin of an active partner from its primary contact and invite it
    through the outbox to choose a password. A partner that already has an admin keeps
    it: the call returns that admin and invites nobody."""
    require_datacenter(actor)
    partner = lock_or_404(Partner, partner)
    if partner.status != PartnerStatus.ACTIVE:
        raise Conflict(
            lazy_format(
                _("This partner is %(status)s; only an active partner gets an admin."),
                status=PartnerStatus(partner.status).label,
            ),
            code="partner_status_conflict",
        )
    existing = User.objects.filter(partner=partner, role=UserRole.PARTNER_ADMIN).order_by("id").first()
    if existing is not None:
        return existing
    contact = _primary_contact(partner)
    if contact is None or not contact.email:
        raise InvalidInput(
            _("The partner's primary contact has no email address, so nobody can be invited."),
            code="contact_email_missing",
        )
    email = contact.email.strip().lower()
    return user_create(
        actor=actor,
        partner=partner,
        username=_free_username(email, partner),
        email=email,
        role=UserRole.PARTNER_ADMIN,
        display_name=contact.name,
    )


@transaction.atomic
def partner_approve_and_onboard(*, actor: Actor, partner: Partner) -> tuple[Partner, User]:
    """Approve an application and invite its first admin, in one transaction: an approval
    whose invitation cannot be made is not committed either."""
    partner = partner_approve(actor=actor, partner=partner)
    return partner, partner_onboard_admin(actor=actor, partner=partner)
