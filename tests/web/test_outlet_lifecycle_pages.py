"""The outlet screens (DESIGN §6, §9): a partner admin's applications, change requests and
sharing; the data center's queue, review page and decisions; a partner's network; the
public directory. Each page reads through selectors and writes through services; the
tests read rows back in the system context."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outlets import services as outlet_services
from outlets.models import ChangeRequestStatus, Outlet, OutletChangeRequest, OutletKind, OutletStatus, SharingGrant
from outlets.views.common import PER_PAGE
from partners.models import UserRole
from recycling_network.tenancy import SYSTEM, actor_for_user, run_as
from tests.builders import (
    DATACENTER,
    admin_of,
    call,
    make_outlet,
    make_partner,
    make_user,
    receive,
    system_rows,
)
from tests.web.conftest import PASSWORD

DRAFT = {
    "name": "海淀回收网点",
    "kind": "collection",
    "prefecture": "110100",
    "address": "北京市海淀区中关村大街1号",
    "longitude": "116.31",
    "latitude": "39.98",
    "storage_area_m2": "40",
    "capacity_kg": "4000",
    "opening_hours": "周一至周六 09:00-17:00",
}


def contacts(*rows: tuple[str, str, str]) -> dict[str, str]:
    """The contacts formset's fields: three rows, the given ones filled in."""
    data = {
        "contacts-TOTAL_FORMS": "3",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "2",
        "contacts-MAX_NUM_FORMS": "5",
    }
    for i, (name, phone, email) in enumerate(rows):
        data |= {f"contacts-{i}-name": name, f"contacts-{i}-phone": phone, f"contacts-{i}-email": email}
    return data


def client_for(user, language: str = "en") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


class Net:
    def __init__(self) -> None:
        self.partner = make_partner(kinds=["outlet_operator"], name="绿源回收")
        self.other = make_partner(kinds=["outlet_operator"], name="蓝天回收")
        self.automaker = make_partner(kinds=["automaker"], name="华北汽车")
        self.admin_user = make_user(self.partner, UserRole.PARTNER_ADMIN, password=PASSWORD)
        self.staff_user = make_user(self.partner, UserRole.OUTLET_STAFF, password=PASSWORD)
        self.other_admin_user = make_user(self.other, UserRole.PARTNER_ADMIN, password=PASSWORD)
        self.automaker_admin_user = make_user(self.automaker, UserRole.PARTNER_ADMIN, password=PASSWORD)
        self.dc_user = make_user(None, password=PASSWORD)
        self.admin = client_for(self.admin_user)
        self.staff = client_for(self.staff_user)
        self.other_admin = client_for(self.other_admin_user)
        self.automaker_admin = client_for(self.automaker_admin_user)
        self.dc = client_for(self.dc_user)


@pytest.fixture
def net(db) -> Net:
    return Net()


def _new_draft(net: Net, **overrides: str) -> Outlet:
    response = net.admin.post("/outlets/new/", {**DRAFT, **contacts(("王五", "13900000000", "")), **overrides})
    assert response.status_code == 302, text(response)[:2000]
    [outlet] = system_rows(Outlet, operator=net.partner, name=overrides.get("name", DRAFT["name"]))
    assert response["Location"] == f"/outlets/{outlet.pk}/"
    return outlet


# --- applications ------------------------------------------------------------------------


def test_a_partner_admin_drafts_an_outlet_with_contacts(net):
    page = net.admin.get("/outlets/new/")
    assert page.status_code == 200
    assert 'name="prefecture"' in text(page) and "<optgroup" in text(page)
    outlet = _new_draft(net)
    assert (outlet.status, outlet.operator_id, outlet.capacity_kg) == (OutletStatus.DRAFT, net.partner.pk, 4000)
    with run_as(SYSTEM):
        assert [(c.name, c.phone) for c in outlet.contacts.all()] == [("王五", "13900000000")]
    detail = text(net.admin.get(f"/outlets/{outlet.pk}/"))
    assert "Draft saved." in detail
    assert "Submit for review" in detail and "王五" in detail
    assert 'data-role="subject"' in detail and 'data-role="centroid"' in detail  # the point and the centre


