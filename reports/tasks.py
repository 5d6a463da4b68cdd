"""Thin tasks over the report services; the report row, not the broker, is the guarantee."""

from __future__ import annotations

from celery import shared_task

from recycling_network.tenancy import SYSTEM, run_as
from reports.services import report_compute, report_request_monthly, reports_requeue_expired
from reports.services.compute import RETRY, send_report_task, worker_name

# Well above a national report at 1M batteries (seconds; docs/performance.md). A report
# killed by the hard limit is picked up again by the re-queue job when its lease runs out.
SOFT_TIME_LIMIT = 600
TIME_LIMIT = 660
RETRY_DELAY_SECONDS = 30


@shared_task(bind=True, acks_late=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def report_compute_task(self, report_id: int) -> str:
    outcome = report_compute(report_id=report_id, worker=f"{worker_name()}:{self.request.id or '-'}")
    if outcome == RETRY:
        # The failed attempt put the row back in the queue; a new message brings it back
        # after a pause. The row's attempt counter, not Celery's, decides when to give up.
        send_report_task(report_id, countdown=RETRY_DELAY_SECONDS)
    return outcome


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def requeue_expired_reports() -> dict[str, list[int]]:
    return reports_requeue_expired()


@shared_task(acks_late=True, soft_time_limit=50, time_limit=60)
def monthly_national_report() -> int | None:
    with run_as(SYSTEM):
        report = report_request_monthly(actor=SYSTEM)
    return report.pk if report is not None else None
