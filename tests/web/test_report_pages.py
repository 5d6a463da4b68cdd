"""The report pages (DESIGN §9, §10): list, request form, progress polled by htmx, the
report with its charts drawn as inline SVG and its tables, downloads; partner admins and
data-center admins only, another partner's report a 404, a fixed number of queries."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from outlets import services as outlet_services
from outlets.models import OutletKind
from partners.models import Partner, UserRole
from recycling_network.tenancy import SYSTEM, Actor, actor_for_user, run_as
from reports.models import Report, ReportScope, ReportStatus
from reports.services import report_compute, report_request, sales_footprint_set
from tests.builders import DATACENTER, admin_of, call, make_outlet, make_partner, make_user
from tests.reports.helpers import report_row, run_report
from tests.web.conftest import PASSWORD, People

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class ReportWorld:
    people: People
    admin: Actor  # the partner admin of people.partner
    automaker: Partner
    other: Partner


@pytest.fixture
def rw(people) -> ReportWorld:
    """people.partner runs a collection outlet in Beijing (conftest) and a centralised
    storage outlet in Shanghai, shares the Beijing one with an automaker that sells in
    Beijing and Guangzhou; another partner runs one in Wuhan."""
    make_outlet(people.partner, kind=OutletKind.CENTRALIZED_STORAGE, prefecture="310100", capacity_kg=30000)
    automaker = make_partner(kinds=["automaker"], name="甲汽车")
    other = make_partner(kinds=["outlet_operator"], name="乙运营")
    make_outlet(other, prefecture="420100")
    admin = actor_for_user(people.partner_admin)
    call(admin, outlet_services.sharing_grant, outlet=people.outlet, grantee=automaker)
    year = timezone.localdate().year
    call(
        DATACENTER,
        sales_footprint_set,
        partner=automaker,
        rows=[
            {"prefecture": "110100", "year": year, "vehicles_sold": 500, "fleet": 9000},
            {"prefecture": "440100", "year": year, "vehicles_sold": 300, "fleet": 100},
        ],
    )
    return ReportWorld(people=people, admin=admin, automaker=automaker, other=other)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _english(user) -> Client:
    client = _client(user)
    client.cookies["django_language"] = "en"
    return client


def _queued(actor: Actor, **kwargs) -> Report:
    """A report requested but never sent to a worker (the test transaction never commits)."""
    return call(actor, report_request, **kwargs)


# --- who may open the pages ----------------------------------------------------------


def test_partner_admins_and_the_data_center_open_the_pages(rw, django_capture_on_commit_callbacks):
    report = run_report(django_capture_on_commit_callbacks, rw.admin)
    for user in (rw.people.partner_admin, rw.people.datacenter_admin):
        client = _client(user)
        for path in ("/reports/", "/reports/new/", f"/reports/{report.pk}/", f"/reports/{report.pk}/progress/"):
            assert client.get(path).status_code == 200, (user, path)
        home = client.get("/").content.decode()
        assert 'href="/reports/"' in home  # the navigation links the list


def test_outlet_staff_are_refused_and_visitors_sign_in(rw, django_capture_on_commit_callbacks):
    report = run_report(django_capture_on_commit_callbacks, rw.admin)
    paths = [
        "/reports/",
        "/reports/new/",
        f"/reports/{report.pk}/",
        f"/reports/{report.pk}/progress/",
        f"/reports/{report.pk}/download/csv/",
    ]
    staff = _client(rw.people.staff)
    assert 'href="/reports/"' not in staff.get("/").content.decode()
    for path in paths:
        assert staff.get(path).status_code == 403, path
    assert staff.post("/reports/new/", {"k": 10, "radius_km": 100}).status_code == 403
    for path in paths:
        response = Client().get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path


def test_another_partners_report_is_404(rw, django_capture_on_commit_callbacks):
    report = run_report(django_capture_on_commit_callbacks, rw.admin)
    national = run_report(django_capture_on_commit_callbacks, DATACENTER)
    outsider = _client(make_user(rw.other, UserRole.PARTNER_ADMIN, password=PASSWORD))
    for pk in (report.pk, national.pk, 987654321):
        for suffix in ("", "progress/", "download/csv/"):
            assert outsider.get(f"/reports/{pk}/{suffix}").status_code == 404, (pk, suffix)
    listed = outsider.get("/reports/").content.decode()
    assert f'data-report="{report.pk}"' not in listed and f'data-report="{national.pk}"' not in listed
    # The data center reads every report; a partner admin its partner's only.
    assert _client(rw.people.datacenter_admin).get(f"/reports/{report.pk}/").status_code == 200
    assert _client(rw.people.partner_admin).get(f"/reports/{national.pk}/").status_code == 404


# --- the list and the form -------------------------------------------------------------


def test_the_list_shows_the_partners_reports_with_filters(rw, django_capture_on_commit_callbacks):
    done = run_report(django_capture_on_commit_callbacks, rw.admin)
    queued = _queued(rw.admin, k=3)
    foreign = _queued(admin_of(rw.other))
    page = _english(rw.people.partner_admin).get("/reports/").content.decode()
    assert f'data-report="{done.pk}"' in page and f'data-report="{queued.pk}"' in page
    assert f'data-report="{foreign.pk}"' not in page
    assert f"Network of {rw.people.partner.name}" in page
    filtered = _client(rw.people.partner_admin).get("/reports/?status=queued").content.decode()
    assert f'data-report="{queued.pk}"' in filtered and f'data-report="{done.pk}"' not in filtered


def test_a_partner_admin_requests_a_report_on_its_network(rw, django_capture_on_commit_callbacks):
    client = _client(rw.people.partner_admin)
    form = client.get("/reports/new/").content.decode()
    assert 'name="scope"' not in form and 'name="partner"' not in form  # always its own network
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reports/new/", {"as_of": "", "period_start": "", "period_end": "", "k": "4", "radius_km": "150"}
        )
    assert response.status_code == 302
    with run_as(SYSTEM):
        report = Report.objects.get()
    assert response["Location"] == f"/reports/{report.pk}/"
    assert (report.scope, report.partner_id, report.k, report.radius_km) == ("partner", rw.people.partner.pk, 4, 150)
    assert (report.audience, report.status) == ([rw.people.partner.pk], ReportStatus.DONE)
    assert "data-done" in client.get(response["Location"]).content.decode()


def test_the_form_shows_what_the_form_and_the_service_refuse(rw):
    client = _english(rw.people.partner_admin)
    page = client.post("/reports/new/", {"k": "0", "radius_km": "100"})
    assert page.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in page.content.decode()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    refused = client.post("/reports/new/", {"as_of": tomorrow, "k": "10", "radius_km": "100"}).content.decode()
    assert 'href="#id_as_of"' in refused and "In the future." in refused  # the service's error, on its field
    with run_as(SYSTEM):
        assert not Report.objects.exists()


def test_the_data_center_requests_the_national_report_or_a_partners(rw):
    client = _client(rw.people.datacenter_admin)
    form = client.get("/reports/new/").content.decode()
    assert 'name="scope"' in form and f'<option value="{rw.automaker.pk}">甲汽车</option>' in form
    base = {"k": "10", "radius_km": "100"}
    assert (
        client.post("/reports/new/", {**base, "scope": "national", "partner": str(rw.automaker.pk)}).status_code == 302
    )
    assert (
        client.post("/reports/new/", {**base, "scope": "partner", "partner": str(rw.automaker.pk)}).status_code == 302
    )
    missing = _english(rw.people.datacenter_admin).post("/reports/new/", {**base, "scope": "partner"})
    assert missing.status_code == 200 and 'href="#id_partner"' in missing.content.decode()
    with run_as(SYSTEM):
        made = list(Report.objects.order_by("pk").values_list("scope", "partner_id", "audience"))
    assert made == [(ReportScope.NATIONAL, None, []), (ReportScope.PARTNER, rw.automaker.pk, [])]


# --- progress ---------------------------------------------------------------------------


def test_the_progress_fragment_polls_while_the_report_runs_and_stops_when_done(rw):
    report = _queued(rw.admin)
    client = _english(rw.people.partner_admin)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert f'hx-get="/reports/{report.pk}/progress/"' in page and 'hx-trigger="every 2s"' in page
    assert "Waiting for a worker" in page

    with run_as(SYSTEM):
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, progress=40, progress_note="allocation")
    fragment = client.get(f"/reports/{report.pk}/progress/", **HTMX).content.decode()
    assert fragment.lstrip().startswith('<section id="report-body"')  # a fragment, not a page
    assert "<html" not in fragment
    assert 'hx-trigger="every 2s"' in fragment
    assert '<progress class="report-progress__bar" max="100" value="40"' in fragment
    assert "Where to place new outlets" in fragment  # the section being computed

    with run_as(SYSTEM):
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.QUEUED, progress=0)
    assert report_compute(report_id=report.pk) == "done"
    done = client.get(f"/reports/{report.pk}/progress/", **HTMX).content.decode()
    assert "hx-trigger" not in done and "hx-get" not in done  # polling stops
    assert "data-done" in done and "<svg" in done


def test_a_failed_report_says_so_and_does_not_poll(rw):
    report = _queued(rw.admin)
    with run_as(SYSTEM):
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.FAILED, error="ProgrammingError: secret detail")
    page = _english(rw.people.partner_admin).get(f"/reports/{report.pk}/").content.decode()
    assert "data-failed" in page and "could not be computed" in page
    assert "hx-trigger" not in page and "secret detail" not in page


# --- the report ---------------------------------------------------------------------------


def test_the_report_page_draws_charts_and_tables(rw, django_capture_on_commit_callbacks):
    report = run_report(django_capture_on_commit_callbacks, DATACENTER, k=3)
    page = _english(rw.people.datacenter_admin).get(f"/reports/{report.pk}/").content.decode()
    result = report.result
    network = result["network"]
    # Three charts and the map, drawn as inline SVG.
    for chart in ("outlets", "utilisation", "growth"):
        assert re.search(rf'data-chart="{chart}">.*?<svg class="report-chart__svg"', page, re.S), chart
    svgs = re.findall(r"<svg\b.*?</svg>", page, re.S)
    assert len(svgs) == 4
    outlets_chart = re.search(r'data-chart="outlets">.*?</svg>', page, re.S).group(0)
    assert outlets_chart.count('class="report-chart__bar report-chart__bar--collection"') == len(
        [r for r in network["outlets"]["by_region"] if r["collection"]]
    )
    growth = re.search(r'data-chart="growth">.*?</svg>', page, re.S).group(0)
    assert growth.count('class="report-chart__target"') == len([r for r in network["growth"]["by_year"] if r["target"]])
    # The map: a point per prefecture with outlets, per uncovered prefecture, per proposed outlet.
    map_svg = re.search(r"<svg class=\"report-map__svg\".*?</svg>", page, re.S).group(0)
    assert map_svg.count('data-role="outlets"') == len(network["outlets"]["by_prefecture"]) == 3
    missing = int(re.search(r'data-missing="(\d+)"', map_svg).group(1))
    assert missing <= 2  # a prefecture without a centre in divisions.csv
    assert map_svg.count('data-role="uncovered"') + missing == network["coverage"]["uncovered"]
    assert map_svg.count('data-role="pick"') == len(result["allocation"]["picks"]) == 3
    assert "<title>北京市市辖区, outlets: 1</title>" in map_svg
    # The tables: picks, an automaker's gaps, deadlines.
    assert page.count("data-pick=") == 3
    automaker = re.search(rf'data-automaker="{rw.automaker.pk}">.*?</div>', page, re.S).group(0)
    assert "广州市" in automaker  # sells in Guangzhou without an outlet there
    # Beijing's fleet obliges centralised storage, which only Shanghai has; grouped by thousands.
    storage = re.search(r'data-gaps="storage">.*?</table>', automaker, re.S).group(0)
    assert re.search(r"<td>110100</td><td class=\"num\">500</td><td class=\"num\">9,000</td>", storage)
    assert "Network and coverage" in page and "Reporting deadlines" in page
    for fmt in ("csv", "xlsx", "json"):
        assert f'href="/reports/{report.pk}/download/{fmt}/"' in page


def test_a_partners_report_page_covers_its_network(rw, django_capture_on_commit_callbacks):
    report = run_report(django_capture_on_commit_callbacks, rw.admin)
    page = _english(rw.people.partner_admin).get(f"/reports/{report.pk}/").content.decode()
    assert re.search(r'data-figure="outlets">\s*<span class="stat__value">2</span>', page)
    assert "Yearly targets are set for the national network." in page
    assert f"Report {report.pk}: network of {rw.people.partner.name}" in page


def test_the_pages_are_chinese_by_default(rw, django_capture_on_commit_callbacks):
    report = run_report(django_capture_on_commit_callbacks, rw.admin)
    page = _client(rw.people.partner_admin).get(f"/reports/{report.pk}/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "网点" in page


def test_no_external_urls_in_the_pages(rw, django_capture_on_commit_callbacks):
    report = run_report(django_capture_on_commit_callbacks, DATACENTER)
    client = _client(rw.people.datacenter_admin)
    for path in ("/reports/", "/reports/new/", f"/reports/{report.pk}/", f"/reports/{report.pk}/progress/"):
        page = client.get(path).content.decode()
        assert not re.search(r"""(?:src|href|action|hx-get|xlink:href)\s*=\s*["']?(?:[a-z]+:)?//""", page), path
        assert not re.search(r"url\(\s*['\"]?(?:[a-z]+:)?//", page), path
        assert "http://" not in page and "https://" not in page, path


