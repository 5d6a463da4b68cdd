"""Browser pages of the reports app."""

from reports.views.pages import report_detail, report_file, report_list, report_new, report_progress
from reports.views.reference import footprint, targets

__all__ = ["footprint", "report_detail", "report_file", "report_list", "report_new", "report_progress", "targets"]
