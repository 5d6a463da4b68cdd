"""The lease of DESIGN §10, in-process: one claim at a time, progress per section, one
result, re-queueing of expired leases, giving up after the last attempt."""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, connection

from recycling_network.tenancy import SYSTEM, run_as
from reports.models import Report, ReportStatus
from reports.sections import SECTIONS
from reports.services import compute as runner
from reports.services import report_compute, report_request, reports_requeue_expired
from tests.builders import DATACENTER, call
from tests.reports.helpers import report_row, run_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued() -> Report:
    """A queued report whose task was not run (the test plays the workers)."""
    return call(DATACENTER, report_request)


def expire_lease(report_id: int) -> None:
    with run_as(SYSTEM), connection.cursor() as cursor:
        cursor.execute("UPDATE reports_report SET lease_until = now() - interval '1 second' WHERE id = %s", [report_id])


def test_a_report_is_computed_once_with_progress_per_section(django_capture_on_commit_callbacks):
    report = run_report(django_capture_on_commit_callbacks, DATACENTER)
    assert (report.status, report.progress, report.progress_note) == (ReportStatus.DONE, 100, "done")
    assert (report.attempts, report.result_written_count) == (1, 1)
    assert set(report.result) == {*SECTIONS, "meta"}
    assert report.sections == {}
    assert (report.lease_token, report.lease_until) == (None, None)
    assert report.started_at <= report.finished_at


def test_a_live_lease_keeps_a_second_worker_out_until_it_expires(queued):
    first = uuid.uuid4()
    assert runner._claim(queued.pk, first, "worker-1") is not None
    assert report_compute(report_id=queued.pk, worker="worker-2") == runner.NOT_CLAIMED
    assert report_row(queued.pk).claimed_by == "worker-1"

    # Worker 1 stalls past its lease; worker 2 takes over and finishes.
    expire_lease(queued.pk)
    assert report_compute(report_id=queued.pk, worker="worker-2") == runner.DONE
    # Worker 1 wakes up: every write it tries is refused, so there is one result.
    with pytest.raises(runner.LeaseLost):
        runner._guarded(
            runner.SAVE_SECTION_SQL,
            {"id": queued.pk, "token": first, "name": "network", "data": "{}", "progress": 20, "note": "", "lease": 60},
        )
    with pytest.raises(runner.LeaseLost):
        runner._guarded(runner.FINISH_SQL, {"id": queued.pk, "token": first, "meta": "{}"})
    report = report_row(queued.pk)
    assert (report.status, report.attempts, report.result_written_count) == (ReportStatus.DONE, 2, 1)
    assert report.claimed_by == "worker-2"
    assert report.result["network"]["outlets"]["total"] == 0
    # A finished report is never claimed again (a late duplicate message does nothing).
    assert report_compute(report_id=queued.pk) == runner.NOT_CLAIMED


def test_a_worker_whose_lease_was_taken_mid_way_stops(queued, monkeypatch):
    """Worker 1 computes slowly; during its second section worker 2 claims the expired
    lease and finishes. Worker 1's next write finds its token gone and it stops."""
    original = SECTIONS["obligations"]

    def slow_obligations(ctx):
        monkeypatch.setitem(SECTIONS, "obligations", original)
        expire_lease(queued.pk)
        assert report_compute(report_id=queued.pk, worker="worker-2") == runner.DONE
        return original(ctx)

    monkeypatch.setitem(SECTIONS, "obligations", slow_obligations)
    assert report_compute(report_id=queued.pk, worker="worker-1") == runner.LEASE_LOST
    report = report_row(queued.pk)
    assert (report.status, report.attempts, report.result_written_count) == (ReportStatus.DONE, 2, 1)
    assert report.claimed_by == "worker-2"


def test_a_later_attempt_resumes_after_the_saved_sections(queued, monkeypatch):
    token = uuid.uuid4()
    context = runner._claim(queued.pk, token, "worker-1")[0]
    with run_as(SYSTEM):
        data = SECTIONS["network"](context)
    runner._guarded(
        runner.SAVE_SECTION_SQL,
        {"id": queued.pk, "token": token, "name": "network", "data": runner._json(data), "progress": 20}
        | {"note": "obligations", "lease": 60},
    )
    assert report_row(queued.pk).progress == 20
    expire_lease(queued.pk)  # worker 1 died here

    def must_not_run(ctx):
        raise AssertionError("the network section was saved already")

    monkeypatch.setitem(SECTIONS, "network", must_not_run)
    assert report_compute(report_id=queued.pk, worker="worker-2") == runner.DONE
    report = report_row(queued.pk)
    assert report.result["network"] == data
    assert report.attempts == 2


def test_a_failing_report_is_retried_then_failed_with_the_error(
    django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.RN_REPORT_MAX_ATTEMPTS = 3
    calls = []

    def broken(ctx):
        calls.append(ctx)
        raise ValueError("no such prefecture")

    monkeypatch.setitem(SECTIONS, "allocation", broken)
    report = run_report(django_capture_on_commit_callbacks, DATACENTER)
    assert len(calls) == 3  # Celery's retry brought the queued row back twice
    assert (report.status, report.attempts, report.result) == (ReportStatus.FAILED, 3, None)
    assert report.error == "ValueError: no such prefecture"
    assert report.finished_at is not None
    assert set(report.sections) == {"network", "obligations"}  # kept from the first attempt


def test_requeue_sends_expired_leases_again_and_gives_up_after_the_last_attempt(
    django_capture_on_commit_callbacks, settings
):
    settings.RN_REPORT_MAX_ATTEMPTS = 2
    alive, dead, dying, waiting = (call(DATACENTER, report_request) for _ in range(4))
    for report in (alive, dead, dying):
        assert runner._claim(report.pk, uuid.uuid4(), "worker") is not None
    assert runner._claim(dying.pk, uuid.uuid4(), "worker") is None  # its lease is live
    expire_lease(dying.pk)
    assert runner._claim(dying.pk, uuid.uuid4(), "worker") is not None  # second attempt
    expire_lease(dead.pk)
    expire_lease(dying.pk)
    with run_as(SYSTEM), connection.cursor() as cursor:  # its task was lost long ago
        cursor.execute("UPDATE reports_report SET queued_at = now() - interval '1 hour' WHERE id = %s", [waiting.pk])

    with django_capture_on_commit_callbacks() as sent:
        outcome = reports_requeue_expired()
    assert outcome == {"failed": [dying.pk], "requeued": [dead.pk], "resent": [waiting.pk]}
    assert len(sent) == 2
    assert report_row(alive.pk).status == ReportStatus.RUNNING
    dead_row, dying_row = report_row(dead.pk), report_row(dying.pk)
    assert (dead_row.status, dead_row.lease_token, dead_row.attempts) == (ReportStatus.QUEUED, None, 1)
    assert (dying_row.status, dying_row.attempts) == (ReportStatus.FAILED, 2)
    assert "stopped 2 times" in dying_row.error

    # The re-queued report is claimed by the next worker and finished.
    assert report_compute(report_id=dead.pk) == runner.DONE
    assert report_row(dead.pk).attempts == 2


def test_the_database_refuses_a_second_result(django_capture_on_commit_callbacks):
    report = run_report(django_capture_on_commit_callbacks, DATACENTER)
    with pytest.raises(IntegrityError), run_as(SYSTEM):
        Report.objects.filter(pk=report.pk).update(result_written_count=2)
