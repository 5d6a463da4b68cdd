"""Outlet and division filters shared by UI lists and the API (DESIGN §8)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from outlets.models import Division, DivisionLevel, Outlet, OutletKind, OutletStatus


class OutletFilterSet(django_filters.FilterSet):
    code = django_filters.CharFilter(method="filter_code", label=_("outlet code"))
    status = django_filters.ChoiceFilter(choices=OutletStatus.choices, label=_("status"))
    kind = django_filters.ChoiceFilter(choices=OutletKind.choices, label=_("kind"))
    province = django_filters.CharFilter(method="filter_province", label=_("province (adcode)"))
    prefecture = django_filters.CharFilter(field_name="prefecture_id", label=_("prefecture (adcode)"))
    region = django_filters.CharFilter(field_name="prefecture__region_id", label=_("region"))
    operator = django_filters.NumberFilter(field_name="operator_id", label=_("operator"))
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("name"))

    class Meta:
        model = Outlet
        fields = ["code", "status", "kind", "province", "prefecture", "region", "operator", "name"]

    def filter_code(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(code=value.strip().upper())

    def filter_province(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(prefecture__parent_id=value.strip())


class DivisionFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=DivisionLevel.choices, label=_("level"))
    parent = django_filters.CharFilter(field_name="parent_id", label=_("parent adcode"))
    region = django_filters.CharFilter(field_name="region_id", label=_("region"))

    class Meta:
        model = Division
        fields = ["level", "parent", "region"]
