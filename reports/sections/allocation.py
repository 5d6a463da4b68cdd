"""Allocation section: where the next K outlets would cover the most uncovered NEV fleet.

Greedy maximum coverage (the classic (1 - 1/e) approximation):
- demand points are prefectures (their centroids) weighted by the NEV fleet, the sum over
  the years up to the report date of new passenger and commercial NEVs in
  ``nev_by_city.csv`` (its notice: "use the data as a weighting of where the NEV fleet
  is, summed over years");
- a demand point is already covered when an approved collection outlet of the scope's
  network lies within R km of it (great-circle distance);
- candidates are prefecture centroids; each pick takes the candidate adding the most
  uncovered weight within R km (ties: the lower adcode), until K picks or nothing is
  left to add.
About 340 prefectures and a few thousand outlets: plain Python is quick enough.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

from reports.sections.context import NETWORK_CTE, ReportContext, fetch, share

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LATITUDE = 111.2

WEIGHTS_SQL = """
SELECT f.prefecture_id AS adcode,
       sum(coalesce(f.passenger_new, 0) + coalesce(f.commercial_new, 0)) AS weight
  FROM reports_nevfleet f
 WHERE f.year <= %(year)s
 GROUP BY 1
HAVING sum(coalesce(f.passenger_new, 0) + coalesce(f.commercial_new, 0)) > 0"""

OUTLET_POINTS_SQL = f"""
WITH {NETWORK_CTE}
SELECT DISTINCT longitude, latitude FROM network WHERE kind = 'collection'"""


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


class _PointIndex:
    """Points sorted by latitude: a radius query only looks at a latitude band."""

    def __init__(self, points: list[tuple[float, float, str]]) -> None:
        self.points = sorted(points, key=lambda p: (p[1], p[2]))
        self.latitudes = [p[1] for p in self.points]

    def _band(self, lat: float, radius_km: float) -> list[tuple[float, float, str]]:
        band = radius_km / KM_PER_DEGREE_LATITUDE + 0.01
        start = bisect.bisect_left(self.latitudes, lat - band)
        end = bisect.bisect_right(self.latitudes, lat + band)
        return self.points[start:end]

    def within(self, lon: float, lat: float, radius_km: float) -> list[str]:
        return sorted(
            key for plon, plat, key in self._band(lat, radius_km) if haversine_km(lon, lat, plon, plat) <= radius_km
        )

    def any_within(self, lon: float, lat: float, radius_km: float) -> bool:
        return any(haversine_km(lon, lat, plon, plat) <= radius_km for plon, plat, _ in self._band(lat, radius_km))


def greedy_cover(
    demand: dict[str, float],
    covered: set[str],
    reach: dict[str, list[str]],
    k: int,
) -> list[dict[str, Any]]:
    """Pick up to ``k`` candidates of ``reach`` (candidate -> demand points within R),
    each adding the most weight of ``demand`` not yet in ``covered``."""
    covered = set(covered)
    gain = {c: sum(demand[d] for d in points if d not in covered) for c, points in reach.items()}
    covers = {}  # demand point -> candidates reaching it, to update gains incrementally
    for candidate, points in reach.items():
        for point in points:
            covers.setdefault(point, []).append(candidate)
    picks = []
    for _ in range(k):
        best = min(gain, key=lambda c: (-gain[c], c), default=None)
        if best is None or gain[best] <= 0:
            break
        newly = sorted(d for d in reach[best] if d not in covered)
        picks.append({"adcode": best, "added_demand": gain[best], "newly_covered": newly})
        for point in newly:
            covered.add(point)
            for candidate in covers[point]:
                gain[candidate] -= demand[point]
    return picks


def compute(ctx: ReportContext) -> dict[str, Any]:
    places = ctx.places
    located = {a: p for a, p in places.prefectures.items() if p["longitude"] is not None and p["latitude"] is not None}
    weights = {row["adcode"]: float(row["weight"]) for row in fetch(WEIGHTS_SQL, {"year": ctx.as_of.year})}
    demand = {adcode: weight for adcode, weight in weights.items() if adcode in located}
    total = sum(demand.values())
    radius = float(ctx.radius_km)

    outlets = _PointIndex(
        [(float(r["longitude"]), float(r["latitude"]), "") for r in fetch(OUTLET_POINTS_SQL, ctx.params())]
    )
    covered = {a for a in demand if outlets.any_within(located[a]["longitude"], located[a]["latitude"], radius)}
    demand_points = _PointIndex([(located[a]["longitude"], located[a]["latitude"], a) for a in demand])
    reach = {c: demand_points.within(p["longitude"], p["latitude"], radius) for c, p in located.items()}

    covered_before = sum(demand[a] for a in covered)
    cumulative = covered_before
    picks = []
    for rank, pick in enumerate(greedy_cover(demand, covered, reach, ctx.k), start=1):
        cumulative += pick["added_demand"]
        place = located[pick["adcode"]]
        picks.append(
            {
                "rank": rank,
                **places.prefecture_label(pick["adcode"]),
                "longitude": place["longitude"],
                "latitude": place["latitude"],
                "added_demand": round(pick["added_demand"]),
                "added_share": share(pick["added_demand"], total),
                "newly_covered_prefectures": pick["newly_covered"],
                "cumulative_demand": round(cumulative),
                "cumulative_share": share(cumulative, total),
            }
        )
    return {
        "k": ctx.k,
        "radius_km": ctx.radius_km,
        "weight": "nev_by_city: passenger_new + commercial_new, summed over years",
        "demand_points": len(demand),
        "total_demand": round(total),
        "covered_before": round(covered_before),
        "covered_before_share": share(covered_before, total),
        "covered_after": round(cumulative),
        "covered_after_share": share(cumulative, total),
        "picks": picks,
    }
