"""Contract tests of the report routes (DESIGN §8, §10): statuses, field names, defaults,
validation, 202 with Location, ETags, pagination and filters, whose network a report
covers, who reads it, downloads. Reports are computed in-process when the request commits
(``django_capture_on_commit_callbacks``); tests/reports/test_api_worker.py uses a real worker."""

from __future__ import annotations

import csv
import datetime
import io
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from outlets import services as outlet_services
from outlets.models import Outlet, OutletKind
from partners.models import Partner, UserRole
from recycling_network.tenancy import SYSTEM, run_as
from reports.models import Report, ReportStatus
from reports.services import report_request
from tests.api.conftest import PASSWORD, bearer, key_for, session
from tests.builders import DATACENTER, admin_of, call, make_outlet, make_partner, make_user

pytestmark = pytest.mark.django_db

REPORT_FIELDS = {
    "id",
    "scope",
    "partner",
    "as_of",
    "period_start",
    "period_end",
    "k",
    "radius_km",
    "status",
    "progress",
    "requested_at",
    "started_at",
    "finished_at",
}
PROBLEM_FIELDS = {"type", "title", "status", "detail", "code", "errors", "instance"}


@dataclass
class Net:
    """An operator sharing one of its two outlets with automaker A, which runs one of its
    own; partner B runs one elsewhere. A's network: o1 (shared) and o3 (own)."""

    op: Partner
    auto_a: Partner
    b: Partner
    o1: Outlet
    o2: Outlet
    o3: Outlet
    o4: Outlet
    clients: dict[str, APIClient] = field(default_factory=dict)


@pytest.fixture
def net(db) -> Net:
    op = make_partner(kinds=["outlet_operator"], name="网点运营商")
    auto_a = make_partner(kinds=["automaker"], name="甲汽车")
    b = make_partner(kinds=["outlet_operator"], name="乙运营")
    o1 = make_outlet(op, prefecture="110100")
    o2 = make_outlet(op, prefecture="310100", kind=OutletKind.CENTRALIZED_STORAGE, capacity_kg=30000)
    o3 = make_outlet(auto_a, prefecture="440300")
    o4 = make_outlet(b, prefecture="420100")
    call(admin_of(op), outlet_services.sharing_grant, outlet=o1, grantee=auto_a)
    staff = make_user(auto_a, UserRole.OUTLET_STAFF, password=PASSWORD)
    call(DATACENTER, outlet_services.staff_assign_outlets, user=staff, outlets=[o3])
    clients = {
        "a": bearer(key_for(auto_a)),
        "a_read": bearer(key_for(auto_a, scopes=("read",))),
        "a_admin": session(make_user(auto_a, UserRole.PARTNER_ADMIN, password=PASSWORD)),
        "a_staff": session(staff),
        "b": bearer(key_for(b)),
        "dc": bearer(key_for(None)),
    }
    return Net(op, auto_a, b, o1, o2, o3, o4, clients)


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_FIELDS
    assert (body["status"], body["code"]) == (status, code)
    return body


def _request(client: APIClient, capture: Any, **body: Any) -> dict[str, Any]:
    """POST a request; the report is computed (eagerly) when the request commits."""
    with capture(execute=True):
        response = client.post("/api/v1/reports/", body, format="json")
    assert response.status_code == 202, response.content
    return response.json()


def _all_pages(client: APIClient, url: str) -> list[dict[str, Any]]:
    results, pages = [], 0
    while url:
        body = client.get(url).json()
        assert set(body) == {"next", "previous", "results"}
        results += body["results"]
        url = body["next"]
        pages += 1
        assert pages < 50
    return results


# --- requesting ----------------------------------------------------------------------


