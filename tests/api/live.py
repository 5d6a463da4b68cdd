"""Helpers for API tests that talk HTTP to a running server (pytest-django's ``live_server``).
Throttle counters of one test stay away from the next through the root conftest's cache
prefix per test."""

from __future__ import annotations

import itertools
import os
from typing import Any, TypeVar

import requests
from django.core.servers.basehttp import WSGIServer

from tests.concurrency import eventually  # noqa: F401 - re-exported for the API tests

T = TypeVar("T")

# The live server listens with Django's development backlog of 10 connections; a burst of
# 50 concurrent requests then meets connection resets, which no production server (gunicorn:
# 2048) would give. Set before ``live_server`` binds its socket (at first use, after import).
WSGIServer.request_queue_size = 128
_addresses = itertools.count(1)


def anonymous_address() -> str:
    """A client address of its own, so anonymous throttling counts this caller alone."""
    n = next(_addresses)
    return f"10.{os.getpid() % 250}.{n // 250 % 250}.{n % 250 + 1}"


class Api:
    """A ``requests`` session against a live server, with a bearer key or none."""

    def __init__(self, base_url: str, key: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        if key:
            self.session.headers["Authorization"] = f"Bearer {key}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(self.url(path), timeout=60, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.post(self.url(path), timeout=60, **kwargs)

    def close(self) -> None:
        self.session.close()
