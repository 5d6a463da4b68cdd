"""The naive baseline of DESIGN §13 for ``bench/api_lists_bench.py``, and the URL map the
benchmark serves both sides from.

Each naive list is what a first version would write: a plain ``ModelSerializer``
(``fields = "__all__"``), ``PageNumberPagination`` with pages of 100 (a ``COUNT(*)`` and an
``OFFSET``), a ``ListAPIView`` ordered by id. It serves the same rows as the platform's
list: the same selector, the same API key authentication and the same tenancy context, so
row-level security applies equally. Under ``/api/`` like the real routes, so the tenancy
middleware treats both alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.urls import include, path
from rest_framework import generics, pagination, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from batteries import selectors as battery_selectors
from batteries.models import Battery, Consignment, CustodyEvent, Obligation
from outlets import selectors as outlet_selectors
from outlets.models import Outlet
from recycling_network import tenancy
from recycling_network.rest.authentication import ApiKeyAuthentication
from recycling_network.rest.views import resolve_actor

PAGE_SIZE = 100


class NaivePage(pagination.PageNumberPagination):
    page_size = PAGE_SIZE


def naive_list_view(model: type[Model], rows: Callable[[tenancy.Actor], QuerySet]) -> Callable[..., Any]:
    """A plain list of ``model`` over ``rows(actor)``."""

    meta = type("Meta", (), {"model": model, "fields": "__all__"})
    serializer = type(f"Naive{model.__name__}Serializer", (serializers.ModelSerializer,), {"Meta": meta})

    class NaiveListView(generics.ListAPIView):
        authentication_classes = [ApiKeyAuthentication]
        permission_classes = [IsAuthenticated]
        filter_backends: list[Any] = []  # the project default refuses ?page= as an unknown filter
        pagination_class = NaivePage
        serializer_class = serializer

        def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
            super().initial(request, *args, **kwargs)
            request.actor = resolve_actor(request)
            tenancy.activate(request.actor)

        def get_queryset(self) -> QuerySet:
            return rows(self.request.actor).order_by("id")

    return NaiveListView.as_view()


# Each list's model and the selector of its rows (the events list's rows are the feed's).
LISTS: dict[str, tuple[type[Model], Callable[[tenancy.Actor], QuerySet]]] = {
    "batteries": (Battery, battery_selectors.visible_batteries),
    "events": (CustodyEvent, battery_selectors.visible_events),
    "consignments": (Consignment, battery_selectors.visible_consignments),
    "obligations": (Obligation, battery_selectors.visible_obligations),
    "outlets": (Outlet, outlet_selectors.visible_outlets),
}

urlpatterns = [
    *(path(f"api/naive/{name}/", naive_list_view(model, rows)) for name, (model, rows) in LISTS.items()),
    path("", include("recycling_network.urls")),
]
handler404 = "recycling_network.rest.handlers.not_found"
handler500 = "recycling_network.rest.handlers.server_error"
