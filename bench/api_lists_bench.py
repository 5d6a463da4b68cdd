"""List and feed pages benchmark (DESIGN §13):
- at 1M batteries and 5M events, a page of 100 at 90% depth takes at most 1.5x the first
  page, p95 under 100 ms, at most 5 queries per page;
- each list at least 5x faster than a plain ModelSerializer + page-number view.

    .venv/bin/python bench/api_lists_bench.py                     # reuse the generated database
    .venv/bin/python bench/api_lists_bench.py --regenerate        # build it again
    .venv/bin/python bench/api_lists_bench.py --batteries 20000   # a quick look (own database)

The database (default ``rn_bench_lists``) is built like the report benchmark's
(``bench/benchdb.py``) by ``bench/synthetic_network.py``, with inspections (about 5M
events at 1M batteries), consignment items and the feed entries of the callers.

Both sides run in this process through Django's full stack (middleware, URL resolver,
DRF, serializers) with the test ``Client``, as ``rn_app`` under row-level security, with
a real bearer API key of each caller: partners chosen for deep lists, and the data center.
For each list and caller, the first page and the page at 90% of the rows the caller sees
(the cursor the API would have handed out there; ``?page=N`` for the naive side), the
same rows on both sides (checked). Runs alternate between the sides; the settings are
production's (``DJANGO_DEBUG=0``) over HTTPS, with the throttle's budget raised so that the
benchmark is never refused (the throttle still runs).
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import math
import os
import re
import statistics
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is on the path, the project is not
    sys.path.insert(0, str(ROOT))

from bench.benchdb import ensure_database, setup_django, table_sizes  # noqa: E402

LIMIT = 100
DEPTH = 0.9
BUDGET_DEPTH_RATIO = 1.5
BUDGET_P95_MS = 100.0
BUDGET_QUERIES = 5
BUDGET_NAIVE_RATIO = 5.0
DATACENTER = 0  # the data center's feed id (batteries.ledger.DATACENTER_FEED_ID)

# As tests/api/test_query_counts.py sorts them. Django logs BEGIN and COMMIT of the request's
# transaction as queries; the budget counts the statements the request runs.
QUERY_CLASSES = [
    ("transaction", re.compile(r"^(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|BEGIN|COMMIT|ROLLBACK)\b")),
    ("context", re.compile(r"set_config\('app\.|current_setting\('app\.")),
    ("auth", re.compile(r'^(SELECT .* FROM|UPDATE) "partners_apikey"')),
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="rn_bench_lists")
    parser.add_argument("--batteries", type=int, default=1_000_000)
    parser.add_argument("--outlets", type=int, default=5_000)
    parser.add_argument(
        "--inspections", type=float, default=1.35, help="inspected events per battery (1.35: about 5M events at 1M)"
    )
    parser.add_argument(
        "--partners",
        default="181,1",
        help="ids of the partners whose keys call (default: the largest recycler and an automaker)",
    )
    parser.add_argument("--lists", default="batteries,events,consignments,obligations,outlets")
    parser.add_argument("--runs", type=int, default=30, help="measured requests per page of ours (after a warm-up)")
    parser.add_argument("--naive-runs", type=int, default=5, help="measured requests per page of the naive view")
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() after the warm-up, as a server could after loading the app: full collections"
        " then skip the app's long-lived objects (without it, one costs 40-110 ms here)",
    )
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the data queries of every page")
    parser.add_argument("--regenerate", action="store_true", help="drop and generate the database again")
    return parser.parse_args(argv)


def production_settings() -> None:
    """Production's settings, with secrets of the benchmark's own; set before Django starts."""
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-lists-" + "x" * 40)
    os.environ.setdefault("RN_API_KEY_PEPPER", "bench-lists-pepper")
    os.environ.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    os.environ.setdefault("RN_THROTTLE_ACTOR", "1000000/min")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/5")
    os.environ.setdefault("RN_CACHE_PREFIX", "rn-bench-lists")


def partner_ids(args: argparse.Namespace) -> list[int]:
    return [int(p) for p in args.partners.split(",") if p.strip()]


def feed_ids(args: argparse.Namespace) -> list[int]:
    """The feeds the data holds: the callers' (the data center's is 0)."""
    return sorted({DATACENTER, *partner_ids(args)})


def fingerprint(args: argparse.Namespace) -> str:
    feeds = ",".join(map(str, feed_ids(args)))
    return (
        f"synthetic_network batteries={args.batteries} outlets={args.outlets} inspections={args.inspections}"
        f" consignment_items feeds={feeds}"
    )


def fill(args: argparse.Namespace) -> Any:
    from bench.synthetic_network import generate

    def run(conn: Any) -> None:
        generate(
            conn,
            batteries=args.batteries,
            outlets=args.outlets,
            inspections_per_battery=args.inspections,
            consignment_items=True,
            feed_partners=feed_ids(args),
        )

    return run


# --- callers and lists ------------------------------------------------------------


@dataclass
class Caller:
    label: str
    actor: Any
    client: Any


def make_caller(partner_id: int | None) -> Caller:
    from django.test import Client

    from partners.models import Partner
    from partners.services import api_key_create
    from recycling_network.tenancy import SYSTEM, actor_for_api_key, run_as

    with run_as(SYSTEM):
        partner = Partner.objects.get(pk=partner_id) if partner_id is not None else None
        key, raw = api_key_create(actor=SYSTEM, partner=partner, name="bench lists", scopes=["read"])
    label = "data center" if partner is None else f"{'/'.join(partner.kinds)} {partner.pk}"
    return Caller(label, actor_for_api_key(key), Client(headers={"authorization": f"Bearer {raw}"}))


@dataclass(frozen=True)
class ListSpec:
    name: str
    key: str  # the field that names a row in both answers
    feed: bool = False

    @property
    def route(self) -> str:
        return f"/api/v1/{self.name}/"

    @property
    def naive_route(self) -> str:
        return f"/api/naive/{self.name}/"

    @property
    def cursor_param(self) -> str:
        return "after" if self.feed else "cursor"


LISTS = {
    spec.name: spec
    for spec in [
        ListSpec("batteries", key="code"),
        ListSpec("events", key="id", feed=True),
        ListSpec("consignments", key="id"),
        ListSpec("obligations", key="id"),
        ListSpec("outlets", key="id"),
    ]
}

FEED_POSITION_SQL = """
SELECT txid::text, event_id FROM batteries_feedentry
 WHERE partner_id = %s AND txid < pg_snapshot_xmin(pg_current_snapshot())
 ORDER BY partner_id, txid, event_id OFFSET %s LIMIT 1
