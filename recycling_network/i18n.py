"""Lazy interpolation, so a message built in one language can be read in another."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise, lazy


def _interpolate(message: str | Promise, params: dict[str, Any]) -> str:
    return str(message) % {key: str(value) if isinstance(value, Promise) else value for key, value in params.items()}


_lazy_interpolate = lazy(_interpolate, str)


def lazy_format(message: str | Promise, **params: Any) -> Promise:
    """``message % params``, evaluated in the language active when it is read."""
    return _lazy_interpolate(message, params)
