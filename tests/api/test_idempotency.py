"""``Idempotency-Key`` over HTTP against a running server (DESIGN §8 "Idempotency").

Concurrency is forced, not hoped for (DESIGN §12): the test holds a lock on the outlet row
so that the first intake, once it has inserted its idempotency record, cannot finish; the
test then waits until the other requests are provably blocked in the database (on the
record's unique index, or on the code's advisory lock) before letting the first commit."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from django.db import connection

from batteries import services
from batteries.models import Battery, ReviewCase
from outlets.models import Outlet
from partners.models import IdempotencyRecord, Partner
from recycling_network.tenancy import SYSTEM, run_as
from tests.api.conftest import key_for
from tests.builders import admin_of, battery_code, call, make_outlet, make_partner, receive
from tests.concurrency import Held

pytestmark = [pytest.mark.django_db(transaction=True)]

CONCURRENCY = 50
INTAKES = "/api/v1/intakes/"
HOLD_AT_MOST = 6.0  # seconds; waiters give up after the 10 s lock timeout of the idempotency insert


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str
    replayed: bool
    started: float
    ended: float


@dataclass
class Setup:
    url: str
    key: str
    outlet: Outlet
    operator: Partner

    @property
    def partner_id(self) -> int:
        return self.operator.pk


@pytest.fixture
def setup(live_server) -> Setup:
    operator = make_partner(kinds=["outlet_operator"])
    outlet = make_outlet(operator, capacity_kg=1000)
    return Setup(url=live_server.url, key=key_for(operator), outlet=outlet, operator=operator)


def post(setup: Setup, body: dict[str, Any], key: str | None, path: str = INTAKES) -> Answer:
    headers = {"Authorization": f"Bearer {setup.key}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    started = time.monotonic()
    with requests.Session() as session:
        response = session.post(setup.url + path, json=body, headers=headers, timeout=60)
    return Answer(
        response.status_code,
        response.content,
        response.headers.get("Content-Type", ""),
        response.headers.get("Idempotent-Replayed") == "true",
        started,
        time.monotonic(),
    )


def lock_outlet(*, actor: Any, outlet_id: int) -> None:
    Outlet.objects.select_for_update().get(pk=outlet_id)


def lock_waiters() -> int:
    """Sessions of this test database that wait on a lock right now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def burst(setup: Setup, make: Any) -> tuple[list[Answer], int]:
    """Send CONCURRENCY requests released together while the outlet is locked; return the
    answers and the largest number of requests seen waiting on a lock at once."""
    holder = Held(SYSTEM, lock_outlet, outlet_id=setup.outlet.pk)
    holder.start()
    assert holder.ready.wait(30)
    barrier = threading.Barrier(CONCURRENCY)

    def one(index: int) -> Answer:
        barrier.wait()
        return post(setup, *make(index))

    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        futures = [pool.submit(one, i) for i in range(CONCURRENCY)]
        most, deadline = 0, time.monotonic() + HOLD_AT_MOST
        while most < CONCURRENCY and time.monotonic() < deadline:
            most = max(most, lock_waiters())
            time.sleep(0.02)
        holder.commit()
        answers = [future.result(timeout=120) for future in futures]
    return answers, most


def batteries(code: str) -> int:
    with run_as(SYSTEM):
        return Battery.objects.filter(code=code).count()


def records(key: str) -> list[IdempotencyRecord]:
    with run_as(SYSTEM):
        return list(IdempotencyRecord.objects.filter(key=key))


def overlapping(answers: list[Answer]) -> int:
    """The largest number of requests in flight at one moment, from the client's clocks."""
    edges = sorted([(a.started, 1) for a in answers] + [(a.ended, -1) for a in answers])
    most = current = 0
    for _moment, step in edges:
        current += step
        most = max(most, current)
    return most


