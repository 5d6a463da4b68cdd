"""A worker killed outright delays a report, never loses or doubles it (DESIGN §10).

The worker waits ``RN_REPORT_SECTION_DELAY`` seconds after each section, so the report is
still running when the test kills it; the lease is short so that it expires quickly."""

from __future__ import annotations

import os
import signal

import pytest
from django.db import connection

from recycling_network.tenancy import SYSTEM, run_as
from reports.models import Report, ReportStatus
from reports.sections import SECTIONS
from reports.services import report_request
from reports.tasks import requeue_expired_reports
from tests.builders import DATACENTER, call, make_outlet, make_partner
from tests.reports.helpers import report_row, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

LEASE_SECONDS = 3


@pytest.fixture
def celery_worker_env() -> dict[str, str]:
    return {"RN_REPORT_SECTION_DELAY": "1", "RN_REPORT_LEASE_SECONDS": str(LEASE_SECONDS)}


def running_mid_way(report_id: int) -> Report | None:
    """The report once a first section is saved and the next is being computed."""
    row = report_row(report_id)
    return row if row.status == ReportStatus.RUNNING and 0 < row.progress < 80 else None


def lease_expired(report_id: int) -> bool:
    with run_as(SYSTEM), connection.cursor() as cursor:
        cursor.execute("SELECT lease_until < now() FROM reports_report WHERE id = %s", [report_id])
        return bool(cursor.fetchone()[0])


def finish_after_the_crash(report_id: int) -> Report:
    """What beat does every minute, once the dead worker's lease has run out."""
    wait_for(lambda: report_row(report_id).status == ReportStatus.DONE or lease_expired(report_id), what="lease expiry")
    requeue_expired_reports()
    wait_for(lambda: report_row(report_id).status == ReportStatus.DONE, what="report done after the crash")
    return report_row(report_id)


def assert_exactly_one_result(row: Report) -> None:
    assert row.status == ReportStatus.DONE
    assert row.attempts >= 2
    assert row.result_written_count == 1
    assert set(row.result) == {*SECTIONS, "meta"}
    assert row.result["network"]["coverage"]["covered_prefectures"] == ["110100"]
    assert row.progress == 100


@pytest.fixture
def report(db) -> Report:
    make_outlet(make_partner(), prefecture="110100")
    return call(DATACENTER, report_request)


def test_killing_the_pool_process_delays_the_report(celery_worker_process, report):
    mid_way = wait_for(lambda: running_mid_way(report.pk), what="report mid-way")
    pid = int(mid_way.claimed_by.split(":")[1])
    assert pid in celery_worker_process.pool_child_pids()

    os.kill(pid, signal.SIGKILL)
    # The main process replaces its pool process; the report is not lost.
    wait_for(lambda: pid not in celery_worker_process.pool_child_pids(), what="pool process gone")
    assert report_row(report.pk).status == ReportStatus.RUNNING

    assert_exactly_one_result(finish_after_the_crash(report.pk))


def test_killing_the_whole_worker_delays_the_report(celery_worker_process, report):
    wait_for(lambda: running_mid_way(report.pk), what="report mid-way")
    celery_worker_process.kill()
    stuck = report_row(report.pk)
    assert (stuck.status, stuck.result, stuck.result_written_count) == (ReportStatus.RUNNING, None, 0)

    celery_worker_process.start()  # a fresh worker
    assert_exactly_one_result(finish_after_the_crash(report.pk))
