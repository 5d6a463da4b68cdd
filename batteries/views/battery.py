"""A battery's page: what it is, where it is (for those who may know), the events the
reader may see with their chain status, and what the custodian can record about it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from batteries.forms import CorrectionForm, HazardForm, InspectForm
from batteries.models import (
    Battery,
    BatteryStatus,
    Chemistry,
    Condition,
    CustodyEvent,
    EventKind,
    ProductType,
    RejectionReason,
    Source,
)
from batteries.selectors import battery_events, get_battery, sees_where_now
from batteries.services import battery_inspect, battery_report_hazard, event_correct
from batteries.views.chain import visible_chain_status
from batteries.views.common import signed_in
from partners.selectors import partner_directory
from recycling_network.tenancy import Actor
from recycling_network.web.forms import call_service

HELD = (BatteryStatus.AT_OUTLET, BatteryStatus.AT_FACILITY)

# How each recorded field reads on the timeline; fields not named here are not shown
# (the code and decoded type repeat the page's header).
DATA_LABELS: dict[str, Any] = {
    "source": _("Source"),
    "condition": _("Condition"),
    "hazard": _("Condition"),
    "weight_kg": _("Weight (kg)"),
    "energy_kwh": _("Energy (kWh)"),
    "vin": _("VIN"),
    "soh_percent": _("State of health (%)"),
    "insulation_ok": _("Insulation intact"),
    "casing_ok": _("Casing intact"),
    "consignment": _("Consignment no."),
    "destination_partner": _("To partner"),
    "destination_outlet": _("To outlet"),
    "waybill": _("Waybill"),
    "carrier": _("Carrier"),
    "reason": _("Reason"),
    "note": _("Note"),
    "notes": _("Notes"),
    "returned_to": _("Returned to outlet"),
    "over_capacity": _("Above the outlet's capacity"),
    "facility": _("At the partner's own facility"),
    "corrects_seq": _("Corrects event"),
    "changes": _("New values"),
    "voided_seq": _("Withdraws event"),
    "new_code": _("New code"),
}
CHOICE_LABELS = {
    "source": Source,
    "condition": Condition,
    "hazard": Condition,
    "product_type": ProductType,
    "chemistry": Chemistry,
}


@dataclass(frozen=True)
class Fact:
    label: Any
    value: Any
    url: str = ""


@dataclass(frozen=True)
class TimelineEntry:
    event: CustodyEvent
    facts: list[Fact]
    corrected_by: list[int]


def _value(key: str, value: Any, kind: str, names: dict[int, str]) -> tuple[Any, str]:
    if isinstance(value, bool):
        return (_("Yes") if value else _("No")), ""
    if key in CHOICE_LABELS and value in CHOICE_LABELS[key].values:
        return CHOICE_LABELS[key](value).label, ""
    if key == "reason" and kind == EventKind.HANDOVER_REJECTED and value in RejectionReason.values:
        return RejectionReason(value).label, ""
    if key == "destination_partner":
        return names.get(value, f"#{value}"), ""
    if key == "consignment":
        return f"#{value}", reverse("batteries:consignment", args=[value])
    if key in ("corrects_seq", "voided_seq"):
        return f"#{value}", ""
    if key == "changes" and isinstance(value, dict):
        return "; ".join(f"{DATA_LABELS.get(k, k)}: {v}" for k, v in value.items()), ""
    return value, ""


def _timeline(events: list[CustodyEvent], names: dict[int, str]) -> list[TimelineEntry]:
    corrections: dict[int, list[int]] = {}
    for event in events:
        if event.kind == EventKind.CORRECTED and "corrects_seq" in event.data:
            corrections.setdefault(event.data["corrects_seq"], []).append(event.seq)
    entries = []
    for event in events:
        facts = []
        for key, label in DATA_LABELS.items():
            if key in event.data:
                value, url = _value(key, event.data[key], event.kind, names)
                facts.append(Fact(label, value, url))
        entries.append(TimelineEntry(event, facts, corrections.get(event.seq, [])))
    return entries


def _partner_names(actor: Actor, events: list[CustodyEvent]) -> dict[int, str]:
    ids = {e.data.get("destination_partner") for e in events} - {None}
    if not ids:
        return {}
    return dict(partner_directory(actor).filter(pk__in=ids).values_list("pk", "name"))


@dataclass(frozen=True)
class Permissions:
    inspect: bool
    hazard: bool
    correct: bool


def _permissions(actor: Actor, battery: Battery, own_events: list[CustodyEvent]) -> Permissions:
    """Which forms to offer; the services decide (and refuse) in the end."""
    if not (actor.is_partner and actor.can_write()):
        return Permissions(False, False, False)
    ours = battery.custodian_id == actor.partner_id
    assigned = actor.assigned_outlet_ids is None or battery.outlet_id in actor.assigned_outlet_ids
    consignee = battery.status == BatteryStatus.IN_TRANSIT and battery.consignee_id == actor.partner_id
    return Permissions(
        inspect=ours and assigned and battery.status in HELD,
        hazard=consignee or (ours and assigned and battery.status in (*HELD, BatteryStatus.IN_TRANSIT)),
        correct=bool(own_events),
    )


@signed_in
@require_http_methods(["GET", "POST"])
def battery_page(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.actor
    battery = get_battery(actor, code)
    events = list(battery_events(actor, battery).select_related("partner", "counterparty", "outlet"))
    own_events = [e for e in events if e.partner_id == actor.partner_id and e.kind != EventKind.CORRECTED]
    allowed = _permissions(actor, battery, own_events)
    forms: dict[str, Form] = {
        "inspect": InspectForm(prefix="inspect"),
        "hazard": HazardForm(prefix="hazard", initial={"hazard": battery.hazard or Condition.INTACT}),
        "correct": CorrectionForm(prefix="correct", events=own_events),
    }
    opened = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action in forms:
            # Even a form the page did not offer is shown with the service's refusal.
            allowed = replace(allowed, **{action: True})
        done = _handle(request, action, battery, forms, own_events)
        if done:
            return redirect(reverse("batteries:battery", args=[battery.code]) + "#timeline")
        opened = action
    where_now = sees_where_now(actor, battery)
    context = {
        "battery": battery,
        "where_now": where_now,
        "custodian": battery.custodian if where_now else None,
        "outlet": battery.outlet if where_now and battery.outlet_id else None,
        "timeline": _timeline(events, _partner_names(actor, events)),
        "chain": visible_chain_status(events, whole_chain=actor.is_datacenter),
        "allowed": allowed,
        "forms": forms,
        "opened": opened,
    }
    return render(request, "batteries/battery.html", context)


def _handle(
    request: HttpRequest, action: str, battery: Battery, forms: dict[str, Form], own_events: list[CustodyEvent]
) -> bool:
    actor = request.actor
    if action == "inspect":
        form = forms["inspect"] = InspectForm(request.POST, prefix="inspect")
        if form.is_valid() and call_service(form, battery_inspect, actor=actor, code=battery.code, **form.cleaned_data):
            messages.success(request, _("Inspection recorded."))
            return True
    elif action == "hazard":
        form = forms["hazard"] = HazardForm(request.POST, prefix="hazard")
        if form.is_valid() and call_service(
            form, battery_report_hazard, actor=actor, code=battery.code, **form.cleaned_data
        ):
            messages.success(request, _("Condition recorded."))
            return True
    elif action == "correct":
        form = forms["correct"] = CorrectionForm(request.POST, prefix="correct", events=own_events)
        if form.is_valid() and call_service(
            form,
            event_correct,
            actor=actor,
            event_id=form.cleaned_data["event_id"],
            changes=form.changes(),
            reason=form.cleaned_data["reason"],
        ):
            messages.success(request, _("Correction recorded."))
            return True
    return False
