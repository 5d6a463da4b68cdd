"""The team pages run a fixed number of queries however many users, outlets and keys the
partner has (STYLE habit 8), with more rows than a page holds."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from outlets import services as outlet_services
from partners import services as partner_services
from partners.models import UserRole
from partners.views.team import PAGE_SIZE
from recycling_network.tenancy import actor_for_user
from tests.builders import DATACENTER, call, make_outlet, make_user

# The page's own reads on top of what every signed-in page costs: the paginator's count,
# the rows, and for users their outlet assignments and those outlets.
OWN_QUERIES = {"/team/users/": 4, "/team/keys/": 2}


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def _grow_team(people, extra: int) -> None:
    outlets = [make_outlet(people.partner) for _ in range(3)]
    for n in range(extra):
        role = UserRole.OUTLET_STAFF if n % 4 else UserRole.PARTNER_ADMIN
        user = make_user(people.partner, role)
        if role == UserRole.OUTLET_STAFF:
            call(DATACENTER, outlet_services.staff_assign_outlets, user=user, outlets=outlets[: 1 + n % 3])
    admin = actor_for_user(people.partner_admin)
    for n in range(extra):
        call(
            admin,
            partner_services.api_key_create,
            partner=people.partner,
            name=f"key {n}",
            allowed_networks=["10.0.0.0/8"],
        )


def test_the_lists_run_a_fixed_number_of_queries(people):
    client = Client()
    client.force_login(people.partner_admin)
    baseline = _queries(client, "/accounts/password/change/")
    call(actor_for_user(people.partner_admin), partner_services.api_key_create, partner=people.partner, name="first")
    small = {path: _queries(client, path) for path in OWN_QUERIES}

    _grow_team(people, extra=PAGE_SIZE + 5)
    large = {path: _queries(client, path) for path in OWN_QUERIES}
    assert large == small
    for path, own in OWN_QUERIES.items():
        assert large[path] - baseline <= own, path
        # The second page costs the same and holds the rest.
        page = client.get(path + "?page=2").content.decode()
        assert 'rel="prev"' in page
        assert _queries(client, path + "?page=2") == large[path]


def test_a_staff_members_page_runs_a_fixed_number_of_queries(people):
    client = Client()
    client.force_login(people.partner_admin)
    path = f"/team/users/{people.staff.pk}/"
    small = _queries(client, path)
    outlets = [make_outlet(people.partner) for _ in range(12)]
    call(DATACENTER, outlet_services.staff_assign_outlets, user=people.staff, outlets=outlets)
    assert _queries(client, path) == small
