"""Browser pages of the reports app."""

from reports.views.pages import report_detail, report_file, report_list, report_new, report_progress

__all__ = ["report_detail", "report_file", "report_list", "report_new", "report_progress"]
