"""A partner admin's outlets: applications (draft, edit, submit, copy a rejection), the
status history and review comments, closing, and change requests after approval."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from outlets import services
from outlets.forms import (
    ChangeRequestForm,
    OptionalReasonForm,
    OutletForm,
    OutletServiceForm,
    contact_formset,
    contacts_of,
    decimal_or_none,
)
from outlets.models import Outlet, OutletStatus
from outlets.selectors import (
    get_outlet,
    outlet_change_requests,
    outlet_contacts,
    outlet_history,
    prefectures,
    visible_outlets,
)
from outlets.validation import location_warnings
from outlets.views.common import (
    history_rows,
    location_map,
    outlet_warnings,
    page_of,
    partner_admin,
    query_without_page,
)
from partners.selectors import get_partner
from recycling_network.errors import NotFound
from recycling_network.i18n import lazy_format
from recycling_network.tenancy import Actor
from recycling_network.web.forms import call_service

IN_SERVICE = (OutletStatus.APPROVED, OutletStatus.SUSPENDED)
DRAFT_INITIAL = (
    "name",
    "kind",
    "address",
    "longitude",
    "latitude",
    "storage_area_m2",
    "capacity_kg",
    "opening_hours",
)


def own_outlet(actor: Actor, pk: int) -> Outlet:
    """One of the partner's own outlets; another partner's (even a public one) is a 404 here."""
    outlets = visible_outlets(actor).select_related("operator", "prefecture__parent")
    outlet = get_outlet(actor, pk, outlets)
    if outlet.operator_id != actor.partner_id:
        raise NotFound()
    return outlet


def _detail(outlet: Outlet) -> HttpResponse:
    return redirect("outlets:detail", pk=outlet.pk)


def _announce(request: HttpRequest, warnings: list[Any]) -> None:
    for warning in warnings:
        messages.warning(request, warning)


def _map_for_form(form: forms.Form) -> Any:
    """The map preview of what the form holds now (or held when it was shown)."""
    data = form.data if form.is_bound else form.initial
    return map_preview_context(data.get("prefecture"), data.get("longitude"), data.get("latitude"))


def map_preview_context(adcode: Any, longitude: Any, latitude: Any) -> dict[str, Any]:
    prefecture = prefectures().filter(adcode=str(adcode or "").strip()[:6]).first() if adcode else None
    lon, lat = decimal_or_none(longitude), decimal_or_none(latitude)
    if lon is not None and lat is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
        lon = lat = None
    drawn = None
    if prefecture is not None or (lon is not None and lat is not None):
        drawn = location_map(name=str(_("New outlet")), prefecture=prefecture, longitude=lon, latitude=lat)
    warnings = (
        location_warnings(prefecture, lon, lat)
        if prefecture is not None and lon is not None and lat is not None
        else []
    )
    return {"map": drawn, "map_warnings": warnings}


@partner_admin
@require_GET
def my_outlets(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    outlets = (
        visible_outlets(actor)
        .filter(operator_id=actor.partner_id)
        .select_related("prefecture__parent")
        .order_by("-updated_at", "-pk")
    )
    status = request.GET.get("status", "")
    if status in OutletStatus.values:
        outlets = outlets.filter(status=status)
    context = {
        "page": page_of(request, outlets),
        "status": status,
        "statuses": OutletStatus.choices,
        "query": query_without_page(request),
    }
    return render(request, "outlets/my_outlets.html", context)


@partner_admin
@require_http_methods(["GET", "POST"])
def outlet_new(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = OutletForm(request.POST or None)
    contacts = contact_formset(request.POST or None)
    if request.method == "POST" and form.is_valid() & contacts.is_valid():
        operator = get_partner(actor, actor.partner_id)
        result = call_service(
            form,
            services.outlet_create,
            actor=actor,
            operator=operator,
            contacts=contacts_of(contacts),
            **form.cleaned_data,
        )
        if result is not None:
            messages.success(request, _("Draft saved. Submit it for review when it is complete."))
            _announce(request, result.warnings)
            return _detail(result.outlet)
    context = {"form": form, "contacts": contacts, "outlet": None, **_map_for_form(form)}
    return render(request, "outlets/outlet_form.html", context)


@partner_admin
@require_GET
def map_preview(request: HttpRequest) -> HttpResponse:
    """The form's map and location warning, redrawn by htmx as the fields change."""
    context = map_preview_context(
        request.GET.get("prefecture"), request.GET.get("longitude"), request.GET.get("latitude")
    )
    return render(request, "outlets/partials/map_preview.html", context)


