"""Forms of the outlet screens. Fields carry the services' keyword names, so a refusal's
per-field errors land on them (``recycling_network.web.forms.call_service``). The forms
check shape only; every rule is the service's."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from batteries.models import Condition, ConsignmentItem, CustodyEvent, Obligation, RejectionReason, Source
from outlets.models import Outlet
from partners.models import Partner

_CODE_SEPARATORS = re.compile(r"[\s,;，；、]+")
_YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def outlet_choices(outlets: Iterable[Outlet]) -> list[tuple[str, str]]:
    return [(o.code, f"{o.code} {o.name}") for o in outlets]


def _weight_field(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=_("Weight (kg)"),
        min_value=Decimal("0.01"),
        max_digits=9,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        **kwargs,
    )


def _soh_field() -> forms.DecimalField:
    return forms.DecimalField(
        label=_("State of health (%)"),
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )


class IntakeForm(forms.Form):
    """One intake: the page without JavaScript, and the defaults row of the scan screen."""

    outlet = forms.ChoiceField(label=_("Outlet"))
    weight_kg = _weight_field(help_text=_("Used for every new line; change it per line when needed."))
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.OWNER)
    condition = forms.ChoiceField(label=_("Condition"), choices=Condition.choices, initial=Condition.INTACT)
    code = forms.CharField(
        label=_("Battery code"),
        max_length=64,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "autofocus": True}
        ),
        help_text=_("Scan the code or type it and press Enter."),
    )
    vin = forms.CharField(label=_("VIN"), max_length=32, required=False)

    def __init__(self, *args: Any, outlets: Sequence[Outlet], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outlet"].choices = outlet_choices(outlets)


class InspectForm(forms.Form):
    """The safety inspection (the only processing an outlet may do)."""

    insulation_ok = forms.TypedChoiceField(
        label=_("Insulation intact"),
        choices=_YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    casing_ok = forms.TypedChoiceField(
        label=_("Casing intact"),
        choices=_YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
    )
    soh_percent = _soh_field()
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class HazardForm(forms.Form):
    hazard = forms.ChoiceField(
        label=_("Condition"),
        choices=Condition.choices,
        help_text=_("Anything but intact flags the battery for segregated storage; intact clears the flag."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class HazardReportForm(HazardForm):
    """The hazards screen: the battery is named by its code, the condition chosen on purpose."""

    hazard = forms.ChoiceField(
        label=_("Condition"),
        choices=[("", _("Choose a condition")), *Condition.choices],
        help_text=HazardForm.base_fields["hazard"].help_text,
    )
    code = forms.CharField(
        label=_("Battery code"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    field_order = ["code", "hazard", "notes"]


class CorrectionForm(forms.Form):
    """Amend fields of an earlier event the actor's partner recorded; empty fields stay as
    they were."""

    CHANGE_FIELDS = ("weight_kg", "energy_kwh", "vin", "source", "soh_percent", "notes")

    event_id = forms.TypedChoiceField(label=_("Event to correct"), coerce=int)
    weight_kg = _weight_field(required=False)
    energy_kwh = forms.DecimalField(
        label=_("Energy (kWh)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=9,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    vin = forms.CharField(label=_("VIN"), max_length=32, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=[("", "—"), *Source.choices], required=False)
    soh_percent = _soh_field()
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000)
    reason = forms.CharField(
        label=_("Reason for the correction"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, events: Sequence[CustodyEvent], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event_id"].choices = [
            (e.pk, f"#{e.seq} {e.get_kind_display()} · {e.occurred_at:%Y-%m-%d}") for e in events
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and not self.changes():
            raise forms.ValidationError(_("Enter at least one new value."), code="no_changes")
        return cleaned

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {f: data[f] for f in self.CHANGE_FIELDS if data.get(f) not in (None, "")}


def split_codes(text: str) -> list[str]:
    """Codes typed or scanned into a box: one per line (commas and spaces also separate)."""
    return list(dict.fromkeys(code for code in _CODE_SEPARATORS.split(text or "") if code))


class DispatchForm(forms.Form):
    from_outlet = forms.ChoiceField(label=_("From outlet"))
    to_partner = forms.TypedChoiceField(label=_("Receiving partner"), coerce=int)
    to_outlet = forms.ChoiceField(
        label=_("Receiving outlet"),
        required=False,
        help_text=_(
            "Required unless the partner receives at its own facility (cascade users, recyclers, dismantlers)."
        ),
    )
    batteries = forms.CharField(
        label=_("Batteries"),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocapitalize": "characters"}),
        help_text=_("One battery code per line; scan them or tick them in the stock list."),
    )
    waybill = forms.CharField(label=_("Waybill number"), max_length=64, required=False)
    carrier = forms.CharField(label=_("Carrier"), max_length=200, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self,
        *args: Any,
        outlets: Sequence[Outlet],
        partners: Sequence[Partner],
        receiving_outlets: Sequence[Outlet] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_outlet"].choices = outlet_choices(outlets)
        self.fields["to_partner"].choices = [("", _("Choose a partner")), *((p.pk, p.name) for p in partners)]
        # Choosing the partner refreshes the receiving outlets it may use (htmx).
        self.fields["to_partner"].widget.attrs.update(
            {"hx-get": reverse("batteries:receiving_outlets"), "hx-target": "#id_to_outlet", "hx-trigger": "change"}
        )
        own_facility = ("", _("None: the partner's own facility"))
        self.fields["to_outlet"].choices = [own_facility, *outlet_choices(receiving_outlets)]

    def clean_batteries(self) -> list[str]:
        codes = split_codes(self.cleaned_data["batteries"])
        if not codes:
            raise forms.ValidationError(_("Name at least one battery."), code="required")
        return codes


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class ReceiveForm(forms.Form):
    """Receipt of a consignment: each battery confirmed (scanned or ticked) or rejected
    with a reason."""

    outlet = forms.ChoiceField(label=_("Receiving outlet"), required=False)

    def __init__(
        self,
        *args: Any,
        items: Sequence[ConsignmentItem],
        outlets: Sequence[Outlet] | None,
        facility: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(items)
        if outlets is None:
            # The consignment names its outlet: nothing to choose.
            del self.fields["outlet"]
        else:
            # Outlet staff receive at their outlets; an admin may take it to the partner's facility.
            own = [("", _("Our own facility"))] if facility else []
            self.fields["outlet"].choices = [*own, *outlet_choices(outlets)]
        reasons = [("", _("Choose a reason")), *RejectionReason.choices]
        for item in self.items:
            self.fields[f"accept_{item.pk}"] = forms.BooleanField(label=item.battery_code, required=False)
            self.fields[f"reason_{item.pk}"] = forms.ChoiceField(
                label=_("Reason"),
                choices=reasons,
                required=False,
                widget=forms.Select(
                    attrs={"class": "input--inline", "aria-label": f"{_('Reason')} {item.battery_code}"}
                ),
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=1000,
                widget=forms.TextInput(
                    attrs={"class": "input--inline", "aria-label": f"{_('Note')} {item.battery_code}"}
                ),
            )

    @property
    def rows(self) -> list[tuple[ConsignmentItem, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [(i, self[f"accept_{i.pk}"], self[f"reason_{i.pk}"], self[f"note_{i.pk}"]) for i in self.items]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for item in self.items:
            if not cleaned.get(f"accept_{item.pk}") and not cleaned.get(f"reason_{item.pk}"):
                self.add_error(f"reason_{item.pk}", _("Confirm this battery or give a reason to reject it."))
        return cleaned

    def rejected(self) -> list[dict[str, str]]:
        data = self.cleaned_data
        return [
            {"code": i.battery_code, "reason": data[f"reason_{i.pk}"], "note": data.get(f"note_{i.pk}", "")}
            for i in self.items
            if not data.get(f"accept_{i.pk}")
        ]


class AcknowledgeForm(forms.Form):
    """Receipt numbers of the national platform for obligations the partner owes."""

    def __init__(self, *args: Any, obligations: Sequence[Obligation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.obligations = list(obligations)
        for obligation in self.obligations:
            self.fields[f"receipt_{obligation.pk}"] = forms.CharField(
                label=obligation.battery_code, required=False, max_length=64
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and not self.items():
            raise forms.ValidationError(_("Enter a receipt number for at least one obligation."), code="required")
        return cleaned

    def items(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {"id": o.pk, "receipt_number": data[f"receipt_{o.pk}"].strip()}
            for o in self.obligations
            if data.get(f"receipt_{o.pk}", "").strip()
        ]
