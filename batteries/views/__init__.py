"""Browser pages of the traceability core: the outlet screens (DESIGN §9)."""

from batteries.views.battery import battery_page
from batteries.views.consignments import (
    consignment_cancel_view,
    consignment_export,
    consignment_list,
    consignment_page,
    consignment_receive_view,
    dispatch,
    dispatch_check,
    receiving_outlets,
)
from batteries.views.intake import intake, intake_check
from batteries.views.manifest import manifest
from batteries.views.obligations import obligation_acknowledge, obligation_list
from batteries.views.stock import hazards, stock, stock_export

__all__ = [
    "battery_page",
    "consignment_cancel_view",
    "consignment_export",
    "consignment_list",
    "consignment_page",
    "consignment_receive_view",
    "dispatch",
    "dispatch_check",
    "hazards",
    "intake",
    "intake_check",
    "manifest",
    "obligation_acknowledge",
    "obligation_list",
    "receiving_outlets",
    "stock",
    "stock_export",
]
