"""The data center's outlet work: the queue of applications, an outlet's review page with
its point on the map, the lifecycle decisions and pending change requests."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from outlets import services
from outlets.filtersets import OutletFilterSet
from outlets.forms import CommentsForm, OptionalReasonForm, QueueFilterForm, ReasonForm
from outlets.models import Outlet, OutletStatus
from outlets.selectors import (
    get_change_request,
    get_outlet,
    outlet_change_requests,
    outlet_contacts,
    outlet_grants,
    outlet_history,
    pending_change_requests,
    public_outlets,
    visible_outlets,
)
from outlets.services.lifecycle import ARROWS
from outlets.views.common import (
    datacenter_admin,
    history_rows,
    location_map,
    outlet_warnings,
    page_of,
    query_without_page,
)
from recycling_network.i18n import lazy_format
from recycling_network.web.forms import call_service

#: The data center's decisions: the form each takes, the service keyword its text goes to,
#: and the button's label.
DECISIONS: dict[str, tuple[type[forms.Form], str | None, Any]] = {
    "approve": (forms.Form, None, _("Approve")),
    "request_changes": (CommentsForm, "comments", _("Request changes")),
    "reject": (ReasonForm, "reason", _("Reject")),
    "suspend": (ReasonForm, "reason", _("Suspend")),
    "reopen": (OptionalReasonForm, "reason", _("Reopen")),
    "close": (OptionalReasonForm, "reason", _("Close")),
}
DONE = {
    "approve": _("Approved. The outlet's code is %(code)s."),
    "request_changes": _("Sent back to the applicant for changes."),
    "reject": _("Rejected. The applicant sees the reason."),
    "suspend": _("Suspended. The outlet may still dispatch but not receive."),
    "reopen": _("Reopened."),
    "close": _("Closed."),
}
OTHERS_ON_MAP = 500
QUEUE_FILTERS = ("status", "region", "province", "kind")


def _queue_rows(request: HttpRequest, form: QueueFilterForm) -> Any:
    """Outlets for the queue's filters, the longest waiting first."""
    wanted = form.cleaned_data if form.is_valid() else {"status": OutletStatus.SUBMITTED}
    data = {name: wanted[name] for name in QUEUE_FILTERS if wanted.get(name)}
    outlets = visible_outlets(request.actor).select_related("operator", "prefecture__parent", "prefecture__region")
    rows = OutletFilterSet(data, queryset=outlets).qs
    if wanted.get("waiting"):
        rows = rows.filter(submitted_at__lte=timezone.now() - datetime.timedelta(days=wanted["waiting"]))
    return rows.order_by("submitted_at", "pk")


@datacenter_admin
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.setdefault("status", OutletStatus.SUBMITTED)  # the applications waiting for a decision
    form = QueueFilterForm(data)
    pending = pending_change_requests(request.actor).select_related("outlet__operator", "outlet__prefecture__parent")
    page = page_of(request, _queue_rows(request, form))
    now = timezone.now()
    for outlet in page:
        outlet.waiting_days = (now - outlet.submitted_at).days if outlet.submitted_at else None
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "change_requests": list(pending.order_by("created_at", "pk")[:50]),
    }
    return render(request, "outlets/datacenter/queue.html", context)


def _review_outlet(request: HttpRequest, pk: int) -> Outlet:
    outlets = visible_outlets(request.actor).select_related("operator", "prefecture__parent", "prefecture__region")
    return get_outlet(request.actor, pk, outlets)


def _decision_forms(outlet: Outlet, bound: tuple[str, forms.Form] | None = None) -> list[dict[str, Any]]:
    """The decisions open to the data center in the outlet's status, each with its form."""
    available = []
    for name, (form_class, _field, label) in DECISIONS.items():
        arrow = ARROWS[name]
        if not arrow.by_datacenter or outlet.status not in arrow.sources:
            continue
        form = bound[1] if bound and bound[0] == name else form_class(prefix=name)
        url = reverse("outlets:decide", args=[outlet.pk, name])
        available.append({"name": name, "label": label, "form": form, "url": url})
    return available


def _review_context(request: HttpRequest, outlet: Outlet, bound: Any = None) -> dict[str, Any]:
    actor = request.actor
    others = (
        public_outlets()
        .filter(prefecture_id=outlet.prefecture_id, status=OutletStatus.APPROVED)
        .exclude(pk=outlet.pk)
        .values_list("pk", "longitude", "latitude", "code", "name")[:OTHERS_ON_MAP]
    )
    points = [(lon, lat, f"{code} {name}", reverse("outlets:review", args=[pk])) for pk, lon, lat, code, name in others]
    return {
        "outlet": outlet,
        "contacts": list(outlet_contacts(actor, outlet)),
        "history": history_rows(outlet_history(actor, outlet)),
        "change_requests": list(outlet_change_requests(actor, outlet)[:10]),
        "grants": list(outlet_grants(actor, outlet)),  # the data center sees every grant
        "map": location_map(
            name=outlet.name,
            prefecture=outlet.prefecture,
            longitude=outlet.longitude,
            latitude=outlet.latitude,
            others=points,
        ),
        "others_shown": len(points),
        "warnings": outlet_warnings(outlet),
        "decisions": _decision_forms(outlet, bound),
        "change_reject_form": ReasonForm(prefix="change"),
        "now": timezone.now(),
    }


@datacenter_admin
@require_GET
def review(request: HttpRequest, pk: int) -> HttpResponse:
    outlet = _review_outlet(request, pk)
    return render(request, "outlets/datacenter/review.html", _review_context(request, outlet))


@datacenter_admin
@require_POST
def decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One lifecycle decision; a refused one shows its errors on its form."""
    if action not in DECISIONS:
        raise Http404
    outlet = _review_outlet(request, pk)
    form_class, field, _label = DECISIONS[action]
    form = form_class(request.POST, prefix=action)
    if form.is_valid():
        kwargs = {field: form.cleaned_data[field]} if field else {}
        service = getattr(services, f"outlet_{action}")
        done = call_service(form, service, actor=request.actor, outlet=outlet, **kwargs)
        if done is not None:
            messages.success(request, lazy_format(DONE[action], code=done.code or ""))
            return redirect("outlets:review", pk=outlet.pk)
    outlet = _review_outlet(request, pk)
    context = _review_context(request, outlet, bound=(action, form))
    if not any(d["name"] == action for d in context["decisions"]):
        # The status moved on meanwhile; the form is no longer offered, so say why here.
        for error in form.non_field_errors():
            messages.error(request, error)
    return render(request, "outlets/datacenter/review.html", context, status=400)


@datacenter_admin
@require_POST
def decide_change(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Approve or reject a pending change request; back to the outlet's review page."""
    if decision not in ("approve", "reject"):
        raise Http404
    change = get_change_request(request.actor, pk)
    form: forms.Form = ReasonForm(request.POST, prefix="change") if decision == "reject" else forms.Form(request.POST)
    if form.is_valid():
        if decision == "approve":
            done = call_service(form, services.outlet_change_request_approve, actor=request.actor, request=change)
            success = _("Change approved: the outlet now has the new values.")
        else:
            done = call_service(
                form,
                services.outlet_change_request_reject,
                actor=request.actor,
                request=change,
                reason=form.cleaned_data["reason"],
            )
            success = _("Change request rejected.")
        if done is not None:
            messages.success(request, success)
            return redirect("outlets:review", pk=change.outlet_id)
    for field_errors in form.errors.values():
        for error in field_errors:
            messages.error(request, error)
    return redirect("outlets:review", pk=change.outlet_id)
