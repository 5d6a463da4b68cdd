"""Review cases in the browser (DESIGN §7 "Mistakes", §4 "Review case").

The data center sees every case with the battery's current holder and settles it; a
partner sees the cases it opened (as the claimant), their status and outcome, and never
who holds the battery: that would tell it who else has a battery with that code.

Routed from ``partners.views.onboarding`` (names ``partners:reviews``, ``partners:review``,
``partners:datacenter_reviews``, ``partners:datacenter_review``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from batteries.models import ReviewCase, ReviewStatus
from batteries.selectors import battery_events, visible_review_cases
from batteries.services import review_case_resolve
from partners.forms_onboarding import ResolveForm, ReviewQueueFilter
from partners.views.datacenter import (
    datacenter_admin_required,
    page_of,
    query_without,
    queue_filter,
    refused_redirect,
)
from recycling_network.errors import NotFound
from recycling_network.i18n import lazy_format
from recycling_network.tenancy import Actor, ActorRole
from recycling_network.web.forms import call_service

# --- the data center ---------------------------------------------------------------------


@datacenter_admin_required
def datacenter_review_list(request: HttpRequest) -> HttpResponse:
    filters = queue_filter(ReviewQueueFilter, request, {"status": ReviewStatus.OPEN})
    # The data center's context sees every battery, so joining the holder drops no row.
    cases = (
        visible_review_cases(request.actor)
        .select_related("claimant", "claimant_outlet", "battery__custodian", "battery__outlet")
        .order_by("opened_at", "id")
    )
    if filters.is_valid():
        cases = filters.filter(cases)
    context = {"filters": filters, "page": page_of(request, cases), "query": query_without(request, "page")}
    return render(request, "batteries/reviews/datacenter_list.html", context)


@datacenter_admin_required
@require_http_methods(["GET", "POST"])
def datacenter_review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    case = _datacenter_case(actor, pk)
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        resolved = call_service(form, review_case_resolve, actor=actor, case=case, **form.cleaned_data)
        if resolved is not None:
            messages.success(
                request,
                lazy_format(
                    _("The case about %(code)s was resolved: %(resolution)s."),
                    code=resolved.battery_code,
                    resolution=resolved.get_resolution_display(),
                ),
            )
            return redirect("partners:datacenter_review", pk=case.pk)
        if refused := refused_redirect(request, form, "partners:datacenter_review", pk=pk):
            return refused
    events = []
    if case.battery_id is not None:
        events = battery_events(actor, case.battery).select_related("partner", "counterparty")
    return render(request, "batteries/reviews/datacenter_detail.html", {"case": case, "form": form, "events": events})


def _datacenter_case(actor: Actor, pk: int) -> ReviewCase:
    case = (
        visible_review_cases(actor)
        .select_related(
            "claimant", "claimant_outlet", "consignment", "battery__custodian", "battery__outlet", "resolved_by"
        )
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise NotFound()
    return case


# --- the claimant ------------------------------------------------------------------------


def _partner_member(request: HttpRequest) -> HttpResponse | None:
    if request.actor.is_anonymous:
        return redirect_to_login(request.get_full_path())
    if request.actor.role not in (ActorRole.PARTNER_ADMIN, ActorRole.OUTLET_STAFF):
        raise PermissionDenied
    return None


def claimant_cases(actor: Actor) -> QuerySet[ReviewCase]:
    """The partner's own cases; outlet staff see those opened at their outlets.

    Never joined to the battery: its holder is not the claimant's to see (and under
    row-level security the join would silently drop the row)."""
    cases = visible_review_cases(actor).filter(claimant_id=actor.partner_id)
    if actor.assigned_outlet_ids is not None:
        cases = cases.filter(claimant_outlet_id__in=actor.assigned_outlet_ids)
    return cases.select_related("claimant_outlet")


def partner_review_list(request: HttpRequest) -> HttpResponse:
    if (refused := _partner_member(request)) is not None:
        return refused
    filters = queue_filter(ReviewQueueFilter, request, {})
    cases = claimant_cases(request.actor).order_by("-opened_at", "-id")
    if filters.is_valid():
        cases = filters.filter(cases)
    context = {"filters": filters, "page": page_of(request, cases), "query": query_without(request, "page")}
    return render(request, "batteries/reviews/partner_list.html", context)


def partner_review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if (refused := _partner_member(request)) is not None:
        return refused
    # The same 404 for another partner's case and a missing one.
    case = claimant_cases(request.actor).filter(pk=pk).first()
    if case is None:
        raise NotFound()
    return render(request, "batteries/reviews/partner_detail.html", {"case": case, "outcome": outcome_for(case)})


def outcome_for(case: ReviewCase) -> Any:
    """What the resolution means for the claimant, in its words."""
    if case.status != ReviewStatus.RESOLVED:
        return _("The data center has not decided yet. You will be notified by email.")
    outlet = case.claimant_outlet
    texts = {
        "confirm_holder": _(
            "The data center confirmed the current holder. Your intake stays refused; "
            "if the battery is with you, keep it apart and contact the data center."
        ),
        "transfer": (
            lazy_format(
                _("Custody was transferred to your organisation: the battery is in your stock at %(outlet)s."),
                outlet=f"{outlet.code} {outlet.name}",
            )
            if outlet is not None
            else _("Custody was transferred to your organisation.")
        ),
        "counterfeit": _("The data center marked this battery code as counterfeit."),
    }
    return texts.get(case.resolution, case.get_resolution_display())
