"""Refuse NUL bytes in the path or query string before any view sees them: PostgreSQL
cannot store them and they are never meaningful (a 400, never a 500)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from recycling_network.rest.problems import api_bad_request


class RejectNulBytesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            if request.path.startswith("/api/"):
                return api_bad_request(request)
            return HttpResponse("Bad request", status=400, content_type="text/plain")
        return self.get_response(request)
