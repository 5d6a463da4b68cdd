"""Regions, provinces and prefectures by code, to label the rows of aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from outlets.models import Division, DivisionLevel, Region

# Municipalities list their districts as 市辖区 (and Chongqing its counties as 县); the
# province name in front makes them readable (as ``Division.__str__`` does).
_GENERIC_NAMES = ("市辖区", "县")


@dataclass(frozen=True)
class Places:
    regions: dict[str, dict[str, Any]]
    provinces: dict[str, dict[str, Any]]
    prefectures: dict[str, dict[str, Any]]

    @classmethod
    def load(cls) -> Places:
        regions = {
            r.code: {"code": r.code, "name": r.name, "name_en": r.name_en}
            for r in Region.objects.order_by("sort_order", "code")
        }
        divisions = list(Division.objects.order_by("adcode"))
        provinces = {
            d.adcode: {"adcode": d.adcode, "name": d.name, "region": d.region_id}
            for d in divisions
            if d.level == DivisionLevel.PROVINCE
        }
        prefectures = {}
        for d in divisions:
            if d.level != DivisionLevel.PREFECTURE:
                continue
            province = provinces.get(d.parent_id, {})
            name = f"{province.get('name', '')}{d.name}" if d.name in _GENERIC_NAMES else d.name
            prefectures[d.adcode] = {
                "adcode": d.adcode,
                "name": name,
                "province": d.parent_id,
                "province_name": province.get("name", ""),
                "region": d.region_id,
                "longitude": float(d.longitude) if d.longitude is not None else None,
                "latitude": float(d.latitude) if d.latitude is not None else None,
            }
        return cls(regions=regions, provinces=provinces, prefectures=prefectures)

    def prefecture_label(self, adcode: str) -> dict[str, Any]:
        """The fields a report row names a prefecture with."""
        p = self.prefectures[adcode]
        return {
            "adcode": adcode,
            "name": p["name"],
            "province": p["province"],
            "province_name": p["province_name"],
            "region": p["region"],
        }

    def region_label(self, code: str) -> dict[str, Any]:
        r = self.regions[code]
        return {"region": code, "region_name": r["name"], "region_name_en": r["name_en"]}
