"""Filters of the report lists, shared by the browser list and the API (DESIGN §8 "Lists")."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from reports.models import Report, ReportScope, ReportStatus, SalesFootprint


class ReportFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("status"), empty_label=_("Any"))
    scope = django_filters.ChoiceFilter(choices=ReportScope.choices, label=_("scope"), empty_label=_("Any"))

    class Meta:
        model = Report
        fields = ["status", "scope"]


class SalesFootprintFilterSet(django_filters.FilterSet):
    """The footprint page's list: the years on record are the choices."""

    year = django_filters.ChoiceFilter(label=_("Year"), empty_label=_("Any"))

    class Meta:
        model = SalesFootprint
        fields = ["year"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        years = self.queryset.order_by("-year").values_list("year", flat=True).distinct()
        self.filters["year"].extra["choices"] = [(year, str(year)) for year in years]
