"""Knobs of the report runner.

Each is read from Django settings when set there (tests override them with the
``settings`` fixture), else from the environment variable of the same name, else the
default, so a worker process started with the variable picks it up.

- ``RN_REPORT_LEASE_SECONDS`` (120): how long a claim lasts without renewal. Each finished
  section renews it, so it must exceed the slowest section (seconds at 1M batteries).
  A worker killed outright delays its report by at most this plus the re-queue interval.
- ``RN_REPORT_MAX_ATTEMPTS`` (3): claims after which a report that keeps failing (or
  keeps losing its worker) is marked failed.
- ``RN_REPORT_SECTION_DELAY`` (0): seconds to wait after each section. For tests and
  benchmarks only: it makes a report slow enough, deterministically, to kill its worker
  in the middle.
- ``RN_REPORT_STALE_QUEUED_SECONDS`` (600): a queued report whose task may have been lost
  (broker down at commit time) is sent again after this long.
"""

from __future__ import annotations

import os

from django.conf import settings


def _setting(name: str, default: float) -> float:
    value = getattr(settings, name, None)
    if value is None or value == "":
        value = os.environ.get(name) or default
    return float(value)


def lease_seconds() -> int:
    return max(1, int(_setting("RN_REPORT_LEASE_SECONDS", 120)))


def max_attempts() -> int:
    return max(1, int(_setting("RN_REPORT_MAX_ATTEMPTS", 3)))


def section_delay() -> float:
    return max(0.0, _setting("RN_REPORT_SECTION_DELAY", 0))


def stale_queued_seconds() -> int:
    return max(1, int(_setting("RN_REPORT_STALE_QUEUED_SECONDS", 600)))
