"""Forms of the accounts pages, and the bridge from a form to a service call."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from partners.services.outbox import bilingual, outbox_enqueue
from recycling_network.errors import DomainError
from recycling_network.web.auth import REFUSALS, sign_in_refusal

T = TypeVar("T")


class RefusableForm(forms.Form):
    """A form the view may refuse before it is judged (``refusal``, a message): a rate limit
    answers without checking a password or writing anything. Put it first in the bases."""

    refusal: Any = None

    def clean(self) -> dict[str, Any]:
        if self.refusal is not None:
            raise ValidationError(self.refusal, code="rate_limited")
        return super().clean()


class SignInForm(RefusableForm, AuthenticationForm):
    """Django's sign-in form, telling a user with the right password why it is refused."""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError as error:
            if error.code != "invalid_login":
                raise
            reason = self._refusal()
            if reason is None:
                raise
            raise ValidationError(REFUSALS[reason], code=reason) from None

    def _refusal(self) -> str | None:
        # Only someone who knows the password learns that the account exists.
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not username or not password:
            return None
        model = get_user_model()
        user = model._default_manager.select_related("partner").filter(**{model.USERNAME_FIELD: username}).first()
        if user is None or not user.check_password(password):
            return None
        return sign_in_refusal(user)


def _same_address(a: str, b: str) -> bool:
    return unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()


class PasswordResetRequestForm(RefusableForm, PasswordResetForm):
    """Reset links go through the email outbox (sent after commit, DESIGN §10).

    Unlike Django's default, users who never set a password (an invitation that got
    lost) may ask for a link too; users who may not sign in get none."""

    def get_users(self, email: str) -> Iterator[Any]:
        model = get_user_model()
        email_field = model.get_email_field_name()
        users = model._default_manager.select_related("partner").filter(
            **{f"{email_field}__iexact": email, "is_active": True}
        )
        return (
            user for user in users if _same_address(email, getattr(user, email_field)) and sign_in_refusal(user) is None
        )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
        outbox_enqueue(
            to=[to_email],
            subject=bilingual(_("Reset your password on the recycling network")),
            body=render_to_string(email_template_name, context),
            kind="user.password_reset",
        )


def apply_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's refusal on the form: per-field messages on their fields, the rest
    (and the main message when no field matched) at the top."""
    matched = False
    for field, messages in error.errors.items():
        target = field if field in form.fields else None
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            if isinstance(message, dict):
                message = "; ".join(f"{key}: {value}" for key, value in message.items())
            form.add_error(target, message)
            matched = matched or target is not None
    if not matched:
        form.add_error(None, error.message)


def call_service(form: forms.BaseForm, service: Callable[..., T], /, **kwargs: Any) -> T | None:
    """Call ``service(**kwargs)`` for a valid form; on a ``DomainError`` put the error on
    the form and return None.

    The call runs in a savepoint: a refused change is rolled back while the request's
    transaction stays usable for rendering the form again, and an error that
    ``commits`` (a review case opened by a conflict) keeps its writes."""
    kept: DomainError | None = None
    try:
        with transaction.atomic():
            try:
                return service(**kwargs)
            except DomainError as error:
                if not error.commits:
                    raise
                kept = error
    except DomainError as error:
        apply_domain_error(form, error)
        return None
    apply_domain_error(form, kept)
    return None
