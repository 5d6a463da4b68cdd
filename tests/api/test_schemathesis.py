"""Schemathesis against the live schema, for three callers (DESIGN §8, §12).

Why a live server and not ``from_wsgi``: every request then runs as in production, in its
own thread, database connection and transaction (``TenancyMiddleware``), and the feed sees
committed rows. In-process WSGI calls would share the test's connection and transaction:
writes would never commit, the feed would stay empty and no lock would ever be contended.

For each role and operation, the run sends
1. known-good cases (real codes and ids seeded below) in an order that makes each write
   possible, and
2. generated cases (Hypothesis; positive and negative data; path parameters half of the
   time replaced by real ones so that generated requests reach real rows),
and validates every response with ``CHECKS``. Afterwards every operation must have given
at least one 2xx for the role, except the exclusions listed with their reasons: broken
authentication would otherwise pass as "no errors".

``SCHEMATHESIS_MAX_EXAMPLES`` (default 5 positive and 2 negative cases per operation) sets
the size of the generated part; docs/api.md shows the longer run.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from batteries import services
from batteries.models import Consignment, CustodyEvent, Obligation
from outlets import services as outlet_services
from outlets.models import Outlet, OutletChangeRequest, OutletStatus, SharingGrant
from recycling_network.tenancy import SYSTEM, run_as
from reports.services import report_request
from tests.api.conftest import VIN, key_for
from tests.builders import (
    admin_of,
    battery_code,
    call,
    claim_code,
    credit_code,
    make_outlet,
    make_partner,
    receive,
    recode,
)

pytestmark = [pytest.mark.django_db(transaction=True)]

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"))
# Schema-valid data reaches the handlers; invalid data mostly stops at the serializer, which
# tests/api/test_malformed_input.py covers field by field, so fewer of those.
EXAMPLES = {GenerationMode.POSITIVE: MAX_EXAMPLES, GenerationMode.NEGATIVE: max(1, MAX_EXAMPLES // 2)}

CHECKS = [
    not_a_server_error,  # no 5xx, whatever the input
    response_schema_conformance,  # bodies match the documented schema, errors included
    ignored_auth,  # a 2xx with the key is a 401/403 without it or with a wrong one
    status_code_conformance,  # every status the API answers is documented
    content_type_conformance,  # application/json for data, application/problem+json for errors
    response_headers_conformance,  # documented response headers are present and well formed
]
# Not run, on purpose:
# - positive_data_acceptance: the schema cannot say which battery codes, outlets and
#   custody states exist, so most schema-valid writes are rightly refused (400/404/409).
# - negative_data_rejection: the API ignores unknown body fields (DRF's rule), which
#   Schemathesis counts as accepting invalid data; every other invalid input is a 4xx, as
#   tests/api/test_malformed_input.py checks field by field.
# - use_after_free, ensure_resource_availability: no route deletes anything.
# - missing_required_header, unsupported_method: no required headers; DRF's 405 answers
#   are covered by status_code_conformance for the methods each path declares.

ROLES = ["partner", "read_only", "datacenter"]
CUSTODY_WRITES = [
    "POST /api/v1/intakes/",
    "POST /api/v1/consignments/",
    "POST /api/v1/consignments/{id}/receive/",
    "POST /api/v1/consignments/{id}/cancel/",
    "POST /api/v1/batteries/{code}/inspect/",
    "POST /api/v1/batteries/{code}/hazard/",
    "POST /api/v1/batteries/{code}/cascade/",
    "POST /api/v1/batteries/{code}/recycle/",
    "POST /api/v1/batteries/{code}/void/",
    "POST /api/v1/events/{id}/correct/",
    "POST /api/v1/obligations/acknowledge/",
]
DATACENTER_DECISIONS = [
    "POST /api/v1/outlets/{id}/approve/",
    "POST /api/v1/outlets/{id}/reject/",
    "POST /api/v1/outlets/{id}/request-changes/",
    "POST /api/v1/outlets/{id}/suspend/",
    "POST /api/v1/outlets/{id}/reopen/",
    "POST /api/v1/outlet-change-requests/{id}/approve/",
    "POST /api/v1/outlet-change-requests/{id}/reject/",
]
# Operations that cannot answer 2xx for a role, by design; each with its reason. The read-
# only key is excluded from every write in the test itself (403 scope_required, DESIGN §8).
NO_2XX_BY_DESIGN: dict[tuple[str, str], str] = {
    **{
        ("datacenter", op): "the data center holds and moves no batteries: 403 partner_only (DESIGN §7)"
        for op in CUSTODY_WRITES
    },
    ("datacenter", "POST /api/v1/outlets/"): "a partner applies for its outlets: 403 partner_only (DESIGN §6)",
    ("datacenter", "POST /api/v1/outlets/{id}/submit/"): "only the operator submits its application (DESIGN §6)",
    ("partner", "POST /api/v1/partners/"): "only the data center creates partners: 403 (DESIGN §8 routes)",
    **{("partner", op): "decisions of data-center admins: 403 (DESIGN §6 lifecycle)" for op in DATACENTER_DECISIONS},
}


def excluded(role: str, label: str) -> str | None:
    if role == "read_only" and not label.startswith("GET "):
        return "a read-only key may not write: 403 scope_required (DESIGN §8 Auth)"
    return NO_2XX_BY_DESIGN.get((role, label))


@dataclass
class World:
    """A partner P that is operator, automaker, cascade user and recycler, so that every
    write is possible for its key; Q, which sends P a consignment; outlets of P in every
    state a lifecycle arrow starts from."""

    keys: dict[str, str]
    partner_id: int
    outlet: str  # P's main outlet (code), holding the batteries below
    battery: str  # held by P at its outlet: inspect, hazard
    voidable: str  # received by P and untouched since: void
    dispatchable: str  # at P's outlet: dispatch to Q
    incoming: int  # consignment Q -> P, in transit: receive (without an outlet: at P's facility)
    at_facility: list[str]  # the batteries of ``incoming``, at P's facility once received: recycle, cascade
    q_partner: int
    q_outlet: str
    recode: str  # a free 19-character code with P's manufacturer code: cascade
    submitted: list[int]  # P's outlets awaiting review: approve, reject, request changes
    spare: int  # an approved, empty outlet of P: edit, change requests, grants, suspend and reopen
    closable: int  # another one: close
    change_requests: list[int]  # pending, on other outlets of P: approve, reject
    grant: int  # P's outlet shared with Q: revoke
    report: int  # P's report on its network, done: read, download
    real: dict[str, list[Any]] = field(default_factory=dict)  # path parameter values that exist


def seed() -> World:
    p = make_partner(kinds=["outlet_operator", "automaker", "cascade_user", "recycler"], name="综合企业P")
    q = make_partner(kinds=["outlet_operator"], name="网点企业Q")
    claim_code(p, "wmi", VIN[:3])
    claim_code(p, "manufacturer", "0C1")
    outlet, q_outlet = make_outlet(p, capacity_kg=5000), make_outlet(q, capacity_kg=5000, prefecture="310100")
    p_admin, q_admin = admin_of(p), admin_of(q)
    battery = receive(p_admin, outlet, weight_kg="100", vin=VIN).code
    voidable = receive(p_admin, outlet, weight_kg="100").code
    dispatchable = receive(p_admin, outlet, weight_kg="100").code
    sent = [receive(q_admin, q_outlet, weight_kg="100").code for _ in range(4)]
    incoming = call(q_admin, services.consignment_dispatch, from_outlet=q_outlet.code, to_partner=p.pk, batteries=sent)
    submitted = [make_outlet(p, status=OutletStatus.SUBMITTED).pk for _ in range(3)]
    spare, closable = make_outlet(p).pk, make_outlet(p).pk
    change_requests = []
    for _ in range(2):
        changed = make_outlet(p)
        call(p_admin, outlet_services.outlet_change_request_submit, outlet=changed.pk, capacity_kg=Decimal("4000"))
        with run_as(SYSTEM):
            change_requests.append(OutletChangeRequest.objects.get(outlet=changed).pk)
    grant = call(p_admin, outlet_services.sharing_grant, outlet=make_outlet(p).pk, grantee=q, note="共享")
    report = call(p_admin, report_request, k=3)  # computed in-process (eager) when it commits
    keys = {
        "partner": key_for(p, ("read", "write")),
        "read_only": key_for(p, ("read",)),
        "datacenter": key_for(None),
    }
    return World(
        keys=keys,
        partner_id=p.pk,
        outlet=outlet.code,
        battery=battery,
        voidable=voidable,
        dispatchable=dispatchable,
        incoming=incoming.pk,
        at_facility=sent,
        q_partner=q.pk,
        q_outlet=q_outlet.code,
        recode=recode("0C1"),
        submitted=submitted,
        spare=spare,
        closable=closable,
        change_requests=change_requests,
        grant=grant.pk,
        report=report.pk,
    )


def refresh_real_values(world: World) -> None:
    """Ids and codes that exist now, for the path parameters of generated cases."""
    with run_as(SYSTEM):
        events = list(CustodyEvent.objects.filter(partner_id=world.partner_id).values_list("pk", flat=True)[:20])
        consignments = list(Consignment.objects.values_list("pk", flat=True))
        outlets = list(Outlet.objects.filter(operator_id=world.partner_id).values_list("pk", flat=True))
        grants = list(SharingGrant.objects.values_list("pk", flat=True))
        changes = list(OutletChangeRequest.objects.values_list("pk", flat=True))
    world.real = {
        "code": [world.battery, world.voidable, world.dispatchable, *world.at_facility],
        "code_or_id": [world.outlet, world.q_outlet, *outlets],
        "id:/api/v1/partners/": [world.partner_id, world.q_partner],
        "id:/api/v1/consignments/": consignments,
        "id:/api/v1/events/": events,
        "id:/api/v1/outlets/": outlets,
        "id:/api/v1/grants/": grants,
        "id:/api/v1/outlet-change-requests/": changes,
        "id:/api/v1/reports/": [world.report],
    }


@dataclass(frozen=True)
class Later:
    """A value known only once earlier known-good cases ran (an id the API returned)."""

    produce: Callable[[], Any]


def obligation_of(world: World) -> int:
    with run_as(SYSTEM):
        return Obligation.objects.filter(obligated_id=world.partner_id, status="pending").values_list("pk", flat=True)[
            0
        ]


def own_event(world: World) -> int:
    with run_as(SYSTEM):
        return CustodyEvent.objects.filter(partner_id=world.partner_id, kind="received").values_list("pk", flat=True)[0]


def reads(world: World) -> list[tuple[str, dict[str, Any]]]:
    spare = {"path_parameters": {"id": world.spare}}
    return [
        ("GET /api/v1/me/", {}),
        ("GET /api/v1/partners/", {}),
        ("GET /api/v1/partners/{id}/", {"path_parameters": {"id": world.partner_id}}),
        ("GET /api/v1/divisions/", {"query": {"level": "province"}}),
        ("GET /api/v1/outlets/", {}),
        ("GET /api/v1/outlets/{code_or_id}/", {"path_parameters": {"code_or_id": world.outlet}}),
        ("GET /api/v1/outlets/{id}/change-requests/", spare),
        ("GET /api/v1/outlets/{id}/grants/", spare),
        ("GET /api/v1/public/outlets/", {}),
        ("GET /api/v1/batteries/", {"query": {"status": "at_outlet"}}),
        ("GET /api/v1/batteries/{code}/", {"path_parameters": {"code": world.battery}}),
        ("GET /api/v1/consignments/", {}),
        ("GET /api/v1/consignments/{id}/", {"path_parameters": {"id": world.incoming}}),
        ("GET /api/v1/events/", {"query": {"limit": 50}}),
        ("GET /api/v1/obligations/", {}),
        ("GET /api/v1/reports/", {"query": {"status": "done"}}),
        ("GET /api/v1/reports/{id}/", {"path_parameters": {"id": world.report}}),
        ("GET /api/v1/reports/{id}/download/", {"path_parameters": {"id": world.report}, "query": {"format": "csv"}}),
    ]


def custody_writes(world: World, created: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A partner's custody writes, each possible after the ones before it."""
    battery, facility = {"path_parameters": {"code": world.battery}}, world.at_facility
    dispatch = {
        "from_outlet": world.outlet,
        "to_partner": world.q_partner,
        "to_outlet": world.q_outlet,
        "batteries": [world.dispatchable],
        "waybill": "SF123",
    }
    intake = {"outlet": world.outlet, "code": battery_code(), "weight_kg": 80, "vin": VIN, "source": "dealer"}
    return [
        ("POST /api/v1/intakes/", {"body": intake}),
        ("POST /api/v1/batteries/{code}/inspect/", {**battery, "body": {"insulation_ok": True, "casing_ok": True}}),
        ("POST /api/v1/batteries/{code}/hazard/", {**battery, "body": {"hazard": "swollen", "notes": "鼓包"}}),
        (
            "POST /api/v1/batteries/{code}/void/",
            {"path_parameters": {"code": world.voidable}, "body": {"reason": "录错"}},
        ),
        ("POST /api/v1/consignments/", {"body": dispatch}),
        (
            "POST /api/v1/consignments/{id}/cancel/",
            {
                "path_parameters": {"id": Later(lambda: created["POST /api/v1/consignments/"])},
                "body": {"reason": "改期"},
            },
        ),
        (
            "POST /api/v1/consignments/{id}/receive/",
            {
                "path_parameters": {"id": world.incoming},
                "body": {"rejected": [{"code": facility[3], "reason": "damaged"}]},
            },
        ),
        (
            "POST /api/v1/batteries/{code}/recycle/",
            {"path_parameters": {"code": facility[0]}, "body": {"notes": "拆解"}},
        ),
        (
            "POST /api/v1/batteries/{code}/cascade/",
            {"path_parameters": {"code": facility[1]}, "body": {"new_code": world.recode, "soh_percent": 78.5}},
        ),
        (
            "POST /api/v1/events/{id}/correct/",
            {
                "path_parameters": {"id": Later(lambda: own_event(world))},
                "body": {"changes": {"notes": "更正"}, "reason": "笔误"},
            },
        ),
        (
            "POST /api/v1/obligations/acknowledge/",
            {"body": {"items": [{"id": Later(lambda: obligation_of(world)), "receipt_number": "GJ-0001"}]}},
        ),
    ]


