"""Sharing authorisations (the operator lets other partners use an outlet, DESIGN §6) and
a partner's network: the outlets it operates and those shared with it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from outlets import services
from outlets.forms import GrantForm, OptionalReasonForm
from outlets.maps import Frame, outlet_map
from outlets.models import OutletStatus
from outlets.selectors import grants_for, network_outlets, outlet_grants
from outlets.views.applications import own_outlet
from outlets.views.common import page_of, partner_admin, partner_member
from partners.selectors import partner_directory
from recycling_network.errors import NotFound
from recycling_network.web.forms import call_service

IN_SERVICE = (OutletStatus.APPROVED, OutletStatus.SUSPENDED)
MAP_POINTS = 2000


@partner_admin
@require_http_methods(["GET", "POST"])
def sharing(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may use the outlet, who could, and a form to authorise one more partner."""
    actor = request.actor
    outlet = own_outlet(actor, pk)
    partners = partner_directory(actor).exclude(pk=actor.partner_id).order_by("name")
    form = GrantForm(request.POST or None, partners=partners)
    if request.method == "POST" and form.is_valid():
        grantee = partners.filter(pk=form.cleaned_data["grantee"]).first()
        grant = call_service(
            form, services.sharing_grant, actor=actor, outlet=outlet, grantee=grantee, note=form.cleaned_data["note"]
        )
        if grant is not None:
            messages.success(request, _("The partner may now use this outlet."))
            return redirect("outlets:sharing", pk=outlet.pk)
    grants = list(outlet_grants(actor, outlet).select_related("granted_by", "revoked_by"))
    context = {
        "outlet": outlet,
        "form": form,
        "can_share": outlet.status in IN_SERVICE,
        "active": [g for g in grants if g.is_active],
        "grants": grants,
        "revoke_form": OptionalReasonForm(prefix="revoke"),
    }
    return render(request, "outlets/sharing.html", context)


@partner_admin
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # The operator's grants only: a grantee sees its grant but does not revoke it.
    grant = grants_for(request.actor).filter(pk=pk, outlet__operator_id=request.actor.partner_id).first()
    if grant is None:
        raise NotFound()
    form = OptionalReasonForm(request.POST, prefix="revoke")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    done = call_service(form, services.sharing_revoke, actor=request.actor, grant=grant, reason=reason)
    if done is not None:
        messages.success(request, _("Authorisation revoked."))
    else:
        for error in form.non_field_errors():
            messages.error(request, error)
    return redirect("outlets:sharing", pk=grant.outlet_id)


@partner_member
@require_GET
def network(request: HttpRequest) -> HttpResponse:
    """The partner's network: outlets in service it operates, and those shared with it."""
    actor = request.actor
    outlets = (
        network_outlets(actor.partner_id)
        .filter(status__in=IN_SERVICE)
        .select_related("operator", "prefecture__parent")
        .order_by("prefecture_id", "code", "pk")
    )
    shared_since = dict(
        grants_for(actor)
        .filter(grantee_id=actor.partner_id, revoked_at__isnull=True)
        .values_list("outlet_id", "granted_at")
    )
    page = page_of(request, outlets)
    rows = [{"outlet": o, "shared_since": shared_since.get(o.pk)} for o in page]
    points = outlets.values_list("code", "name", "longitude", "latitude", "operator_id", "status")[:MAP_POINTS]
    drawn = outlet_map(
        Frame.china(),
        title=_("Our network"),
        others=[
            (
                lon,
                lat,
                f"{code} {name}",
                # The directory lists approved outlets only.
                reverse("outlets:directory_outlet", args=[code]) if status == OutletStatus.APPROVED else "",
                "own" if operator == actor.partner_id else "shared",
            )
            for code, name, lon, lat, operator, status in points
        ],
    )
    context = {"page": page, "rows": rows, "map": drawn, "shared_count": len(shared_since)}
    return render(request, "outlets/network.html", context)
