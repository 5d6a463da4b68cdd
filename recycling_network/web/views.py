"""Accounts pages and the home page of each role."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from recycling_network.tenancy import ActorRole
from recycling_network.web import dashboards
from recycling_network.web.forms import PasswordResetRequestForm, SignInForm
from recycling_network.web.rate_limits import password_reset_limited, sign_in_limited

TOO_MANY_SIGN_INS = _("Too many sign-in attempts. Wait a few minutes and try again.")
TOO_MANY_RESETS = _("Too many reset requests from this address. Try again in an hour.")


class RateLimitedFormMixin:
    """POSTs past the view's limit (``limited(request)``) get the form back with the
    limit's message and 429, without the form being judged."""

    too_many: Any = ""

    def limited(self, request: HttpRequest) -> bool:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form()
        if self.limited(request):
            form.refusal = self.too_many
        if form.is_valid():
            return self.form_valid(form)
        response = self.form_invalid(form)
        if form.refusal is not None:
            response.status_code = 429
        return response


class SignInView(RateLimitedFormMixin, auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True
    too_many = TOO_MANY_SIGN_INS

    def limited(self, request: HttpRequest) -> bool:
        return sign_in_limited(request, request.POST.get("username", ""))


class SignOutView(auth_views.LogoutView):
    """POST only (Django's own rule): a link or an image cannot sign anyone out."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        # The session is gone; the message travels in the messages cookie.
        messages.info(request, _("You have signed out."))
        return response


class PasswordResetRequestView(RateLimitedFormMixin, auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    email_template_name = "registration/password_reset_email.txt"
    too_many = TOO_MANY_RESETS

    def limited(self, request: HttpRequest) -> bool:
        return password_reset_limited(request)


def home(request: HttpRequest) -> HttpResponse:
    """Each role's start page. Anonymous visitors sign in (the public outlet directory
    will take their place)."""
    actor = request.actor
    if actor.role == ActorRole.DATACENTER_ADMIN:
        context = {"overview": dashboards.datacenter_overview(actor)}
        return render(request, "home/datacenter.html", context)
    if actor.role == ActorRole.PARTNER_ADMIN:
        return render(request, "home/partner_admin.html", {"summary": dashboards.partner_summary(actor)})
    if actor.role == ActorRole.OUTLET_STAFF:
        return render(request, "home/outlet_staff.html", {"dashboard": dashboards.outlet_staff_dashboard(actor)})
    return redirect_to_login(request.get_full_path())


password_change = auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("password_change_done"))
password_change_done = auth_views.PasswordChangeDoneView.as_view()
password_reset = PasswordResetRequestView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view()
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view()
