"""The exactly-once feed (DESIGN §7 "The feed").

Each partner's entries are read in ``(txid, event_id)`` order, holding back entries of
transactions that are still running (``txid < pg_snapshot_xmin(pg_current_snapshot())``):
an earlier transaction that commits last is delivered after the cursor, never skipped.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext_lazy as _

from batteries.ledger import DATACENTER_FEED_ID
from batteries.models import CustodyEvent
from recycling_network.errors import Forbidden, InvalidInput
from recycling_network.tenancy import Actor

START = (0, 0)

PAGE_SQL = """
SELECT f.txid::text, f.event_id
FROM batteries_feedentry f
WHERE f.partner_id = %s
  AND (f.txid, f.event_id) > (%s::text::xid8, %s)
  AND f.txid < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY f.txid, f.event_id
LIMIT %s
"""


@dataclass(frozen=True)
class FeedPage:
    events: list[CustodyEvent]
    next_cursor: str
    has_more: bool


def encode_cursor(position: tuple[int, int]) -> str:
    return base64.urlsafe_b64encode(f"{position[0]}.{position[1]}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[int, int]:
    if not cursor:
        return START
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        txid, event_id = (int(part) for part in text.split("."))
    except (ValueError, UnicodeDecodeError, binascii.Error) as error:
        raise InvalidInput(
            _("The cursor is not one this feed gave out."),
            code="cursor_invalid",
            errors={"after": [_("Invalid cursor.")]},
        ) from error
    if txid < 0 or event_id < 0 or txid >= 2**63 or event_id >= 2**63:
        raise InvalidInput(
            _("The cursor is not one this feed gave out."),
            code="cursor_invalid",
            errors={"after": [_("Invalid cursor.")]},
        )
    return txid, event_id


def feed_partner_id(actor: Actor) -> int:
    if actor.is_partner:
        return actor.partner_id
    if actor.is_datacenter:
        return DATACENTER_FEED_ID
    raise Forbidden()


def feed_page(actor: Actor, cursor: str | None, limit: int) -> FeedPage:
    """Up to ``limit`` events after ``cursor``; an empty page returns the same cursor."""
    position = decode_cursor(cursor)
    with connection.cursor() as db:
        db.execute(PAGE_SQL, [feed_partner_id(actor), str(position[0]), position[1], limit + 1])
        rows = [(int(txid), event_id) for txid, event_id in db.fetchall()]
    has_more = len(rows) > limit
    rows = rows[:limit]
    if not rows:
        return FeedPage([], cursor or encode_cursor(START), False)
    by_id = CustodyEvent.objects.in_bulk([event_id for _txid, event_id in rows])
    events = [by_id[event_id] for _txid, event_id in rows if event_id in by_id]
    return FeedPage(events, encode_cursor(rows[-1]), has_more)
