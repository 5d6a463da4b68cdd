"""The hash-chained custody ledger and the feed entries each event writes (DESIGN §7).

``hash = sha256(prev_hash + JCS({battery, seq, kind, partner, counterparty, outlet,
occurred_at, recorded_at, data}))`` where JCS is RFC 8785 canonical JSON, ``battery``
is the code, ``partner`` and ``counterparty`` are ids or null, ``outlet`` is the outlet
code or null, timestamps are UTC with microseconds and ``Z`` and decimals are strings.
The feed returns exactly these values, so a partner can check every event it receives.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import rfc8785
from django.db import connection
from django.utils import timezone

from batteries.models import Battery, Consignment, CustodyEvent
from outlets.models import Outlet
from recycling_network.tenancy import Actor

GENESIS_HASH = "0" * 64
# The data center follows the whole ledger through feed entries of its own.
DATACENTER_FEED_ID = 0


def timestamp(value: datetime.datetime) -> str:
    """UTC with microseconds and ``Z``: the one textual form hashed and served."""
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def json_safe(value: Any) -> Any:
    """Decimals become strings and datetimes the hashed timestamp form, recursively."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return timestamp(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def hashed_fields(event: CustodyEvent) -> dict[str, Any]:
    """The event as the hash covers it (and as the feed serves it)."""
    return {
        "battery": event.battery_code,
        "seq": event.seq,
        "kind": event.kind,
        "partner": event.partner_id,
        "counterparty": event.counterparty_id,
        "outlet": event.outlet_code or None,
        "occurred_at": timestamp(event.occurred_at),
        "recorded_at": timestamp(event.recorded_at),
        "data": event.data,
    }


def feed_representation(event: CustodyEvent) -> dict[str, Any]:
    """The event as the feed and the API serve it: the hashed fields plus the chain."""
    return {"id": event.pk, **hashed_fields(event), "hash": event.hash, "prev_hash": event.prev_hash}


def chain_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + rfc8785.dumps(fields)).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    battery_code: str
    event_id: int
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"battery {self.battery_code}, event {self.event_id} (seq {self.seq}): {self.problem}"


def verify_chain(events: Iterable[CustodyEvent]) -> BrokenLink | None:
    """Check one battery's events in ``seq`` order; return the first broken link."""
    expected_prev, expected_seq = GENESIS_HASH, 1
    for event in events:
        if event.seq != expected_seq:
            return BrokenLink(event.battery_code, event.pk, event.seq, f"expected seq {expected_seq}")
        if event.prev_hash != expected_prev:
            return BrokenLink(event.battery_code, event.pk, event.seq, "prev_hash does not match the previous event")
        if chain_hash(event.prev_hash, hashed_fields(event)) != event.hash:
            return BrokenLink(event.battery_code, event.pk, event.seq, "hash does not match the event's content")
        expected_prev, expected_seq = event.hash, event.seq + 1
    return None


def write_feed_entries(event_id: int, partner_ids: Iterable[int]) -> None:
    """One feed entry per audience member (and the data center), in this transaction.

    Raw SQL without RETURNING: the entries belong to other partners, which the row
    policy lets a partner insert but not read back."""
    members = sorted({*partner_ids, DATACENTER_FEED_ID})
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO batteries_feedentry (partner_id, event_id) SELECT unnest(%s::bigint[]), %s",
            [members, event_id],
        )


def append_event(
    battery: Battery,
    *,
    kind: str,
    actor: Actor,
    partner_id: int | None,
    audience: Iterable[int],
    occurred_at: datetime.datetime,
    data: dict[str, Any] | None = None,
    counterparty_id: int | None = None,
    outlet: Outlet | None = None,
    consignment: Consignment | None = None,
) -> CustodyEvent:
    """Append an event to ``battery``'s chain. The caller holds the battery's row lock,
    which is what keeps two appends from forking the chain (UNIQUE(battery, seq) is the
    guarantee if a caller forgets)."""
    event = CustodyEvent(
        battery=battery,
        battery_code=battery.code,
        seq=battery.last_seq + 1,
        kind=kind,
        partner_id=partner_id,
        counterparty_id=counterparty_id,
        outlet=outlet,
        outlet_code=outlet.code if outlet is not None else "",
        consignment=consignment,
        occurred_at=occurred_at,
        recorded_at=timezone.now(),
        data=json_safe({k: v for k, v in (data or {}).items() if v not in (None, "")}),
        actor_user_id=actor.user_id,
        actor_api_key_id=actor.api_key_id,
        prev_hash=battery.last_hash,
        audience=sorted(set(audience)),
    )
    event.hash = chain_hash(event.prev_hash, hashed_fields(event))
    event.save(force_insert=True)
    battery.last_seq, battery.last_hash = event.seq, event.hash
    Battery.objects.filter(pk=battery.pk).update(last_seq=event.seq, last_hash=event.hash, updated_at=timezone.now())
    write_feed_entries(event.pk, event.audience)
    return event
