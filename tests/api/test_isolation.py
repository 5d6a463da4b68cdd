"""The isolation matrix (DESIGN §4, §8): every route and method, for every kind of caller,
against an object of partner A, an object of partner B and a missing id.

The expected statuses are written once, below, from the rules of DESIGN §4 (who sees a
battery, an outlet draft, a consignment, an event, an obligation; who may act on it),
not from what the code answers today. A route without an entry fails the test.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from batteries import services as battery_services
from batteries.models import CustodyEvent, Obligation
from outlets import services as outlet_services
from outlets.models import OutletChangeRequest, OutletStatus
from partners.models import UserRole
from recycling_network.tenancy import SYSTEM, run_as
from reports.services import report_compute, report_request
from tests.api.conftest import PASSWORD, bearer, key_for
from tests.builders import (
    DATACENTER,
    admin_of,
    battery_code,
    call,
    claim_code,
    credit_code,
    make_outlet,
    make_partner,
    make_user,
    receive,
    recode,
)

ACTORS = [
    "anonymous",
    "staff_a",
    "admin_a",
    "user_b",
    "producer",
    "datacenter",
    "read_key",
    "revoked_key",
    "expired_key",
]
UNAUTHENTICATED = {"anonymous": 401, "revoked_key": 401, "expired_key": 401}


def row(**statuses: Any) -> dict[str, Any]:
    """Expected statuses for one route: unauthenticated callers get 401 unless said otherwise."""
    return {**UNAUTHENTICATED, **statuses}


# For routes with an object: (object of A, object of B, missing id).
SEES_A = (200, 404, 404)
SEES_B = (404, 200, 404)
SEES_BOTH = (200, 200, 404)
SEES_NONE = (404, 404, 404)
FORBIDDEN_ALL = (403, 403, 403)

MATRIX: dict[tuple[str, str], dict[str, Any]] = {
    # Everyone signed in may ask who they are, read the partner directory and divisions.
    ("GET", "me/"): row(staff_a=200, admin_a=200, user_b=200, producer=200, datacenter=200, read_key=200),
    ("GET", "partners/"): row(staff_a=200, admin_a=200, user_b=200, producer=200, datacenter=200, read_key=200),
    # Only the data center creates partners directly.
    ("POST", "partners/"): row(staff_a=403, admin_a=403, user_b=403, producer=403, datacenter=201, read_key=403),
    # Active partners are in everyone's directory.
    ("GET", "partners/{pk}/"): row(
        staff_a=SEES_BOTH,
        admin_a=SEES_BOTH,
        user_b=SEES_BOTH,
        producer=SEES_BOTH,
        datacenter=SEES_BOTH,
        read_key=SEES_BOTH,
    ),
    ("GET", "divisions/"): row(staff_a=200, admin_a=200, user_b=200, producer=200, datacenter=200, read_key=200),
    ("GET", "outlets/"): row(staff_a=200, admin_a=200, user_b=200, producer=200, datacenter=200, read_key=200),
    # Objects: outlet drafts, private to their operator and the data center.
    ("GET", "outlets/{code_or_id}/"): row(
        staff_a=SEES_A, admin_a=SEES_A, user_b=SEES_B, producer=SEES_NONE, datacenter=SEES_BOTH, read_key=SEES_A
    ),
    # The public directory needs no credentials and ignores them.
    ("GET", "public/outlets/"): dict.fromkeys(ACTORS, 200),
    ("GET", "batteries/"): row(staff_a=200, admin_a=200, user_b=200, producer=200, datacenter=200, read_key=200),
    # Objects: a battery held by A (its producer: the automaker) and one held by B.
    ("GET", "batteries/{code}/"): row(
        staff_a=SEES_A, admin_a=SEES_A, user_b=SEES_B, producer=SEES_A, datacenter=SEES_BOTH, read_key=SEES_A
    ),
    # The custodian acts; a producer sees the battery but may not act (403); the data center
    # holds no batteries (403 before any lookup, so foreign and missing look alike).
    ("POST", "batteries/{code}/inspect/"): row(
        staff_a=SEES_A,
        admin_a=SEES_A,
        user_b=SEES_B,
        producer=(403, 404, 404),
        datacenter=FORBIDDEN_ALL,
        read_key=FORBIDDEN_ALL,
    ),
    ("POST", "batteries/{code}/hazard/"): row(
        staff_a=SEES_A,
        admin_a=SEES_A,
        user_b=SEES_B,
        producer=(403, 404, 404),
        datacenter=FORBIDDEN_ALL,
        read_key=FORBIDDEN_ALL,
    ),
    ("POST", "batteries/{code}/void/"): row(
        staff_a=SEES_A,
        admin_a=SEES_A,
        user_b=SEES_B,
        producer=(403, 404, 404),
        datacenter=FORBIDDEN_ALL,
        read_key=FORBIDDEN_ALL,
    ),
    # Only cascade users re-code and only recyclers recycle: nobody here is either.
    ("POST", "batteries/{code}/cascade/"): row(
        staff_a=FORBIDDEN_ALL,
        admin_a=FORBIDDEN_ALL,
        user_b=FORBIDDEN_ALL,
        producer=FORBIDDEN_ALL,
        datacenter=FORBIDDEN_ALL,
        read_key=FORBIDDEN_ALL,
    ),
    ("POST", "batteries/{code}/recycle/"): row(
        staff_a=FORBIDDEN_ALL,
        admin_a=FORBIDDEN_ALL,
        user_b=FORBIDDEN_ALL,
        producer=FORBIDDEN_ALL,
        datacenter=FORBIDDEN_ALL,
        read_key=FORBIDDEN_ALL,
    ),
    # Intake at A's outlet: A's people may; others may not use that outlet.
    ("POST", "intakes/"): row(staff_a=201, admin_a=201, user_b=403, producer=403, datacenter=403, read_key=403),
    ("GET", "consignments/"): row(staff_a=200, admin_a=200, user_b=200, producer=200, datacenter=200, read_key=200),
    ("POST", "consignments/"): row(staff_a=201, admin_a=201, user_b=403, producer=403, datacenter=403, read_key=403),
    # Objects: A's consignment to a recycler, B's consignment to the same recycler.
    ("GET", "consignments/{pk}/"): row(
        staff_a=SEES_A, admin_a=SEES_A, user_b=SEES_B, producer=SEES_NONE, datacenter=SEES_BOTH, read_key=SEES_A
    ),
    # Only the consignee (the recycler, not among the callers) receives; the sender is refused.
    ("POST", "consignments/{pk}/receive/"): row(
        staff_a=(403, 404, 404),
        admin_a=(403, 404, 404),
        user_b=(404, 403, 404),
        producer=SEES_NONE,
        datacenter=FORBIDDEN_ALL,
        read_key=FORBIDDEN_ALL,
    ),
    ("POST", "consignments/{pk}/cancel/"): row(
        staff_a=SEES_A,
        admin_a=SEES_A,
        user_b=SEES_B,
        producer=SEES_NONE,
        datacenter=FORBIDDEN_ALL,
        read_key=FORBIDDEN_ALL,
    ),
    ("GET", "events/"): row(staff_a=200, admin_a=200, user_b=200, producer=200, datacenter=200, read_key=200),
    # Objects: the intake events. Their author corrects them; the producer sees but may not.
    ("POST", "events/{pk}/correct/"): row(
        staff_a=(201, 404, 404),
        admin_a=(201, 404, 404),
        user_b=(404, 201, 404),
        producer=(403, 404, 404),
        datacenter=FORBIDDEN_ALL,
        read_key=FORBIDDEN_ALL,
    ),
    ("GET", "obligations/"): row(staff_a=200, admin_a=200, user_b=200, producer=200, datacenter=200, read_key=200),
    # Objects: the obligations of the intakes, owed by the automakers of the VINs. Only the
    # obligated partner acknowledges; the creator sees it but may not.
    ("POST", "obligations/acknowledge/"): row(
        staff_a=SEES_NONE,
        admin_a=SEES_NONE,
        user_b=SEES_NONE,
        producer=(200, 404, 404),
        datacenter=FORBIDDEN_ALL,
        read_key=FORBIDDEN_ALL,
    ),
    # --- outlet applications, the lifecycle, change requests, sharing (DESIGN §4, §6) ---
    # A partner's admins apply for their own partner (an automaker too); its staff, the data
    # center (no partner to operate the outlet) and a read-only key may not.
    ("POST", "outlets/"): row(staff_a=403, admin_a=201, user_b=201, producer=201, datacenter=403, read_key=403),
    # Objects: the drafts. Their operator's admins edit them, and the data center on its
    # behalf; staff may not; another partner's draft does not exist for the caller.
    ("PATCH", "outlets/{code_or_id}/"): row(
        staff_a=(403, 404, 404),
        admin_a=SEES_A,
        user_b=SEES_B,
        producer=SEES_NONE,
        datacenter=SEES_BOTH,
        read_key=FORBIDDEN_ALL,
    ),
    # The operator's admins submit their drafts; the data center finds them but may not.
    ("POST", "outlets/{pk}/submit/"): row(
        staff_a=(403, 404, 404),
        admin_a=SEES_A,
        user_b=SEES_B,
        producer=SEES_NONE,
        datacenter=(403, 403, 404),
        read_key=FORBIDDEN_ALL,
    ),
    # Decisions are the data center's alone (the operator's admins: 403); on a draft every
    # one of them is the wrong transition (409).
    **{
        ("POST", f"outlets/{{pk}}/{decision}/"): row(
            staff_a=(403, 404, 404),
            admin_a=(403, 404, 404),
            user_b=(404, 403, 404),
            producer=SEES_NONE,
            datacenter=(409, 409, 404),
            read_key=FORBIDDEN_ALL,
        )
        for decision in ("approve", "reject", "request-changes", "suspend", "reopen")
    },
    # The operator's admins and the data center close an outlet in service; not a draft (409).
    ("POST", "outlets/{pk}/close/"): row(
        staff_a=(403, 404, 404),
        admin_a=(409, 404, 404),
        user_b=(404, 409, 404),
        producer=SEES_NONE,
        datacenter=(409, 409, 404),
        read_key=FORBIDDEN_ALL,
    ),
    # Objects: the approved outlets of A and B. Change requests are private like stock.
    ("GET", "outlets/{pk}/change-requests/"): row(
        staff_a=SEES_A, admin_a=SEES_A, user_b=SEES_B, producer=SEES_NONE, datacenter=SEES_BOTH, read_key=SEES_A
    ),
    # Each outlet already has a pending change request: one at a time (409) for those who may ask.
    ("POST", "outlets/{pk}/change-requests/"): row(
        staff_a=(403, 404, 404),
        admin_a=(409, 404, 404),
        user_b=(404, 409, 404),
        producer=SEES_NONE,
        datacenter=(409, 409, 404),
        read_key=FORBIDDEN_ALL,
    ),
    # Objects: the pending change requests. Only the data center decides (403 before any lookup).
    **{
        ("POST", f"outlet-change-requests/{{pk}}/{decision}/"): row(
            staff_a=FORBIDDEN_ALL,
            admin_a=FORBIDDEN_ALL,
            user_b=FORBIDDEN_ALL,
            producer=FORBIDDEN_ALL,
            datacenter=SEES_BOTH,
            read_key=FORBIDDEN_ALL,
        )
        for decision in ("approve", "reject")
    },
    # Objects: the approved outlets, each shared with another automaker. Grants are the
    # operator's and the grantee's: nobody else reaches the list.
    ("GET", "outlets/{pk}/grants/"): row(
        staff_a=SEES_A, admin_a=SEES_A, user_b=SEES_B, producer=SEES_NONE, datacenter=SEES_BOTH, read_key=SEES_A
    ),
    # The operator's admins share (and the data center on their behalf); staff may not.
    ("POST", "outlets/{pk}/grants/"): row(
        staff_a=(403, 404, 404),
        admin_a=(201, 404, 404),
        user_b=(404, 201, 404),
        producer=SEES_NONE,
        datacenter=(201, 201, 404),
        read_key=FORBIDDEN_ALL,
    ),
    # Objects: those grants. Revoked by the operator's admins or the data center.
    ("POST", "grants/{pk}/revoke/"): row(
        staff_a=(403, 404, 404),
        admin_a=SEES_A,
        user_b=SEES_B,
        producer=SEES_NONE,
        datacenter=SEES_BOTH,
        read_key=FORBIDDEN_ALL,
    ),
    # --- reports (DESIGN §4 "Report: the partner that requested it; national reports: the
    # data center"; §8, §10) ---
    # Partner admins and keys list their partner's reports, the data center every report.
    # Outlet staff work at their outlets, and a report covers the whole network: refused.
    ("GET", "reports/"): row(staff_a=403, admin_a=200, user_b=200, producer=200, datacenter=200, read_key=200),
    # Requests are accepted (202) for the partner's own network or, for the data center,
    # the national one; staff and read-only keys may not.
    ("POST", "reports/"): row(staff_a=403, admin_a=202, user_b=202, producer=202, datacenter=202, read_key=403),
    # Objects: the (finished) reports A's and B's admins requested on their networks.
    ("GET", "reports/{pk}/"): row(
        staff_a=FORBIDDEN_ALL, admin_a=SEES_A, user_b=SEES_B, producer=SEES_NONE, datacenter=SEES_BOTH, read_key=SEES_A
    ),
    ("GET", "reports/{pk}/download/"): row(
        staff_a=FORBIDDEN_ALL, admin_a=SEES_A, user_b=SEES_B, producer=SEES_NONE, datacenter=SEES_BOTH, read_key=SEES_A
    ),
}
NOT_IN_MATRIX = {"schema/", "docs/"}


def _api_routes() -> set[str]:
    """Every route under /api/v1/, as its pattern with placeholders."""
    resolver = get_resolver()
    routes: set[str] = set()

    def walk(patterns: list, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                routes.add(prefix + str(entry.pattern))

    walk(resolver.url_patterns, "")
    import re

    return {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.removeprefix("api/v1/")) for r in routes if r.startswith("api/v1/")}


def test_every_route_has_an_entry():
    routes = _api_routes() - NOT_IN_MATRIX
    covered = {path for _method, path in MATRIX}
    assert routes - covered == set(), "add these routes to the isolation matrix"
    assert covered - routes == set()


class Iso:
    """The world: partners A and B, the automaker producing A's battery, a recycler."""

    def __init__(self) -> None:
        self.a = make_partner(kinds=["outlet_operator"])
        self.b = make_partner(kinds=["outlet_operator"])
        self.automaker = make_partner(kinds=["automaker"])
        self.other_automaker = make_partner(kinds=["automaker"])
        self.recycler = make_partner(kinds=["recycler"])
        claim_code(self.automaker, "wmi", "LSV")
        claim_code(self.other_automaker, "wmi", "LFV")
        self.outlet_a, self.outlet_b = make_outlet(self.a), make_outlet(self.b, prefecture="310100")
        self.draft_a = make_outlet(self.a, status=OutletStatus.DRAFT)
        self.draft_b = make_outlet(self.b, status=OutletStatus.DRAFT)
        admin_a, admin_b = admin_of(self.a), admin_of(self.b)
        self.battery_a = receive(admin_a, self.outlet_a, battery_code("0A1"), vin="LSVAB2BC4NA000001").code
        self.battery_b = receive(admin_b, self.outlet_b, battery_code("0B9"), vin="LFV2A21K8N4000001").code
        shipped_a = receive(admin_a, self.outlet_a, battery_code("0A1")).code
        shipped_b = receive(admin_b, self.outlet_b, battery_code("0B9")).code
        self.consignment_a = call(
            admin_a,
            battery_services.consignment_dispatch,
            from_outlet=self.outlet_a,
            to_partner=self.recycler.pk,
            batteries=[shipped_a],
        ).pk
        self.consignment_b = call(
            admin_b,
            battery_services.consignment_dispatch,
            from_outlet=self.outlet_b,
            to_partner=self.recycler.pk,
            batteries=[shipped_b],
        ).pk
        with run_as(SYSTEM):
            self.event_a = CustodyEvent.objects.get(battery_code=self.battery_a, kind="received").pk
            self.event_b = CustodyEvent.objects.get(battery_code=self.battery_b, kind="received").pk
            self.obligation_a = Obligation.objects.get(event_id=self.event_a).pk
            self.obligation_b = Obligation.objects.get(event_id=self.event_b).pk
        # The approved outlets are shared with an automaker that is none of the callers, and
        # each has a pending change request.
        self.grant_a, self.grant_b = (
            call(admin, outlet_services.sharing_grant, outlet=outlet, grantee=self.other_automaker).pk
            for admin, outlet in ((admin_a, self.outlet_a), (admin_b, self.outlet_b))
        )
        for admin, outlet in ((admin_a, self.outlet_a), (admin_b, self.outlet_b)):
            call(admin, outlet_services.outlet_change_request_submit, outlet=outlet, address="新地址1号")
        with run_as(SYSTEM):
            changes = OutletChangeRequest.objects.filter(outlet__in=[self.outlet_a, self.outlet_b])
            by_outlet = dict(changes.values_list("outlet_id", "pk"))
        self.change_a, self.change_b = by_outlet[self.outlet_a.pk], by_outlet[self.outlet_b.pk]
        # Reports A and B requested on their networks; computed when a test needs them done.
        self.report_a = call(admin_a, report_request).pk
        self.report_b = call(admin_b, report_request).pk
        staff = make_user(self.a, UserRole.OUTLET_STAFF, password=PASSWORD)
        self.admin_a_user = make_user(self.a, UserRole.PARTNER_ADMIN, password=PASSWORD)
        call(DATACENTER, outlet_services.staff_assign_outlets, user=staff, outlets=[self.outlet_a])
        revoked = key_for(self.a)
        expired = key_for(self.a)
        from django.utils import timezone

        from partners.models import ApiKey

        with run_as(SYSTEM):
            ApiKey.objects.filter(prefix=revoked.split("_", 2)[1]).update(revoked_at=timezone.now())
            ApiKey.objects.filter(prefix=expired.split("_", 2)[1]).update(expires_at=timezone.now())
        self.clients = {
            "anonymous": APIClient(),
            "staff_a": _session(staff),
            "admin_a": _session(self.admin_a_user),
            "user_b": _session(make_user(self.b, UserRole.PARTNER_ADMIN, password=PASSWORD)),
            "producer": bearer(key_for(self.automaker)),
            "datacenter": _session(make_user(None, password=PASSWORD)),
            "read_key": bearer(key_for(self.a, scopes=("read",))),
            "revoked_key": bearer(revoked),
            "expired_key": bearer(expired),
        }

    def finish_reports(self) -> None:
        for report in (self.report_a, self.report_b):
            report_compute(report_id=report, worker="isolation-test")

    def body(self, method: str, path: str, target: Any = None) -> dict[str, Any] | None:
        if method == "PATCH":
            return {"name": "改名的网点"}
        if method != "POST":
            return None
        return {
            "partners/": {"name": "新企业", "credit_code": credit_code(90210), "kinds": ["recycler"]},
            "batteries/{code}/inspect/": {"insulation_ok": True, "casing_ok": True, "soh_percent": 75},
            "batteries/{code}/hazard/": {"hazard": "leaking"},
            "batteries/{code}/void/": {"reason": "扫错"},
            "batteries/{code}/cascade/": {"new_code": recode("C9U")},
            "batteries/{code}/recycle/": {"notes": "x"},
            "intakes/": {"outlet": self.outlet_a.code, "code": battery_code("0A1"), "weight_kg": 120},
            "consignments/": {
                "from_outlet": self.outlet_a.code,
                "to_partner": self.recycler.pk,
                "batteries": [self.battery_a],
            },
            "consignments/{pk}/receive/": {},
            "consignments/{pk}/cancel/": {"reason": "x"},
            "events/{pk}/correct/": {"changes": {"notes": "更正"}, "reason": "录入错误"},
            "obligations/acknowledge/": {"items": [{"id": target, "receipt_number": "NP2026000001"}]},
            "outlets/": {
                "name": "新网点",
                "kind": "collection",
                "prefecture": "110100",
                "address": "测试路2号",
                "longitude": 116.4,
                "latitude": 39.9,
                "storage_area_m2": 20,
                "capacity_kg": 2000,
            },
            "outlets/{pk}/submit/": {},
            "outlets/{pk}/approve/": {},
            "outlets/{pk}/reject/": {"reason": "不符合要求"},
            "outlets/{pk}/request-changes/": {"comments": "请补充材料"},
            "outlets/{pk}/suspend/": {"reason": "整改"},
            "outlets/{pk}/reopen/": {},
            "outlets/{pk}/close/": {"reason": "停业"},
            "outlets/{pk}/change-requests/": {"address": "另一个地址"},
            "outlet-change-requests/{pk}/approve/": {},
            "outlet-change-requests/{pk}/reject/": {"reason": "材料不足"},
            "outlets/{pk}/grants/": {"grantee": self.recycler.pk},
            "grants/{pk}/revoke/": {"reason": "合作结束"},
            "reports/": {},
        }[path]


