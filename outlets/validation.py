"""Outlet field rules (DESIGN §6), shared by services, forms and the model's ``clean()``.

The database check constraints are the guarantee; these give the message."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from outlets.models import (
    CENTRALIZED_MIN_CAPACITY_KG,
    CHINA_BBOX,
    COLLECTION_MAX_CAPACITY_KG,
    COLLECTION_MIN_AREA_M2,
    LOCATION_WARNING_KM,
    Division,
    DivisionLevel,
    OutletKind,
)
from recycling_network.errors import InvalidInput
from recycling_network.i18n import lazy_format

EARTH_RADIUS_KM = 6371.0088


def _decimal(value: Any, field: str, errors: dict[str, list]) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        errors.setdefault(field, []).append(_("Enter a number."))
        return None
    if not number.is_finite():
        errors.setdefault(field, []).append(_("Enter a number."))
        return None
    return number


def resolve_prefecture(adcode: Any) -> Division:
    """The prefecture-level division for ``adcode``, or an error naming what is wrong."""
    division = Division.objects.select_related("parent").filter(adcode=str(adcode or "").strip()).first()
    if division is None:
        raise InvalidInput(
            _("Unknown administrative division code."),
            code="prefecture_unknown",
            errors={"prefecture": [_("Unknown administrative division code.")]},
        )
    if division.level != DivisionLevel.PREFECTURE:
        message = lazy_format(
            _("%(adcode)s (%(name)s) is not a prefecture-level division; choose a city or prefecture."),
            adcode=division.adcode,
            name=division.name,
        )
        raise InvalidInput(message, code="prefecture_not_prefecture_level", errors={"prefecture": [message]})
    return division


def clean_outlet_fields(
    *, kind: Any, storage_area_m2: Any, capacity_kg: Any, longitude: Any, latitude: Any
) -> dict[str, Any]:
    """Check kind limits and coordinates; return the values as Decimals or raise ``InvalidInput``."""
    errors: dict[str, list] = {}
    if kind not in OutletKind.values:
        errors["kind"] = [_("Choose collection or centralised storage.")]
    area = _decimal(storage_area_m2, "storage_area_m2", errors)
    capacity = _decimal(capacity_kg, "capacity_kg", errors)
    lon = _decimal(longitude, "longitude", errors)
    lat = _decimal(latitude, "latitude", errors)
    if area is not None and area <= 0:
        errors.setdefault("storage_area_m2", []).append(_("Must be greater than zero."))
    if capacity is not None and capacity <= 0:
        errors.setdefault("capacity_kg", []).append(_("Must be greater than zero."))
    if kind == OutletKind.COLLECTION:
        if area is not None and area < COLLECTION_MIN_AREA_M2:
            errors.setdefault("storage_area_m2", []).append(
                _("A collection outlet needs a storage area of at least 10 m².")
            )
        if capacity is not None and capacity > COLLECTION_MAX_CAPACITY_KG:
            errors.setdefault("capacity_kg", []).append(_("A collection outlet may hold at most 5,000 kg."))
    elif kind == OutletKind.CENTRALIZED_STORAGE and capacity is not None and capacity < CENTRALIZED_MIN_CAPACITY_KG:
        errors.setdefault("capacity_kg", []).append(_("A centralised-storage outlet must hold at least 30,000 kg."))
    if lon is not None and not CHINA_BBOX["min_lon"] <= lon <= CHINA_BBOX["max_lon"]:
        errors.setdefault("longitude", []).append(_("The longitude is outside China (73.4 to 135.1)."))
    if lat is not None and not CHINA_BBOX["min_lat"] <= lat <= CHINA_BBOX["max_lat"]:
        errors.setdefault("latitude", []).append(_("The latitude is outside China (3.8 to 53.6)."))
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first, code="outlet_invalid", errors=errors)
    return {
        "kind": kind,
        "storage_area_m2": area,
        "capacity_kg": capacity,
        "longitude": lon.quantize(Decimal("0.000001")),
        "latitude": lat.quantize(Decimal("0.000001")),
    }


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def location_warnings(prefecture: Division, longitude: Decimal, latitude: Decimal) -> list[Any]:
    """A warning (not an error) when the point is far from the prefecture's centroid."""
    if prefecture.longitude is None or prefecture.latitude is None:
        return []
    km = distance_km(float(longitude), float(latitude), float(prefecture.longitude), float(prefecture.latitude))
    if km <= LOCATION_WARNING_KM:
        return []
    return [
        lazy_format(
            _("The point is %(km)d km from the centre of %(name)s; please check the coordinates."),
            km=round(km),
            name=str(prefecture),
        )
    ]