"""
FEED_COUNT_SQL = """
SELECT count(*) FROM batteries_feedentry WHERE partner_id = %s AND txid < pg_snapshot_xmin(pg_current_snapshot())
"""


def visible_count(spec: ListSpec, actor: Any) -> int:
    from django.db import connection

    from batteries.feed import feed_partner_id
    from bench.naive_lists import LISTS as ROWS
    from recycling_network.tenancy import run_as

    with run_as(actor):
        if not spec.feed:
            return ROWS[spec.name][1](actor).count()
        with connection.cursor() as cursor:
            cursor.execute(FEED_COUNT_SQL, [feed_partner_id(actor)])
            return cursor.fetchone()[0]


def cursor_at(spec: ListSpec, actor: Any, offset: int) -> str:
    """The cursor the list hands out for the page that starts at row ``offset``: it names
    the row before (DRF's cursor ``p=<id>``; the feed's ``<txid>.<event id>``)."""
    from django.db import connection

    from batteries.feed import encode_cursor, feed_partner_id
    from bench.naive_lists import LISTS as ROWS
    from recycling_network.tenancy import run_as

    with run_as(actor):
        if spec.feed:
            with connection.cursor() as cursor:
                cursor.execute(FEED_POSITION_SQL, [feed_partner_id(actor), offset - 1])
                txid, event_id = cursor.fetchone()
            return encode_cursor((int(txid), event_id))
        row_id = ROWS[spec.name][1](actor).order_by("id").values_list("id", flat=True)[offset - 1]
    return base64.b64encode(urlencode({"p": str(row_id)}).encode("ascii")).decode("ascii")


# --- measuring --------------------------------------------------------------------


def fail(message: str) -> NoReturn:
    """Something other than a budget went wrong (exit status 2; a missed budget is 1)."""
    print(message, file=sys.stderr)
    raise SystemExit(2)


def classify(sql: str) -> str:
    for name, pattern in QUERY_CLASSES:
        if pattern.search(sql):
            return name
    return "data"


@dataclass
class Answer:
    ms: float
    status: int
    body: bytes
    queries: list[str]

    def rows(self, key: str) -> list[Any]:
        return [row[key] for row in json.loads(self.body)["results"]]


def get(client: Any, path: str, params: dict[str, Any]) -> Answer:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path, params, secure=True)
        elapsed = time.perf_counter() - started
    return Answer(elapsed * 1000, response.status_code, response.content, [q["sql"] for q in captured.captured_queries])


PAGES = ("first", "deep")
SIDES = ("ours", "naive")


@dataclass
class Target:
    """One list as one caller sees it, and what was measured."""

    spec: ListSpec
    caller: Caller
    rows: int = 0
    deep_offset: int = 0
    params: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    times: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    queries: dict[tuple[str, str], Counter] = field(default_factory=dict)  # the most of each class
    sql: dict[str, list[str]] = field(default_factory=dict)  # ours, by page: for --explain

    def path(self, side: str) -> str:
        return self.spec.route if side == "ours" else self.spec.naive_route

    def request(self, side: str, page: str) -> Answer:
        answer = get(self.caller.client, self.path(side), self.params[side, page])
        if answer.status != 200:
            fail(f"{self.caller.label} {self.path(side)} {page}: {answer.status} {answer.body[:300]!r}")
        return answer

    def record(self, side: str, page: str, answer: Answer) -> None:
        self.times.setdefault((side, page), []).append(answer.ms)
        most = self.queries.setdefault((side, page), Counter())
        counts = Counter(classify(q) for q in answer.queries)
        counts["total"] = len(answer.queries) - counts["transaction"]
        for name, count in counts.items():
            most[name] = max(most[name], count)


def prepare(target: Target) -> bool:
    """The pages to time, checked: a full page each, the first page's cursor is the one we
    build, and both sides serve the same rows. False if the list is too short to measure."""
    spec, actor = target.spec, target.caller.actor
    target.rows = visible_count(spec, actor)
    if target.rows < 2 * LIMIT:
        print(f"  skipped: {target.caller.label} sees {target.rows} {spec.name}, too few to measure depth")
        return False
    page = min(math.floor(DEPTH * target.rows / LIMIT) + 1, target.rows // LIMIT)  # a full page
    target.deep_offset = (page - 1) * LIMIT
    target.params = {
        ("ours", "first"): {"limit": LIMIT},
        ("ours", "deep"): {"limit": LIMIT, spec.cursor_param: cursor_at(spec, actor, target.deep_offset)},
        ("naive", "first"): {},
        ("naive", "deep"): {"page": page},
    }
    answers = {(side, p): target.request(side, p) for side in SIDES for p in PAGES}
    body = json.loads(answers["ours", "first"].body)
    handed_out = body["next_cursor"] if spec.feed else parse_qs(urlsplit(body["next"]).query)["cursor"][0]
    if handed_out != cursor_at(spec, actor, LIMIT):
        fail(f"{spec.name}: the cursor built here is not the one the API hands out")
    for p in PAGES:
        ours, naive = answers["ours", p].rows(spec.key), answers["naive", p].rows(spec.key)
        if len(ours) != LIMIT:
            fail(f"{target.caller.label} {spec.name} {p} page: {len(ours)} rows, not {LIMIT}")
        if ours != naive:
            fail(f"{target.caller.label} {spec.name} {p} page: ours and naive serve different rows")
    target.sql = {p: answers["ours", p].queries for p in PAGES}
    return True


def measure(targets: list[Target], runs: int, naive_runs: int) -> None:
    """Alternately, page by page, so that both sides share the machine's moods."""
    for run in range(max(runs, naive_runs)):
        for target in targets:
            for side, count in (("ours", runs), ("naive", naive_runs)):
                if run < count:
                    for page in PAGES:
                        target.record(side, page, target.request(side, page))


