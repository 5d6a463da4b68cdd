"""Partners, users, code claims, API keys, the audit log and the outbox in the Django
admin: read-only for data-center admins (recycling_network.admin), with the approvals as
admin actions calling the same services as the data center's screens.

``ServiceActionsMixin`` is shared with ``batteries.admin`` (review cases)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from partners.forms_onboarding import OptionalReasonForm, ReasonForm
from partners.models import ApiKey, AuditEntry, CodeClaim, OutboxEmail, Partner, PartnerContact, User
from partners.services import (
    code_claim_approve,
    code_claim_reject,
    partner_approve_and_onboard,
    partner_reactivate,
    partner_reject,
    partner_suspend,
)
from recycling_network.admin import ReadOnlyModelAdmin
from recycling_network.errors import DomainError
from recycling_network.i18n import lazy_format
from recycling_network.web.admin_site import is_datacenter_admin


class ServiceActionsMixin:
    """Admin actions that call services: one savepoint per selected row, so a refused row
    (a partner no longer applied, a claim already decided) rolls back alone and says why,
    and the others go through."""

    def has_decide_permission(self, request: HttpRequest) -> bool:
        """The ``decide`` permission of ``@admin.action(permissions=["decide"])``."""
        return is_datacenter_admin(request)

    def apply_service(
        self, request: HttpRequest, queryset: QuerySet, call: Callable[[Any], Any], done: str | Promise
    ) -> None:
        succeeded = 0
        for row in queryset:
            try:
                with transaction.atomic():
                    call(row)
            except DomainError as error:
                self.message_user(request, f"{row}: {error.message}", messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, lazy_format(done, n=succeeded), messages.SUCCESS)

    def form_action(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        *,
        form_class: type[forms.Form],
        title: str | Promise,
        call: Callable[[Model, dict[str, Any]], Any],
        done: str | Promise,
    ) -> HttpResponse | None:
        """An action that needs input (a reason, a resolution): an intermediate page with
        the form, posted back to the same action with the same selection."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self.apply_service(request, queryset, lambda row: call(row, form.cleaned_data), done)
            return None  # back to the list
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "rows": list(queryset),
            "action": request.POST.get("action", ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "partners/datacenter/admin_action_form.html", context)


@admin.register(Partner)
class PartnerAdmin(ServiceActionsMixin, ReadOnlyModelAdmin):
    list_display = ["name", "name_en", "credit_code", "status", "kinds", "demonstration_unit", "joined_on"]
    list_filter = ["status", "demonstration_unit"]
    search_fields = ["name", "name_en", "=credit_code"]
    actions = ["approve", "reject", "suspend", "reactivate"]

    @admin.action(description=_("Approve the applications and invite their first admins"), permissions=["decide"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Partner]) -> None:
        self.apply_service(
            request,
            queryset,
            lambda partner: partner_approve_and_onboard(actor=request.actor, partner=partner),
            _("Partners approved: %(n)s. Their primary contacts were invited."),
        )

    @admin.action(description=_("Reject the applications…"), permissions=["decide"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Partner]) -> HttpResponse | None:
        return self.form_action(
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Reject the applications"),
            call=lambda partner, data: partner_reject(actor=request.actor, partner=partner, reason=data["reason"]),
            done=_("Applications rejected: %(n)s."),
        )

    @admin.action(description=_("Suspend the partners…"), permissions=["decide"])
    def suspend(self, request: HttpRequest, queryset: QuerySet[Partner]) -> HttpResponse | None:
        return self.form_action(
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Suspend the partners"),
            call=lambda partner, data: partner_suspend(actor=request.actor, partner=partner, reason=data["reason"]),
            done=_("Partners suspended: %(n)s."),
        )

    @admin.action(description=_("Reactivate the partners…"), permissions=["decide"])
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Partner]) -> HttpResponse | None:
        return self.form_action(
            request,
            queryset,
            form_class=OptionalReasonForm,
            title=_("Reactivate the partners"),
            call=lambda partner, data: partner_reactivate(actor=request.actor, partner=partner, reason=data["reason"]),
            done=_("Partners reactivated: %(n)s."),
        )


@admin.register(PartnerContact)
class PartnerContactAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "partner", "title", "phone", "email", "is_primary"]
    list_filter = ["is_primary"]
    list_select_related = ["partner"]
    search_fields = ["name", "=email", "=phone", "partner__name"]


@admin.register(CodeClaim)
class CodeClaimAdmin(ServiceActionsMixin, ReadOnlyModelAdmin):
    list_display = ["code", "kind", "partner", "status", "created_at", "decided_at", "backfill_progress"]
    list_filter = ["status", "kind"]
    list_select_related = ["partner"]
    search_fields = ["=code", "partner__name"]
    actions = ["approve", "reject"]

    @admin.action(description=_("Approve the claims"), permissions=["decide"])
    def approve(self, request: HttpRequest, queryset: QuerySet[CodeClaim]) -> None:
        self.apply_service(
            request,
            queryset,
            lambda claim: code_claim_approve(actor=request.actor, claim=claim),
            _("Claims approved: %(n)s. Past records are being shared in the background."),
        )

    @admin.action(description=_("Reject the claims…"), permissions=["decide"])
    def reject(self, request: HttpRequest, queryset: QuerySet[CodeClaim]) -> HttpResponse | None:
        return self.form_action(
            request,
            queryset,
            form_class=ReasonForm,
            title=_("Reject the claims"),
            call=lambda claim, data: code_claim_reject(actor=request.actor, claim=claim, reason=data["reason"]),
            done=_("Claims rejected: %(n)s."),
        )


@admin.register(User)
class UserAdmin(ReadOnlyModelAdmin):
    list_display = ["username", "display_name", "email", "role", "partner", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    list_select_related = ["partner"]
    search_fields = ["username", "display_name", "email", "partner__name"]
    # Never the password hash; roles, not Django's groups and permissions, decide access.
    fields = ["username", "display_name", "email", "role", "partner", "is_active", "last_login", "date_joined"]


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "prefix", "partner", "scopes", "expires_at", "revoked_at", "last_used_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), ("partner", admin.EmptyFieldListFilter)]
    list_select_related = ["partner"]
    search_fields = ["name", "=prefix", "partner__name"]
    # Never secret_hash: a keyed hash is still material for an offline guess.
    fields = [
        "name",
        "prefix",
        "partner",
        "scopes",
        "allowed_networks",
        "expires_at",
        "created_at",
        "created_by",
        "revoked_at",
        "revoked_by",
        "last_used_at",
    ]
    readonly_fields = ["created_at"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    list_display = ["at", "actor_label", "action", "target_type", "target_id", "target_label"]
    list_filter = ["target_type"]
    search_fields = ["=action", "actor_label", "=target_id", "target_label"]
    readonly_fields = ["at"]


@admin.register(OutboxEmail)
class OutboxEmailAdmin(ReadOnlyModelAdmin):
    list_display = ["created_at", "kind", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["subject", "=kind"]
    # Not the body: invitations and password resets carry one-time links to set a password.
    fields = ["to", "subject", "kind", "status", "attempts", "last_error", "created_at", "sent_at"]
    readonly_fields = ["created_at"]
