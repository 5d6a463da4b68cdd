"""Each home page runs a fixed number of queries, however big the network (STYLE habit 8)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from batteries import services as battery_services
from outlets import services as outlet_services
from outlets.models import OutletKind
from partners.models import UserRole
from recycling_network.tenancy import actor_for_user
from recycling_network.web.dashboards import PARTNER_OUTLETS_SHOWN
from tests.builders import (
    DATACENTER,
    battery_code,
    call,
    claim_code,
    make_outlet,
    make_partner,
    make_user,
    receive,
)

# The page's own reads, on top of what every signed-in page costs (session, user and its
# partner, the tenancy context): counts by status, summaries and the outlet list.
OWN_QUERIES = {"datacenter_admin": 5, "partner_admin": 6, "staff": 4}


def _queries(client: Client, path: str = "/") -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def _grow_network(people, outlets: int) -> None:
    """More partners and outlets than the pages list, each outlet assigned to the staff
    user, with hazardous batteries and consignments in both directions."""
    other = make_partner(kinds=["outlet_operator"])
    other_outlet = make_outlet(other, kind=OutletKind.CENTRALIZED_STORAGE, capacity_kg=30000, prefecture="310100")
    other_admin = actor_for_user(make_user(other, UserRole.PARTNER_ADMIN))
    maker = make_partner(kinds=["battery_maker"])
    claim_code(maker, "manufacturer", "Q9Q")
    built = [make_outlet(people.partner) for _ in range(outlets)]
    call(DATACENTER, outlet_services.staff_assign_outlets, user=people.staff, outlets=[people.outlet, *built])
    staff = actor_for_user(people.staff)
    for outlet in built[:4]:
        codes = [battery_code("Q9Q") for _ in range(3)]
        for code in codes:
            receive(staff, outlet, code, condition="damaged")
        call(
            staff,
            battery_services.consignment_dispatch,
            from_outlet=outlet,
            to_partner=other.pk,
            to_outlet=other_outlet,
            batteries=codes[:1],
        )
        incoming = battery_code("Q9Q")
        receive(other_admin, other_outlet, incoming)
        call(
            other_admin,
            battery_services.consignment_dispatch,
            from_outlet=other_outlet,
            to_partner=people.partner.pk,
            to_outlet=outlet,
            batteries=[incoming],
        )


@pytest.mark.parametrize("role", ["datacenter_admin", "partner_admin", "staff"])
def test_home_pages_run_a_fixed_number_of_queries(people, role):
    client = Client()
    client.force_login(getattr(people, role))
    # A page that reads nothing of its own: the price of the layout and the middleware.
    baseline = _queries(client, "/accounts/password/change/")
    small = _queries(client)
    _grow_network(people, outlets=PARTNER_OUTLETS_SHOWN + 5)
    large = _queries(client)
    assert large == small
    assert large - baseline <= OWN_QUERIES[role]
