"""Lists run a fixed number of queries, whatever the page size (DESIGN §8 "Lists", §13).

Each list gets more rows than the larger page (150), then ``?limit=10`` and
``?limit=100`` must run the same queries. The queries are sorted into what the data
needs and what every request pays (savepoints of the test transaction, the tenancy
context, the key lookup); the data part must stay within ``DATA_BUDGET`` and the whole
within ``TOTAL_BUDGET``; ``pytest -s`` prints the breakdown of each list."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from batteries import services
from batteries.models import CustodyEvent
from recycling_network.tenancy import SYSTEM, run_as
from tests.api.conftest import VIN, bearer, key_for
from tests.api.live import anonymous_address, eventually
from tests.builders import admin_of, call, claim_code, make_outlet, make_partner, receive

ROWS = 150
SMALL, LARGE = 10, 100
DATA_BUDGET = 3  # the data itself must need at most 3
# DESIGN §13: at most 5 queries per list page, everything the request pays included (the
# key lookup and the tenancy context); the savepoints of the test's own transaction are
# BEGIN/COMMIT in production and are not counted.
TOTAL_BUDGET = 5

CLASSES = [
    # The test's own transaction makes the request's atomic block a savepoint; in
    # production it is BEGIN ... COMMIT, which a transactional test shows.
    ("transaction", re.compile(r"^(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|BEGIN|COMMIT|ROLLBACK)\b")),
    ("context", re.compile(r"set_config\('app\.|current_setting\('app\.")),
    ("auth", re.compile(r'^(SELECT .* FROM|UPDATE) "partners_apikey"')),
]


def classify(sql: str) -> str:
    for name, pattern in CLASSES:
        if pattern.search(sql):
            return name
    return "data"


@dataclass
class Measured:
    path: str
    total: int
    by_class: Counter
    queries: list[str]
    results: int

    def describe(self) -> str:
        lines = [f"{self.path}: {self.total} queries {dict(self.by_class)}"]
        lines += [f"    [{classify(q)}] {q[:160]}" for q in self.queries]
        return "\n".join(lines)


def measure(client: APIClient, path: str, limit: int) -> Measured:
    separator = "&" if "?" in path else "?"
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{path}{separator}limit={limit}")
    assert response.status_code == 200, response.content[:300]
    sqls = [q["sql"] for q in captured.captured_queries]
    return Measured(path, len(sqls), Counter(classify(q) for q in sqls), sqls, len(response.json()["results"]))


def assert_flat(client: APIClient, path: str, label: str | None = None) -> tuple[Measured, Measured]:
    """The same queries for a page of 10 and a page of 100, within the budgets."""
    measure(client, path, SMALL)  # warm-up: a key's first use of the minute writes last_used_at
    small, large = measure(client, path, SMALL), measure(client, path, LARGE)
    assert (small.results, large.results) == (SMALL, LARGE), "fewer rows than the page: the test proves nothing"
    assert small.total == large.total, f"queries grow with the page size:\n{small.describe()}\n{large.describe()}"
    assert large.by_class["data"] <= DATA_BUDGET, large.describe()
    assert large.total - large.by_class["transaction"] <= TOTAL_BUDGET, large.describe()
    print(f"\n{label or path}: {large.total} queries at limit={LARGE}: {dict(large.by_class)}")
    return small, large


# Building 150 rows takes a while: transactional tests commit each service call instead of
# holding one transaction open meanwhile, which would hold back every feed in the database
# cluster (pg_snapshot_xmin is cluster-wide), other test workers' included.
@pytest.mark.django_db(transaction=True)
def test_partners():
    for _ in range(ROWS):
        make_partner()
    partner = make_partner(kinds=["battery_maker"])
    claim_code(partner, "manufacturer", "0Q1")
    assert_flat(bearer(key_for(None)), "/api/v1/partners/", "partners (data center: full records)")
    assert_flat(bearer(key_for(partner)), "/api/v1/partners/", "partners (partner: directory)")


def test_divisions(db):
    assert_flat(bearer(key_for(make_partner())), "/api/v1/divisions/")  # reference data: about 370 rows


@pytest.mark.django_db(transaction=True)
def test_outlets():
    operator = make_partner()
    for _ in range(ROWS):
        make_outlet(operator)
    assert_flat(bearer(key_for(operator)), "/api/v1/outlets/", "outlets (operator: stock and contacts)")
    assert_flat(bearer(key_for(make_partner())), "/api/v1/outlets/", "outlets (another partner)")
    assert_flat(APIClient(REMOTE_ADDR=anonymous_address()), "/api/v1/public/outlets/", "public outlets (anonymous)")


@pytest.mark.django_db(transaction=True)
def test_custody_lists_and_the_feed():
    """Batteries, consignments, obligations and the feed share one (slow to build) history:
    ROWS + 10 intakes with VINs of an automaker (each owes it an obligation) and ROWS
    consignments. The feed returns only entries of committed transactions, hence a
    transactional test; its page ``{"results", "next_cursor", "has_more"}`` is sized by
    ``limit`` too."""
    operator = make_partner(kinds=["outlet_operator"])
    receiver = make_partner(kinds=["recycler"])
    automaker = make_partner(kinds=["automaker"])
    claim_code(automaker, "wmi", VIN[:3])
    outlet = make_outlet(operator, capacity_kg=5000)
    actor = admin_of(operator)
    codes = [receive(actor, outlet, weight_kg="10", vin=VIN).code for _ in range(ROWS + 10)]
    for code in codes[:ROWS]:
        call(actor, services.consignment_dispatch, from_outlet=outlet.code, to_partner=receiver.pk, batteries=[code])
    with run_as(SYSTEM):
        assert CustodyEvent.objects.filter(audience__contains=[operator.pk]).count() == 2 * ROWS + 10

    operator_key, automaker_key = bearer(key_for(operator)), bearer(key_for(automaker))
    checks = [
        (operator_key, "/api/v1/batteries/", "batteries (holder and sender)"),
        (bearer(key_for(None)), "/api/v1/batteries/", "batteries (data center)"),
        (operator_key, "/api/v1/consignments/", "consignments"),
        (automaker_key, "/api/v1/obligations/", "obligations (automaker)"),
        (operator_key, "/api/v1/obligations/", "obligations (partner of the event)"),
        (operator_key, "/api/v1/events/", "events feed"),
    ]
    # Other test workers' open transactions can hold the newest feed entries back a moment.
    eventually(lambda: measure(operator_key, "/api/v1/events/", LARGE).results, lambda n: n == LARGE)
    failures = []
    for client, path, label in checks:
        try:
            assert_flat(client, path, label)
        except AssertionError as error:
            failures.append(f"{label}: {error}")
    assert not failures, "\n\n".join(failures)
