"""Filters of the report lists, shared by the browser list and the API (DESIGN §8 "Lists")."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from reports.models import Report, ReportScope, ReportStatus


class ReportFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("status"), empty_label=_("Any"))
    scope = django_filters.ChoiceFilter(choices=ReportScope.choices, label=_("scope"), empty_label=_("Any"))

    class Meta:
        model = Report
        fields = ["status", "scope"]
