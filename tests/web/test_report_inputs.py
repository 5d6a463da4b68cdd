"""The reports' inputs in the browser: an automaker's admins upload and read their own
sales footprint (CSV in UTF-8 or GBK, all or nothing, errors by line); the data center
uploads for any automaker and sets yearly targets (audited); nobody else gets in."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partners.models import AuditEntry, UserRole
from recycling_network.tenancy import SYSTEM, run_as
from reports.models import SalesFootprint, YearlyTarget
from reports.services import yearly_target_set
from tests.builders import DATACENTER, call, make_partner, make_user
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _client(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _csv(text: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("footprint.csv", text.encode(encoding), content_type="text/csv")


def _rows(partner) -> list[tuple]:
    with run_as(SYSTEM):
        return list(
            SalesFootprint.objects.filter(partner=partner)
            .order_by("prefecture_id")
            .values_list("prefecture_id", "year", "vehicles_sold", "fleet")
        )


@pytest.fixture
def automaker():
    return make_partner(kinds=["automaker"], name="远航汽车")


def test_an_automaker_uploads_its_footprint_and_sees_only_its_own(automaker, people):
    admin = make_user(automaker, UserRole.PARTNER_ADMIN, password=PASSWORD)
    other = make_partner(kinds=["automaker"], name="另一汽车")
    other_admin = make_user(other, UserRole.PARTNER_ADMIN, password=PASSWORD)
    client = _client(admin)
    text = "prefecture,year,vehicles_sold,fleet\n110100,2026,5200,21000\n440300,2026,3900,12000\n"
    response = client.post("/reports/footprint/", {"csv_text": _csv("\ufeff" + text)})
    assert response.status_code == 302, response.content.decode()
    assert _rows(automaker) == [("110100", 2026, 5200, 21000), ("440300", 2026, 3900, 12000)]
    page = client.get(response["Location"]).content.decode()
    assert "2 rows imported." in page and "21,000" in page and 'data-row="440300-2026"' in page
    # The year filter offers the years on record; another year is refused, not guessed.
    assert 'data-row="440300-2026"' in client.get("/reports/footprint/?year=2026").content.decode()
    other_year = client.get("/reports/footprint/?year=2019").content.decode()
    assert 'data-row="440300-2026"' not in other_year
    assert "远航汽车" not in _client(other_admin).get("/reports/footprint/").content.decode()
    assert 'data-row="110100-2026"' not in _client(other_admin).get("/reports/footprint/").content.decode()


def test_an_excel_gbk_file_is_read_and_a_bad_line_rejects_the_whole_file(automaker):
    client = _client(make_user(automaker, UserRole.PARTNER_ADMIN, password=PASSWORD))
    # Saved by Excel in China: GBK, with a column of names the import does not need.
    good = "prefecture,地市,year,vehicles_sold,fleet\n110100,北京市,2026,10,40\n"
    with pytest.raises(UnicodeDecodeError):
        good.encode("gb18030").decode("utf-8")
    assert client.post("/reports/footprint/", {"csv_text": _csv(good, "gb18030")}).status_code == 302
    bad = "prefecture,year,vehicles_sold,fleet\n310100,2026,7,28\n999999,2026,1,1\n"
    response = client.post("/reports/footprint/", {"csv_text": _csv(bad)})
    assert response.status_code == 400
    assert "Line 3: 999999 is not a prefecture-level adcode." in response.content.decode()
    assert _rows(automaker) == [("110100", 2026, 10, 40)]  # nothing of the bad file
    binary = client.post("/reports/footprint/", {"csv_text": _csv("\x00\x01\x02", "latin-1")})
    assert binary.status_code == 400 and "Save the file as CSV" in binary.content.decode()


def test_the_data_center_uploads_for_automakers_and_others_are_refused(automaker, people):
    text = f"partner,prefecture,year,vehicles_sold,fleet\n{automaker.credit_code},320500,2025,100,400\n"
    response = _client(people.datacenter_admin).post("/reports/footprint/", {"csv_text": _csv(text)})
    assert response.status_code == 302
    assert _rows(automaker) == [("320500", 2025, 100, 400)]
    assert "远航汽车" in _client(people.datacenter_admin).get("/reports/footprint/?year=2025").content.decode()
    # An operator's admin and outlet staff have no footprint.
    assert _client(people.partner_admin).get("/reports/footprint/").status_code == 403
    assert _client(people.staff).get("/reports/footprint/").status_code == 403
    # The report list links the page for those who keep one.
    assert 'href="/reports/footprint/"' in _client(people.datacenter_admin).get("/reports/").content.decode()
    assert 'href="/reports/footprint/"' not in _client(people.partner_admin).get("/reports/").content.decode()


def test_the_data_center_sets_yearly_targets_audited(people):
    client = _client(people.datacenter_admin)
    assert client.post("/reports/targets/", {"year": 2027, "region": "", "new_outlets": 180}).status_code == 302
    assert client.post("/reports/targets/", {"year": 2027, "region": "", "new_outlets": 200}).status_code == 302
    refused = client.post("/reports/targets/", {"year": 2027, "region": "nowhere", "new_outlets": 5})
    assert refused.status_code == 400
    with run_as(SYSTEM):
        assert YearlyTarget.objects.get(year=2027, region=None).new_outlets == 200
        entries = list(AuditEntry.objects.filter(action="yearly_target.set").order_by("pk").values("before", "after"))
    assert [e["before"] for e in entries] == [None, {"new_outlets": 180}]
    assert entries[-1]["after"] == {"year": 2027, "region": None, "new_outlets": 200}
    call(DATACENTER, yearly_target_set, year=2027, region="JJJ", new_outlets=30)
    page = client.get("/reports/targets/").content.decode()
    rows = re.findall(r'data-target="([^"]+)"', page)
    assert rows[:2] == ["2027-national", "2027-JJJ"]  # the national target first
    assert _client(people.partner_admin).get("/reports/targets/").status_code == 403
    assert _client(people.partner_admin).post("/reports/targets/", {"year": 2027, "new_outlets": 1}).status_code == 403


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200, path
    return len(captured)


def test_the_pages_run_a_fixed_number_of_queries(automaker, people):
    from reports.services import sales_footprint_set

    client = _client(people.datacenter_admin)
    call(DATACENTER, sales_footprint_set, partner=automaker, rows=[{"prefecture": "110100", "year": 2026}])
    small = (_queries(client, "/reports/footprint/"), _queries(client, "/reports/targets/"))
    prefectures = ["310100", "320500", "330100", "440100", "440300", "420100", "510100", "500100"]
    for year in range(2019, 2027):  # 64 rows: more than a page
        call(
            DATACENTER,
            sales_footprint_set,
            partner=automaker,
            rows=[{"prefecture": p, "year": year} for p in prefectures],
        )
        call(DATACENTER, yearly_target_set, year=year, new_outlets=100 + year % 10)
    call(
        DATACENTER,
        sales_footprint_set,
        partner=make_partner(kinds=["automaker"]),
        rows=[{"prefecture": "110100", "year": 2020}],
    )
    large = (_queries(client, "/reports/footprint/"), _queries(client, "/reports/targets/"))
    assert large == small
