"""Downloads of a finished report: CSV, XLSX and JSON, safe against formula injection."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from recycling_network.errors import Conflict, InvalidInput, NotFound
from reports.exports import report_download, safe_cell
from reports.services import report_request, sales_footprint_set
from tests.builders import DATACENTER, admin_of, call, make_outlet, make_partner
from tests.reports.helpers import run_report

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://x","点我")'


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_cells_that_look_like_formulas_are_quoted(value):
    assert safe_cell(value) == "'" + value


def test_other_cells_are_unchanged():
    assert [safe_cell(v) for v in ("北京", "a=b", 12, -3.5, None)] == ["北京", "a=b", 12, -3.5, None]


@pytest.fixture
def finished(db, django_capture_on_commit_callbacks):
    automaker = make_partner(kinds=["automaker"], name=EVIL)
    make_outlet(make_partner(), prefecture="110100")
    call(
        DATACENTER,
        sales_footprint_set,
        partner=automaker,
        rows=[{"prefecture": "310100", "year": timezone.localdate().year, "vehicles_sold": 5, "fleet": 9000}],
    )
    return run_report(django_capture_on_commit_callbacks, DATACENTER)


def test_csv(finished):
    content, content_type, filename = call(DATACENTER, report_download, report=finished, format="csv")
    assert content_type == "text/csv; charset=utf-8"
    assert filename == f"report-{finished.pk}-national-{finished.as_of.isoformat()}.csv"
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    cells = [cell for row in rows for cell in row]
    assert "'" + EVIL in cells and EVIL not in cells
    assert ["110100", "北京市市辖区", "北京市", "1", "0", "1"] in rows  # outlets by prefecture


def test_xlsx(finished):
    content, content_type, filename = call(DATACENTER, report_download, report=finished, format="xlsx")
    assert content_type.endswith("spreadsheetml.sheet") and filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(content))
    assert len(workbook.sheetnames) == len(set(workbook.sheetnames)) > 10
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    evil = [cell for cell in cells if isinstance(cell.value, str) and EVIL in cell.value]
    assert evil and all(cell.value == "'" + EVIL and cell.data_type == "s" for cell in evil)
    assert not [cell for cell in cells if cell.data_type == "f"]


def test_json(finished):
    content, content_type, _ = call(DATACENTER, report_download, report=finished, format="json")
    document = json.loads(content)
    assert content_type == "application/json"
    assert document["result"] == finished.result
    assert document["as_of"] == finished.as_of.isoformat()
    assert document["result"]["obligations"]["automakers"][0]["partner"]["name"] == EVIL  # data, not a cell


def test_only_finished_visible_reports_in_known_formats(finished):
    with pytest.raises(NotFound):
        call(admin_of(make_partner()), report_download, report=finished, format="csv")
    with pytest.raises(InvalidInput):
        call(DATACENTER, report_download, report=finished, format="pdf")
    pending = call(DATACENTER, report_request)
    with pytest.raises(Conflict) as error:
        call(DATACENTER, report_download, report=pending.pk, format="json")
    assert error.value.code == "report_not_ready"
