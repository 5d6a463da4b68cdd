"""The four sections of a coverage report (DESIGN §10), in the order they are computed.

Each is a function ``compute(ctx: ReportContext) -> dict`` returning JSON-ready data;
it runs in the system database context and aggregates in SQL, never streaming battery
or event rows through Python."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from reports.sections import allocation, deadlines, network, obligations
from reports.sections.context import ReportContext

Section = Callable[[ReportContext], dict[str, Any]]

SECTIONS: dict[str, Section] = {
    "network": network.compute,
    "obligations": obligations.compute,
    "allocation": allocation.compute,
    "deadlines": deadlines.compute,
}

SECTION_LABELS = {
    "network": _("Network and coverage"),
    "obligations": _("Automaker obligations"),
    "allocation": _("Where to place new outlets"),
    "deadlines": _("Reporting deadlines"),
}

__all__ = ["SECTIONS", "SECTION_LABELS", "ReportContext", "Section"]
