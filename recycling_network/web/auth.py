"""Who may sign in: active users whose partner is active (DESIGN §8: suspending a partner
disables its sign-ins), and data-center admins.

The backend refuses everyone else, so an open session of a user whose partner is
suspended turns anonymous on its next request; the sign-in form then explains why a
correct password was refused (``sign_in_refusal``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from partners.models import PartnerStatus, UserRole

REFUSALS: dict[str, Promise] = {
    "inactive": _("This account has been deactivated. Ask your organisation's administrator to reactivate it."),
    "partner_suspended": _(
        "Your organisation's access to the platform is suspended, so you cannot sign in. Contact the data center."
    ),
    "partner_inactive": _("Your organisation is not (yet) active on the platform, so you cannot sign in."),
}


def sign_in_refusal(user: Any) -> str | None:
    """Why ``user`` may not sign in (a key of ``REFUSALS``), or None if it may."""
    if not user.is_active:
        return "inactive"
    if user.role == UserRole.DATACENTER_ADMIN:
        return None
    if user.partner_id is None:
        return "partner_inactive"
    status = user.partner.status
    if status == PartnerStatus.ACTIVE:
        return None
    return "partner_suspended" if status == PartnerStatus.SUSPENDED else "partner_inactive"


class PlatformAuthBackend(ModelBackend):
    """Django's model backend with the platform's rule of who may sign in."""

    def user_can_authenticate(self, user: Any) -> bool:
        return sign_in_refusal(user) is None

    def get_user(self, user_id: Any) -> Any:
        # The partner comes along: the header shows its name and the rule above reads its
        # status on every request.
        user = get_user_model()._default_manager.select_related("partner").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
