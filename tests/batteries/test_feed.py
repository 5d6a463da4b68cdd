"""The feed delivers every entry exactly once, even when an earlier transaction commits
last (DESIGN §7 "The feed"), and a backfill arrives after the follower's cursor."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection

from batteries import services
from batteries.feed import feed_page
from batteries.models import CustodyEvent
from partners import services as partner_services
from recycling_network.tenancy import SYSTEM, Actor, run_as
from tests.builders import DATACENTER, admin_of, battery_code, call, claim_code, make_outlet, make_partner, receive
from tests.concurrency import Held, eventually

pytestmark = pytest.mark.django_db(transaction=True)


def follow_with_feed(actor: Actor, state: dict) -> list[int]:
    """Read pages of 2 until the feed says there is no more; return the event ids read.

    One pass: entries of transactions still running anywhere on the server are held
    back, so a caller expecting something polls with ``catch_up``."""
    seen = []
    while True:
        with run_as(actor):
            page = feed_page(actor, state.get("cursor"), 2)
        seen += [event.pk for event in page.events]
        state["cursor"] = page.next_cursor
        if not page.has_more:
            return seen


def follow_by_id(actor: Actor, state: dict) -> list[int]:
    """The control: a plain ``ORDER BY id`` feed, without the transaction-order cursor."""
    seen = []
    while True:
        with run_as(actor), connection.cursor() as cursor:
            cursor.execute(
                "SELECT event_id FROM batteries_feedentry WHERE partner_id = %s AND event_id > %s ORDER BY event_id LIMIT 2",
                [actor.partner_id, state.get("cursor", 0)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return seen
        seen += ids
        state["cursor"] = ids[-1]


def catch_up(
    follow: Callable[[Actor, dict], list[int]], actor: Actor, state: dict, total: int, seen: list[int]
) -> list[int]:
    """Keep following until ``seen`` holds ``total`` events (or 30 s pass). Parallel test
    workers keep short transactions open, which hold every feed back for a moment."""
    return eventually(lambda: seen.extend(follow(actor, state)) or seen, lambda s: len(s) >= total)


def _late_commit_scenario(
    follow: Callable[[Actor, dict], list[int]], *, poll: bool = True
) -> tuple[list[int], set[int]]:
    """Writer 1 starts first and commits last; writer 2 commits in between; a follower
    reads throughout. Returns what the follower read and what it should have read."""
    operator = make_partner()
    outlet, other_outlet = make_outlet(operator), make_outlet(operator)
    actor = admin_of(operator)
    receive(actor, outlet)  # history before the race
    state: dict = {}
    seen = catch_up(follow, actor, state, 1, []) if poll else follow(actor, state)

    def two_intakes(actor: Actor) -> None:
        for _ in range(2):
            services.battery_receive(actor=actor, outlet=outlet, code=battery_code(), weight_kg="100")

    first = Held(actor, two_intakes)
    first.start()
    assert first.ready.wait(30)
    for _ in range(3):
        # Writer 2 (another outlet, so it does not queue behind writer 1's stock lock).
        receive(actor, other_outlet, weight_kg="100")
    seen += follow(actor, state)
    first.commit()
    if poll:
        seen = catch_up(follow, actor, state, 6, seen)
    else:
        seen += follow(actor, state)
    with run_as(SYSTEM):
        expected = set(CustodyEvent.objects.filter(audience__contains=[operator.pk]).values_list("pk", flat=True))
    return seen, expected


def test_a_follower_misses_nothing_and_sees_nothing_twice_when_the_first_transaction_commits_last():
    seen, expected = _late_commit_scenario(follow_with_feed)
    assert len(expected) == 6
    assert len(seen) == len(set(seen))
    assert set(seen) == expected


def test_control_a_plain_order_by_id_feed_loses_the_late_commit():
    seen, expected = _late_commit_scenario(follow_by_id, poll=False)
    assert len(seen) == len(set(seen))
    missed = expected - set(seen)
    assert len(missed) == 2  # writer 1's events got ids before writer 2's but committed after


def test_an_empty_page_returns_the_same_cursor():
    operator = make_partner()
    receive(admin_of(operator), make_outlet(operator))
    actor = admin_of(operator)

    def first_page():
        with run_as(actor):
            return feed_page(actor, None, 10)

    first = eventually(first_page, lambda page: len(page.events) == 1)
    with run_as(actor):
        again = feed_page(actor, first.next_cursor, 10)
    assert len(first.events) == 1
    assert again.events == []
    assert again.next_cursor == first.next_cursor


def test_a_code_claim_approval_delivers_old_events_after_the_cursor():
    operator = make_partner()
    outlet = make_outlet(operator)
    operator_actor = admin_of(operator)
    codes = [receive(operator_actor, outlet, battery_code("07X")).code for _ in range(3)]
    call(operator_actor, services.battery_inspect, code=codes[0], insulation_ok=True, casing_ok=True)
    maker = make_partner(kinds=["battery_maker"])
    maker_actor = admin_of(maker)
    claim_code(make_partner(kinds=["battery_maker"]), "manufacturer", "001")  # unrelated noise
    state: dict = {}
    assert follow_with_feed(maker_actor, state) == []
    claim = call(maker_actor, partner_services.code_claim_submit, partner=maker, kind="manufacturer", code="07X")
    call(DATACENTER, partner_services.code_claim_approve, claim=claim)  # backfill runs after commit
    delivered = catch_up(follow_with_feed, maker_actor, state, 4, [])
    with run_as(SYSTEM):
        history = set(CustodyEvent.objects.filter(battery_code__in=codes).values_list("pk", flat=True))
    assert len(history) == 4
    assert set(delivered) == history
    with run_as(maker_actor):
        from batteries.selectors import visible_batteries

        assert set(visible_batteries(maker_actor).values_list("code", flat=True)) == set(codes)
    # Future events reach the producer directly.
    call(operator_actor, services.battery_report_hazard, code=codes[1], hazard="leaking")
    assert len(catch_up(follow_with_feed, maker_actor, state, 1, [])) == 1
