"""What a section computes for: whose network, as of when, over which period."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import connection

from reports.sections.places import Places

if TYPE_CHECKING:
    from reports.models import Report

SHANGHAI = ZoneInfo("Asia/Shanghai")


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight in Asia/Shanghai: days and years are counted there (DESIGN §2)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class ReportContext:
    """A report's parameters; ``partner_id`` None means the national network.

    Dates are whole days in Asia/Shanghai and the period includes both ends."""

    partner_id: int | None
    as_of: datetime.date
    period_start: datetime.date
    period_end: datetime.date
    k: int = 10
    radius_km: int = 100

    @classmethod
    def for_report(cls, report: Report) -> ReportContext:
        return cls(
            partner_id=report.partner_id,
            as_of=report.as_of,
            period_start=report.period_start,
            period_end=report.period_end,
            k=report.k,
            radius_km=report.radius_km,
        )

    @cached_property
    def places(self) -> Places:
        """Regions, provinces and prefectures, loaded once per report."""
        return Places.load()

    @property
    def national(self) -> bool:
        return self.partner_id is None

    @property
    def as_of_end(self) -> datetime.datetime:
        return day_start(self.as_of + datetime.timedelta(days=1))

    @property
    def period_from(self) -> datetime.datetime:
        return day_start(self.period_start)

    @property
    def period_to(self) -> datetime.datetime:
        return day_start(self.period_end + datetime.timedelta(days=1))

    def params(self, **extra: Any) -> dict[str, Any]:
        """The named parameters every section's SQL may use."""
        return {
            "partner": self.partner_id,
            "as_of": self.as_of,
            "as_of_end": self.as_of_end,
            "period_from": self.period_from,
            "period_to": self.period_to,
            **extra,
        }


# Approved outlets in the scope's network as of the report date: every approved outlet
# nationally; for a partner, those it operates and those shared with it by a grant active
# at that date (DESIGN §6: "coverage counts its own outlets and those shared with it").
NETWORK_CTE = """
network AS (
  SELECT o.id, o.kind, o.operator_id, o.prefecture_id, o.capacity_kg, o.stock_kg, o.longitude, o.latitude
    FROM outlets_outlet o
   WHERE o.status = 'approved' AND o.approved_at < %(as_of_end)s
     AND (%(partner)s::bigint IS NULL OR o.operator_id = %(partner)s OR EXISTS (
          SELECT 1 FROM outlets_sharinggrant g
           WHERE g.outlet_id = o.id AND g.grantee_id = %(partner)s AND g.granted_at < %(as_of_end)s
             AND (g.revoked_at IS NULL OR g.revoked_at >= %(as_of_end)s)))
)"""


def tune_for_aggregates() -> None:
    """Settings for a section's read transaction (``SET LOCAL``: they end with it).

    - ``jit = off``: at 1M batteries PostgreSQL's JIT spent 1-2 s compiling each large
      aggregate, more than it saved (``bench/report_bench.py``, docs/performance.md).
    - ``work_mem = 64MB``: the hash joins and the sort behind the median dwell time stay
      in memory instead of spilling to disk."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")


def fetch(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of an aggregate query as dicts (a few hundred at most: never battery rows)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c.name for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def number(value: Any, places: int = 2) -> float:
    """A JSON number (DESIGN §8: decimals are JSON numbers), 0 for NULL."""
    if value is None:
        return 0.0
    return round(float(value), places)


def share(part: Any, whole: Any) -> float | None:
    """``part / whole`` to four places, or None when there is nothing to divide by."""
    if not whole:
        return None
    return round(float(part or 0) / float(whole), 4)
