"""Computing a report under a lease (DESIGN §10): the report row is the guarantee, not
the broker.

- Claim: one UPDATE takes a queued row, or a running row whose lease expired, sets a
  fresh lease token and ``lease_until``, and counts the attempt. Two workers holding the
  same message cannot both win it; a worker that loses the race does nothing.
- Sections: each is computed in its own read transaction, then saved with the progress
  in a short UPDATE guarded by the token, which also renews the lease. A worker that
  finds its token gone (its lease expired and another worker claimed the row) stops.
  A later attempt skips the sections already saved.
- Result: one final UPDATE, guarded by the token, copies the sections into ``result``,
  sets ``done`` and increments ``result_written_count`` (a check constraint keeps it at
  most 1), so a report has exactly one result.
- Crashes: a worker killed outright leaves a running row whose lease runs out; the beat
  job ``reports_requeue_expired`` queues it again (or fails it after the last attempt).
  Celery's late acknowledgement may also redeliver the message: the claim decides.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from functools import partial
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from kombu.exceptions import OperationalError as BrokerError

from recycling_network.tenancy import SYSTEM, run_as
from reports import conf
from reports.sections import SECTIONS, ReportContext
from reports.sections.context import tune_for_aggregates

logger = logging.getLogger(__name__)

DONE = "done"
NOT_CLAIMED = "not_claimed"
LEASE_LOST = "lease_lost"
RETRY = "queued"
FAILED = "failed"

FINISHING = "finishing"


class LeaseLost(Exception):
    """Another worker holds the report now (ours expired); our work is discarded."""


def worker_name() -> str:
    """Host and process id of the worker computing a report (shown to operators)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def send_report_task(report_id: int, countdown: float | None = None) -> None:
    """Queue the computation. A broker outage is not fatal: the row stays queued and the
    re-queue job sends it again."""
    from reports.tasks import report_compute_task

    try:
        report_compute_task.apply_async((report_id,), countdown=countdown)
    except (BrokerError, OSError):
        logger.warning("report %s: broker unavailable; the re-queue job will send it", report_id, exc_info=True)


def queue_on_commit(report_id: int) -> None:
    transaction.on_commit(partial(send_report_task, report_id))


def _execute(sql: str, params: dict[str, Any]) -> list[tuple]:
    with run_as(SYSTEM), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


CLAIM_SQL = """
UPDATE reports_report
   SET status = 'running', lease_token = %(token)s,
       lease_until = now() + %(lease)s * interval '1 second',
       attempts = attempts + 1, claimed_by = %(worker)s, started_at = coalesce(started_at, now()),
       progress_note = %(note)s
 WHERE id = %(id)s AND attempts < %(max_attempts)s
   AND (status = 'queued' OR (status = 'running' AND lease_until < now()))
RETURNING partner_id, as_of, period_start, period_end, k, radius_km, sections, attempts"""

SAVE_SECTION_SQL = """
UPDATE reports_report
   SET sections = sections || jsonb_build_object(%(name)s::text, %(data)s::jsonb),
       progress = %(progress)s, progress_note = %(note)s,
       lease_until = now() + %(lease)s * interval '1 second'
 WHERE id = %(id)s AND lease_token = %(token)s AND status = 'running'
RETURNING id"""

FINISH_SQL = """
UPDATE reports_report
   SET status = 'done', result = sections || jsonb_build_object('meta', %(meta)s::jsonb), sections = '{}',
       progress = 100, progress_note = 'done', finished_at = now(), error = '',
       lease_until = NULL, lease_token = NULL, result_written_count = result_written_count + 1
 WHERE id = %(id)s AND lease_token = %(token)s AND status = 'running'
RETURNING id"""

FAIL_ATTEMPT_SQL = """
UPDATE reports_report
   SET status = CASE WHEN attempts >= %(max_attempts)s THEN 'failed' ELSE 'queued' END,
       finished_at = CASE WHEN attempts >= %(max_attempts)s THEN now() END,
       error = %(error)s, lease_until = NULL, lease_token = NULL, claimed_by = '', queued_at = now()
 WHERE id = %(id)s AND lease_token = %(token)s AND status = 'running'
RETURNING status, attempts"""


def _json(data: Any) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)