def test_field_errors_come_from_the_rules_and_nothing_is_saved(net):
    response = net.admin.post("/outlets/new/", {**DRAFT, **contacts(), "capacity_kg": "6000", "longitude": "20"})
    assert response.status_code == 200
    page = text(response)
    assert "Please correct the following:" in page
    assert "A collection outlet may hold at most 5,000 kg." in page
    assert "The longitude is outside China (73.4 to 135.1)." in page
    assert 'aria-invalid="true"' in page
    assert system_rows(Outlet, operator=net.partner) == []
    missing = text(net.admin.post("/outlets/new/", {**contacts(("", "123", ""))}))
    assert "This field is required." in missing and "Give the contact&#x27;s name." in missing


def test_a_far_point_is_a_warning_that_does_not_stop_the_draft(net):
    outlet = _new_draft(net, longitude="121.47", latitude="31.23")  # Shanghai, in Beijing's prefecture
    detail = text(net.admin.get(f"/outlets/{outlet.pk}/"))
    assert "please check the coordinates" in detail
    assert "data-location-warning" in detail
    preview = text(net.admin.get("/outlets/map-preview/?prefecture=110100&longitude=121.47&latitude=31.23"))
    assert "data-location-warning" in preview and "<svg" in preview
    near = text(net.admin.get("/outlets/map-preview/?prefecture=110100&longitude=116.4&latitude=39.9"))
    assert "data-location-warning" not in near and 'data-role="subject"' in near
    empty = text(net.admin.get("/outlets/map-preview/?prefecture=&longitude=abc&latitude="))
    assert "<svg" not in empty


def test_edit_submit_and_read_the_review_comments(net):
    outlet = _new_draft(net)
    edit = {**DRAFT, **contacts(("赵六", "", "zhao@example.com")), "name": "海淀新网点", "capacity_kg": "4500"}
    assert net.admin.post(f"/outlets/{outlet.pk}/edit/", edit).status_code == 302
    [row] = system_rows(Outlet, pk=outlet.pk)
    assert (row.name, row.capacity_kg) == ("海淀新网点", Decimal("4500"))
    assert net.admin.post(f"/outlets/{outlet.pk}/submit/").status_code == 302
    assert system_rows(Outlet, pk=outlet.pk)[0].status == OutletStatus.SUBMITTED
    # A second submit is the wrong transition: said on the page, nothing changes.
    again = net.admin.post(f"/outlets/{outlet.pk}/submit/", follow=True)
    assert "cannot be submitted now" in text(again)
    call(DATACENTER, outlet_services.outlet_request_changes, outlet=outlet.pk, comments="请补充消防设施照片")
    detail = text(net.admin.get(f"/outlets/{outlet.pk}/"))
    assert "The data center asked for changes:" in detail and "请补充消防设施照片" in detail
    assert "Changes requested" in detail  # the status history


def test_a_rejection_shows_its_reason_and_can_be_copied_into_a_new_draft(net):
    outlet = make_outlet(net.partner, status=OutletStatus.REJECTED)  # reason: 不符合要求
    detail = text(net.admin.get(f"/outlets/{outlet.pk}/"))
    assert "The application was rejected:" in detail and "不符合要求" in detail
    response = net.admin.post(f"/outlets/{outlet.pk}/copy/")
    [copy] = system_rows(Outlet, copied_from=outlet)
    assert response["Location"] == f"/outlets/{copy.pk}/edit/"
    assert (copy.status, copy.name, copy.capacity_kg) == (OutletStatus.DRAFT, outlet.name, outlet.capacity_kg)


def test_only_the_operators_admins_reach_its_outlet_pages(net):
    draft = _new_draft(net)
    approved = make_outlet(net.partner)
    for path in (f"/outlets/{draft.pk}/", f"/outlets/{approved.pk}/", f"/outlets/{approved.pk}/sharing/"):
        assert net.other_admin.get(path).status_code == 404, path  # even a public outlet
        assert net.staff.get(path).status_code == 403, path
        assert net.dc.get(path).status_code == 403, path
        assert Client().get(path)["Location"].startswith("/accounts/login/"), path
    assert net.other_admin.post(f"/outlets/{draft.pk}/submit/").status_code == 404
    assert system_rows(Outlet, pk=draft.pk)[0].status == OutletStatus.DRAFT


