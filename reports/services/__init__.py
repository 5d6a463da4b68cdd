"""Every state change of the reports app (DESIGN §10)."""

from reports.services.compute import report_compute, reports_requeue_expired
from reports.services.footprint import sales_footprint_import, sales_footprint_set
from reports.services.requests import report_request, report_request_monthly
from reports.services.targets import yearly_target_set

__all__ = [
    "report_compute",
    "report_request",
    "report_request_monthly",
    "reports_requeue_expired",
    "sales_footprint_import",
    "sales_footprint_set",
    "yearly_target_set",
]
