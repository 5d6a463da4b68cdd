"""Forms of the outlet screens. Field names are the services' keyword arguments, so a
service's per-field errors land on the matching field (``call_service``); the rules
themselves (kind limits, coordinates inside China, capacity and stock) live in the
services and ``outlets.validation``, not here."""

from __future__ import annotations

from decimal import Decimal
from itertools import groupby
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outlets.models import OutletKind, OutletStatus
from outlets.selectors import prefectures, provinces
from recycling_network.i18n import lazy_format

WAITING_DAYS = (1, 3, 7, 14, 30)


def prefecture_choices(blank: str | Any = "") -> list[Any]:
    """Prefectures grouped by province (about 340 options, one query)."""
    rows = prefectures().order_by("adcode")
    grouped = [
        (str(province), [(p.adcode, p.name) for p in group])
        for province, group in groupby(rows, key=lambda p: p.parent)
    ]
    return [("", blank or "—"), *grouped]


def province_choices() -> list[tuple[str, str]]:
    return [("", _("All provinces")), *((p.adcode, p.name) for p in provinces().order_by("adcode"))]


def region_choices() -> list[tuple[str, str]]:
    regions = {p.region.code: p.region for p in provinces()}
    ordered = sorted(regions.values(), key=lambda r: (r.sort_order, r.code))
    return [("", _("All regions")), *((r.code, r.name) for r in ordered)]


def _coordinate(label: Any, help_text: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=9, decimal_places=6, help_text=help_text)


class OutletLocationFields(forms.Form):
    """Kind, size and location: a draft's, and what a change request proposes."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=OutletKind.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Collection outlet: at least 10 m² of storage, at most 5,000 kg. "
            "Centralised-storage outlet: at least 30,000 kg."
        ),
    )
    prefecture = forms.ChoiceField(label=_("Prefecture"))
    address = forms.CharField(label=_("Address"), max_length=300)
    longitude = _coordinate(_("Longitude"), _("Decimal degrees east, 73.4 to 135.1 (e.g. 116.407394)."))
    latitude = _coordinate(_("Latitude"), _("Decimal degrees north, 3.8 to 53.6 (e.g. 39.904211)."))
    storage_area_m2 = forms.DecimalField(label=_("Storage area (m²)"), max_digits=10, decimal_places=2)
    capacity_kg = forms.DecimalField(label=_("Capacity (kg)"), max_digits=12, decimal_places=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["prefecture"].choices = prefecture_choices(_("Choose a prefecture"))


class OutletForm(OutletLocationFields):
    """A draft application: every field of the outlet (contacts come in their own formset)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    opening_hours = forms.CharField(
        label=_("Opening hours"), max_length=200, required=False, help_text=_("For example: Mon-Sat 09:00-17:00")
    )

    field_order = [
        "name",
        "kind",
        "prefecture",
        "address",
        "longitude",
        "latitude",
        "storage_area_m2",
        "capacity_kg",
        "opening_hours",
    ]


class OutletServiceForm(forms.Form):
    """After approval: the name and opening hours change freely."""

    name = forms.CharField(label=_("Name"), max_length=200)
    opening_hours = forms.CharField(
        label=_("Opening hours"), max_length=200, required=False, help_text=_("For example: Mon-Sat 09:00-17:00")
    )


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Contact name"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (cleaned.get("phone") or cleaned.get("email")) and not cleaned.get("name", "").strip():
            self.add_error("name", _("Give the contact's name."))
        return cleaned


# Three rows for a new outlet; one empty row to add to the existing contacts.
ContactFormSet = forms.formset_factory(ContactForm, extra=1, min_num=2, max_num=5, validate_max=True)


def contact_formset(data: Any = None, contacts: Any = ()) -> forms.BaseFormSet:
    initial = [{"name": c.name, "phone": c.phone, "email": c.email} for c in contacts]
    return ContactFormSet(data, initial=initial or None, prefix="contacts")


def contacts_of(formset: forms.BaseFormSet) -> list[dict[str, str]]:
    return [
        {"name": row["name"].strip(), "phone": row.get("phone", ""), "email": row.get("email", "")}
        for row in formset.cleaned_data
        if row and row.get("name", "").strip()
    ]


class ChangeRequestForm(OutletLocationFields):
    note = forms.CharField(
        label=_("Why the change"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


class CommentsForm(forms.Form):
    comments = forms.CharField(
        label=_("Comments for the applicant"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class GrantForm(forms.Form):
    grantee = forms.TypedChoiceField(label=_("Partner"), coerce=int)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args: Any, partners: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grantee"].choices = [("", _("Choose a partner")), *((p.pk, p.name) for p in partners)]


class QueueFilterForm(forms.Form):
    """The data center's outlet queue: submitted applications by default."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *OutletStatus.choices]
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *OutletKind.choices])
    waiting = forms.TypedChoiceField(
        label=_("Waiting"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any time")), *((d, lazy_format(_("more than %(days)s days"), days=d)) for d in WAITING_DAYS)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices()
        self.fields["province"].choices = province_choices()


class DirectoryFilterForm(forms.Form):
    """The public directory's search."""

    province = forms.ChoiceField(label=_("Province"), required=False)
    prefecture = forms.ChoiceField(label=_("Prefecture"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *OutletKind.choices])
    name = forms.CharField(label=_("Name contains"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = province_choices()
        self.fields["prefecture"].choices = prefecture_choices(_("All prefectures"))


def decimal_or_none(value: Any) -> Decimal | None:
    """A coordinate typed into the form so far, for the live map preview (None if unusable)."""
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        return None
    return number if number.is_finite() else None