def test_an_outlet_in_service_edits_name_hours_and_contacts_and_closes_only_when_empty(net):
    outlet = make_outlet(net.partner)
    page = text(net.admin.get(f"/outlets/{outlet.pk}/edit/"))
    assert 'name="capacity_kg"' not in page and 'name="opening_hours"' in page
    data = {"name": "改名网点", "opening_hours": "8:00-20:00", **contacts(("孙八", "1", ""))}
    assert net.admin.post(f"/outlets/{outlet.pk}/edit/", data).status_code == 302
    [row] = system_rows(Outlet, pk=outlet.pk)
    assert (row.name, row.opening_hours) == ("改名网点", "8:00-20:00")
    receive(admin_of(net.partner), outlet)
    refused = text(net.admin.post(f"/outlets/{outlet.pk}/close/", {"close-reason": "停业"}, follow=True))
    assert "it can close only when empty" in refused
    assert system_rows(Outlet, pk=outlet.pk)[0].status == OutletStatus.APPROVED
    empty = make_outlet(net.partner)
    net.admin.post(f"/outlets/{empty.pk}/close/", {"close-reason": "停业"})
    assert system_rows(Outlet, pk=empty.pk)[0].status == OutletStatus.CLOSED


def test_change_requests_from_the_page_never_below_stock_and_decided_by_the_data_center(net):
    outlet = make_outlet(net.partner)
    receive(admin_of(net.partner), outlet, weight_kg="400")
    form = {
        "kind": "collection",
        "prefecture": "110100",
        "address": "新地址",
        "longitude": "116.41",
        "latitude": "39.91",
        "storage_area_m2": "60",
        "capacity_kg": "300",
        "note": "扩建",
    }
    below = text(net.admin.post(f"/outlets/{outlet.pk}/change/", form))
    assert "Below the current stock." in below
    assert system_rows(OutletChangeRequest, outlet=outlet) == []
    assert net.admin.post(f"/outlets/{outlet.pk}/change/", {**form, "capacity_kg": "4800"}).status_code == 302
    [change] = system_rows(OutletChangeRequest, outlet=outlet)
    assert change.status == ChangeRequestStatus.PENDING
    assert "waiting for the data center" in text(net.admin.get(f"/outlets/{outlet.pk}/"))
    queue = text(net.dc.get("/datacenter/outlets/"))
    assert "data-pending-changes" in queue and outlet.name in queue
    assert net.admin.post(f"/datacenter/outlet-changes/{change.pk}/approve/").status_code == 403
    net.dc.post(f"/datacenter/outlet-changes/{change.pk}/approve/")
    [row] = system_rows(Outlet, pk=outlet.pk)
    assert (row.capacity_kg, row.address) == (Decimal("4800"), "新地址")
    second = call(
        admin_of(net.partner), outlet_services.outlet_change_request_submit, outlet=outlet, capacity_kg=5000
    ).outlet
    [pending] = system_rows(OutletChangeRequest, outlet=second, status="pending")
    no_reason = net.dc.post(f"/datacenter/outlet-changes/{pending.pk}/reject/", {"change-reason": ""}, follow=True)
    assert "This field is required." in text(no_reason)
    net.dc.post(f"/datacenter/outlet-changes/{pending.pk}/reject/", {"change-reason": "材料不足"})
    assert system_rows(OutletChangeRequest, pk=pending.pk)[0].reason == "材料不足"


# --- the data center -------------------------------------------------------------------