def test_a_request_answers_202_with_location_and_the_defaults(net):
    response = net.clients["a"].post("/api/v1/reports/", {}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert set(body) == REPORT_FIELDS
    assert response["Location"] == f"/api/v1/reports/{body['id']}/"
    today = timezone.localdate()
    assert body | {"id": 0, "requested_at": None} == {
        "id": 0,
        "scope": "partner",
        "partner": {"id": net.auto_a.pk, "name": "甲汽车"},
        "as_of": today.isoformat(),
        "period_start": (today - datetime.timedelta(days=364)).isoformat(),
        "period_end": today.isoformat(),
        "k": 10,
        "radius_km": 100,
        "status": "queued",
        "progress": 0,
        "requested_at": None,
        "started_at": None,
        "finished_at": None,
    }
    # The data center's default is the national report.
    national = net.clients["dc"].post("/api/v1/reports/", {}, format="json").json()
    assert (national["scope"], national["partner"]) == ("national", None)


def test_a_request_takes_its_parameters(net):
    body = {"as_of": "2025-12-31", "period_start": "2025-07-01", "period_end": "2025-09-30", "k": 3, "radius_km": 250}
    report = net.clients["a"].post("/api/v1/reports/", body, format="json").json()
    assert {key: report[key] for key in body} == body
    only_as_of = net.clients["a"].post("/api/v1/reports/", {"as_of": "2025-12-31"}, format="json").json()
    assert (only_as_of["period_start"], only_as_of["period_end"]) == ("2025-01-01", "2025-12-31")


def test_server_owned_fields_in_a_request_change_nothing(net):
    body = {"status": "done", "progress": 100, "result": {"network": {}}, "audience": [net.b.pk], "id": 1}
    report = net.clients["a"].post("/api/v1/reports/", body, format="json").json()
    assert (report["status"], report["progress"]) == ("queued", 0)
    with run_as(SYSTEM):
        row = Report.objects.get(pk=report["id"])
    assert (row.audience, row.requester_partner_id, row.result) == ([net.auto_a.pk], net.auto_a.pk, None)


@pytest.mark.parametrize(
    ("body", "code", "fields"),
    [
        ({"k": 0}, "invalid", {"k"}),
        ({"k": 51}, "invalid", {"k"}),
        ({"k": "ten"}, "invalid", {"k"}),
        ({"radius_km": 5}, "invalid", {"radius_km"}),
        ({"scope": "galaxy"}, "invalid", {"scope"}),
        ({"as_of": "2026-13-01"}, "invalid", {"as_of"}),
        ({"as_of": "1999-12-31"}, "invalid_date", {"as_of"}),
        ({"period_start": "2025-06-01", "period_end": "2025-05-01", "as_of": "2025-12-31"}, "period_invalid", None),
        ({"period_end": "2025-12-31", "as_of": "2025-06-30"}, "period_invalid", None),
    ],
)
def test_invalid_requests_are_400_with_field_errors(net, body, code, fields):
    problem = _problem(net.clients["a"].post("/api/v1/reports/", body, format="json"), 400, code)
    assert set(problem["errors"]) == (fields or {"period_start", "period_end"})
    with run_as(SYSTEM):
        assert not Report.objects.exists()


def test_a_report_as_of_a_future_date_is_refused(net):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    problem = _problem(
        net.clients["a"].post("/api/v1/reports/", {"as_of": tomorrow}, format="json"), 400, "as_of_in_future"
    )
    assert set(problem["errors"]) == {"as_of"}


def test_a_partner_cannot_request_the_national_report_or_another_partners(net):
    _problem(
        net.clients["a"].post("/api/v1/reports/", {"scope": "national"}, format="json"),
        403,
        "national_report_forbidden",
    )
    _problem(net.clients["a"].post("/api/v1/reports/", {"partner": net.b.pk}, format="json"), 403, "foreign_partner")
    # Its own id is simply its own network.
    own = net.clients["a"].post("/api/v1/reports/", {"scope": "partner", "partner": net.auto_a.pk}, format="json")
    assert own.status_code == 202
    with run_as(SYSTEM):
        assert Report.objects.count() == 1


def test_the_data_center_reports_on_a_partners_network(net, django_capture_on_commit_callbacks):
    _problem(net.clients["dc"].post("/api/v1/reports/", {"scope": "partner"}, format="json"), 400, "partner_required")
    report = _request(net.clients["dc"], django_capture_on_commit_callbacks, scope="partner", partner=net.auto_a.pk)
    assert (report["scope"], report["partner"]) == ("partner", {"id": net.auto_a.pk, "name": "甲汽车"})
    done = net.clients["dc"].get(f"/api/v1/reports/{report['id']}/").json()
    assert done["result"]["network"]["outlets"]["total"] == 2
    # The data center's own report: the partner it covers does not see it (DESIGN §4).
    _problem(net.clients["a"].get(f"/api/v1/reports/{report['id']}/"), 404, "not_found")


def test_outlet_staff_and_read_only_keys(net, django_capture_on_commit_callbacks):
    report = _request(net.clients["a"], django_capture_on_commit_callbacks)
    staff = net.clients["a_staff"]
    for url in ("/api/v1/reports/", f"/api/v1/reports/{report['id']}/", f"/api/v1/reports/{report['id']}/download/"):
        _problem(staff.get(url), 403, "partner_admin_only")
    read = net.clients["a_read"]
    assert read.get(f"/api/v1/reports/{report['id']}/").status_code == 200
    assert read.get(f"/api/v1/reports/{report['id']}/download/?format=csv").status_code == 200
    _problem(read.post("/api/v1/reports/", {}, format="json"), 403, "scope_required")
    # A partner admin's session (with CSRF) requests one like a key does.
    admin = net.clients["a_admin"]
    admin.cookies["csrftoken"] = "x" * 32
    response = admin.post("/api/v1/reports/", {}, format="json", HTTP_X_CSRFTOKEN="x" * 32)
    assert response.status_code == 202, response.content


# --- reading -------------------------------------------------------------------------


def test_the_detail_shows_progress_then_the_result_with_an_etag(net, django_capture_on_commit_callbacks):
    queued = net.clients["a"].post("/api/v1/reports/", {}, format="json").json()  # never committed: stays queued
    waiting = net.clients["a"].get(f"/api/v1/reports/{queued['id']}/").json()
    assert set(waiting) == REPORT_FIELDS | {"result"}
    assert (waiting["status"], waiting["progress"], waiting["result"]) == ("queued", 0, None)

    report = _request(net.clients["a"], django_capture_on_commit_callbacks)
    response = net.clients["a"].get(f"/api/v1/reports/{report['id']}/")
    body = response.json()
    assert (body["status"], body["progress"]) == ("done", 100)
    assert set(body["result"]) == {"network", "obligations", "allocation", "deadlines", "meta"}
    assert body["started_at"] <= body["finished_at"]
    tag = response["ETag"]
    assert net.clients["a"].get(f"/api/v1/reports/{report['id']}/", HTTP_IF_NONE_MATCH=tag).status_code == 304
    other = net.clients["a"].get(f"/api/v1/reports/{queued['id']}/", HTTP_IF_NONE_MATCH=tag)
    assert other.status_code == 200 and other["ETag"] != tag


def test_a_partners_report_covers_only_its_own_network(net, django_capture_on_commit_callbacks):
    mine = _request(net.clients["a"], django_capture_on_commit_callbacks)
    national = _request(net.clients["dc"], django_capture_on_commit_callbacks)
    network = net.clients["a"].get(f"/api/v1/reports/{mine['id']}/").json()["result"]["network"]
    # Its own outlet o3 (Shenzhen) and o1 (Beijing), shared with it; not o2 nor B's o4.
    assert network["outlets"]["total"] == 2
    assert network["coverage"]["covered_prefectures"] == ["110100", "440300"]
    assert {row["adcode"] for row in network["outlets"]["by_prefecture"]} == {"110100", "440300"}
    everything = net.clients["dc"].get(f"/api/v1/reports/{national['id']}/").json()["result"]["network"]
    assert everything["outlets"]["total"] == 4
    assert everything["coverage"]["covered_prefectures"] == ["110100", "420100", "440300"]


def test_another_partner_gets_404_for_a_report(net, django_capture_on_commit_callbacks):
    mine = _request(net.clients["a"], django_capture_on_commit_callbacks)
    national = _request(net.clients["dc"], django_capture_on_commit_callbacks)
    missing = 987654321
    for report in (mine["id"], national["id"], missing):
        for suffix in ("", "download/?format=csv"):
            body = _problem(net.clients["b"].get(f"/api/v1/reports/{report}/{suffix}"), 404, "not_found")
            assert body["detail"]
    # A partner sees none of the national reports either; the data center sees both.
    _problem(net.clients["a"].get(f"/api/v1/reports/{national['id']}/"), 404, "not_found")
    assert net.clients["dc"].get(f"/api/v1/reports/{mine['id']}/").status_code == 200
    assert [r["id"] for r in _all_pages(net.clients["b"], "/api/v1/reports/")] == []
    assert {r["id"] for r in _all_pages(net.clients["dc"], "/api/v1/reports/")} == {mine["id"], national["id"]}


def test_the_list_paginates_and_filters(net, django_capture_on_commit_callbacks):
    client = net.clients["a"]
    done = [_request(client, django_capture_on_commit_callbacks)["id"] for _ in range(3)]
    queued = [client.post("/api/v1/reports/", {"k": 2}, format="json").json()["id"] for _ in range(2)]
    call(admin_of(net.b), report_request)  # another partner's: never listed
    listed = _all_pages(client, "/api/v1/reports/?limit=2")
    assert [r["id"] for r in listed] == sorted(done + queued)
    assert all(set(r) == REPORT_FIELDS for r in listed)
    assert [r["id"] for r in _all_pages(client, "/api/v1/reports/?status=done&limit=2")] == done
    assert [r["id"] for r in _all_pages(client, "/api/v1/reports/?status=queued")] == queued
    assert [r["id"] for r in _all_pages(client, "/api/v1/reports/?scope=national")] == []
    newest_first = client.get("/api/v1/reports/?ordering=-id&limit=1").json()["results"]
    assert [r["id"] for r in newest_first] == [max(queued)]
    _problem(client.get("/api/v1/reports/?status=finished"), 400, "invalid")
    _problem(client.get("/api/v1/reports/?colour=red"), 400, "invalid")
    _problem(client.get("/api/v1/reports/?ordering=as_of"), 400, "invalid")
    national = _request(net.clients["dc"], django_capture_on_commit_callbacks)["id"]
    assert [r["id"] for r in _all_pages(net.clients["dc"], "/api/v1/reports/?scope=national")] == [national]


def test_the_list_runs_a_fixed_number_of_queries(net):
    client = net.clients["dc"]

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/reports/?limit=3").status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    call(DATACENTER, report_request, scope="partner", partner=net.auto_a.pk)
    queries()  # the key's first use in this run records last_used_at
    small = queries()
    for partner in (net.auto_a, net.b, net.op, net.auto_a):
        call(DATACENTER, report_request, scope="partner", partner=partner.pk)
        call(DATACENTER, report_request)
    large = queries()
    assert len(large) == len(small)
    # One query for the page, partners joined rather than looked up row by row.
    assert len([sql for sql in large if "reports_report" in sql]) == 1


# --- downloads -----------------------------------------------------------------------


def test_downloads_in_each_format(net, django_capture_on_commit_callbacks):
    report = _request(net.clients["a"], django_capture_on_commit_callbacks)
    url = f"/api/v1/reports/{report['id']}/download/"
    stem = f"report-{report['id']}-partner-{report['as_of']}"

    response = net.clients["a"].get(url + "?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{stem}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert ["440300", "深圳市", "广东省", "1", "0", "1"] in rows  # outlets by prefecture

    response = net.clients["a"].get(url + "?format=xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="{stem}.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) > 10

    for query in ("?format=json", ""):  # json is the default
        response = net.clients["a"].get(url + query)
        assert response["Content-Type"] == "application/json"
        assert response["Content-Disposition"] == f'attachment; filename="{stem}.json"'
        document = json.loads(response.content)
        assert document["id"] == report["id"]
        assert document["result"]["network"]["outlets"]["total"] == 2


def test_download_errors(net, django_capture_on_commit_callbacks):
    report = _request(net.clients["a"], django_capture_on_commit_callbacks)
    url = f"/api/v1/reports/{report['id']}/download/"
    _problem(net.clients["a"].get(url + "?format=pdf"), 400, "format_invalid")
    _problem(net.clients["a"].get(url + "?format=csv&colour=red"), 400, "invalid")
    # An Accept header asking for the file type does not stand in the way (nor does it for errors).
    assert net.clients["a"].get(url + "?format=csv", HTTP_ACCEPT="text/csv").status_code == 200
    _problem(net.clients["a"].get(url + "?format=pdf", HTTP_ACCEPT="text/csv"), 400, "format_invalid")
    queued = net.clients["a"].post("/api/v1/reports/", {}, format="json").json()
    _problem(net.clients["a"].get(f"/api/v1/reports/{queued['id']}/download/?format=csv"), 409, "report_not_ready")
    with run_as(SYSTEM):
        Report.objects.filter(pk=queued["id"]).update(status=ReportStatus.FAILED)
    _problem(net.clients["a"].get(f"/api/v1/reports/{queued['id']}/download/"), 409, "report_not_ready")
