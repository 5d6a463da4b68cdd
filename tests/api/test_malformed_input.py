"""Malformed input never reaches a 5xx (DESIGN §8 "Errors"): NUL bytes, huge numbers, bad
encodings, wrong content types, oversized and deeply nested bodies, wrong types in every
field of every write route. Each answer is a 4xx ``application/problem+json`` document.

Each test sends a family of inputs to one route and reports every bad answer at once, so
the file stays fast while covering every field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.api.conftest import bearer, key_for
from tests.api.live import anonymous_address
from tests.builders import make_partner

PROBLEM_FIELDS = {"type", "title", "status", "detail", "code", "errors", "instance"}
JSON = "application/json"
HUGE = 10**40
INF = 1e309  # parses to float("inf") in Python's json module

# Field kinds, and values that are certainly the wrong type for them.
WRONG_TYPES: dict[str, list[Any]] = {
    "str": [[], {}, True, ["a"], {"a": "b"}],
    "decimal": ["abc", [], {}, True, "NaN", "Infinity", "1e309"],  # "" is null to DRF where null is allowed
    "int": ["abc", 1.5, [], {}, True, "", "1e3"],
    "choice": ["no-such-choice", [], {}, 1, True],
    "datetime": ["yesterday", 12, [], {}, "2026-13-45T99:00:00+08:00", "2026-03-01T09:30:00"],
    "date": ["not-a-date", 5, [], {}, "2026-02-30"],
    "bool": ["maybe", [], {}, 2, "2"],
    "str_list": ["abc", {}, 1, [[]], [{}], [None], [True]],
    "choice_list": ["automaker", {}, 1, [[]], ["no-such-kind"], [None]],
    "dict": [[], "abc", 1, True],
    "object_list": ["abc", {}, 1, [1], [[]], ["abc"], [None]],
}
# Values of the right type that no field can accept as they are.
NUMBERS: dict[str, list[Any]] = {
    "decimal": [INF, -INF, HUGE, -HUGE, -1, 1e-30, 123456789012345.678],
    "int": [INF, HUGE, -HUGE, -1, 0, 2**63, 2**64],
}
EXTREME_TIMES = ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "2026-03-01T09:30:00+25:00", "x" * 200]


@dataclass(frozen=True)
class Route:
    name: str
    path: str  # ``{code}``, ``{id}``: filled from the fixture
    fields: dict[str, str]  # name -> kind (WRONG_TYPES)
    valid: dict[str, Any]  # a body the serializer accepts
    datacenter: bool = False


def _intake() -> dict[str, Any]:
    return {"outlet": "RN-110100-0001", "code": "001PBA1TRACE01F310000001", "weight_kg": 300}


ROUTES = [
    Route(
        "intakes",
        "/api/v1/intakes/",
        {
            "outlet": "str",
            "code": "str",
            "weight_kg": "decimal",
            "energy_kwh": "decimal",
            "vin": "str",
            "source": "choice",
            "condition": "choice",
            "soh_percent": "decimal",
            "occurred_at": "datetime",
            "notes": "str",
        },
        _intake(),
    ),
    Route(
        "consignments-create",
        "/api/v1/consignments/",
        {
            "from_outlet": "str",
            "to_partner": "int",
            "to_outlet": "str",
            "batteries": "str_list",
            "waybill": "str",
            "carrier": "str",
            "notes": "str",
            "occurred_at": "datetime",
        },
        {"from_outlet": "RN-110100-0001", "to_partner": 1, "batteries": ["001PBA1TRACE01F310000001"]},
    ),
    Route(
        "consignments-receive",
        "/api/v1/consignments/{id}/receive/",
        {"outlet": "str", "rejected": "object_list", "occurred_at": "datetime"},
        {"rejected": [{"code": "001PBA1TRACE01F310000001", "reason": "damaged"}]},
    ),
    Route("consignments-cancel", "/api/v1/consignments/{id}/cancel/", {"reason": "str"}, {"reason": "wrong truck"}),
    Route(
        "batteries-inspect",
        "/api/v1/batteries/{code}/inspect/",
        {
            "insulation_ok": "bool",
            "casing_ok": "bool",
            "soh_percent": "decimal",
            "notes": "str",
            "occurred_at": "datetime",
        },
        {"insulation_ok": True, "casing_ok": True},
    ),
    Route(
        "batteries-hazard",
        "/api/v1/batteries/{code}/hazard/",
        {"hazard": "choice", "notes": "str", "occurred_at": "datetime"},
        {"hazard": "leaking"},
    ),
    Route(
        "batteries-cascade",
        "/api/v1/batteries/{code}/cascade/",
        {
            "new_code": "str",
            "weight_kg": "decimal",
            "energy_kwh": "decimal",
            "soh_percent": "decimal",
            "notes": "str",
            "occurred_at": "datetime",
        },
        {"new_code": "0A1MBA1F310000001RM"},
    ),
    Route(
        "batteries-recycle",
        "/api/v1/batteries/{code}/recycle/",
        {"notes": "str", "occurred_at": "datetime"},
        {"notes": "done"},
    ),
    Route("batteries-void", "/api/v1/batteries/{code}/void/", {"reason": "str"}, {"reason": "typo"}),
    Route(
        "events-correct",
        "/api/v1/events/{id}/correct/",
        {"changes": "dict", "reason": "str"},
        {"changes": {"weight_kg": 301}, "reason": "scale"},
    ),
    Route(
        "obligations-acknowledge",
        "/api/v1/obligations/acknowledge/",
        {"items": "object_list"},
        {"items": [{"id": 1, "receipt_number": "R-1"}]},
    ),
    Route(
        "partners-create",
        "/api/v1/partners/",
        {
            "name": "str",
            "name_en": "str",
            "credit_code": "str",
            "kinds": "choice_list",
            "demonstration_unit": "bool",
            "demonstration_agreed_on": "date",
            "contacts": "object_list",
        },
        {"name": "新企业", "credit_code": "91110000MA0000000X", "kinds": ["recycler"]},
        datacenter=True,
    ),
]
ROUTE_IDS = [route.name for route in ROUTES]

# Nested objects: the wrong types inside the items of list fields.
NESTED_WRONG_TYPES: dict[str, list[Any]] = {
    "rejected": [
        [{"code": [], "reason": "damaged"}],
        [{"code": "X", "reason": "nope"}],
        [{"code": "X", "reason": "damaged", "note": {}}],
        [{"reason": "damaged"}],
    ],
    "items": [
        [{"id": "abc", "receipt_number": "R"}],
        [{"id": INF, "receipt_number": "R"}],
        [{"id": HUGE, "receipt_number": "R"}],
        [{"id": 1, "receipt_number": []}],
        [{"id": 1}],
        [],
    ],
    "contacts": [[{"name": []}], [{"name": "张三", "email": "not-an-email"}], [{"title": "x"}]],
    "changes": [
        {"weight_kg": "abc"},
        {"weight_kg": INF},
        {"weight_kg": HUGE},
        {"weight_kg": True},
        {"weight_kg": -1},
        {"weight_kg": []},
        {"energy_kwh": {}},
        {"soh_percent": 1000},
        {"vin": []},
        {"vin": 12345},
        {"source": "nowhere"},
        {"source": []},
        {"notes": {"a": 1}},
        {"notes": ["a"]},
        {"vin": None},
        {"no_such_field": 1},
        {"seq": 5},
        {},
    ],
}


@dataclass
class Caller:
    partner: APIClient
    datacenter: APIClient
    code: str = "001PBA1TRACE01F310000001"
    id: int = 1

    def client(self, route: Route) -> APIClient:
        return self.datacenter if route.datacenter else self.partner

    def path(self, route: Route) -> str:
        return route.path.format(code=self.code, id=self.id)


@pytest.fixture
def caller(db) -> Caller:
    """Keys only: every malformed request is refused before any row is looked up."""
    partner = make_partner(kinds=["outlet_operator", "recycler", "cascade_user", "automaker"])
    return Caller(partner=bearer(key_for(partner)), datacenter=bearer(key_for(None)))


def send(client: APIClient, path: str, body: bytes | str, content_type: str = JSON, method: str = "POST") -> Any:
    return client.generic(method, path, body, content_type=content_type)


def problem_of(response: Any, path: str | None) -> tuple[str | None, dict[str, Any]]:
    """Why ``response`` is not a well-formed 4xx problem (None if it is), and its body."""
    if not 400 <= response.status_code < 500:
        return f"status {response.status_code}", {}
    if response["Content-Type"] != "application/problem+json":
        return f"content type {response['Content-Type']}", {}
    try:
        body = json.loads(response.content)
    except ValueError:
        return "body is not JSON", {}
    if not isinstance(body, dict) or set(body) < PROBLEM_FIELDS:
        return f"problem fields missing: {PROBLEM_FIELDS - set(body or {})}", {}
    if body["status"] != response.status_code:
        return f"status {body['status']} in the body, {response.status_code} on the wire", body
    if not body["type"].endswith("/" + body["code"]) or not isinstance(body["errors"], dict):
        return "type, code and errors disagree", body
    if not body["instance"].startswith("/api/v1/"):
        return f"instance {body['instance']!r}", body
    if path is not None and unquote(body["instance"]).split("?")[0] != path.split("?")[0]:
        return f"instance {body['instance']!r}", body
    return None, body


def check_all(cases: list[tuple[Any, ...]], *, statuses: set[int] | None = None, field: bool = False) -> None:
    """``cases``: (label, response, path[, field]). Fail once, listing every bad answer."""
    bad = []
    for label, response, path, *names in cases:
        reason, body = problem_of(response, path)
        if reason is None and statuses and response.status_code not in statuses:
            reason = f"status {response.status_code}, expected {sorted(statuses)}"
        if reason is None and field and names:
            keys = list(body["errors"])
            name = names[0]
            if not any(k == name or k.startswith((f"{name}.", f"{name}[")) for k in keys):
                reason = f"{response.status_code} {body['code']}: errors name {keys}, not {name}"
        if reason is not None:
            bad.append(f"{label}: {reason}")
    assert not bad, "\n".join(bad)


def body_with(route: Route, field: str, value: Any) -> bytes:
    return json.dumps({**route.valid, field: value}).encode()


# --- every field of every write route ---------------------------------------------------


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_wrong_types_in_every_field_are_400_naming_the_field(caller, route):
    client, path = caller.client(route), caller.path(route)
    cases = []
    for field, kind in route.fields.items():
        for value in WRONG_TYPES[kind]:
            response = send(client, path, body_with(route, field, value))
            cases.append((f"{field}={value!r}", response, path, field))
    check_all(cases, statuses={400}, field=True)


@pytest.mark.parametrize("route", [r for r in ROUTES if set(r.fields) & set(NESTED_WRONG_TYPES)], ids=lambda r: r.name)
def test_wrong_values_inside_nested_fields_are_4xx(caller, route):
    client, path = caller.client(route), caller.path(route)
    cases = []
    for field in set(route.fields) & set(NESTED_WRONG_TYPES):
        for value in NESTED_WRONG_TYPES[field]:
            response = send(client, path, body_with(route, field, value))
            cases.append((f"{field}={value!r}", response, path))
    check_all(cases)


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_text_the_database_cannot_store_is_400_in_every_field(caller, route):
    """NUL characters and lone UTF-16 surrogates (valid JSON escapes, invalid Unicode)."""
    client, path = caller.client(route), caller.path(route)
    cases = []
    for field, kind in route.fields.items():
        for bad in ("\x00", "\ud800", "\udfff"):
            text = f"a{bad}b"
            values: list[Any] = [text]
            if kind.endswith("_list"):
                values = [[text]]
            elif kind == "object_list":
                values = [[{"code": text, "reason": "damaged", "id": 1, "name": text, "receipt_number": text}]]
            elif kind == "dict":
                values = [{"notes": text}, {text: "notes"}]
            for value in values:
                cases.append((f"{field}={value!r}", send(client, path, body_with(route, field, value)), path))
    # A raw NUL byte (not the \u0000 escape) is not even valid JSON.
    raw = json.dumps(route.valid).encode().replace(b"{", b'{"x": "\x00", ', 1)
    cases.append(("raw NUL byte", send(client, path, raw), path))
    check_all(cases, statuses={400})


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if {"decimal", "int"} & set(r.fields.values())], ids=lambda r: r.name
)
def test_huge_and_negative_numbers_are_400(caller, route):
    client, path = caller.client(route), caller.path(route)
    cases = []
    for field, kind in route.fields.items():
        for value in NUMBERS.get(kind, []):
            # json.dumps writes inf as Infinity (not JSON); send the literal the client would send.
            literal = "1e309" if value == INF else "-1e309" if value == -INF else json.dumps(value)
            body = json.dumps({**route.valid, field: "__N__"}).replace('"__N__"', literal).encode()
            cases.append((f"{field}={literal}", send(client, path, body), path))
        digits = json.dumps({**route.valid, field: "__N__"}).replace('"__N__"', "9" * 5000).encode()
        cases.append((f"{field}=5000 digits", send(client, path, digits), path))
    check_all(cases, statuses={400})


@pytest.mark.parametrize("route", [r for r in ROUTES if "datetime" in r.fields.values()], ids=lambda r: r.name)
def test_impossible_times_are_400(caller, route):
    client, path = caller.client(route), caller.path(route)
    cases = [
        (value, send(client, path, body_with(route, "occurred_at", value)), path, "occurred_at")
        for value in EXTREME_TIMES
    ]
    check_all(cases, statuses={400}, field=True)


# --- the body as a whole ---------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_bodies_that_are_not_a_json_object_are_400(caller, route):
    client, path = caller.client(route), caller.path(route)
    bodies = {
        "invalid JSON": b'{"outlet": ',
        "trailing garbage": json.dumps(route.valid).encode() + b"}",
        "array": b"[1, 2]",
        "array of the valid body": json.dumps([route.valid]).encode(),
        "string": b'"hello"',
        "number": b"42",
        "null": b"null",
        "true": b"true",
        "NaN literal": b'{"weight_kg": NaN}',
        "Infinity literal": b'{"weight_kg": Infinity}',
        "invalid UTF-8": b'{"notes": "\xff\xfe\xc3"}',
        "UTF-8 surrogate": b'{"notes": "\xed\xa0\x80"}',
        "deeply nested arrays": b"[" * 100_000 + b"]" * 100_000,
        "deeply nested objects": b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
        "nested just past the limit": json.dumps(
            {**route.valid, "notes": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}
        ).encode(),
    }
    cases = [(label, send(client, path, body), path) for label, body in bodies.items()]
    check_all(cases, statuses={400})


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_other_content_types_are_415(caller, route):
    client, path = caller.client(route), caller.path(route)
    valid = json.dumps(route.valid)
    multipart = (
        b'--B0UND\r\nContent-Disposition: form-data; name="notes"\r\n\r\nhello\r\n'
        b'--B0UND\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nabc\r\n--B0UND--\r\n"
    )
    bodies = {
        "text/plain": (valid, "text/plain"),
        "form-urlencoded": ("notes=hello&weight_kg=1", "application/x-www-form-urlencoded"),
        "multipart": (multipart, "multipart/form-data; boundary=B0UND"),
        "no content type": (valid, ""),
        "XML": ("<intake/>", "application/xml"),
        "octet-stream": (b"\x00\x01\x02", "application/octet-stream"),
        "garbage media type": (valid, "not a media type"),
    }
    cases = [(label, send(client, path, body, ct), path) for label, (body, ct) in bodies.items()]
    check_all(cases, statuses={415, 400})
    assert [r.status_code for _label, r, _path in cases].count(415) >= 5, "wrong content types must say 415"


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_oversized_bodies_are_413(caller, route):
    client, path = caller.client(route), caller.path(route)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    padding = "x" * (limit + 1)
    cases = [
        ("JSON over the limit", send(client, path, json.dumps({**route.valid, "notes": padding})), path),
        ("form over the limit", send(client, path, "notes=" + padding, "application/x-www-form-urlencoded"), path),
    ]
    # A JSON body over the limit is 413; a form body over it may first be refused as 415.
    check_all(cases[:1], statuses={413})
    check_all(cases[1:], statuses={413, 415})


def test_a_body_just_under_the_limit_is_read(caller):
    """The 413 above is the size limit, not a refusal of any long body."""
    route = ROUTES[0]
    notes = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 200)
    response = send(caller.partner, route.path, json.dumps({**route.valid, "notes": notes}))
    reason, body = problem_of(response, route.path)
    assert reason is None
    assert response.status_code == 400
    assert "notes" in body["errors"]  # reached the serializer: at most 2,000 characters


# --- query strings and paths ------------------------------------------------------------

LISTS = {
    "/api/v1/partners/": ["ordering"],
    "/api/v1/divisions/": ["level", "parent", "region"],
    "/api/v1/outlets/": ["code", "status", "kind", "province", "prefecture", "region", "operator", "name"],
    "/api/v1/public/outlets/": ["code", "status", "operator"],
    "/api/v1/batteries/": [
        "code",
        "status",
        "chemistry",
        "product_type",
        "manufacturer_code",
        "outlet",
        "hazard",
        "received_after",
        "received_before",
        "updated_after",
    ],
    "/api/v1/consignments/": ["status", "from_outlet", "to_partner", "direction"],
    "/api/v1/obligations/": ["status", "due_before", "battery", "rule"],
    "/api/v1/events/": ["after"],
}
ODD_QUERY_VALUES = [
    "1e309",
    "-1",
    "9" * 5000,
    "NaN",
    "1.5",
    "%ff%fe",
    "x" * 5000,
    "2026-03-01T09:30:00",
    "0001-01-01T00:00:00+14:00",
    "99999-01-01T00:00:00Z",
    "0297-01-01T00:59:28-16:58",  # Python accepts offsets PostgreSQL refuses
    "9999-12-31T23:59:59-23:59",  # beyond year 9999 in UTC
]


@pytest.mark.parametrize("path", list(LISTS))
def test_nul_bytes_in_query_parameters_are_400(caller, path):
    client = APIClient(REMOTE_ADDR=anonymous_address()) if path.startswith("/api/v1/public/") else caller.partner
    queries = [f"{name}=a%00b" for name in [*LISTS[path], "cursor", "limit"]]
    queries += ["a%00b=1", "%00", "limit=1%00", "cursor=%00"]
    cases = [(q, client.get(f"{path}?{q}"), path) for q in queries]
    check_all(cases, statuses={400})


@pytest.mark.parametrize("path", list(LISTS))
def test_odd_query_values_are_answered_without_5xx(caller, path):
    """Every filter with numbers, dates and bytes it cannot use: a 200 (the filter matched
    nothing) or a 4xx problem, never a 5xx. (``cursor`` and ``ordering`` are one code path
    for every list: tested on the batteries.)"""
    client = APIClient(REMOTE_ADDR=anonymous_address()) if path.startswith("/api/v1/public/") else caller.partner
    shared = ["cursor", "ordering"] if path == "/api/v1/batteries/" else []
    bad = []
    for name in [*LISTS[path], "limit", *shared]:
        for value in ODD_QUERY_VALUES:
            response = client.get(f"{path}?{name}={value}")
            if response.status_code == 200:
                continue
            reason, _body = problem_of(response, path)
            if reason is not None:
                bad.append(f"{name}={value[:20]}: {reason}")
    assert not bad, "\n".join(bad)


def test_an_unknown_query_parameter_is_400_on_every_list(caller):
    cases = []
    for path in LISTS:
        client = APIClient(REMOTE_ADDR=anonymous_address()) if path.startswith("/api/v1/public/") else caller.partner
        cases.append((path, client.get(f"{path}?no_such_filter=1"), path, "no_such_filter"))
    check_all(cases, statuses={400}, field=True)


DETAIL_PATHS = [
    "/api/v1/batteries/{}/",
    "/api/v1/batteries/{}/inspect/",
    "/api/v1/outlets/{}/",
    "/api/v1/partners/{}/",
    "/api/v1/consignments/{}/",
    "/api/v1/consignments/{}/receive/",
    "/api/v1/events/{}/correct/",
]
ODD_SEGMENTS = ["a%00b", "%00", "1%00", "%ff%fe", "9" * 19, "9" * 300, "-1", "1e309", "%2e%2e", "%20", "%E4%B8%AD"]


@pytest.mark.parametrize("template", DETAIL_PATHS)
def test_odd_path_segments_are_4xx(caller, template):
    bad = []
    for segment in ODD_SEGMENTS:
        path = template.format(segment)
        method = "post" if template.endswith(("inspect/", "receive/", "correct/")) else "get"
        response = getattr(caller.partner, method)(path, {}, format="json")
        reason, _body = problem_of(response, None)
        if reason is None and "%00" in segment and response.status_code != 400:
            reason = f"status {response.status_code} for a NUL byte, expected 400"
        if reason is not None:
            bad.append(f"{segment[:20]}: {reason}")
    assert not bad, "\n".join(bad)


def test_nul_bytes_in_the_authorization_header_are_401(caller):
    cases = []
    for header in ["Bearer rnk_ab\x00c_secret", "Bearer \x00", "Bearer rnk_\x00_\x00", "Bearer rnk_ab_c\x00d"]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        cases.append((repr(header), client.get("/api/v1/me/"), "/api/v1/me/"))
    check_all(cases, statuses={401})


def test_bad_idempotency_keys_are_400(caller):
    route = ROUTES[0]
    cases = []
    for key in ["", "x" * 256, "ключ", "a\tb", "a\x00b"]:
        response = caller.partner.post(route.path, route.valid, format="json", HTTP_IDEMPOTENCY_KEY=key)
        cases.append((repr(key[:10]), response, route.path, "Idempotency-Key"))
    check_all(cases, statuses={400}, field=True)
