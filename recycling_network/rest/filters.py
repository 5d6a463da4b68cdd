"""Filter backends that refuse what they do not understand: an unknown filter parameter
or ordering field is a 400, never silently ignored (DESIGN §8 "Lists")."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

ALWAYS_ALLOWED = {"cursor", "limit", "ordering"}


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(filterset_class.base_filters) if filterset_class else set()
        known |= ALWAYS_ALLOWED | set(getattr(view, "extra_query_params", ()))
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise exceptions.ValidationError({name: [_("Unknown filter parameter.")] for name in unknown})
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        times_in_utc(filterset.form.cleaned_data)
        return filterset.qs


def times_in_utc(cleaned: dict[str, Any]) -> None:
    """Compare times in UTC: Python accepts UTC offsets up to 23:59, PostgreSQL only up to
    15:59, so ``2026-01-01T00:00:00-16:00`` would otherwise reach the database as a 500."""
    for name, value in cleaned.items():
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            try:
                cleaned[name] = value.astimezone(datetime.UTC)
            except OverflowError as error:
                raise exceptions.ValidationError({name: [_("Give a time between the years 1 and 9999.")]}) from error


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=`` on the fields the view names (indexed ones only)."""

    def remove_invalid_fields(self, queryset: QuerySet, fields: list[str], view: Any, request: Request) -> list[str]:
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        if len(valid) != len([f for f in fields if f]):
            allowed = ", ".join(name for name, _label in self.get_valid_fields(queryset, view, {"request": request}))
            raise exceptions.ValidationError({"ordering": [_("Order by one of: %(fields)s.") % {"fields": allowed}]})
        return valid
