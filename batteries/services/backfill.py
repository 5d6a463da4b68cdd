"""Audience backfill: when a code claim is approved, its partner becomes a producer of
every battery carrying the code and receives their history through the feed."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.utils import timezone

from batteries import deadlines
from batteries.models import Battery, Obligation, ObligationStatus
from partners.models import ClaimStatus, CodeClaim, CodeKind
from recycling_network.tenancy import SYSTEM, run_as

CHUNK = 500


def _matching(claim: CodeClaim):
    if claim.kind == CodeKind.MANUFACTURER:
        return Battery.objects.filter(manufacturer_code=claim.code)
    return Battery.objects.filter(vin__startswith=claim.code)


def grant_history(battery_ids: list[int], partner_id: int) -> int:
    """Make ``partner_id`` a producer of the batteries: add it to their audience and to the
    audience of their events, and write a feed entry for each event it gains. Runs in the
    caller's (system) transaction, so followers receive the entries after their cursor."""
    Battery.objects.filter(pk__in=battery_ids).exclude(producer_ids__contains=[partner_id]).update(
        producer_ids=_append("producer_ids", partner_id), updated_at=timezone.now()
    )
    Battery.objects.filter(pk__in=battery_ids).exclude(audience__contains=[partner_id]).update(
        audience=_append("audience", partner_id)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE batteries_custodyevent SET audience = array_append(audience, %s) "
            "WHERE battery_id = ANY(%s) AND NOT audience @> ARRAY[%s]::bigint[] RETURNING id",
            [partner_id, battery_ids, partner_id],
        )
        event_ids = sorted(row[0] for row in cursor.fetchall())
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO batteries_feedentry (partner_id, event_id) SELECT %s, unnest(%s::bigint[])",
            [partner_id, event_ids],
        )
    return len(event_ids)


def _append(column: str, value: int):
    from django.db.models import F, Func, Value
    from django.db.models.fields import BigIntegerField

    return Func(F(column), Value(value, output_field=BigIntegerField()), function="array_append")


def _assign_obligations(battery_ids: list[int], automaker_id: int) -> None:
    """An automaker that claims a WMI now owes the uploads that had nobody to owe them."""
    today = timezone.localdate()
    for obligation in Obligation.objects.filter(
        battery_id__in=battery_ids, status=ObligationStatus.UNASSIGNED
    ).select_for_update():
        if not obligation.rule.startswith("outlet_"):
            continue
        obligation.obligated_id = automaker_id
        obligation.due_on = deadlines.add_working_days(obligation.occurred_on, obligation.working_days)
        obligation.status = ObligationStatus.OVERDUE if obligation.due_on < today else ObligationStatus.PENDING
        obligation.audience = sorted(set(obligation.audience) | {automaker_id})
        obligation.save(update_fields=["obligated", "due_on", "status", "audience"])


def audience_backfill(*, claim_id: int, progress: Callable[[int, int], None] | None = None) -> int:
    """Backfill one approved claim, one transaction per chunk of batteries; idempotent."""
    with run_as(SYSTEM):
        claim = CodeClaim.objects.get(pk=claim_id)
        if claim.status != ClaimStatus.APPROVED:
            return 0
        ids = list(_matching(claim).order_by("pk").values_list("pk", flat=True))
    total = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with run_as(SYSTEM):
            total += grant_history(chunk, claim.partner_id)
            if claim.kind == CodeKind.WMI:
                _assign_obligations(chunk, claim.partner_id)
            done = min(100, round(100 * (start + len(chunk)) / len(ids)))
            CodeClaim.objects.filter(pk=claim.pk).update(backfill_progress=done)
        if progress:
            progress(start + len(chunk), len(ids))
    with run_as(SYSTEM):
        CodeClaim.objects.filter(pk=claim.pk).update(backfill_progress=100, backfill_done_at=timezone.now())
    return total
