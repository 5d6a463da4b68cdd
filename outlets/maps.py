"""Outlet maps drawn by the app (DESIGN §9): points projected linearly from longitude and
latitude into a frame, with a graticule and a scale, and nothing else. No administrative
boundaries (their official rendering is regulated, and we have no approved map data) and no
online tiles (intranets and mainland networks must work).

The geometry is computed here; ``templates/outlets/partials/map.html`` draws it as SVG."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise

from outlets.models import CHINA_BBOX

KM_PER_DEGREE = 111.32  # along a meridian, and along the equator
_ids = itertools.count(1)


def _float(value: Any) -> float:
    return float(value) if isinstance(value, Decimal | int | float) else float(str(value))


@dataclass(frozen=True)
class Frame:
    """A longitude/latitude box drawn ``width`` pixels wide. The height keeps distances
    roughly true at the box's middle latitude (the projection is linear either way)."""

    min_lon: float
    max_lon: float
    min_lat: float
    max_lat: float
    width: int = 640

    @classmethod
    def china(cls, width: int = 640) -> Frame:
        return cls(
            float(CHINA_BBOX["min_lon"]),
            float(CHINA_BBOX["max_lon"]),
            float(CHINA_BBOX["min_lat"]),
            float(CHINA_BBOX["max_lat"]),
            width,
        )

    @classmethod
    def around(cls, longitude: Any, latitude: Any, *, km: float = 350, width: int = 480) -> Frame:
        """A square of about ``2 * km`` around a point: a prefecture and its neighbours."""
        lon, lat = _float(longitude), _float(latitude)
        half_lat = km / KM_PER_DEGREE
        half_lon = km / (KM_PER_DEGREE * max(math.cos(math.radians(lat)), 0.2))
        return cls(lon - half_lon, lon + half_lon, lat - half_lat, lat + half_lat, width)

    @classmethod
    def enclosing(cls, points: Iterable[tuple[Any, Any]], *, margin_km: float = 60, width: int = 480) -> Frame:
        """A square around every point with a margin, at least 2 x 150 km (a prefecture and
        its neighbours), so a point far from its prefecture's centre is still on the map."""
        coordinates = [(_float(lon), _float(lat)) for lon, lat in points if lon is not None and lat is not None]
        lons, lats = [c[0] for c in coordinates], [c[1] for c in coordinates]
        middle_lon, middle_lat = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
        cos = max(math.cos(math.radians(middle_lat)), 0.2)
        extent_km = max((max(lons) - min(lons)) * KM_PER_DEGREE * cos, (max(lats) - min(lats)) * KM_PER_DEGREE)
        return cls.around(middle_lon, middle_lat, km=max(extent_km / 2 + margin_km, 150), width=width)

    @property
    def _aspect(self) -> float:
        middle = math.radians((self.min_lat + self.max_lat) / 2)
        return (self.max_lat - self.min_lat) / ((self.max_lon - self.min_lon) * math.cos(middle))

    @property
    def height(self) -> int:
        return round(self.width * self._aspect)

    def contains(self, longitude: float, latitude: float) -> bool:
        return self.min_lon <= longitude <= self.max_lon and self.min_lat <= latitude <= self.max_lat

    def project(self, longitude: float, latitude: float) -> tuple[float, float]:
        x = (longitude - self.min_lon) / (self.max_lon - self.min_lon) * self.width
        y = (self.max_lat - latitude) / (self.max_lat - self.min_lat) * self.height
        return x, y

    def km_to_px(self, km: float) -> float:
        middle = math.radians((self.min_lat + self.max_lat) / 2)
        degrees = km / (KM_PER_DEGREE * math.cos(middle))
        return degrees / (self.max_lon - self.min_lon) * self.width


@dataclass(frozen=True)
class MapPoint:
    x: str
    y: str
    #: ``subject`` (the outlet in question), ``centroid`` (its prefecture's centre),
    #: ``other`` (other outlets, grey), ``outlet`` (a directory entry), ``own`` and
    #: ``shared`` (a partner's network)
    role: str
    label: str
    url: str = ""


@dataclass(frozen=True)
class GridLine:
    x1: str
    y1: str
    x2: str
    y2: str
    label: str
    label_x: str
    label_y: str


@dataclass
class OutletMap:
    frame: Frame
    title: str | Promise
    points: list[MapPoint] = field(default_factory=list)
    grid: list[GridLine] = field(default_factory=list)
    scale_px: str = ""
    scale_label: str = ""
    #: Points that fell outside the frame (not drawn).
    outside: int = 0
    dom_id: str = field(default_factory=lambda: f"outlet-map-{next(_ids)}")

    @property
    def width(self) -> int:
        return self.frame.width

    @property
    def height(self) -> int:
        return self.frame.height

    @property
    def roles(self) -> set[str]:
        return {p.role for p in self.points}


def _px(value: float) -> str:
    return f"{value:.1f}"


def _graticule(frame: Frame) -> list[GridLine]:
    span = frame.max_lon - frame.min_lon
    step = next(s for s in (1, 2, 5, 10, 20) if span / s <= 8)
    lines = []
    lon = math.ceil(frame.min_lon / step) * step
    while lon <= frame.max_lon:
        x, _y = frame.project(lon, frame.max_lat)
        lines.append(GridLine(_px(x), "0", _px(x), str(frame.height), f"{lon:g}°E", _px(x + 3), _px(frame.height - 4)))
        lon += step
    lat = math.ceil(frame.min_lat / step) * step
    while lat <= frame.max_lat:
        _x, y = frame.project(frame.min_lon, lat)
        lines.append(GridLine("0", _px(y), str(frame.width), _px(y), f"{lat:g}°N", "3", _px(y - 3)))
        lat += step
    return lines


def _scale(frame: Frame) -> tuple[str, str]:
    """A scale bar of a round distance, about a fifth of the width."""
    target = frame.width / 5
    for km in (10, 20, 50, 100, 200, 500, 1000):
        if frame.km_to_px(km) >= target:
            return _px(frame.km_to_px(km)), f"{km} km"
    return _px(frame.km_to_px(1000)), "1000 km"


def outlet_map(
    frame: Frame,
    *,
    title: str | Promise,
    subject: tuple[Any, Any, str] | None = None,
    centroid: tuple[Any, Any, str] | None = None,
    others: Iterable[tuple[Any, ...]] = (),
    others_role: str = "other",
) -> OutletMap:
    """A map of ``frame``: ``others`` as ``(lon, lat, label, url[, role])`` drawn first, then
    the prefecture's ``centroid`` and the ``subject`` outlet as ``(lon, lat, label)`` on top."""
    drawn = OutletMap(frame=frame, title=title, grid=_graticule(frame))
    drawn.scale_px, drawn.scale_label = _scale(frame)

    def add(lon: Any, lat: Any, role: str, label: str, url: str = "") -> None:
        if lon is None or lat is None:
            return
        lon_f, lat_f = _float(lon), _float(lat)
        if not frame.contains(lon_f, lat_f):
            drawn.outside += 1
            return
        x, y = frame.project(lon_f, lat_f)
        drawn.points.append(MapPoint(_px(x), _px(y), role, label, url))

    for item in others:
        lon, lat, label, url = item[:4]
        add(lon, lat, item[4] if len(item) > 4 else others_role, label, url)
    if centroid is not None:
        add(*centroid[:2], "centroid", centroid[2])
    if subject is not None:
        add(*subject[:2], "subject", subject[2])
    return drawn