def explain(target: Target, page: str) -> str:
    """The plans of a page's data queries, in a transaction set up as the request's."""
    from django.db import connection, transaction

    from recycling_network import tenancy

    lines = []
    with transaction.atomic(), connection.cursor() as cursor:
        tenancy.activate(target.caller.actor)
        for sql in target.sql[page]:
            if classify(sql) != "data":
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            lines += [sql[:300], *("    " + row[0] for row in cursor.fetchall())]
    return "\n".join(lines)


# --- reporting --------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


@dataclass
class Verdict:
    depth: bool
    p95: bool
    queries: bool
    naive_first: bool
    naive_deep: bool


def judge(target: Target) -> Verdict:
    t = target.times
    ours_first, ours_deep = median(t["ours", "first"]), median(t["ours", "deep"])
    return Verdict(
        depth=ours_deep <= BUDGET_DEPTH_RATIO * ours_first,
        p95=max(p95(t["ours", "first"]), p95(t["ours", "deep"])) < BUDGET_P95_MS,
        queries=max(target.queries["ours", p]["total"] for p in PAGES) <= BUDGET_QUERIES,
        naive_first=median(t["naive", "first"]) >= BUDGET_NAIVE_RATIO * ours_first,
        naive_deep=median(t["naive", "deep"]) >= BUDGET_NAIVE_RATIO * ours_deep,
    )


