"""Follow the Recycling Network event feed and verify every hash chain received.

    pip install rfc8785
    python feed_client.py --base-url https://rn.example.cn --key rnk_... --state feed.cursor --out events.jsonl

Each run reads ``GET /api/v1/events/?after=<cursor>`` page by page until ``has_more`` is
false, appends the events to ``--out`` (JSON lines), verifies them with
``verify_feed.verify_events`` (each event's own hash, and the link between consecutive
``seq`` values it holds, including events saved by earlier runs), and stores the new
cursor in ``--state`` only after the events are safely written. Run it again, from cron
for example, to pick up where it stopped: the feed delivers every event exactly once.

Standard library only, plus ``rfc8785`` (through ``verify_feed.py``, kept next to it).
Exit status: 0 when every check passed, 1 when a chain problem was found, 2 on errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from verify_feed import verify_events

USER_AGENT = "rn-feed-client/1.0"
RETRY_STATUSES = {429, 502, 503, 504}


class FeedError(Exception):
    """The server refused the request (a problem document is attached when it sent one)."""

    def __init__(self, status: int, problem: dict[str, Any] | None) -> None:
        self.status, self.problem = status, problem or {}
        super().__init__(f"HTTP {status}: {self.problem.get('code', '')} {self.problem.get('detail', '')}".strip())


@dataclass
class Page:
    events: list[dict[str, Any]]
    next_cursor: str
    has_more: bool


@dataclass
class FeedClient:
    base_url: str
    key: str
    limit: int = 100
    timeout: float = 30.0
    retries: int = 5
    requests_made: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if urllib.parse.urlsplit(self.base_url).scheme not in {"http", "https"}:
            raise ValueError(f"not an http(s) URL: {self.base_url}")

    def page(self, cursor: str | None) -> Page:
        """One page after ``cursor`` (None: from the beginning)."""
        query = {"limit": str(self.limit)}
        if cursor:
            query["after"] = cursor
        body = self._get("/api/v1/events/?" + urllib.parse.urlencode(query))
        return Page(body["results"], body["next_cursor"], body["has_more"])

    def pages(self, cursor: str | None) -> Iterator[Page]:
        """Pages until the feed says there is no more. The last page may be empty; its
        ``next_cursor`` is then the cursor given (the feed's promise)."""
        while True:
            page = self.page(cursor)
            yield page
            cursor = page.next_cursor
            if not page.has_more:
                return

    def _get(self, path: str) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked in __post_init__
            self.base_url.rstrip("/") + path,
            headers={"Authorization": f"Bearer {self.key}", "Accept": "application/json", "User-Agent": USER_AGENT},
        )
        for attempt in range(self.retries + 1):
            self.requests_made += 1
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - as above
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as error:
                problem = _problem(error)
                if error.code not in RETRY_STATUSES or attempt == self.retries:
                    raise FeedError(error.code, problem) from error
                time.sleep(_retry_after(error, attempt))
        raise AssertionError("unreachable")


def _problem(error: urllib.error.HTTPError) -> dict[str, Any] | None:
    try:
        return json.loads(error.read().decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


def _retry_after(error: urllib.error.HTTPError, attempt: int) -> float:
    """Honour ``Retry-After`` (throttling); otherwise back off exponentially."""
    try:
        return min(60.0, float(error.headers.get("Retry-After", "")))
    except ValueError:
        return min(60.0, 0.5 * 2**attempt)


@dataclass
class SyncResult:
    events: list[dict[str, Any]]  # received in this run, in feed order
    cursor: str
    problems: list[str]

    def summary(self) -> dict[str, Any]:
        return {
            "received": len(self.events),
            "event_ids": [event["id"] for event in self.events],
            "kinds": dict(Counter(event["kind"] for event in self.events)),
            "batteries": len({event["battery"] for event in self.events}),
            "cursor": self.cursor,
            "problems": self.problems,
        }


def sync(client: FeedClient, cursor: str | None, known: list[dict[str, Any]] | None = None) -> SyncResult:
    """Read the feed to its end from ``cursor`` and verify the new events together with
    ``known`` ones (events kept from earlier runs), so links across runs are checked too."""
    received: list[dict[str, Any]] = []
    position = cursor or ""
    for page in client.pages(cursor):
        received.extend(page.events)
        position = page.next_cursor
    problems = verify_events([*(known or []), *received])
    duplicates = [event_id for event_id, n in Counter(e["id"] for e in received).items() if n > 1]
    problems += [f"event {event_id} was delivered twice" for event_id in duplicates]
    return SyncResult(received, position, problems)


def _read_state(path: Path | None) -> str | None:
    if path is None or not path.exists():
        return None
    return path.read_text(encoding="utf-8").strip() or None


def _write_state(path: Path, cursor: str) -> None:
    """Replace the cursor file atomically, so a crash never leaves half a cursor."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(cursor + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _read_events(path: Path | None) -> list[dict[str, Any]]:
    if path is None or not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _append_events(path: Path, events: list[dict[str, Any]]) -> None:
    with path.open("a", encoding="utf-8") as handle:
        for event in events:
            handle.write(json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="e.g. https://rn.example.cn")
    parser.add_argument("--key", default=os.environ.get("RN_API_KEY"), help="API key (or set RN_API_KEY)")
    parser.add_argument("--state", type=Path, help="file keeping the cursor between runs")
    parser.add_argument("--out", type=Path, help="append received events here (JSON lines)")
    parser.add_argument("--limit", type=int, default=100, help="page size, 1-500")
    parser.add_argument("--json", action="store_true", help="print a JSON summary instead of text")
    args = parser.parse_args(argv)
    if not args.key:
        parser.error("give --key or set RN_API_KEY")

    try:
        client = FeedClient(args.base_url, args.key, limit=args.limit)
        result = sync(client, _read_state(args.state), _read_events(args.out))
    except (FeedError, OSError, ValueError) as error:
        print(f"feed_client: {error}", file=sys.stderr)
        return 2
    if args.out is not None:
        _append_events(args.out, result.events)
    if args.state is not None:
        _write_state(args.state, result.cursor)

    if args.json:
        print(json.dumps({**result.summary(), "requests": client.requests_made}, ensure_ascii=False))
    else:
        for line in result.problems:
            print(line)
        print(f"{len(result.events)} new events in {client.requests_made} requests, {len(result.problems)} problems")
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main())
