"""Throttling (DESIGN §8, docs/api.md §5): per key, per anonymous address, answered with
429 problem details and Retry-After; a forged X-Forwarded-For does not reset the count.

The rates are read once, when DRF's throttle classes are imported; the tests set small ones
on the classes for their duration."""

from __future__ import annotations

import pytest

from recycling_network.rest.throttling import ActorThrottle, AnonymousThrottle
from tests.api.conftest import bearer, key_for
from tests.api.live import anonymous_address
from tests.builders import make_partner

pytestmark = pytest.mark.django_db

RATES = {"actor": "3/min", "anon": "2/min", "existence": "30/min"}


@pytest.fixture(autouse=True)
def small_rates(monkeypatch):
    for throttle in (ActorThrottle, AnonymousThrottle):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", RATES)


def _throttled(response) -> None:
    assert response.status_code == 429, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


def test_a_key_is_throttled_alone():
    partner = make_partner()
    first, second = bearer(key_for(partner)), bearer(key_for(partner))
    for _ in range(3):
        assert first.get("/api/v1/me/").status_code == 200
    _throttled(first.get("/api/v1/me/"))
    assert second.get("/api/v1/me/").status_code == 200  # another key of the same partner


def test_anonymous_callers_are_counted_per_address_whatever_x_forwarded_for_says():
    client = bearer(None)
    address, other = anonymous_address(), anonymous_address()
    for n in range(2):
        response = client.get("/api/v1/public/outlets/", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert response.status_code == 200, response.content
    _throttled(client.get("/api/v1/public/outlets/", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR="203.0.113.99"))
    assert client.get("/api/v1/public/outlets/", REMOTE_ADDR=other).status_code == 200


def test_behind_a_proxy_the_address_it_forwards_counts(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client, proxy = bearer(None), anonymous_address()
    callers = [anonymous_address(), anonymous_address()]
    for caller in callers:
        for _ in range(2):
            response = client.get("/api/v1/public/outlets/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=caller)
            assert response.status_code == 200, response.content
    _throttled(client.get("/api/v1/public/outlets/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=callers[0]))
