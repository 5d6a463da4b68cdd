"""Partners, users, code claims, API keys, the audit log and the outbox in the Django
admin: read-only for data-center admins (recycling_network.admin)."""

from django.contrib import admin

from partners.models import ApiKey, AuditEntry, CodeClaim, OutboxEmail, Partner, User
from recycling_network.admin import ReadOnlyModelAdmin


@admin.register(Partner)
class PartnerAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "name_en", "credit_code", "status", "kinds", "demonstration_unit", "joined_on"]
    list_filter = ["status", "demonstration_unit"]
    search_fields = ["name", "name_en", "=credit_code"]


@admin.register(CodeClaim)
class CodeClaimAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "kind", "partner", "status", "created_at", "decided_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["partner"]
    search_fields = ["=code", "partner__name"]


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
