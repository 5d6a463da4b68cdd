"""Consignments: dispatching from an outlet, the list, a consignment's page, cancelling
(the sender) and receiving (the consignee), with the printable manifest."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from batteries.codes import InvalidBatteryCode, parse_battery_code
from batteries.exports import FORMATS, Export, export_response
from batteries.filtersets import ConsignmentFilterSet
from batteries.forms import CancelForm, DispatchForm, ReceiveForm, outlet_choices, split_codes
from batteries.models import BatteryStatus, Consignment, ConsignmentStatus, ItemOutcome
from batteries.selectors import consignment_items, get_consignment, visible_consignments
from batteries.services import consignment_cancel, consignment_dispatch, consignment_receive
from batteries.tables import PER_PAGE, ConsignmentTable
from batteries.views.common import configure, partner_member, query_without, signed_in, working_outlets
from batteries.views.stock import stock_queryset
from outlets.models import Outlet, OutletStatus
from outlets.selectors import network_outlets
from partners.models import Partner
from partners.selectors import partner_directory
from recycling_network.i18n import lazy_format
from recycling_network.tenancy import Actor, system_context
from recycling_network.web.forms import call_service


def consignment_queryset(actor: Actor) -> QuerySet[Consignment]:
    # Outlets a consignment names are approved (or since suspended or closed): public rows
    # every context can read, so these joins drop nothing.
    return visible_consignments(actor).select_related("from_partner", "from_outlet", "to_partner", "to_outlet")


def receiving_outlet_options(partner_id: int) -> list[Outlet]:
    """Approved outlets a receiving partner operates or is authorised to use, for the
    sender to choose from. Sharing grants are not the sender's to read, so they are read
    in the system context; only the outlets' public fields leave here, and the dispatch
    service checks the choice again."""
    with system_context():
        outlets = network_outlets(partner_id).filter(status=OutletStatus.APPROVED).select_related("prefecture")
        return list(outlets.only("code", "name", "prefecture__name").order_by("code", "pk"))


def _directory(actor: Actor) -> list[Partner]:
    return list(partner_directory(actor).exclude(pk=actor.partner_id).order_by("name", "pk"))


def _partner_id(value: Any, partners: list[Partner]) -> int | None:
    try:
        wanted = int(value)
    except (TypeError, ValueError):
        return None
    return wanted if any(p.pk == wanted for p in partners) else None


# --- the list ---------------------------------------------------------------------------


def _consignment_filters(request: HttpRequest) -> ConsignmentFilterSet:
    filterset = ConsignmentFilterSet(request.GET, queryset=consignment_queryset(request.actor), request=request)
    fields = filterset.form.fields
    directory = partner_directory(request.actor).order_by("name", "pk")
    fields["to_partner"].widget = forms.Select(choices=[("", "---------"), *((p.pk, p.name) for p in directory)])
    outlets = working_outlets(request.actor, include_suspended=True)
    if outlets:
        fields["from_outlet"].widget = forms.Select(choices=[("", "---------"), *outlet_choices(outlets)])
    return filterset


@signed_in
@require_GET
def consignment_list(request: HttpRequest) -> HttpResponse:
    filterset = _consignment_filters(request)
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    table = configure(request, ConsignmentTable(rows, partner_id=request.actor.partner_id), PER_PAGE)
    context = {"filterset": filterset, "table": table, "export_query": query_without(request, "page")}
    return render(request, "batteries/consignments.html", context)


def _consignment_export(partner_id: int | None) -> Export:
    def direction(c: Consignment) -> Any:
        if c.from_partner_id == partner_id:
            return _("Outgoing")
        return _("Incoming") if c.to_partner_id == partner_id else ""

    return Export(
        name="consignments",
        header=[
            _("No."),
            _("Direction"),
            _("Sender"),
            _("From outlet"),
            _("Receiver"),
            _("To outlet"),
            _("Batteries"),
            _("Weight (kg)"),
            _("Status"),
            _("Dispatched at"),
            _("Received at"),
            _("Waybill"),
            _("Carrier"),
            _("Notes"),
        ],
        cells=lambda c: [
            c.pk,
            direction(c),
            c.from_partner.name,
            c.from_outlet.code,
            c.to_partner.name,
            c.to_outlet.code if c.to_outlet_id else "",
            c.battery_count,
            c.total_weight_kg,
            c.get_status_display(),
            c.dispatched_at,
            c.received_at,
            c.waybill,
            c.carrier,
            c.notes,
        ],
    )


@signed_in
@require_GET
def consignment_export(request: HttpRequest, format: str) -> HttpResponse:
    if format not in FORMATS:
        raise Http404
    filterset = _consignment_filters(request)
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    export = _consignment_export(request.actor.partner_id)
    return export_response(request.actor, rows.order_by("-id"), export, format)


# --- dispatch ---------------------------------------------------------------------------


@partner_member
@require_http_methods(["GET", "POST"])
def dispatch(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    outlets = working_outlets(actor, include_suspended=True)
    partners = _directory(actor)
    source = request.POST if request.method == "POST" else request.GET
    to_partner = _partner_id(source.get("to_partner"), partners)
    receiving = receiving_outlet_options(to_partner) if to_partner else []
    arguments = {"outlets": outlets, "partners": partners, "receiving_outlets": receiving}
    if request.method == "POST":
        form = DispatchForm(request.POST, **arguments)
        if form.is_valid():
            data = {**form.cleaned_data, "to_outlet": form.cleaned_data["to_outlet"] or None}
            consignment = call_service(form, consignment_dispatch, actor=actor, **data)
            if consignment is not None:
                messages.success(
                    request,
                    lazy_format(
                        _("Consignment #%(id)s dispatched: %(count)s batteries, %(kg)s kg."),
                        id=consignment.pk,
                        count=consignment.battery_count,
                        kg=consignment.total_weight_kg,
                    ),
                )
                return redirect("batteries:consignment", pk=consignment.pk)
    else:
        codes = split_codes("\n".join(request.GET.getlist("battery")))
        form = DispatchForm(
            initial={
                "from_outlet": _outlet_of(actor, codes) or request.GET.get("from_outlet", ""),
                "to_partner": to_partner,
                "batteries": "\n".join(codes),
            },
            **arguments,
        )
    context = {"form": form, "check_url": reverse("batteries:dispatch_check"), "texts": DISPATCH_TEXTS}
    return render(request, "batteries/dispatch.html", context)


DISPATCH_TEXTS = {
    "ready": _("In stock here"),
    "invalid": _("Invalid code"),
    "missing": _("Not in your stock at this outlet"),
    "duplicate": _("Already in the list"),
    "remove": _("Remove %(code)s"),
    "total": _("%(n)s batteries · %(kg)s kg"),
}


def _outlet_of(actor: Actor, codes: list[str]) -> str:
    """The outlet holding the first of the batteries ticked in the stock list."""
    if not codes:
        return ""
    found = stock_queryset(actor).filter(code__in=codes[:1], status=BatteryStatus.AT_OUTLET).first()
    return found.outlet.code if found is not None else ""


@partner_member
@require_GET
def receiving_outlets(request: HttpRequest) -> HttpResponse:
    """The receiving-outlet options for the chosen partner (an htmx partial)."""
    partner = _partner_id(request.GET.get("to_partner"), _directory(request.actor))
    options = receiving_outlet_options(partner) if partner else []
    return render(request, "batteries/partials/outlet_options.html", {"options": options, "partner": partner})


@partner_member
@require_GET
def dispatch_check(request: HttpRequest) -> JsonResponse:
    """Is this code in the actor's stock at the outlet it dispatches from?"""
    try:
        parsed = parse_battery_code(request.GET.get("code", "")[:200])
    except InvalidBatteryCode as error:
        return JsonResponse({"status": "invalid", "message": str(error.message)})
    battery = (
        stock_queryset(request.actor)
        .filter(code=parsed.code, status=BatteryStatus.AT_OUTLET)
        .values("code", "weight_kg", "hazard", "outlet__code")
        .first()
    )
    from_outlet = request.GET.get("from_outlet", "").strip().upper()
    if battery is None or (from_outlet and battery["outlet__code"] != from_outlet):
        return JsonResponse({"status": "missing", "code": parsed.code})
    return JsonResponse(
        {
            "status": "ready",
            "code": parsed.code,
            "weight_kg": str(battery["weight_kg"]),
            "hazard": battery["hazard"],
        }
    )


