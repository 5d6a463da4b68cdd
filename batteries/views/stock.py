"""The stock list, its downloads, and the hazards screen."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from batteries.exports import FORMATS, Export, export_response
from batteries.filtersets import BatteryFilterSet
from batteries.forms import HazardReportForm, outlet_choices
from batteries.models import Battery, BatteryStatus, Condition
from batteries.selectors import visible_batteries
from batteries.services import battery_report_hazard
from batteries.tables import PER_PAGE, BatteryTable
from batteries.views.common import configure, partner_member, query_without, signed_in, working_outlets
from recycling_network.i18n import lazy_format
from recycling_network.tenancy import Actor
from recycling_network.web.forms import call_service

HELD = (BatteryStatus.AT_OUTLET, BatteryStatus.AT_FACILITY, BatteryStatus.IN_TRANSIT)


def stock_queryset(actor: Actor) -> QuerySet[Battery]:
    """What the actor's partner holds (the data center: everything), at the outlets an
    outlet-staff user works at. Batteries sent away stay here while in transit: the
    sender is their custodian until receipt."""
    batteries = visible_batteries(actor)
    if actor.is_partner:
        batteries = batteries.filter(custodian_id=actor.partner_id)
    if actor.assigned_outlet_ids is not None:
        batteries = batteries.filter(Q(outlet_id__in=actor.assigned_outlet_ids) | ~Q(status=BatteryStatus.AT_OUTLET))
    return batteries.select_related("outlet")


def _filtered(request: HttpRequest) -> BatteryFilterSet:
    data = request.GET.copy()
    # The stock is what sits at the outlets; "all statuses" is one choice away.
    data.setdefault("status", BatteryStatus.AT_OUTLET)
    filterset = BatteryFilterSet(data, queryset=stock_queryset(request.actor), request=request)
    fields = filterset.form.fields
    outlets = working_outlets(request.actor, include_suspended=True)
    if outlets:
        fields["outlet"].widget = forms.Select(choices=[("", _("All my outlets")), *outlet_choices(outlets)])
    for name in ("received_after", "received_before"):
        fields[name].widget = forms.DateTimeInput(attrs={"type": "datetime-local"})
    return filterset


@signed_in
@require_GET
def stock(request: HttpRequest) -> HttpResponse:
    filterset = _filtered(request)
    batteries = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    table = configure(
        request, BatteryTable(batteries, exclude=() if request.actor.is_partner else ("select",)), PER_PAGE
    )
    query = query_without(request, "page")
    context = {
        "filterset": filterset,
        "table": table,
        "export_query": query,
        "hidden_filters": ["updated_after"],
        "ticked_text": _("Ticked: %(n)s"),
    }
    return render(request, "batteries/stock.html", context)


STOCK_EXPORT = Export(
    name="stock",
    header=[
        _("Battery code"),
        _("Type"),
        _("Chemistry"),
        _("Manufacturer code"),
        _("Weight (kg)"),
        _("Energy (kWh)"),
        _("VIN"),
        _("Status"),
        _("Hazard"),
        _("Outlet code"),
        _("Outlet"),
        _("Received at"),
    ],
    cells=lambda b: [
        b.code,
        b.get_product_type_display(),
        b.get_chemistry_display(),
        b.manufacturer_code,
        b.weight_kg,
        b.energy_kwh,
        b.vin,
        b.get_status_display(),
        b.get_hazard_display(),
        b.outlet.code if b.outlet_id else "",
        b.outlet.name if b.outlet_id else "",
        b.received_at,
    ],
)


@signed_in
@require_GET
def stock_export(request: HttpRequest, format: str) -> HttpResponse:
    if format not in FORMATS:
        raise Http404
    filterset = _filtered(request)
    batteries = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    return export_response(request.actor, batteries.order_by("-received_at", "-id"), STOCK_EXPORT, format)


def hazard_queryset(actor: Actor) -> QuerySet[Battery]:
    return stock_queryset(actor).filter(status__in=HELD).exclude(hazard="")


@partner_member
@require_http_methods(["GET", "POST"])
def hazards(request: HttpRequest) -> HttpResponse:
    """Hazardous batteries in the actor's care, and the report form (scan a code, pick
    the condition)."""
    if request.method == "POST":
        form = HazardReportForm(request.POST)
        if form.is_valid():
            battery = call_service(form, battery_report_hazard, actor=request.actor, **form.cleaned_data)
            if battery is not None:
                messages.success(
                    request,
                    lazy_format(
                        _("Recorded: %(code)s is %(condition)s."),
                        code=battery.code,
                        condition=Condition(form.cleaned_data["hazard"]).label,
                    ),
                )
                return redirect(reverse("batteries:hazards"))
    else:
        form = HazardReportForm(initial={"code": request.GET.get("code", "")})
    columns = ("select", "vin", "status")
    table = configure(request, BatteryTable(hazard_queryset(request.actor), exclude=columns), PER_PAGE)
    return render(request, "batteries/hazards.html", {"form": form, "table": table})
