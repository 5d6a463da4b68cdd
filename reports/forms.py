"""The report request form. Its fields are named as ``report_request``'s arguments, so the
service's field errors land on them; the service, not the form, decides the defaults."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Partner
from reports.charts import region_name
from reports.models import MAX_K, MAX_RADIUS_KM, MIN_K, MIN_RADIUS_KM, ReportScope


def _date_field(label: Any, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ReportRequestForm(forms.Form):
    """Partner admins report on their own network; the data center chooses the national
    network or one partner's (``partners``: the partners it may choose from)."""

    scope = forms.ChoiceField(
        label=_("Network"),
        choices=[
            (ReportScope.NATIONAL, _("The national network")),
            (ReportScope.PARTNER, _("One partner's network")),
        ],
        initial=ReportScope.NATIONAL,
        widget=forms.RadioSelect,
    )
    partner = forms.TypedChoiceField(
        label=_("Partner"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("For a partner's network: the outlets it operates and those shared with it."),
    )
    as_of = _date_field(_("As of"), _("Default: today."))
    period_start = _date_field(_("Period start"), _("Default: 364 days before the period end (a period of 365 days)."))
    period_end = _date_field(_("Period end"), _("Default: the report date."))
    k = forms.IntegerField(
        label=_("New outlets to place (K)"),
        min_value=MIN_K,
        max_value=MAX_K,
        initial=10,
        help_text=_("How many new outlets the allocation proposes."),
    )
    radius_km = forms.IntegerField(
        label=_("Service radius (km)"),
        min_value=MIN_RADIUS_KM,
        max_value=MAX_RADIUS_KM,
        initial=100,
        help_text=_("A prefecture counts as served when an outlet lies within this distance of its centre."),
    )

    def __init__(self, *args: Any, partners: QuerySet[Partner] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["as_of"].widget.attrs["max"] = timezone.localdate().isoformat()
        if partners is None:
            # A partner admin: always its own network.
            del self.fields["scope"]
            del self.fields["partner"]
        else:
            self.fields["partner"].choices = [("", "—"), *((p.pk, p.name) for p in partners)]

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned values as ``report_request`` takes them."""
        data = dict(self.cleaned_data)
        if data.get("scope") == ReportScope.NATIONAL:
            data["partner"] = None
        return data


#: A footprint file of the largest allowed size (50,000 rows) is about 2 MB.
MAX_FOOTPRINT_BYTES = 5 * 1024 * 1024
#: Excel in China saves "CSV" in GB18030 (GBK); UTF-8 files may start with a byte-order mark.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class FootprintUploadForm(forms.Form):
    """A sales-footprint CSV (``sales_footprint_import``); the field is named as the
    service's argument, so the service's line errors land on it."""

    csv_text = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: prefecture (adcode), year, vehicles_sold, fleet; the data center adds partner "
            "(id or unified social credit code). UTF-8 or GBK, as Excel saves it. A row replaces the "
            "figures of its prefecture and year."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_csv_text(self) -> str:
        upload = self.cleaned_data["csv_text"]
        if upload.size > MAX_FOOTPRINT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."), code="file_too_large")
        raw = upload.read()
        for encoding in CSV_ENCODINGS:
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
            if "\x00" in text:
                break
            return text
        raise forms.ValidationError(_("Save the file as CSV (UTF-8 or GBK)."), code="file_not_text")


class YearlyTargetForm(forms.Form):
    """A yearly target of new outlets, national (no region) or a region's."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    region = forms.ChoiceField(label=_("Region"), required=False, help_text=_("Empty: the national target."))
    new_outlets = forms.IntegerField(label=_("New outlets"), min_value=0, max_value=100_000)

    def __init__(self, *args: Any, regions: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        self.fields["region"].choices = [("", _("National")), *((r.code, region_name(r)) for r in regions or [])]

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["region"] = data["region"] or None
        return data
