"""Users: data-center staff, partner admins and outlet staff."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, User, UserRole
from partners.services.audit import audit_record, snapshot
from partners.services.outbox import bilingual, outbox_enqueue
from recycling_network.authz import require_datacenter, require_partner_admin
from recycling_network.errors import Conflict, InvalidInput
from recycling_network.queries import lock_or_404
from recycling_network.tenancy import Actor

AUDITED = ("username", "email", "display_name", "role", "partner", "is_active", "is_staff")


def password_set_link(user: User) -> str:
    """A one-time link to choose a password (Django's reset token: it dies once used)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def user_send_invitation(user: User) -> None:
    outbox_enqueue(
        to=[user.email],
        subject=bilingual(_("You are invited to the recycling network")),
        body="\n".join(
            [
                bilingual(_("An account was created for you. Choose a password with this link:")),
                password_set_link(user),
                bilingual(_("Your user name:")) + f" {user.get_username()}",
            ]
        ),
        kind="user.invitation",
    )


def _check_role(actor: Actor, partner: Partner | None, role: str) -> None:
    if role not in UserRole.values:
        raise InvalidInput(_("Unknown role."), code="role_invalid", errors={"role": [_("Unknown.")]})
    if role == UserRole.DATACENTER_ADMIN or partner is None:
        require_datacenter(actor)
        if role != UserRole.DATACENTER_ADMIN or partner is not None:
            raise InvalidInput(
                _("Data-center admins belong to no partner; every other user belongs to one."),
                code="role_invalid",
                errors={"role": [_("Does not match the partner.")]},
            )
    else:
        require_partner_admin(actor, partner.pk)


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    partner: Partner | None,
    username: str,
    email: str,
    role: str,
    display_name: str = "",
    password: str | None = None,
) -> User:
    """Create a user; without a password the user is invited through the outbox."""
    _check_role(actor, partner, role)
    user = User(
        username=username.strip(),
        email=email.strip().lower(),
        display_name=display_name.strip(),
        role=role,
        partner=partner,
        is_staff=role == UserRole.DATACENTER_ADMIN,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise Conflict(
            _("This user name is taken."), code="username_taken", errors={"username": [_("Taken.")]}
        ) from error
    audit_record(
        actor=actor, action="user.create", target=user, after=snapshot(user, AUDITED), audience=_audience(user)
    )
    if not password:
        user_send_invitation(user)
    return user


def _audience(user: User) -> list[int]:
    return [user.partner_id] if user.partner_id else []


@transaction.atomic
def user_update(
    *, actor: Actor, user: User, role: str | None = None, display_name: str | None = None, email: str | None = None
) -> User:
    user = lock_or_404(User, user)
    _check_role(actor, user.partner, role or user.role)
    before = snapshot(user, AUDITED)
    if role is not None:
        user.role = role
    if display_name is not None:
        user.display_name = display_name.strip()
    if email is not None:
        user.email = email.strip().lower()
    user.save()
    audit_record(
        actor=actor,
        action="user.update",
        target=user,
        before=before,
        after=snapshot(user, AUDITED),
        audience=_audience(user),
    )
    return user


@transaction.atomic
def user_set_active(*, actor: Actor, user: User, active: bool, reason: str = "") -> User:
    """Deactivate (or reactivate) a user: sign-in and sessions stop working at once."""
    if user.partner_id is None:
        require_datacenter(actor)
    else:
        require_partner_admin(actor, user.partner_id)
    if actor.user_id == user.pk and not active:
        raise InvalidInput(_("You cannot deactivate yourself."), code="cannot_deactivate_self")
    user = lock_or_404(User, user)
    before = snapshot(user, AUDITED)
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        target=user,
        before=before,
        after=snapshot(user, AUDITED),
        reason=reason,
        audience=_audience(user),
    )
    return user
