"""Who may open the outlet screens, and paging."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from outlets.maps import Frame, OutletMap, outlet_map
from outlets.models import OutletStatus
from outlets.validation import location_warnings
from recycling_network.i18n import lazy_format

View = Callable[..., HttpResponse]
PER_PAGE = 50

#: The lifecycle's arrows as the status history names them.
HISTORY_LABELS = {
    "create": _("Draft created"),
    "submit": _("Submitted for review"),
    "request_changes": _("Changes requested"),
    "approve": _("Approved"),
    "reject": _("Rejected"),
    "suspend": _("Suspended"),
    "reopen": _("Reopened"),
    "close": _("Closed"),
}


def _guard(allowed: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.actor.is_anonymous:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.actor):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


#: A partner's admins: outlet applications, change requests and sharing.
partner_admin = _guard(lambda actor: actor.is_partner and actor.is_partner_admin)
#: Anyone of a partner: its network of own and shared outlets.
partner_member = _guard(lambda actor: actor.is_partner)
#: Data-center admins: the review queue and decisions.
datacenter_admin = _guard(lambda actor: actor.is_datacenter)


def page_of(request: HttpRequest, rows: Any, per_page: int = PER_PAGE) -> Page:
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The current filters, for the links to other pages of a list."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def history_rows(transitions: Any) -> list[dict[str, Any]]:
    return [
        {
            "at": t.at,
            "from": OutletStatus(t.from_status).label if t.from_status else "",
            "to": OutletStatus(t.to_status).label,
            "to_value": t.to_status,
            "action": HISTORY_LABELS.get(t.action, t.action),
            "by": t.actor_label,
            "reason": t.reason,
        }
        for t in transitions
    ]


def outlet_warnings(outlet: Any) -> list[Any]:
    return location_warnings(outlet.prefecture, outlet.longitude, outlet.latitude)


def location_map(
    *, name: str, prefecture: Any, longitude: Any, latitude: Any, others: Any = (), title: Any = None
) -> OutletMap | None:
    """The outlet's point, its prefecture's centre and ``others`` (``(lon, lat, label, url)``)
    on a local map; None without anything to draw."""
    centre = (prefecture.longitude, prefecture.latitude) if prefecture is not None else (None, None)
    points = [p for p in [(longitude, latitude), centre] if p[0] is not None and p[1] is not None]
    if not points:
        return None
    frame = Frame.enclosing(points)
    return outlet_map(
        frame,
        title=title or lazy_format(_("Location of %(name)s"), name=name),
        subject=(longitude, latitude, name) if longitude is not None and latitude is not None else None,
        centroid=(*centre, lazy_format(_("Centre of %(prefecture)s"), prefecture=str(prefecture)))
        if centre[0] is not None
        else None,
        others=others,
    )
