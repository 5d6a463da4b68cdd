"""``Idempotency-Key`` on POST and PATCH (DESIGN §8 "Idempotency").

The record (scope: the API key or user; the key; method and path; SHA-256 of the
canonical body) is inserted first, in the request's transaction. A concurrent duplicate
waits on the unique index (lock timeout 10 s), then replays the stored response; only if
the wait times out does it get 409 ``idempotency_in_progress``. The same key with another
body is 422 ``idempotency_key_reused``. Committed responses are stored (2xx, and a 409
whose writes are kept); a rolled-back 4xx leaves no record, so a retry runs again.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

import rfc8785
from django.db import OperationalError, connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from partners.models import IdempotencyRecord
from recycling_network.errors import Conflict, DomainError
from recycling_network.tenancy import Actor

HEADER = "Idempotency-Key"
METHODS = {"POST", "PATCH"}
LOCK_TIMEOUT = "10s"
KEEP = datetime.timedelta(hours=24)


class KeyReused(DomainError):
    status = 422
    code = "idempotency_key_reused"
    default_message = _("This Idempotency-Key was used for a different request.")


class InProgress(Conflict):
    code = "idempotency_in_progress"
    default_message = _("A request with this Idempotency-Key is still being processed; retry shortly.")


class Replay(Exception):
    """Raised to answer with a stored response instead of running the view."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("replay")
        self.response = response


def _scope(actor: Actor) -> str:
    return f"key:{actor.api_key_id}" if actor.api_key_id else f"user:{actor.user_id}"


def body_digest(request: Request) -> str:
    """SHA-256 of the canonical (RFC 8785) JSON body, so formatting does not matter."""
    data: Any = request.data
    try:
        canonical = rfc8785.dumps(json.loads(json.dumps(data, default=str)))
    except (TypeError, ValueError, rfc8785.CanonicalizationError):
        canonical = request.body
    return hashlib.sha256(canonical).hexdigest()


def _insert(actor: Actor, scope: str, key: str, request: Request, digest: str) -> int | None:
    """Insert the record, waiting on a concurrent duplicate; None if one already exists."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        try:
            with transaction.atomic():
                cursor.execute(
                    "INSERT INTO partners_idempotencyrecord (scope, key, method, path, body_sha256, content_type, "
                    "location, created_at, audience) VALUES (%s, %s, %s, %s, %s, '', '', now(), %s) "
                    "ON CONFLICT (scope, key) DO NOTHING RETURNING id",
                    [scope, key, request.method, request.path, digest, [actor.partner_id] if actor.partner_id else []],
                )
                row = cursor.fetchone()
        except OperationalError as error:
            raise InProgress() from error
        finally:
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    return row[0] if row else None


def begin(request: Request) -> None:
    """Before the view runs: claim the key, or raise ``Replay`` with the stored answer."""
    key = request.headers.get(HEADER)
    if request.method not in METHODS or key is None:
        return
    if not 1 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
        raise exceptions.ValidationError({HEADER: [_("Use 1 to 255 printable ASCII characters.")]})
    actor: Actor = request.actor
    scope, digest = _scope(actor), body_digest(request)
    for _attempt in range(2):
        record_id = _insert(actor, scope, key, request, digest)
        if record_id is not None:
            request.idempotency_record_id = record_id
            return
        existing = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if existing is None:
            continue  # removed meanwhile: try once more
        if existing.created_at < timezone.now() - KEEP:
            existing.delete()
            continue
        if (existing.method, existing.path, existing.body_sha256) != (request.method, request.path, digest):
            raise KeyReused()
        raise Replay(_stored_response(existing))
    raise InProgress()


def _stored_response(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body or b""), status=record.status, content_type=record.content_type)
    if record.location:
        response["Location"] = record.location
    response["Idempotent-Replayed"] = "true"
    return response


def finish(request: Request, response: HttpResponse) -> None:
    """After the view: store a committed answer with the record."""
    record_id = getattr(request, "idempotency_record_id", None)
    if record_id is None:
        return
    keeps = 200 <= response.status_code < 300 or (
        response.status_code == 409 and not connection.needs_rollback and getattr(response, "exception", False)
    )
    if not keeps:
        transaction.set_rollback(True)
        return
    if isinstance(response, Response) and not response.is_rendered:
        response.render()
    IdempotencyRecord.objects.filter(pk=record_id).update(
        status=response.status_code,
        content_type=response.get("Content-Type", ""),
        response_body=response.content,
        location=response.get("Location", ""),
    )


def purge_expired() -> int:
    """Beat: forget records older than 24 hours."""
    deleted, _rows = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    return deleted
