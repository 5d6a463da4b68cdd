"""The partner's own team and API keys, for its partner admins (DESIGN §9, §8 "Auth").

Data-center admins manage every partner's users and keys in the Django admin; these
pages are for partner admins only. Outlet staff get a 403, anonymous visitors the
sign-in page; another partner's user or key is a 404, like a missing one.

A new key's secret exists only in the response to the POST that created it: it is not
put in a URL, the session, a message or a log, and that response is not cached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import RedirectView

from outlets.models import Outlet
from outlets.selectors import usable_outlets
from outlets.services import staff_assign_outlets
from partners.forms import (
    ApiKeyCreateForm,
    ConfirmForm,
    DeactivateUserForm,
    StaffOutletsForm,
    UserInviteForm,
    UserProfileForm,
)
from partners.models import Partner, User, UserRole
from partners.selectors import get_api_key, get_partner, get_user, visible_api_keys, visible_users
from partners.services import api_key_create, api_key_revoke, user_create, user_set_active, user_update
from recycling_network.i18n import lazy_format
from recycling_network.tenancy import Actor, ActorRole
from recycling_network.web.forms import call_service

app_name = "team"

#: Rows per list page; partners rarely have more, and the page stays light when they do.
PAGE_SIZE = 50

View = Callable[..., HttpResponse]


def partner_admin_required(view: View) -> View:
    """Let only the partner's admins in: anonymous visitors sign in, everyone else a 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.actor.is_anonymous:
            return redirect_to_login(request.get_full_path())
        if request.actor.role != ActorRole.PARTNER_ADMIN:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one, which ``request.POST or None`` would
    take for a GET), or None for a GET."""
    return request.POST if request.method == "POST" else None


def _page(request: HttpRequest, rows: QuerySet) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _own_partner(actor: Actor) -> Partner:
    return get_partner(actor, actor.partner_id)


def _assignable_outlets(actor: Actor) -> QuerySet[Outlet]:
    """Outlets the partner's staff may work at: operated by it or shared with it."""
    return usable_outlets(actor, include_suspended=True, ignore_assignments=True).order_by("code")


# --- users -----------------------------------------------------------------------------


@partner_admin_required
def user_list(request: HttpRequest) -> HttpResponse:
    users = (
        visible_users(request.actor).prefetch_related("outlet_assignments__outlet").order_by("-is_active", "username")
    )
    return render(request, "partners/team/user_list.html", {"page": _page(request, users)})


def _invite(*, actor: Actor, partner: Partner, outlets: Iterable[Outlet], **fields: Any) -> User:
    # One transaction: a refused outlet assignment must not leave an invited user behind
    # (nor send the invitation, which waits for the commit).
    with transaction.atomic():
        user = user_create(actor=actor, partner=partner, **fields)
        if user.role == UserRole.OUTLET_STAFF and outlets:
            staff_assign_outlets(actor=actor, user=user, outlets=outlets)
    return user