def test_the_queue_lists_submitted_applications_with_filters_and_waiting_time(net):
    beijing = make_outlet(net.partner, status=OutletStatus.SUBMITTED, name="北京申请")
    shanghai = make_outlet(
        net.other,
        status=OutletStatus.SUBMITTED,
        name="上海申请",
        prefecture="310100",
        kind=OutletKind.CENTRALIZED_STORAGE,
        capacity_kg=30000,
    )
    draft = make_outlet(net.partner, status=OutletStatus.DRAFT, name="草稿网点")
    with run_as(SYSTEM):  # Beijing's application has waited ten days
        Outlet.objects.filter(pk=beijing.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=10))

    def listed(query: str = "") -> set[str]:
        page = net.dc.get(f"/datacenter/outlets/{query}")
        assert page.status_code == 200
        return set(re.findall(r'<tr data-outlet="(\d+)"', page.content.decode()))

    assert listed() == {str(beijing.pk), str(shanghai.pk)}
    assert listed("?waiting=7") == {str(beijing.pk)}
    assert listed("?province=310000") == {str(shanghai.pk)}
    assert listed("?kind=centralized_storage") == {str(shanghai.pk)}
    shanghai_region = system_rows(Outlet, pk=shanghai.pk)[0].prefecture.region_id
    assert shanghai_region != system_rows(Outlet, pk=beijing.pk)[0].prefecture.region_id
    assert listed(f"?region={shanghai_region}") == {str(shanghai.pk)}
    assert str(draft.pk) in listed("?status=")  # all statuses
    assert 'data-waiting-days="10">10 days<' in text(net.dc.get("/datacenter/outlets/"))
    for client in (net.admin, net.staff):
        assert client.get("/datacenter/outlets/").status_code == 403


def test_the_review_page_draws_the_point_and_the_prefectures_other_outlets(net):
    neighbours = [make_outlet(net.other, name=f"邻居{i}") for i in range(3)]
    elsewhere = make_outlet(net.other, prefecture="310100", name="上海网点")
    application = make_outlet(net.partner, status=OutletStatus.SUBMITTED)
    page = text(net.dc.get(f"/datacenter/outlets/{application.pk}/"))
    assert page.count('data-role="subject"') == 1
    assert page.count('data-role="other"') == len(neighbours)
    assert elsewhere.name not in page
    assert "http" not in re.search(r"<svg.*?</svg>", page).group(0).replace("http://www.w3.org", "")
    for decision in ("approve", "request_changes", "reject"):
        assert f'data-decision="{decision}"' in page
    assert 'data-decision="suspend"' not in page
    assert "Status history" in page and "Submitted for review" in page


def test_decisions_from_the_review_page(net):
    application = make_outlet(net.partner, status=OutletStatus.SUBMITTED)
    empty = net.dc.post(f"/datacenter/outlets/{application.pk}/reject/", {"reject-reason": ""})
    assert empty.status_code == 400
    assert "This field is required." in text(empty)
    assert system_rows(Outlet, pk=application.pk)[0].status == OutletStatus.SUBMITTED
    approved = net.dc.post(f"/datacenter/outlets/{application.pk}/approve/", follow=True)
    [row] = system_rows(Outlet, pk=application.pk)
    assert row.status == OutletStatus.APPROVED and row.code.startswith("RN-110100-")
    page = text(approved)
    assert f"Approved. The outlet&#x27;s code is {row.code}." in page
    assert f"data-assigned-code>{row.code}<" in page
    net.dc.post(f"/datacenter/outlets/{application.pk}/suspend/", {"suspend-reason": "整改"})
    assert system_rows(Outlet, pk=application.pk)[0].status == OutletStatus.SUSPENDED
    net.dc.post(f"/datacenter/outlets/{application.pk}/reopen/", {"reopen-reason": ""})
    assert system_rows(Outlet, pk=application.pk)[0].status == OutletStatus.APPROVED
    # A decision the status does not allow is refused, and says so.
    late = net.dc.post(f"/datacenter/outlets/{application.pk}/approve/", follow=True)
    assert late.status_code == 400 and "cannot be approved now" in text(late)
    assert net.dc.post(f"/datacenter/outlets/{application.pk}/frobnicate/").status_code == 404
    # Partner admins never decide, not even on their own outlet.
    other = make_outlet(net.partner, status=OutletStatus.SUBMITTED)
    assert net.admin.post(f"/datacenter/outlets/{other.pk}/approve/").status_code == 403
    assert system_rows(Outlet, pk=other.pk)[0].status == OutletStatus.SUBMITTED


