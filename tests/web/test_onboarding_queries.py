"""The onboarding lists run a fixed number of queries however many rows there are
(STYLE habit 8): measured with more rows than a page, against a page that reads nothing."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from batteries.errors import BatteryInCustody
from partners import services
from partners.models import User, UserRole
from partners.views import datacenter
from tests.builders import DATACENTER, admin_of, battery_code, call, make_outlet, make_partner, make_user, receive
from tests.web.test_onboarding_services import apply

PAGE = 3  # rows per page in these tests; each list gets more than that

# The page's own reads on top of what every signed-in page costs.
OWN_QUERIES = {
    "/datacenter/partners/": 2,  # count, rows
    "/datacenter/claims/": 2,
    "/datacenter/reviews/": 2,
    "/datacenter/audit/": 2,  # partners for the filter, rows
    "/claims/": 2,  # the partner, its claims
    "/reviews/": 2,  # count, rows
    "/audit/": 1,
}


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def _grow(maker: User, claimant: User, n: int) -> None:
    """``n`` more applications, claims (approved and pending), review cases and audit entries."""
    holder = make_partner()
    holder_outlet = make_outlet(holder)
    claimant_outlet = make_outlet(claimant.partner, prefecture="310100")
    for _ in range(n):
        claim = call(
            admin_of(maker.partner),
            services.code_claim_submit,
            partner=maker.partner,
            kind="manufacturer",
            code=_code("Q"),
        )
        call(DATACENTER, services.code_claim_approve, claim=claim)
        apply(f"申请{next(_codes)}", claims=[("manufacturer", _code("Z"))])
        code = battery_code()
        receive(admin_of(holder), holder_outlet, code)
        with pytest.raises(BatteryInCustody):
            receive(admin_of(claimant.partner), claimant_outlet, code)


_codes = itertools.count(1)


def _code(prefix: str) -> str:
    """A fresh 3-character code: the prefix and two base-36 characters."""
    n = next(_codes)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return prefix + alphabet[n // 36 % 36] + alphabet[n % 36]


@pytest.mark.parametrize("path", list(OWN_QUERIES))
def test_onboarding_lists_run_a_fixed_number_of_queries(db, monkeypatch, path):
    monkeypatch.setattr(datacenter, "PAGE_SIZE", PAGE)
    maker = make_user(make_partner(kinds=["battery_maker"]), UserRole.PARTNER_ADMIN)
    claimant = make_user(make_partner(), UserRole.PARTNER_ADMIN)
    user = {"/claims/": maker, "/reviews/": claimant, "/audit/": maker}.get(path) or make_user(None)
    client = Client()
    client.force_login(user)
    baseline = _queries(client, "/accounts/password/change/")
    _grow(maker, claimant, 1)
    small = _queries(client, path)
    _grow(maker, claimant, PAGE + 2)
    large = _queries(client, path)
    assert large == small
    assert large - baseline <= OWN_QUERIES[path], large - baseline
