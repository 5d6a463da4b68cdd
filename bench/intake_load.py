"""Closed-loop HTTP load for ``bench/intake_bench.py``, without Django.

Each client is a thread with its own connection (``http.client``: the lightest client in
the standard library, so that the load generator, which shares the 2 cores with the
server, takes as little CPU as it can). A client sends its next request as soon as the
previous answer is read; the requests of a segment are taken in order from one list.
"""

from __future__ import annotations

import http.client
import itertools
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Call:
    path: str
    body: bytes
    headers: dict[str, str]
    tag: str  # what the request creates (a battery code), to check afterwards


@dataclass
class Answer:
    status: int  # 0: the connection failed
    seconds: float
    body: bytes


@dataclass
class Segment:
    calls: list[Call]
    answers: list[Answer]
    wall_seconds: float
    client_cpu_seconds: float


@dataclass
class Side:
    """Everything measured for one side over all its segments."""

    name: str
    segments: list[Segment] = field(default_factory=list)

    @property
    def answers(self) -> list[Answer]:
        return [answer for segment in self.segments for answer in segment.answers]

    @property
    def requests(self) -> int:
        return sum(len(segment.answers) for segment in self.segments)

    @property
    def wall_seconds(self) -> float:
        return sum(segment.wall_seconds for segment in self.segments)

    @property
    def per_second(self) -> float:
        return self.requests / self.wall_seconds

    def latency_ms(self) -> dict[str, float]:
        seconds = sorted(answer.seconds for answer in self.answers)
        cuts = statistics.quantiles(seconds, n=100, method="inclusive")
        return {"median": statistics.median(seconds) * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000}

    def statuses(self) -> Counter:
        return Counter(answer.status for answer in self.answers)

    def created(self) -> list[tuple[Call, Answer]]:
        return [
            (call, answer)
            for segment in self.segments
            for call, answer in zip(segment.calls, segment.answers, strict=True)
            if answer.status == 201
        ]


def _send(connection: http.client.HTTPConnection, call: Call) -> Answer:
    started = time.perf_counter()
    try:
        connection.request("POST", call.path, body=call.body, headers=call.headers)
        response = connection.getresponse()
        body = response.read()
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        connection.close()  # the next request opens a new connection
        status, body = 0, repr(error).encode()
    return Answer(status=status, seconds=time.perf_counter() - started, body=body)


def run_segment(host: str, port: int, calls: list[Call], clients: int, timeout: float = 60.0) -> Segment:
    """Send ``calls`` with ``clients`` concurrent clients; the clock runs from the moment all
    clients are ready until the last answer is read."""
    answers: list[Answer | None] = [None] * len(calls)
    next_index = itertools.count()  # next() on it is atomic under the GIL
    ready = threading.Barrier(clients + 1)

    def client() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        ready.wait()
        try:
            while (index := next(next_index)) < len(calls):
                answers[index] = _send(connection, calls[index])
        finally:
            connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    cpu, started = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.join()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    missing = [i for i, answer in enumerate(answers) if answer is None]
    if missing:
        raise RuntimeError(f"{len(missing)} requests got no answer (a client thread died)")
    return Segment(calls=calls, answers=answers, wall_seconds=wall, client_cpu_seconds=cpu)  # type: ignore[arg-type]
