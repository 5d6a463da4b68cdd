"""Intake API throughput benchmark (DESIGN §13): ``POST /api/v1/intakes/`` reaches at least
30% of the throughput of a bare Django view doing one INSERT, with a p95 under 100 ms
at 8 concurrent clients.

    .venv/bin/python bench/intake_bench.py                      # 2,000 requests per side
    .venv/bin/python bench/intake_bench.py --requests 200 --rounds 2 --preload 100 --warmup 40   # smoke

Each run creates a fresh database (default ``rn_bench_intake``, on the server of
DATABASE_URL) with ``recycling_network.bootstrap``, migrates it as the owner, sets up the
partners, claims, outlet and API key through the services and pre-loads ``--preload``
batteries through ``battery_receive``. Then it starts gunicorn (``--workers`` sync
workers, production settings: DEBUG off, no SSL redirect since there is no proxy) with
``bench.intake_settings``, which adds the baseline route to the project's URLs, and
drives both sides with ``--clients`` closed-loop clients, alternating sides round by
round (ABBA), after a warm-up of each. Both sides hit the same server processes.

- ours: ``POST /api/v1/intakes/`` with a partner's write key, an ``Idempotency-Key`` and
  a new GB/T 34014 code per request (manufacturer code and VIN WMI of approved claims, so
  every intake has producers and creates an obligation), at an approved outlet;
- baseline: ``POST /api/bench/intake/`` (``bench/intake_site.py``) with the same headers
  and body shape: parses the JSON, one INSERT into a plain table, 201 with a small body.

Afterwards it checks that every 201 created exactly one battery (with its event and
obligation) and one idempotency record, and counts every status code. Exit status: 0 the
budget holds and the checks pass, 1 the budget is missed, 2 a check failed or the run
broke. The server is stopped on every exit.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import signal
import sys
import tempfile
import time
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.intake_load import Call, Segment, Side, run_segment  # noqa: E402
from bench.intake_server import (  # noqa: E402
    HOST,
    CpuProbe,
    Usage,
    free_port,
    start_server,
    stop_server,
    wait_until_ready,
)
from bench.intake_setup import (  # noqa: E402
    Codes,
    Network,
    analyze,
    build_database,
    build_network,
    configure_environment,
    preload,
    setup_django,
)

BUDGET_RATIO = 0.30
BUDGET_P95_MS = 100.0
INTAKE_PATH = "/api/v1/intakes/"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per side (default 2000)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent closed-loop clients (default 8)")
    parser.add_argument("--rounds", type=int, default=4, help="rounds; each runs both sides (default 4)")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up requests per side (default 200)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--preload", type=int, default=3000, help="batteries received before the run (default 3000)")
    parser.add_argument("--database", default="rn_bench_intake")
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument(
        "--outlets", type=int, default=1, help="spread our intakes over N outlets of the partner (default 1)"
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        help="then N more intakes in-process: half timed, half under cProfile (default 0)",
    )
    args = parser.parse_args()
    if args.requests < args.rounds or min(args.clients, args.rounds, args.outlets) < 1:
        parser.error("need --requests >= --rounds >= 1, --clients >= 1 and --outlets >= 1")
    return args


# --- the load ---------------------------------------------------------------------------


def make_calls(path: str, network: Network, codes: Codes, count: int) -> list[Call]:
    occurred_at = (datetime.datetime.now(SHANGHAI) - datetime.timedelta(minutes=1)).isoformat(timespec="seconds")
    calls = []
    for _ in range(count):
        code, vin = codes.next()
        body = {
            "outlet": network.outlet_codes[len(calls) % len(network.outlet_codes)],
            "code": code,
            "weight_kg": 320.5,
            "vin": vin,
            "source": "dealer",
            "condition": "intact",
            "occurred_at": occurred_at,
        }
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {network.api_key}",
            "Idempotency-Key": str(uuid.uuid4()),
        }
        calls.append(Call(path=path, body=json.dumps(body).encode(), headers=headers, tag=code))
    return calls


@dataclass
class Load:
    ours: Side
    baseline: Side
    warmups: list[Side]
    usage: dict[str, Usage]


def run_load(args: argparse.Namespace, network: Network, port: int, probe: CpuProbe) -> Load:
    from bench.intake_site import BASELINE_PATH

    streams = {
        "ours": (INTAKE_PATH, Codes(network, "LOADRUN")),
        "baseline": (BASELINE_PATH, Codes(network, "BASELIN")),
    }
    sides = {"ours": Side("ours"), "baseline": Side("baseline")}
    warmups = {"ours": Side("ours warm-up"), "baseline": Side("baseline warm-up")}
    usage = {"ours": Usage(), "baseline": Usage()}
    for name, (path, codes) in streams.items():
        warmups[name].segments.append(
            run_segment(HOST, port, make_calls(path, network, codes, args.warmup), args.clients)
        )
    shares = [args.requests // args.rounds + (i < args.requests % args.rounds) for i in range(args.rounds)]
    for round_no, share in enumerate(shares, start=1):
        order = ["ours", "baseline"] if round_no % 2 else ["baseline", "ours"]
        for name in order:
            path, codes = streams[name]
            calls = make_calls(path, network, codes, share)
            before = probe.sample()
            segment = run_segment(HOST, port, calls, args.clients)
            app, database, other = probe.spent(before, probe.sample())
            sides[name].segments.append(segment)
            spent = usage[name]
            spent.app += app
            spent.database += database
            spent.client += segment.client_cpu_seconds
            spent.other += other - segment.client_cpu_seconds  # this script is among the others
            print(f"  round {round_no} {name:8} {describe(segment)}", flush=True)
    return Load(ours=sides["ours"], baseline=sides["baseline"], warmups=list(warmups.values()), usage=usage)


def describe(segment: Segment) -> str:
    side = Side("", [segment])
    latency = side.latency_ms()
    return (
        f"{side.requests:5d} requests  {side.per_second:7.1f}/s  median {latency['median']:6.1f} ms  "
        f"p95 {latency['p95']:6.1f} ms  statuses {dict(side.statuses())}"
    )


# --- checks -----------------------------------------------------------------------------


def verify(load: Load, network: Network, preloaded: int) -> list[str]:
    """Every 201 of ours created exactly one battery (with its received event and its
    obligation to the automaker) and one idempotency record; every 201 of the baseline
    one row. Returns the problems found."""
    from django.db import connection

    from batteries.models import Battery, CustodyEvent, EventKind, Obligation, ObligationStatus
    from bench.intake_site import BASELINE_TABLE
    from partners.models import IdempotencyRecord
    from recycling_network.tenancy import SYSTEM, run_as

    problems = []
    ours_created = [pair for side in (load.warmups[0], load.ours) for pair in side.created()]
    codes = [call.tag for call, _answer in ours_created]
    baseline_created = len(load.warmups[1].created()) + len(load.baseline.created())
    for call, answer in ours_created:
        if json.loads(answer.body).get("code") != call.tag:
            problems.append(f"a 201 for {call.tag} answered with another battery: {answer.body[:200]!r}")
            break
    with run_as(SYSTEM):
        checks = {
            "distinct codes answered 201": len(set(codes)),
            "batteries with those codes": Battery.objects.filter(code__in=codes).count(),
            "their received events": CustodyEvent.objects.filter(
                battery_code__in=codes, kind=EventKind.RECEIVED
            ).count(),
            "their pending obligations to an automaker": Obligation.objects.filter(
                battery_code__in=codes, status=ObligationStatus.PENDING, obligated_id__in=network.automaker_ids
            ).count(),
            "batteries created during the run": Battery.objects.count() - preloaded,
            "idempotency records": IdempotencyRecord.objects.count(),
        }
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {BASELINE_TABLE}")
            baseline_rows = cursor.fetchone()[0]
    for label, count in checks.items():
        if count != len(codes):
            problems.append(f"{label}: {count}, expected {len(codes)} (the 201s of ours)")
    if baseline_rows != baseline_created:
        problems.append(f"baseline rows: {baseline_rows}, expected {baseline_created} (its 201s)")
    for side in (*load.warmups, load.ours, load.baseline):
        failed = [answer for answer in side.answers if answer.status != 201]
        if failed:
            sample = failed[0]
            problems.append(
                f"{side.name}: {len(failed)} answers other than 201 {dict(side.statuses())}; "
                f"first: {sample.status} {sample.body[:300]!r}"
            )
    return problems


# --- the report -------------------------------------------------------------------------


def report(args: argparse.Namespace, load: Load) -> bool:
    ratio = load.ours.per_second / load.baseline.per_second
    p95 = load.ours.latency_ms()["p95"]
    print()
    print(
        "| side | requests | requests/s | median ms | p95 ms | p99 ms | CPU ms per request: app, database, client, other |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for side, name in ((load.ours, "ours"), (load.baseline, "baseline")):
        latency, spent = side.latency_ms(), load.usage[name]
        cpu = (spent.app, spent.database, spent.client, spent.other)
        busy = 100 * sum(cpu) / (side.wall_seconds * (os.cpu_count() or 1))
        print(
            f"| {name} | {side.requests} | {side.per_second:.1f} | {latency['median']:.1f} | {latency['p95']:.1f} "
            f"| {latency['p99']:.1f} | {', '.join(f'{1000 * s / side.requests:.2f}' for s in cpu)} "
            f"(all cores {busy:.0f}% busy) |"
        )
    ok = ratio >= BUDGET_RATIO and p95 < BUDGET_P95_MS
    print(
        f"\nthroughput ratio ours/baseline {ratio:.3f} (budget >= {BUDGET_RATIO:.2f}); "
        f"ours p95 {p95:.1f} ms (budget < {BUDGET_P95_MS:.0f} ms): " + ("PASS" if ok else "FAIL")
    )
    return ok


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    args = parse_args()
    env = configure_environment(args.database)
    # SIGTERM as Ctrl-C: unwind through the finally blocks that stop the server.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    setup_django()
    from django.db import connections

    print(f"{datetime.datetime.now(SHANGHAI):%Y-%m-%d %H:%M %Z}; load average {load_average()}")
    started = time.perf_counter()
    build_database(args.database)
    print(f"database {args.database} created and migrated in {time.perf_counter() - started:.1f} s")
    network = build_network(args.outlets)
    print(f"preloading {args.preload} batteries through battery_receive ...", flush=True)
    print(f"  {preload(network, args.preload):.1f} s")
    connections.close_all()
    analyze(args.database)

    port = args.port or free_port()
    with tempfile.TemporaryDirectory(prefix="rn-intake-bench-") as scratch:
        log = Path(scratch) / "gunicorn.log"
        server = start_server(env, port, args.workers, log)
        probe = None
        try:
            wait_until_ready(server, port, args.workers, log)
            probe = CpuProbe(server, args.database)
            print(
                f"gunicorn on {HOST}:{port}, {args.workers} sync workers; {args.clients} clients; "
                f"{args.warmup} warm-up then {args.requests} requests per side in {args.rounds} rounds; "
                f"our intakes at {args.outlets} outlet(s)"
            )
            load = run_load(args, network, port, probe)
        finally:
            if probe is not None:
                probe.close()
            stop_server(server)
            errors = log.read_text() if log.exists() else ""
        if errors.strip():
            print("gunicorn log:\n" + errors[-3000:])
    print(f"load average after the run: {load_average()}")
    ok = report(args, load)
    problems = verify(load, network, args.preload)
    if problems:
        print("checks FAILED:")
    else:
        print("checks: every 201 created exactly one battery, event, obligation and idempotency record")
    for problem in problems:
        print(f"  - {problem}")
    if args.profile:
        from bench.intake_profile import profile_intakes

        profile_intakes(make_calls(INTAKE_PATH, network, Codes(network, "PROFILE"), args.profile + 21))
    sys.exit(2 if problems else 0 if ok else 1)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # the server is already stopped by then
        sys.exit("interrupted")
    except Exception:
        traceback.print_exc()
        sys.exit(2)  # broken, not merely over budget