# --- one consignment ----------------------------------------------------------------------


def _receive_form(actor: Actor, consignment: Consignment, items: list, data: Any = None) -> ReceiveForm:
    """Outlets to choose from only when the consignment names none."""
    outlets = None if consignment.to_outlet_id else working_outlets(actor)
    return ReceiveForm(data, items=items, outlets=outlets, facility=actor.assigned_outlet_ids is None)


def _detail(
    request: HttpRequest,
    consignment: Consignment,
    *,
    receive_form: ReceiveForm | None = None,
    cancel_form: CancelForm | None = None,
) -> HttpResponse:
    actor = request.actor
    items = list(consignment_items(actor, consignment))
    open_ = consignment.status == ConsignmentStatus.IN_TRANSIT
    writer = actor.is_partner and actor.can_write()
    can_receive = open_ and writer and consignment.to_partner_id == actor.partner_id
    can_cancel = open_ and writer and consignment.from_partner_id == actor.partner_id
    # A refused form is shown with the service's reason even where it is not offered.
    if can_receive and receive_form is None:
        receive_form = _receive_form(actor, consignment, items)
    if can_cancel and cancel_form is None:
        cancel_form = CancelForm()
    context = {
        "consignment": consignment,
        "items": items,
        "total_kg": sum((i.weight_kg for i in items), Decimal("0")),
        "accepted": sum(1 for i in items if i.outcome == ItemOutcome.ACCEPTED),
        "rejected": sum(1 for i in items if i.outcome == ItemOutcome.REJECTED),
        "is_sender": consignment.from_partner_id == actor.partner_id,
        "receive_form": receive_form,
        "cancel_form": cancel_form,
        "texts": RECEIVE_TEXTS,
    }
    return render(request, "batteries/consignment.html", context)