def outlet_writes(world: World, created: dict[str, Any], role: str) -> list[tuple[str, dict[str, Any]]]:
    """What an operator does with its outlets; the data center may do the same on its
    behalf, and decides applications and change requests (DESIGN §6)."""
    spare = {"path_parameters": {"id": world.spare}}
    application = {
        "name": "新网点",
        "kind": "collection",
        "prefecture": "110100",
        "address": "测试路2号",
        "longitude": 116.407394,
        "latitude": 39.904211,
        "storage_area_m2": 50,
        "capacity_kg": 5000,
        "contacts": [{"name": "张三", "phone": "13800000000"}],
    }
    new_outlet = Later(lambda: created["POST /api/v1/outlets/"])
    operator = [
        ("POST /api/v1/outlets/", {"body": application}),
        (
            "PATCH /api/v1/outlets/{code_or_id}/",
            {"path_parameters": {"code_or_id": new_outlet}, "body": {"name": "改名"}},
        ),
        ("POST /api/v1/outlets/{id}/submit/", {"path_parameters": {"id": new_outlet}}),  # no body
    ]
    if role == "datacenter":  # applies for and submits no outlet, but may edit one for its operator
        operator = [
            (
                "PATCH /api/v1/outlets/{code_or_id}/",
                {"path_parameters": {"code_or_id": world.spare}, "body": {"opening_hours": "8-18"}},
            ),
        ]
    shared = [
        ("POST /api/v1/outlets/{id}/change-requests/", {**spare, "body": {"capacity_kg": 4500, "note": "扩容"}}),
        ("POST /api/v1/outlets/{id}/grants/", {**spare, "body": {"grantee": world.q_partner, "note": "共享"}}),
        ("POST /api/v1/grants/{id}/revoke/", {"path_parameters": {"id": world.grant}, "body": {"reason": "到期"}}),
        ("POST /api/v1/outlets/{id}/close/", {"path_parameters": {"id": world.closable}, "body": {"reason": "停业"}}),
    ]
    if role != "datacenter":
        return operator + shared
    submitted, changes = world.submitted, world.change_requests
    decisions = [
        ("POST /api/v1/outlets/{id}/approve/", {"path_parameters": {"id": submitted[0]}}),  # no body
        (
            "POST /api/v1/outlets/{id}/reject/",
            {"path_parameters": {"id": submitted[1]}, "body": {"reason": "资料不全"}},
        ),
        (
            "POST /api/v1/outlets/{id}/request-changes/",
            {"path_parameters": {"id": submitted[2]}, "body": {"comments": "补充照片"}},
        ),
        ("POST /api/v1/outlets/{id}/suspend/", {**spare, "body": {"reason": "整改"}}),
        ("POST /api/v1/outlets/{id}/reopen/", {**spare, "body": {"reason": "整改完成"}}),
        ("POST /api/v1/outlet-change-requests/{id}/approve/", {"path_parameters": {"id": changes[0]}}),
        (
            "POST /api/v1/outlet-change-requests/{id}/reject/",
            {"path_parameters": {"id": changes[1]}, "body": {"reason": "不符合要求"}},
        ),
    ]
    return [*operator, *decisions, *shared]


