"""Loading the reference data of ``outlets/data`` (regions and divisions)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

REGIONS = [
    # code, Chinese name, English name (order = display order)
    ("JJJ", "京津冀", "Beijing-Tianjin-Hebei"),
    ("YRD", "长三角", "Yangtze River Delta"),
    ("PRD", "珠三角", "Pearl River Delta"),
    ("CENTRAL", "华中", "Central China"),
    ("NORTH", "华北", "North China"),
    ("NORTHEAST", "东北", "Northeast China"),
    ("EAST", "华东", "East China"),
    ("SOUTH", "华南", "South China"),
    ("SOUTHWEST", "西南", "Southwest China"),
    ("NORTHWEST", "西北", "Northwest China"),
]


def read_divisions() -> list[dict[str, str]]:
    with (DATA_DIR / "divisions.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_reference_data(region_model: Any, division_model: Any, using: str = "default") -> int:
    """Upsert regions and divisions in two statements; return the number of divisions."""
    region_model.objects.using(using).bulk_create(
        [
            region_model(code=code, name=name, name_en=name_en, sort_order=order)
            for order, (code, name, name_en) in enumerate(REGIONS)
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "name_en", "sort_order"],
    )
    rows = read_divisions()
    division_model.objects.using(using).bulk_create(
        [
            division_model(
                adcode=row["adcode"],
                name=row["name"],
                level=row["level"],
                parent_id=row["parent_adcode"] or None,
                region_id=row["region"],
                longitude=Decimal(row["longitude"]) if row["longitude"] else None,
                latitude=Decimal(row["latitude"]) if row["latitude"] else None,
                prd_core=row["prd_core"] == "1",
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["adcode"],
        update_fields=["name", "level", "parent", "region", "longitude", "latitude", "prd_core"],
    )
    return len(rows)
