"""Reference data of the reports: the NEV fleet weighting and the yearly outlet targets."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
NEV_CSV = DATA_DIR / "nev_by_city.csv"

# The network's planning target (DESIGN §10: "growth against yearly targets such as 150
# new outlets"), split over the regions; the data center changes them with
# ``reports.services.yearly_target_set``.
NATIONAL_TARGET = 150
REGIONAL_TARGETS = {
    "JJJ": 15,
    "YRD": 25,
    "PRD": 20,
    "CENTRAL": 20,
    "NORTH": 10,
    "NORTHEAST": 10,
    "EAST": 15,
    "SOUTH": 10,
    "SOUTHWEST": 15,
    "NORTHWEST": 10,
}


def _count(value: str) -> int | None:
    return int(value) if value.strip() else None


def load_nev_fleet(nev_model: Any, using: str = "default") -> int:
    """Upsert every row of ``nev_by_city.csv`` in one statement; return the row count."""
    with NEV_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    nev_model.objects.using(using).bulk_create(
        [
            nev_model(
                prefecture_id=row["adcode"],
                year=int(row["year"]),
                passenger_new=_count(row["passenger_new"]),
                commercial_new=_count(row["commercial_new"]),
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["prefecture", "year"],
        update_fields=["passenger_new", "commercial_new"],
    )
    return len(rows)


def seed_targets(target_model: Any, year: int, using: str = "default") -> None:
    """The national and regional targets for ``year``, unless that year has some already."""
    targets = target_model.objects.using(using)
    if targets.filter(year=year).exists():
        return
    targets.bulk_create(
        [target_model(year=year, region_id=None, new_outlets=NATIONAL_TARGET)]
        + [target_model(year=year, region_id=code, new_outlets=n) for code, n in REGIONAL_TARGETS.items()]
    )
