"""Downloads of the stock and consignment lists: the filtered rows the reader may see,
streamed, and safe against formula injection (a cell starting with = + - @ tab or CR
gets a leading single quote)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from batteries import services as battery_services
from batteries.exports import safe_cell
from tests.builders import call, make_outlet, receive
from tests.web.test_outlet_world import World, world_fixture  # noqa: F401 - the fixture

NASTY = ['=HYPERLINK("http://evil.example","x")', "+1+2", "-3+4", "@SUM(A1:A2)", "\tcmd", "\rcmd"]


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _csv(response) -> list[list[str]]:
    text = _body(response).decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheets read the Chinese names as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(_body(response))).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"  # nothing is stored as a formula
    return list(sheet.iter_rows(values_only=True))


def test_safe_cell_quotes_exactly_what_a_spreadsheet_would_run():
    for value in NASTY:
        assert safe_cell(value) == "'" + value
    for value in ["RN-110100-0001", "绿源回收", "a=b", "", "3.5"]:
        assert safe_cell(value) == value
    assert safe_cell(-3) == -3  # numbers stay numbers


def test_the_stock_export_quotes_a_formula_in_an_outlet_name(world: World):
    nasty_outlet = make_outlet(world.ours, name=NASTY[0])
    battery = receive(world.actor(world.admin), nasty_outlet, weight_kg="123.45", condition="damaged")
    other = receive(world.actor(world.their_staff), world.their_outlet)
    client = world.client(world.admin)

    response = client.get("/stock/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="stock-')
    assert response.streaming
    rows = _csv(response)
    assert rows[0][:3] == ["Battery code", "Type", "Chemistry"]
    by_code = {row[0]: row for row in rows[1:]}
    assert other.code not in by_code  # another partner's battery
    line = by_code[battery.code]
    assert line[10] == "'" + NASTY[0]
    assert line[4] == "123.45" and line[8] == "Damaged"

    workbook = _xlsx(client.get("/stock/export.xlsx"))
    assert workbook[0][0] == "Battery code"
    row = next(r for r in workbook[1:] if r[0] == battery.code)
    assert row[10] == "'" + NASTY[0]


def test_the_consignment_export_quotes_waybills_carriers_and_notes(world: World):
    staff = world.actor(world.staff)
    for index, nasty in enumerate(NASTY[1:]):
        call(
            staff,
            battery_services.consignment_dispatch,
            from_outlet=world.outlet,
            to_partner=world.theirs.pk,
            to_outlet=world.their_outlet,
            batteries=[receive(staff, world.outlet).code],
            waybill=f"=WB{index}",
            carrier=nasty,
            notes="@note",
        )
    rows = _csv(world.client(world.staff).get("/consignments/export.csv"))
    assert rows[0][11:14] == ["Waybill", "Carrier", "Notes"]
    # The service strips surrounding whitespace, so a leading tab or CR never reaches the row.
    carriers = {row[12] for row in rows[1:]}
    assert carriers == {"'+1+2", "'-3+4", "'@SUM(A1:A2)", "cmd"}
    assert all(row[11].startswith("'=WB") and row[13] == "'@note" for row in rows[1:])
    assert {row[1] for row in rows[1:]} == {"Outgoing"}

    sheet = _xlsx(world.client(world.their_staff).get("/consignments/export.xlsx"))
    assert {row[12] for row in sheet[1:]} == carriers
    assert {row[1] for row in sheet[1:]} == {"Incoming"}


def test_exports_follow_the_lists_filters(world: World):
    hazardous = receive(world.actor(world.staff), world.outlet, condition="leaking")
    intact = receive(world.actor(world.staff), world.outlet)
    codes = {row[0] for row in _csv(world.client(world.staff).get("/stock/export.csv?hazard=any"))[1:]}
    assert codes == {hazardous.code}
    everything = {row[0] for row in _csv(world.client(world.staff).get("/stock/export.csv"))[1:]}
    assert everything == {hazardous.code, intact.code}
    assert world.client(world.staff).get("/stock/export.pdf").status_code == 404


def test_the_export_is_in_the_readers_language(world: World):
    receive(world.actor(world.staff), world.outlet)
    chinese = _csv(world.client(world.staff, language="zh-hans").get("/stock/export.csv"))
    english = _csv(world.client(world.staff).get("/stock/export.csv"))
    assert (chinese[1][2], chinese[1][7]) == ("磷酸铁锂", "在回收网点")  # labels read while streaming
    assert (english[1][2], english[1][7]) == ("Lithium iron phosphate", "At an outlet")
