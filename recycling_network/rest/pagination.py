"""Cursor pagination (DESIGN §8 "Lists"): ``?cursor=``, ``?limit=`` 1-500 (default 100,
above 500 clamped, below 1 a 400); ``{"next", "previous", "results"}``; no COUNT(*)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


class RnCursorPagination(CursorPagination):
    page_size = DEFAULT_LIMIT
    page_size_query_param = "limit"
    max_page_size = MAX_LIMIT
    ordering = "id"

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            limit = int(raw)
        except ValueError:
            limit = 0
        if limit < 1:
            raise exceptions.ValidationError({"limit": [_("Give a whole number from 1 to 500.")]})
        return min(limit, self.max_page_size)

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as error:
            raise exceptions.ValidationError({"cursor": [_("The cursor is not one this list gave out.")]}) from error