def _session(user: Any) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    token = secrets.token_hex(16)  # a 32-character CSRF secret, sent as cookie and header
    client.cookies["csrftoken"] = token
    client.credentials(HTTP_X_CSRFTOKEN=token)
    return client


MISSING = {"pk": 987654321, "code": "0Z9PBA1TRACE01F319999999", "code_or_id": "987654321"}


def _url(path: str, value: Any) -> str:
    for name in ("pk", "code_or_id", "code"):
        path = path.replace("{" + name + "}", str(value))
    return "/api/v1/" + path


def _call(client: APIClient, method: str, url: str, body: Any) -> Any:
    """Run one request and undo whatever it wrote, so every cell starts from the same world."""
    savepoint = transaction.savepoint()
    try:
        if method == "GET":
            return client.get(url)
        if method == "PATCH":
            return client.patch(url, body, format="json")
        return client.post(url, body, format="json")
    finally:
        transaction.savepoint_rollback(savepoint)


def _target_kind(path: str) -> str | None:
    for kind in ("{pk}", "{code_or_id}", "{code}"):
        if kind in path:
            return kind
    return "items" if path == "obligations/acknowledge/" else None


def _targets(iso: Iso, path: str) -> tuple[Any, Any, Any]:
    if path.startswith("partners/"):
        return iso.a.pk, iso.b.pk, MISSING["pk"]
    if path.startswith(("outlets/{pk}/change-requests/", "outlets/{pk}/grants/")):
        return iso.outlet_a.pk, iso.outlet_b.pk, MISSING["pk"]
    if path.startswith("outlet-change-requests/"):
        return iso.change_a, iso.change_b, MISSING["pk"]
    if path.startswith("grants/"):
        return iso.grant_a, iso.grant_b, MISSING["pk"]
    if path.startswith("outlets/"):
        return iso.draft_a.pk, iso.draft_b.pk, MISSING["code_or_id"]
    if path.startswith("batteries/"):
        return iso.battery_a, iso.battery_b, MISSING["code"]
    if path.startswith("consignments/"):
        return iso.consignment_a, iso.consignment_b, MISSING["pk"]
    if path.startswith("events/"):
        return iso.event_a, iso.event_b, MISSING["pk"]
    if path.startswith("reports/"):
        iso.finish_reports()
        return iso.report_a, iso.report_b, MISSING["pk"]
    return iso.obligation_a, iso.obligation_b, MISSING["pk"]


