"""Users of each role with a known password, and a client that signs in through the form."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from outlets import services as outlet_services
from outlets.models import Outlet
from partners.models import Partner, User, UserRole
from tests.builders import DATACENTER, call, make_outlet, make_partner, make_user

PASSWORD = "Corr3ct-horse-battery!"


@dataclass
class People:
    partner: Partner
    outlet: Outlet
    datacenter_admin: User
    partner_admin: User
    staff: User


@pytest.fixture
def people(db) -> People:
    partner = make_partner(kinds=["outlet_operator"], name="绿源回收")
    outlet = make_outlet(partner, name="朝阳回收网点")
    staff = make_user(partner, UserRole.OUTLET_STAFF, password=PASSWORD)
    call(DATACENTER, outlet_services.staff_assign_outlets, user=staff, outlets=[outlet])
    return People(
        partner=partner,
        outlet=outlet,
        datacenter_admin=make_user(None, password=PASSWORD),
        partner_admin=make_user(partner, UserRole.PARTNER_ADMIN, password=PASSWORD),
        staff=staff,
    )


def sign_in(client: Client, user: User, password: str = PASSWORD):
    """Post the sign-in form as a browser would."""
    return client.post("/accounts/login/", {"username": user.get_username(), "password": password})


@pytest.fixture
def english_client() -> Client:
    """A client that chose English (as the language switch does), for stable text assertions."""
    client = Client()
    client.cookies["django_language"] = "en"
    return client
