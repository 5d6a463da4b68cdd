"""Forms of onboarding and the data center's queues: the public application, code claims,
decisions with reasons, review-case resolutions and the audit log's filters.

Forms only shape input; the rules live in the services they feed (field names follow the
services' keyword arguments, so a service's field errors land on the right field)."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from batteries.models import Resolution, ReviewKind, ReviewStatus
from partners.models import ClaimStatus, CodeKind, PartnerKind, PartnerStatus
from partners.services.claims import CLAIMANT_KINDS
from partners.validators import validate_credit_code, validate_manufacturer_code, validate_wmi
from recycling_network.i18n import lazy_format
from recycling_network.web.forms import RefusableForm

#: Separators people type between codes: spaces, commas and semicolons, also full-width.
_CODE_SEPARATORS = re.compile(r"[\s,;，；、]+")

#: How many contacts one application may name.
MAX_CONTACTS = 10


def _codes(value: str, validator: Any) -> list[str]:
    """Every code in ``value``, normalised, each once, in the order typed."""
    codes: list[str] = []
    errors: list[ValidationError] = []
    for raw in _CODE_SEPARATORS.split(value or ""):
        if not raw:
            continue
        try:
            code = validator(raw)
        except ValidationError as error:
            errors.append(ValidationError(lazy_format(_("%(code)s: %(problem)s"), code=raw, problem=error.messages[0])))
            continue
        if code not in codes:
            codes.append(code)
    if errors:
        raise ValidationError(errors)
    return codes


class ApplicationForm(RefusableForm):
    """The enterprise itself and the codes it claims; its contacts are a formset."""

    name = forms.CharField(label=_("Company name"), max_length=200, help_text=_("As registered, in Chinese."))
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        help_text=_("18 characters, as on the business licence."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("What the company does"),
        choices=PartnerKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose every kind that applies."),
    )
    manufacturer_codes = forms.CharField(
        label=_("Battery manufacturer codes claimed"),
        required=False,
        max_length=200,
        help_text=_(
            "Battery makers and cascade users: the 3-character codes (GB/T 34014) the company was assigned. "
            "Separate several with spaces or commas."
        ),
    )
    wmi_codes = forms.CharField(
        label=_("VIN WMI codes claimed"),
        required=False,
        max_length=200,
        help_text=_(
            "Automakers: the first 3 characters of the company's VINs. Separate several with spaces or commas."
        ),
    )

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_credit_code(self) -> str:
        return validate_credit_code(self.cleaned_data["credit_code"])

    def clean_manufacturer_codes(self) -> list[str]:
        return _codes(self.cleaned_data["manufacturer_codes"], validate_manufacturer_code)

    def clean_wmi_codes(self) -> list[str]:
        return _codes(self.cleaned_data["wmi_codes"], validate_wmi)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kinds = set(data.get("kinds") or [])
        claims: list[tuple[str, str]] = []
        for field, kind in (("manufacturer_codes", CodeKind.MANUFACTURER), ("wmi_codes", CodeKind.WMI)):
            codes = data.get(field) or []
            if codes and kinds and not kinds & CLAIMANT_KINDS[kind]:
                allowed = ", ".join(str(PartnerKind(k).label) for k in sorted(CLAIMANT_KINDS[kind]))
                self.add_error(
                    field,
                    lazy_format(_("Only these kinds of company claim such codes: %(kinds)s."), kinds=allowed),
                )
            claims += [(kind.value, code) for code in codes]
        data["claims"] = claims
        return data


class ContactForm(forms.Form):
    """One contact. The first of the application is the primary contact, who becomes the
    partner's first admin: name, phone and email are required there; other contacts may
    be left empty, and need a name and a phone or email once started."""

    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)

    def __init__(self, *args: Any, primary: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.primary = primary
        if primary:
            for name in ("name", "phone", "email"):
                self.fields[name].required = True
            self.fields["email"].help_text = _("The invitation to choose a password is sent here.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.primary and any(data.get(f) for f in ("title", "phone", "email")):
            if not data.get("name"):
                self.add_error("name", _("Name this contact, or leave all of its fields empty."))
            if not data.get("phone") and not data.get("email"):
                self.add_error("phone", _("Give a phone number or an email address."))
        return data

    @property
    def contact(self) -> dict[str, Any] | None:
        """The contact as ``partner_apply`` takes it, or None for an empty extra contact."""
        data = self.cleaned_data
        if not data.get("name"):
            return None
        return {
            "name": data["name"].strip(),
            "title": data.get("title", "").strip(),
            "phone": data.get("phone", "").strip(),
            "email": data.get("email", "").strip(),
            "is_primary": self.primary,
        }


class BaseContactFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "primary": index == 0}

    @property
    def contacts(self) -> list[dict[str, Any]]:
        return [contact for form in self.forms if (contact := form.contact) is not None]


ContactFormSet = forms.formset_factory(
    ContactForm,
    formset=BaseContactFormSet,
    extra=1,
    max_num=MAX_CONTACTS,
    absolute_max=MAX_CONTACTS,
    validate_max=True,
)


def contact_formset(data: Any = None, *, add_one: bool = False) -> BaseContactFormSet:
    """The contacts of an application: bound to ``data``, or (``add_one``) unbound with
    the values typed so far and one more empty contact (the "add a contact" button works
    without JavaScript)."""
    if data is None:
        return ContactFormSet(prefix="contacts", initial=[{}])
    if not add_one:
        return ContactFormSet(data, prefix="contacts")
    try:
        count = min(int(data.get("contacts-TOTAL_FORMS", "1")), MAX_CONTACTS - 1)
    except ValueError:
        count = 1
    fields = ("name", "title", "phone", "email")
    initial = [{f: data.get(f"contacts-{i}-{f}", "") for f in fields} for i in range(max(count, 1))]
    return ContactFormSet(prefix="contacts", initial=initial)


# --- decisions -----------------------------------------------------------------------


class ConfirmForm(forms.Form):
    """A decision without input (approving): the button is the whole form."""


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Sent to the partner and kept in the audit log."),
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


class DemonstrationForm(forms.Form):
    demonstration_unit = forms.BooleanField(label=_("Demonstration unit"), required=False)
    demonstration_agreed_on = forms.DateField(
        label=_("Date of the demonstration agreement"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("demonstration_unit") and not data.get("demonstration_agreed_on"):
            self.add_error("demonstration_agreed_on", _("A demonstration unit needs the date of its agreement."))
        return data


class ClaimForm(forms.Form):
    """A partner admin claims a code; the kinds offered are those its partner may claim."""

    kind = forms.ChoiceField(label=_("Kind of code"), widget=forms.RadioSelect)
    code = forms.CharField(label=_("Code"), max_length=10, help_text=_("3 characters."))

    def __init__(self, *args: Any, partner_kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = [k for k in CodeKind if set(partner_kinds) & CLAIMANT_KINDS[k]]
        self.fields["kind"].choices = [(k.value, k.label) for k in allowed]
        if len(allowed) == 1:
            self.fields["kind"].initial = allowed[0].value

    @property
    def can_claim(self) -> bool:
        return bool(self.fields["kind"].choices)


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("Resolution"), choices=Resolution.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text=_("Sent to the claimant and recorded in the battery's ledger."),
    )


# --- list filters ----------------------------------------------------------------------


def _with_all(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class PartnerQueueFilter(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=_with_all(PartnerStatus.choices), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=_with_all(PartnerKind.choices), required=False)
    waiting = forms.ChoiceField(
        label=_("Waiting"),
        required=False,
        choices=[
            ("", _("Any time")),
            ("3", _("More than 3 days")),
            ("7", _("More than 7 days")),
            ("30", _("More than 30 days")),
        ],
        help_text=_("Since the application."),
    )

    def filter(self, partners: Any) -> Any:
        data = self.cleaned_data
        if data.get("status"):
            partners = partners.filter(status=data["status"])
        if data.get("kind"):
            partners = partners.filter(kinds__contains=[data["kind"]])
        if data.get("waiting"):
            partners = partners.filter(created_at__lte=timezone.now() - datetime.timedelta(days=int(data["waiting"])))
        return partners


class ClaimQueueFilter(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=_with_all(ClaimStatus.choices), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=_with_all(CodeKind.choices), required=False)

    def filter(self, claims: Any) -> Any:
        data = self.cleaned_data
        if data.get("status"):
            claims = claims.filter(status=data["status"])
        if data.get("kind"):
            claims = claims.filter(kind=data["kind"])
        return claims


class ReviewQueueFilter(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=_with_all(ReviewStatus.choices), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=_with_all(ReviewKind.choices), required=False)

    def filter(self, cases: Any) -> Any:
        data = self.cleaned_data
        if data.get("status"):
            cases = cases.filter(status=data["status"])
        if data.get("kind"):
            cases = cases.filter(kind=data["kind"])
        return cases


def audited_model_choices() -> list[tuple[str, Any]]:
    """Target types as the models' names, for the platform's own apps."""
    own = {"partners", "outlets", "batteries", "reports"}
    models = [m for m in apps.get_models() if m._meta.app_label in own]
    choices = [(m._meta.label_lower, str(m._meta.verbose_name).capitalize()) for m in models]
    return sorted(choices, key=lambda choice: choice[1])


class AuditFilter(forms.Form):
    action = forms.CharField(
        label=_("Action"),
        required=False,
        max_length=80,
        help_text=_("Exact, such as partner.approve; or a prefix without a dot, such as outlet."),
    )
    target_type = forms.ChoiceField(label=_("Target type"), required=False)
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150, help_text=_("User name or key prefix."))
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    partner = forms.TypedChoiceField(label=_("Partner concerned"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, partners: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_type"].choices = _with_all(audited_model_choices())
        if partners is None:
            del self.fields["partner"]
        else:
            self.fields["partner"].choices = _with_all(partners)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filter(self, entries: Any) -> Any:
        data = self.cleaned_data
        action = (data.get("action") or "").strip()
        if action:
            entries = (
                entries.filter(action=action) if "." in action else entries.filter(action__startswith=action + ".")
            )
        if data.get("target_type"):
            entries = entries.filter(target_type=data["target_type"])
        if data.get("actor"):
            entries = entries.filter(actor_label__icontains=data["actor"].strip())
        # Whole days in the platform's time zone (Asia/Shanghai), as the dates are shown.
        if data.get("date_from"):
            entries = entries.filter(at__gte=_start_of(data["date_from"]))
        if data.get("date_to"):
            entries = entries.filter(at__lt=_start_of(data["date_to"] + datetime.timedelta(days=1)))
        if data.get("partner"):
            entries = entries.filter(audience__contains=[data["partner"]])
        return entries


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