# --- downloads -----------------------------------------------------------------------------


def test_downloads_in_each_format(rw, django_capture_on_commit_callbacks):
    report = run_report(django_capture_on_commit_callbacks, rw.admin)
    client = _client(rw.people.partner_admin)
    stem = f"report-{report.pk}-partner-{report.as_of.isoformat()}"

    response = client.get(f"/reports/{report.pk}/download/csv/")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{stem}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert ["310100", "上海市市辖区", "上海市", "0", "1", "1"] in rows

    response = client.get(f"/reports/{report.pk}/download/xlsx/")
    assert response["Content-Disposition"] == f'attachment; filename="{stem}.xlsx"'
    assert len(load_workbook(io.BytesIO(response.content)).sheetnames) > 10

    response = client.get(f"/reports/{report.pk}/download/json/")
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["result"] == report_row(report.pk).result

    assert client.get(f"/reports/{report.pk}/download/pdf/").status_code == 404


def test_a_report_not_done_has_no_download_yet(rw):
    report = _queued(rw.admin)
    client = _english(rw.people.partner_admin)
    response = client.get(f"/reports/{report.pk}/download/csv/")
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    assert "The report is not ready yet." in client.get(response["Location"]).content.decode()


# --- queries ---------------------------------------------------------------------------------


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200, path
    return len(captured)


