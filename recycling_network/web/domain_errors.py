"""Domain errors that escape a browser view become the matching answer: no one signed in
goes to sign in, a missing or foreign object is a 404, a forbidden action a 403, anything
else a 400 with its message.
The request's writes are rolled back unless the error says they are kept."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest

from recycling_network.errors import DomainError, Forbidden, NotAuthenticated, NotFound


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        if not exception.commits:
            transaction.set_rollback(True)
        if isinstance(exception, NotAuthenticated):
            return redirect_to_login(request.get_full_path())
        if isinstance(exception, NotFound):
            raise Http404(str(exception)) from exception
        if isinstance(exception, Forbidden):
            raise PermissionDenied(str(exception)) from exception
        return HttpResponseBadRequest(str(exception))
