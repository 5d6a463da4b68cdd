"""Each outlet screen runs a fixed number of queries however many rows it lists (STYLE
habit 8): measured against a page that reads nothing, with more rows than a page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from batteries import services as battery_services
from batteries.models import ConsignmentItem
from recycling_network.tenancy import SYSTEM, run_as
from tests.builders import call, receive
from tests.web.test_outlet_world import VIN, World, world_fixture  # noqa: F401 - the fixture

PAGE = 4  # rows per page in these tests (?per_page=), fewer than each list holds

# The page's own reads on top of the layout's (session, user, partner, tenancy context).
LISTS = {
    f"/stock/?per_page={PAGE}": 3,  # assigned outlets, outlets for the filter, the page (+1 look-ahead row)
    f"/hazards/?per_page={PAGE}": 2,
    f"/consignments/?per_page={PAGE}": 4,  # assigned outlets, partner directory, outlets for the filter, the page
    f"/obligations/?per_page={PAGE}": 2,
    "/intake/": 2,
    "/consignments/new/": 3,
    "/": 4,
}


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


def _grow(world: World, batteries: int) -> list[str]:
    staff = world.actor(world.staff)
    codes = [receive(staff, world.outlet, vin=VIN, condition="damaged").code for _ in range(batteries)]
    for code in codes[: batteries // 2]:
        call(
            staff,
            battery_services.consignment_dispatch,
            from_outlet=world.outlet,
            to_partner=world.theirs.pk,
            to_outlet=world.their_outlet,
            batteries=[code],
        )
    return codes


@pytest.mark.parametrize("path", list(LISTS))
def test_each_list_runs_a_fixed_number_of_queries(world, path, django_assert_max_num_queries):
    client = Client()
    client.force_login(world.staff)
    baseline = _queries(client, "/accounts/password/change/")
    _grow(world, PAGE + 2)
    small = _queries(client, path)
    _grow(world, 2 * PAGE + 4)
    large = _queries(client, path)
    assert large == small
    with django_assert_max_num_queries(baseline + LISTS[path]):
        client.get(path)


def test_the_battery_page_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    staff = world.actor(world.staff)
    short = receive(staff, world.outlet, vin=VIN)
    long = receive(staff, world.outlet, vin=VIN)
    for _ in range(6):
        call(staff, battery_services.battery_inspect, code=long.code, insulation_ok=True, casing_ok=True)
        call(staff, battery_services.battery_report_hazard, code=long.code, hazard="damaged")
    client = Client()
    client.force_login(world.staff)
    baseline = _queries(client, "/accounts/password/change/")
    assert _queries(client, f"/batteries/{short.code}/") == _queries(client, f"/batteries/{long.code}/")
    # The battery, its events (with partners and outlets), the custodian, the outlet.
    with django_assert_max_num_queries(baseline + 5):
        client.get(f"/batteries/{long.code}/")


def test_the_consignment_page_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    staff = world.actor(world.staff)
    consignments = []
    for size in (1, 12):
        codes = [receive(staff, world.outlet).code for _ in range(size)]
        consignments.append(
            call(
                staff,
                battery_services.consignment_dispatch,
                from_outlet=world.outlet,
                to_partner=world.theirs.pk,
                to_outlet=world.their_outlet,
                batteries=codes,
            )
        )
    with run_as(SYSTEM):
        assert ConsignmentItem.objects.filter(consignment=consignments[1]).count() == 12
    client = Client()
    client.force_login(world.their_staff)  # the consignee sees the receipt form
    baseline = _queries(client, "/accounts/password/change/")
    small, large = (_queries(client, f"/consignments/{c.pk}/") for c in consignments)
    assert small == large
    with django_assert_max_num_queries(baseline + 4):
        client.get(f"/consignments/{consignments[1].pk}/")
