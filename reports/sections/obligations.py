"""Obligations section: where each automaker's network falls short of the outlet guideline.

MIIT 2019 outlet guideline: an automaker needs a collection outlet in every prefecture
where it sells NEVs, and a centralised-storage outlet where its fleet (parc) reaches
8,000 vehicles. Outlets count when the automaker operates them or holds an active
sharing grant for them (DESIGN §6), approved by the report date. Sales come from the
automaker's latest sales footprint year not after the report date.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from reports.sections.context import ReportContext, fetch

STORAGE_FLEET_THRESHOLD = 8000

OBLIGATIONS_SQL = """
WITH automakers AS (
  SELECT p.id, p.name FROM partners_partner p
   WHERE 'automaker' = ANY(p.kinds) AND p.status = 'active'
     AND (%(partner)s::bigint IS NULL OR p.id = %(partner)s)
), latest AS (
  SELECT f.partner_id, max(f.year) AS year
    FROM reports_salesfootprint f JOIN automakers a ON a.id = f.partner_id
   WHERE f.year <= %(year)s
   GROUP BY 1
), usable AS (
  SELECT o.operator_id AS partner_id, o.prefecture_id, o.kind
    FROM outlets_outlet o JOIN automakers a ON a.id = o.operator_id
   WHERE o.status = 'approved' AND o.approved_at < %(as_of_end)s
  UNION
  SELECT g.grantee_id, o.prefecture_id, o.kind
    FROM outlets_sharinggrant g
    JOIN automakers a ON a.id = g.grantee_id
    JOIN outlets_outlet o ON o.id = g.outlet_id
   WHERE o.status = 'approved' AND o.approved_at < %(as_of_end)s AND g.granted_at < %(as_of_end)s
     AND (g.revoked_at IS NULL OR g.revoked_at >= %(as_of_end)s)
)
SELECT a.id AS partner_id, a.name AS partner_name, l.year, f.prefecture_id, f.vehicles_sold, f.fleet,
       EXISTS (SELECT 1 FROM usable u WHERE u.partner_id = a.id AND u.prefecture_id = f.prefecture_id
                                         AND u.kind = 'collection') AS has_collection,
       EXISTS (SELECT 1 FROM usable u WHERE u.partner_id = a.id AND u.prefecture_id = f.prefecture_id
                                         AND u.kind = 'centralized_storage') AS has_storage
  FROM automakers a
  LEFT JOIN latest l ON l.partner_id = a.id
  LEFT JOIN reports_salesfootprint f
         ON f.partner_id = a.id AND f.year = l.year AND (f.vehicles_sold > 0 OR f.fleet >= %(threshold)s)
 ORDER BY a.id, f.prefecture_id"""


def compute(ctx: ReportContext) -> dict[str, Any]:
    places = ctx.places
    rows = fetch(OBLIGATIONS_SQL, ctx.params(year=ctx.as_of.year, threshold=STORAGE_FLEET_THRESHOLD))
    automakers: dict[int, dict[str, Any]] = {}
    region_gaps: dict[str, dict[str, int]] = defaultdict(lambda: {"gaps": 0, "storage_gaps": 0})
    for row in rows:
        entry = automakers.setdefault(
            row["partner_id"],
            {
                "partner": {"id": row["partner_id"], "name": row["partner_name"]},
                "footprint_year": row["year"],
                "selling_prefectures": 0,
                "covered_prefectures": 0,
                "storage_required": 0,
                "storage_covered": 0,
                "gaps": [],
                "storage_gaps": [],
            },
        )
        adcode = row["prefecture_id"]
        if adcode is None:
            continue
        # Kept short: a national report lists thousands of gaps (regions are summed below).
        place = places.prefectures[adcode]
        line = {"adcode": adcode, "name": place["name"], "vehicles_sold": row["vehicles_sold"], "fleet": row["fleet"]}
        if row["vehicles_sold"] > 0:
            entry["selling_prefectures"] += 1
            if row["has_collection"]:
                entry["covered_prefectures"] += 1
            else:
                entry["gaps"].append(line)
                region_gaps[place["region"]]["gaps"] += 1
        if row["fleet"] >= STORAGE_FLEET_THRESHOLD:
            entry["storage_required"] += 1
            if row["has_storage"]:
                entry["storage_covered"] += 1
            else:
                entry["storage_gaps"].append(line)
                region_gaps[place["region"]]["storage_gaps"] += 1
    listed = list(automakers.values())
    return {
        "storage_fleet_threshold": STORAGE_FLEET_THRESHOLD,
        "automakers": listed,
        "totals": {
            "automakers": len(listed),
            "automakers_with_gaps": sum(1 for a in listed if a["gaps"] or a["storage_gaps"]),
            "gaps": sum(len(a["gaps"]) for a in listed),
            "storage_gaps": sum(len(a["storage_gaps"]) for a in listed),
        },
        "by_region": [
            {**places.region_label(code), **region_gaps[code]} for code in places.regions if code in region_gaps
        ],
    }
