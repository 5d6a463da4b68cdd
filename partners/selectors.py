"""Every read of partners, users, keys and the audit log a user can reach; each takes the actor."""

from __future__ import annotations

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import OuterRef, QuerySet, Subquery

from partners.models import ApiKey, AuditEntry, ClaimStatus, CodeClaim, Partner, PartnerContact, PartnerStatus, User
from recycling_network.errors import NotFound
from recycling_network.tenancy import Actor


def partner_directory(actor: Actor) -> QuerySet[Partner]:
    """Active partners (id, name, kinds) for addressing consignments; signed-in users only."""
    if actor.is_anonymous:
        return Partner.objects.none()
    return Partner.objects.filter(status=PartnerStatus.ACTIVE).only("id", "name", "kinds")


def visible_partners(actor: Actor) -> QuerySet[Partner]:
    """Full partner records: every partner for the data center, its own for a partner."""
    if actor.is_datacenter:
        return Partner.objects.all()
    if actor.is_partner:
        return Partner.objects.filter(pk=actor.partner_id)
    return Partner.objects.none()


def with_approved_codes(partners: QuerySet[Partner]) -> QuerySet[Partner]:
    """Annotate each partner's approved manufacturer codes and WMIs (one query for a list)."""

    def codes(kind: str) -> Subquery:
        claims = CodeClaim.objects.filter(partner=OuterRef("pk"), status=ClaimStatus.APPROVED, kind=kind)
        return Subquery(claims.values("partner").annotate(codes=ArrayAgg("code", order_by="code")).values("codes"))

    return partners.annotate(approved_manufacturer_codes=codes("manufacturer"), approved_wmi_codes=codes("wmi"))


def get_partner(actor: Actor, partner_id: int) -> Partner:
    partner = visible_partners(actor).filter(pk=partner_id).first()
    if partner is None:
        raise NotFound()
    return partner


def partner_contacts(actor: Actor, partner: Partner) -> QuerySet[PartnerContact]:
    if not (actor.is_datacenter or actor.partner_id == partner.pk):
        return PartnerContact.objects.none()
    return PartnerContact.objects.filter(partner=partner)


def approved_codes(partner_id: int) -> dict[str, list[str]]:
    """The partner's effective manufacturer codes and WMIs."""
    codes: dict[str, list[str]] = {"manufacturer": [], "wmi": []}
    claims = CodeClaim.objects.filter(partner_id=partner_id, status=ClaimStatus.APPROVED).order_by("code")
    for kind, code in claims.values_list("kind", "code"):
        codes[kind].append(code)
    return codes


def visible_code_claims(actor: Actor) -> QuerySet[CodeClaim]:
    claims = CodeClaim.objects.select_related("partner")
    if actor.is_datacenter:
        return claims
    if actor.is_partner:
        return claims.filter(partner_id=actor.partner_id)
    return claims.none()


def visible_users(actor: Actor) -> QuerySet[User]:
    """Users the actor manages: all for the data center, the partner's for its admins."""
    if actor.is_datacenter:
        return User.objects.all()
    if actor.is_partner_admin:
        return User.objects.filter(partner_id=actor.partner_id)
    return User.objects.none()


def get_user(actor: Actor, user_id: int) -> User:
    user = visible_users(actor).filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    return user


def visible_api_keys(actor: Actor) -> QuerySet[ApiKey]:
    if actor.is_datacenter:
        return ApiKey.objects.select_related("partner")
    if actor.is_partner_admin:
        return ApiKey.objects.filter(partner_id=actor.partner_id)
    return ApiKey.objects.none()


def get_api_key(actor: Actor, key_id: int) -> ApiKey:
    key = visible_api_keys(actor).filter(pk=key_id).first()
    if key is None:
        raise NotFound()
    return key


def visible_audit_entries(actor: Actor) -> QuerySet[AuditEntry]:
    """The data center reads the whole log; a partner admin the entries that concern it."""
    if actor.is_datacenter:
        return AuditEntry.objects.all()
    if actor.is_partner_admin:
        return AuditEntry.objects.filter(audience__contains=[actor.partner_id])
    return AuditEntry.objects.none()