def test_fifty_concurrent_duplicates_create_one_battery_and_get_identical_answers(setup):
    code = battery_code()
    body = {"outlet": setup.outlet.code, "code": code, "weight_kg": 120}
    answers, waiting = burst(setup, lambda _i: (body, "intake-42"))

    assert all(a.status < 500 for a in answers), [a.status for a in answers]
    assert [a.status for a in answers] == [201] * CONCURRENCY
    assert len({a.body for a in answers}) == 1, "every duplicate gets the first answer, byte for byte"
    assert [a.replayed for a in answers].count(False) == 1, "one request ran, the others were replayed"
    assert batteries(code) == 1
    assert len(records("intake-42")) == 1
    # The duplicates really were in flight together: blocked on the record's unique index
    # (and the first on the outlet lock) at one moment, not served one after another.
    assert waiting >= 10, f"only {waiting} requests waited at once"
    assert overlapping(answers) >= 10


def test_the_same_key_with_another_body_or_path_is_422_and_changes_nothing(setup):
    code = battery_code()
    body = {"outlet": setup.outlet.code, "code": code, "weight_kg": 120}
    first = post(setup, body, "intake-7")
    assert first.status == 201

    other_body = post(setup, {**body, "weight_kg": 121}, "intake-7")
    other_path = post(setup, {"reason": "x"}, "intake-7", path=f"/api/v1/batteries/{code}/void/")
    for answer in (other_body, other_path):
        assert answer.status == 422
        assert answer.content_type == "application/problem+json"
        assert b'"code":"idempotency_key_reused"' in answer.body
    with run_as(SYSTEM):
        assert Battery.objects.get(code=code).weight_kg == 120  # neither the new weight nor a void

    # Formatting does not make another body: the canonical JSON (RFC 8785) is compared.
    again = post(setup, {"weight_kg": 120.0, "code": code, "outlet": setup.outlet.code}, "intake-7")
    assert (again.status, again.body, again.replayed) == (201, first.body, True)


def test_fifty_different_keys_for_one_new_code_give_one_201_and_49_already_received(setup):
    code = battery_code()
    body = {"outlet": setup.outlet.code, "code": code, "weight_kg": 120}
    answers, waiting = burst(setup, lambda i: (body, f"key-{i}"))

    assert all(a.status < 500 for a in answers), [a.status for a in answers]
    assert sorted(a.status for a in answers) == [201] + [409] * (CONCURRENCY - 1)
    conflicts = [a for a in answers if a.status == 409]
    assert all(a.content_type == "application/problem+json" for a in conflicts)
    assert all(b'"code":"battery_already_received"' in a.body for a in conflicts)
    assert batteries(code) == 1
    # The refusals rolled back, and their idempotency records with them.
    with run_as(SYSTEM):
        assert IdempotencyRecord.objects.filter(key__startswith="key-").count() == 1
    assert waiting >= 10, f"only {waiting} requests waited at once (on the code's advisory lock)"


def test_a_rolled_back_refusal_is_not_stored_and_runs_again_on_retry(setup):
    heavy = receive(admin_of(setup.operator), setup.outlet, weight_kg="900")
    code = battery_code()
    body = {"outlet": setup.outlet.code, "code": code, "weight_kg": 200}

    refused = post(setup, body, "retry-me")
    assert refused.status == 409
    assert b'"code":"outlet_over_capacity"' in refused.body
    assert records("retry-me") == []  # rolled back with the refusal

    call(admin_of(setup.operator), services.battery_void, code=heavy.code, reason="recorded in error")
    accepted = post(setup, body, "retry-me")
    assert (accepted.status, accepted.replayed) == (201, False)
    assert batteries(code) == 1
    replayed = post(setup, body, "retry-me")
    assert (replayed.status, replayed.body, replayed.replayed) == (201, accepted.body, True)


def test_a_conflict_that_opened_a_review_case_is_stored_and_replayed(setup):
    holder = make_partner(kinds=["outlet_operator"])
    held = receive(admin_of(holder), make_outlet(holder), weight_kg="100").code
    body = {"outlet": setup.outlet.code, "code": held, "weight_kg": 100}

    first = post(setup, body, "claim-1")
    assert first.status == 409
    assert b'"code":"battery_in_custody"' in first.body
    (record,) = records("claim-1")
    assert record.status == 409  # committed with the review case it opened

    again = post(setup, body, "claim-1")
    assert (again.status, again.body, again.replayed) == (409, first.body, True)
    with run_as(SYSTEM):
        assert ReviewCase.objects.filter(battery_code=held, claimant_id=setup.partner_id).count() == 1
        assert Battery.objects.get(code=held).custodian_id == holder.pk
