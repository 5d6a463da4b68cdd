"""Verify the custody events a partner receives from the Recycling Network feed.

A partner sees only some events of each battery's chain, so it checks what it can:
every event's own hash, and the link between consecutive ``seq`` values it holds.

    pip install rfc8785
    python verify_feed.py events.json      # a JSON list of events as GET /api/v1/events/ returns them

Standalone on purpose: it needs only the standard library and ``rfc8785`` (RFC 8785
canonical JSON), so an integrator can run it anywhere.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import rfc8785

HASHED = ("battery", "seq", "kind", "partner", "counterparty", "outlet", "occurred_at", "recorded_at", "data")
GENESIS = "0" * 64


def event_hash(event: dict[str, Any]) -> str:
    payload = {field: event[field] for field in HASHED}
    return hashlib.sha256(event["prev_hash"].encode("ascii") + rfc8785.dumps(payload)).hexdigest()


def verify_events(events: Iterable[dict[str, Any]]) -> list[str]:
    """Return one line per problem found; an empty list means every check passed."""
    problems: list[str] = []
    chains: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for event in events:
        if event_hash(event) != event["hash"]:
            problems.append(
                f"battery {event['battery']}, event {event['id']} (seq {event['seq']}): hash does not match"
            )
        if event["seq"] == 1 and event["prev_hash"] != GENESIS:
            problems.append(f"battery {event['battery']}, event {event['id']} (seq 1): does not start the chain")
        chains[event["battery"]][event["seq"]] = event
    for battery, by_seq in chains.items():
        for seq, event in sorted(by_seq.items()):
            before = by_seq.get(seq - 1)
            if before is not None and event["prev_hash"] != before["hash"]:
                problems.append(f"battery {battery}, event {event['id']} (seq {seq}): not linked to seq {seq - 1}")
    return problems


def main(path: str) -> int:
    with open(path, encoding="utf-8") as handle:
        events = json.load(handle)
    problems = verify_events(events)
    for line in problems:
        print(line)
    print(f"{len(events)} events checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