RECEIVE_TEXTS = {
    "confirmed": _("Confirmed %(code)s"),
    "again": _("%(code)s is already confirmed"),
    "unknown": _("%(code)s is not in this consignment"),
    "progress": _("%(done)s of %(total)s confirmed"),
}


def _get(actor: Actor, pk: int) -> Consignment:
    return consignment_queryset(actor).get(pk=get_consignment(actor, pk).pk)


@signed_in
@require_GET
def consignment_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get(request.actor, pk))


@partner_member
@require_POST
def consignment_receive_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    consignment = _get(actor, pk)
    items = list(consignment_items(actor, consignment))
    form = _receive_form(actor, consignment, items, request.POST)
    if form.is_valid():
        rejected = form.rejected()
        done = call_service(
            form,
            consignment_receive,
            actor=actor,
            consignment=consignment.pk,
            outlet=form.cleaned_data.get("outlet") or None,
            rejected=rejected,
        )
        if done is not None:
            messages.success(
                request,
                lazy_format(
                    _("Consignment #%(id)s received: %(accepted)s accepted, %(rejected)s rejected."),
                    id=done.pk,
                    accepted=len(items) - len(rejected),
                    rejected=len(rejected),
                ),
            )
            return redirect("batteries:consignment", pk=consignment.pk)
    return _detail(request, consignment, receive_form=form)


@partner_member
@require_POST
def consignment_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    consignment = _get(actor, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        done = call_service(form, consignment_cancel, actor=actor, consignment=consignment.pk, **form.cleaned_data)
        if done is not None:
            messages.success(request, lazy_format(_("Consignment #%(id)s cancelled."), id=done.pk))
            return redirect("batteries:consignment", pk=consignment.pk)
    return _detail(request, consignment, cancel_form=form)