def _claim(report_id: int, token: uuid.UUID, worker: str) -> tuple[ReportContext, dict[str, Any], int] | None:
    rows = _execute(
        CLAIM_SQL,
        {
            "id": report_id,
            "token": token,
            "lease": conf.lease_seconds(),
            "worker": worker[:200],
            "max_attempts": conf.max_attempts(),
            "note": next(iter(SECTIONS)),
        },
    )
    if not rows:
        return None
    partner_id, as_of, period_start, period_end, k, radius_km, sections, attempts = rows[0]
    context = ReportContext(
        partner_id=partner_id,
        as_of=as_of,
        period_start=period_start,
        period_end=period_end,
        k=k,
        radius_km=radius_km,
    )
    return context, sections or {}, attempts


def _guarded(sql: str, params: dict[str, Any]) -> None:
    if not _execute(sql, params):
        raise LeaseLost()


def report_compute(*, report_id: int, worker: str = "") -> str:
    """Claim the report, compute the sections it lacks, write the result once.

    Returns ``done``, ``not_claimed`` (someone else holds it, or it is finished),
    ``lease_lost`` (someone else took it over mid-way), ``queued`` (this attempt failed
    and another will follow) or ``failed`` (the last attempt failed)."""
    token = uuid.uuid4()
    claim = _claim(report_id, token, worker or worker_name())
    if claim is None:
        return NOT_CLAIMED
    context, saved, attempts = claim
    names = list(SECTIONS)
    try:
        for index, name in enumerate(names, start=1):
            if name in saved:
                continue
            with run_as(SYSTEM):
                tune_for_aggregates()
                data = SECTIONS[name](context)
            _guarded(
                SAVE_SECTION_SQL,
                {
                    "id": report_id,
                    "token": token,
                    "name": name,
                    "data": _json(data),
                    # The final write is the last step: sections take the progress to 80%.
                    "progress": 100 * index // (len(names) + 1),
                    "note": names[index] if index < len(names) else FINISHING,
                    "lease": conf.lease_seconds(),
                },
            )
            delay = conf.section_delay()
            if delay:
                time.sleep(delay)
        meta = {"sections": names, "attempts": attempts}
        _guarded(FINISH_SQL, {"id": report_id, "token": token, "meta": _json(meta)})
    except LeaseLost:
        logger.warning("report %s: lease lost; another worker finishes it", report_id)
        return LEASE_LOST
    except Exception as error:
        logger.exception("report %s: attempt %s failed", report_id, attempts)
        rows = _execute(
            FAIL_ATTEMPT_SQL,
            {
                "id": report_id,
                "token": token,
                "max_attempts": conf.max_attempts(),
                "error": f"{type(error).__name__}: {error}"[:2000],
            },
        )
        if not rows:
            return LEASE_LOST
        return FAILED if rows[0][0] == "failed" else RETRY
    return DONE


REQUEUE_GIVE_UP_SQL = """
UPDATE reports_report
   SET status = 'failed', finished_at = now(), lease_until = NULL, lease_token = NULL,
       error = 'The worker computing this report stopped ' || attempts || ' times without finishing.'
 WHERE status = 'running' AND lease_until < now() AND attempts >= %(max_attempts)s
RETURNING id"""

REQUEUE_EXPIRED_SQL = """
UPDATE reports_report
   SET status = 'queued', lease_until = NULL, lease_token = NULL, claimed_by = '', queued_at = now()
 WHERE status = 'running' AND lease_until < now()
RETURNING id"""

RESEND_STALE_SQL = """
UPDATE reports_report SET queued_at = now()
 WHERE status = 'queued' AND queued_at < now() - %(stale)s * interval '1 second'
RETURNING id"""


def reports_requeue_expired() -> dict[str, list[int]]:
    """Beat, every minute: reports whose worker died (lease expired) go back to the queue,
    or fail after the last attempt; queued reports whose task may be lost are sent again.
    A duplicate message is harmless: only one claim succeeds."""
    with run_as(SYSTEM), connection.cursor() as cursor:
        cursor.execute(REQUEUE_GIVE_UP_SQL, {"max_attempts": conf.max_attempts()})
        failed = [row[0] for row in cursor.fetchall()]
        cursor.execute(REQUEUE_EXPIRED_SQL)
        requeued = [row[0] for row in cursor.fetchall()]
        cursor.execute(RESEND_STALE_SQL, {"stale": conf.stale_queued_seconds()})
        resent = [row[0] for row in cursor.fetchall()]
        for report_id in requeued + resent:
            queue_on_commit(report_id)
    if failed or requeued:
        logger.warning("reports: re-queued %s, failed %s", requeued, failed)
    return {"failed": failed, "requeued": requeued, "resent": resent}
