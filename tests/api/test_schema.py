"""The OpenAPI schema (DESIGN §8): it builds without warnings, names every route, declares
the bearer scheme and the problem responses, and Swagger UI works offline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

API_PREFIX = "/api/v1/"
NOT_IN_SCHEMA = {"/api/v1/schema/", "/api/v1/docs/"}  # the schema and its viewer describe the API, not part of it
METHODS = {"get", "post", "put", "patch", "delete"}
# Every operation answers these as problem details (DESIGN §8 "Errors").
PROBLEMS_OF_EVERY_OPERATION = {"400", "401", "403", "404", "429"}
PROBLEMS_OF_WRITES = PROBLEMS_OF_EVERY_OPERATION | {"409", "413", "415", "422"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        result = SchemaGenerator().get_schema(request=None, public=True)
    warnings, errors = dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    assert not warnings, f"schema warnings: {list(warnings)}"
    assert not errors, f"schema errors: {list(errors)}"
    return result


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _route_to_openapi(route: str) -> str:
    """``partners/<id:pk>/`` -> ``partners/{id}/`` (drf-spectacular names a ``pk`` parameter ``id``)."""

    def parameter(match: re.Match) -> str:
        name = match.group(2)
        return "{" + ("id" if name == "pk" else name) + "}"

    return re.sub(r"<(?:(\w+):)?(\w+)>", parameter, route)


def _walk(patterns: list, prefix: str) -> Iterator[str]:
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def api_routes() -> set[str]:
    """Every route of ``recycling_network.api``, as OpenAPI paths, however it is nested."""
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and getattr(entry.urlconf_module, "__name__", "") == "recycling_network.api":
            return {"/" + _route_to_openapi(route) for route in _walk(entry.url_patterns, str(entry.pattern))}
    raise AssertionError("recycling_network.api is not included in the URL map")


def test_the_schema_builds_without_warnings_and_is_valid_openapi(schema):
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")


def test_every_api_route_is_in_the_schema(schema):
    routes = api_routes()
    assert len(routes) >= 20  # the walk found the API, not an empty include
    missing = sorted(routes - NOT_IN_SCHEMA - set(schema["paths"]))
    assert missing == [], f"routes without a schema: {missing}"
    assert set(schema["paths"]) <= routes, "the schema names paths that no route serves"


def test_the_route_walk_sees_a_route_that_is_missing_from_the_schema(schema):
    """The check above can fail: a route added without a schema is reported."""
    assert _route_to_openapi("things/<id:pk>/frob/") == "things/{id}/frob/"
    assert "/api/v1/partners/{id}/" in api_routes()
    assert "/api/v1/things/{id}/frob/" not in schema["paths"]


def test_the_bearer_scheme_is_declared_and_every_private_operation_requires_it(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearerAuth"]["description"],
    }
    for path, method, operation in operations(schema):
        security = operation.get("security", schema.get("security", []))
        if path == "/api/v1/public/outlets/":
            assert security in ([], [{}]), "the public directory needs no credentials"
            continue
        assert {"bearerAuth": []} in security, f"{method.upper()} {path} does not declare bearer auth"
        assert {} not in security, f"{method.upper()} {path} declares auth optional"


def test_every_operation_documents_its_problem_responses(schema):
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code", "errors", "instance"}
    for path, method, operation in operations(schema):
        expected = PROBLEMS_OF_WRITES if method in {"post", "patch", "put"} else PROBLEMS_OF_EVERY_OPERATION
        responses = operation["responses"]
        for status in expected:
            assert status in responses, f"{method.upper()} {path} does not document {status}"
            content = responses[status]["content"]
            assert list(content) == ["application/problem+json"], f"{method.upper()} {path} {status}"
            assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
        assert any(code.startswith("2") for code in responses), f"{method.upper()} {path} has no success response"


def test_every_write_operation_documents_the_idempotency_key(schema):
    for path, method, operation in operations(schema):
        if method not in {"post", "patch"}:
            continue
        headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
        assert [h["name"] for h in headers].count("Idempotency-Key") == 1, f"{method.upper()} {path}"


@pytest.mark.django_db
def test_the_schema_is_served_as_json(client, schema):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert set(response.json()["paths"]) == set(schema["paths"])


@pytest.mark.django_db
def test_swagger_ui_renders_with_local_assets_only(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    foreign = re.findall(r"(?:https?:)?//[\w.-]+[^\s\"'<>]*", html)
    assert foreign == [], f"Swagger UI loads from other hosts: {foreign}"
    assert re.search(r'"validatorUrl"\s*:\s*null', html), "the online validator must be off"
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        body = b"".join(served.streaming_content) if served.streaming else served.content
        assert len(body) > 0, asset


# Each write documents its own request body (a shared view function once gave all five
# battery actions the schema of the last one).
REQUEST_BODIES = {
    "/api/v1/intakes/": "IntakeRequest",
    "/api/v1/partners/": "PartnerCreateRequest",
    "/api/v1/consignments/": "DispatchRequest",
    "/api/v1/consignments/{id}/receive/": "ReceiveRequest",
    "/api/v1/consignments/{id}/cancel/": "CancelRequest",
    "/api/v1/batteries/{code}/inspect/": "InspectRequest",
    "/api/v1/batteries/{code}/hazard/": "HazardRequest",
    "/api/v1/batteries/{code}/cascade/": "CascadeRequest",
    "/api/v1/batteries/{code}/recycle/": "RecycleRequest",
    "/api/v1/batteries/{code}/void/": "VoidRequest",
    "/api/v1/events/{id}/correct/": "CorrectRequest",
    "/api/v1/obligations/acknowledge/": "AcknowledgeRequest",
}


def test_every_write_documents_its_own_request_body(schema):
    for path, component in REQUEST_BODIES.items():
        body = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{component}"}, path


def test_every_operation_has_a_summary_of_its_own(schema):
    summaries = [
        (operation.get("summary"), f"{method.upper()} {path}") for path, method, operation in operations(schema)
    ]
    assert all(summary for summary, _label in summaries), [label for summary, label in summaries if not summary]
    repeated = [label for summary, label in summaries if [s for s, _ in summaries].count(summary) > 1]
    assert repeated == [], f"operations sharing a summary (a shared view function?): {repeated}"
