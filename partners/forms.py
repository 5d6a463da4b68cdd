"""Forms of the partner-admin pages: the team's users and the partner's API keys.

Field names are the services' keyword arguments, so a service's per-field errors land
on the matching field (``recycling_network.web.forms.call_service``). The forms only
parse what the browser sends; the rules (who may do what, valid scopes and ranges, an
expiry in the future) stay in the services.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outlets.models import Outlet
from partners.models import UserRole
from recycling_network.tenancy import SCOPE_READ, SCOPE_WRITE

#: The roles a partner admin hands out (data-center admins belong to no partner).
PARTNER_ROLES = [
    (UserRole.PARTNER_ADMIN.value, UserRole.PARTNER_ADMIN.label),
    (UserRole.OUTLET_STAFF.value, UserRole.OUTLET_STAFF.label),
]

SCOPE_CHOICES = [
    (SCOPE_READ, _("Read: fetch batteries, outlets, consignments and the event feed")),
    (SCOPE_WRITE, _("Write: record intakes, consignments and other changes")),
]


class _LinkToFirstOption:
    """A radio or check-box group whose error-summary link jumps to its first option.

    Django gives such groups no id (the legend labels them), so the summary's link would
    point at ``#`` and lose the reader at the top of the page."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return super().id_for_label(id_, "0" if index is None else index)


class RadioGroup(_LinkToFirstOption, forms.RadioSelect):
    pass


class CheckboxGroup(_LinkToFirstOption, forms.CheckboxSelectMultiple):
    pass


class OutletChoiceField(forms.ModelMultipleChoiceField):
    """Outlets as check boxes labelled with their code and name."""

    widget = CheckboxGroup

    def label_from_instance(self, obj: Outlet) -> str:
        return f"{obj.code} {obj.name}"


def _outlets_field() -> OutletChoiceField:
    return OutletChoiceField(
        queryset=Outlet.objects.none(),
        required=False,
        label=_("Outlets"),
        help_text=_("Outlet staff work only at the outlets ticked here: outlets we operate or may use."),
    )


class UserInviteForm(forms.Form):
    """A new user of the partner; the invitation email lets them choose a password."""

    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Used to sign in. Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("The invitation with a link to choose a password is sent to this address."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=PARTNER_ROLES, widget=RadioGroup)
    outlets = _outlets_field()

    def __init__(self, *args: Any, outlets: QuerySet[Outlet], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outlets"].queryset = outlets
        self.fields["outlets"].help_text = _("For outlet staff: the outlets they work at. You can change this later.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("role") == UserRole.PARTNER_ADMIN and cleaned.get("outlets"):
            self.add_error("outlets", _("Only outlet staff are assigned to outlets; admins work at every outlet."))
        return cleaned


class UserProfileForm(forms.Form):
    """Role, display name and email of an existing user."""

    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=PARTNER_ROLES, widget=RadioGroup)

    def __init__(self, *args: Any, own_account: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if own_account:
            # Taking away one's own admin role would lock the partner's last admin out
            # in one click; another admin (or the data center) can do it.
            self.fields["role"].disabled = True
            self.fields["role"].help_text = _("You cannot change your own role.")


class StaffOutletsForm(forms.Form):
    outlets = _outlets_field()

    def __init__(self, *args: Any, outlets: QuerySet[Outlet], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outlets"].queryset = outlets


class DeactivateUserForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the audit log."),
    )


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the key is for, e.g. the system that uses it."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Permissions"),
        choices=SCOPE_CHOICES,
        initial=[SCOPE_READ],
        widget=CheckboxGroup,
        error_messages={"required": _("Choose at least one permission.")},
    )
    expires_at = forms.DateField(
        label=_("Expiry date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The key works until the end of this day (China Standard Time). Leave empty for no expiry."),
    )
    allowed_networks = forms.CharField(
        label=_("Allowed IP addresses or ranges"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "none"}),
        help_text=_(
            "One per line, e.g. 203.0.113.7 or 203.0.113.0/24. Requests from elsewhere are refused. "
            "Leave empty to allow any address."
        ),
    )

    def clean_expires_at(self) -> datetime.datetime | None:
        """The chosen date as the first instant after it, in the platform's time zone."""
        day = self.cleaned_data.get("expires_at")
        if day is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))

    def clean_allowed_networks(self) -> list[str]:
        text = self.cleaned_data.get("allowed_networks") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class ConfirmForm(forms.Form):
    """A confirmation with nothing to fill in; it only carries a service's refusal."""
