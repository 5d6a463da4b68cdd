"""OpenAPI details drf-spectacular cannot infer: the bearer scheme and the problem
responses every operation can give (DESIGN §8)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail", "code", "errors", "instance"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "machine code, e.g. battery_in_custody"},
        "errors": {"type": "object", "additionalProperties": True, "description": "messages per field"},
        "instance": {"type": "string"},
    },
    "additionalProperties": True,
    "example": {
        "type": "https://recycling-network.example/problems/battery_in_custody",
        "title": "Conflict",
        "status": 409,
        "detail": "This battery is held by another partner. A review case has been opened for the data center.",
        "code": "battery_in_custody",
        "errors": {},
        "instance": "/api/v1/intakes/",
    },
}

ERRORS = {
    "400": "Malformed or invalid input (codes: invalid, parse_error, battery_code_invalid, ...)",
    "401": "Missing, unknown, expired or revoked API key (WWW-Authenticate: Bearer)",
    "403": "Missing scope or an action the caller may not take",
    "404": "Not found (also: another partner's object)",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "409": "Conflict with the current state (battery_already_received, battery_in_custody, outlet_over_capacity, ...)",
    "413": "Request body too large",
    "415": "Unsupported media type (send application/json)",
    "422": "idempotency_key_reused",
    "429": "Too many requests (Retry-After)",
}
SAFE_ERRORS = ("400", "401", "403", "404", "406", "429")


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "recycling_network.rest.authentication.ApiKeyAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key: Authorization: Bearer rnk_...; scopes read and/or write.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "recycling_network.rest.authentication.SessionAuthentication"
    name = "sessionAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "The browser UI's session (CSRF).",
        }


def add_problem_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Postprocessing hook: the Problem component and every error an operation can answer."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "patch", "put", "delete"}:
                continue
            codes = SAFE_ERRORS if method == "get" else tuple(ERRORS)
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, {"description": ERRORS[code], "content": problem})
            if method == "get" and any(p.get("in") == "path" for p in operation.get("parameters", [])):
                responses.setdefault("304", {"description": "Not modified (If-None-Match matched the ETag)"})
            if method in {"post", "patch"}:
                operation.setdefault("parameters", []).append(
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 255},
                        "description": "Retry safely: the same key and body replay the stored response for 24 hours.",
                    }
                )
    return result