def test_request_changes_and_reject_reach_the_partner(net):
    application = make_outlet(net.partner, status=OutletStatus.SUBMITTED)
    net.dc.post(f"/datacenter/outlets/{application.pk}/request_changes/", {"request_changes-comments": "请核对经纬度"})
    assert "请核对经纬度" in text(net.admin.get(f"/outlets/{application.pk}/"))
    call(admin_of(net.partner), outlet_services.outlet_submit, outlet=application.pk)
    net.dc.post(f"/datacenter/outlets/{application.pk}/reject/", {"reject-reason": "选址不符合规划"})
    partner_view = text(net.admin.get(f"/outlets/{application.pk}/"))
    assert "The application was rejected:" in partner_view and "选址不符合规划" in partner_view


# --- sharing and the network ---------------------------------------------------------------


def test_grant_from_the_directory_then_revoke_with_history_and_the_grantees_network(net):
    outlet = make_outlet(net.partner, name="共享网点")
    own_of_automaker = make_outlet(net.automaker, prefecture="310100", name="车企自建网点")
    page = text(net.admin.get(f"/outlets/{outlet.pk}/sharing/"))
    assert "华北汽车" in page and f'<option value="{net.partner.pk}"' not in page  # not itself
    response = net.admin.post(f"/outlets/{outlet.pk}/sharing/", {"grantee": net.automaker.pk, "note": "华北"})
    assert response.status_code == 302
    [grant] = system_rows(SharingGrant, outlet=outlet)
    network = text(net.automaker_admin.get("/network/"))
    assert "共享网点" in network and "车企自建网点" in network
    assert "shared with us since" in network and "data-own" in network
    twice = text(net.admin.post(f"/outlets/{outlet.pk}/sharing/", {"grantee": net.automaker.pk}))
    assert "This partner may already use this outlet." in twice
    # Only the operator's admins revoke.
    assert net.automaker_admin.post(f"/outlets/grants/{grant.pk}/revoke/").status_code == 404
    assert net.other_admin.post(f"/outlets/grants/{grant.pk}/revoke/").status_code == 404
    net.admin.post(f"/outlets/grants/{grant.pk}/revoke/", {"revoke-reason": "合作结束"})
    assert system_rows(SharingGrant, pk=grant.pk)[0].revoked_at is not None
    assert "共享网点" not in text(net.automaker_admin.get("/network/"))
    history = text(net.admin.get(f"/outlets/{outlet.pk}/sharing/"))
    assert "data-grant-history" in history and "No partner is authorised to use this outlet." in history
    assert own_of_automaker.name not in text(net.admin.get("/network/"))


# --- the public directory ------------------------------------------------------------------


def test_the_directory_shows_approved_outlets_and_public_fields_only(net):
    approved = make_outlet(net.partner, name="公开网点")
    receive(admin_of(net.partner), approved, weight_kg="777.77")
    hidden = {
        status: make_outlet(net.partner, status=status, name=f"隐藏{status}")
        for status in ("draft", "submitted", "rejected", "suspended", "closed")
    }
    anonymous = Client()
    anonymous.cookies["django_language"] = "en"
    page = text(anonymous.get("/directory/"))
    assert "公开网点" in page and approved.code in page
    for outlet in hidden.values():
        assert outlet.name not in page
    assert "张三" not in page and "13800000000" not in page  # contacts (tests/builders.py)
    assert "777" not in page  # stock
    detail = anonymous.get(f"/directory/{approved.code}/")
    assert detail.status_code == 200
    body = text(detail)
    assert "测试路1号" in body and "09:00-17:00" in body
    assert "张三" not in body and "13800000000" not in body and "777" not in body
    for status in ("suspended", "closed"):
        assert anonymous.get(f"/directory/{hidden[status].code}/").status_code == 404
    assert anonymous.get("/directory/RN-999999-0001/").status_code == 404


