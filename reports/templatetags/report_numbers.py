"""``{{ value|count }}``: a whole number with thousands separators, as the report's
figures are written (``reports.charts.count``). Django's own grouping follows the locale,
which for Chinese groups by ten thousand or not at all."""

from __future__ import annotations

from django import template

from reports.charts import count as format_count

register = template.Library()


@register.filter
def count(value: float | int | None) -> str:
    return format_count(value)