def _without_instance(content: bytes) -> dict[str, Any]:
    body = json.loads(content)
    body.pop("instance", None)
    return body


@pytest.mark.parametrize(("method", "path"), list(MATRIX))
def test_isolation_matrix(db, method, path):
    iso = Iso()
    expected = MATRIX[(method, path)]
    assert set(expected) == set(ACTORS), "every caller needs an expected status"
    failures = []
    kind = _target_kind(path)
    for actor in ACTORS:
        client = iso.clients[actor]
        want = expected[actor]
        if kind is None:
            response = _call(client, method, _url(path, None), iso.body(method, path))
            if response.status_code != want:
                failures.append(f"{actor}: {response.status_code} (want {want}) {response.content[:200]!r}")
            continue
        wants = want if isinstance(want, tuple) else (want, want, want)
        answers = []
        for target, wanted in zip(_targets(iso, path), wants, strict=True):
            if kind == "items":
                url, body = _url(path, None), iso.body(method, path, target)
            else:
                url, body = _url(path, target), iso.body(method, path)
            response = _call(client, method, url, body)
            answers.append(response)
            if response.status_code != wanted:
                failures.append(
                    f"{actor} on {target}: {response.status_code} (want {wanted}) {response.content[:200]!r}"
                )
        # A foreign object and a missing one must not be told apart.
        not_found = [_without_instance(r.content) for r in answers if r.status_code == 404]
        if any(body != not_found[0] for body in not_found):
            failures.append(f"{actor}: the 404 bodies of a foreign and a missing object differ")
        for response in answers:
            if response.status_code >= 400:
                assert response["Content-Type"] == "application/problem+json", (actor, path)
    assert failures == []


