"""Small query helpers shared by services and selectors."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from recycling_network.errors import NotFound

M = TypeVar("M", bound=models.Model)


def lock_or_404(queryset: models.QuerySet[M] | type[M], pk: Any) -> M:
    """Lock the row for update, or raise ``NotFound``.

    Under row-level security a row the context may not update is skipped by
    ``FOR UPDATE``, so another partner's row and a missing one look the same."""
    if isinstance(queryset, type):
        queryset = queryset.objects.all()
    row = queryset.select_for_update().filter(pk=getattr(pk, "pk", pk)).first()
    if row is None:
        raise NotFound()
    return row