@partner_admin
@require_GET
def outlet_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    outlet = own_outlet(actor, pk)
    change_requests = list(outlet_change_requests(actor, outlet)[:10])
    context = {
        "outlet": outlet,
        "contacts": list(outlet_contacts(actor, outlet)),
        "history": history_rows(outlet_history(actor, outlet)),
        "change_requests": change_requests,
        "pending_change": next((c for c in change_requests if c.status == "pending"), None),
        "map": location_map(
            name=outlet.name, prefecture=outlet.prefecture, longitude=outlet.longitude, latitude=outlet.latitude
        ),
        "warnings": outlet_warnings(outlet),
        "in_service": outlet.status in IN_SERVICE,
        "close_form": OptionalReasonForm(prefix="close"),
    }
    return render(request, "outlets/outlet_detail.html", context)


@partner_admin
@require_http_methods(["GET", "POST"])
def outlet_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft changes in full; an outlet in service changes its name, opening hours and
    contacts here (kind, size and location through a change request)."""
    actor = request.actor
    outlet = own_outlet(actor, pk)
    if outlet.status == OutletStatus.DRAFT:
        initial = {f: getattr(outlet, f) for f in DRAFT_INITIAL} | {"prefecture": outlet.prefecture_id}
        form: forms.Form = OutletForm(request.POST or None, initial=initial)
    elif outlet.status in IN_SERVICE:
        form = OutletServiceForm(
            request.POST or None, initial={"name": outlet.name, "opening_hours": outlet.opening_hours}
        )
    else:
        messages.error(
            request,
            lazy_format(_("An outlet that is %(status)s cannot be edited."), status=outlet.get_status_display()),
        )
        return _detail(outlet)
    contacts = contact_formset(request.POST or None, outlet_contacts(actor, outlet))
    if request.method == "POST" and form.is_valid() & contacts.is_valid():
        result = call_service(
            form,
            services.outlet_update,
            actor=actor,
            outlet=outlet,
            contacts=contacts_of(contacts),
            **form.cleaned_data,
        )
        if result is not None:
            messages.success(request, _("Saved."))
            _announce(request, result.warnings)
            return _detail(outlet)
    context = {"form": form, "contacts": contacts, "outlet": outlet}
    if outlet.status == OutletStatus.DRAFT:
        context |= _map_for_form(form)
    return render(request, "outlets/outlet_form.html", context)


def _act(request: HttpRequest, service: Any, success: Any, **kwargs: Any) -> Any:
    """Run a button's service; its refusal becomes an error message on the page it returns to."""
    form = forms.Form({})
    form.is_valid()  # an empty bound form takes the service's errors
    result = call_service(form, service, actor=request.actor, **kwargs)
    if result is None:
        for error in form.non_field_errors():
            messages.error(request, error)
        for field_errors in form.errors.values():
            for error in field_errors:
                if error not in form.non_field_errors():
                    messages.error(request, error)
        return None
    messages.success(request, success)
    return result


@partner_admin
@require_POST
def outlet_submit(request: HttpRequest, pk: int) -> HttpResponse:
    outlet = own_outlet(request.actor, pk)
    _act(request, services.outlet_submit, _("Submitted. The data center will review the application."), outlet=outlet)
    return _detail(outlet)


@partner_admin
@require_POST
def outlet_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """A rejection is final; a new draft starts from its contents."""
    outlet = own_outlet(request.actor, pk)
    result = _act(
        request, services.outlet_copy_rejected, _("A new draft was made from the rejected application."), outlet=outlet
    )
    if result is None:
        return _detail(outlet)
    return redirect("outlets:edit", pk=result.outlet.pk)


@partner_admin
@require_POST
def outlet_close(request: HttpRequest, pk: int) -> HttpResponse:
    outlet = own_outlet(request.actor, pk)
    form = OptionalReasonForm(request.POST, prefix="close")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _act(request, services.outlet_close, _("The outlet is closed."), outlet=outlet, reason=reason)
    return _detail(outlet)


@partner_admin
@require_http_methods(["GET", "POST"])
def change_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the data center to change kind, size or location of an outlet in service."""
    actor = request.actor
    outlet = own_outlet(actor, pk)
    pending = outlet_change_requests(actor, outlet).filter(status="pending").first()
    if outlet.status not in IN_SERVICE or pending is not None:
        if pending is not None:
            messages.info(request, _("A change request for this outlet is waiting for the data center."))
        else:
            messages.error(request, _("Only an approved or suspended outlet takes change requests."))
        return _detail(outlet)
    initial = {
        "kind": outlet.kind,
        "prefecture": outlet.prefecture_id,
        "address": outlet.address,
        "longitude": outlet.longitude,
        "latitude": outlet.latitude,
        "storage_area_m2": outlet.storage_area_m2,
        "capacity_kg": outlet.capacity_kg,
    }
    form = ChangeRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        result = call_service(
            form, services.outlet_change_request_submit, actor=actor, outlet=outlet, **form.cleaned_data
        )
        if result is not None:
            messages.success(request, _("Change requested. It applies once the data center approves it."))
            _announce(request, result.warnings)
            return _detail(outlet)
    context = {"form": form, "outlet": outlet, "cancel_url": reverse("outlets:detail", args=[outlet.pk])}
    context |= _map_for_form(form)
    return render(request, "outlets/change_request_form.html", context)
