"""A real Celery worker process (not eager mode) computes a requested report."""

from __future__ import annotations

import os

import pytest

from reports.models import ReportStatus
from reports.sections import SECTIONS
from reports.services import report_request
from tests.builders import DATACENTER, call, make_outlet, make_partner
from tests.reports.helpers import report_row, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_worker_process_computes_a_requested_report(celery_worker_process):
    make_outlet(make_partner(), prefecture="110100")
    report = call(DATACENTER, report_request)

    done = wait_for(lambda: report_row(report.pk).status == ReportStatus.DONE, what="report done")
    assert done
    row = report_row(report.pk)
    assert (row.progress, row.attempts, row.result_written_count) == (100, 1, 1)
    assert set(row.result) == {*SECTIONS, "meta"}
    assert row.result["network"]["coverage"]["covered_prefectures"] == ["110100"]
    # Computed by the worker's pool process, not by this one.
    pid = int(row.claimed_by.split(":")[1])
    assert pid != os.getpid()
    assert pid in celery_worker_process.pool_child_pids()
