"""Every state change of the partners app (DESIGN §3: services)."""

from partners.services.api_keys import ApiKeyRefused, api_key_authenticate, api_key_create, api_key_revoke
from partners.services.audit import audit_record, snapshot
from partners.services.claims import code_claim_approve, code_claim_reject, code_claim_submit
from partners.services.onboarding import partner_apply_with_claims, partner_approve_and_onboard, partner_onboard_admin
from partners.services.outbox import notify_partner, outbox_enqueue
from partners.services.partners import (
    partner_apply,
    partner_approve,
    partner_create,
    partner_reactivate,
    partner_reject,
    partner_suspend,
    partner_update,
)
from partners.services.users import user_create, user_send_invitation, user_set_active, user_update

__all__ = [
    "ApiKeyRefused",
    "api_key_authenticate",
    "api_key_create",
    "api_key_revoke",
    "audit_record",
    "code_claim_approve",
    "code_claim_reject",
    "code_claim_submit",
    "notify_partner",
    "outbox_enqueue",
    "partner_apply",
    "partner_apply_with_claims",
    "partner_approve",
    "partner_approve_and_onboard",
    "partner_create",
    "partner_onboard_admin",
    "partner_reactivate",
    "partner_reject",
    "partner_suspend",
    "partner_update",
    "snapshot",
    "user_create",
    "user_send_invitation",
    "user_set_active",
    "user_update",
]
