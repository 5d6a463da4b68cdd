"""Sales footprints: set by service, imported from CSV (service and command)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from partners.models import AuditEntry
from recycling_network.errors import Forbidden, InvalidInput
from recycling_network.tenancy import SYSTEM, run_as
from reports.models import SalesFootprint
from reports.selectors import visible_sales_footprints
from reports.services import sales_footprint_import, sales_footprint_set
from tests.builders import DATACENTER, admin_of, call, make_partner

pytestmark = pytest.mark.django_db


def rows_of(partner) -> list[tuple]:
    with run_as(SYSTEM):
        return list(
            SalesFootprint.objects.filter(partner=partner)
            .order_by("year", "prefecture")
            .values_list("prefecture_id", "year", "vehicles_sold", "fleet", "audience")
        )


def test_set_replaces_the_figures_of_the_same_prefecture_and_year():
    automaker = make_partner(kinds=["automaker"])
    call(
        DATACENTER,
        sales_footprint_set,
        partner=automaker,
        rows=[{"prefecture": "110100", "year": 2025, "vehicles_sold": 5, "fleet": 9}],
    )
    call(
        admin_of(automaker),
        sales_footprint_set,
        partner=automaker,
        rows=[
            {"prefecture": "110100", "year": 2025, "vehicles_sold": "7", "fleet": "10"},
            {"prefecture": "310100", "year": 2025, "vehicles_sold": 0, "fleet": 8000},
        ],
    )
    assert rows_of(automaker) == [
        ("110100", 2025, 7, 10, [automaker.pk]),
        ("310100", 2025, 0, 8000, [automaker.pk]),
    ]


def test_only_the_automaker_or_the_data_center_and_only_for_automakers():
    automaker, operator = make_partner(kinds=["automaker"]), make_partner(kinds=["outlet_operator"])
    row = {"prefecture": "110100", "year": 2025, "vehicles_sold": 1, "fleet": 1}
    with pytest.raises(Forbidden):
        call(admin_of(operator), sales_footprint_set, partner=automaker, rows=[row])
    with pytest.raises(InvalidInput) as error:
        call(DATACENTER, sales_footprint_set, partner=operator, rows=[row])
    assert error.value.code == "partner_not_automaker"


def test_setting_a_footprint_is_audited_for_the_automaker():
    automaker = make_partner(kinds=["automaker"])
    rows = [
        {"prefecture": "110100", "year": 2025, "vehicles_sold": 5, "fleet": 9},
        {"prefecture": "110100", "year": 2026, "vehicles_sold": 6, "fleet": 15},
    ]
    call(DATACENTER, sales_footprint_set, partner=automaker, rows=rows)
    with run_as(SYSTEM):
        entry = AuditEntry.objects.get(action="sales_footprint.set")
    assert (entry.target_id, entry.audience) == (str(automaker.pk), [automaker.pk])
    assert entry.after == {"rows": 2, "years": [2025, 2026], "prefectures": 1}


def test_the_same_prefecture_and_year_twice_is_refused_not_a_crash():
    automaker = make_partner(kinds=["automaker"])
    row = {"prefecture": "110100", "year": 2025, "vehicles_sold": 1, "fleet": 1}
    with pytest.raises(InvalidInput) as error:
        call(DATACENTER, sales_footprint_set, partner=automaker, rows=[row, {**row, "fleet": 2}])
    assert list(error.value.errors) == ["rows[1]"]
    assert rows_of(automaker) == []


@pytest.mark.parametrize(
    "row",
    [
        {"prefecture": "110000", "year": 2025, "vehicles_sold": 1, "fleet": 1},  # a province
        {"prefecture": "999999", "year": 2025, "vehicles_sold": 1, "fleet": 1},
        {"prefecture": "110100", "year": 1999, "vehicles_sold": 1, "fleet": 1},
        {"prefecture": "110100", "year": 2025, "vehicles_sold": -1, "fleet": 1},
        {"prefecture": "110100", "year": 2025, "vehicles_sold": 1, "fleet": "many"},
    ],
)
def test_invalid_rows_are_refused_all_or_nothing(row):
    automaker = make_partner(kinds=["automaker"])
    good = {"prefecture": "310100", "year": 2025, "vehicles_sold": 1, "fleet": 1}
    with pytest.raises(InvalidInput) as error:
        call(DATACENTER, sales_footprint_set, partner=automaker, rows=[good, row])
    assert list(error.value.errors) == ["rows[1]"]
    assert rows_of(automaker) == []


def test_csv_import_by_the_data_center_names_partners_by_id_or_credit_code():
    first, second = make_partner(kinds=["automaker"]), make_partner(kinds=["automaker"])
    text = (
        "\ufeffpartner,prefecture,year,vehicles_sold,fleet\n"
        f"{first.pk},110100,2025,100,9000\n"
        f"{second.credit_code},440300,2025,3,4\n"
        f"{first.pk},310100,2024,1,2\n"
    )
    assert call(DATACENTER, sales_footprint_import, csv_text=text) == 3
    assert [r[:4] for r in rows_of(first)] == [("310100", 2024, 1, 2), ("110100", 2025, 100, 9000)]
    assert [r[:4] for r in rows_of(second)] == [("440300", 2025, 3, 4)]


def test_csv_import_by_an_automaker_is_its_own_and_reports_bad_lines():
    automaker, other = make_partner(kinds=["automaker"]), make_partner(kinds=["automaker"])
    me = admin_of(automaker)
    assert call(me, sales_footprint_import, csv_text="prefecture,year,vehicles_sold,fleet\n110100,2025,1,2\n") == 1
    with pytest.raises(Forbidden):
        call(
            me,
            sales_footprint_import,
            csv_text=f"partner,prefecture,year,vehicles_sold,fleet\n{other.pk},110100,2025,1,2\n",
        )
    with pytest.raises(InvalidInput) as error:
        call(
            me,
            sales_footprint_import,
            csv_text="prefecture,year,vehicles_sold,fleet\n110100,2025,1,2\n110100,20x5,1,2\n",
        )
    with translation.override("en"):
        assert [str(m) for m in error.value.errors["csv_text"]] == ["Line 3: The year must be from 2000 to 2100."]
    with pytest.raises(InvalidInput) as error:
        call(me, sales_footprint_import, csv_text="prefecture,year\n110100,2025\n")
    assert error.value.code == "csv_columns_missing"
    with run_as(me):
        assert list(visible_sales_footprints(me).values_list("partner_id", flat=True)) == [automaker.pk]


def test_import_command(tmp_path):
    automaker = make_partner(kinds=["automaker"])
    path = tmp_path / "footprint.csv"
    path.write_text(
        f"partner,prefecture,year,vehicles_sold,fleet\n{automaker.pk},420100,2025,12,8001\n", encoding="utf-8"
    )
    call_command("import_sales_footprint", str(path))
    assert [r[:4] for r in rows_of(automaker)] == [("420100", 2025, 12, 8001)]
    path.write_text("partner,prefecture,year,vehicles_sold,fleet\n0,420100,2025,12,8001\n", encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError, match="Line 2"):
        call_command("import_sales_footprint", str(path))
