"""Network section: outlets, coverage, capacity, flows, dwell time, hazards, growth.

Two bases, because some figures are public and some are private (DESIGN §4):
- the *network* (approved outlets operated by the scope's partner or shared with it;
  every approved outlet nationally): outlet counts, coverage, growth. Approved outlets'
  public fields are readable by anyone signed in.
- the partner's *own records*: stock and utilisation of the outlets it operates (stock is
  private to the operator), intake and dispatch it recorded, dwell time of its
  departures, hazards of batteries in its custody. Nationally: everything.
Battery and event rows are aggregated in SQL; Python only labels the aggregates.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from outlets.models import OutletKind
from reports.models import YearlyTarget
from reports.sections.context import NETWORK_CTE, ReportContext, day_start, fetch, number, share
from reports.sections.places import Places

KINDS = (OutletKind.COLLECTION.value, OutletKind.CENTRALIZED_STORAGE.value)


def compute(ctx: ReportContext) -> dict[str, Any]:
    places = ctx.places
    counts = fetch(
        f"WITH {NETWORK_CTE} SELECT prefecture_id, kind, count(*) AS n FROM network GROUP BY 1, 2",
        ctx.params(),
    )
    return {
        "basis": "national" if ctx.national else "partner",
        "outlets": _outlets(counts, places),
        "coverage": _coverage(counts, places),
        "capacity": _capacity(ctx, places),
        "flows": _flows(ctx, places),
        "dwell": _dwell(ctx),
        "hazards": _hazards(ctx),
        "growth": _growth(ctx, places),
    }


def _empty_counts() -> dict[str, int]:
    return {"collection": 0, "centralized_storage": 0, "total": 0}


def _outlets(counts: list[dict[str, Any]], places: Places) -> dict[str, Any]:
    by_kind = _empty_counts()
    by_region: dict[str, dict[str, int]] = defaultdict(_empty_counts)
    by_province: dict[str, dict[str, int]] = defaultdict(_empty_counts)
    by_prefecture: dict[str, dict[str, int]] = defaultdict(_empty_counts)
    for row in counts:
        prefecture = places.prefectures[row["prefecture_id"]]
        for bucket in (
            by_kind,
            by_region[prefecture["region"]],
            by_province[prefecture["province"]],
            by_prefecture[row["prefecture_id"]],
        ):
            bucket[row["kind"]] += row["n"]
            bucket["total"] += row["n"]
    return {
        "total": by_kind["total"],
        "by_kind": {kind: by_kind[kind] for kind in KINDS},
        "by_region": [{**places.region_label(code), **by_region[code]} for code in places.regions if code in by_region],
        "by_province": [
            {
                "adcode": adcode,
                "name": places.provinces[adcode]["name"],
                "region": places.provinces[adcode]["region"],
                **by_province[adcode],
            }
            for adcode in sorted(by_province)
        ],
        "by_prefecture": [
            {**places.prefecture_label(adcode), **by_prefecture[adcode]} for adcode in sorted(by_prefecture)
        ],
    }


def _coverage(counts: list[dict[str, Any]], places: Places) -> dict[str, Any]:
    """A prefecture is covered when the network has an approved collection outlet there."""
    covered = {row["prefecture_id"] for row in counts if row["kind"] == OutletKind.COLLECTION and row["n"] > 0}
    uncovered = [adcode for adcode in places.prefectures if adcode not in covered]
    by_region: dict[str, dict[str, int]] = defaultdict(lambda: {"prefectures": 0, "covered": 0})
    for adcode, prefecture in places.prefectures.items():
        by_region[prefecture["region"]]["prefectures"] += 1
        by_region[prefecture["region"]]["covered"] += adcode in covered
    return {
        "prefectures": len(places.prefectures),
        "covered": len(covered),
        "uncovered": len(uncovered),
        "covered_share": share(len(covered), len(places.prefectures)),
        "by_region": [
            {
                **places.region_label(code),
                **by_region[code],
                "covered_share": share(by_region[code]["covered"], by_region[code]["prefectures"]),
            }
            for code in places.regions
            if code in by_region
        ],
        "covered_prefectures": sorted(covered),
        "uncovered_prefectures": [places.prefecture_label(adcode) for adcode in uncovered],
    }


def _capacity(ctx: ReportContext, places: Places) -> dict[str, Any]:
    rows = fetch(
        f"""WITH {NETWORK_CTE}
        SELECT d.region_id AS region, count(*) AS outlets, sum(n.capacity_kg) AS capacity_kg,
               sum(n.stock_kg) AS stock_kg
          FROM network n JOIN outlets_division d ON d.adcode = n.prefecture_id
         WHERE %(partner)s::bigint IS NULL OR n.operator_id = %(partner)s
         GROUP BY 1""",
        ctx.params(),
    )
    by_region = {row["region"]: row for row in rows}
    capacity = sum(number(r["capacity_kg"]) for r in rows)
    stock = sum(number(r["stock_kg"]) for r in rows)
    return {
        # Stock is private to the operator: a partner's figures cover the outlets it runs.
        "basis": "all_outlets" if ctx.national else "operated_outlets",
        "outlets": sum(r["outlets"] for r in rows),
        "capacity_kg": round(capacity, 2),
        "stock_kg": round(stock, 2),
        "utilisation": share(stock, capacity),
        "by_region": [
            {
                **places.region_label(code),
                "outlets": by_region[code]["outlets"],
                "capacity_kg": number(by_region[code]["capacity_kg"]),
                "stock_kg": number(by_region[code]["stock_kg"]),
                "utilisation": share(by_region[code]["stock_kg"], by_region[code]["capacity_kg"]),
            }
            for code in places.regions
            if code in by_region
        ],
    }


# Intakes withdrawn by a ``voided`` event do not count, nor do dispatches of a cancelled
# consignment, and a later ``corrected`` event that changes ``weight_kg`` replaces the
# recorded mass (DESIGN §7: readers apply corrections). All are rare, so they are
# collected first and anti-joined.
_ADJUSTMENTS_CTE = """
cancelled AS (
  SELECT k.id FROM batteries_consignment k WHERE k.status = 'cancelled'
),
voided AS (
  SELECT DISTINCT (v.data->>'voided_event')::bigint AS id
    FROM batteries_custodyevent v WHERE v.kind = 'voided'
),
corrected AS (
  SELECT DISTINCT ON ((c.data->>'corrects')::bigint)
         (c.data->>'corrects')::bigint AS id, (c.data->'changes'->>'weight_kg')::numeric AS weight_kg
    FROM batteries_custodyevent c
   WHERE c.kind = 'corrected' AND c.data->'changes' ? 'weight_kg'
   ORDER BY (c.data->>'corrects')::bigint, c.seq DESC
)"""

FLOWS_SQL = f"""
WITH {_ADJUSTMENTS_CTE}
SELECT d.region_id AS region, e.kind, count(*) AS n,
       sum(coalesce(c.weight_kg, (e.data->>'weight_kg')::numeric)) AS weight_kg
  FROM batteries_custodyevent e
  JOIN outlets_outlet o ON o.id = e.outlet_id
  JOIN outlets_division d ON d.adcode = o.prefecture_id
  LEFT JOIN corrected c ON c.id = e.id
 WHERE e.kind IN ('received', 'dispatched')
   AND e.occurred_at >= %(period_from)s AND e.occurred_at < %(period_to)s
   AND (%(partner)s::bigint IS NULL OR e.partner_id = %(partner)s)
   AND NOT EXISTS (SELECT 1 FROM voided v WHERE v.id = e.id)
   AND NOT EXISTS (SELECT 1 FROM cancelled k WHERE k.id = e.consignment_id)
 GROUP BY 1, 2"""


def _flows(ctx: ReportContext, places: Places) -> dict[str, Any]:
    """Intake (``received``) and dispatch (``dispatched``, cancelled consignments excluded)
    in the period, by the region of the outlet."""
    rows = fetch(FLOWS_SQL, ctx.params())
    regions: dict[str, dict[str, float]] = defaultdict(
        lambda: {"intake_count": 0, "intake_kg": 0.0, "dispatch_count": 0, "dispatch_kg": 0.0}
    )
    for row in rows:
        prefix = "intake" if row["kind"] == "received" else "dispatch"
        regions[row["region"]][f"{prefix}_count"] += row["n"]
        regions[row["region"]][f"{prefix}_kg"] += number(row["weight_kg"])
    totals = {key: sum(r[key] for r in regions.values()) for key in ("intake_count", "dispatch_count")}
    return {
        "intake": {
            "count": totals["intake_count"],
            "weight_kg": round(sum(r["intake_kg"] for r in regions.values()), 2),
        },
        "dispatch": {
            "count": totals["dispatch_count"],
            "weight_kg": round(sum(r["dispatch_kg"] for r in regions.values()), 2),
        },
        "by_region": [
            {**places.region_label(code), **{k: round(v, 2) for k, v in regions[code].items()}}
            for code in places.regions
            if code in regions
        ],
    }


# Dwell time: for every departure in the period (a dispatch whose consignment was not
# cancelled), the time since the battery last arrived at that outlet (its intake there or a
# handover received there): one index-only probe of ``report_event_arrival`` (reports
# migration 0004) per departure.
DWELL_SQL = """
WITH cancelled AS (
  SELECT k.id FROM batteries_consignment k WHERE k.status = 'cancelled'
), departures AS (
  SELECT e.battery_id, e.seq, e.outlet_id, e.occurred_at
    FROM batteries_custodyevent e
   WHERE e.kind = 'dispatched' AND e.occurred_at >= %(period_from)s AND e.occurred_at < %(period_to)s
     AND (%(partner)s::bigint IS NULL OR e.partner_id = %(partner)s)
     AND NOT EXISTS (SELECT 1 FROM cancelled k WHERE k.id = e.consignment_id)
), stays AS (
  SELECT extract(epoch FROM d.occurred_at - a.occurred_at) / 86400.0 AS days
    FROM departures d
    CROSS JOIN LATERAL (
      SELECT r.occurred_at FROM batteries_custodyevent r
       WHERE r.battery_id = d.battery_id AND r.seq < d.seq AND r.outlet_id = d.outlet_id
         AND r.kind IN ('received', 'handover_received')
       ORDER BY r.seq DESC LIMIT 1) a
)
SELECT count(*) AS departures, avg(days) AS average_days,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median_days
  FROM stays"""


def _dwell(ctx: ReportContext) -> dict[str, Any]:
    row = fetch(DWELL_SQL, ctx.params())[0]
    return {
        "departures": row["departures"],
        "average_days": number(row["average_days"], 3) if row["departures"] else None,
        "median_days": number(row["median_days"], 3) if row["departures"] else None,
    }


# Batteries still in the chain (not recycled, re-coded or void) that carry a hazard flag.
HAZARDS_SQL = """
SELECT b.hazard, count(*) AS n, sum(b.weight_kg) AS weight_kg,
       count(*) FILTER (WHERE b.status = 'at_outlet') AS at_outlets
  FROM batteries_battery b
 WHERE b.hazard <> '' AND b.status IN ('at_outlet', 'in_transit', 'at_facility')
   AND (%(partner)s::bigint IS NULL OR b.custodian_id = %(partner)s)
 GROUP BY 1 ORDER BY 1"""


def _hazards(ctx: ReportContext) -> dict[str, Any]:
    rows = fetch(HAZARDS_SQL, ctx.params())
    return {
        "basis": "all_batteries" if ctx.national else "in_custody",
        "total": sum(r["n"] for r in rows),
        "by_kind": [
            {"hazard": r["hazard"], "count": r["n"], "weight_kg": number(r["weight_kg"]), "at_outlets": r["at_outlets"]}
            for r in rows
        ],
    }


GROWTH_SQL = """
SELECT extract(year FROM o.approved_at AT TIME ZONE 'Asia/Shanghai')::int AS year, d.region_id AS region,
       count(*) AS n
  FROM outlets_outlet o JOIN outlets_division d ON d.adcode = o.prefecture_id
 WHERE o.approved_at >= %(growth_from)s AND o.approved_at < %(as_of_end)s
   AND (%(partner)s::bigint IS NULL OR o.operator_id = %(partner)s OR EXISTS (
        SELECT 1 FROM outlets_sharinggrant g
         WHERE g.outlet_id = o.id AND g.grantee_id = %(partner)s AND g.granted_at < %(as_of_end)s
           AND (g.revoked_at IS NULL OR g.revoked_at >= %(as_of_end)s)))
 GROUP BY 1, 2"""


def _growth(ctx: ReportContext, places: Places) -> dict[str, Any]:
    """Outlets approved per year (whatever their status now) from the year the period
    starts to the report date, against the network's yearly targets (national reports)."""
    first_year = ctx.period_start.year
    years = list(range(first_year, ctx.as_of.year + 1))
    rows = fetch(GROWTH_SQL, ctx.params(growth_from=day_start(datetime.date(first_year, 1, 1))))
    new: dict[tuple[int, str], int] = {(r["year"], r["region"]): r["n"] for r in rows}
    targets: dict[tuple[int, str | None], int] = {}
    if ctx.national:
        targets = {(t.year, t.region_id): t.new_outlets for t in YearlyTarget.objects.filter(year__in=years).order_by()}
    by_year = []
    by_region = []
    for year in years:
        total = sum(n for (y, _), n in new.items() if y == year)
        target = targets.get((year, None))
        by_year.append({"year": year, "new_outlets": total, "target": target, "achieved": share(total, target)})
        for code in places.regions:
            count = new.get((year, code), 0)
            regional = targets.get((year, code))
            if count or regional is not None:
                by_region.append(
                    {
                        "year": year,
                        **places.region_label(code),
                        "new_outlets": count,
                        "target": regional,
                        "achieved": share(count, regional),
                    }
                )
    return {"by_year": by_year, "by_region": by_region}
