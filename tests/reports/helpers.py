"""Helpers of the report tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from recycling_network.tenancy import SYSTEM, Actor, run_as
from reports.models import Report
from reports.services import report_request
from tests.builders import call


def report_row(report_id: int) -> Report:
    with run_as(SYSTEM):
        return Report.objects.get(pk=report_id)


def run_report(capture_on_commit: Any, actor: Actor, **kwargs: Any) -> Report:
    """Request a report as ``actor``; the task runs eagerly when the request commits."""
    with capture_on_commit(execute=True):
        report = call(actor, report_request, **kwargs)
    return report_row(report.pk)


def wait_for(condition: Callable[[], Any], timeout: float = 60, what: str = "condition") -> Any:
    """Poll ``condition`` until it returns something truthy (a worker runs elsewhere)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise TimeoutError(f"{what} not reached within {timeout} s")
