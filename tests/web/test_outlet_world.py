"""A small network for the outlet-screen tests, built through the real services, and the
helpers those tests share (imported by the other ``test_outlet_*`` modules)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from outlets import services as outlet_services
from outlets.models import Outlet, OutletKind
from partners.models import Partner, User, UserRole
from recycling_network.tenancy import Actor, actor_for_user
from tests.builders import DATACENTER, call, claim_code, make_outlet, make_partner, make_user

VIN = "LSVAB2BC4NA000001"


@dataclass
class World:
    ours: Partner
    theirs: Partner
    third: Partner
    automaker: Partner
    outlet: Outlet
    second_outlet: Outlet
    their_outlet: Outlet
    staff: User
    admin: User
    their_staff: User
    third_admin: User
    automaker_admin: User
    datacenter_admin: User

    def actor(self, user: User) -> Actor:
        return actor_for_user(user)

    def client(self, user: User | None, *, language: str = "en") -> Client:
        client = Client()
        client.cookies["django_language"] = language
        if user is not None:
            client.force_login(user)
        return client


def build_world() -> World:
    ours = make_partner(kinds=["outlet_operator"], name="绿源回收")
    theirs = make_partner(kinds=["outlet_operator", "recycler"], name="再生科技")
    third = make_partner(kinds=["outlet_operator"], name="第三方回收")
    automaker = make_partner(kinds=["automaker"], name="汽车厂")
    claim_code(automaker, "wmi", "LSV")
    outlet = make_outlet(ours, name="朝阳回收网点", capacity_kg=5000)
    second_outlet = make_outlet(ours, name="海淀回收网点", capacity_kg=5000)
    their_outlet = make_outlet(
        theirs, name="浦东集中贮存点", kind=OutletKind.CENTRALIZED_STORAGE, capacity_kg=30000, prefecture="310100"
    )
    staff = make_user(ours, UserRole.OUTLET_STAFF)
    call(DATACENTER, outlet_services.staff_assign_outlets, user=staff, outlets=[outlet])
    their_staff = make_user(theirs, UserRole.OUTLET_STAFF)
    call(DATACENTER, outlet_services.staff_assign_outlets, user=their_staff, outlets=[their_outlet])
    return World(
        ours=ours,
        theirs=theirs,
        third=third,
        automaker=automaker,
        outlet=outlet,
        second_outlet=second_outlet,
        their_outlet=their_outlet,
        staff=staff,
        admin=make_user(ours, UserRole.PARTNER_ADMIN),
        their_staff=their_staff,
        third_admin=make_user(third, UserRole.PARTNER_ADMIN),
        automaker_admin=make_user(automaker, UserRole.PARTNER_ADMIN),
        datacenter_admin=make_user(None),
    )


@pytest.fixture(name="world")
def world_fixture(db) -> World:
    return build_world()