@partner_admin_required
@require_http_methods(["GET", "POST"])
def user_invite(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = UserInviteForm(_posted(request), outlets=_assignable_outlets(actor), initial={"role": UserRole.OUTLET_STAFF})
    if request.method == "POST" and form.is_valid():
        user = call_service(form, _invite, actor=actor, partner=_own_partner(actor), **form.cleaned_data)
        if user is not None:
            messages.success(
                request,
                lazy_format(
                    _(
                        "%(username)s was invited: an email with a link to choose a password is on its way to %(email)s."
                    ),
                    username=user.get_username(),
                    email=user.email,
                ),
            )
            return redirect("partners:team:user", pk=user.pk)
    return render(request, "partners/team/user_invite.html", {"form": form})


def _render_user(
    request: HttpRequest,
    user: User,
    *,
    profile_form: UserProfileForm | None = None,
    outlets_form: StaffOutletsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    own_account = user.pk == request.actor.user_id
    if profile_form is None:
        initial = {"display_name": user.display_name, "email": user.email, "role": user.role}
        profile_form = UserProfileForm(initial=initial, own_account=own_account, prefix="profile")
    if outlets_form is None and user.role == UserRole.OUTLET_STAFF:
        assigned = list(user.outlet_assignments.values_list("outlet_id", flat=True))
        outlets_form = StaffOutletsForm(
            initial={"outlets": assigned}, outlets=_assignable_outlets(request.actor), prefix="staff"
        )
    context = {
        "member": user,
        "own_account": own_account,
        "profile_form": profile_form,
        "outlets_form": outlets_form if user.role == UserRole.OUTLET_STAFF else None,
        "assigned_outlets": user.outlet_assignments.select_related("outlet").order_by("outlet__code"),
    }
    return render(request, "partners/team/user_detail.html", context, status=status)


@partner_admin_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_user(request, get_user(request.actor, pk))


@partner_admin_required
@require_POST
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    user = get_user(actor, pk)
    own_account = user.pk == actor.user_id
    initial = {"display_name": user.display_name, "email": user.email, "role": user.role}
    form = UserProfileForm(request.POST, initial=initial, own_account=own_account, prefix="profile")
    if form.is_valid() and call_service(form, user_update, actor=actor, user=user, **form.cleaned_data):
        messages.success(request, _("Saved."))
        return redirect("partners:team:user", pk=user.pk)
    # The service works on its own locked copy, so ``user`` still shows the saved values.
    return _render_user(request, user, profile_form=form)


@partner_admin_required
@require_POST
def user_outlets(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    user = get_user(actor, pk)
    form = StaffOutletsForm(request.POST, outlets=_assignable_outlets(actor), prefix="staff")
    if form.is_valid():
        assigned = call_service(
            form, staff_assign_outlets, actor=actor, user=user, outlets=form.cleaned_data["outlets"]
        )
        if assigned is not None:
            messages.success(request, _("The outlets were saved."))
            return redirect("partners:team:user", pk=user.pk)
    return _render_user(request, user, outlets_form=form)


@partner_admin_required
@require_http_methods(["GET", "POST"])
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    user = get_user(actor, pk)
    form = DeactivateUserForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        done = call_service(form, user_set_active, actor=actor, user=user, active=False, **form.cleaned_data)
        if done is not None:
            messages.success(request, lazy_format(_("%(username)s was deactivated."), username=user.get_username()))
            return redirect("partners:team:user", pk=user.pk)
    context = {"member": user, "form": form, "own_account": user.pk == actor.user_id}
    return render(request, "partners/team/user_deactivate.html", context)


@partner_admin_required
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    user = get_user(actor, pk)
    form = ConfirmForm(request.POST)
    if form.is_valid() and call_service(form, user_set_active, actor=actor, user=user, active=True):
        messages.success(request, lazy_format(_("%(username)s can sign in again."), username=user.get_username()))
    else:
        for error in form.non_field_errors():
            messages.error(request, error)
    return redirect("partners:team:user", pk=user.pk)


# --- API keys --------------------------------------------------------------------------


@partner_admin_required
def key_list(request: HttpRequest) -> HttpResponse:
    keys = visible_api_keys(request.actor).order_by("-created_at", "-id")
    context = {"page": _page(request, keys), "now": timezone.now()}
    return render(request, "partners/team/key_list.html", context)


@partner_admin_required
@require_http_methods(["GET", "POST"])
@never_cache
@sensitive_variables("created", "secret")
def key_create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = ApiKeyCreateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        created = call_service(form, api_key_create, actor=actor, partner=_own_partner(actor), **form.cleaned_data)
        if created is not None:
            key, secret = created
            # Rendered, never redirected to: this response is the only place the secret
            # appears (never_cache keeps it out of the browser's and proxies' caches).
            return render(request, "partners/team/key_created.html", {"key": key, "secret": secret})
    return render(request, "partners/team/key_create.html", {"form": form})


@partner_admin_required
def key_detail(request: HttpRequest, pk: int) -> HttpResponse:
    context = {"key": get_api_key(request.actor, pk), "now": timezone.now()}
    return render(request, "partners/team/key_detail.html", context)


@partner_admin_required
@require_http_methods(["GET", "POST"])
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor
    key = get_api_key(actor, pk)
    form = ConfirmForm(_posted(request))
    revoked = request.method == "POST" and form.is_valid() and call_service(form, api_key_revoke, actor=actor, key=key)
    if revoked:
        messages.success(request, lazy_format(_("The key %(name)s was revoked."), name=key.name))
        return redirect("partners:team:keys")
    return render(request, "partners/team/key_revoke.html", {"key": key, "form": form})


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="partners:team:users"), name="index"),
    path("users/", user_list, name="users"),
    path("users/invite/", user_invite, name="user_invite"),
    path("users/<int:pk>/", user_detail, name="user"),
    path("users/<int:pk>/edit/", user_edit, name="user_edit"),
    path("users/<int:pk>/outlets/", user_outlets, name="user_outlets"),
    path("users/<int:pk>/deactivate/", user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", user_reactivate, name="user_reactivate"),
    path("keys/", key_list, name="keys"),
    path("keys/new/", key_create, name="key_create"),
    path("keys/<int:pk>/", key_detail, name="key"),
    path("keys/<int:pk>/revoke/", key_revoke, name="key_revoke"),
]
