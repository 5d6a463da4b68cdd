"""The public outlet directory (DESIGN §4, §9): no sign-in, approved outlets, public fields
only, the same rows as ``GET /api/v1/public/outlets/`` (``public_outlets`` and
``OutletFilterSet``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from outlets.filtersets import OutletFilterSet
from outlets.forms import DirectoryFilterForm
from outlets.maps import Frame, outlet_map
from outlets.models import Outlet
from outlets.selectors import public_outlets
from outlets.views.common import location_map, page_of, query_without_page

SEARCH_FIELDS = ("province", "prefecture", "kind", "name")
MAP_POINTS = 2000
NEARBY = 200


def _entries() -> QuerySet[Outlet]:
    # Public fields only are rendered; stock and contacts are never read here.
    return public_outlets().select_related("operator", "prefecture__parent")


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    wanted = form.cleaned_data if form.is_valid() else {}
    data = {name: wanted[name] for name in SEARCH_FIELDS if wanted.get(name)}
    outlets = OutletFilterSet(data, queryset=_entries()).qs.order_by("prefecture_id", "code", "pk")
    page = page_of(request, outlets)
    points = outlets.values_list("code", "name", "longitude", "latitude")[:MAP_POINTS]
    drawn = outlet_map(
        Frame.china(),
        title=_("Recycling outlets found"),
        others=[
            (lon, lat, f"{code} {name}", reverse("outlets:directory_outlet", args=[code]))
            for code, name, lon, lat in points
        ],
        others_role="outlet",
    )
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "map": drawn,
        "map_limited": len(drawn.points) + drawn.outside >= MAP_POINTS,
        "map_limit": MAP_POINTS,
    }
    return render(request, "outlets/directory/list.html", context)


@require_GET
def directory_outlet(request: HttpRequest, code: str) -> HttpResponse:
    outlet = _entries().filter(code=code.strip().upper()).first()
    if outlet is None:
        raise Http404
    nearby = (
        public_outlets()
        .filter(prefecture_id=outlet.prefecture_id)
        .exclude(pk=outlet.pk)
        .values_list("code", "name", "longitude", "latitude")[:NEARBY]
    )
    drawn = location_map(
        name=outlet.name,
        prefecture=outlet.prefecture,
        longitude=outlet.longitude,
        latitude=outlet.latitude,
        others=[
            (lon, lat, f"{c} {name}", reverse("outlets:directory_outlet", args=[c])) for c, name, lon, lat in nearby
        ],
    )
    return render(request, "outlets/directory/outlet.html", {"outlet": outlet, "map": drawn})
