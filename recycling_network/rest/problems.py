"""RFC 9457 problem details for every API error (DESIGN §8 "Errors").

``{"type", "title", "status", "detail", "code", "errors", "instance"}`` with
``Content-Type: application/problem+json``. A foreign id and a missing one produce the
same bytes apart from ``instance``. Errors roll the request's transaction back, except a
domain error that says its writes are kept (a 409 that opened a review case).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from recycling_network.errors import DomainError

PROBLEM_TYPE_BASE = "https://recycling-network.example/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: _("Bad request"),
    401: _("Not authenticated"),
    403: _("Forbidden"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    409: _("Conflict"),
    413: _("Request too large"),
    415: _("Unsupported media type"),
    422: _("Unprocessable request"),
    429: _("Too many requests"),
    500: _("Server error"),
}

DRF_CODES = {
    exceptions.ParseError: "parse_error",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


class ProblemRenderer(JSONRenderer):
    media_type = PROBLEM_CONTENT_TYPE
    format = "problem+json"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return force_str(value)


def problem(
    *, status_code: int, code: str, detail: Any, instance: str, errors: dict | None = None, extra: dict | None = None
) -> dict[str, Any]:
    body = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": force_str(TITLES.get(status_code, TITLES[400])),
        "status": status_code,
        "detail": force_str(detail),
        "code": code,
        "errors": _jsonable(errors or {}),
        "instance": instance,
    }
    for key, value in (extra or {}).items():
        body.setdefault(key, _jsonable(value))
    return body


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    response = Response(body, status=body["status"], headers=headers, content_type=PROBLEM_CONTENT_TYPE)
    return response


def _validation_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for field, messages in detail.items():
            if isinstance(messages, dict):
                for sub, inner in _validation_errors(messages).items():
                    flat[f"{field}.{sub}"] = inner
            elif isinstance(messages, list) and messages and isinstance(messages[0], dict):
                for index, item in enumerate(messages):
                    for sub, inner in _validation_errors(item).items():
                        flat[f"{field}[{index}].{sub}"] = inner
            else:
                flat[str(field)] = [force_str(m) for m in (messages if isinstance(messages, list) else [messages])]
        return flat
    if isinstance(detail, list):
        return {"non_field_errors": [force_str(m) for m in detail]}
    return {"non_field_errors": [force_str(detail)]}


def _first_message(errors: dict[str, list[str]]) -> str:
    for field, messages in errors.items():
        if messages:
            return f"{field}: {messages[0]}" if field != "non_field_errors" else messages[0]
    return force_str(TITLES[400])


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler, answering every error as a problem."""
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    keep_writes = isinstance(exc, DomainError) and exc.commits
    if not keep_writes:
        transaction.set_rollback(True)
    headers: dict[str, str] = {}

    if isinstance(exc, DomainError):
        body = problem(
            status_code=exc.status,
            code=exc.code,
            detail=exc.message,
            instance=instance,
            errors=exc.errors,
            extra=exc.extra,
        )
        if exc.status == 401:
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return problem_response(body, headers)
    if isinstance(exc, Http404 | DjangoPermissionDenied):
        exc = exceptions.NotFound() if isinstance(exc, Http404) else exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        body = problem(
            status_code=413, code="payload_too_large", detail=_("The request body is too large."), instance=instance
        )
        return problem_response(body)
    if isinstance(exc, TooManyFieldsSent | SuspiciousOperation):
        body = problem(status_code=400, code="bad_request", detail=_("The request is malformed."), instance=instance)
        return problem_response(body)
    if not isinstance(exc, exceptions.APIException):
        return None

    if isinstance(exc, exceptions.ValidationError):
        errors = _validation_errors(exc.detail)
        body = problem(status_code=400, code="invalid", detail=_first_message(errors), instance=instance, errors=errors)
        return problem_response(body)
    code = DRF_CODES.get(type(exc))
    if code is None:
        detail_code = getattr(exc.detail, "code", None)
        code = (
            detail_code
            if isinstance(detail_code, str) and detail_code not in ("error", "invalid")
            else exc.default_code
        )
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
    detail = exc.detail if not isinstance(exc.detail, list | dict) else _first_message(_validation_errors(exc.detail))
    body = problem(status_code=exc.status_code, code=code, detail=detail, instance=instance)
    return problem_response(body, headers)


def _plain_problem(request: HttpRequest, status_code: int, code: str, detail: Any) -> HttpResponse:
    body = problem(status_code=status_code, code=code, detail=detail, instance=request.get_full_path())
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def api_not_found(request: HttpRequest) -> HttpResponse:
    return _plain_problem(request, status.HTTP_404_NOT_FOUND, "not_found", exceptions.NotFound.default_detail)


def api_server_error(request: HttpRequest) -> HttpResponse:
    return _plain_problem(
        request, status.HTTP_500_INTERNAL_SERVER_ERROR, "server_error", _("Something went wrong on our side.")
    )


def api_bad_request(request: HttpRequest) -> HttpResponse:
    return _plain_problem(request, status.HTTP_400_BAD_REQUEST, "bad_request", _("The request is malformed."))
