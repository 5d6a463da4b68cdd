"""A small world for API tests: partners, keys of every kind, sessions, batteries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from partners import services as partner_services
from partners.models import ApiKey, Partner, User, UserRole
from recycling_network.tenancy import SYSTEM, run_as
from tests.builders import (
    DATACENTER,
    admin_of,
    battery_code,
    call,
    claim_code,
    make_outlet,
    make_partner,
    make_user,
    receive,
)

PASSWORD = "s3cret-pass!"
VIN = "LSVAB2BC4NA000001"


def key_for(partner: Partner | None, scopes: tuple[str, ...] = ("read", "write"), **kwargs: Any) -> str:
    actor = DATACENTER if partner is None else admin_of(partner)
    _key, raw = call(actor, partner_services.api_key_create, partner=partner, name="test", scopes=scopes, **kwargs)
    return raw


def bearer(raw: str | None) -> APIClient:
    client = APIClient()
    if raw:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def session(user: User) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@dataclass
class World:
    a: Partner
    b: Partner
    maker: Partner
    automaker: Partner
    outlet_a: Any
    outlet_b: Any
    a_battery: str
    b_battery: str
    clients: dict[str, APIClient] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


@pytest.fixture
def world(db) -> World:
    a = make_partner(kinds=["outlet_operator"], name="甲运营")
    b = make_partner(kinds=["outlet_operator"], name="乙运营")
    maker = make_partner(kinds=["battery_maker"], name="电池甲")
    automaker = make_partner(kinds=["automaker"], name="车企甲")
    claim_code(maker, "manufacturer", "0A1")
    claim_code(automaker, "wmi", "LSV")
    outlet_a, outlet_b = make_outlet(a, capacity_kg=5000), make_outlet(b, capacity_kg=5000, prefecture="310100")
    a_battery = receive(admin_of(a), outlet_a, battery_code("0A1"), vin=VIN).code
    b_battery = receive(admin_of(b), outlet_b, battery_code("0B9")).code
    w = World(a, b, maker, automaker, outlet_a, outlet_b, a_battery, b_battery)
    staff = make_user(a, UserRole.OUTLET_STAFF, password=PASSWORD)
    call(
        DATACENTER, __import__("outlets.services", fromlist=["x"]).staff_assign_outlets, user=staff, outlets=[outlet_a]
    )
    w.users = {
        "staff_a": staff,
        "admin_a": make_user(a, UserRole.PARTNER_ADMIN, password=PASSWORD),
        "user_b": make_user(b, UserRole.PARTNER_ADMIN, password=PASSWORD),
        "dc_admin": make_user(None, password=PASSWORD),
    }
    revoked = key_for(a)
    with run_as(SYSTEM):
        prefix = revoked.split("_", 2)[1]
        call(admin_of(a), partner_services.api_key_revoke, key=ApiKey.objects.get(prefix=prefix))
    expired = key_for(a, expires_at=timezone.now() + datetime.timedelta(hours=1))
    with run_as(SYSTEM):
        ApiKey.objects.filter(prefix=expired.split("_", 2)[1]).update(
            expires_at=timezone.now() - datetime.timedelta(minutes=1)
        )
    w.clients = {
        "anonymous": APIClient(),
        "staff_a": session(w.users["staff_a"]),
        "admin_a": session(w.users["admin_a"]),
        "user_b": session(w.users["user_b"]),
        "producer": bearer(key_for(maker)),
        "datacenter": session(w.users["dc_admin"]),
        "key_a": bearer(key_for(a)),
        "read_key_a": bearer(key_for(a, scopes=("read",))),
        "key_b": bearer(key_for(b)),
        "dc_key": bearer(key_for(None)),
        "revoked_key": bearer(revoked),
        "expired_key": bearer(expired),
    }
    return w
