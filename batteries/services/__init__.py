"""Every state change of the traceability core (DESIGN §7)."""

from batteries.services.backfill import audience_backfill
from batteries.services.consignments import consignment_cancel, consignment_dispatch, consignment_receive
from batteries.services.fates import battery_cascade, battery_recycle
from batteries.services.handling import battery_inspect, battery_report_hazard, battery_void, event_correct
from batteries.services.intake import battery_receive
from batteries.services.obligations import obligations_acknowledge, obligations_mark_overdue
from batteries.services.reviews import review_case_resolve

__all__ = [
    "audience_backfill",
    "battery_cascade",
    "battery_inspect",
    "battery_receive",
    "battery_recycle",
    "battery_report_hazard",
    "battery_void",
    "consignment_cancel",
    "consignment_dispatch",
    "consignment_receive",
    "event_correct",
    "obligations_acknowledge",
    "obligations_mark_overdue",
    "review_case_resolve",
]