LIST_FOREIGN_ROWS = {
    # route, how to read identifiers from a result, and per caller the identifiers it must never see
    "batteries/": ("code", {"staff_a": "b", "admin_a": "b", "read_key": "b", "user_b": "a", "producer": "b"}),
    "consignments/": ("id", {"staff_a": "b", "admin_a": "b", "read_key": "b", "user_b": "a", "producer": "ab"}),
    "obligations/": ("id", {"staff_a": "b", "admin_a": "b", "read_key": "b", "user_b": "a", "producer": "b"}),
    "outlets/": ("id", {"staff_a": "b", "admin_a": "b", "read_key": "b", "user_b": "a", "producer": "ab"}),
    "reports/": ("id", {"admin_a": "b", "read_key": "b", "user_b": "a"}),
}


def _foreign_ids(iso: Iso, route: str, which: str) -> set[Any]:
    ids = {
        "batteries/": {"a": {iso.battery_a}, "b": {iso.battery_b}},
        "consignments/": {"a": {iso.consignment_a}, "b": {iso.consignment_b}},
        "obligations/": {"a": {iso.obligation_a}, "b": {iso.obligation_b}},
        "outlets/": {"a": {iso.draft_a.pk}, "b": {iso.draft_b.pk}},
        "reports/": {"a": {iso.report_a}, "b": {iso.report_b}},
    }[route]
    return set().union(*(ids[w] for w in which))


