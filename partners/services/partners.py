"""Partner records: creation by the data center, applications, approval, suspension."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, PartnerContact, PartnerKind, PartnerStatus
from partners.services.audit import audit_record, snapshot
from partners.services.outbox import notify_partner
from partners.validators import validate_credit_code
from recycling_network.authz import require_datacenter, require_partner_admin
from recycling_network.errors import Conflict, InvalidInput
from recycling_network.i18n import lazy_format
from recycling_network.queries import lock_or_404
from recycling_network.tenancy import Actor, system_context

AUDITED_FIELDS = (
    "name",
    "name_en",
    "credit_code",
    "kinds",
    "status",
    "demonstration_unit",
    "demonstration_agreed_on",
    "joined_on",
    "status_reason",
)


def _clean_kinds(kinds: Iterable[str]) -> list[str]:
    cleaned = sorted(set(kinds))
    unknown = [k for k in cleaned if k not in PartnerKind.values]
    if not cleaned or unknown:
        raise InvalidInput(
            _("Choose at least one kind of partner from the list."),
            code="partner_kinds_invalid",
            errors={"kinds": [_("Unknown or missing kinds.")]},
        )
    return cleaned


def _clean_credit_code(credit_code: str) -> str:
    try:
        return validate_credit_code(credit_code)
    except ValidationError as error:
        raise InvalidInput(error.messages[0], code=error.code, errors={"credit_code": error.messages}) from error


def _clean_demonstration(unit: bool, agreed_on: datetime.date | None) -> None:
    if unit and agreed_on is None:
        raise InvalidInput(
            _("A demonstration unit needs the date of its agreement."),
            code="demonstration_agreement_missing",
            errors={"demonstration_agreed_on": [_("This field is required.")]},
        )


def _save_new_partner(partner: Partner) -> Partner:
    try:
        with transaction.atomic():
            partner.save()
    except IntegrityError as error:
        raise Conflict(
            _("A partner with this name or unified social credit code already exists."),
            code="partner_exists",
        ) from error
    return partner


def _add_contacts(partner: Partner, contacts: Sequence[dict[str, Any]]) -> None:
    with system_context():
        for index, contact in enumerate(contacts):
            PartnerContact.objects.create(
                partner=partner,
                name=contact["name"],
                title=contact.get("title", ""),
                phone=contact.get("phone", ""),
                email=contact.get("email", ""),
                is_primary=contact.get("is_primary", index == 0),
                audience=[partner.pk],
            )


@transaction.atomic
def partner_create(
    *,
    actor: Actor,
    name: str,
    credit_code: str,
    kinds: Iterable[str],
    name_en: str = "",
    demonstration_unit: bool = False,
    demonstration_agreed_on: datetime.date | None = None,
    contacts: Sequence[dict[str, Any]] = (),
) -> Partner:
    """The data center adds a partner directly; it is active at once."""
    require_datacenter(actor)
    _clean_demonstration(demonstration_unit, demonstration_agreed_on)
    partner = _save_new_partner(
        Partner(
            name=name.strip(),
            name_en=name_en.strip(),
            credit_code=_clean_credit_code(credit_code),
            kinds=_clean_kinds(kinds),
            status=PartnerStatus.ACTIVE,
            demonstration_unit=demonstration_unit,
            demonstration_agreed_on=demonstration_agreed_on,
            joined_on=timezone.localdate(),
        )
    )
    _add_contacts(partner, contacts)
    audit_record(actor=actor, action="partner.create", target=partner, after=snapshot(partner, AUDITED_FIELDS))
    return partner


@transaction.atomic
def partner_apply(
    *,
    actor: Actor,
    name: str,
    credit_code: str,
    kinds: Iterable[str],
    contacts: Sequence[dict[str, Any]],
    name_en: str = "",
) -> Partner:
    """An enterprise applies to join (no sign-in needed); the data center reviews it."""
    if not contacts:
        raise InvalidInput(
            _("Name at least one contact."), code="contact_required", errors={"contacts": [_("Required.")]}
        )
    partner = _save_new_partner(
        Partner(
            name=name.strip(),
            name_en=name_en.strip(),
            credit_code=_clean_credit_code(credit_code),
            kinds=_clean_kinds(kinds),
            status=PartnerStatus.APPLIED,
        )
    )
    _add_contacts(partner, contacts)
    audit_record(actor=actor, action="partner.apply", target=partner, after=snapshot(partner, AUDITED_FIELDS))
    return partner


def _transition(
    *,
    actor: Actor,
    partner: Partner,
    allowed_from: Sequence[str],
    to: str,
    action: str,
    reason: str = "",
    **changes: Any,
) -> Partner:
    partner = lock_or_404(Partner, partner)
    if partner.status not in allowed_from:
        raise Conflict(
            lazy_format(
                _("This partner is %(status)s; the change is not possible now."),
                status=PartnerStatus(partner.status).label,
            ),
            code="partner_status_conflict",
        )
    before = snapshot(partner, AUDITED_FIELDS)
    partner.status = to
    partner.status_reason = reason
    for field, value in changes.items():
        setattr(partner, field, value)
    partner.save()
    audit_record(
        actor=actor,
        action=action,
        target=partner,
        before=before,
        after=snapshot(partner, AUDITED_FIELDS),
        reason=reason,
    )
    return partner


@transaction.atomic
def partner_approve(*, actor: Actor, partner: Partner) -> Partner:
    require_datacenter(actor)
    partner = _transition(
        actor=actor,
        partner=partner,
        allowed_from=[PartnerStatus.APPLIED],
        to=PartnerStatus.ACTIVE,
        action="partner.approve",
        joined_on=timezone.localdate(),
    )
    notify_partner(
        partner=partner,
        kind="partner.approved",
        subject=_("Your application to join the recycling network was approved"),
        lines=[_("Welcome to the network. Your first admin will receive an invitation to set a password.")],
    )
    return partner


@transaction.atomic
def partner_reject(*, actor: Actor, partner: Partner, reason: str) -> Partner:
    require_datacenter(actor)
    if not reason.strip():
        raise InvalidInput(_("Give a reason."), code="reason_required", errors={"reason": [_("Required.")]})
    partner = _transition(
        actor=actor,
        partner=partner,
        allowed_from=[PartnerStatus.APPLIED],
        to=PartnerStatus.REJECTED,
        action="partner.reject",
        reason=reason,
    )
    notify_partner(
        partner=partner,
        kind="partner.rejected",
        subject=_("Your application to join the recycling network was not approved"),
        lines=[_("Reason:"), reason],
    )
    return partner


@transaction.atomic
def partner_suspend(*, actor: Actor, partner: Partner, reason: str) -> Partner:
    """Suspension disables the partner's keys and sign-ins and refuses its intakes
    (authentication and ``actor_for_user`` read the status)."""
    require_datacenter(actor)
    if not reason.strip():
        raise InvalidInput(_("Give a reason."), code="reason_required", errors={"reason": [_("Required.")]})
    return _transition(
        actor=actor,
        partner=partner,
        allowed_from=[PartnerStatus.ACTIVE],
        to=PartnerStatus.SUSPENDED,
        action="partner.suspend",
        reason=reason,
    )


@transaction.atomic
def partner_reactivate(*, actor: Actor, partner: Partner, reason: str = "") -> Partner:
    require_datacenter(actor)
    return _transition(
        actor=actor,
        partner=partner,
        allowed_from=[PartnerStatus.SUSPENDED],
        to=PartnerStatus.ACTIVE,
        action="partner.reactivate",
        reason=reason,
    )


@transaction.atomic
def partner_update(
    *,
    actor: Actor,
    partner: Partner,
    name_en: str | None = None,
    demonstration_unit: bool | None = None,
    demonstration_agreed_on: datetime.date | None = None,
) -> Partner:
    """Partner admins edit their English name; the data center also the demonstration flag."""
    require_partner_admin(actor, partner.pk)
    partner = lock_or_404(Partner, partner)
    before = snapshot(partner, AUDITED_FIELDS)
    if name_en is not None:
        partner.name_en = name_en.strip()
    if demonstration_unit is not None or demonstration_agreed_on is not None:
        require_datacenter(actor)
        if demonstration_unit is not None:
            partner.demonstration_unit = demonstration_unit
        if demonstration_agreed_on is not None:
            partner.demonstration_agreed_on = demonstration_agreed_on
        _clean_demonstration(partner.demonstration_unit, partner.demonstration_agreed_on)
    partner.save()
    audit_record(
        actor=actor, action="partner.update", target=partner, before=before, after=snapshot(partner, AUDITED_FIELDS)
    )
    return partner
