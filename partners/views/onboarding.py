"""Joining the network and claiming codes (DESIGN §4, §9).

- ``/join/``: the public application form (no sign-in);
- ``/claims/``: a partner admin's code claims, with the progress of the history backfill;
- ``/audit/``: a partner admin's read-only view of the audit entries about its partner;
- the data center's queues (``partners.views.datacenter``) and the review cases
  (``batteries.review_views``), routed here under the ``partners:`` namespace.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from batteries import review_views
from partners.forms_onboarding import ApplicationForm, ClaimForm, contact_formset
from partners.selectors import get_partner, visible_audit_entries, visible_code_claims
from partners.services import code_claim_submit, partner_apply_with_claims
from partners.views import datacenter
from recycling_network.i18n import lazy_format
from recycling_network.tenancy import ActorRole
from recycling_network.web.forms import call_service
from recycling_network.web.rate_limits import application_limited

View = Callable[..., HttpResponse]
TOO_MANY_APPLICATIONS = _("Too many applications from this address. Try again later, or contact the data center.")


def partner_admin_required(view: View) -> View:
    """Let only partner admins in: anonymous visitors sign in, everyone else a 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.actor.is_anonymous:
            return redirect_to_login(request.get_full_path())
        if request.actor.role != ActorRole.PARTNER_ADMIN:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


# --- the application ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """Anyone may apply; the data center reviews the application before anyone signs in."""
    if request.method == "GET":
        return _render_join(request, ApplicationForm(), contact_formset())
    if "add_contact" in request.POST:
        # Re-show what was typed, with one more contact, without judging it yet.
        form = ApplicationForm(initial={**request.POST.dict(), "kinds": request.POST.getlist("kinds")})
        return _render_join(request, form, contact_formset(request.POST, add_one=True))
    form, contacts = ApplicationForm(request.POST), contact_formset(request.POST)
    if application_limited(request):
        form.refusal = TOO_MANY_APPLICATIONS
        return _render_join(request, form, contacts, status=429)
    if form.is_valid() and contacts.is_valid():
        data = form.cleaned_data
        partner = call_service(
            form,
            partner_apply_with_claims,
            actor=request.actor,
            name=data["name"],
            name_en=data["name_en"],
            credit_code=data["credit_code"],
            kinds=data["kinds"],
            contacts=contacts.contacts,
            claims=data["claims"],
        )
        if partner is not None:
            return redirect("partners:join_thanks")
    return _render_join(request, form, contacts)


def _render_join(request: HttpRequest, form: ApplicationForm, contacts: Any, status: int = 200) -> HttpResponse:
    return render(request, "partners/onboarding/join.html", {"form": form, "contacts": contacts}, status=status)


def join_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/onboarding/join_thanks.html")


# --- a partner's code claims -------------------------------------------------------------


@partner_admin_required
@require_http_methods(["GET", "POST"])
def claims(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    partner = get_partner(actor, actor.partner_id)
    form = ClaimForm(request.POST or None, partner_kinds=partner.kinds)
    if request.method == "POST" and form.is_valid():
        claim = call_service(form, code_claim_submit, actor=actor, partner=partner, **form.cleaned_data)
        if claim is not None:
            messages.success(
                request,
                lazy_format(
                    _("Your claim to code %(code)s was sent to the data center for approval."), code=claim.code
                ),
            )
            return redirect("partners:claims")
    context = {"form": form, "partner": partner, "claims": visible_code_claims(actor).order_by("-id")}
    return render(request, "partners/onboarding/claims.html", context)


def claim_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The backfill progress of an approved claim, polled by htmx until it is done."""
    actor = request.actor
    if actor.role not in (ActorRole.PARTNER_ADMIN, ActorRole.DATACENTER_ADMIN):
        if actor.is_anonymous:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    claim = datacenter.get_claim(request, pk)
    return render(request, "partners/onboarding/partials/claim_progress.html", {"claim": claim})


# --- a partner's audit log ---------------------------------------------------------------


@partner_admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    return datacenter.render_audit_log(request, visible_audit_entries(request.actor), partners=None)


urlpatterns = [
    path("join/", join, name="join"),
    path("join/thanks/", join_thanks, name="join_thanks"),
    path("claims/", claims, name="claims"),
    path("claims/<int:pk>/progress/", claim_progress, name="claim_progress"),
    path("audit/", audit_log, name="audit"),
    path("reviews/", review_views.partner_review_list, name="reviews"),
    path("reviews/<int:pk>/", review_views.partner_review_detail, name="review"),
    path("datacenter/partners/", datacenter.partner_queue, name="datacenter_partners"),
    path("datacenter/partners/<int:pk>/", datacenter.partner_detail, name="datacenter_partner"),
    path("datacenter/partners/<int:pk>/approve/", datacenter.partner_approve_view, name="datacenter_partner_approve"),
    path("datacenter/partners/<int:pk>/reject/", datacenter.partner_reject_view, name="datacenter_partner_reject"),
    path("datacenter/partners/<int:pk>/suspend/", datacenter.partner_suspend_view, name="datacenter_partner_suspend"),
    path(
        "datacenter/partners/<int:pk>/reactivate/",
        datacenter.partner_reactivate_view,
        name="datacenter_partner_reactivate",
    ),
    path(
        "datacenter/partners/<int:pk>/demonstration/",
        datacenter.partner_demonstration_view,
        name="datacenter_partner_demonstration",
    ),
    path("datacenter/claims/", datacenter.claim_queue, name="datacenter_claims"),
    path("datacenter/claims/<int:pk>/", datacenter.claim_detail, name="datacenter_claim"),
    path("datacenter/claims/<int:pk>/approve/", datacenter.claim_approve_view, name="datacenter_claim_approve"),
    path("datacenter/claims/<int:pk>/reject/", datacenter.claim_reject_view, name="datacenter_claim_reject"),
    path("datacenter/reviews/", review_views.datacenter_review_list, name="datacenter_reviews"),
    path("datacenter/reviews/<int:pk>/", review_views.datacenter_review_detail, name="datacenter_review"),
    path("datacenter/audit/", datacenter.audit_log, name="datacenter_audit"),
]
