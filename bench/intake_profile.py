"""Where an intake's time goes: ``bench/intake_bench.py --profile N`` sends N more intakes
in-process through Django's test client (no server, no concurrency) and prints the
queries of one, the time per request and how long the outlet's row lock is held, and a
cProfile summary by package and by project function."""

from __future__ import annotations

import cProfile
import pstats
import re
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.intake_load import Call

ROOT = Path(__file__).resolve().parent.parent


def _send(client: Any, call: Call) -> None:
    response = client.post(
        call.path,
        data=call.body,
        content_type="application/json",
        HTTP_AUTHORIZATION=call.headers["Authorization"],
        HTTP_IDEMPOTENCY_KEY=call.headers["Idempotency-Key"],
    )
    if response.status_code != 201:
        raise RuntimeError(f"profiled intake answered {response.status_code}: {response.content[:300]!r}")


def _package(filename: str) -> str:
    if match := re.search(r"site-packages/([^/]+)", filename):
        name = match.group(1)
        return "django ORM" if name == "django" and "/django/db/" in filename else name
    if match := re.search(r"/(batteries|outlets|partners|recycling_network|reports|bench)/", filename):
        return f"project: {match.group(1)}"
    return "standard library and builtins"


def profile_intakes(calls: list[Call]) -> None:
    """Warm up with 20 calls, list the queries of one, time half the rest, profile the others."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    import batteries.services.intake as intake

    client = Client(HTTP_HOST="127.0.0.1")
    for call in calls[:20]:
        _send(client, call)
    with CaptureQueriesContext(connection) as queries:
        _send(client, calls[20])
    print(f"\nqueries of one intake: {len(queries.captured_queries)}")
    for query in queries.captured_queries:
        print(f"  {query['sql'][:110]}")

    locked_at: list[float] = []
    lock_outlets = intake.lock_outlets

    def timed_lock(ids: Any) -> Any:
        outlets = lock_outlets(ids)
        locked_at.append(time.perf_counter())
        return outlets

    rest = calls[21:]
    timed, profiled = rest[: len(rest) // 2], rest[len(rest) // 2 :]
    walls, cpus, holds = [], [], []
    intake.lock_outlets = timed_lock
    try:
        for call in timed:
            wall, cpu = time.perf_counter(), time.process_time()
            _send(client, call)
            done = time.perf_counter()
            walls.append(done - wall)
            cpus.append(time.process_time() - cpu)
            holds.append(done - locked_at[-1])  # until the middleware's commit
    finally:
        intake.lock_outlets = lock_outlets
    print(
        f"in-process, one at a time ({len(timed)} intakes, medians): {1000 * statistics.median(walls):.1f} ms, "
        f"of which {1000 * statistics.median(cpus):.1f} ms CPU in Python; the outlet's row lock is held "
        f"{1000 * statistics.median(holds):.1f} ms (from lock_outlets to the commit)"
    )

    profiler = cProfile.Profile()
    profiler.enable()
    for call in profiled:
        _send(client, call)
    profiler.disable()
    stats = pstats.Stats(profiler)
    by_package: Counter = Counter()
    for (filename, _line, _name), (_calls, _primitive, own, _cumulative, _callers) in stats.stats.items():
        by_package[_package(filename)] += own
    total = sum(by_package.values())
    print(f"\ncProfile, {len(profiled)} intakes, own time by package (psycopg includes waiting for the database):")
    for package, seconds in by_package.most_common(8):
        print(f"  {100 * seconds / total:5.1f}%  {package}")
    print("\nproject functions by cumulative time (ms per intake, with the profiler's overhead):")
    rows = [
        (cumulative, f"{filename.removeprefix(str(ROOT) + '/')}:{line}({name})")
        for (filename, line, name), (_c, _p, _own, cumulative, _callers) in stats.stats.items()
        if re.search(r"/(batteries|outlets|partners|recycling_network)/", filename) and "site-packages" not in filename
    ]
    for cumulative, label in sorted(rows, reverse=True)[:20]:
        print(f"  {1000 * cumulative / len(profiled):6.2f}  {label}")
