"""Outlet rules of DESIGN §6: kind limits, coordinates, prefectures; in both languages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from outlets import services
from outlets.models import Outlet
from recycling_network.errors import InvalidInput
from recycling_network.tenancy import SYSTEM, run_as
from tests.builders import admin_of, call, make_partner


def _create(operator, **overrides):
    values = {
        "name": "网点",
        "kind": "collection",
        "prefecture": "110100",
        "address": "北京市某路1号",
        "longitude": "116.40",
        "latitude": "39.90",
        "storage_area_m2": 20,
        "capacity_kg": 3000,
    }
    values.update(overrides)
    return call(admin_of(operator), services.outlet_create, operator=operator, **values)


def _both(error: InvalidInput, field: str) -> tuple[str, str]:
    with translation.override("zh-hans"):
        zh = str(error.errors[field][0])
    with translation.override("en"):
        en = str(error.errors[field][0])
    return zh, en


@pytest.mark.parametrize(
    ("overrides", "field", "zh", "en"),
    [
        ({"storage_area_m2": 9.5}, "storage_area_m2", "10", "at least 10 m²"),
        ({"capacity_kg": 5001}, "capacity_kg", "5,000", "at most 5,000 kg"),
        ({"kind": "centralized_storage", "capacity_kg": 29999}, "capacity_kg", "30,000", "at least 30,000 kg"),
        ({"longitude": "150.1"}, "longitude", "经度", "outside China"),
        ({"latitude": "60"}, "latitude", "纬度", "outside China"),
        ({"capacity_kg": "lots"}, "capacity_kg", "数字", "number"),
        ({"kind": "warehouse"}, "kind", "收集型", "collection"),
    ],
)
def test_outlet_limits_are_refused_with_messages_in_both_languages(db, overrides, field, zh, en):
    with pytest.raises(InvalidInput) as error:
        _create(make_partner(), **overrides)
    chinese, english = _both(error.value, field)
    assert zh in chinese
    assert en in english
    assert chinese != english


def test_the_limits_hold_in_the_database_too(db):
    outlet = _create(make_partner()).outlet
    for change in ({"capacity_kg": Decimal("6000")}, {"storage_area_m2": Decimal("5")}, {"longitude": Decimal("20")}):
        with run_as(SYSTEM), pytest.raises(IntegrityError), transaction.atomic():
            Outlet.objects.filter(pk=outlet.pk).update(**change)
    with run_as(SYSTEM), pytest.raises(IntegrityError), transaction.atomic():
        Outlet.objects.filter(pk=outlet.pk).update(kind="centralized_storage")  # 3,000 kg is too small


def test_a_centralised_outlet_at_the_minimum_is_fine(db):
    outlet = _create(make_partner(), kind="centralized_storage", capacity_kg=30000, storage_area_m2=8).outlet
    assert outlet.capacity_kg == Decimal("30000")


def test_a_province_is_not_a_prefecture(db):
    with pytest.raises(InvalidInput) as error:
        _create(make_partner(), prefecture="110000")
    assert error.value.code == "prefecture_not_prefecture_level"
    chinese, english = _both(error.value, "prefecture")
    assert "110000" in chinese
    assert "地级" in chinese
    assert "prefecture-level" in english


def test_an_unknown_adcode_is_refused(db):
    with pytest.raises(InvalidInput) as error:
        _create(make_partner(), prefecture="999999")
    assert error.value.code == "prefecture_unknown"


def test_the_divisions_are_loaded(db):
    from outlets.models import Division

    assert Division.objects.filter(level="province").count() == 31
    assert Division.objects.filter(level="prefecture").count() == 343
    assert Division.objects.get(adcode="440300").region_id == "PRD"