def known_good(world: World, role: str, created: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(operation label, case arguments), in an order in which each write can succeed."""
    if role == "read_only":
        return reads(world)
    if role == "datacenter":
        partner = {
            "name": "新建企业",
            "credit_code": credit_code(),
            "kinds": ["recycler"],
            "contacts": [{"name": "李四"}],
        }
        return [
            *reads(world),
            ("POST /api/v1/partners/", {"body": partner}),
            *outlet_writes(world, created, role),
            ("POST /api/v1/reports/", {"body": {}}),  # the national report
        ]
    return [
        *reads(world),
        *custody_writes(world, created),
        *outlet_writes(world, created, role),
        ("POST /api/v1/reports/", {"body": {"k": 5, "radius_km": 150}}),
    ]


@dataclass
class Run:
    base_url: str
    key: str
    role: str
    statuses: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)
    created: dict[str, Any] = field(default_factory=dict)  # operation label -> id of the row its 201 made

    def call(self, case: Any) -> Any:
        label = f"{case.method} {case.operation.path}"
        try:
            response = case.call_and_validate(
                base_url=self.base_url, headers={"Authorization": f"Bearer {self.key}"}, checks=CHECKS
            )
        except (Failure, BaseExceptionGroup) as error:
            response = getattr(error, "response", None)
            self.failures.append(f"[{self.role}] {label}: {error}\n    {case.as_curl_command()}")
        if response is not None:
            self.statuses[label].append(response.status_code)
        return response


def resolve(arguments: Any) -> Any:
    """Replace each ``Later`` with its value, now that the cases before it ran."""
    if isinstance(arguments, Later):
        return arguments.produce()
    if isinstance(arguments, dict):
        return {key: resolve(value) for key, value in arguments.items()}
    if isinstance(arguments, list):
        return [resolve(value) for value in arguments]
    return arguments


def real_parameters(world: World, operation: Any) -> st.SearchStrategy[dict[str, Any]]:
    """Existing values for the operation's path parameters (a parameter named ``id``
    means a different thing under each path)."""
    names = [p.name for p in operation.path_parameters]
    options: dict[str, list[Any]] = {}
    for name in names:
        key = name if name != "id" else f"id:{operation.path.split('{')[0]}"
        options[name] = world.real.get(key) or world.real.get(name) or []
    if not names or not all(options.values()):
        return st.just({})
    return st.fixed_dictionaries({name: st.sampled_from(values) for name, values in options.items()})


def fuzz(world: World, run: Run, operation: Any, mode: GenerationMode) -> None:
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        derandomize=MAX_EXAMPLES <= 10,  # the bounded run in `make test` is repeatable
        phases=[Phase.explicit, Phase.generate],  # no shrinking: failures are collected, not minimised
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), real=real_parameters(world, operation), use=st.booleans())
    def generated(case: Any, real: dict[str, Any], use: bool) -> None:
        if use and real and mode == GenerationMode.POSITIVE:
            case.path_parameters = {**case.path_parameters, **real}
        run.call(case)

    generated()


@pytest.mark.parametrize("role", ROLES)
def test_schemathesis(live_server, role):
    started = time.monotonic()
    world = seed()
    run = Run(base_url=live_server.url, key=world.keys[role], role=role)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    operations = {f"{op.method.upper()} {op.path}": op for op in (r.ok() for r in schema.get_all_operations())}
    assert len(operations) >= 25

    for label, arguments in known_good(world, role, run.created):
        response = run.call(operations[label].Case(**resolve(arguments)))
        if response is not None and response.status_code == 201:
            run.created[label] = response.json().get("id")
    refresh_real_values(world)
    for operation in operations.values():
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(world, run, operation, mode)

    assert not run.failures, f"{len(run.failures)} check failures:\n" + "\n".join(run.failures[:20])
    missing = {
        label: sorted(set(run.statuses.get(label, [])))
        for label in operations
        if not excluded(role, label) and not any(200 <= s < 300 for s in run.statuses.get(label, []))
    }
    assert not missing, f"operations without a 2xx for {role} (statuses seen): {missing}"
    for label in operations:
        if excluded(role, label):  # excluded ones must still be refused, not crash or succeed
            assert all(400 <= s < 500 for s in run.statuses[label]), (label, run.statuses[label])
    print(f"\n{role}: {sum(map(len, run.statuses.values()))} requests in {time.monotonic() - started:.1f} s")
