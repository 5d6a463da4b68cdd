"""Input fields with the strictness the API contract asks for."""

from __future__ import annotations

import datetime
import re
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
            try:
                parsed = parse_datetime(value.strip()) if len(value) < 64 else None
            except ValueError:  # well formed but impossible (month 13): DRF's parser says "invalid"
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        return super().to_internal_value(value)


LONE_SURROGATE = "[\ud800-\udfff]"
MAX_DEPTH = 32  # no request body nests deeper than a few levels; deeper ones only exhaust the stack


def contains_nul(value: Any) -> bool:
    return contains_text(value, "\x00")


def contains_text(value: Any, pattern: str) -> bool:
    """Whether any string in ``value`` (keys included) matches the regular expression."""
    if isinstance(value, str):
        return re.search(pattern, value) is not None
    if isinstance(value, dict):
        return any(contains_text(k, pattern) or contains_text(v, pattern) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_text(v, pattern) for v in value)
    return False


def nesting_depth(value: Any) -> int:
    """How deeply arrays and objects nest, walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


class StrictJSONParser(JSONParser):
    """JSON without NUL characters or lone surrogates anywhere (PostgreSQL cannot store
    them), nested at most ``MAX_DEPTH`` levels (deeper input would end in a RecursionError)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        from rest_framework.exceptions import ParseError

        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_("The JSON is nested too deeply.")) from error
        if nesting_depth(data) > MAX_DEPTH:
            raise ParseError(_("The JSON is nested too deeply."))
        if contains_nul(data):
            raise ParseError(_("Text may not contain NUL characters."))
        if contains_text(data, LONE_SURROGATE):
            # "\ud800" is a valid JSON escape but not Unicode: no UTF-8 encoder (database,
            # renderer, error message echoing the value) can write it.
            raise ParseError(_("Text may not contain lone surrogates (invalid Unicode)."))
        return data
