"""``bench/api_lists_bench.py`` still runs end to end: a tiny network in a database of its
own, every page answered, both sides serving the same rows and the cursors the ones the
API hands out. The budgets are measured at full scale (docs/performance.md), not here:
at this size the benchmark may report them missed (exit status 1), never break (2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from recycling_network import bootstrap

ROOT = Path(__file__).resolve().parents[2]


def test_the_list_benchmark_runs_at_a_tiny_scale(testrun_uid):
    database = f"rn_bench_lists_{testrun_uid[:8]}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    command = [sys.executable, "bench/api_lists_bench.py", "--database", database]
    command += ["--batteries", "3000", "--outlets", "300", "--runs", "2", "--naive-runs", "1"]
    try:
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    finally:
        bootstrap.drop_database(database)
    assert result.returncode in (0, 1), result.stdout[-2000:] + result.stderr[-2000:]
    for row in ("| recycler 181 | batteries |", "| recycler 181 | events |", "| data center | obligations |"):
        assert row in result.stdout, result.stdout[-2000:]
