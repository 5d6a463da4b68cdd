"""API keys (DESIGN §8): shown once, stored as a keyed hash, refused when wrong, expired,
revoked, out of range or when the partner is suspended."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from partners import services
from partners.models import ApiKey
from partners.services.api_keys import ApiKeyRefused
from recycling_network.errors import Forbidden
from recycling_network.tenancy import SYSTEM, run_as
from tests.builders import DATACENTER, admin_of, call, make_partner


def _create(partner, **kwargs):
    return call(admin_of(partner), services.api_key_create, partner=partner, name="ERP", **kwargs)


def test_the_secret_is_never_stored(db):
    partner = make_partner()
    key, raw = _create(partner)
    secret = raw.split("_", 2)[2]
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(k)::text FROM partners_apikey k WHERE id = %s", [key.pk])
        stored = cursor.fetchone()[0]
    assert secret not in stored
    assert raw not in stored
    assert key.secret_hash in stored
    assert services.api_key_authenticate(raw=raw, client_ip="127.0.0.1").pk == key.pk


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"), "unknown"),
        (lambda raw: raw.replace("rnk_", "rnx_"), "malformed"),
        (lambda raw: "", "malformed"),
        (lambda raw: "rnk_000000000000_" + raw.split("_", 2)[2], "unknown"),
    ],
)
def test_a_wrong_key_is_refused(db, mangle, reason):
    _key, raw = _create(make_partner())
    with pytest.raises(ApiKeyRefused) as error:
        services.api_key_authenticate(raw=mangle(raw), client_ip="127.0.0.1")
    assert error.value.reason == reason
    assert error.value.status == 401


def test_an_expired_key_is_refused(db):
    key, raw = _create(make_partner(), expires_at=timezone.now() + datetime.timedelta(hours=1))
    services.api_key_authenticate(raw=raw, client_ip=None)
    ApiKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(ApiKeyRefused) as error:
        services.api_key_authenticate(raw=raw, client_ip=None)
    assert error.value.reason == "expired"


def test_a_revoked_key_is_refused_and_the_revocation_is_audited(db):
    partner = make_partner()
    key, raw = _create(partner)
    call(admin_of(partner), services.api_key_revoke, key=key)
    with pytest.raises(ApiKeyRefused) as error:
        services.api_key_authenticate(raw=raw, client_ip=None)
    assert error.value.reason == "revoked"


def test_a_key_used_from_outside_its_ranges_is_refused(db):
    _key, raw = _create(make_partner(), allowed_networks=["203.0.113.0/24", "2001:db8::/32"])
    assert services.api_key_authenticate(raw=raw, client_ip="203.0.113.77")
    assert services.api_key_authenticate(raw=raw, client_ip="2001:db8::1")
    for address in ("198.51.100.1", None, "not-an-ip"):
        with pytest.raises(ApiKeyRefused) as error:
            services.api_key_authenticate(raw=raw, client_ip=address)
        assert error.value.reason == "address"


def test_a_suspended_partners_keys_are_refused(db):
    partner = make_partner()
    _key, raw = _create(partner)
    call(DATACENTER, services.partner_suspend, partner=partner, reason="违规")
    with pytest.raises(ApiKeyRefused) as error:
        services.api_key_authenticate(raw=raw, client_ip=None)
    assert error.value.reason == "partner_inactive"


def test_last_used_is_written_at_most_once_a_minute(db):
    key, raw = _create(make_partner())
    services.api_key_authenticate(raw=raw, client_ip=None)
    first = ApiKey.objects.get(pk=key.pk).last_used_at
    services.api_key_authenticate(raw=raw, client_ip=None)
    assert ApiKey.objects.get(pk=key.pk).last_used_at == first
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    services.api_key_authenticate(raw=raw, client_ip=None)
    assert ApiKey.objects.get(pk=key.pk).last_used_at > first


def test_only_the_partners_admins_create_its_keys(db):
    partner, other = make_partner(), make_partner()
    with pytest.raises(Forbidden):
        call(admin_of(other), services.api_key_create, partner=partner, name="x")
    with pytest.raises(Forbidden):
        call(admin_of(partner), services.api_key_create, partner=None, name="datacenter key")


def test_create_api_key_command_prints_only_the_key(db, capsys):
    partner = make_partner()
    call_command("create_api_key", "--partner", str(partner.pk), "--scopes", "read", "--name", "BI")
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("rnk_")
    assert "\n" not in printed
    key = services.api_key_authenticate(raw=printed, client_ip=None)
    assert key.partner_id == partner.pk
    assert key.scopes == ["read"]
    call_command("create_api_key", "--datacenter")
    printed = capsys.readouterr().out.strip()
    key = services.api_key_authenticate(raw=printed, client_ip=None)
    assert key.partner_id is None
    assert sorted(key.scopes) == ["read", "write"]
    with run_as(SYSTEM):
        assert ApiKey.objects.count() == 2
