"""API keys in the browser: the secret is shown once, in the response to the POST that
created it, and nowhere else (not the database, the session, messages, later pages); the
key works against the API until it is revoked; scopes, expiry and IP ranges are kept."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from partners.models import ApiKey, AuditEntry, OutboxEmail
from partners.services.api_keys import hash_key
from recycling_network.tenancy import SYSTEM, run_as

SECRET = re.compile(r"<code id=\"api-key-secret\"[^>]*>(rnk_[0-9a-f]+_[A-Za-z0-9_-]+)</code>")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def client(people) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(people.partner_admin)
    return client


def _create(client: Client, **data) -> tuple[ApiKey, str]:
    response = client.post("/team/keys/new/", {"name": "ERP", "scopes": ["read", "write"], **data})
    assert response.status_code == 200  # rendered, never redirected: no URL carries the secret
    assert "no-store" in response["Cache-Control"]
    match = SECRET.search(response.content.decode())
    assert match, "the secret is on the page"
    secret = match.group(1)
    key = ApiKey.objects.get(prefix=secret.split("_")[1])
    return key, secret


def _me(secret: str, **extra):
    return Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {secret}", **extra)


def test_a_new_key_is_shown_once_and_stored_only_as_a_hash(people, client):
    key, secret = _create(client, name="ERP 接口")
    assert key.partner_id == people.partner.pk
    assert key.name == "ERP 接口"
    assert key.created_by_id == people.partner_admin.pk
    assert key.secret_hash == hash_key(secret)
    assert key.secret_hash != secret

    # Nowhere else: not in any column of the key, the audit log, the outbox, the session.
    tail = secret.split("_", 2)[2]
    with run_as(SYSTEM):
        stored = [
            *ApiKey.objects.filter(pk=key.pk).values_list(),
            *AuditEntry.objects.values_list("before", "after", "target_label", "reason"),
            *OutboxEmail.objects.values_list("subject", "body"),
        ]
    assert stored
    assert tail not in repr(stored)
    for session in Session.objects.all():
        assert tail not in repr(session.get_decoded())
    assert tail not in repr(client.cookies)

    # Later pages show the prefix, never the secret.
    for path in ["/team/keys/", f"/team/keys/{key.pk}/", f"/team/keys/{key.pk}/revoke/"]:
        page = client.get(path).content.decode()
        assert tail not in page, path
        assert f"rnk_{key.prefix}_" in page, path
        assert 'id="api-key-secret"' not in page, path


def test_the_key_authenticates_until_it_is_revoked(people, client):
    key, secret = _create(client)
    response = _me(secret)
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "partner_key"
    assert body["partner"]["id"] == people.partner.pk
    assert sorted(body["scopes"]) == ["read", "write"]
    detail = client.get(f"/team/keys/{key.pk}/").content.decode()
    last_used = timezone.localtime(ApiKey.objects.get(pk=key.pk).last_used_at, SHANGHAI)
    assert last_used.strftime("%Y-%m-%d %H:%M") in detail

    # The confirmation page changes nothing.
    page = client.get(f"/team/keys/{key.pk}/revoke/").content.decode()
    assert 'method="post"' in page
    assert _me(secret).status_code == 200

    response = client.post(f"/team/keys/{key.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/team/keys/"
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert key.revoked_by_id == people.partner_admin.pk
    refused = _me(secret)
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")

    row = client.get("/team/keys/").content.decode()
    row = row[row.index(f'data-key="{key.prefix}"') :].split("</tr>")[0]
    assert "Revoked" in row
    assert "/revoke/" not in row


def test_scopes_expiry_and_ip_ranges_are_saved_and_enforced(people, client):
    expiry = timezone.localdate() + datetime.timedelta(days=30)
    key, secret = _create(
        client,
        name="只读",
        scopes=["read"],
        expires_at=expiry.isoformat(),
        allowed_networks="10.0.0.0/8\n\n 192.0.2.7 \n",
    )
    assert key.scopes == ["read"]
    assert key.allowed_networks == ["10.0.0.0/8", "192.0.2.7/32"]
    # Valid through the chosen day in China Standard Time.
    end_of_day = datetime.datetime.combine(expiry + datetime.timedelta(days=1), datetime.time.min, SHANGHAI)
    assert key.expires_at == end_of_day

    assert _me(secret).status_code == 401  # the test client calls from 127.0.0.1
    response = _me(secret, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response.json()["scopes"] == ["read"]

    row = client.get("/team/keys/").content.decode()
    row = row[row.index(f'data-key="{key.prefix}"') :].split("</tr>")[0]
    assert "10.0.0.0/8" in row
    assert "192.0.2.7/32" in row
    assert end_of_day.strftime("%Y-%m-%d") in row
    assert ">Read<" in row
    assert ">Write<" not in row


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"scopes": []}, "scopes", "Choose at least one permission."),
        ({"scopes": ["admin"]}, "scopes", "Select a valid choice."),
        ({"allowed_networks": "10.0.0.0/8\nsomewhere"}, "allowed_networks", "Use addresses or CIDR ranges"),
        ({"expires_at": "2020-01-01"}, "expires_at", "In the past."),
        ({"name": "   "}, "name", "This field is required."),
    ],
)
def test_refused_keys_show_the_error_on_its_field_and_create_nothing(people, client, data, field, message):
    response = client.post("/team/keys/new/", {"name": "ERP", "scopes": ["read"], **data})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="#id_{field}' in page
    assert message in page
    assert 'id="api-key-secret"' not in page
    assert ApiKey.objects.count() == 0
