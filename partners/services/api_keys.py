"""API keys (DESIGN §8, Auth): shown once, stored as a keyed hash, scoped, expiring,
restricted to IP ranges, revocable, with ``last_used_at``."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import ApiKey, Partner, PartnerStatus
from partners.services.audit import audit_record, snapshot
from partners.services.outbox import notify_partner
from recycling_network.authz import require_datacenter, require_partner_admin, require_write
from recycling_network.errors import DomainError, InvalidInput
from recycling_network.i18n import lazy_format
from recycling_network.queries import lock_or_404
from recycling_network.tenancy import ALL_SCOPES, Actor

KEY_PREFIX = "rnk"
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
AUDITED = ("name", "partner", "prefix", "scopes", "allowed_networks", "expires_at", "revoked_at")


class ApiKeyRefused(DomainError):
    """401: the key is missing, unknown, expired, revoked or used from elsewhere.

    ``reason`` is for logs and tests; clients get one message whatever the reason,
    so a stolen prefix reveals nothing."""

    status = 401
    code = "authentication_failed"
    default_message = _("The API key is missing, unknown, expired or revoked.")

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


def hash_key(raw: str) -> str:
    return hmac.new(settings.API_KEY_PEPPER.encode(), raw.encode(), hashlib.sha256).hexdigest()


def _clean_networks(networks: Iterable[str]) -> list[str]:
    cleaned = []
    for network in networks:
        try:
            cleaned.append(str(ipaddress.ip_network(network.strip(), strict=False)))
        except ValueError as error:
            raise InvalidInput(
                lazy_format(_("Not an IP address or range: %(value)s"), value=network),
                code="ip_range_invalid",
                errors={"allowed_networks": [_("Use addresses or CIDR ranges, e.g. 203.0.113.0/24.")]},
            ) from error
    return cleaned


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    cleaned = sorted(set(scopes))
    if not cleaned or not set(cleaned) <= ALL_SCOPES:
        raise InvalidInput(
            _("Scopes are read and/or write."), code="scopes_invalid", errors={"scopes": [_("Invalid.")]}
        )
    return cleaned


@transaction.atomic
def api_key_create(
    *,
    actor: Actor,
    partner: Partner | None,
    name: str,
    scopes: Iterable[str] = ("read", "write"),
    expires_at: datetime.datetime | None = None,
    allowed_networks: Iterable[str] = (),
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is never stored or shown again."""
    if partner is None:
        require_datacenter(actor)
    else:
        require_partner_admin(actor, partner.pk)
    if not name.strip():
        raise InvalidInput(_("Name the key."), code="name_required", errors={"name": [_("Required.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput(
            _("The expiry must be in the future."), code="expiry_in_past", errors={"expires_at": [_("In the past.")]}
        )
    prefix = secrets.token_hex(6)
    raw = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        partner=partner,
        name=name.strip(),
        prefix=prefix,
        secret_hash=hash_key(raw),
        scopes=_clean_scopes(scopes),
        allowed_networks=_clean_networks(allowed_networks),
        expires_at=expires_at,
        created_by_id=actor.user_id,
    )
    audit_record(actor=actor, action="api_key.create", target=key, after=snapshot(key, AUDITED))
    if partner is not None:
        notify_partner(
            partner=partner,
            kind="api_key.created",
            subject=_("A new API key was created"),
            lines=[_("Key name:"), key.name, _("If you did not expect this, revoke the key and tell the data center.")],
        )
    return key, raw


@transaction.atomic
def api_key_revoke(*, actor: Actor, key: ApiKey) -> ApiKey:
    require_write(actor)
    if key.partner_id is None:
        require_datacenter(actor)
    else:
        require_partner_admin(actor, key.partner_id)
    key = lock_or_404(ApiKey, key)
    if key.revoked_at is not None:
        return key
    before = snapshot(key, AUDITED)
    key.revoked_at = timezone.now()
    key.revoked_by_id = actor.user_id
    key.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(actor=actor, action="api_key.revoke", target=key, before=before, after=snapshot(key, AUDITED))
    return key


def _parse(raw: str) -> tuple[str, str] | None:
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], raw


def _address_allowed(key: ApiKey, client_ip: str | None) -> bool:
    if not key.allowed_networks:
        return True
    try:
        address = ipaddress.ip_address(client_ip or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network) for network in key.allowed_networks)


def api_key_authenticate(*, raw: str | None, client_ip: str | None) -> ApiKey:
    """Return the key ``raw`` names, or raise ``ApiKeyRefused``."""
    parsed = _parse((raw or "").strip())
    if parsed is None:
        raise ApiKeyRefused("malformed")
    prefix, whole = parsed
    key = ApiKey.objects.select_related("partner").filter(prefix=prefix).first()
    # Compare even when the prefix is unknown, so timing does not reveal which prefixes exist.
    expected = key.secret_hash if key is not None else "0" * 64
    if not hmac.compare_digest(expected, hash_key(whole)) or key is None:
        raise ApiKeyRefused("unknown")
    now = timezone.now()
    if key.revoked_at is not None:
        raise ApiKeyRefused("revoked")
    if key.expires_at is not None and key.expires_at <= now:
        raise ApiKeyRefused("expired")
    if not _address_allowed(key, client_ip):
        raise ApiKeyRefused("address")
    if key.partner is not None and key.partner.status != PartnerStatus.ACTIVE:
        raise ApiKeyRefused("partner_inactive")
    # At most one write a minute per key: a busy integration must not turn every read
    # into a row update.
    if key.last_used_at is None or key.last_used_at < now - LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        key.last_used_at = now
    return key
