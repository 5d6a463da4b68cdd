"""The scan-first intake screen (DESIGN §9).

The page keeps its lines in the browser (``static/js/intake.js``): each scanned code is
checked at once by ``intake_check`` and submitted on its own to ``POST /api/v1/intakes/``
with the session, the CSRF token and an ``Idempotency-Key`` per line, so a line sent
twice (a reload while it was in flight) is recorded once and answered the same way. The
API also throttles the answers that confirm a code exists elsewhere. Without JavaScript
the same form posts one intake to this view.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from batteries import codes
from batteries.codes import InvalidBatteryCode, normalize_battery_code, parse_battery_code
from batteries.forms import IntakeForm
from batteries.models import BatteryStatus, Chemistry, Condition, ProductType, Source
from batteries.selectors import visible_batteries
from batteries.services import battery_receive
from batteries.views.common import partner_member, working_outlets
from recycling_network.i18n import lazy_format
from recycling_network.web.forms import call_service

# The parser's own segment names and labels (one table, in batteries.codes), plus the two
# pseudo-segments its errors use for a code of the wrong length or type.
SEGMENT_LABELS: dict[str, Any] = {
    segment.name: segment.label for layout in codes._LAYOUTS.values() for segment in layout
} | {"length": _("length"), "characters": _("characters")}

#: Texts the script shows, in the page's language.
SCRIPT_TEXTS = {
    "checking": _("Checking…"),
    "ready": _("Ready to submit"),
    "invalid": _("Invalid code"),
    "already": _("Already received"),
    "sending": _("Sending…"),
    "received": _("Received"),
    "custody": _("Held by another partner"),
    "failed": _("Not received"),
    "needs_weight": _("Enter the weight"),
    "unchecked": _("Not checked: the server did not answer. The line can still be submitted."),
    "network": _("No connection. The line stays here; submit it again."),
    "segment": _("Segment: %(segment)s"),
    "remove": _("Remove line %(code)s"),
    "submit": _("Submit %(n)s lines"),
    "submit_none": _("Nothing to submit"),
    "summary": _("%(ready)s to submit · %(ok)s received · %(problems)s need attention"),
    "sound_on": _("Sound on"),
    "sound_off": _("Sound off"),
    "duplicate": _("Already in the list (line %(n)s)."),
    "undone": _("Line %(code)s removed."),
    "open": _("Open the battery page"),
}


def _chosen_outlet(request: HttpRequest, outlets: list) -> str:
    wanted = (request.POST.get("outlet") or request.GET.get("outlet") or "").strip().upper()
    known = [o.code for o in outlets]
    return wanted if wanted in known else (known[0] if known else "")


@partner_member
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    outlets = working_outlets(actor)
    outlet = _chosen_outlet(request, outlets)
    if request.method == "POST":
        form = IntakeForm(request.POST, outlets=outlets)
        if form.is_valid():
            battery = call_service(form, battery_receive, actor=actor, **form.cleaned_data)
            if battery is not None:
                messages.success(request, lazy_format(_("Received %(code)s."), code=battery.code))
                return redirect(f"{reverse('batteries:intake')}?{urlencode({'outlet': form.cleaned_data['outlet']})}")
    else:
        form = IntakeForm(outlets=outlets, initial={"outlet": outlet})
    config = {
        "checkUrl": reverse("batteries:intake_check"),
        "submitUrl": "/api/v1/intakes/",
        "batteryUrl": reverse("batteries:battery", args=["CODE"]),
        "storageKey": f"rn-intake:v1:{actor.user_id}",
        "texts": SCRIPT_TEXTS,
        "sources": Source.choices,
        "conditions": Condition.choices,
    }
    context = {"form": form, "outlets": outlets, "outlet": outlet, "config": config}
    return render(request, "batteries/intake.html", context)


def _decoded(parsed: codes.BatteryCode) -> str:
    parts = [
        str(ProductType(parsed.product_type).label),
        str(Chemistry(parsed.chemistry).label),
    ]
    if parsed.production_year:
        parts.append(f"{parsed.production_year}-{parsed.production_month:02d}")
    parts.append(str(lazy_format(_("manufacturer %(code)s"), code=parsed.manufacturer_code)))
    if parsed.is_recode:
        parts.append(str(_("cascade-use re-code")))
    return " · ".join(parts)


@partner_member
@require_GET
def intake_check(request: HttpRequest) -> JsonResponse:
    """Decode one code and say whether the actor's partner already holds it.

    Whether another partner holds it is never said here: only the intake itself learns
    that (a 409 that opens a review case, throttled and audited)."""
    raw = request.GET.get("code", "")[:200]
    try:
        parsed = parse_battery_code(raw)
    except InvalidBatteryCode as error:
        return JsonResponse(
            {
                "status": "invalid",
                "code": normalize_battery_code(raw)[:64],
                "segment": error.segment,
                "segment_label": str(SEGMENT_LABELS.get(error.segment, error.segment)),
                "position": error.position,
                "message": str(error.message),
            }
        )
    held = (
        visible_batteries(request.actor)
        .filter(code=parsed.code, custodian_id=request.actor.partner_id)
        .exclude(status=BatteryStatus.VOID)
        .values_list("status", flat=True)
        .first()
    )
    answer = {"code": parsed.code, "decoded": _decoded(parsed)}
    if held is not None:
        status_label = BatteryStatus(held).label
        answer |= {
            "status": "yours",
            "message": str(
                lazy_format(_("Your organisation already holds this battery (%(status)s)."), status=status_label)
            ),
            "url": reverse("batteries:battery", args=[parsed.code]),
        }
    else:
        answer["status"] = "unknown"
    return JsonResponse(answer)
