"""Approving a code claim delivers the producer's old events through the feed: a battery
maker follows ``GET /api/v1/events/`` to the end, the data center approves its claim in
its queue, and after the background backfill the same cursor yields the old events
(DESIGN §4 "Kinds and producers", §7 "The feed")."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from batteries import services as battery_services
from batteries.models import CustodyEvent
from partners import services
from partners.models import CodeClaim, UserRole
from recycling_network.tenancy import SYSTEM, run_as
from tests.api.live import eventually
from tests.builders import admin_of, battery_code, call, make_outlet, make_partner, make_user, receive
from tests.web.test_onboarding_pages import client_for

pytestmark = pytest.mark.django_db(transaction=True)


class Follower:
    """Reads the feed in pages of 2, keeping its cursor as a client would."""

    def __init__(self, key: str) -> None:
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        self.cursor: str | None = None

    def read_to_end(self) -> list[int]:
        read = []
        while True:
            params = {"limit": 2, **({"after": self.cursor} if self.cursor else {})}
            response = self.api.get("/api/v1/events/", params)
            assert response.status_code == 200, response.content
            page = response.json()
            read += [event["id"] for event in page["results"]]
            self.cursor = page["next_cursor"]
            if not page["has_more"]:
                return read


def test_a_claim_approved_in_the_queue_delivers_the_old_events_after_the_cursor():
    operator = make_partner(kinds=["outlet_operator"])
    outlet = make_outlet(operator)
    operator_admin = admin_of(operator)
    codes = [receive(operator_admin, outlet, battery_code("7QX")).code for _ in range(3)]
    call(operator_admin, battery_services.battery_inspect, code=codes[0], insulation_ok=True, casing_ok=True)
    receive(operator_admin, outlet, battery_code("7QY"))  # another maker's battery: never delivered

    maker = make_partner(kinds=["battery_maker"])
    _key, raw = call(admin_of(maker), services.api_key_create, partner=maker, name="feed")
    follower = Follower(raw)
    assert follower.read_to_end() == []  # no claim yet: nothing of these batteries
    old_cursor = follower.cursor

    maker_admin = make_user(maker, UserRole.PARTNER_ADMIN)
    assert client_for(maker_admin).post("/claims/", {"kind": "manufacturer", "code": "7QX"}).status_code == 302
    with run_as(SYSTEM):
        claim = CodeClaim.objects.get(partner=maker, code="7QX")
    assert follower.read_to_end() == []  # pending: still nothing

    datacenter = client_for(make_user(None))
    approved = datacenter.post(f"/datacenter/claims/{claim.pk}/approve/", {})
    assert approved.status_code == 302  # committed; the backfill ran after the commit

    with run_as(SYSTEM):
        claim.refresh_from_db()
        history = set(CustodyEvent.objects.filter(battery_code__in=codes).values_list("pk", flat=True))
    assert (claim.backfill_progress, claim.backfill_done_at is not None) == (100, True)
    assert len(history) == 4
    follower.cursor = old_cursor
    delivered: list[int] = []
    # The feed holds entries back while any older transaction of the cluster runs (other
    # test workers'), so the follower keeps reading, as a client would, until they come.
    eventually(lambda: delivered.extend(follower.read_to_end()), lambda _: set(delivered) >= history)
    assert sorted(delivered) == sorted(history)  # each old event once, and nothing else
    # The producer now sees the batteries themselves, and the progress shows as done.
    batteries = follower.api.get("/api/v1/batteries/", {"manufacturer_code": "7QX"}).json()["results"]
    assert sorted(b["code"] for b in batteries) == sorted(codes)
    progress = client_for(maker_admin).get(f"/claims/{claim.pk}/progress/").content.decode()
    assert 'data-backfill="done"' in progress and "hx-trigger" not in progress
    # Later events reach it directly.
    call(operator_admin, battery_services.battery_report_hazard, code=codes[1], hazard="leaking")
    later: list[int] = []
    eventually(lambda: later.extend(follower.read_to_end()), lambda _: len(later) >= 1)
    assert len(later) == 1