@pytest.mark.parametrize("route", list(LIST_FOREIGN_ROWS))
def test_lists_and_filters_never_return_a_foreign_row(db, route):
    iso = Iso()
    field, rules = LIST_FOREIGN_ROWS[route]
    for actor, which in rules.items():
        forbidden = _foreign_ids(iso, route, which)
        response = iso.clients[actor].get(f"/api/v1/{route}?limit=500")
        assert response.status_code == 200, actor
        seen = {item[field] for item in response.json()["results"]}
        if (route, actor) != ("consignments/", "producer"):  # the producer is party to no consignment
            assert seen, f"{actor} should see some rows of its own"
        assert not seen & forbidden, (actor, seen & forbidden)
    # Filtering on a foreign value finds nothing either.
    assert iso.clients["user_b"].get(f"/api/v1/batteries/?code={iso.battery_a}").json()["results"] == []
    assert iso.clients["admin_a"].get(f"/api/v1/outlets/?operator={iso.b.pk}&status=draft").json()["results"] == []
    assert iso.clients["producer"].get(f"/api/v1/consignments/?to_partner={iso.recycler.pk}").json()["results"] == []


def test_former_holders_get_no_where_now_fields(db):
    iso = Iso()
    admin_a, admin_b = admin_of(iso.a), admin_of(iso.b)
    consignment = call(
        admin_a,
        battery_services.consignment_dispatch,
        from_outlet=iso.outlet_a,
        to_partner=iso.b.pk,
        to_outlet=iso.outlet_b.code,
        batteries=[iso.battery_a],
    )
    call(admin_b, battery_services.consignment_receive, consignment=consignment)
    former = iso.clients["admin_a"].get(f"/api/v1/batteries/{iso.battery_a}/").json()
    assert {k: former[k] for k in ("status", "hazard", "outlet", "custodian")} == {
        "status": None,
        "hazard": None,
        "outlet": None,
        "custodian": None,
    }
    assert [e["kind"] for e in former["events"]] == ["received", "dispatched", "handover_received"]
    listed = iso.clients["admin_a"].get(f"/api/v1/batteries/?code={iso.battery_a}").json()["results"][0]
    assert listed["custodian"] is None
    current = iso.clients["user_b"].get(f"/api/v1/batteries/{iso.battery_a}/").json()
    assert current["custodian"]["id"] == iso.b.pk
    assert current["outlet"] == iso.outlet_b.code
    producer = iso.clients["producer"].get(f"/api/v1/batteries/{iso.battery_a}/").json()
    assert producer["status"] == "at_outlet"


def test_a_session_write_without_csrf_is_refused(db):
    iso = Iso()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(iso.admin_a_user)
    response = client.post(
        "/api/v1/intakes/", {"outlet": iso.outlet_a.code, "code": battery_code(), "weight_kg": 1}, format="json"
    )
    assert response.status_code == 403