def test_directory_search_by_province_prefecture_kind_and_name(net):
    beijing = make_outlet(net.partner, name="朝阳网点")
    shanghai = make_outlet(net.other, prefecture="310100", name="浦东网点")
    central = make_outlet(
        net.other, prefecture="440300", kind=OutletKind.CENTRALIZED_STORAGE, capacity_kg=30000, name="深圳集中贮存"
    )

    def found(query: str) -> set[str]:
        return set(re.findall(r'<tr data-outlet="([^"]+)"', Client().get(f"/directory/{query}").content.decode()))

    assert found("") == {beijing.code, shanghai.code, central.code}
    assert found("?province=310000") == {shanghai.code}
    assert found("?prefecture=440300") == {central.code}
    assert found("?kind=centralized_storage") == {central.code}
    assert found("?name=朝阳") == {beijing.code}
    assert found("?province=110000&kind=centralized_storage") == set()
    # The map draws a point per outlet found, each linking to its page.
    page = Client().get("/directory/?province=310000").content.decode()
    assert page.count('data-role="outlet"') == 1 and f'href="/directory/{shanghai.code}/"' in page


def test_the_sign_in_page_links_the_directory(db):
    page = Client().get("/accounts/login/").content.decode()
    assert 'href="/directory/"' in page


# --- query counts (STYLE habit 8) ----------------------------------------------------------


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        assert response.status_code == 200, path
    return len(captured)


def test_list_pages_run_a_fixed_number_of_queries_with_more_rows_than_a_page(net):
    make_outlet(net.partner, status=OutletStatus.SUBMITTED)
    make_outlet(net.partner)
    outlet = make_outlet(net.other)
    call(admin_of(net.other), outlet_services.sharing_grant, outlet=outlet, grantee=net.partner)
    pages = {
        "my outlets": (net.admin, "/outlets/"),
        "queue": (net.dc, "/datacenter/outlets/"),
        "network": (net.admin, "/network/"),
        "directory": (Client(), "/directory/"),
    }
    small = {name: _queries(client, path) for name, (client, path) in pages.items()}
    operator = actor_for_user(net.admin_user)
    for i in range(PER_PAGE + 5):
        draft = call(
            operator,
            outlet_services.outlet_create,
            operator=net.partner,
            name=f"批量{i}",
            kind="collection",
            prefecture="110100" if i % 2 else "310100",
            address="路",
            longitude=Decimal("116.4") if i % 2 else Decimal("121.47"),
            latitude=Decimal("39.9") if i % 2 else Decimal("31.23"),
            storage_area_m2=20,
            capacity_kg=1000,
        ).outlet
        call(operator, outlet_services.outlet_submit, outlet=draft)
        if i % 3:
            call(DATACENTER, outlet_services.outlet_approve, outlet=draft)
    large = {name: _queries(client, path) for name, (client, path) in pages.items()}
    assert large == small
    # The pages' own reads stay small: filters' choices, the page, its count, the map.
    baseline = _queries(net.admin, "/accounts/password/change/")
    assert large["my outlets"] - baseline <= 3
    assert large["network"] - baseline <= 5


def test_review_pages_run_a_fixed_number_of_queries(net):
    application = make_outlet(net.partner, status=OutletStatus.SUBMITTED)
    small = _queries(net.dc, f"/datacenter/outlets/{application.pk}/")
    for _ in range(5):
        make_outlet(net.other)
    approved = make_outlet(net.partner)
    for _ in range(3):
        call(admin_of(net.partner), outlet_services.outlet_change_request_submit, outlet=approved, capacity_kg=4000)
        [change] = system_rows(OutletChangeRequest, outlet=approved, status="pending")
        call(DATACENTER, outlet_services.outlet_change_request_reject, request=change, reason="不")
    assert _queries(net.dc, f"/datacenter/outlets/{application.pk}/") == small
    assert _queries(net.dc, f"/datacenter/outlets/{approved.pk}/") <= small + 1
