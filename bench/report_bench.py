"""Coverage report benchmark (DESIGN §13): the national report at 1M batteries and 5,000
outlets takes at most 3x the raw SQL it needs, and under 10 s.

    .venv/bin/python bench/report_bench.py                 # reuse the generated database
    .venv/bin/python bench/report_bench.py --regenerate    # build it again

The benchmark database (default ``rn_bench_reports``, on the server of DATABASE_URL) is
created with ``recycling_network.bootstrap``, migrated as the owner and filled by
``bench/synthetic_network.py``; the dev and test databases are not touched. It is kept
between runs (its comment records the parameters) unless ``--regenerate`` is given.

Both sides run in the same process, as ``rn_app`` in the system context (row-level
security applies to both), alternately, after one warm-up run each; the medians compare:
- report: ``reports.services.report_compute`` on a queued national report row, the code
  path the Celery task runs (claim, four sections, progress writes, final write), no broker;
- raw SQL: the statements a hand-written report would run for the same figures.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is on the path, the project is not
    sys.path.insert(0, str(ROOT))

from bench.benchdb import ensure_database, setup_django, table_sizes  # noqa: E402

BUDGET_RATIO = 3.0
BUDGET_SECONDS = 10.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="rn_bench_reports")
    parser.add_argument("--batteries", type=int, default=1_000_000)
    parser.add_argument("--outlets", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=5, help="measured runs of each side (after one warm-up)")
    parser.add_argument("--regenerate", action="store_true", help="drop and generate the database again")
    return parser.parse_args()


def fingerprint(args: argparse.Namespace) -> str:
    return f"synthetic_network batteries={args.batteries} outlets={args.outlets}"


def fill(args: argparse.Namespace) -> Callable[[psycopg.Connection], None]:
    from bench.synthetic_network import generate

    return lambda conn: generate(conn, batteries=args.batteries, outlets=args.outlets)


# The statements a hand-written national report would run for the same figures.
RAW_SQL = [
    # outlets by prefecture and kind: counts by kind, region, province; coverage
    """SELECT prefecture_id, kind, count(*) FROM outlets_outlet
        WHERE status = 'approved' AND approved_at < %(as_of_end)s GROUP BY 1, 2""",
    # capacity and stock by region
    """SELECT d.region_id, count(*), sum(o.capacity_kg), sum(o.stock_kg)
         FROM outlets_outlet o JOIN outlets_division d ON d.adcode = o.prefecture_id
        WHERE o.status = 'approved' AND o.approved_at < %(as_of_end)s GROUP BY 1""",
    # intake and dispatch in the period by region
    """SELECT d.region_id, e.kind, count(*), sum((e.data->>'weight_kg')::numeric)
         FROM batteries_custodyevent e
         JOIN outlets_outlet o ON o.id = e.outlet_id JOIN outlets_division d ON d.adcode = o.prefecture_id
        WHERE e.kind IN ('received', 'dispatched') AND e.occurred_at >= %(period_from)s AND e.occurred_at < %(period_to)s
        GROUP BY 1, 2""",
    # dwell time of the departures in the period
    """SELECT count(*), avg(days), percentile_cont(0.5) WITHIN GROUP (ORDER BY days) FROM (
         SELECT extract(epoch FROM d.occurred_at - a.occurred_at) / 86400 AS days
           FROM batteries_custodyevent d
           CROSS JOIN LATERAL (SELECT r.occurred_at FROM batteries_custodyevent r
                                WHERE r.battery_id = d.battery_id AND r.seq < d.seq AND r.outlet_id = d.outlet_id
                                  AND r.kind IN ('received', 'handover_received')
                                ORDER BY r.seq DESC LIMIT 1) a
          WHERE d.kind = 'dispatched' AND d.occurred_at >= %(period_from)s AND d.occurred_at < %(period_to)s) s""",
    # hazards
    """SELECT hazard, count(*), sum(weight_kg) FROM batteries_battery
        WHERE hazard <> '' AND status IN ('at_outlet', 'in_transit', 'at_facility') GROUP BY 1""",
    # growth per year and region
    """SELECT extract(year FROM o.approved_at AT TIME ZONE 'Asia/Shanghai'), d.region_id, count(*)
         FROM outlets_outlet o JOIN outlets_division d ON d.adcode = o.prefecture_id
        WHERE o.approved_at >= %(growth_from)s AND o.approved_at < %(as_of_end)s GROUP BY 1, 2""",
    # automakers' footprints with their coverage (own and shared outlets)
    """WITH usable AS (
         SELECT o.operator_id AS partner_id, o.prefecture_id, o.kind FROM outlets_outlet o
          WHERE o.status = 'approved'
         UNION
         SELECT g.grantee_id, o.prefecture_id, o.kind
           FROM outlets_sharinggrant g JOIN outlets_outlet o ON o.id = g.outlet_id
          WHERE o.status = 'approved' AND g.revoked_at IS NULL)
       SELECT f.partner_id, f.prefecture_id, f.vehicles_sold, f.fleet,
              bool_or(u.kind = 'collection'), bool_or(u.kind = 'centralized_storage')
         FROM reports_salesfootprint f
         LEFT JOIN usable u ON u.partner_id = f.partner_id AND u.prefecture_id = f.prefecture_id
        WHERE f.year = %(year)s AND (f.vehicles_sold > 0 OR f.fleet >= 8000)
        GROUP BY 1, 2, 3, 4""",
    # allocation inputs: weights and existing collection points
    """SELECT prefecture_id, sum(coalesce(passenger_new, 0) + coalesce(commercial_new, 0))
         FROM reports_nevfleet GROUP BY 1""",
    """SELECT DISTINCT longitude, latitude FROM outlets_outlet WHERE status = 'approved' AND kind = 'collection'""",
    # deadlines per obligated partner (the open ones), and the unassigned
    """SELECT obligated_id, count(*), count(*) FILTER (WHERE due_on < %(as_of)s),
              count(*) FILTER (WHERE due_on BETWEEN %(as_of)s AND %(soon)s)
         FROM batteries_obligation WHERE status IN ('pending', 'overdue') GROUP BY 1""",
    """SELECT count(*) FROM batteries_obligation WHERE status = 'unassigned'""",
]


def raw_sql_run(params: dict) -> float:
    from django.db import connection

    from recycling_network.tenancy import SYSTEM, run_as
    from reports.sections.context import tune_for_aggregates

    started = time.perf_counter()
    with run_as(SYSTEM), connection.cursor() as cursor:
        tune_for_aggregates()  # the same session settings as the report's
        for statement in RAW_SQL:
            cursor.execute(statement, params)
            cursor.fetchall()
    return time.perf_counter() - started


def report_run(as_of: datetime.date) -> float:
    from recycling_network.tenancy import SYSTEM, run_as
    from reports.models import Report, ReportScope
    from reports.services import report_compute

    with run_as(SYSTEM):
        report = Report.objects.create(
            scope=ReportScope.NATIONAL,
            as_of=as_of,
            period_start=as_of - datetime.timedelta(days=364),
            period_end=as_of,
        )
    started = time.perf_counter()
    outcome = report_compute(report_id=report.pk, worker="bench")
    elapsed = time.perf_counter() - started
    if outcome != "done":
        raise SystemExit(f"report {report.pk} ended {outcome}")
    return elapsed


def section_times(as_of: datetime.date) -> dict[str, float]:
    from recycling_network.tenancy import SYSTEM, run_as
    from reports.sections import SECTIONS, ReportContext
    from reports.sections.context import tune_for_aggregates

    context = ReportContext(
        partner_id=None, as_of=as_of, period_start=as_of - datetime.timedelta(days=364), period_end=as_of
    )
    times = {}
    for name, compute in SECTIONS.items():
        started = time.perf_counter()
        with run_as(SYSTEM):
            tune_for_aggregates()
            compute(context)
        times[name] = time.perf_counter() - started
    return times


def sizes() -> dict[str, int]:
    return table_sizes(("batteries_battery", "batteries_custodyevent", "batteries_obligation", "outlets_outlet"))


def main() -> None:
    args = parse_args()
    setup_django(args.database)
    from django.utils import timezone

    from reports.sections.context import ReportContext, day_start

    ensure_database(args.database, fingerprint(args), fill(args), regenerate=args.regenerate)

    as_of = timezone.localdate()
    context = ReportContext(
        partner_id=None, as_of=as_of, period_start=as_of - datetime.timedelta(days=364), period_end=as_of
    )
    params = context.params(
        year=as_of.year,
        soon=as_of + datetime.timedelta(days=30),
        growth_from=day_start(datetime.date(context.period_start.year, 1, 1)),
    )
    for table, count in sizes().items():
        print(f"  {table}: {count:,} rows")

    report_run(as_of), raw_sql_run(params)  # warm-up: caches and plans
    report_times, raw_times = [], []
    for _ in range(args.runs):
        report_times.append(report_run(as_of))
        raw_times.append(raw_sql_run(params))
    report, raw = statistics.median(report_times), statistics.median(raw_times)
    ratio = report / raw
    print(f"report  (median of {args.runs}): {report:.2f} s   runs: {', '.join(f'{t:.2f}' for t in report_times)}")
    print(f"raw SQL (median of {args.runs}): {raw:.2f} s   runs: {', '.join(f'{t:.2f}' for t in raw_times)}")
    print("sections: " + ", ".join(f"{name} {t:.2f} s" for name, t in section_times(as_of).items()))
    ok = ratio <= BUDGET_RATIO and report < BUDGET_SECONDS
    print(
        f"ratio {ratio:.2f}x (budget {BUDGET_RATIO:.0f}x), report {report:.2f} s (budget {BUDGET_SECONDS:.0f} s): "
        + ("PASS" if ok else "FAIL")
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
