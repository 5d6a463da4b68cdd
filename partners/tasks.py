"""Thin tasks: load, call a service, own the retries."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from partners.models import OutboxEmail, OutboxStatus
from recycling_network.tenancy import SYSTEM, run_as

MAX_ATTEMPTS = 5


@shared_task(bind=True, max_retries=MAX_ATTEMPTS)
def outbox_send(self, email_id: int) -> str:
    """Send one queued email. The row lock makes a duplicate delivery of the task a no-op."""
    failure: OSError | None = None
    with run_as(SYSTEM):
        email = OutboxEmail.objects.select_for_update(skip_locked=True).filter(pk=email_id).first()
        if email is None or email.status != OutboxStatus.PENDING:
            return "skipped"
        email.attempts += 1
        try:
            send_mail(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, email.to)
        except OSError as error:
            failure = error
            email.last_error = str(error)[:2000]
            if email.attempts >= MAX_ATTEMPTS:
                email.status = OutboxStatus.FAILED
        else:
            email.status = OutboxStatus.SENT
            email.sent_at = timezone.now()
        email.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    if failure is not None:
        if email.status == OutboxStatus.FAILED:
            return "failed"
        raise self.retry(exc=failure, countdown=min(600, 10 * 2**email.attempts))
    return "sent"


@shared_task
def outbox_send_pending() -> int:
    """Beat: pick up mail whose task was lost (broker down at commit time)."""
    cutoff = timezone.now() - datetime.timedelta(minutes=1)
    with run_as(SYSTEM):
        ids = list(
            OutboxEmail.objects.filter(status=OutboxStatus.PENDING, created_at__lt=cutoff).values_list("pk", flat=True)[
                :500
            ]
        )
    for email_id in ids:
        outbox_send.delay(email_id)
    return len(ids)
