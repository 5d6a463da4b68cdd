"""What every outlet screen shares: who may open it, and the lists' plumbing."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import django_tables2 as tables
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import HttpRequest, HttpResponse
from django_tables2.paginators import LazyPaginator

from outlets.models import Outlet
from outlets.selectors import usable_outlets
from recycling_network.tenancy import Actor

View = Callable[..., HttpResponse]
#: The most rows one page of a list shows, whatever the query string asks.
MAX_PER_PAGE = 200


def signed_in(view: View) -> View:
    """Anonymous visitors sign in first; every signed-in actor may open the page (its
    selectors decide what it shows)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.actor.is_anonymous:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def partner_member(view: View) -> View:
    """Pages that record custody: a partner's admins and outlet staff (the data center
    holds no batteries)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.actor.is_anonymous:
            return redirect_to_login(request.get_full_path())
        if not request.actor.is_partner:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def working_outlets(actor: Actor, *, include_suspended: bool = False) -> list[Outlet]:
    """Outlets the actor may record intakes at (or, with suspended ones, dispatch from)."""
    if not actor.is_partner:
        return []
    outlets = usable_outlets(actor, include_suspended=include_suspended).select_related("prefecture")
    return list(outlets.order_by("code", "pk"))


def configure(request: HttpRequest, table: tables.Table, per_page: int) -> tables.Table:
    """Sorting and lazy pagination from the query string; ``per_page`` is capped, so no
    query string loads a whole stock into one page."""
    table.request = request
    order_by = request.GET.getlist(table.prefixed_order_by_field)
    if order_by:
        table.order_by = order_by
    size = _number(request.GET.get(table.prefixed_per_page_field), per_page)
    page = _number(request.GET.get(table.prefixed_page_field), 1)
    try:
        table.paginate(paginator_class=LazyPaginator, page=page, per_page=min(size, MAX_PER_PAGE))
    except (EmptyPage, PageNotAnInteger):
        table.paginate(paginator_class=LazyPaginator, page=1, per_page=min(size, MAX_PER_PAGE))
    return table


def _number(value: str | None, default: int) -> int:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return number if number >= 1 else default


def query_without(request: HttpRequest, *names: str) -> str:
    """The current query string without some parameters (e.g. the page for an export link)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