# The pages' own reads on top of a page that reads nothing (session, user, partner, context):
# the list counts and reads a page (and, for a partner, reads its kinds: an automaker's list
# links its sales footprint); the report is one row (its partner joined) and the centres of
# the prefectures its map places; the data center's form lists the partners.
OWN_QUERIES = {
    "partner_admin": {"list": 3, "report": 2, "form": 0},
    "datacenter_admin": {"list": 2, "report": 2, "form": 1},
}


@pytest.mark.parametrize("role", ["partner_admin", "datacenter_admin"])
def test_the_pages_run_a_fixed_number_of_queries(rw, django_capture_on_commit_callbacks, role):
    actor = rw.admin if role == "partner_admin" else DATACENTER
    report = run_report(django_capture_on_commit_callbacks, actor)
    client = _client(getattr(rw.people, role))
    baseline = _queries(client, "/accounts/password/change/")
    pages = {"list": "/reports/", "report": f"/reports/{report.pk}/", "form": "/reports/new/"}
    small = {name: _queries(client, path) for name, path in pages.items()}
    for _ in range(30):  # more than a page of the list
        _queued(actor)
    for _ in range(3):
        make_partner(kinds=["automaker"])
        make_outlet(rw.other, prefecture="440300")
    large = {name: _queries(client, path) for name, path in pages.items()}
    assert large == small
    assert {name: n - baseline for name, n in large.items()} == OWN_QUERIES[role]
