"""Reporting deadlines to the national traceability platform (DESIGN §7 "Deadlines";
2018 traceability provisions, domain.md §3).

- A receipt (入库) or handover (出库) at an outlet obliges the automaker of the battery's
  VIN to upload it within 30 working days (art. 11).
- An event at a dismantler's or cascade user's facility obliges that partner within 15
  working days (art. 13, 14); at a recycler's facility, the recycler within 30 (art. 15).

Working days are counted in Asia/Shanghai on the ``holidays`` China calendar, which
knows the adjusted working weekends (调休) as well as the holidays.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

SHANGHAI = ZoneInfo("Asia/Shanghai")


@lru_cache(maxsize=1)
def china_calendar() -> holidays.HolidayBase:
    # The calendar extends itself to any year it is asked about.
    return holidays.China()


def local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(SHANGHAI).date()


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The ``days``-th working day after ``start`` (the day of the event does not count)."""
    return china_calendar().get_nth_working_day(start, days)


def is_working_day(day: datetime.date) -> bool:
    return china_calendar().is_working_day(day)


@dataclass(frozen=True)
class Rule:
    name: str
    working_days: int
    article: str


OUTLET_RECEIPT = Rule("outlet_receipt", 30, "art. 11")
OUTLET_HANDOVER = Rule("outlet_handover", 30, "art. 11")
DISMANTLER_FACILITY = Rule("dismantler_facility", 15, "art. 13")
CASCADE_FACILITY = Rule("cascade_facility", 15, "art. 14")
RECYCLER_FACILITY = Rule("recycler_facility", 30, "art. 15")

FACILITY_RULES = {
    "dismantler": DISMANTLER_FACILITY,
    "cascade_user": CASCADE_FACILITY,
    "recycler": RECYCLER_FACILITY,
}
