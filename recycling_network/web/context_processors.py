"""What every page's layout needs: the actor, its navigation and who is signed in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from recycling_network.tenancy import ANONYMOUS
from recycling_network.web.navigation import nav_links


def platform(request: HttpRequest) -> dict[str, Any]:
    # Pages outside the tenancy middleware (static files, health checks) have no actor.
    actor = getattr(request, "actor", ANONYMOUS)
    user = actor.user
    organisation = None
    if user is not None:
        organisation = user.partner.name if user.partner_id else _("Data center")
    return {
        "actor": actor,
        "nav_links": nav_links(actor, request.path) if not actor.is_anonymous else [],
        "signed_in_user": user,
        "signed_in_organisation": organisation,
        "signed_in_role": user.get_role_display() if user is not None else "",
    }
