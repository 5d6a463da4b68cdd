"""The feed over HTTP (DESIGN §7 "The feed"): a follower reading ``next_cursor`` pages
misses nothing and sees nothing twice even when an earlier transaction commits last; and
the shipped client (``docs/clients/feed_client.py``) follows the feed to its end and
verifies every hash chain it receives."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from batteries import services
from batteries.models import CustodyEvent
from recycling_network.tenancy import SYSTEM, Actor, run_as
from tests.api.conftest import key_for
from tests.api.live import Api, eventually
from tests.builders import admin_of, battery_code, call, make_outlet, make_partner, receive
from tests.concurrency import Held

pytestmark = [pytest.mark.django_db(transaction=True)]

CLIENT = Path(__file__).resolve().parents[2] / "docs" / "clients" / "feed_client.py"


class Follower:
    """Reads ``GET /api/v1/events/`` in pages of 2, keeping its cursor like a client would."""

    def __init__(self, api: Api) -> None:
        self.api, self.cursor, self.seen = api, None, []

    def read_to_end(self) -> list[int]:
        new = []
        while True:
            params = {"limit": 2, **({"after": self.cursor} if self.cursor else {})}
            response = self.api.get("/api/v1/events/", params=params)
            assert response.status_code == 200, response.text
            page = response.json()
            assert len(page["results"]) <= 2
            if not page["results"]:
                assert page["next_cursor"] == (self.cursor or page["next_cursor"]), "an empty page keeps the cursor"
            new += [event["id"] for event in page["results"]]
            self.cursor = page["next_cursor"]
            if not page["has_more"]:
                self.seen += new
                return new


def events_of(partner_id: int) -> set[int]:
    with run_as(SYSTEM):
        return set(CustodyEvent.objects.filter(audience__contains=[partner_id]).values_list("pk", flat=True))


def test_a_follower_over_http_misses_nothing_and_sees_nothing_twice_when_the_first_writer_commits_last(live_server):
    operator = make_partner()
    outlet, other_outlet = make_outlet(operator), make_outlet(operator)
    actor = admin_of(operator)
    receive(actor, outlet)  # history before the race
    key = key_for(operator)
    follower = Follower(Api(live_server.url, key))
    history = events_of(operator.pk)
    eventually(follower.read_to_end, lambda _new: set(follower.seen) >= history)

    def two_intakes(actor: Actor) -> None:
        for _ in range(2):
            services.battery_receive(actor=actor, outlet=outlet, code=battery_code(), weight_kg="100")

    first = Held(actor, two_intakes)  # writer 1: starts first ...
    first.start()
    assert first.ready.wait(30)
    writer = Api(live_server.url, key)
    for _ in range(3):  # writer 2: commits in between, over HTTP, at an outlet writer 1 does not lock
        response = writer.post(
            "/api/v1/intakes/", json={"outlet": other_outlet.code, "code": battery_code(), "weight_kg": 100}
        )
        assert response.status_code == 201, response.text
    second = events_of(operator.pk) - history
    assert len(second) == 3  # writer 1's events are not committed yet

    held_back = follower.read_to_end()
    # Writer 2's entries have later transaction ids than writer 1's, which is still running:
    # the feed holds them back rather than let the cursor jump over writer 1's entries.
    assert set(held_back).isdisjoint(second)

    first.commit()  # ... and commits last
    expected = events_of(operator.pk)
    assert len(expected) == 6
    eventually(follower.read_to_end, lambda _new: set(follower.seen) >= expected)
    assert len(follower.seen) == len(set(follower.seen)), "an event was delivered twice"
    assert set(follower.seen) == expected


def run_client(base_url: str, key: str, state: Path, out: Path, *, limit: int = 3) -> tuple[int, dict[str, Any]]:
    arguments = ["--base-url", base_url, "--key", key, "--state", str(state), "--out", str(out), "--limit", str(limit)]
    completed = subprocess.run(
        [sys.executable, str(CLIENT), *arguments, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    summary = json.loads(completed.stdout) if completed.stdout.strip() else {"stderr": completed.stderr}
    return completed.returncode, summary


def follow_with_client(base_url: str, key: str, tmp: Path, expected: set[int]) -> list[dict[str, Any]]:
    """Run the client until it has received ``expected`` (each run continues from the saved
    cursor); return the summaries of the runs."""
    runs: list[dict[str, Any]] = []

    def one_run() -> set[int]:
        status, summary = run_client(base_url, key, tmp / "feed.cursor", tmp / "events.jsonl")
        assert status == 0, summary
        runs.append(summary)
        return {event_id for run in runs for event_id in run["event_ids"]}

    eventually(one_run, lambda received: received >= expected, pause=0.3)
    return runs


def test_the_shipped_client_follows_the_feed_and_verifies_every_chain(live_server, tmp_path):
    operator = make_partner(kinds=["outlet_operator"])
    recycler = make_partner(kinds=["recycler", "outlet_operator"])
    outlet, recycler_outlet = make_outlet(operator), make_outlet(recycler, prefecture="310100")
    operator_actor, recycler_actor = admin_of(operator), admin_of(recycler)
    codes = [receive(operator_actor, outlet, weight_kg="50").code for _ in range(4)]  # received
    for code in codes[:2]:
        call(operator_actor, services.battery_inspect, code=code, insulation_ok=True, casing_ok=True)  # inspected
    consignment = call(  # dispatched
        operator_actor,
        services.consignment_dispatch,
        from_outlet=outlet.code,
        to_partner=recycler.pk,
        to_outlet=recycler_outlet.code,
        batteries=codes[:3],
    )
    call(  # handover_received and handover_rejected, by the counterparty
        recycler_actor,
        services.consignment_receive,
        consignment=consignment.pk,
        rejected=[{"code": codes[2], "reason": "damaged", "note": "casing cracked"}],
    )
    call(operator_actor, services.battery_report_hazard, code=codes[3], hazard="leaking")  # hazard_reported
    key = key_for(operator)
    expected = events_of(operator.pk)
    with run_as(SYSTEM):
        kinds = set(CustodyEvent.objects.filter(pk__in=expected).values_list("kind", flat=True))
    assert {"received", "inspected", "dispatched", "handover_received", "hazard_reported"} <= kinds

    runs = follow_with_client(live_server.url, key, tmp_path, expected)
    received = [event_id for run in runs for event_id in run["event_ids"]]
    assert len(received) == len(set(received)), "the client got an event twice"
    assert set(received) == expected
    assert all(run["problems"] == [] for run in runs)
    assert sum(run["received"] for run in runs) == len(expected)
    assert len((tmp_path / "events.jsonl").read_text().splitlines()) == len(expected)

    # A later run continues after the saved cursor: only the new event arrives, and it is
    # verified against the chain saved by the earlier runs.
    call(operator_actor, services.battery_inspect, code=codes[3], insulation_ok=False, casing_ok=True)
    new = events_of(operator.pk) - expected
    later = follow_with_client(live_server.url, key, tmp_path, new)
    assert [event_id for run in later for event_id in run["event_ids"]] == sorted(new)
    assert all(run["problems"] == [] for run in later)


def test_the_client_reports_a_tampered_event(live_server, tmp_path):
    """The verification above can fail: one changed field in a saved event breaks its chain."""
    operator = make_partner()
    outlet = make_outlet(operator)
    code = receive(admin_of(operator), outlet, weight_kg="50").code
    call(admin_of(operator), services.battery_inspect, code=code, insulation_ok=True, casing_ok=True)
    key = key_for(operator)
    follow_with_client(live_server.url, key, tmp_path, events_of(operator.pk))

    saved = tmp_path / "events.jsonl"
    events = [json.loads(line) for line in saved.read_text().splitlines()]
    events[0]["data"]["weight_kg"] = "5.00"  # was 50.00
    saved.write_text("".join(json.dumps(event) + "\n" for event in events))
    status, summary = run_client(live_server.url, key, tmp_path / "feed.cursor", saved)
    assert status == 1
    assert any("hash does not match" in line for line in summary["problems"])


def test_the_client_stops_with_the_servers_problem_on_a_bad_key(live_server, tmp_path):
    status, summary = run_client(live_server.url, "rnk_nope_nope", tmp_path / "c", tmp_path / "e")
    assert status == 2
    assert "HTTP 401" in summary["stderr"]
