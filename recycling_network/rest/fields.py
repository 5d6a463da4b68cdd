"""Input fields with the strictness the API contract asks for."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.parsers import JSONParser


class AwareDateTimeField(serializers.DateTimeField):
    """RFC 3339 with an offset; a naive time is a 400, not a guess (DESIGN §8)."""

    default_error_messages = {"naive": _("Give the time with its UTC offset, e.g. 2026-03-01T09:30:00+08:00.")}

    def to_internal_value(self, value: Any) -> datetime.datetime:
        if isinstance(value, str):
            parsed = parse_datetime(value.strip()) if len(value) < 64 else None
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        return super().to_internal_value(value)


def contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(v) for v in value)
    return False


class StrictJSONParser(JSONParser):
    """JSON without NUL characters anywhere (PostgreSQL cannot store them)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        from rest_framework.exceptions import ParseError

        data = super().parse(stream, media_type, parser_context)
        if contains_nul(data):
            raise ParseError(_("Text may not contain NUL characters."))
        return data