def mark(ok: bool) -> str:
    return "" if ok else " ✗"


def print_results(targets: list[Target], args: argparse.Namespace) -> bool:
    print()
    print(
        f"ms per request, median / p95 ({args.runs} runs of ours, {args.naive_runs} of the naive view);"
        f" deep = the page at {DEPTH:.0%} depth; ✗ = over budget"
    )
    print()
    print(
        "| caller | list | rows | ours first | ours 90% | 90%/first | queries (auth+context+data) "
        "| naive first | naive 90% | naive/ours first | naive/ours 90% |"
    )
    print("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    all_ok = True
    for target in targets:
        t = target.times
        q = {name: max(target.queries["ours", p][name] for p in PAGES) for name in ("auth", "context", "data")}
        verdict = judge(target)
        all_ok &= all(vars(verdict).values())
        first, deep = median(t["ours", "first"]), median(t["ours", "deep"])
        naive_first, naive_deep = median(t["naive", "first"]), median(t["naive", "deep"])
        most = max(target.queries["ours", p]["total"] for p in PAGES)
        print(
            f"| {target.caller.label} | {target.spec.name} | {target.rows:,} "
            f"| {first:.1f} / {p95(t['ours', 'first']):.1f}{mark(p95(t['ours', 'first']) < BUDGET_P95_MS)} "
            f"| {deep:.1f} / {p95(t['ours', 'deep']):.1f}{mark(p95(t['ours', 'deep']) < BUDGET_P95_MS)} "
            f"| {deep / first:.2f}x{mark(verdict.depth)} "
            f"| {most} ({q['auth']}+{q['context']}+{q['data']}){mark(verdict.queries)} "
            f"| {naive_first:.1f} | {naive_deep:.1f} "
            f"| {naive_first / first:.1f}x{mark(verdict.naive_first)} | {naive_deep / deep:.1f}x{mark(verdict.naive_deep)} |"
        )
    print()
    verdicts = [judge(t) for t in targets]
    budget_pages = all(v.depth and v.p95 and v.queries for v in verdicts)
    print(
        f"pages: 90% depth within {BUDGET_DEPTH_RATIO}x of the first, p95 under {BUDGET_P95_MS:.0f} ms,"
        f" at most {BUDGET_QUERIES} queries: " + ("PASS" if budget_pages else "FAIL")
    )
    for name in ("naive_first", "naive_deep"):
        ok = all(getattr(v, name) for v in verdicts)
        page = "first pages" if name == "naive_first" else "pages at 90% depth"
        print(f"naive baseline, {page}: ours at least {BUDGET_NAIVE_RATIO:.0f}x faster: " + ("PASS" if ok else "FAIL"))
    return all_ok


def main(argv: list[str] | None = None) -> bool:
    args = parse_args(argv)
    production_settings()
    setup_django(args.database)
    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # whitenoise: no collected static files
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.naive_lists"  # the real URL map plus the naive lists
    ensure_database(args.database, fingerprint(args), fill(args), regenerate=args.regenerate)
    tables = ["batteries_battery", "batteries_custodyevent", "batteries_feedentry", "batteries_consignment"]
    tables += ["batteries_consignmentitem", "batteries_obligation", "outlets_outlet"]
    for table, count in table_sizes(tables).items():
        print(f"  {table}: {count:,} rows")

    callers = [make_caller(p) for p in partner_ids(args)] + [make_caller(None)]
    specs = [LISTS[name.strip()] for name in args.lists.split(",") if name.strip()]
    started = time.perf_counter()
    # Preparing is also the warm-up: one request of each page on each side.
    targets = [t for t in (Target(spec, caller) for caller in callers for spec in specs) if prepare(t)]
    if args.gc_freeze:
        gc.collect()
        gc.freeze()
    measure(targets, args.runs, args.naive_runs)
    print(f"measured in {time.perf_counter() - started:.0f} s")
    ok = print_results(targets, args)
    if args.explain:
        for target in targets:
            for page in PAGES:
                print(f"\n--- {target.caller.label} {target.spec.name}, {page} page")
                print(explain(target, page))
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
