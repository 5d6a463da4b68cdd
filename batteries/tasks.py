"""Thin tasks over the traceability services."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command

from batteries.services import audience_backfill, obligations_mark_overdue
from recycling_network.tenancy import SYSTEM, run_as


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def audience_backfill_for_claim(claim_id: int) -> int:
    return audience_backfill(claim_id=claim_id)


@shared_task
def mark_overdue_obligations() -> int:
    with run_as(SYSTEM):
        return obligations_mark_overdue()


@shared_task(time_limit=3600, soft_time_limit=3500)
def verify_ledger_nightly() -> None:
    call_command("verify_ledger")
